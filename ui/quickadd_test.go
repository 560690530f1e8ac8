package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
	fbcanvas "github.com/flowbench/flowbench/ui/canvas"
)

// quickEntryShown finds the search line of the open quick-add popup.
func (h *harness) quickEntryShown() *quickEntry {
	h.t.Helper()
	var found *quickEntry
	for _, o := range h.w.Canvas().Overlays().List() {
		walk(o, func(x fyne.CanvasObject) {
			if e, ok := x.(*quickEntry); ok && o.Visible() {
				found = e
			}
		})
	}
	if found == nil {
		h.t.Fatal("no quick-add popup shown")
	}
	return found
}

// quickPick types text into the open quick-add popup and presses Enter.
func (h *harness) quickPick(text string) {
	h.t.Helper()
	e := h.quickEntryShown()
	if text != "" {
		test.Type(e, text)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

func typeKey(c *fbcanvas.Canvas, k fyne.KeyName) { c.TypedKey(&fyne.KeyEvent{Name: k}) }

// TestBuildFiveNodeFlowQuickly builds the five-node flow of issue 15
// (start, call, decision, set, end, each after the one before) in a new
// flow with quick-add only, counting the person's actions: a key, a typed
// word, a drag or a click is one.
func TestBuildFiveNodeFlowQuickly(t *testing.T) {
	h := newHarness(t)
	h.app.NewFlow()
	cv := h.app.cv
	h.w.Canvas().Focus(cv)
	actions := 0
	step := func(key bool, text string) {
		if key {
			typeKey(cv, fyne.KeyTab)
			actions++
		}
		if text != "" {
			actions++
		}
		h.quickPick(text)
		actions++ // Enter
	}
	step(true, "")  // Start: the first choice of an empty flow
	step(true, "")  // Call: the first choice after a node (a start cannot follow one)
	step(true, "d") // Decision
	step(true, "s") // Set variables
	step(true, "en")
	h.shortcut(fbcanvas.TidyShortcut)
	actions++
	f := h.app.ed.Flow()
	var kinds []flow.NodeKind
	for _, n := range f.Nodes {
		kinds = append(kinds, n.Kind)
	}
	if want := []flow.NodeKind{flow.KindStart, flow.KindCall, flow.KindDecision, flow.KindSet, flow.KindEnd}; !slices.Equal(kinds, want) {
		t.Fatalf("built %v, want %v", kinds, want)
	}
	want := []flow.Edge{{From: "start", To: "call"}, {From: "call", To: "decision"}, {From: "decision", Port: f.Node("decision").Ports()[0], To: "set"}, {From: "set", To: "end"}}
	if !slices.Equal(f.Edges, want) {
		t.Fatalf("edges %+v, want %+v", f.Edges, want)
	}
	for i := 1; i < len(f.Nodes); i++ {
		if f.Nodes[i].Position.X <= f.Nodes[i-1].Position.X {
			t.Fatalf("after tidy %s is not right of %s", f.Nodes[i].ID, f.Nodes[i-1].ID)
		}
	}
	t.Logf("five nodes connected and tidied in %d actions", actions)
	if actions >= 15 {
		t.Fatalf("%d actions, the goal is under 15", actions)
	}
	// each addition is one undo step
	for i := 0; i < 6; i++ {
		h.app.Undo()
	}
	if len(h.app.ed.Flow().Nodes) != 0 || h.app.ed.CanUndo() {
		t.Fatalf("six undos leave %d nodes", len(h.app.ed.Flow().Nodes))
	}
}

func TestQuickAddFiltersAndArrows(t *testing.T) {
	h := newHarness(t)
	h.app.NewFlow()
	h.app.cv.OpenQuickAdd()
	e := h.quickEntryShown()
	test.Type(e, "chat")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(h.app.ed.Flow().Nodes) != 0 {
		t.Fatal("Escape added a node")
	}
	h.app.cv.OpenQuickAdd()
	e = h.quickEntryShown()
	test.Type(e, "e") // Emit, End, then the rest whose words hold an e
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	f := h.app.ed.Flow()
	if len(f.Nodes) != 1 || f.Nodes[0].Kind != flow.KindEnd {
		t.Fatalf("Down then Enter added %+v, want the second choice, end", f.Nodes)
	}
}

func TestFilterQuick(t *testing.T) {
	h := newHarness(t)
	items := h.app.quickItems()
	var labels []string
	for _, it := range filterQuick(items, "chat") {
		labels = append(labels, it.label)
	}
	if len(labels) == 0 || labels[0] != "Chatbot call" {
		t.Fatalf("chat: %v", labels)
	}
	if got := filterQuick(items, "zzz"); len(got) != 0 {
		t.Fatalf("zzz: %d", len(got))
	}
	if got := filterQuick(items, ""); len(got) != len(items) {
		t.Fatal("an empty query hides choices")
	}
	for _, k := range flow.Kinds { // every kind is offered, from flow.Kinds
		if !slices.ContainsFunc(items, func(it quickItem) bool { return it.node.Kind == k }) {
			t.Errorf("kind %s is not offered", k)
		}
	}
}

func TestNamedRequestsInQuickAdd(t *testing.T) {
	h := newHarness(t)
	h.app.conns = []flow.Connection{{Name: "crm", Requests: []flow.NamedRequest{{Name: "lookupTier", Params: []string{"chatId"}, Branches: []string{"vip"}}}}}
	h.app.NewFlow()
	h.app.cv.OpenQuickAdd()
	h.quickPick("lookupTier")
	n := h.app.ed.Flow().Nodes[0]
	if n.Kind != flow.KindCall || n.Call.Connection != "crm" || n.Call.Request != "lookupTier" || n.Call.Args["chatId"] != `""` || !slices.Equal(n.Call.Branches, []string{"vip"}) {
		t.Fatalf("added %+v %+v", n, n.Call)
	}
}

func TestRenameFromTheMenu(t *testing.T) {
	h := newHarness(t)
	h.app.NewFlow()
	h.app.AddNode(flow.KindStart)
	h.app.AddNode(flow.KindSet)
	h.app.ed.Edit("ref", func(f *flow.Flow) error {
		f.Node("set").Assign = []flow.Assignment{{Name: "x", Value: "steps.start.status"}}
		return nil
	})
	h.app.renameNodeInteractive("set")
	var line *dialogEntry
	walk(h.w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if e, ok := o.(*dialogEntry); ok {
			line = e
		}
	})
	line.SetText("start")
	test.Tap(h.overlayButton("Rename"))
	if !strings.Contains(h.overlayText(), `the flow already has a node "start"; choose another id`) {
		t.Fatalf("a taken id: %q", h.overlayText())
	}
	h.w.Canvas().Overlays().Top().Hide()
	h.app.renameNodeInteractive("start")
	walk(h.w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if e, ok := o.(*dialogEntry); ok {
			line = e
		}
	})
	line.SetText("begin")
	test.Tap(h.overlayButton("Rename"))
	f := h.app.ed.Flow()
	if f.Node("begin") == nil || f.Node("set").Assign[0].Value != "steps.begin.status" {
		t.Fatalf("after rename: %+v", f.Nodes)
	}
}

