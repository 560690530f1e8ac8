package canvas

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
	"github.com/flowbench/flowbench/ui/layout"
)

// memClip is a clipboard two canvases share, as two windows of the app do.
type memClip struct{ s string }

func (m *memClip) Content() string     { return m.s }
func (m *memClip) SetContent(s string) { m.s = s }

func selected(fx *fixture) []string { return fx.ed.SelectedNodes() }

// noOverlap fails when two cards of the document overlap.
func noOverlap(t *testing.T, f *flow.Flow) {
	t.Helper()
	for i := range f.Nodes {
		for j := i + 1; j < len(f.Nodes); j++ {
			a, b := nodeRect(&f.Nodes[i]), nodeRect(&f.Nodes[j])
			if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
				t.Fatalf("cards %s at %v and %s at %v overlap", f.Nodes[i].ID, f.Nodes[i].Position, f.Nodes[j].ID, f.Nodes[j].Position)
			}
		}
	}
}

// undoOnce undoes the last gesture and checks it was exactly one step
// back to before.
func undoOnce(t *testing.T, ed *editor.Editor, before *flow.Flow) {
	t.Helper()
	after := editor.Clone(ed.Flow())
	if !ed.Undo() {
		t.Fatal("nothing to undo")
	}
	if !reflect.DeepEqual(ed.Flow(), before) {
		t.Fatalf("one undo gives %+v, want %+v", ed.Flow(), before)
	}
	if !ed.Redo() || !reflect.DeepEqual(ed.Flow(), after) {
		t.Fatal("redo does not give the gesture's result back")
	}
	ed.Undo()
}

func TestShiftClickAndSelectAll(t *testing.T) {
	fx := newFixture(t, smallFlow())
	tap(fx.c, fyne.NewPos(350, 50))
	fx.mods = fyne.KeyModifierShift
	tap(fx.c, fyne.NewPos(100, 50))
	if got := selected(fx); !slices.Equal(got, []string{"lookup", "start"}) {
		t.Fatalf("shift-click: %v", got)
	}
	fx.mods = fyne.KeyModifierControl
	tap(fx.c, fyne.NewPos(350, 50))
	if got := selected(fx); !slices.Equal(got, []string{"start"}) {
		t.Fatalf("ctrl-click on a selected card: %v", got)
	}
	tap(fx.c, fyne.NewPos(400, 400)) // the background with a modifier keeps the selection
	if got := selected(fx); !slices.Equal(got, []string{"start"}) {
		t.Fatalf("modified tap on the background: %v", got)
	}
	fx.mods = 0
	if !fx.c.HandleShortcut(&fyne.ShortcutSelectAll{}) {
		t.Fatal("Ctrl+A not handled")
	}
	if got := selected(fx); len(got) != 3 {
		t.Fatalf("Ctrl+A: %v", got)
	}
	for id, nv := range fx.c.r.nodes {
		if nv.card.StrokeColor != theme.Color(theme.ColorNamePrimary) {
			t.Fatalf("card %s is not drawn selected", id)
		}
	}
	tap(fx.c, fyne.NewPos(350, 50))
	if got := selected(fx); !slices.Equal(got, []string{"lookup"}) || fx.c.r.nodes["done"].card.StrokeColor == theme.Color(theme.ColorNamePrimary) {
		t.Fatalf("a plain tap: %v, and done must no longer be drawn selected", got)
	}
}

func TestRubberBand(t *testing.T) {
	fx := newFixture(t, smallFlow())
	fx.ed.Select(selNode("start"))
	fx.mods = fyne.KeyModifierShift
	fx.c.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, PointEvent: fyne.PointEvent{Position: fyne.NewPos(250, 5)}})
	fx.c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(600, 100)}, Dragged: fyne.Delta{DX: 350, DY: 95}})
	if !fx.c.r.band.Visible() || fx.c.r.band.Position() != fyne.NewPos(250, 5) || fx.c.r.band.Size() != fyne.NewSize(350, 95) {
		t.Fatalf("band at %v size %v", fx.c.r.band.Position(), fx.c.r.band.Size())
	}
	fx.c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(850, 200)}, Dragged: fyne.Delta{DX: 250, DY: 100}})
	fx.c.DragEnd()
	if got := selected(fx); !slices.Equal(got, []string{"start", "lookup", "done"}) {
		t.Fatalf("band selected %v, want lookup and done added to start", got)
	}
	if fx.c.r.band.Visible() || fx.ed.CanUndo() {
		t.Fatal("the band stays drawn, or selecting edited the document")
	}
	if fx.c.View() != identityView {
		t.Fatal("a shift-drag panned the view")
	}
}

