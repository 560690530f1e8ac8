package ui

import (
	"os"
	"strings"
	"testing"
)

// Issue 13: Ctrl+1 … Ctrl+6 switch the sidebar's views and Ctrl+N opens a
// new flow.
func TestShortcutsSwitchViews(t *testing.T) {
	h := newHarness(t)
	for i, k := range viewKeys {
		if !hasView(h.app, k.view) {
			continue
		}
		h.shortcut(viewShortcut(i))
		if got := h.app.sidebar.names[h.app.sidebar.current]; got != k.view {
			t.Errorf("Ctrl+%d shows %q, want %q", i+1, got, k.view)
		}
	}
}

func TestShortcutNewFlow(t *testing.T) {
	h := newHarness(t)
	h.app.ed.Flow().Name = "before"
	h.shortcut(newFlowShortcut)
	h.queue.drain()
	if got := h.app.ed.Flow().Name; got == "before" {
		t.Fatalf("Ctrl+N left the open flow %q; want a new flow", got)
	}
}

// The README lists every shortcut the Help menu lists.
func TestShortcutsInReadme(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keyHelp {
		if !strings.Contains(string(b), k[0]) {
			t.Errorf("README.md does not list the shortcut %q (%s)", k[0], k[1])
		}
	}
}

func hasView(a *App, name string) bool {
	for _, n := range a.sidebar.names {
		if n == name {
			return true
		}
	}
	return false
}
