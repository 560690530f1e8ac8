package canvas

import (
	"errors"
	"image/color"
	"os"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

func TestMain(m *testing.M) {
	os.Setenv("LANG", "en_US.UTF-8") // fyne logs an error for the C locale
	os.Exit(m.Run())
}

// smallFlow: start -> lookup (call, branch vip) -> done, with a failure edge.
//
//	start  at (20,20):  next port at (220, 82)
//	lookup at (300,20): input (300,40); ports vip (500,82), default (500,102), failure (500,122)
//	done   at (600,20): input (600,40)
func smallFlow() *flow.Flow {
	return &flow.Flow{
		Format: flow.Format,
		Name:   "Small",
		Nodes: []flow.Node{
			{ID: "start", Kind: flow.KindStart, Title: "Chat opened", Position: flow.Position{X: 20, Y: 20},
				Trigger: &flow.Trigger{Type: flow.TriggerEvent, Events: []string{"chat.opened"}}},
			{ID: "lookup", Kind: flow.KindCall, Title: "Look up tier", Position: flow.Position{X: 300, Y: 20},
				Call: &flow.Call{Connection: "crm", Method: "POST", URI: `"/v1/tier"`, Branches: []string{"vip"}}},
			{ID: "done", Kind: flow.KindEnd, Title: "Routed", Position: flow.Position{X: 600, Y: 20}, Outcome: "routed"},
		},
		Edges: []flow.Edge{
			{From: "start", To: "lookup"},
			{From: "lookup", Port: "vip", To: "done"},
			{From: "lookup", Port: "failure", To: "done"},
		},
	}
}

type fixture struct {
	c    *Canvas
	ed   *editor.Editor
	w    fyne.Window
	mods fyne.KeyModifier
	errs []error
	menu *fyne.Menu
}

func newFixture(t *testing.T, f *flow.Flow) *fixture {
	t.Helper()
	test.NewTempApp(t)
	fx := &fixture{ed: editor.New(f)}
	fx.c = New(fx.ed)
	fx.c.modifiers = func() fyne.KeyModifier { return fx.mods }
	fx.c.showMenu = func(m *fyne.Menu, _ fyne.Position) { fx.menu = m }
	fx.c.OnError = func(err error) { fx.errs = append(fx.errs, err) }
	fx.w = test.NewTempWindow(t, fx.c)
	fx.w.Resize(fyne.NewSize(900, 500))
	if fx.c.r == nil {
		t.Fatal("the canvas was not rendered")
	}
	return fx
}

// drag performs a drag the way the desktop driver does: a press, then moves
// in steps, then the end.
func (fx *fixture) drag(from fyne.Position, dx, dy float32, steps int) {
	fx.c.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, PointEvent: fyne.PointEvent{Position: from}})
	cur := from
	for i := 0; i < steps; i++ {
		d := fyne.Delta{DX: dx / float32(steps), DY: dy / float32(steps)}
		cur = cur.AddXY(d.DX, d.DY)
		fx.c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: cur}, Dragged: d})
	}
	fx.c.DragEnd()
	fx.c.MouseUp(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, PointEvent: fyne.PointEvent{Position: cur}})
}

func tap(c *Canvas, p fyne.Position) { c.Tapped(&fyne.PointEvent{Position: p}) }

