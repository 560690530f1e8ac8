package canvas

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/flow"
)

// loopFlow: start → ask (decision: yes, default) → fix (set) → back to
// ask: the connector fix → ask goes backwards, with a card (note) right
// under the row of cards it must go around.
func loopFlow() *flow.Flow {
	return &flow.Flow{Format: flow.Format, Name: "Loop", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart, Position: flow.Position{X: 20, Y: 40}},
		{ID: "ask", Kind: flow.KindDecision, Position: flow.Position{X: 300, Y: 40},
			Cases: []flow.Case{{Port: "yes", When: "true"}}},
		{ID: "fix", Kind: flow.KindSet, Position: flow.Position{X: 580, Y: 40}},
		{ID: "note", Kind: flow.KindEnd, Position: flow.Position{X: 420, Y: 150}},
	}, Edges: []flow.Edge{
		{From: "start", To: "ask"},
		{From: "ask", Port: "yes", To: "fix"},
		{From: "fix", To: "ask"},
		{From: "ask", Port: "default", To: "note"},
	}}
}

// drawnPoints samples the visible segments of edge i, as drawn.
func drawnPoints(fx *fixture, i int) []fyne.Position {
	var pts []fyne.Position
	for _, l := range fx.c.r.edges[i].segs {
		if !l.Visible() {
			continue
		}
		for k := 0; k <= 8; k++ {
			t := float32(k) / 8
			pts = append(pts, fyne.NewPos(l.Position1.X+(l.Position2.X-l.Position1.X)*t, l.Position1.Y+(l.Position2.Y-l.Position1.Y)*t))
		}
	}
	return pts
}

// TestBackEdgeGoesAroundCards (issue 13, item 11): a connector into a card
// left of its port goes around its cards and the cards in its way instead
// of through them, and a tap on the way it takes selects it.
func TestBackEdgeGoesAroundCards(t *testing.T) {
	fx := newFixture(t, loopFlow())
	fx.w.Resize(fyne.NewSize(1000, 600))
	pts := drawnPoints(fx, 2)
	if len(pts) == 0 {
		t.Fatal("the connector fix → ask is not drawn")
	}
	doc := fx.ed.Flow()
	for i := range doc.Nodes {
		n := &doc.Nodes[i]
		r := nodeRect(n)
		tl := fx.c.view.ToScreen(n.Position)
		inner := Rect{tl.X + 3, tl.Y + 3, r.W*fx.c.view.Scale - 6, r.H*fx.c.view.Scale - 6}
		for _, p := range pts {
			if inner.Contains(p) {
				t.Fatalf("the connector fix → ask passes through card %s at %v", n.ID, p)
			}
		}
	}
	// a tap on its lane, half way
	doc = fx.ed.Flow()
	lane := fx.c.connectorPath(doc.Node("fix"), doc.Node("ask"), 0).ToScreen(fx.c.view).PointAt(0.5)
	if lane.Y > 40 {
		t.Fatalf("the lane is at y=%v: the way above the cards is the shorter", lane.Y)
	}
	fx.c.Tapped(&fyne.PointEvent{Position: lane})
	if sel := fx.ed.Selection(); sel.Edge != 2 {
		t.Fatalf("a tap on the lane at %v selected %+v, want connector 2", lane, sel)
	}
}

// TestConnectorLabelsClearOfPorts (issue 13, item 11): no connector label
// covers a port or an input dot, lit or not, short or long.
func TestConnectorLabelsClearOfPorts(t *testing.T) {
	fx := newFixture(t, loopFlow())
	fx.w.Resize(fyne.NewSize(1000, 600))
	fx.c.SetRunOverlay(map[string]flow.Status{"start": flow.StatusSucceeded, "ask": flow.StatusSucceeded}, []int{0, 1, 2, 3})
	shown := 0
	for i, ev := range fx.c.r.edges {
		if !ev.label.Visible() {
			continue
		}
		shown++
		lr := Rect{ev.label.Position().X, ev.label.Position().Y, ev.label.Size().Width, ev.label.Size().Height}
		for _, nv := range fx.c.r.order {
			dots := []fyne.CanvasObject{}
			if nv.input != nil {
				dots = append(dots, nv.input)
			}
			for _, p := range nv.ports {
				dots = append(dots, p.dot)
			}
			for _, d := range dots {
				dr := Rect{d.Position().X, d.Position().Y, d.Size().Width, d.Size().Height}
				if lr.Intersects(dr) {
					t.Errorf("label %q of connector %d at %+v covers a dot of %s at %+v", ev.label.Text, i, lr, nv.id, dr)
				}
			}
		}
	}
	if shown < 3 {
		t.Fatalf("%d labels shown, want the lit connectors' labels", shown)
	}
}

