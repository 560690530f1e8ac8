package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/flowbench/flowbench/ui/editor"
)

// A finished call step shown in the console's detail (its request and
// response) scrolls there: it does not raise the console's least height,
// which pushed the console up and the canvas down while a run was stepped
// through (a newcomer's walk at 1024x640).
func TestConsoleDetailDoesNotGrowTheConsole(t *testing.T) {
	h := newKitHarness(t, true)
	h.w.Resize(fyne.NewSize(1024, 592))
	h.openStored("Demo: chatbot branching")
	before := h.app.console.object().MinSize().Height
	h.runOpen(`{"chatId": "c-1"}`)
	var call int = -1
	for i, s := range h.app.live.steps {
		if s.Node == "lookup" {
			call = i
		}
	}
	if call < 0 {
		t.Fatalf("the run has no lookup step: %+v", h.app.live.steps)
	}
	h.app.showStep(h.app.live.steps[call])
	h.app.console.showDetail(nil)
	if after := h.app.console.object().MinSize().Height; after > before+10 {
		t.Errorf("showing the call's response raised the console's least height from %v to %v", before, after)
	}
}

// Selecting a call (a right click on its card does) fills the properties
// panel with the call's form; its long field titles wrap there instead of
// widening the panel, which halved the canvas at 1024x640 (a newcomer's
// walk).
func TestSelectingACallKeepsTheCanvasWidth(t *testing.T) {
	h := newKitHarness(t, true)
	h.w.Resize(fyne.NewSize(1024, 592))
	h.openStored("Demo: chatbot branching")
	h.app.ed.Select(editor.Selection{Node: "lookup", Edge: -1})
	// the panel's place at 1024 px is about 290 px wide
	if need := h.app.inspector.object().MinSize().Width; need > 290 {
		t.Errorf("with the call selected the properties panel asks %v px: the split gives it that much by narrowing the canvas", need)
	}
}
