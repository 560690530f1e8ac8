//go:build cgo && !ci

package main

import "github.com/go-gl/glfw/v3.3/glfw"

// primaryScreen is the size in pixels of the primary monitor's current
// video mode. Fyne's driver has no screen API, so the app asks GLFW, the
// library that driver is built on; it must be called on the main thread
// once the driver has initialised GLFW (from the app's OnStarted).
func primaryScreen() (width, height int, ok bool) {
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return 0, 0, false
	}
	vm := m.GetVideoMode()
	if vm == nil {
		return 0, 0, false
	}
	return vm.Width, vm.Height, true
}