func TestImportWithoutPositionsOffersTidy(t *testing.T) {
	h := newHarness(t)
	data := []byte(`{"format": "flowbench/v1", "name": "No positions", "nodes": [
		{"id": "start", "kind": "start", "trigger": {"type": "manual"}},
		{"id": "a", "kind": "set", "assign": [{"name": "x", "value": "1"}]},
		{"id": "done", "kind": "end"}],
		"edges": [{"from": "start", "to": "a"}, {"from": "a", "to": "done"}]}`)
	if err := h.app.ImportFlow(data); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.overlayText(), "no positions") {
		t.Fatalf("no tidy offered: %q", h.overlayText())
	}
	test.Tap(h.overlayButton("Tidy"))
	f := h.app.ed.Flow()
	if !(f.Node("start").Position.X < f.Node("a").Position.X && f.Node("a").Position.X < f.Node("done").Position.X) {
		t.Fatalf("not laid out: %+v", f.Nodes)
	}
	if needsTidy(f) {
		t.Fatal("still needs tidy")
	}
}

func TestCanvasShortcutsOnTheWindow(t *testing.T) {
	h := newHarness(t)
	h.app.NewFlow()
	h.app.AddNode(flow.KindSet)
	h.w.Canvas().Focus(h.app.cv)
	h.shortcut(&fyne.ShortcutSelectAll{})
	h.shortcut(&fyne.ShortcutCopy{})
	h.shortcut(&fyne.ShortcutPaste{})
	if n := len(h.app.ed.Flow().Nodes); n != 2 {
		t.Fatalf("Ctrl+A, Ctrl+C, Ctrl+V: %d nodes, want 2", n)
	}
	h.shortcut(fbcanvas.DuplicateShortcut)
	if n := len(h.app.ed.Flow().Nodes); n != 3 {
		t.Fatalf("Ctrl+D: %d nodes", n)
	}
	h.shortcut(&fyne.ShortcutUndo{})
	if n := len(h.app.ed.Flow().Nodes); n != 2 {
		t.Fatalf("Ctrl+Z after Ctrl+D: %d nodes", n)
	}
}