func TestTapSelects(t *testing.T) {
	tests := []struct {
		name string
		at   fyne.Position
		want editor.Selection
	}{
		{"card body", fyne.NewPos(350, 50), editor.Selection{Node: "lookup", Edge: -1}},
		{"output port selects its card", fyne.NewPos(500, 102), editor.Selection{Node: "lookup", Edge: -1}},
		{"input dot selects its card", fyne.NewPos(597, 40), editor.Selection{Node: "done", Edge: -1}},
		{"connector", fyne.NewPos(260, 61), editor.Selection{Edge: 0}},
		{"failure connector", fyne.NewPos(550, 81), editor.Selection{Edge: 2}},
		{"background", fyne.NewPos(400, 400), editor.None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, smallFlow())
			fx.ed.Select(editor.Selection{Node: "start", Edge: -1})
			tap(fx.c, tt.at)
			if got := fx.ed.Selection(); got != tt.want {
				t.Fatalf("selection %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSelectionStyles(t *testing.T) {
	fx := newFixture(t, smallFlow())
	card := fx.c.r.nodes["lookup"].card
	before := card.StrokeColor
	fx.ed.Select(editor.Selection{Node: "lookup", Edge: -1})
	if card.StrokeColor != theme.Color(theme.ColorNamePrimary) || card.StrokeColor == before {
		t.Fatalf("selected card stroke %v, want the primary colour", card.StrokeColor)
	}
	fx.ed.Select(editor.Selection{Edge: 1})
	if card.StrokeColor != before {
		t.Fatal("deselected card kept the selection colour")
	}
	if got := fx.c.r.edges[1].segs[0].StrokeColor; got != theme.Color(theme.ColorNamePrimary) {
		t.Fatalf("selected connector colour %v", got)
	}
}

func TestDragMovesCard(t *testing.T) {
	tests := []struct {
		name  string
		steps int
		scale float32
		want  flow.Position
	}{
		{"one step", 1, 1, flow.Position{X: 340, Y: 80}},
		{"many small steps", 20, 1, flow.Position{X: 340, Y: 80}},
		{"zoomed out, deltas are screen pixels", 5, 0.5, flow.Position{X: 380, Y: 140}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, smallFlow())
			fx.c.SetView(View{Scale: tt.scale})
			from := fx.c.view.ToScreen(flow.Position{X: 350, Y: 40})
			nv := fx.c.r.nodes["lookup"]
			objs := len(fx.c.r.Objects())
			var moved bool
			fx.c.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, PointEvent: fyne.PointEvent{Position: from}})
			cur := from
			for i := 0; i < tt.steps; i++ {
				d := fyne.Delta{DX: 40 / float32(tt.steps), DY: 60 / float32(tt.steps)}
				cur = cur.AddXY(d.DX, d.DY)
				fx.c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: cur}, Dragged: d})
				if fx.ed.CanUndo() {
					t.Fatal("the document changed during the drag; it must change on DragEnd only")
				}
				moved = moved || nv.card.Position() != fx.c.view.ToScreen(flow.Position{X: 300, Y: 20})
			}
			if !moved {
				t.Fatal("the card did not follow the drag")
			}
			fx.c.DragEnd()
			if got := fx.ed.Flow().Node("lookup").Position; got != tt.want {
				t.Fatalf("position %v, want %v", got, tt.want)
			}
			if fx.ed.Selection().Node != "lookup" {
				t.Fatal("dragging a card did not select it")
			}
			if got := nv.card.Position(); got != fx.c.view.ToScreen(tt.want) {
				t.Fatalf("card drawn at %v after the drag", got)
			}
			// the connector into the card follows it
			in := fx.c.r.edges[0]
			end := in.segs[0].Position1
			for _, l := range in.segs {
				if l.Visible() {
					end = l.Position2
				}
			}
			if want := portScreen(fx.c.view, tt.want, inputOffset()); !nearPos(end, want) {
				t.Fatalf("connector ends at %v, want the card's input at %v", end, want)
			}
			if len(fx.c.r.Objects()) != objs {
				t.Fatal("moving a card created objects")
			}
			if !fx.ed.Undo() || fx.ed.Flow().Node("lookup").Position != (flow.Position{X: 300, Y: 20}) {
				t.Fatal("the move is not one undoable step")
			}
			if fx.ed.CanUndo() {
				t.Fatal("the drag recorded more than one edit")
			}
		})
	}
}

func TestTestDragWithoutMouseDown(t *testing.T) {
	fx := newFixture(t, smallFlow())
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(fx.c)
	test.Drag(fx.w.Canvas(), abs.AddXY(630, 40), 10, 100)
	if got := fx.ed.Flow().Node("done").Position; got != (flow.Position{X: 610, Y: 120}) {
		t.Fatalf("position %v after test.Drag", got)
	}
}

