package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// inspectorScroll finds the scroll of the properties panel.
func inspectorScroll(t *testing.T, h *harness) *container.Scroll {
	t.Helper()
	var s *container.Scroll
	walk(h.app.inspector.box, func(o fyne.CanvasObject) {
		if x, ok := o.(*container.Scroll); ok && s == nil {
			s = x
		}
	})
	if s == nil {
		t.Fatal("the properties panel has no scroll")
	}
	return s
}

// TestPropertiesPanelScrollsToTopOnSelection (issue 13, item 5): a form
// scrolled down, then another node selected: its form shows from the top,
// not blank at the old offset.
func TestPropertiesPanelScrollsToTopOnSelection(t *testing.T) {
	h := newHarness(t)
	h.w.Resize(fyne.NewSize(1000, 700))
	h.app.load(callFlow(`"/json"`))
	h.app.ed.Select(editor.Selection{Node: "call", Edge: -1})
	s := inspectorScroll(t, h)
	s.Refresh()                                                   // lays the new form out, as the next frame does
	s.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: -400}}) // the wheel, down
	if s.Offset.Y == 0 {
		t.Fatalf("the call form (%v high) cannot be scrolled down in %v: the test shows nothing", s.Content.MinSize().Height, s.Size())
	}
	h.app.ed.Select(editor.Selection{Node: "start", Edge: -1})
	if s.Offset.Y != 0 {
		t.Fatalf("the start form shows at offset %v, want the top", s.Offset.Y)
	}
	h.app.ed.Select(editor.Selection{Node: "call", Edge: -1})
	s.Refresh()
	s.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: -300}})
	h.app.ed.Select(editor.None)
	if s.Offset.Y != 0 {
		t.Fatalf("the flow form shows at offset %v, want the top", s.Offset.Y)
	}
}

// manyNodesFlow is callFlow with n more calls, named c00, c01, …
func manyNodesFlow(n int) *flow.Flow {
	f := callFlow(`"/json"`)
	f.Variables = map[string]string{"greeting": `"hi"`}
	for i := range n {
		id := "c" + string(rune('0'+i/10)) + string(rune('0'+i%10))
		f.Nodes = append(f.Nodes, flow.Node{ID: id, Kind: flow.KindCall, Position: flow.Position{X: float64(i) * 260, Y: 300},
			Call: &flow.Call{Connection: "bin", Method: "GET", URI: `"/"`}})
	}
	return f
}

// TestCompletions (issue 13, item 8): completions offer every root, each
// name once, one segment at a time so nothing is cut off, and say so when
// nothing matches.
func TestCompletions(t *testing.T) {
	h := newHarness(t)
	h.app.load(manyNodesFlow(30))
	// a test of the call found its fields, which the generic names hold too
	h.app.testCtx["call"] = map[string]any{"status": 200.0, "body": map[string]any{"tier": "vip"}}
	h.app.ed.Select(editor.Selection{Node: "call", Edge: -1})
	f := h.app.inspector.fields["call.uri"]
	if f == nil {
		t.Fatal("no call.uri field")
	}
	var menu *fyne.Menu
	f.showMenu = func(m *fyne.Menu) { menu = m }
	offered := func(text string) []string {
		t.Helper()
		menu = nil
		f.entry.SetText(text)
		f.entry.CursorRow, f.entry.CursorColumn = 0, len([]rune(text))
		f.showCompletions()
		if menu == nil {
			t.Fatalf("typing %q and asking for completions shows nothing", text)
		}
		var labels []string
		for _, it := range menu.Items {
			labels = append(labels, it.Label)
		}
		return labels
	}
	if got, want := offered(""), []string{"env", "flow", "run", "steps", "trigger", "vars"}; !slices.Equal(got, want) {
		t.Fatalf("an empty word offers %v, want the roots %v", got, want)
	}
	steps := offered("steps.")
	if len(steps) != 31 || !slices.Contains(steps, "steps.c29") || !slices.Contains(steps, "steps.call") {
		t.Fatalf("steps. offers %d names %v, want the 31 nodes with steps", len(steps), steps)
	}
	call := offered("steps.call.")
	for _, name := range call {
		if n := strings.Count(strings.Join(call, "\n")+"\n", name+"\n"); n != 1 {
			t.Fatalf("steps.call. offers %q %d times: %v", name, n, call)
		}
	}
	if !slices.Contains(call, "steps.call.body") || !slices.Contains(call, "steps.call.status") {
		t.Fatalf("steps.call. offers %v", call)
	}
	if got := offered("steps.call.body."); !slices.Equal(got, []string{"steps.call.body.tier"}) {
		t.Fatalf("steps.call.body. offers %v, want the tested field", got)
	}
	if got := offered("va"); !slices.Equal(got, []string{"vars", "vars.greeting"}) {
		t.Fatalf("va offers %v", got)
	}
	if got := offered("vars."); !slices.Equal(got, []string{"vars.greeting"}) {
		t.Fatalf("vars. offers %v", got)
	}
	got := offered("zzz")
	if len(got) != 1 || !strings.Contains(got[0], `No name starts with "zzz"`) || !menu.Items[0].Disabled {
		t.Fatalf("a word matching nothing shows %v, want one disabled line saying so", got)
	}
}

