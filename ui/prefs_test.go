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
	if got := storedLayout(h.fa.Preferences()).Width; got != 1000 {
		t.Errorf("stored width %v, want 1000", got)
	}
}

// The layout is one preference: closing the window writes the file once
// (Fyne reloads it on change; a second write racing that reload logged
// "Preferences load error" at exit on a busy machine), and not at all when
// nothing moved. The keys of older versions are still read.
func TestLayoutIsOneWriteAndReadsTheOlderKeys(t *testing.T) {
	h := newHarness(t)
	p := h.fa.Preferences()
	p.SetFloat(prefSplitSide, 0.33)
	p.SetFloat(prefWidth, 1111)
	if l := storedLayout(p); l.Sidebar != 0.33 || l.Width != 1111 || l.Console != defaultSplitConsole {
		t.Fatalf("older keys read as %+v", l)
	}
	writes := 0
	p.AddChangeListener(func() { writes++ })
	h.app.saveLayout()
	if writes != 1 {
		t.Fatalf("saving the layout changed the preferences %d times, want once", writes)
	}
	h.app.saveLayout()
	if writes != 1 {
		t.Fatalf("saving an unchanged layout wrote again (%d changes)", writes)
	}
}
