package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/flow"
	fbcanvas "github.com/flowbench/flowbench/ui/canvas"
)

// demoRuns records two runs of the chatbot demo (assets.FirstFlowName)
// from the Run dialog: demo-bot answered by the vip mock, then by the
// standard one.
func demoRuns(t *testing.T) (*kitHarness, *flow.Run, *flow.Run) {
	t.Helper()
	h := newKitHarness(t, true)
	f, err := assets.ExampleFlow(assets.FirstFlowName)
	if err != nil {
		t.Fatal(err)
	}
	h.openStored(f.Name)
	var runs []*flow.Run
	for _, m := range []string{"chatbot-vip", "chatbot-standard"} {
		r := h.runFromDialog(func(d *runDialog) {
			d.input.SetText(`{"chatId": "c-1"}`)
			d.mocks["demo-bot"].SetSelected(mockChoice(m))
		})
		runs = append(runs, r)
	}
	if runs[0].Outcome != "vip" || runs[1].Outcome != "standard" {
		t.Fatalf("the demo runs ended %q and %q, want vip and standard", runs[0].Outcome, runs[1].Outcome)
	}
	h.app.history.reload()
	return h, runs[0], runs[1]
}

// edgeOf is the index of the connector from → to in the open flow.
func edgeOf(t *testing.T, doc *flow.Flow, from, to string) int {
	t.Helper()
	for i, e := range doc.Edges {
		if e.From == from && e.To == to {
			return i
		}
	}
	t.Fatalf("no connector %s → %s", from, to)
	return -1
}

