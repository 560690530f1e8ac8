package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

func TestThemeAndLayoutPersist(t *testing.T) {
	h := newHarness(t)
	h.app.SetTheme(themeDark)
	h.app.sideSplit.SetOffset(0.3)
	h.w.Resize(fyne.NewSize(1000, 700))
	h.app.saveLayout()
	h.open()
	if got := h.app.themeChoice(); got != themeDark {
		t.Errorf("theme %q after relaunch, want %q", got, themeDark)
	}
	if got := h.app.bar.themeSel.Selected; got != themeDark {
		t.Errorf("the theme picker shows %q", got)
	}
	if got := h.app.sideSplit.Offset; got < 0.29 || got > 0.31 {
		t.Errorf("sidebar split %v after relaunch, want 0.3", got)
	}
	if got := h.fa.Preferences().Float(prefWidth); got != 1000 {
		t.Errorf("stored width %v, want 1000", got)
	}
}
