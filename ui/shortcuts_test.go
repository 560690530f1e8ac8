package ui

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/flowbench/flowbench/flow"
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

// Issue 13 (smaller): File > Quit with unsaved edits exited at once,
// without asking and without the window's end of session. The menu's Quit
// is now the app's own, the one the close button uses: it asks when the
// edits would be lost and keeps the app running until answered.
func TestQuitAsksBeforeLosingEdits(t *testing.T) {
	h := newHarness(t)
	h.app.NewFlow()
	if _, err := h.app.ed.AddNode("start", flow.Position{}); err != nil {
		t.Fatal(err)
	}
	var quit *fyne.MenuItem
	for _, it := range h.app.mainMenu().Items[0].Items {
		if it.IsQuit {
			quit = it
		}
	}
	if quit == nil || quit.Action == nil {
		t.Fatal("the File menu has no Quit of the app's own; Fyne would add one that quits at once")
	}
	quit.Action()
	h.queue.drain()
	if got := h.overlayText(); !strings.Contains(got, "unsaved edits") {
		t.Fatalf("Quit with an unsaved new flow showed %q; want a question about the unsaved edits", got)
	}
}

// Issue 13 (smaller): on a short screen the six view buttons took 240 px
// and left a view's list one row. Below the buttons' height plus a usable
// view, a one-row picker stands in for them.
func TestSidebarPickerOnShortScreens(t *testing.T) {
	h := newHarness(t)
	s := h.app.sidebar
	s.box.Resize(fyne.NewSize(220, 1000))
	if !s.buttonsBox.Visible() || s.picker.Visible() {
		t.Fatalf("at 1000 px high: buttons visible %v, picker visible %v; want the buttons", s.buttonsBox.Visible(), s.picker.Visible())
	}
	s.box.Resize(fyne.NewSize(220, 420))
	if s.buttonsBox.Visible() || !s.picker.Visible() {
		t.Fatalf("at 420 px high: buttons visible %v, picker visible %v; want the picker", s.buttonsBox.Visible(), s.picker.Visible())
	}
	if got := s.content.Position().Y; got > 60 {
		t.Fatalf("with the picker the view starts %v px down; want it just below the picker", got)
	}
	s.picker.SetSelected("Connections")
	if got := s.names[s.current]; got != "Connections" {
		t.Fatalf("picking Connections shows %q", got)
	}
	h.shortcut(viewShortcut(0))
	if s.picker.Selected != "Flows" {
		t.Fatalf("Ctrl+1 showed Flows but the picker says %q", s.picker.Selected)
	}
}
