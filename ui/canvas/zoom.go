package canvas

import (
	"math"
	"slices"

	"fyne.io/fyne/v2"

	"github.com/flowbench/flowbench/flow"
)

// zoomStep is the factor of one ZoomIn or ZoomOut.
const zoomStep = 1.25

// Scrolled pans the view, or zooms around the pointer when Ctrl (or Cmd) is
// held: fyne's scroll events carry no modifiers, so they are read from the
// desktop driver.
func (c *Canvas) Scrolled(e *fyne.ScrollEvent) {
	mods := c.modifiers()
	if mods&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0 {
		// a wheel notch is about 10 units on the desktop driver: ~10% per notch
		c.zoomAt(e.Position, float32(math.Exp(float64(e.Scrolled.DY)*0.01)))
		return
	}
	c.view.OffsetX += e.Scrolled.DX
	c.view.OffsetY += e.Scrolled.DY
	c.relayout()
}

// ZoomIn magnifies around the middle of the canvas.
func (c *Canvas) ZoomIn() { c.zoomAt(c.middle(), zoomStep) }

// ZoomOut shrinks around the middle of the canvas.
func (c *Canvas) ZoomOut() { c.zoomAt(c.middle(), 1/zoomStep) }

// FitToWindow pans and zooms so everything drawn is visible (every card,
// the problem line under it, every connector with its label, loops
// included), at most at 100%.
func (c *Canvas) FitToWindow() {
	r := c.contentBounds()
	if r == (Rect{}) {
		c.SetView(identityView)
		return
	}
	c.SetView(Fit(r, c.Size(), 24, 1))
}

// contentBounds is the rectangle, in flow units, that holds everything the
// canvas draws of the document at scale 1.
func (c *Canvas) contentBounds() Rect {
	doc := c.ed.Flow()
	var r Rect
	for i := range doc.Nodes {
		n := &doc.Nodes[i]
		nr := nodeRect(n)
		nr.W += 2 * portRadius
		nr.X -= portRadius
		r = r.Union(nr)
		if ps := c.ed.NodeProblems(n.ID); len(ps) > 0 {
			w := fyne.MeasureText(problemText(ps), 11, fyne.TextStyle{}).Width
			r = r.Union(Rect{float32(n.Position.X), nr.Y + nr.H + 2, max(w, nr.W), problemTxtH})
		}
	}
	ci := newCardIndex(len(doc.Nodes), func(i int) (any, Rect) { return doc.Nodes[i].ID, nodeRect(&doc.Nodes[i]) })
	byID := make(map[string]*flow.Node, len(doc.Nodes))
	for i := range doc.Nodes {
		byID[doc.Nodes[i].ID] = &doc.Nodes[i]
	}
	for _, e := range doc.Edges {
		src, dst := byID[e.From], byID[e.To]
		if src == nil || dst == nil || !flow.HasInput(dst.Kind) {
			continue
		}
		if pi := slices.Index(src.Ports(), e.PortName()); pi >= 0 {
			r = r.Union(c.connectorPathIn(ci, src, dst, pi).Bounds().Grow(18)) // with the label above it
		}
	}
	return r
}

// Zoom returns the current scale (1 is 100%).
func (c *Canvas) Zoom() float32 { return c.view.Scale }

// View returns the current view transform.
func (c *Canvas) View() View { return c.view }

// SetView replaces the view transform (the scale is clamped) and redraws.
func (c *Canvas) SetView(v View) {
	if v.Scale == 0 {
		v.Scale = 1
	}
	v.Scale = clamp(v.Scale, MinScale, MaxScale)
	c.view = v
	c.relayout()
}

// ViewCenter returns the flow position at the middle of the canvas: where a
// palette adds a node.
func (c *Canvas) ViewCenter() flow.Position {
	p := c.view.ToFlow(c.middle())
	return flow.Position{X: math.Round(p.X), Y: math.Round(p.Y)}
}

// FreeSpot returns where a new node of kind k goes: the free place nearest
// to the right of the selected node, or to the middle of the view when
// nothing is selected, whose card overlaps no other card (with a gap
// around it). It searches a bounded neighbourhood; when every place there
// is taken it returns the one below all the cards.
func (c *Canvas) FreeSpot(k flow.NodeKind) flow.Position {
	const gap = 24
	w, h := cardSize(len((&flow.Node{Kind: k}).Ports()))
	doc := c.ed.Flow()
	var anchor fyne.Position
	if n := doc.Node(c.ed.Selection().Node); n != nil {
		r := nodeRect(n)
		anchor = fyne.NewPos(r.X+r.W+2*gap+2*portRadius, r.Y)
	} else {
		m := c.view.ToFlow(c.middle())
		anchor = fyne.NewPos(float32(m.X)-w/2, float32(m.Y)-h/2)
	}
	return c.freeSpot(w, h, anchor)
}

// freeSpot returns the place nearest to anchor (flow units) for a box of
// w×h whose every point keeps a gap from every card: a bounded search
// around anchor, else the place below all the cards.
func (c *Canvas) freeSpot(w, h float32, anchor fyne.Position) flow.Position {
	const gap, step, rings = 24, 40, 12
	doc := c.ed.Flow()
	cards := make([]Rect, len(doc.Nodes))
	for i := range doc.Nodes {
		cards[i] = nodeRect(&doc.Nodes[i]).Grow(gap)
	}
	free := func(p fyne.Position) bool {
		r := Rect{p.X, p.Y, w, h}
		for _, cr := range cards {
			if r.Intersects(cr) {
				return false
			}
		}
		return true
	}
	best, bestD := fyne.Position{}, float32(math.Inf(1))
	for dy := -rings; dy <= rings; dy++ {
		for dx := -rings; dx <= rings; dx++ {
			p := anchor.AddXY(float32(dx*step), float32(dy*step))
			if d := dist(p, anchor); d < bestD && free(p) {
				best, bestD = p, d
			}
		}
	}
	if math.IsInf(float64(bestD), 1) {
		var all Rect
		for _, cr := range cards {
			all = all.Union(cr)
		}
		best = fyne.NewPos(anchor.X, all.Y+all.H+gap)
	}
	return flow.Position{X: math.Round(float64(best.X)), Y: math.Round(float64(best.Y))}
}

// Reveal pans so the node with that id is in view, centring it when it is
// not already fully visible. Unknown ids do nothing.
func (c *Canvas) Reveal(id string) {
	n := c.ed.Flow().Node(id)
	if n == nil {
		return
	}
	r := nodeRect(n)
	tl := c.view.ToScreen(n.Position)
	screen := Rect{tl.X, tl.Y, r.W * c.view.Scale, r.H * c.view.Scale}
	size := c.Size()
	if screen.X >= 0 && screen.Y >= 0 && screen.X+screen.W <= size.Width && screen.Y+screen.H <= size.Height {
		return
	}
	v := c.view
	v.OffsetX += size.Width/2 - (screen.X + screen.W/2)
	v.OffsetY += size.Height/2 - (screen.Y + screen.H/2)
	c.SetView(v)
}

func (c *Canvas) zoomAt(p fyne.Position, factor float32) {
	c.view = c.view.ZoomAt(p, factor)
	c.relayout()
}

func (c *Canvas) middle() fyne.Position {
	s := c.Size()
	return fyne.NewPos(s.Width/2, s.Height/2)
}

// relayout redraws every object for a new view: a pan or zoom moves all of
// them, but creates none.
func (c *Canvas) relayout() {
	if c.r != nil {
		c.r.layoutAll()
	}
}