func TestDragFromPortConnects(t *testing.T) {
	tests := []struct {
		name      string
		from      fyne.Position
		to        fyne.Position
		wantEdges []flow.Edge
		wantErr   string
	}{
		{"default port to end", fyne.NewPos(500, 102), fyne.NewPos(650, 50), append(smallFlow().Edges,
			flow.Edge{From: "lookup", Port: "default", To: "done"}), ""},
		{"redirect a used port", fyne.NewPos(500, 82), fyne.NewPos(40, 50), nil, "start node"},
		{"dropped on nothing", fyne.NewPos(500, 102), fyne.NewPos(500, 400), smallFlow().Edges, ""},
		{"dropped on itself", fyne.NewPos(500, 102), fyne.NewPos(400, 60), nil, "cannot lead to itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, smallFlow())
			fx.drag(tt.from, tt.to.X-tt.from.X, tt.to.Y-tt.from.Y, 4)
			if fx.c.r.preview.shown {
				t.Fatal("the preview connector is still drawn")
			}
			if tt.wantErr != "" {
				if len(fx.errs) != 1 || !strings.Contains(fx.errs[0].Error(), tt.wantErr) {
					t.Fatalf("errors %v, want one containing %q", fx.errs, tt.wantErr)
				}
				if !reflect.DeepEqual(fx.ed.Flow().Edges, smallFlow().Edges) {
					t.Fatal("a refused connector changed the edges")
				}
				return
			}
			if len(fx.errs) != 0 {
				t.Fatalf("errors %v", fx.errs)
			}
			if !reflect.DeepEqual(fx.ed.Flow().Edges, tt.wantEdges) {
				t.Fatalf("edges %+v, want %+v", fx.ed.Flow().Edges, tt.wantEdges)
			}
			if got := fx.ed.Flow().Node("lookup").Position; got != (flow.Position{X: 300, Y: 20}) {
				t.Fatal("dragging from a port moved the card")
			}
			if len(fx.c.r.edges) != len(tt.wantEdges) {
				t.Fatalf("%d connectors drawn, want %d", len(fx.c.r.edges), len(tt.wantEdges))
			}
		})
	}
}

func TestPanAndZoom(t *testing.T) {
	tests := []struct {
		name      string
		do        func(fx *fixture)
		wantView  View
		wantScale float32
	}{
		{"drag the background pans", func(fx *fixture) { fx.drag(fyne.NewPos(400, 400), -30, 20, 3) },
			View{OffsetX: -30, OffsetY: 20, Scale: 1}, 0},
		{"scroll pans", func(fx *fixture) { fx.c.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DX: 5, DY: -10}}) },
			View{OffsetX: 5, OffsetY: -10, Scale: 1}, 0},
		{"ctrl+scroll zooms around the pointer", func(fx *fixture) {
			fx.mods = fyne.KeyModifierControl
			fx.c.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(100, 100)}, Scrolled: fyne.Delta{DY: 10}})
		}, View{}, 1.10517},
		{"zoom in", func(fx *fixture) { fx.c.ZoomIn() }, View{}, 1.25},
		{"zoom out twice", func(fx *fixture) { fx.c.ZoomOut(); fx.c.ZoomOut() }, View{}, 0.64},
		{"fit to window never magnifies", func(fx *fixture) { fx.c.ZoomOut(); fx.c.FitToWindow() }, View{}, 1},
		{"plus key", func(fx *fixture) { fx.c.TypedRune('+') }, View{}, 1.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, smallFlow())
			tt.do(fx)
			if tt.wantScale == 0 {
				if fx.c.View() != tt.wantView {
					t.Fatalf("view %+v, want %+v", fx.c.View(), tt.wantView)
				}
			} else if !near(fx.c.Zoom(), tt.wantScale) {
				t.Fatalf("zoom %v, want %v", fx.c.Zoom(), tt.wantScale)
			}
			if fx.ed.CanUndo() {
				t.Fatal("panning or zooming edited the document")
			}
			// every visible card is drawn where the view puts it
			for id, nv := range fx.c.r.nodes {
				if nv.shown && nv.card.Position() != fx.c.view.ToScreen(fx.ed.Flow().Node(id).Position) {
					t.Fatalf("card %s at %v, view says %v", id, nv.card.Position(), fx.c.view.ToScreen(nv.pos))
				}
			}
		})
	}
}

