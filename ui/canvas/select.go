package canvas

import (
	"math"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

const themePrimary = theme.ColorNamePrimary

type hitKind int

const (
	hitNone  hitKind = iota
	hitNode          // a card's body
	hitPort          // an output port's dot
	hitInput         // a card's input dot
	hitEdge          // a connector
)

// hit is what lies under a point of the widget.
type hit struct {
	kind hitKind
	node string
	port string
	edge int
}

func selNode(id string) editor.Selection { return editor.Selection{Node: id, Edge: -1} }

// hitTest finds the topmost thing under p (widget coordinates): an output
// port (the dot sticks out of its card, so ports come first), then a card,
// then the connector nearest p within a few pixels. Cards drawn later lie on
// top, so they are tried first.
func (c *Canvas) hitTest(p fyne.Position) hit {
	doc := c.ed.Flow()
	v := c.view
	portR := max(portHitPx, portRadius*v.Scale+2)
	for i := len(doc.Nodes) - 1; i >= 0; i-- {
		n := &doc.Nodes[i]
		for pi, port := range n.Ports() {
			if dist(p, portScreen(v, n.Position, portOffset(pi))) <= portR {
				return hit{kind: hitPort, node: n.ID, port: port, edge: -1}
			}
		}
	}
	for i := len(doc.Nodes) - 1; i >= 0; i-- {
		n := &doc.Nodes[i]
		r := nodeRect(n)
		tl := v.ToScreen(n.Position)
		if (Rect{tl.X, tl.Y, r.W * v.Scale, r.H * v.Scale}).Contains(p) {
			return hit{kind: hitNode, node: n.ID, edge: -1}
		}
		if flow.HasInput(n.Kind) && dist(p, portScreen(v, n.Position, inputOffset())) <= portR {
			return hit{kind: hitInput, node: n.ID, edge: -1}
		}
	}
	if i := c.hitEdge(p); i >= 0 {
		return hit{kind: hitEdge, edge: i}
	}
	return hit{kind: hitNone, edge: -1}
}

// hitEdge returns the index of the connector closest to p within edgeHitPx,
// or -1. Curves are flattened finely here: a tap is rare, accuracy matters.
func (c *Canvas) hitEdge(p fyne.Position) int {
	doc := c.ed.Flow()
	v := c.view
	best, bestD := -1, float32(edgeHitPx)
	var pts []fyne.Position
	for i, e := range doc.Edges {
		src, dst := doc.Node(e.From), doc.Node(e.To)
		if src == nil || dst == nil {
			continue
		}
		pi := slices.Index(src.Ports(), e.PortName())
		if pi < 0 {
			continue
		}
		curve := c.connectorPath(src, dst, pi).ToScreen(v)
		if !curve.Bounds().Grow(edgeHitPx).Contains(p) {
			continue
		}
		pts = curve.Flatten(maxSegs, pts[:0])
		if d := DistanceToPolyline(p, pts); d <= bestD {
			best, bestD = i, d
		}
	}
	return best
}

// connectorPath is the shape of the connector from port pi of src to dst
// in flow units, as the renderer draws it.
func (c *Canvas) connectorPath(src, dst *flow.Node, pi int) Path {
	return c.connectorPathIn(nil, src, dst, pi)
}

// connectorPathIn is connectorPath finding the cards in the way through
// ci, an index of the document's cards keyed by node id, when not nil.
func (c *Canvas) connectorPathIn(ci *cardIndex, src, dst *flow.Node, pi int) Path {
	doc := c.ed.Flow()
	if ci != nil {
		return routeConnector(nodeRect(src), nodeRect(dst), pi, ci.near(nodeRect(src), nodeRect(dst), src.ID, dst.ID))
	}
	return routeConnector(nodeRect(src), nodeRect(dst), pi, func(yield func(Rect) bool) {
		for i := range doc.Nodes {
			if n := &doc.Nodes[i]; n.ID != src.ID && n.ID != dst.ID && !yield(nodeRect(n)) {
				return
			}
		}
	})
}

// Tapped selects the card or connector under the pointer, or nothing.
// With Shift or Ctrl (Cmd) held, a card joins the selection or leaves it,
// and a tap on empty canvas keeps the selection.
func (c *Canvas) Tapped(e *fyne.PointEvent) {
	c.requestFocus()
	if c.minimapTap(e.Position) {
		return
	}
	h := c.hitTest(e.Position)
	toggle := c.modifiers()&(fyne.KeyModifierShift|fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0
	switch h.kind {
	case hitNode, hitPort, hitInput:
		if toggle {
			c.ed.ToggleNode(h.node)
			return
		}
		c.ed.Select(selNode(h.node))
	case hitEdge:
		c.ed.Select(editor.Selection{Edge: h.edge})
	default:
		if !toggle {
			c.ed.Select(editor.None)
		}
	}
}

// TappedSecondary opens the context menu: a card's own (rename,
// duplicate, disable, test, delete), else add each node kind at the
// pointer, and delete the connector under it.
func (c *Canvas) TappedSecondary(e *fyne.PointEvent) {
	c.requestFocus()
	m := c.contextMenu(e.Position)
	if c.showMenu != nil {
		c.showMenu(m, e.Position)
		return
	}
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c); cv != nil {
		widget.ShowPopUpMenuAtPosition(m, cv, e.AbsolutePosition)
	}
}

// contextMenu builds the menu for a secondary tap at p; whatever is under p
// is selected so "Delete" says what it removes.
func (c *Canvas) contextMenu(p fyne.Position) *fyne.Menu {
	at := c.view.ToFlow(p)
	at = flow.Position{X: math.Round(at.X), Y: math.Round(at.Y)}
	var items []*fyne.MenuItem
	h := c.hitTest(p)
	switch h.kind {
	case hitNode, hitPort, hitInput:
		// a card's own menu: what to do with it (or with the selection it
		// is part of)
		if !c.ed.IsSelected(h.node) {
			c.ed.Select(selNode(h.node))
		}
		items = append(items, c.nodeMenuItems(h.node)...)
	default:
		for _, k := range flow.Kinds {
			items = append(items, fyne.NewMenuItem(AddLabel(k), func() {
				// at the pointer, or the free place nearest to it
				w, h := cardSize(len((&flow.Node{Kind: k}).Ports()))
				_, err := c.ed.AddNode(k, c.freeSpot(w, h, fyne.NewPos(float32(at.X), float32(at.Y))))
				c.reportError(err)
			}))
		}
		if h.kind == hitEdge {
			c.ed.Select(editor.Selection{Edge: h.edge})
			e := c.ed.Flow().Edges[h.edge]
			items = append(items, fyne.NewMenuItemSeparator(),
				fyne.NewMenuItem("Delete connector "+e.From+"."+e.PortName(), func() { c.reportError(c.ed.DeleteSelection()) }))
		}
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Fit to window", c.FitToWindow))
	return fyne.NewMenu("", items...)
}

// requestFocus takes the keyboard, as Fyne's own widgets do when tapped
// (the driver does not focus on a tap), so Delete and the arrows reach the
// canvas after a card was tapped or dragged.
func (c *Canvas) requestFocus() {
	if c.focused || fyne.CurrentDevice().IsMobile() {
		return
	}
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c); cv != nil {
		cv.Focus(c)
	}
}

// FocusGained is part of fyne.Focusable: the canvas takes keys once tapped.
func (c *Canvas) FocusGained() { c.focused = true }

// FocusLost is part of fyne.Focusable.
func (c *Canvas) FocusLost() { c.focused = false }

// TypedRune zooms with + and -.
func (c *Canvas) TypedRune(r rune) {
	switch r {
	case '+', '=':
		c.ZoomIn()
	case '-':
		c.ZoomOut()
	}
}

// nudge is how far an arrow key moves a card (flow units) or the view (pixels).
const nudge = 10

// AcceptsTab keeps Tab on the canvas, where it opens quick-add, rather
// than moving the focus to the next widget.
func (c *Canvas) AcceptsTab() bool { return true }

// TypedKey handles Tab (quick-add), Delete (removes the selection), Escape
// (selects nothing) and the arrows (move the selected cards, else pan).
func (c *Canvas) TypedKey(e *fyne.KeyEvent) {
	if c.OnKey != nil && c.OnKey(e) {
		return
	}
	var dx, dy float64
	switch e.Name {
	case fyne.KeyTab:
		c.OpenQuickAdd()
		return
	case fyne.KeyDelete, fyne.KeyBackspace:
		c.reportError(c.ed.DeleteSelection())
		return
	case fyne.KeyEscape:
		c.ed.Select(editor.None)
		return
	case fyne.KeyLeft:
		dx = -nudge
	case fyne.KeyRight:
		dx = nudge
	case fyne.KeyUp:
		dy = -nudge
	case fyne.KeyDown:
		dy = nudge
	default:
		return
	}
	if ids := c.ed.SelectedNodes(); len(ids) > 0 {
		c.reportError(c.ed.MoveNodes(ids, dx, dy))
		return
	}
	c.view.OffsetX -= float32(dx) * 4
	c.view.OffsetY -= float32(dy) * 4
	c.relayout()
}

// MouseIn is part of desktop.Hoverable.
func (c *Canvas) MouseIn(e *desktop.MouseEvent) { c.MouseMoved(e) }

// MouseMoved enlarges the output port under the pointer, showing where a
// connector can be dragged from.
func (c *Canvas) MouseMoved(e *desktop.MouseEvent) {
	c.pointer, c.pointerIn = e.Position, true
	if c.r == nil || c.drag.mode != dragNone {
		return
	}
	h := c.hitTest(e.Position)
	if h.kind != hitPort {
		h = hit{}
	}
	c.r.setHover(h.node, h.port)
}

// MouseOut is part of desktop.Hoverable.
func (c *Canvas) MouseOut() {
	c.pointerIn = false
	if c.r != nil {
		c.r.setHover("", "")
	}
}

// setHover highlights one port, restoring the previous one.
func (r *renderer) setHover(node, port string) {
	if r.hoverNode == node && r.hoverPort == port {
		return
	}
	old := r.nodes[r.hoverNode]
	r.hoverNode, r.hoverPort = node, port
	if old != nil {
		r.layoutNode(old)
	}
	if nv := r.nodes[node]; nv != nil && nv != old {
		r.layoutNode(nv)
	}
}
