package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
)

// finishedSteps counts the followed run's steps that have ended.
func (h *kitHarness) finishedSteps() int {
	n := 0
	if h.app.live != nil {
		for _, s := range h.app.live.steps {
			if s.Status != flow.StatusRunning {
				n++
			}
		}
	}
	return n
}

// startPausedRun runs the demo's VIP branch from the Run dialog with
// "Pause before each step" on.
func (h *kitHarness) startPausedRun(every bool) {
	h.t.Helper()
	h.openStored("Demo: chatbot branching")
	h.app.runInteractive()
	d := h.app.runDlg
	d.input.SetText(`{"chatId": "c-1"}`)
	d.mocks["demo-bot"].SetSelected(mockChoice("chatbot-vip"))
	d.every.SetChecked(every)
	test.Tap(h.overlayButton("Run"))
}

// Issue 17: step-through pauses before each node; Next (Space, →, the
// bar's button) advances exactly one step.
func TestStepThroughPausesBeforeEachNode(t *testing.T) {
	h := newKitHarness(t, true)
	h.startPausedRun(true)
	want := []string{"start", "lookup", "vip-reply", "vip"}
	keys := []fyne.KeyName{fyne.KeySpace, fyne.KeyRight, fyne.KeySpace, fyne.KeyRight}
	var seen []string
	for i, node := range want {
		// the steps' events reach the window in batches: wait for them too
		h.settle("the pause before "+node, func() bool {
			return h.app.step.at != nil && h.app.step.at.Node == node && h.finishedSteps() == i
		})
		seen = append(seen, node)
		if !h.app.step.bar.Visible() {
			t.Fatal("the step bar is hidden while the run waits")
		}
		if status, _ := h.app.cv.RunOverlay(); status[node] != flow.StatusRunning {
			t.Errorf("the card of %s shows %s while the run waits before it, want running", node, status[node])
		}
		if got := h.app.cv.Paused(); got != node {
			t.Errorf("the pulsing card is %q while the run waits before %s", got, node)
		}
		if !h.app.runKey(&fyne.KeyEvent{Name: keys[i]}) {
			t.Fatalf("%s did not take the paused run on", keys[i])
		}
	}
	h.settle("the run to finish", func() bool { return !h.app.Running() })
	if run := h.app.live.run; run == nil || run.Status != flow.StatusSucceeded || run.Outcome != "vip" {
		t.Fatalf("the stepped run ended %+v; console:\n%s", run, h.consoleText())
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("paused before %v, want %v", seen, want)
	}
	if h.app.step.bar.Visible() {
		t.Fatal("the step bar stays after the run")
	}
	if got := h.app.cv.Paused(); got != "" {
		t.Fatalf("the card of %s still pulses after the run", got)
	}
	// with nothing paused, Space belongs to the canvas again
	if h.app.runKey(&fyne.KeyEvent{Name: fyne.KeySpace}) {
		t.Fatal("Space was taken with no run paused")
	}
}

// Stop while paused ends the run as stopped, at the node it waited before.
func TestStopWhilePausedEndsTheRunStopped(t *testing.T) {
	h := newKitHarness(t, true)
	h.startPausedRun(true)
	h.settle("the pause before start", func() bool { return h.app.step.at != nil && h.app.step.at.Node == "start" })
	h.app.step.next()
	h.settle("the pause before lookup", func() bool { return h.app.step.at != nil && h.app.step.at.Node == "lookup" })
	h.app.StopRun()
	h.settle("the run to end", func() bool { return !h.app.Running() && h.app.live.run != nil })
	if run := h.app.live.run; run.Status != flow.StatusStopped || run.Error != `the run was stopped at node "lookup"` {
		t.Fatalf("run %s %q, want stopped at lookup", run.Status, run.Error)
	}
	h.settle("the pulse to stop", func() bool { return h.app.cv.Paused() == "" })
}

// A breakpoint from a card's menu pauses a run there alone; Continue runs
// on to the end.
func TestBreakpointPausesThereAndContinueFinishes(t *testing.T) {
	h := newKitHarness(t, true)
	h.openStored("Demo: chatbot branching")
	items := h.app.step.nodeMenu("lookup")
	if len(items) != 1 || items[0].Label != "Pause the run here (breakpoint)" {
		t.Fatalf("the card menu's breakpoint item: %+v", items)
	}
	items[0].Action()
	if !h.app.cv.Breakpoints()["lookup"] {
		t.Error("the card with a breakpoint is not marked on the canvas")
	}
	h.startPausedRun(false)
	h.settle("the pause at the breakpoint", func() bool { return h.app.step.at != nil && h.finishedSteps() >= 1 })
	if at := h.app.step.at; at.Node != "lookup" || h.finishedSteps() != 1 {
		t.Fatalf("paused before %s with %d steps finished, want lookup after 1", at.Node, h.finishedSteps())
	}
	h.app.step.cont()
	h.settle("the run to finish", func() bool { return !h.app.Running() })
	if run := h.app.live.run; run.Status != flow.StatusSucceeded {
		t.Fatalf("after Continue the run ended %s: %s", run.Status, run.Error)
	}
	if label := h.app.step.nodeMenu("lookup")[0].Label; label != "Remove the breakpoint" {
		t.Fatalf("the breakpoint's menu item then reads %q", label)
	}
}

// F5 while a run waits continues it to its end, as in a debugger, instead
// of starting another run.
func TestF5ContinuesAPausedRun(t *testing.T) {
	h := newKitHarness(t, true)
	h.startPausedRun(true)
	h.settle("the pause before start", func() bool { return h.app.step.at != nil && h.app.step.at.Node == "start" })
	first := h.app.live.id
	if !h.app.runKey(&fyne.KeyEvent{Name: fyne.KeyF5}) {
		t.Fatal("F5 was not taken while the run waited")
	}
	h.settle("the run to finish", func() bool { return !h.app.Running() && h.app.live.run != nil })
	if h.app.live.id != first {
		t.Fatalf("F5 while paused started run %s instead of continuing %s", h.app.live.id, first)
	}
	if run := h.app.live.run; run.Status != flow.StatusSucceeded || run.Outcome != "vip" || h.finishedSteps() != 4 {
		t.Fatalf("after F5 the run ended %s %q with %d steps", run.Status, run.Outcome, h.finishedSteps())
	}
}