func TestFitShowsEveryCard(t *testing.T) {
	f := smallFlow()
	f.Nodes[2].Position = flow.Position{X: 2600, Y: 900}
	fx := newFixture(t, f)
	if fx.c.r.nodes["done"].shown {
		t.Fatal("a card far off screen is not hidden")
	}
	for _, o := range fx.c.r.nodes["done"].objs {
		if o.Visible() {
			t.Fatalf("object %T of an off-screen card is visible", o)
		}
	}
	fx.c.FitToWindow()
	size := fx.c.Size()
	for id, nv := range fx.c.r.nodes {
		p := nv.card.Position()
		s := nv.card.Size()
		if !nv.shown || p.X < 0 || p.Y < 0 || p.X+s.Width > size.Width || p.Y+s.Height > size.Height {
			t.Fatalf("card %s at %v size %v is not inside %v after fit", id, p, s, size)
		}
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name      string
		sel       editor.Selection
		key       fyne.KeyName
		wantNodes int
		wantEdges int
		wantPos   flow.Position // of lookup
	}{
		{"delete removes a card and its connectors", editor.Selection{Node: "lookup", Edge: -1}, fyne.KeyDelete, 2, 0, flow.Position{}},
		{"backspace removes a connector", editor.Selection{Edge: 1}, fyne.KeyBackspace, 3, 2, flow.Position{X: 300, Y: 20}},
		{"arrow nudges the selected card", editor.Selection{Node: "lookup", Edge: -1}, fyne.KeyRight, 3, 3, flow.Position{X: 310, Y: 20}},
		{"escape selects nothing", editor.Selection{Node: "lookup", Edge: -1}, fyne.KeyEscape, 3, 3, flow.Position{X: 300, Y: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, smallFlow())
			fx.ed.Select(tt.sel)
			fx.c.TypedKey(&fyne.KeyEvent{Name: tt.key})
			f := fx.ed.Flow()
			if len(f.Nodes) != tt.wantNodes || len(f.Edges) != tt.wantEdges {
				t.Fatalf("%d nodes %d edges, want %d and %d", len(f.Nodes), len(f.Edges), tt.wantNodes, tt.wantEdges)
			}
			if n := f.Node("lookup"); n != nil && n.Position != tt.wantPos {
				t.Fatalf("lookup at %v, want %v", n.Position, tt.wantPos)
			}
			if len(fx.c.r.order) != len(f.Nodes) || len(fx.c.r.edges) != len(f.Edges) {
				t.Fatalf("drawn %d cards %d connectors", len(fx.c.r.order), len(fx.c.r.edges))
			}
			if tt.key == fyne.KeyEscape && fx.ed.Selection() != editor.None {
				t.Fatal("escape kept the selection")
			}
		})
	}
}

func TestDeletedCardLeavesNoObjects(t *testing.T) {
	fx := newFixture(t, smallFlow())
	gone := fx.c.r.nodes["lookup"].objs
	fx.ed.Select(editor.Selection{Node: "lookup", Edge: -1})
	if err := fx.ed.DeleteSelection(); err != nil {
		t.Fatal(err)
	}
	drawn := map[fyne.CanvasObject]bool{}
	for _, o := range fx.c.r.Objects() {
		drawn[o] = true
	}
	for _, o := range gone {
		if drawn[o] {
			t.Fatalf("object %T of the deleted card is still drawn", o)
		}
	}
	fx.ed.Undo()
	if fx.c.r.nodes["lookup"] == nil || len(fx.c.r.edges) != 3 {
		t.Fatal("undo did not bring the card and its connectors back")
	}
}

func TestContextMenu(t *testing.T) {
	tests := []struct {
		name      string
		at        fyne.Position
		item      string
		wantNodes int
		wantEdges int
		wantNew   flow.NodeKind
	}{
		{"add a call at the pointer", fyne.NewPos(400, 300), "Add call", 4, 3, flow.KindCall},
		{"add a decision", fyne.NewPos(100, 250), "Add decision", 4, 3, flow.KindDecision},
		{"delete the card under the pointer", fyne.NewPos(350, 50), "Delete node lookup", 2, 0, ""},
		{"delete the connector under the pointer", fyne.NewPos(260, 61), "Delete connector start.next", 3, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, smallFlow())
			fx.c.SetView(View{OffsetX: 10, OffsetY: 10, Scale: 1})
			at := tt.at.AddXY(10, 10)
			test.TapSecondaryAt(fx.c, at)
			if fx.menu == nil {
				t.Fatal("no menu shown")
			}
			var labels []string
			var item *fyne.MenuItem
			for _, it := range fx.menu.Items {
				labels = append(labels, it.Label)
				if it.Label == tt.item {
					item = it
				}
			}
			if item == nil {
				t.Fatalf("menu %q has no %q", labels, tt.item)
			}
			item.Action()
			f := fx.ed.Flow()
			if len(f.Nodes) != tt.wantNodes || len(f.Edges) != tt.wantEdges {
				t.Fatalf("%d nodes %d edges, want %d and %d", len(f.Nodes), len(f.Edges), tt.wantNodes, tt.wantEdges)
			}
			if tt.wantNew != "" {
				n := f.Nodes[len(f.Nodes)-1]
				if n.Kind != tt.wantNew || n.Position != (flow.Position{X: float64(tt.at.X), Y: float64(tt.at.Y)}) {
					t.Fatalf("new node %s at %v, want a %s at the pointer %v", n.Kind, n.Position, tt.wantNew, tt.at)
				}
				if fx.c.r.nodes[n.ID] == nil || !fx.c.r.nodes[n.ID].shown {
					t.Fatal("the new node is not drawn")
				}
			}
		})
	}
}

