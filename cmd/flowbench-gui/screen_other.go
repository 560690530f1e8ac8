//go:build !cgo || ci

package main

// primaryScreen is unknown without cgo or under Fyne's software driver (the
// ci tag): there is no GLFW to ask, so the window keeps its stored size.
func primaryScreen() (width, height int, ok bool) { return 0, 0, false }
