package canvas

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/flow"
)

type dragMode int

const (
	dragNone    dragMode = iota
	dragNode             // moving one card, or every selected card
	dragConnect          // drawing a connector from an output port
	dragPan              // moving the view
	dragBand             // drawing a rubber band to select the cards in it
	dragEdgeEnd          // moving the end of the selected connector to another card
)

// dragState is the gesture in progress. start and cur are widget
// coordinates; cur accumulates the deltas of the drag events.
type dragState struct {
	mode   dragMode
	start  fyne.Position
	cur    fyne.Position
	node   string
	origin flow.Position // the dragged card's position when the drag began
	port   string
	nv     *nodeView
	// group holds the other selected cards moving with nv, and their
	// positions when the drag began.
	group   []*nodeView
	origins []flow.Position
	edge    int // the connector whose end is moved (dragEdgeEnd)
}

// MouseDown records where a press happened: the real driver reports a drag
// only after the pointer has moved a few pixels, from the current position,
// so the press point is the only exact start of a drag.
func (c *Canvas) MouseDown(e *desktop.MouseEvent) {
	if e.Button == desktop.MouseButtonPrimary {
		p := e.Position
		c.press = &p
	}
}

// MouseUp forgets the press when no drag followed it.
func (c *Canvas) MouseUp(*desktop.MouseEvent) {
	if c.drag.mode == dragNone {
		c.press = nil
	}
}

// Dragged moves a card, draws a connector or pans, depending on what was
// under the pointer when the drag began. It touches only the objects the
// gesture changes and never the document: DragEnd commits.
//
// Without a MouseDown (fyne's test.Drag), e.Position is taken as the start.
func (c *Canvas) Dragged(e *fyne.DragEvent) {
	if c.r == nil {
		return
	}
	if c.drag.mode == dragNone {
		start := e.Position
		if c.press != nil {
			start = *c.press
		}
		c.beginDrag(start)
	}
	c.drag.cur = c.drag.cur.AddXY(e.Dragged.DX, e.Dragged.DY)
	switch c.drag.mode {
	case dragNode:
		dx, dy := c.dragDelta()
		nv := c.drag.nv
		nv.pos = flow.Position{X: c.drag.origin.X + dx, Y: c.drag.origin.Y + dy}
		c.r.layoutNode(nv)
		for i, g := range c.drag.group {
			g.pos = flow.Position{X: c.drag.origins[i].X + dx, Y: c.drag.origins[i].Y + dy}
			c.r.layoutNode(g)
		}
		c.r.layoutEdgesOf(nv, c.drag.group)
	case dragBand:
		c.r.drawBand(c.drag.start, c.drag.cur)
	case dragEdgeEnd:
		if ev := c.r.edges[c.drag.edge]; ev != nil {
			ev.hide()
		}
		c.r.drawPreview(c.drag.nv, c.drag.port, c.drag.cur)
	case dragConnect:
		c.r.drawPreview(c.drag.nv, c.drag.port, c.drag.cur)
	case dragPan:
		c.view.OffsetX += e.Dragged.DX
		c.view.OffsetY += e.Dragged.DY
		c.r.layoutAll()
	}
}

// dragDelta is how far (flow units, rounded) the pointer moved since the
// drag began.
func (c *Canvas) dragDelta() (dx, dy float64) {
	s := c.view.Scale
	d := c.drag.cur.Subtract(c.drag.start)
	return math.Round(float64(d.X / s)), math.Round(float64(d.Y / s))
}

func (c *Canvas) beginDrag(start fyne.Position) {
	c.requestFocus()
	c.drag = dragState{start: start, cur: start, mode: dragPan}
	h := c.hitTest(start)
	if i, ok := c.selectedEdgeEndAt(start); ok {
		e := c.ed.Flow().Edges[i]
		c.drag.mode, c.drag.edge = dragEdgeEnd, i
		c.drag.node, c.drag.port, c.drag.nv = e.From, e.PortName(), c.r.nodes[e.From]
		return
	}
	switch {
	case h.kind == hitPort && c.r.nodes[h.node] != nil:
		c.drag.mode = dragConnect
		c.drag.node, c.drag.port, c.drag.nv = h.node, h.port, c.r.nodes[h.node]
	case (h.kind == hitNode || h.kind == hitInput) && c.r.nodes[h.node] != nil:
		c.drag.mode = dragNode
		c.drag.node, c.drag.nv = h.node, c.r.nodes[h.node]
		c.drag.origin = c.drag.nv.pos
		if !c.ed.IsSelected(h.node) {
			c.ed.Select(selNode(h.node))
		}
		// a card of a selection of several takes the others along
		for _, id := range c.ed.SelectedNodes() {
			if g := c.r.nodes[id]; g != nil && id != h.node {
				c.drag.group = append(c.drag.group, g)
				c.drag.origins = append(c.drag.origins, g.pos)
			}
		}
	case h.kind == hitNone && c.modifiers()&fyne.KeyModifierShift != 0:
		c.drag.mode = dragBand
	}
}

