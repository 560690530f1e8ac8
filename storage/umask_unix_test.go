//go:build unix

package storage

import "syscall"

func umask(m int) int { return syscall.Umask(m) }