func TestGroupMoveAndDelete(t *testing.T) {
	fx := newFixture(t, smallFlow())
	before := editor.Clone(fx.ed.Flow())
	fx.ed.SelectNodes([]string{"lookup", "done"})
	fx.drag(fyne.NewPos(350, 50), 40, 60, 4)
	f := fx.ed.Flow()
	if f.Node("lookup").Position != (flow.Position{X: 340, Y: 80}) || f.Node("done").Position != (flow.Position{X: 640, Y: 80}) || f.Node("start").Position != (flow.Position{X: 20, Y: 20}) {
		t.Fatalf("after the drag: %v %v %v", f.Node("start").Position, f.Node("lookup").Position, f.Node("done").Position)
	}
	if fx.c.r.nodes["done"].card.Position() != fyne.NewPos(640, 80) {
		t.Fatal("the other selected card is not drawn where it went")
	}
	if got := selected(fx); len(got) != 2 {
		t.Fatalf("dragging a selected card dropped the selection: %v", got)
	}
	undoOnce(t, fx.ed, before)
	fx.ed.SelectNodes([]string{"lookup", "done"})
	fx.c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	if fx.ed.Flow().Node("done").Position.X != 610 || fx.ed.Flow().Node("lookup").Position.X != 310 {
		t.Fatal("the arrow key did not move both selected cards")
	}
	undoOnce(t, fx.ed, before)
	fx.ed.SelectNodes([]string{"lookup", "done"})
	fx.c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if len(fx.ed.Flow().Nodes) != 1 || len(fx.ed.Flow().Edges) != 0 {
		t.Fatalf("delete left %d nodes", len(fx.ed.Flow().Nodes))
	}
	undoOnce(t, fx.ed, before)
	if len(fx.c.r.order) != 3 || len(fx.c.r.edges) != 3 {
		t.Fatal("undo did not draw the cards again")
	}
}

func TestQuickAddAfterSelection(t *testing.T) {
	fx := newFixture(t, smallFlow())
	var asked []QuickAdd
	fx.c.OnQuickAdd = func(q QuickAdd) { asked = append(asked, q) }
	before := editor.Clone(fx.ed.Flow())
	fx.ed.Select(selNode("lookup"))
	if !fx.c.AcceptsTab() {
		t.Fatal("Tab would leave the canvas")
	}
	fx.c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if len(asked) != 1 || asked[0].From != "lookup" || asked[0].Port != "" || asked[0].Near {
		t.Fatalf("Tab asked %+v", asked)
	}
	id, err := fx.c.AddQuick(editor.NewNode("", flow.KindSet, flow.Position{}), asked[0])
	if err != nil {
		t.Fatal(err)
	}
	f := fx.ed.Flow()
	if id != "set" || fx.ed.Selection().Node != "set" {
		t.Fatalf("added %q, selected %+v", id, fx.ed.Selection())
	}
	if last := f.Edges[len(f.Edges)-1]; last != (flow.Edge{From: "lookup", Port: "default", To: "set"}) {
		t.Fatalf("connected by %+v, want lookup's first free port", last)
	}
	noOverlap(t, f)
	if p := f.Node("set").Position; p.X <= 500 {
		t.Fatalf("the new card at %v is not to the right of lookup", p)
	}
	undoOnce(t, fx.ed, before)
	// Ctrl+K with nothing selected and the pointer over the canvas: there
	fx.ed.Select(editor.None)
	fx.c.SetView(identityView) // the added card was panned into view
	fx.c.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(400, 300)}})
	if !fx.c.HandleShortcut(QuickAddShortcut) || len(asked) != 2 {
		t.Fatal("Ctrl+K did not open quick-add")
	}
	q := asked[1]
	if !q.Near || q.From != "" || q.At != (flow.Position{X: 400, Y: 280}) {
		t.Fatalf("Ctrl+K asked %+v", q)
	}
	id, err = fx.c.AddQuick(editor.NewNode("", flow.KindEnd, flow.Position{}), q)
	if err != nil || fx.ed.Flow().Node(id).Position != (flow.Position{X: 400, Y: 280}) {
		t.Fatalf("%v; end at %v, want its input at the pointer", err, fx.ed.Flow().Node(id))
	}
	// on top of a card: the free place nearest
	id, err = fx.c.AddQuick(editor.NewNode("", flow.KindEnd, flow.Position{}), QuickAdd{At: flow.Position{X: 310, Y: 30}, Near: true})
	if err != nil {
		t.Fatal(err)
	}
	noOverlap(t, fx.ed.Flow())
	if p := fx.ed.Flow().Node(id).Position; p == (flow.Position{X: 310, Y: 30}) {
		t.Fatal("the card was put on top of lookup")
	}
}