// Issue 17: the Runs view compares two runs of the chatbot demo that took
// different branches: both paths on the canvas, marked A, B and A+B, the
// lookup (where they part) highlighted, and the two runs' lookup steps
// side by side with their decisions and responses. Escape closes it.
func TestRunsViewComparesTwoRuns(t *testing.T) {
	h, vip, std := demoRuns(t)
	hv := h.app.history
	// select the vip run in the list, as a person does, then Compare with…
	i := -1
	for k, r := range hv.runL.items {
		if r.ID == vip.ID {
			i = k
		}
	}
	if i < 0 {
		t.Fatalf("the vip run is not listed: %d rows", len(hv.runL.items))
	}
	hv.runL.list.Select(i)
	if hv.compareB.Disabled() {
		t.Fatal("Compare with… is disabled with a run selected")
	}
	h.app.consoleSplit.SetOffset(0.8) // a short console, as at 1024x640
	test.Tap(hv.compareB)
	if hv.cmpPick == nil {
		t.Fatalf("Compare with… opened no dialog; it says:\n%s", h.overlayText())
	}
	if got := hv.cmpPick.Selected; !strings.HasPrefix(got, shortID(std.ID)) {
		t.Errorf("the dialog offers %q first, want the standard run (the other outcome) %s", got, shortID(std.ID))
	}
	test.Tap(h.overlayButton("Compare"))

	c := h.app.cv.CompareShown()
	if c == nil {
		t.Fatalf("no comparison on the canvas; console:\n%s", h.consoleText())
	}
	if c.Focus != "lookup" {
		t.Errorf("the highlighted node is %q, want lookup", c.Focus)
	}
	doc := h.app.ed.Flow()
	for _, tt := range []struct {
		from, to, label string
	}{
		{"start", "lookup", fbcanvas.MarkBoth},
		{"lookup", "vip-reply", "vip · " + fbcanvas.MarkA},
		{"lookup", "std-reply", "standard · " + fbcanvas.MarkB},
		{"vip-reply", "vip", fbcanvas.MarkA},
		{"std-reply", "standard", fbcanvas.MarkB},
		{"lookup", "default-reply", "default"},
	} {
		if got, _ := h.app.cv.EdgeMark(edgeOf(t, doc, tt.from, tt.to)); got != tt.label {
			t.Errorf("connector %s → %s reads %q, want %q", tt.from, tt.to, got, tt.label)
		}
	}
	if col, w, _ := h.app.cv.CardBorder("lookup"); w != 5 || col != theme.Color(theme.ColorNameWarning) {
		t.Errorf("lookup's border is %v at %v, want the warning colour at 5", col, w)
	}

	p := h.app.cmp
	if !p.panel.Visible() {
		t.Fatal("the comparison panel is hidden")
	}
	// the two responses get half the height, and the canvas the other half
	if off := h.app.consoleSplit.Offset; off != compareOffset {
		t.Errorf("while comparing, the console split is at %v, want %v", off, compareOffset)
	}
	if got, room := h.app.cv.Size().Height, h.w.Canvas().Size().Height; got < room/3 {
		t.Errorf("while comparing, the canvas is %v px tall in a %v-px window", got, room)
	}
	if s := p.summary.Text; !strings.Contains(s, "lookup") || !strings.Contains(s, `A took "vip"`) || !strings.Contains(s, `B took "standard"`) {
		t.Errorf("the panel says %q, want where the runs part", s)
	}
	for k, want := range []string{"vip", "standard"} {
		side := p.sides[k]
		if side.step == nil || side.step.Node != "lookup" || side.step.Port != want {
			t.Fatalf("side %d shows step %+v, want lookup taking %s", k, side.step, want)
		}
		if !strings.Contains(side.decision.Text, want) {
			t.Errorf("side %d's decision reads %q, want the %s branch in words", k, side.decision.Text, want)
		}
		if side.view.x == nil || !strings.Contains(side.view.x.ResponseBody, `"`+want+`"`) || !side.view.tabs.Visible() {
			t.Errorf("side %d's response view does not show the %s mock's answer: %+v", k, want, side.view.x)
		}
	}

	h.pressEscape()
	if h.app.cv.CompareShown() != nil || p.panel.Visible() {
		t.Fatal("Escape did not close the comparison")
	}
	if off := h.app.consoleSplit.Offset; off != 0.8 {
		t.Errorf("after the comparison the console split is at %v, want it back at 0.8", off)
	}

	// opening one run from the list ends the comparison, its path alone lit
	if err := h.app.CompareRuns(vip.ID, std.ID); err != nil {
		t.Fatal(err)
	}
	h.app.OpenRun(std.ID)
	if h.app.cv.CompareShown() != nil || p.panel.Visible() {
		t.Fatal("opening a run left the comparison shown")
	}
	if label, _ := h.app.cv.EdgeMark(edgeOf(t, doc, "lookup", "std-reply")); label != "standard" {
		t.Errorf("after closing, lookup → std-reply reads %q", label)
	}

	// the Close button, and a run started, end it too
	if err := h.app.CompareRuns(std.ID, vip.ID); err != nil {
		t.Fatal(err)
	}
	if c := h.app.cv.CompareShown(); c == nil || c.Focus != "lookup" {
		t.Fatalf("the comparison B→A shows %+v", c)
	}
	test.Tap(p.closeB)
	if h.app.cv.CompareShown() != nil || p.panel.Visible() {
		t.Fatal("Close did not close the comparison")
	}
	if err := h.app.CompareRuns(std.ID, vip.ID); err != nil {
		t.Fatal(err)
	}
	h.runOpen(`{"chatId": "c-2"}`)
	if h.app.cv.CompareShown() != nil || p.panel.Visible() {
		t.Fatal("a run started while the comparison was shown left it on the canvas")
	}
}

