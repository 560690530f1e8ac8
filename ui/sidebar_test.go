package ui

import (
	"testing"

	"fyne.io/fyne/v2"
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
	if len(s.names) != 6 {
		t.Fatalf("the sidebar has views %v, want six", s.names)
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
}

// TestUniqueNameIsOneRule: every new or copied name follows one rule, the
// base while it is free, then the base numbered from 2 with the separator
// its grammar allows.
func TestUniqueNameIsOneRule(t *testing.T) {
	set := func(names ...string) func(string) bool {
		return func(s string) bool {
			for _, n := range names {
				if n == s {
					return true
				}
			}
			return false
		}
	}
	for _, c := range []struct {
		base, sep string
		taken     []string
		want      string
	}{
		{"connection", nameSep, nil, "connection"},
		{"connection", nameSep, []string{"connection"}, "connection 2"},
		{"connection", nameSep, []string{"connection", "connection 2", "connection 4"}, "connection 3"},
		{"mock", urlSep, []string{"mock"}, "mock-2"},
		{"call", idSep, []string{"call", "call2"}, "call3"},
	} {
		if got := uniqueName(c.base, c.sep, set(c.taken...)); got != c.want {
			t.Errorf("uniqueName(%q, %q, %v) = %q, want %q", c.base, c.sep, c.taken, got, c.want)
		}
	}
	if got := copyName("crm", nameSep, set("crm copy")); got != "crm copy 2" {
		t.Errorf("copy of crm beside crm copy: %q, want %q", got, "crm copy 2")
	}
	if got := copyName("chatbot", urlSep, set()); got != "chatbot-copy" {
		t.Errorf("copy of mock chatbot: %q, want %q", got, "chatbot-copy")
	}
}
