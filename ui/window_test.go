package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// Issue 13, item 17: on a 1024x640 screen the window opened at 1400x860, off
// the screen's edges. It now opens within the screen, whatever size it had
// last time.
func TestWindowFitsSmallScreen(t *testing.T) {
	h := newHarness(t)
	h.w.Resize(fyne.NewSize(1400, 860)) // the default, and a stored size alike
	h.app.FitToScreen(1024, 640)
	got := h.w.Canvas().Size()
	if got.Width > 1024 || got.Height > 640 {
		t.Fatalf("window is %vx%v on a 1024x640 screen; want it within the screen", got.Width, got.Height)
	}
	if got.Width < 1000 || got.Height < 560 {
		t.Fatalf("window is %vx%v on a 1024x640 screen; want it to use most of the screen", got.Width, got.Height)
	}
}

func TestWindowKeepsSizeOnLargeScreen(t *testing.T) {
	h := newHarness(t)
	h.w.Resize(fyne.NewSize(1400, 860))
	h.app.FitToScreen(1920, 1080)
	if got := h.w.Canvas().Size(); got != fyne.NewSize(1400, 860) {
		t.Fatalf("window is %vx%v on a 1920x1080 screen; want the stored 1400x860 kept", got.Width, got.Height)
	}
}

func TestFitSize(t *testing.T) {
	for _, c := range []struct{ want, screen, got fyne.Size }{
		{fyne.NewSize(1400, 860), fyne.NewSize(1024, 640), fyne.NewSize(1024, 592)},
		{fyne.NewSize(800, 600), fyne.NewSize(1920, 1080), fyne.NewSize(800, 600)},
		{fyne.NewSize(100, 100), fyne.NewSize(1920, 1080), fyne.NewSize(640, 480)}, // the usual minimum
		{fyne.NewSize(1400, 860), fyne.NewSize(600, 400), fyne.NewSize(600, 360)},  // a tiny screen wins over the minimum
		{fyne.NewSize(1400, 860), fyne.Size{}, fyne.NewSize(1400, 860)},            // screen unknown
	} {
		if got := fitSize(c.want, c.screen); got != c.got {
			t.Errorf("fitSize(%v, %v) = %v, want %v", c.want, c.screen, got, c.got)
		}
	}
}