func TestProblemsOnCards(t *testing.T) {
	fx := newFixture(t, smallFlow())
	nv := fx.c.r.nodes["lookup"]
	if nv.badge.Visible() || nv.problem.Visible() {
		t.Fatal("a card without problems shows a badge")
	}
	fx.ed.SetProblems(flow.Problems{
		{Severity: flow.SeverityError, Node: "lookup", Field: "call.uri", Message: "1:5: undeclared reference to 'tirgger'"},
		{Severity: flow.SeverityError, Node: "lookup", Field: "call.connection", Message: "no connection"},
	})
	if !nv.badge.Visible() || !nv.problem.Visible() {
		t.Fatal("the problem badge is not shown")
	}
	if want := "call.uri: 1:5: undeclared refere… (+1 more)"; nv.problem.Text != want {
		t.Fatalf("problem text %q, want %q", nv.problem.Text, want)
	}
	if nv.card.StrokeColor != theme.Color(theme.ColorNameError) {
		t.Fatal("a card with problems has no error border")
	}
	if fx.c.r.nodes["done"].badge.Visible() {
		t.Fatal("a card without problems shows a badge")
	}
	fx.ed.SetProblems(nil)
	if nv.badge.Visible() || nv.problem.Visible() {
		t.Fatal("cleared problems still show")
	}
}

func TestRunOverlay(t *testing.T) {
	fx := newFixture(t, smallFlow())
	objs := append([]fyne.CanvasObject(nil), fx.c.r.Objects()...)
	fx.c.SetRunOverlay(map[string]flow.Status{"start": flow.StatusSucceeded, "lookup": flow.StatusFailed}, []int{0, 2})
	tests := []struct {
		name string
		got  color.Color
		want fyne.ThemeColorName
	}{
		{"succeeded card", fx.c.r.nodes["start"].card.StrokeColor, theme.ColorNameSuccess},
		{"failed card", fx.c.r.nodes["lookup"].card.StrokeColor, theme.ColorNameError},
		{"card not run", fx.c.r.nodes["done"].card.StrokeColor, theme.ColorNameSeparator},
		{"taken connector", fx.c.r.edges[0].segs[0].StrokeColor, theme.ColorNameSuccess},
		{"taken connector label", fx.c.r.edges[0].label.Color, theme.ColorNameSuccess},
		{"connector not taken", fx.c.r.edges[1].segs[0].StrokeColor, theme.ColorNameForeground},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != theme.Color(tt.want) {
				t.Fatalf("colour %v, want %s", tt.got, tt.want)
			}
		})
	}
	if l := fx.c.r.edges[0].label; !l.Visible() || l.Text != "next" {
		t.Fatalf("taken next connector label %q visible %v", l.Text, l.Visible())
	}
	if !reflect.DeepEqual(objs, fx.c.r.Objects()) {
		t.Fatal("the overlay rebuilt the canvas objects")
	}
	fx.c.SetRunOverlay(nil, nil)
	if got := fx.c.r.nodes["start"].card.StrokeColor; got != theme.Color(theme.ColorNameSeparator) {
		t.Fatalf("cleared overlay left colour %v", got)
	}
}

func TestFailureConnectorIsDashed(t *testing.T) {
	fx := newFixture(t, smallFlow())
	ev := fx.c.r.edges[2]
	visible, hidden := 0, 0
	for i, l := range ev.segs {
		if l.Visible() {
			visible++
			if l.StrokeColor != theme.Color(theme.ColorNameError) {
				t.Fatalf("failure segment %d colour %v", i, l.StrokeColor)
			}
		} else if visible > 0 && i < 14 {
			hidden++
		}
	}
	if visible < 7 || hidden == 0 {
		t.Fatalf("failure connector has %d visible and %d gap segments; want a dashed line", visible, hidden)
	}
}

