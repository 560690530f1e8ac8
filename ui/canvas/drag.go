package canvas

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/flowbench/flowbench/flow"
)

type dragMode int

const (
	dragNone    dragMode = iota
	dragNode             // moving one card
	dragConnect          // drawing a connector from an output port
	dragPan              // moving the view
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
		s := c.view.Scale
		d := c.drag.cur.Subtract(c.drag.start)
		nv := c.drag.nv
		nv.pos = flow.Position{
			X: math.Round(c.drag.origin.X + float64(d.X/s)),
			Y: math.Round(c.drag.origin.Y + float64(d.Y/s)),
		}
		c.r.layoutNode(nv)
		for _, ei := range nv.edges {
			c.r.layoutEdge(c.r.edges[ei], false)
		}
	case dragConnect:
		c.r.drawPreview(c.drag.nv, c.drag.port, c.drag.cur)
	case dragPan:
		c.view.OffsetX += e.Dragged.DX
		c.view.OffsetY += e.Dragged.DY
		c.r.layoutAll()
	}
}

func (c *Canvas) beginDrag(start fyne.Position) {
	c.requestFocus()
	c.drag = dragState{start: start, cur: start, mode: dragPan}
	h := c.hitTest(start)
	switch {
	case h.kind == hitPort && c.r.nodes[h.node] != nil:
		c.drag.mode = dragConnect
		c.drag.node, c.drag.port, c.drag.nv = h.node, h.port, c.r.nodes[h.node]
	case (h.kind == hitNode || h.kind == hitInput) && c.r.nodes[h.node] != nil:
		c.drag.mode = dragNode
		c.drag.node, c.drag.nv = h.node, c.r.nodes[h.node]
		c.drag.origin = c.drag.nv.pos
		c.ed.Select(selNode(h.node))
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
		if c.ed.Flow().Node(d.node) == nil {
			return
		}
		c.reportError(c.ed.MoveNode(d.node, d.nv.pos))
	case dragConnect:
		c.r.preview.hide()
		h := c.hitTest(d.cur)
		if h.node != "" && h.kind != hitEdge {
			c.reportError(c.ed.Connect(d.node, d.port, h.node))
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
