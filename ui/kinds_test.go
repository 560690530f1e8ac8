package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
)

// TestKindFormsComplete walks flow.Kinds: every kind has a form.
func TestKindFormsComplete(t *testing.T) {
	for _, k := range flow.Kinds {
		if kindForms[k] == nil {
			t.Errorf("kind %q has no form in kindForms", k)
		}
	}
	if len(kindForms) != len(flow.Kinds) {
		t.Errorf("%d forms for %d kinds", len(kindForms), len(flow.Kinds))
	}
}

// TestPaletteOffersEveryKindByTitle: the Add row has a button per kind,
// named by the kind's one title ("Set variables", not "Set"), with a tip
// saying what it adds.
func TestPaletteOffersEveryKindByTitle(t *testing.T) {
	h := newHarness(t)
	for _, k := range flow.Kinds {
		spec, _ := flow.Spec(k)
		b := h.tipButtonNamed(spec.Title)
		if !strings.HasPrefix(b.Tip, "Add ") || !strings.HasSuffix(b.Tip, spec.Help) {
			t.Errorf("%s: tip %q", spec.Title, b.Tip)
		}
	}
	if b := h.tipButtonNamed("Delay"); b.Tip != "Add delay: Waits for a duration, then goes on: paces a demo or a polling loop" {
		t.Errorf("Delay tip %q", b.Tip)
	}
}

// TestPaletteAddsADelayAndTheFormEditsItsDuration: the Delay button adds a
// delay node titled Delay with its default duration; its form edits the
// duration as one undoable edit, and a duration over the bound is shown
// as the node's problem naming the field.
func TestPaletteAddsADelayAndTheFormEditsItsDuration(t *testing.T) {
	h := newHarness(t)
	test.Tap(h.tipButtonNamed("Delay"))
	id := h.app.ed.Selection().Node
	n := h.app.ed.Flow().Node(id)
	if id != "delay" || n == nil || n.Kind != flow.KindDelay || n.Title != "Delay" || n.Duration != `"1s"` {
		t.Fatalf("added %q: %+v", id, n)
	}
	if got := h.app.inspector.title.Text; got != "Delay node · delay" {
		t.Errorf("inspector title %q", got)
	}
	f := h.app.inspector.fields["duration"]
	if f == nil {
		t.Fatal("the delay form has no duration field")
	}
	// "1s" is in the text shape, so it shows as text (issue 14).
	if f.entry.Text != `1s` || !f.TextMode() {
		t.Errorf("the field shows %q (Text mode %v)", f.entry.Text, f.TextMode())
	}
	if !f.setTextMode(false) || f.entry.Text != `"1s"` {
		t.Fatalf("in Expression mode the field shows %q", f.entry.Text)
	}
	f.entry.SetText(`duration("90s")`)
	if got := h.app.ed.Flow().Node("delay").Duration; got != `duration("90s")` {
		t.Fatalf("after editing, the node's duration is %q", got)
	}
	h.app.ed.Undo()
	if got := h.app.ed.Flow().Node("delay").Duration; got != `"1s"` {
		t.Fatalf("after undo, the node's duration is %q", got)
	}
	// The form is rebuilt by the undo: "1s" shows as text again.
	if f := h.app.inspector.fields["duration"]; !f.TextMode() {
		t.Fatalf("after undo the duration field is in Expression mode: %q", f.entry.Text)
	}
	h.app.inspector.fields["duration"].entry.SetText(`25h`)
	var found bool
	for _, p := range h.app.ed.NodeProblems("delay") {
		if p.Field == "duration" && p.Severity == flow.SeverityError && strings.Contains(p.Message, "longer than the 24h0m0s") {
			found = true
		}
	}
	if !found {
		t.Errorf("no problem for a 25h delay: %v", h.app.ed.NodeProblems("delay"))
	}
}

// TestAppRunsADelay: a run of a flow with a delay (on the runner's instant
// clock) lights the delay on the canvas, and the console and the run's
// record say what it waited.
func TestAppRunsADelay(t *testing.T) {
	h := newRunHarness(t, "http://127.0.0.1:1")
	h.app.load(&flow.Flow{Format: flow.Format, Name: "Paced", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart},
		{ID: "pause", Kind: flow.KindDelay, Title: "Let it sink in", Duration: `duration("10m")`, Position: flow.Position{X: 260}},
		{ID: "end", Kind: flow.KindEnd, Outcome: "done", Position: flow.Position{X: 520}},
	}, Edges: []flow.Edge{{From: "start", To: "pause"}, {From: "pause", To: "end"}}})
	h.app.Run(json.RawMessage(`{}`))
	h.settle("the run to finish", func() bool { return !h.app.Running() })
	lr := h.app.live
	if lr.run == nil || lr.run.Status != flow.StatusSucceeded || lr.run.Outcome != "done" {
		t.Fatalf("run %+v; console:\n%s", lr.run, h.consoleText())
	}
	if status, _ := h.app.cv.RunOverlay(); status["pause"] != flow.StatusSucceeded {
		t.Errorf("the delay is %q on the canvas", status["pause"])
	}
	if !strings.Contains(h.consoleText(), "waited 10m0s") {
		t.Errorf("the console does not say what the delay waited:\n%s", h.consoleText())
	}
	_, steps, err := h.db.Run(context.Background(), lr.id)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 3 || steps[1].Node != "pause" || steps[1].Kind != flow.KindDelay || steps[1].Decision != "waited 10m0s" {
		t.Errorf("recorded steps %+v", steps)
	}
}