// TestBuildFlowByHand builds start -> call -> end from an empty canvas with
// the context menu and drags only, then undoes and redoes the connector.
func TestBuildFlowByHand(t *testing.T) {
	fx := newFixture(t, &flow.Flow{Name: "By hand"})
	add := func(label string, at fyne.Position) {
		t.Helper()
		fx.menu = nil
		test.TapSecondaryAt(fx.c, at)
		for _, it := range fx.menu.Items {
			if it.Label == label {
				it.Action()
				return
			}
		}
		t.Fatalf("no menu item %q", label)
	}
	add("Add start", fyne.NewPos(20, 20))
	add("Add call", fyne.NewPos(300, 20))
	add("Add end", fyne.NewPos(600, 20))
	fx.drag(fyne.NewPos(220, 82), 120, -20, 5)  // start.next -> call
	fx.drag(fyne.NewPos(500, 82), 150, -20, 5)  // call.next -> end
	fx.drag(fyne.NewPos(500, 102), 150, -40, 5) // call.failure -> end
	want := []flow.Edge{{From: "start", To: "call"}, {From: "call", To: "end"}, {From: "call", Port: "failure", To: "end"}}
	if got := fx.ed.Flow().Edges; !reflect.DeepEqual(got, want) {
		t.Fatalf("edges %+v, want %+v (errors %v)", got, want, fx.errs)
	}
	fx.ed.Undo()
	if got := len(fx.c.r.edges); got != 2 || len(fx.ed.Flow().Edges) != 2 {
		t.Fatalf("after undo %d connectors drawn", got)
	}
	fx.ed.Redo()
	if got := fx.ed.Flow().Edges; !reflect.DeepEqual(got, want) || len(fx.c.r.edges) != 3 {
		t.Fatalf("after redo edges %+v", got)
	}
	if !fx.c.r.edges[2].shown {
		t.Fatal("the redone connector is not drawn")
	}
}

func TestTapAndDragTakeFocus(t *testing.T) {
	tests := []struct {
		name string
		do   func(fx *fixture)
	}{
		{"tap", func(fx *fixture) { tap(fx.c, fyne.NewPos(350, 50)) }},
		{"drag a card", func(fx *fixture) { fx.drag(fyne.NewPos(350, 50), 10, 10, 2) }},
		{"secondary tap", func(fx *fixture) { fx.c.TappedSecondary(&fyne.PointEvent{Position: fyne.NewPos(350, 50)}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, smallFlow())
			tt.do(fx)
			if fx.w.Canvas().Focused() != fx.c {
				t.Fatalf("focused %v, want the canvas", fx.w.Canvas().Focused())
			}
			fx.c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
			if fx.ed.Flow().Node("lookup") != nil {
				t.Fatal("Delete after the gesture did not remove the card")
			}
		})
	}
}

func TestOnErrorNil(t *testing.T) {
	fx := newFixture(t, smallFlow())
	fx.c.OnError = nil
	fx.c.reportError(errors.New("dropped")) // must not panic
}