// TestConnectorPathLane: the lane of a connector going backwards passes
// the cards in its way, on the side that makes it shorter.
func TestConnectorPathLane(t *testing.T) {
	src := Rect{300, 0, 200, 80}
	a, b := fyne.NewPos(500, 60), fyne.NewPos(300, 20)
	tests := []struct {
		name   string
		others []Rect
		lane   float32
	}{
		{"nothing in the way: below, as short as above", nil, 108},
		{"a card under it: above, the shorter", []Rect{{350, 100, 200, 60}}, -28},
		{"cards above and below: below, past the nearer", []Rect{{350, 100, 200, 60}, {200, -100, 200, 90}}, 188},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := connectorPath(a, b, src, src, tt.others)
			if len(p) != 3 || p.PointAt(0.5).Y != tt.lane {
				t.Fatalf("path %v: lane at y=%v, want %v", p, p.PointAt(0.5).Y, tt.lane)
			}
			if p[0][0] != a || p[2][3] != b {
				t.Fatalf("path %v does not run from %v to %v", p, a, b)
			}
		})
	}
}

// TestFitShowsLoopsAndProblems (issue 13, smaller): Fit to window keeps a
// loop's lane and a card's problem line inside the canvas.
func TestFitShowsLoopsAndProblems(t *testing.T) {
	fx := newFixture(t, loopFlow())
	fx.ed.SetProblems(flow.Problems{{Severity: flow.SeverityError, Node: "fix", Field: "assign",
		Message: "a set node needs at least one variable to set; add one in its form"}})
	fx.w.Resize(fyne.NewSize(700, 400))
	fx.c.FitToWindow()
	size := fx.c.Size()
	inside := func(what string, p fyne.Position) {
		if p.X < 0 || p.Y < 0 || p.X > size.Width || p.Y > size.Height {
			t.Errorf("%s at %v is outside the %v canvas after Fit", what, p, size)
		}
	}
	for _, p := range drawnPoints(fx, 2) {
		inside("the loop fix → ask", p)
	}
	pt := fx.c.r.nodes["fix"].problem
	if !pt.Visible() {
		t.Fatal("the problem line of fix is not shown")
	}
	w := fyne.MeasureText(pt.Text, pt.TextSize, pt.TextStyle).Width
	inside("the start of fix's problem line", pt.Position())
	inside("the end of fix's problem line", pt.Position().AddXY(w, pt.TextSize))
}

// TestWarningsInTheWarningColour (issue 13, smaller): a card whose
// problems are warnings shows them in the warning colour, as the console
// does; an error among them makes it the error colour.
func TestWarningsInTheWarningColour(t *testing.T) {
	fx := newFixture(t, loopFlow())
	warn := flow.Problem{Severity: flow.SeverityWarning, Node: "fix", Message: "nothing reads this variable"}
	fx.ed.SetProblems(flow.Problems{warn})
	nv := fx.c.r.nodes["fix"]
	for name, got := range map[string]any{"border": nv.card.StrokeColor, "badge": nv.badge.FillColor, "problem line": nv.problem.Color} {
		if got != theme.Color(theme.ColorNameWarning) {
			t.Errorf("a warning's %s has colour %v, want the warning colour", name, got)
		}
	}
	fx.ed.SetProblems(flow.Problems{warn, {Severity: flow.SeverityError, Node: "fix", Field: "assign", Message: "no variable"}})
	if nv.card.StrokeColor != theme.Color(theme.ColorNameError) || nv.problem.Color != theme.Color(theme.ColorNameError) {
		t.Errorf("a card with an error has border %v and line %v, want the error colour", nv.card.StrokeColor, nv.problem.Color)
	}
	if want := "assign: no variable (+1 more)"; nv.problem.Text != want {
		t.Errorf("problem line %q, want %q (the error first)", nv.problem.Text, want)
	}
}