func TestDropConnectorOnEmptyCanvas(t *testing.T) {
	fx := newFixture(t, smallFlow())
	var asked []QuickAdd
	fx.c.OnQuickAdd = func(q QuickAdd) { asked = append(asked, q) }
	before := editor.Clone(fx.ed.Flow())
	fx.drag(fyne.NewPos(500, 102), 150, 200, 5) // lookup's default port to empty canvas
	if len(asked) != 1 {
		t.Fatalf("quick-add asked %d times", len(asked))
	}
	q := asked[0]
	if q.From != "lookup" || q.Port != "default" || !q.Near || q.At != (flow.Position{X: 650, Y: 282}) || q.Screen != fyne.NewPos(650, 302) {
		t.Fatalf("asked %+v", q)
	}
	if fx.ed.CanUndo() {
		t.Fatal("the drop edited the document before a node was picked")
	}
	id, err := fx.c.AddQuick(editor.NewNode("", flow.KindEnd, flow.Position{}), q)
	if err != nil {
		t.Fatal(err)
	}
	f := fx.ed.Flow()
	if f.Node(id).Position != q.At || f.Edges[len(f.Edges)-1] != (flow.Edge{From: "lookup", Port: "default", To: id}) {
		t.Fatalf("%s at %v, edges %+v", id, f.Node(id).Position, f.Edges)
	}
	undoOnce(t, fx.ed, before)
	// dropped on a card's body: connected there, no quick-add
	fx.drag(fyne.NewPos(500, 102), 200, -40, 3)
	if len(asked) != 1 || fx.ed.Flow().Edges[len(fx.ed.Flow().Edges)-1] != (flow.Edge{From: "lookup", Port: "default", To: "done"}) {
		t.Fatalf("drop on a body: asked %d, edges %+v", len(asked), fx.ed.Flow().Edges)
	}
}

func TestCopyPasteBetweenTwoCanvases(t *testing.T) {
	clip := &memClip{}
	a := newFixture(t, smallFlow())
	a.c.Clipboard = clip
	a.ed.SelectNodes([]string{"lookup", "done"})
	if !a.c.HandleShortcut(&fyne.ShortcutCopy{}) {
		t.Fatal("Ctrl+C not handled")
	}
	if !strings.HasPrefix(clip.s, "{\n  \"format\": \"flowbench/v1\"") || !strings.Contains(clip.s, `"id": "lookup"`) || strings.Contains(clip.s, `"id": "start"`) {
		t.Fatalf("clipboard:\n%s", clip.s)
	}
	b := newFixture(t, smallFlow())
	b.c.Clipboard = clip
	before := editor.Clone(b.ed.Flow())
	b.c.HandleShortcut(&fyne.ShortcutPaste{})
	if len(b.errs) > 0 {
		t.Fatal(b.errs)
	}
	f := b.ed.Flow()
	if got := selected(b); !slices.Equal(got, []string{"lookup2", "done2"}) {
		t.Fatalf("pasted and selected %v", got)
	}
	want := []flow.Edge{{From: "lookup2", Port: "vip", To: "done2"}, {From: "lookup2", Port: "failure", To: "done2"}}
	if !slices.Equal(f.Edges[3:], want) {
		t.Fatalf("pasted edges %+v", f.Edges[3:])
	}
	if f.Node("done2").Position.X-f.Node("lookup2").Position.X != 300 {
		t.Fatal("the pasted cards lost their arrangement")
	}
	noOverlap(t, f)
	if b.c.r.nodes["lookup2"] == nil {
		t.Fatal("the pasted card is not drawn")
	}
	undoOnce(t, b.ed, before)

	// cut: copied, then removed in one step
	beforeCut := editor.Clone(a.ed.Flow())
	a.ed.SelectNodes([]string{"start"})
	a.c.HandleShortcut(&fyne.ShortcutCut{})
	if a.ed.Flow().Node("start") != nil || !strings.Contains(clip.s, `"id": "start"`) {
		t.Fatal("cut did not copy and remove start")
	}
	undoOnce(t, a.ed, beforeCut)

	// text that is not flow JSON is refused with a message
	clip.s = "hello"
	b.c.HandleShortcut(&fyne.ShortcutPaste{})
	if len(b.errs) != 1 || !strings.Contains(b.errs[0].Error(), "not flow JSON") {
		t.Fatalf("errors %v", b.errs)
	}
}