func TestHoverEnlargesPort(t *testing.T) {
	fx := newFixture(t, smallFlow())
	dot := fx.c.r.nodes["lookup"].ports[1].dot
	before := dot.Size()
	fx.c.MouseIn(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(500, 102)}})
	if dot.Size().Width <= before.Width {
		t.Fatalf("hovered port size %v, was %v", dot.Size(), before)
	}
	fx.c.MouseOut()
	if dot.Size() != before {
		t.Fatal("the port stayed enlarged after the pointer left")
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name string
		node flow.Node
		want string
	}{
		{"call", flow.Node{Kind: flow.KindCall, Call: &flow.Call{Method: "POST", URI: `"/v1/tier"`}}, `POST "/v1/tier"`},
		{"call without method", flow.Node{Kind: flow.KindCall, Call: &flow.Call{URI: `"/x"`}}, `GET "/x"`},
		{"call without uri", flow.Node{Kind: flow.KindCall, Call: &flow.Call{Method: "PUT"}}, `PUT (no URI)`},
		{"event start", flow.Node{Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerEvent, Events: []string{"a", "b"}}}, "on a, b"},
		{"webhook start", flow.Node{Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerWebhook, Path: "/hook"}}, "webhook /hook"},
		{"decision", flow.Node{Kind: flow.KindDecision, Cases: []flow.Case{{Port: "yes", When: "vars.x > 1"}}}, "yes: vars.x > 1"},
		{"set one", flow.Node{Kind: flow.KindSet, Assign: []flow.Assignment{{Name: "a", Value: "1"}}}, "a = 1"},
		{"set many", flow.Node{Kind: flow.KindSet, Assign: make([]flow.Assignment, 3)}, "3 variables"},
		{"emit", flow.Node{Kind: flow.KindEmit, Event: "chat.escalated"}, "chat.escalated"},
		{"end", flow.Node{Kind: flow.KindEnd, Outcome: "routed"}, "outcome: routed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summary(&tt.node); got != tt.want {
				t.Fatalf("Summary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEditsFromElsewhere(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(f *flow.Flow) error
		check func(t *testing.T, fx *fixture)
	}{
		{"a new branch adds a port and moves the ports below it", func(f *flow.Flow) error {
			f.Node("lookup").Call.Branches = []string{"vip", "gold"}
			return nil
		}, func(t *testing.T, fx *fixture) {
			nv := fx.c.r.nodes["lookup"]
			if got := nv.portNames(); !reflect.DeepEqual(got, []string{"vip", "gold", "default", "failure"}) {
				t.Fatalf("ports %v", got)
			}
			if h := nv.card.Size().Height; h != headerH+4*portRowH+cardPadB {
				t.Fatalf("card height %v", h)
			}
			failure := fx.c.r.edges[2].segs[0].Position1
			if want := portScreen(fx.c.view, flow.Position{X: 300, Y: 20}, portOffset(3)); !nearPos(failure, want) {
				t.Fatalf("failure connector starts at %v, want the moved port at %v", failure, want)
			}
			drawn := map[fyne.CanvasObject]bool{}
			for _, o := range fx.c.r.Objects() {
				drawn[o] = true
			}
			for _, o := range nv.objs {
				if !drawn[o] {
					t.Fatalf("object %T of the rebuilt card is not drawn", o)
				}
			}
		}},
		{"a new title and URI show on the card", func(f *flow.Flow) error {
			f.Node("lookup").Title = "Find tier"
			f.Node("lookup").Call.URI = `"/v2/tier"`
			return nil
		}, func(t *testing.T, fx *fixture) {
			nv := fx.c.r.nodes["lookup"]
			if nv.title.Text != "Find tier" || nv.summary.Text != `POST "/v2/tier"` {
				t.Fatalf("card says %q / %q", nv.title.Text, nv.summary.Text)
			}
		}},
		{"a renamed node keeps its connectors", func(f *flow.Flow) error {
			f.Node("done").ID = "finish"
			for i := range f.Edges {
				if f.Edges[i].To == "done" {
					f.Edges[i].To = "finish"
				}
			}
			return nil
		}, func(t *testing.T, fx *fixture) {
			if fx.c.r.nodes["done"] != nil || fx.c.r.nodes["finish"] == nil {
				t.Fatal("the views do not follow the new id")
			}
			if !fx.c.r.edges[1].shown || !fx.c.r.edges[1].segs[0].Visible() {
				t.Fatal("the connector to the renamed node is not drawn")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, smallFlow())
			if err := fx.ed.Edit(tt.name, tt.edit); err != nil {
				t.Fatal(err)
			}
			tt.check(t, fx)
		})
	}
}

func TestRevealAndViewCenter(t *testing.T) {
	f := smallFlow()
	f.Nodes[2].Position = flow.Position{X: 3000, Y: 2000}
	fx := newFixture(t, f)
	if fx.c.r.nodes["done"].shown {
		t.Fatal("a far card is drawn")
	}
	fx.c.Reveal("done")
	nv := fx.c.r.nodes["done"]
	p, s, size := nv.card.Position(), nv.card.Size(), fx.c.Size()
	if !nv.shown || p.X < 0 || p.Y < 0 || p.X+s.Width > size.Width || p.Y+s.Height > size.Height {
		t.Fatalf("revealed card at %v size %v outside %v", p, s, size)
	}
	before := fx.c.View()
	fx.c.Reveal("done")
	if fx.c.View() != before {
		t.Fatal("revealing a visible card moved the view")
	}
	fx.c.Reveal("nope")
	c := fx.c.ViewCenter()
	if got := fx.c.view.ToScreen(c); !nearPos(got, fyne.NewPos(float32(int(size.Width/2)), float32(int(size.Height/2)))) && dist(got, fyne.NewPos(size.Width/2, size.Height/2)) > 1 {
		t.Fatalf("ViewCenter %v is drawn at %v, not the middle of %v", c, got, size)
	}
}