// DragEnd commits the gesture: a moved card becomes one undoable move, a
// connector dropped on a card becomes an edge.
func (c *Canvas) DragEnd() {
	d := c.drag
	c.drag, c.press = dragState{}, nil
	if c.r == nil {
		return
	}
	switch d.mode {
	case dragNode:
		n := c.ed.Flow().Node(d.node)
		if n == nil {
			return
		}
		if len(d.group) == 0 {
			c.reportError(c.ed.MoveNode(d.node, d.nv.pos))
			c.r.layoutMinimap() // the one card's edit redraws that card only
			return
		}
		ids := []string{d.node}
		for _, g := range d.group {
			ids = append(ids, g.id)
		}
		c.reportError(c.ed.MoveNodes(ids, d.nv.pos.X-n.Position.X, d.nv.pos.Y-n.Position.Y))
	case dragConnect:
		c.r.preview.hide()
		h := c.hitTest(d.cur)
		switch {
		case h.node != "" && h.kind != hitEdge:
			c.reportError(c.ed.Connect(d.node, d.port, h.node))
		case h.kind == hitNone:
			// dropped on empty canvas: pick the node to add there, connected
			c.quickAdd(QuickAdd{From: d.node, Port: d.port, Screen: d.cur, At: c.inputAt(d.cur), Near: true})
		}
	case dragEdgeEnd:
		c.r.preview.hide()
		h := c.hitTest(d.cur)
		if h.node != "" && h.kind != hitEdge {
			c.reportError(c.ed.Reconnect(d.edge, h.node))
		}
		if d.edge < len(c.r.edges) {
			c.r.layoutEdge(c.r.edges[d.edge], true) // drawn again where it leads now
		}
	case dragBand:
		c.r.band.Hide()
		c.r.refresh(c.r.band)
		c.selectInBand(d.start, d.cur)
	}
}

// selectInBand adds the cards the rectangle from a to b (widget
// coordinates) touches to the selection (Shift-drag extends it, as
// Shift-click does).
func (c *Canvas) selectInBand(a, b fyne.Position) {
	fa, fb := c.view.ToFlow(a), c.view.ToFlow(b)
	band := Rect{float32(min(fa.X, fb.X)), float32(min(fa.Y, fb.Y)), float32(math.Abs(fa.X - fb.X)), float32(math.Abs(fa.Y - fb.Y))}
	ids := c.ed.SelectedNodes()
	doc := c.ed.Flow()
	for i := range doc.Nodes {
		if n := &doc.Nodes[i]; nodeRect(n).Intersects(band) && !c.ed.IsSelected(n.ID) {
			ids = append(ids, n.ID)
		}
	}
	c.ed.SelectNodes(ids)
}

// drawBand shows the rubber band from a to b.
func (r *renderer) drawBand(a, b fyne.Position) {
	r.band.StrokeColor = r.color(themePrimary)
	fill := r.color(theme.ColorNameSelection)
	r.band.FillColor = fill
	r.band.Move(fyne.NewPos(min(a.X, b.X), min(a.Y, b.Y)))
	r.band.Resize(fyne.NewSize(abs(a.X-b.X), abs(a.Y-b.Y)))
	show(r.band, true)
	r.refresh(r.band)
}

// layoutEdgesOf re-flattens the connectors of the moving cards, each once.
func (r *renderer) layoutEdgesOf(nv *nodeView, group []*nodeView) {
	if len(group) == 0 {
		for _, ei := range nv.edges {
			r.layoutEdge(r.edges[ei], false)
		}
		return
	}
	done := map[int]bool{}
	for _, g := range append([]*nodeView{nv}, group...) {
		for _, ei := range g.edges {
			if !done[ei] {
				done[ei] = true
				r.layoutEdge(r.edges[ei], false)
			}
		}
	}
}

// drawPreview draws the connector being dragged out of a port, to the pointer.
func (r *renderer) drawPreview(from *nodeView, port string, to fyne.Position) {
	pi := from.portIndex(port)
	if pi < 0 {
		return
	}
	v := r.view()
	a := portScreen(v, from.pos, portOffset(pi))
	st := edgeStyle{color: r.color(themePrimary), width: 2, label: port}
	r.drawCurve(r.preview, Path{connectorCurve(a, to, v.Scale)}, st, true, true)
}

// selectedEdgeEndAt reports whether p (widget coordinates) is on the end
// of the selected connector, at its target's input: a drag from there
// moves that end to another card.
func (c *Canvas) selectedEdgeEndAt(p fyne.Position) (int, bool) {
	i := c.ed.Selection().Edge
	doc := c.ed.Flow()
	if i < 0 || i >= len(doc.Edges) || c.r.nodes[doc.Edges[i].From] == nil {
		return -1, false
	}
	dst := doc.Node(doc.Edges[i].To)
	if dst == nil {
		return -1, false
	}
	r := max(portHitPx, portRadius*c.view.Scale+2)
	return i, dist(p, portScreen(c.view, dst.Position, inputOffset())) <= r
}