// TestEmptyDecisionHint (issue 13, smaller): an empty case of a decision
// asks for a condition with a condition's example, not a URI's.
func TestEmptyDecisionHint(t *testing.T) {
	h := newHarness(t)
	h.app.load(&flow.Flow{Name: "D", Nodes: []flow.Node{
		{ID: "ask", Kind: flow.KindDecision, Cases: []flow.Case{{Port: "yes", When: ""}}},
	}})
	h.app.ed.Select(editor.Selection{Node: "ask", Edge: -1})
	f := h.app.inspector.fields["cases[0].when"]
	if f == nil {
		t.Fatal("no field for the case's condition")
	}
	msg := f.Error()
	if !strings.Contains(msg, "A condition is required") || strings.Contains(msg, "/v1/tier") {
		t.Fatalf("an empty condition says %q", msg)
	}
	if f.entry.PlaceHolder == "" {
		t.Fatal("the empty condition has no placeholder example")
	}
}

// TestAddedHeaderCellsStartEmpty (issue 13, item 6): "+ Add" under the
// headers (and the query) makes empty cells with an example as their
// placeholder, so what is typed is what the cell holds: "X-Trace", not
// """X-Trace".
func TestAddedHeaderCellsStartEmpty(t *testing.T) {
	h := newHarness(t)
	h.app.load(callFlow(`"/json"`))
	h.app.ed.Select(editor.Selection{Node: "call", Edge: -1})
	for _, path := range []string{"call.query", "call.headers"} {
		// the Add buttons are the query's, then the headers'; the form is
		// rebuilt after each
		var adds []*widget.Button
		walk(h.app.inspector.box, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Add" {
				adds = append(adds, b)
			}
		})
		if len(adds) < 2 {
			t.Fatalf("the call form has %d Add buttons, want the query's and the headers'", len(adds))
		}
		i := map[string]int{"call.query": 0, "call.headers": 1}[path]
		test.Tap(adds[i])
		key, val := h.app.inspector.fields[path+"[0].key"], h.app.inspector.fields[path+"[0].value"]
		if key == nil || val == nil {
			t.Fatalf("no cells %s[0] after Add", path)
		}
		if key.entry.Text != "" || val.entry.Text != "" {
			t.Fatalf("%s: new cells hold %q and %q, want empty", path, key.entry.Text, val.entry.Text)
		}
		if key.entry.PlaceHolder == "" || val.entry.PlaceHolder == "" {
			t.Fatalf("%s: new cells have no placeholder hint", path)
		}
		// New cells are in Text mode (issue 14): what is typed is sent.
		if !key.TextMode() || !val.TextMode() || key.entry.PlaceHolder != "X-Trace" {
			t.Fatalf("%s: new cells: Text mode %v %v, key placeholder %q", path, key.TextMode(), val.TextMode(), key.entry.PlaceHolder)
		}
		test.Type(key.entry, `X-Trace`)
		n := h.app.ed.Flow().Node("call")
		pairs := map[string][]flow.Pair{"call.query": n.Call.Query, "call.headers": n.Call.Headers}[path]
		if len(pairs) != 1 || pairs[0].Key != `"X-Trace"` {
			t.Fatalf("%s after typing X-Trace into the new key: %+v", path, pairs)
		}
		if msg := key.Error(); msg != "" {
			t.Fatalf("%s: the typed key shows %q", path, msg)
		}
	}
}
