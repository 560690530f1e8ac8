package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// TestNoViewGrowsTheWindow switches to every sidebar view of a window with
// the demo kit loaded (a run listed, trigger executions, mocks, requests)
// and checks that no view asks the window for more room than a small
// screen has: what does not fit scrolls (issue 13, item 3). The toolbar's
// and the canvas's widths are theirs to keep small; the sidebar must never
// be what widens the window, nor any view what makes it taller.
func TestNoViewGrowsTheWindow(t *testing.T) {
	h := newKitHarness(t, true)
	h.openStored("Demo: chatbot branching")
	h.runOpen(`{"chatId": "vip-1"}`)
	h.app.events.Raise("chat.opened", []byte(`{"chatId": "vip-2"}`))
	h.settle("the trigger executions are listed", func() bool { return len(h.app.events.list.items) > 0 })
	h.app.events.list.list.Select(0) // a long detail below the list
	screen := fyne.NewSize(1024, 640)
	const sidebarWidth = 180 // 0.17 of the 1024-px screen, the default split
	s := h.app.sidebar
	if len(s.names) != 7 {
		t.Fatalf("the sidebar has views %v, want seven", s.names)
	}
	for round := range 2 { // and back again: nothing stays grown
		for i, name := range s.names {
			s.show(i)
			if got := h.w.Content().MinSize(); got.Height >= screen.Height {
				t.Errorf("round %d, view %s: the window content asks for %v px of height, more than a %v-px screen", round, name, got.Height, screen.Height)
			}
			if got := s.object().MinSize(); got.Width > sidebarWidth || got.Height >= screen.Height {
				t.Errorf("round %d, view %s: the sidebar asks for %vx%v, more than %vx%v", round, name, got.Width, got.Height, float32(sidebarWidth), screen.Height)
			}
			if sz := h.w.Canvas().Size(); sz.Width != 1400 || sz.Height != 900 {
				t.Errorf("round %d, view %s: the window is %vx%v after it was sized 1400x900", round, name, sz.Width, sz.Height)
			}
		}
	}
	// on a small screen the views scroll down, not sideways, and the
	// Events view's list keeps a few rows
	h.w.Resize(screen)
	for i, name := range s.names {
		s.show(i)
		pane := s.views[i].(*container.Scroll)
		if need, has := pane.Content.MinSize().Width, pane.Size().Width; need > has {
			t.Errorf("at %vx%v the %s view needs %v px of width, the sidebar gives it %v", screen.Width, screen.Height, name, need, has)
		}
	}
	s.showNamed("Events")
	if got := h.app.events.list.list.Size().Height; got < listRoom {
		t.Errorf("at %vx%v the trigger executions get %v px, want at least %v", screen.Width, screen.Height, got, float32(listRoom))
	}
}
