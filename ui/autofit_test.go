package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// The flow stays fitted when the canvas shrinks (the window fitted to a
// small screen after its first layout: the trainer's lit path ran off the
// canvas at 1024x640), until the person moves the view.
func TestFlowStaysFittedUntilTheViewIsMoved(t *testing.T) {
	h := newRunHarness(t, "http://127.0.0.1:1", binConn)
	h.app.load(callFlow(`"/json"`))
	inside := func() bool {
		size := h.app.cv.Size()
		for _, n := range h.app.ed.Flow().Nodes {
			r, ok := h.app.cv.CardRect(n.ID)
			if !ok || r.X < 0 || r.Y < 0 || r.X+r.W > size.Width || r.Y+r.H > size.Height {
				return false
			}
		}
		return true
	}
	if !inside() {
		t.Fatal("the flow is not fitted after opening it")
	}
	h.w.Resize(fyne.NewSize(700, 420))
	if !inside() {
		t.Fatalf("after the window shrank to 700x420, a card lies outside the %v canvas", h.app.cv.Size())
	}
	h.app.cv.ZoomIn()
	h.app.cv.ZoomIn()
	moved := h.app.cv.View()
	h.w.Resize(fyne.NewSize(1200, 800))
	if h.app.cv.View() != moved {
		t.Fatalf("a resize replaced the view the person zoomed to: %v, want %v", h.app.cv.View(), moved)
	}
	h.app.fitFlow()
	h.w.Resize(fyne.NewSize(650, 400))
	if !inside() {
		t.Fatal("after Fit to window the flow no longer follows the canvas's size")
	}
}

// A new flow (Ctrl+N) gives the canvas the keyboard, so Tab opens
// quick-add at once, without a click first.
func TestNewFlowFocusesTheCanvas(t *testing.T) {
	h := newRunHarness(t, "http://127.0.0.1:1", binConn)
	h.app.NewFlow()
	if got := h.w.Canvas().Focused(); got != h.app.cv {
		t.Fatalf("after New flow the focus is on %T, want the canvas", got)
	}
}