func TestDuplicate(t *testing.T) {
	fx := newFixture(t, smallFlow())
	before := editor.Clone(fx.ed.Flow())
	fx.ed.Select(selNode("done"))
	if !fx.c.HandleShortcut(DuplicateShortcut) {
		t.Fatal("Ctrl+D not handled")
	}
	f := fx.ed.Flow()
	if len(f.Nodes) != 4 || f.Nodes[3].ID != "done2" || f.Nodes[3].Outcome != "routed" || !slices.Equal(selected(fx), []string{"done2"}) {
		t.Fatalf("duplicate: %+v, selected %v", f.Nodes[3], selected(fx))
	}
	noOverlap(t, f)
	undoOnce(t, fx.ed, before)
}

func TestNodeContextMenu(t *testing.T) {
	fx := newFixture(t, smallFlow())
	var renamed, tested string
	fx.c.OnRename = func(id string) { renamed = id }
	fx.c.OnTestStep = func(id string) { tested = id }
	test.TapSecondaryAt(fx.c, fyne.NewPos(350, 50))
	items := map[string]*fyne.MenuItem{}
	for _, it := range fx.menu.Items {
		items[it.Label] = it
	}
	for _, l := range []string{"Rename lookup…", "Duplicate", "Test this step", "Delete node lookup"} {
		if items[l] == nil {
			t.Fatalf("no %q in the menu", l)
		}
	}
	if items["Add call"] != nil {
		t.Fatal("a card's menu offers to add nodes")
	}
	test.TapSecondaryAt(fx.c, fyne.NewPos(700, 50)) // done, an end: nothing to test alone
	for _, it := range fx.menu.Items {
		if it.Label == "Test this step" {
			t.Fatal("an end node offers Test this step")
		}
	}
	fx.ed.Select(selNode("lookup"))
	items["Rename lookup…"].Action()
	items["Test this step"].Action()
	if renamed != "lookup" || tested != "lookup" {
		t.Fatalf("rename %q, test %q", renamed, tested)
	}
	items["Duplicate"].Action()
	if fx.ed.Flow().Node("lookup2") == nil {
		t.Fatal("Duplicate did nothing")
	}
	// on a card of a selection of several, Delete says how many
	fx.ed.SelectNodes([]string{"start", "lookup"})
	test.TapSecondaryAt(fx.c, fyne.NewPos(350, 50))
	found := false
	for _, it := range fx.menu.Items {
		found = found || it.Label == "Delete 2 nodes"
	}
	if !found || len(selected(fx)) != 2 {
		t.Fatal("the menu of a selected card dropped the selection or names one node")
	}
}

// checkTidy asserts what a tidy layout promises on the document.
func checkTidy(t *testing.T, c *Canvas) {
	t.Helper()
	f := c.ed.Flow()
	noOverlap(t, f)
	idx := map[string]int{}
	var nodes []layout.Node
	for i := range f.Nodes {
		idx[f.Nodes[i].ID] = i
		r := nodeRect(&f.Nodes[i])
		nodes = append(nodes, layout.Node{W: float64(r.W), H: float64(r.H)})
	}
	var edges []layout.Edge
	for _, e := range f.Edges {
		edges = append(edges, layout.Edge{From: idx[e.From], To: idx[e.To]})
	}
	back := layout.Layered(nodes, edges, layout.Options{LayerGap: tidyLayerGap, NodeGap: tidyNodeGap}).Back
	for i, e := range f.Edges {
		a, b := f.Node(e.From), f.Node(e.To)
		if !back[i] && b.Position.X < a.Position.X+cardWidth {
			t.Fatalf("forward edge %s→%s goes from x=%v to x=%v", e.From, e.To, a.Position.X, b.Position.X)
		}
	}
}

