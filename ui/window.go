package ui

import "fyne.io/fyne/v2"

// screenMargin is the height left free below a window that fills the
// screen: room for the title bar and a desktop panel.
const screenMargin = 48

// fitSize clamps a wanted window size to a screen of the given size (both in
// fyne units): the window never opens past the screen's edges. Below the
// usual minimum of 640x480 the screen wins.
func fitSize(want, screen fyne.Size) fyne.Size {
	w := max(want.Width, 640)
	h := max(want.Height, 480)
	if screen.Width > 0 {
		w = min(w, screen.Width)
	}
	if screen.Height > 0 {
		h = min(h, max(screen.Height-screenMargin, screen.Height*0.9))
	}
	return fyne.NewSize(w, h)
}

// storedSize is the window size of the last session, or the default on the
// first launch.
func (a *App) storedSize() fyne.Size {
	l := storedLayout(a.fa.Preferences())
	return fyne.NewSize(max(float32(l.Width), 640), max(float32(l.Height), 480))
}

// FitToScreen shrinks the window to a screen of wpx x hpx pixels (the size
// it had last time, or the default, may be larger than this screen) and
// centres it. Fyne has no window position API, so the position is not
// remembered; the size is (see saveLayout). The GUI calls it once the
// driver has started, when the screen can be asked.
func (a *App) FitToScreen(wpx, hpx int) {
	if wpx <= 0 || hpx <= 0 {
		return
	}
	scale := a.w.Canvas().Scale()
	if scale <= 0 {
		scale = 1
	}
	screen := fyne.NewSize(float32(wpx)/scale, float32(hpx)/scale)
	want := a.w.Canvas().Size()
	if want.Width <= 0 || want.Height <= 0 {
		want = a.storedSize()
	}
	if got := fitSize(want, screen); got != want {
		a.w.Resize(got)
	}
	a.w.CenterOnScreen()
}
