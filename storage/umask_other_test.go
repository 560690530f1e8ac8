//go:build !unix

package storage

func umask(m int) int { return m }