func TestTidyBundledFlows(t *testing.T) {
	files, _ := filepath.Glob("../../assets/flows/*.flow.json")
	if len(files) < 4 {
		t.Fatalf("found %d bundled flows", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := flow.DecodeFlow(data)
			if err != nil {
				t.Fatal(err)
			}
			for i := range f.Nodes { // as imported without positions
				f.Nodes[i].Position = flow.Position{}
			}
			fx := newFixture(t, f)
			before := editor.Clone(fx.ed.Flow())
			docs := 0
			fx.ed.AddListener(func(ch editor.Change) {
				if ch.Kind == editor.ChangeDoc {
					docs++
				}
			})
			if !fx.c.HandleShortcut(TidyShortcut) {
				t.Fatal("Ctrl+Shift+L not handled")
			}
			if docs != 1 {
				t.Fatalf("tidy made %d document changes, want 1", docs)
			}
			checkTidy(t, fx.c)
			for id, nv := range fx.c.r.nodes {
				if nv.pos != fx.ed.Flow().Node(id).Position {
					t.Fatalf("card %s drawn at %v, not where tidy put it", id, nv.pos)
				}
			}
			undoOnce(t, fx.ed, before)
		})
	}
}

func TestTidyAnimates(t *testing.T) {
	fx := newFixture(t, smallFlow())
	fx.ed.Edit("scramble", func(f *flow.Flow) error {
		f.Node("start").Position = flow.Position{X: 600, Y: 300}
		f.Node("done").Position = flow.Position{X: 20, Y: 20}
		return nil
	})
	var steps []float32
	var mid flow.Position
	fx.c.Animate = func(d time.Duration, step func(float32)) {
		if d <= 0 || d > time.Second {
			t.Fatalf("tween of %v", d)
		}
		for _, s := range []float32{0, 0.5, 1} {
			step(s)
			steps = append(steps, s)
			if s == 0.5 {
				mid = fx.c.r.nodes["start"].pos
			}
		}
	}
	if err := fx.c.Tidy(); err != nil {
		t.Fatal(err)
	}
	end := fx.ed.Flow().Node("start").Position
	if len(steps) != 3 || mid == end || mid == (flow.Position{X: 600, Y: 300}) {
		t.Fatalf("mid-tween start at %v (end %v)", mid, end)
	}
	if fx.c.r.nodes["start"].pos != end || fx.c.r.nodes["start"].card.Position() != fx.c.view.ToScreen(end) {
		t.Fatal("the tween did not end where the document is")
	}
	checkTidy(t, fx.c)
}

// TestPasteAndTidyOneStep: a paste of 100 nodes and a tidy of them are
// each one undo step and one document change (one canvas refresh).
func TestPasteAndTidyOneStep(t *testing.T) {
	fx := newFixture(t, gridFlow(20))
	frag := editor.New(gridFlow(100))
	data, _ := flow.EncodeFlow(frag.Flow())
	clip := &memClip{s: string(data)}
	fx.c.Clipboard = clip
	docs := 0
	fx.ed.AddListener(func(ch editor.Change) {
		if ch.Kind == editor.ChangeDoc {
			docs++
		}
	})
	fx.c.Paste()
	if docs != 1 || len(fx.ed.Flow().Nodes) != 120 || len(selected(fx)) != 100 {
		t.Fatalf("paste: %d changes, %d nodes, %d selected", docs, len(fx.ed.Flow().Nodes), len(selected(fx)))
	}
	noOverlap(t, fx.ed.Flow())
	fx.c.Tidy()
	if docs != 2 {
		t.Fatalf("tidy: %d changes", docs-1)
	}
	checkTidy(t, fx.c)
	fx.ed.Undo()
	fx.ed.Undo()
	if len(fx.ed.Flow().Nodes) != 20 || fx.ed.CanUndo() {
		t.Fatal("paste and tidy are not one step each")
	}
}