// A run of an older version is compared on that version's flow (RunFlow),
// over the editor's canvas, which keeps the open document untouched; runs
// of two flows are refused, naming both.
func TestCompareShowsTheVersionTheRunRan(t *testing.T) {
	h, vip, std := demoRuns(t)
	// a new version: lookup → default-reply moved to a new node
	if err := h.app.ed.Edit("Change", func(f *flow.Flow) error {
		f.Nodes = append(f.Nodes, flow.Node{ID: "triage", Kind: flow.KindSet, Position: flow.Position{X: 560, Y: 520},
			Assign: []flow.Assignment{{Name: "reply", Value: `"?"`}}})
		for i := range f.Edges {
			if f.Edges[i].From == "lookup" && f.Edges[i].To == "default-reply" {
				f.Edges[i].To = "triage"
			}
		}
		f.Edges = append(f.Edges, flow.Edge{From: "triage", To: "default"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := h.app.Save(); err != nil {
		t.Fatal(err)
	}
	if h.app.flowVersion == vip.FlowVersion {
		t.Fatalf("saving made no new version (%d)", h.app.flowVersion)
	}
	if err := h.app.CompareRuns(vip.ID, std.ID); err != nil {
		t.Fatal(err)
	}
	p := h.app.cmp
	if h.app.cv.CompareShown() != nil {
		t.Error("the editor's canvas, holding another version, shows the comparison")
	}
	if p.own == nil || !p.cover.Visible() {
		t.Fatal("no canvas of the run's version is shown")
	}
	if c := p.own.CompareShown(); c == nil || c.Focus != "lookup" {
		t.Fatalf("the run's version shows %+v", c)
	}
	size := p.own.Size()
	for _, n := range p.own.Editor().Flow().Nodes {
		r, ok := p.own.CardRect(n.ID)
		if !ok || r.X < 0 || r.Y < 0 || r.X+r.W > size.Width || r.Y+r.H > size.Height {
			t.Errorf("card %s (%v) is not wholly on the run's version's %v canvas", n.ID, r, size)
		}
	}
	if p.own.Editor().Flow().Node("triage") != nil {
		t.Error("the comparison draws the new version, not the one the runs ran")
	}
	if !strings.Contains(p.note.Text, "version") {
		t.Errorf("the note over it reads %q", p.note.Text)
	}
	if h.app.ed.Flow().Node("triage") == nil {
		t.Error("the editor's document lost the new version's node")
	}
	h.pressEscape()
	if p.cover.Visible() || p.own != nil {
		t.Fatal("Escape left the run's version over the canvas")
	}

	// a run of another flow
	h.openStored("Demo: notify customer")
	other := h.runOpen(`{}`)
	err := h.app.CompareRuns(vip.ID, other.ID)
	if err == nil || !strings.Contains(err.Error(), "different flows") {
		t.Fatalf("comparing runs of two flows: %v", err)
	}
}

// View > Compare runs… compares the open flow's newest run with the newest
// one that ended otherwise, from any view, nothing selected first.
func TestViewMenuComparesTheNewestRuns(t *testing.T) {
	h, vip, std := demoRuns(t)
	h.app.sidebar.showNamed("Flows")
	h.app.compareRunsDialog()
	hv := h.app.history
	if hv.cmpPick == nil {
		t.Fatalf("Compare runs… opened no dialog; it says:\n%s", h.overlayText())
	}
	if hv.selected == nil || hv.selected.ID != std.ID {
		t.Fatalf("run A is %+v, want the newest run %s", hv.selected, std.ID)
	}
	if !strings.HasPrefix(hv.cmpPick.Selected, shortID(vip.ID)) {
		t.Errorf("B is %q, want the vip run %s (it ended otherwise)", hv.cmpPick.Selected, shortID(vip.ID))
	}
	test.Tap(h.overlayButton("Compare"))
	if h.app.cv.CompareShown() == nil || !h.app.cmp.panel.Visible() {
		t.Fatal("Compare showed no comparison")
	}
}

// Two responses side by side, a failure's long status line among them,
// never widen the window past a 1024-px screen (the real window grew to
// 1144 px).
func TestComparisonFitsASmallScreen(t *testing.T) {
	h := newKitHarness(t, true)
	h.openStored("Demo: chatbot branching")
	var runs []*flow.Run
	for _, m := range []string{"chatbot-unknown", "chatbot-failing"} {
		runs = append(runs, h.runFromDialog(func(d *runDialog) {
			d.input.SetText(`{"chatId": "c-1"}`)
			d.mocks["demo-bot"].SetSelected(mockChoice(m))
		}))
	}
	if err := h.app.CompareRuns(runs[1].ID, runs[0].ID); err != nil {
		t.Fatal(err)
	}
	if !h.app.cmp.panel.Visible() || h.app.cmp.sides[0].view.x == nil || h.app.cmp.sides[0].view.x.Status < 500 {
		t.Fatalf("the comparison does not show the failing run's response: %+v", h.app.cmp.sides[0].view.x)
	}
	if min := h.w.Content().MinSize(); min.Width > 1000 {
		t.Errorf("comparing a failed run needs a %v-px wide window; a 1024-px screen has no room", min.Width)
	}
}
