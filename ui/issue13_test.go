package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// okServer answers every request 200 with an empty JSON object.
func okServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runOnce runs the open flow and waits for the end of the run.
func (h *runHarness) runOnce() *liveRun {
	h.t.Helper()
	h.app.Run(json.RawMessage(`{}`))
	h.settle("the run to finish", func() bool { return !h.app.Running() && h.app.live != nil && h.app.live.run != nil })
	return h.app.live
}

// TestRunStateOnlyOnTheFlowThatRan (issue 13, item 1): a run of one flow
// lights nothing on another flow opened after it, on a new flow, or on a
// later version of its own flow.
func TestRunStateOnlyOnTheFlowThatRan(t *testing.T) {
	h := newRunHarness(t, okServer(t).URL, binConn)
	h.app.load(callFlow(`"/json"`))
	if err := h.app.Save(); err != nil {
		t.Fatal(err)
	}
	lr := h.runOnce()
	if status, lit := h.app.cv.RunOverlay(); status["start"] != flow.StatusSucceeded || len(lit) != 2 {
		t.Fatalf("the run did not light its own flow: %v %v\n%s", status, lit, h.consoleText())
	}
	ran := h.app.flowID

	other := callFlow(`"/other"`)
	other.Name = "Never run"
	if _, err := h.db.SaveFlow(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if err := h.app.Open(other.ID); err != nil {
		t.Fatal(err)
	}
	if status, lit := h.app.cv.RunOverlay(); len(status) != 0 || len(lit) != 0 {
		t.Fatalf("a flow never run shows run state: %v %v", status, lit)
	}

	h.app.NewFlow()
	h.app.AddNode(flow.KindStart)
	if status, lit := h.app.cv.RunOverlay(); len(status) != 0 || len(lit) != 0 {
		t.Fatalf("a new flow shows run state: %v %v", status, lit)
	}

	// a later version of the flow that ran: its path is listed, not lit
	if err := h.app.Open(ran); err != nil {
		t.Fatal(err)
	}
	if err := h.app.ed.Edit("Rename flow", func(f *flow.Flow) error { f.Name = "Call v2"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := h.app.Save(); err != nil {
		t.Fatal(err)
	}
	h.app.OpenRun(lr.id)
	if status, lit := h.app.cv.RunOverlay(); len(status) != 0 || len(lit) != 0 {
		t.Fatalf("a run of version 1 lit version 2: %v %v", status, lit)
	}
	if text := h.consoleText(); !strings.Contains(text, "ran version 1 of \"Call\" and version 2 is open") {
		t.Fatalf("the console does not say why the path is not lit:\n%s", text)
	}
}

// TestAddRowPlacesNodesApart (issue 13, item 10): nodes added from the Add
// row, one after the other, never land on another card.
func TestAddRowPlacesNodesApart(t *testing.T) {
	h := newHarness(t)
	h.app.load(callFlow(`"/json"`))
	for _, k := range []flow.NodeKind{flow.KindCall, flow.KindDecision, flow.KindSet, flow.KindEmit, flow.KindEnd, flow.KindCall} {
		h.app.AddNode(k)
	}
	doc := h.app.ed.Flow()
	// the last one added is in view
	last := doc.Nodes[len(doc.Nodes)-1]
	tl := h.app.cv.View().ToScreen(last.Position)
	if size := h.app.cv.Size(); tl.X < 0 || tl.Y < 0 || tl.X+200*h.app.cv.Zoom() > size.Width || tl.Y > size.Height {
		t.Errorf("the last node added, %s, is at %v, outside the %v canvas", last.ID, tl, size)
	}
	for i := range doc.Nodes {
		for j := i + 1; j < len(doc.Nodes); j++ {
			a, b := doc.Nodes[i].Position, doc.Nodes[j].Position
			// cards are 200 wide and at most 52 + 20 per port + 6 tall
			if a.X < b.X+200 && b.X < a.X+200 && a.Y < b.Y+100 && b.Y < a.Y+100 {
				t.Errorf("cards %s at %v and %s at %v overlap", doc.Nodes[i].ID, a, doc.Nodes[j].ID, b)
			}
		}
	}
}

// TestConsoleRowsAreOneLine (issue 13, item 7): a message of several lines
// shows its first line in its row, so it cannot print over the next row;
// selecting the row shows the whole text beside the list.
func TestConsoleRowsAreOneLine(t *testing.T) {
	h := newHarness(t)
	c := h.app.console
	c.logError("Run of \"X\" could not start: two problems:\nnode a: no URI\nnode b: no connection")
	id := len(c.problems) + len(c.logs) - 1
	row := c.list.CreateItem()
	c.list.UpdateItem(id, row)
	var label *widget.Label
	walk(row, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			label = l
		}
	})
	if label == nil || strings.Contains(label.Text, "\n") || !strings.HasSuffix(label.Text, "two problems: …") {
		t.Fatalf("the row shows %q, want the first line and an ellipsis", label.Text)
	}
	if h := label.MinSize().Height; h > row.MinSize().Height {
		t.Fatalf("the row's text is %v high, more than its row", h)
	}
	c.list.Select(id)
	if !c.messageScroll.Visible() || c.detail.Visible() || !strings.Contains(c.message.Text, "node b: no connection") {
		t.Fatalf("selecting the row shows %q (visible %v) instead of the whole message", c.message.Text, c.messageScroll.Visible())
	}
}

// TestConsoleHeaderCounts (issue 13, smaller): "1 error", not "1 errors".
func TestConsoleHeaderCounts(t *testing.T) {
	h := newHarness(t)
	c := h.app.console
	tests := []struct {
		ps   flow.Problems
		want string
	}{
		{flow.Problems{{Severity: flow.SeverityError, Message: "a"}}, "Console — 1 error (tap one to select its node)"},
		{flow.Problems{{Severity: flow.SeverityError, Message: "a"}, {Severity: flow.SeverityError, Message: "b"}, {Severity: flow.SeverityWarning, Message: "c"}},
			"Console — 2 errors, 1 warning (tap one to select its node)"},
		{flow.Problems{{Severity: flow.SeverityWarning, Message: "c"}, {Severity: flow.SeverityWarning, Message: "d"}}, "Console — 2 warnings (tap one to select its node)"},
		{nil, "Console — no problems"},
	}
	for _, tt := range tests {
		c.setProblems(tt.ps)
		if c.header.Text != tt.want {
			t.Errorf("header %q, want %q", c.header.Text, tt.want)
		}
	}
}

// TestConsoleDividerStays (issue 13, item 14): a failed step with long
// lines (its URL, its error) shown beside the console does not move the
// console's divider.
func TestConsoleDividerStays(t *testing.T) {
	h := newHarness(t)
	h.w.Resize(fyne.NewSize(1400, 860))
	c := h.app.console
	before := c.list.Size().Width
	if before < 300 {
		t.Fatalf("the console list is %v wide before the test", before)
	}
	long := "https://api.example.com/v1/" + strings.Repeat("segment/", 60)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &flow.Step{RunID: "test", Seq: 1, Node: "call", Kind: flow.KindCall, Status: flow.StatusFailed, StartedAt: at,
		Error:     "GET " + long + " failed: dial tcp 127.0.0.1:1: connect: connection refused",
		Exchanges: []flow.Exchange{{Attempt: 1, Method: "GET", URL: long, Error: "connection refused " + long}}}
	h.app.console.push(stepLine(s))
	h.app.console.commit()
	h.app.showStep(s)
	h.w.Resize(fyne.NewSize(1400, 861)) // lay the window out again
	if after := c.list.Size().Width; after != before {
		t.Fatalf("the console list was %v wide and is %v after a failed test: the divider moved", before, after)
	}
}

// TestConsoleDetailFollowsTheNewRun (issue 13, item 13): with a step of one
// run selected, a new run's steps take the detail: it shows the newest
// run's step, not the previous run's.
func TestConsoleDetailFollowsTheNewRun(t *testing.T) {
	h := newRunHarness(t, okServer(t).URL, binConn)
	h.app.load(callFlow(`"/json"`))
	first := h.runOnce()
	// the person selects the first run's call step
	c := h.app.console
	for i, l := range c.logs {
		if l.step != nil && l.step.RunID == first.id && l.step.Node == "call" {
			c.list.Select(len(c.problems) + i)
		}
	}
	if s := h.app.pane.step; s == nil || s.RunID != first.id || s.Node != "call" {
		t.Fatalf("selecting the first run's call shows %+v", s)
	}
	second := h.runOnce()
	if second.id == first.id {
		t.Fatal("the second run has the first one's id")
	}
	s := h.app.pane.step
	if s == nil || s.RunID != second.id {
		t.Fatalf("after a new run the detail shows %+v, want a step of run %s", s, second.id)
	}
	if s.Node != "end" || s.Status != flow.StatusSucceeded {
		t.Fatalf("after a new run the detail shows step %s (%s), want its newest, end, finished", s.Node, s.Status)
	}
}