// BenchmarkPasteScaling pastes 10 and 100 nodes into the same flow,
// interleaved, and reports the ratio (goal ≤ 12: linear).
func BenchmarkPasteScaling(b *testing.B) {
	c := New(editor.New(gridFlow(50)))
	w := test.NewWindow(c)
	defer w.Close()
	w.Resize(fyne.NewSize(1200, 800))
	enc := func(n int) string { d, _ := flow.EncodeFlow(gridFlow(n)); return string(d) }
	small, large := &memClip{s: enc(10)}, &memClip{s: enc(100)}
	paste := func(cb *memClip) time.Duration {
		c.Clipboard = cb
		t0 := time.Now()
		if err := c.Paste(); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		c.ed.Undo()
		return d
	}
	var ts, tl time.Duration
	for b.Loop() {
		ts += paste(small)
		tl += paste(large)
	}
	b.ReportMetric(float64(tl)/float64(ts), "100/10")
}

// BenchmarkTidyScaling tidies generated flows of 30 and 300 nodes on a
// canvas (layout, the undoable edit and the redraw), interleaved, and
// reports the ratio (goal ≤ 15).
func BenchmarkTidyScaling(b *testing.B) {
	mk := func(n int) *Canvas {
		c := New(editor.New(branchyFlow(n)))
		w := test.NewWindow(c)
		b.Cleanup(w.Close)
		w.Resize(fyne.NewSize(1200, 800))
		return c
	}
	small, large := mk(30), mk(300)
	tidy := func(c *Canvas) time.Duration {
		t0 := time.Now()
		if err := c.Tidy(); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		c.ed.Undo()
		return d
	}
	var ts, tl time.Duration
	for b.Loop() {
		ts += tidy(small)
		tl += tidy(large)
	}
	b.ReportMetric(float64(tl)/float64(ts), "300/30")
}

// branchyFlow is n nodes in a grid joined like a real flow: chains, a
// decision every fifth node whose second branch skips ahead, and a retry
// loop every tenth.
func branchyFlow(n int) *flow.Flow {
	f := gridFlow(n)
	for i := 5; i+3 < n; i += 5 {
		f.Edges = append(f.Edges, flow.Edge{From: fmt.Sprintf("n%d", i), Port: "", To: fmt.Sprintf("n%d", i+3)})
	}
	for i := 12; i < n; i += 10 {
		f.Edges = append(f.Edges, flow.Edge{From: fmt.Sprintf("n%d", i), To: fmt.Sprintf("n%d", i-8)})
	}
	return f
}

func TestDisableFromTheMenu(t *testing.T) {
	fx := newFixture(t, smallFlow())
	before := editor.Clone(fx.ed.Flow())
	menuItem := func(label string) *fyne.MenuItem {
		test.TapSecondaryAt(fx.c, fyne.NewPos(350, 50))
		for _, it := range fx.menu.Items {
			if it.Label == label {
				return it
			}
		}
		t.Fatalf("no %q in the menu", label)
		return nil
	}
	menuItem("Disable").Action()
	nv := fx.c.r.nodes["lookup"]
	if !fx.ed.Flow().Node("lookup").Disabled || nv.card.FillColor != theme.Color(theme.ColorNameDisabledButton) || nv.summary.Text != "disabled: skipped in runs" {
		t.Fatalf("disabled %v, fill %v, summary %q", fx.ed.Flow().Node("lookup").Disabled, nv.card.FillColor, nv.summary.Text)
	}
	if nv.title.Color != theme.Color(theme.ColorNameDisabled) {
		t.Fatal("the title is not greyed")
	}
	undoOnce(t, fx.ed, before)
	if nv.card.FillColor != theme.Color(theme.ColorNameInputBackground) {
		t.Fatal("undo left the card greyed")
	}
	menuItem("Disable").Action()
	menuItem("Enable").Action()
	if fx.ed.Flow().Node("lookup").Disabled || fx.ed.UndoLabel() != "Enable lookup" {
		t.Fatalf("enable: %v, %q", fx.ed.Flow().Node("lookup").Disabled, fx.ed.UndoLabel())
	}
}

