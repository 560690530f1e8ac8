package canvas

import (
	"math"

	"fyne.io/fyne/v2"

	"github.com/flowbench/flowbench/flow"
)

// QuickAdd is a request to pick a node to add: the canvas makes one for
// Tab or Ctrl+K and for a connector dropped on empty canvas, and hands it
// to OnQuickAdd, which shows the picker and calls AddQuick with the
// choice.
type QuickAdd struct {
	// Screen is where the picker goes (widget coordinates).
	Screen fyne.Position
	// At is where the new card's corner is wanted (flow units) when Near
	// is set: the pointer, or where a connector was dropped. Otherwise the
	// card goes to free space beside the selection, or mid-view.
	At   flow.Position
	Near bool
	// From and Port are the node and output port the new node is
	// connected from; From "" adds it alone, Port "" picks From's first
	// port that leads nowhere yet.
	From, Port string
}

// OpenQuickAdd asks OnQuickAdd for a node to add after the selected node
// (from its first free port), or at the pointer when nothing is selected
// and the pointer is over the canvas, else mid-view. Tab and Ctrl+K.
func (c *Canvas) OpenQuickAdd() {
	q := QuickAdd{Screen: c.middle()}
	sel := c.ed.SelectedNodes()
	switch {
	case len(sel) == 1 && len(c.ed.Flow().Node(sel[0]).Ports()) > 0:
		n := c.ed.Flow().Node(sel[0])
		q.From = n.ID
		r := nodeRect(n)
		q.Screen = c.view.ToScreen(flow.Position{X: float64(r.X + r.W + 16), Y: float64(r.Y)})
	case len(sel) == 0 && c.pointerIn:
		q.Screen, q.At, q.Near = c.pointer, c.inputAt(c.pointer), true
	}
	c.quickAdd(q)
}

func (c *Canvas) quickAdd(q QuickAdd) {
	if c.OnQuickAdd != nil {
		c.OnQuickAdd(q)
	}
}

// inputAt is where a card's corner goes for its input dot to sit at p
// (widget coordinates).
func (c *Canvas) inputAt(p fyne.Position) flow.Position {
	f := c.view.ToFlow(p)
	in := inputOffset()
	return flow.Position{X: math.Round(f.X - float64(in.X)), Y: math.Round(f.Y - float64(in.Y))}
}

// AddQuick adds n (a node of a kind, or a preset) as q asks: in free space
// next to q.At, or beside the selection, or mid-view, never on another
// card; connected from q.From; selected and panned into view. One undo
// step.
func (c *Canvas) AddQuick(n flow.Node, q QuickAdd) (string, error) {
	w, h := cardSize(len(n.Ports()))
	if q.Near {
		n.Position = c.freeSpot(w, h, fyne.NewPos(float32(q.At.X), float32(q.At.Y)))
	} else {
		n.Position = c.FreeSpot(n.Kind)
		if q.From != "" && c.ed.Selection().Node != q.From {
			if src := c.ed.Flow().Node(q.From); src != nil {
				r := nodeRect(src)
				n.Position = c.freeSpot(w, h, fyne.NewPos(r.X+r.W+48+2*portRadius, r.Y))
			}
		}
	}
	id, err := c.ed.AddNodeValue(n, q.From, q.Port)
	if err != nil {
		return "", err
	}
	c.Reveal(id)
	return id, nil
}