// TestFreeSpot (issue 13, item 10): nodes added one after the other go to
// free places near the middle of the view, or next to the selected node,
// never on another card.
func TestFreeSpot(t *testing.T) {
	fx := newFixture(t, smallFlow())
	fx.w.Resize(fyne.NewSize(900, 500))
	fx.ed.Select(selNode(""))
	var ids []string
	for range 8 {
		id, err := fx.ed.AddNode(flow.KindSet, fx.c.FreeSpot(flow.KindSet))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	doc := fx.ed.Flow()
	for i := range doc.Nodes {
		for j := i + 1; j < len(doc.Nodes); j++ {
			if nodeRect(&doc.Nodes[i]).Intersects(nodeRect(&doc.Nodes[j])) {
				t.Fatalf("cards %s at %v and %s at %v overlap", doc.Nodes[i].ID, doc.Nodes[i].Position, doc.Nodes[j].ID, doc.Nodes[j].Position)
			}
		}
	}
	mid := fx.c.ViewCenter()
	first := doc.Node(ids[0]).Position
	if d := math.Hypot(first.X+cardWidth/2-mid.X, first.Y-mid.Y); d > 300 {
		t.Fatalf("the first added node is at %v, %v away from the middle of the view %v", first, d, mid)
	}
	fx.ed.Select(selNode("done"))
	at := fx.c.FreeSpot(flow.KindEnd)
	done := doc.Node("done").Position
	if at.X <= done.X+cardWidth || at.X > done.X+cardWidth+200 || math.Abs(at.Y-done.Y) > 200 {
		t.Fatalf("a node added with done (at %v) selected goes to %v, want just right of it", done, at)
	}
}

// TestConnectorPathGapLane: a connector into a card below and behind its
// port runs in the gap between the two cards, unless a card fills it; one
// into the card right beside its port is a plain curve.
func TestConnectorPathGapLane(t *testing.T) {
	src, dst := Rect{680, 60, 200, 118}, Rect{460, 360, 200, 58}
	a, b := fyne.NewPos(880, 122), fyne.NewPos(460, 380)
	if p := connectorPath(a, b, src, dst, nil); len(p) != 3 || p.PointAt(0.5).Y != 269 {
		t.Fatalf("lane at %v, want y=269 half way between the cards", p.PointAt(0.5))
	}
	if p := connectorPath(a, b, src, dst, []Rect{{500, 240, 200, 58}}); p.PointAt(0.5).Y == 269 {
		t.Fatal("the lane runs through the card in the gap")
	}
	beside := connectorPath(fyne.NewPos(240, 190), fyne.NewPos(240, 180), Rect{40, 160, 200, 78}, Rect{240, 160, 200, 78}, nil)
	if len(beside) != 1 {
		t.Fatalf("a connector into the card beside its port is routed: %v", beside)
	}
}

// TestProblemLinesOfNeighboursDoNotOverlap: the problem line under a card
// is cut to its card's width (the console and the form hold the whole
// text), so the lines of two cards placed side by side by FreeSpot never
// run into each other.
func TestProblemLinesOfNeighboursDoNotOverlap(t *testing.T) {
	fx := newFixture(t, &flow.Flow{Format: flow.Format, Name: "Two"})
	a, _ := fx.ed.AddNode(flow.KindCall, fx.c.FreeSpot(flow.KindCall))
	b, _ := fx.ed.AddNode(flow.KindCall, fx.c.FreeSpot(flow.KindCall))
	long := "no connection; choose the connection this call goes through, or add one under Connections"
	fx.ed.SetProblems(flow.Problems{
		{Severity: flow.SeverityError, Node: a, Field: "call.connection", Message: long},
		{Severity: flow.SeverityError, Node: a, Field: "call.uri", Message: long},
		{Severity: flow.SeverityError, Node: b, Field: "call.connection", Message: long},
	})
	la, lb := fx.c.r.nodes[a].problem, fx.c.r.nodes[b].problem
	left, right := la, lb
	if lb.Position().X < la.Position().X {
		left, right = lb, la
	}
	end := left.Position().X + fyne.MeasureText(left.Text, left.TextSize, left.TextStyle).Width
	if end >= right.Position().X && left.Position().Y == right.Position().Y {
		t.Fatalf("the problem line %q ends at x=%v, over %q starting at x=%v", left.Text, end, right.Text, right.Position().X)
	}
}