func TestEdgeEditing(t *testing.T) {
	fx := newFixture(t, smallFlow())
	fx.ed.AddNode(flow.KindSet, flow.Position{X: 600, Y: 250})
	before := editor.Clone(fx.ed.Flow())
	fx.ed.Select(editor.Selection{Edge: 1}) // lookup.vip → done, ending at done's input (600, 40)
	fx.drag(fyne.NewPos(600, 40), 100, 240, 4)
	f := fx.ed.Flow()
	if f.Edges[1] != (flow.Edge{From: "lookup", Port: "vip", To: "set"}) || len(f.Edges) != 3 {
		t.Fatalf("edges %+v", f.Edges)
	}
	if f.Node("done").Position != (flow.Position{X: 600, Y: 20}) {
		t.Fatal("dragging the connector's end moved the card")
	}
	if fx.ed.Selection().Edge != 1 || fx.ed.UndoLabel() != "Reconnect lookup.vip to set" {
		t.Fatalf("selection %+v, undo %q", fx.ed.Selection(), fx.ed.UndoLabel())
	}
	undoOnce(t, fx.ed, before)
	// dropped on empty canvas: nothing changes
	fx.ed.Select(editor.Selection{Edge: 1})
	label := fx.ed.UndoLabel()
	fx.drag(fyne.NewPos(600, 40), 100, 400, 4)
	if fx.ed.Flow().Edges[1].To != "done" || fx.ed.UndoLabel() != label || !fx.c.r.edges[1].shown {
		t.Fatalf("a drop on nothing changed %+v or hid the connector", fx.ed.Flow().Edges[1])
	}
	// onto the start, which has no input: refused with a message
	fx.ed.Select(editor.Selection{Edge: 1})
	fx.drag(fyne.NewPos(600, 40), -500, 10, 4)
	if len(fx.errs) != 1 || !strings.Contains(fx.errs[0].Error(), "has no input") {
		t.Fatalf("errors %v", fx.errs)
	}
	// a selected connector and Delete
	fx.ed.Select(editor.Selection{Edge: 2})
	fx.c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if len(fx.ed.Flow().Edges) != 2 {
		t.Fatal("Delete left the selected connector")
	}
	undoOnce(t, fx.ed, before)
}

func TestMinimap(t *testing.T) {
	fx := newFixture(t, smallFlow())
	if fx.c.r.mm.shown {
		t.Fatal("a minimap for a flow that fits the view")
	}
	fx.ed.Load(gridFlow(100)) // 10 columns of 260, 10 rows of 140: far larger than 900x500
	fx.c.SetView(identityView)
	m := fx.c.r.mm
	if !m.shown || !m.bg.Visible() || len(m.cards) != 100 || !m.cards[99].Visible() {
		t.Fatal("no minimap for a flow larger than the view")
	}
	if m.at.X+m.at.W > 900 || m.at.Y+m.at.H > 500 || m.at.W > minimapW+0.5 || m.at.H > minimapH+0.5 {
		t.Fatalf("minimap at %+v", m.at)
	}
	// the view's outline is at the top-left of the flow
	if v := m.view.Position(); !nearPos(v, fyne.NewPos(m.at.X+(0-m.area.X)*m.scale, m.at.Y+(0-m.area.Y)*m.scale)) {
		t.Fatalf("view outline at %v", v)
	}
	// a tap on the minimap centres the view on that point of the flow
	target := flow.Position{X: 2000, Y: 1000}
	p := fyne.NewPos(m.at.X+(float32(target.X)-m.area.X)*m.scale, m.at.Y+(float32(target.Y)-m.area.Y)*m.scale)
	sel := fx.ed.Selection()
	tap(fx.c, p)
	mid := fx.c.view.ToFlow(fx.c.middle())
	if d := (mid.X-target.X)*(mid.X-target.X) + (mid.Y-target.Y)*(mid.Y-target.Y); d > 1 {
		t.Fatalf("the view's middle is %v, want %v", mid, target)
	}
	if fx.ed.Selection() != sel || fx.ed.CanUndo() {
		t.Fatal("a tap on the minimap selected or edited")
	}
	fx.c.FitToWindow()
	if fx.c.Zoom() > MinScale && m.shown {
		t.Fatal("the minimap stays once the flow fits")
	}
}
