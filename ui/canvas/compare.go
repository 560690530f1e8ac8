package canvas

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// Compare is the two-path overlay of a comparison of two runs: the
// connectors (indices into the flow's edges) and nodes each run took, and
// the node where they part, drawn highlighted.
type Compare struct {
	EdgesA, EdgesB []int
	NodesA, NodesB []string
	Focus          string
}

// compareOverlay is the overlay as drawn: sets, and the connectors of the
// document it was set on (it belongs to that document only, as the run
// overlay does).
type compareOverlay struct {
	spec         Compare
	edgeA, edgeB map[int]bool
	nodeA, nodeB map[string]bool
	edges        []flow.Edge
}

// The marks a compared connector carries beside its port, so the two
// paths are told apart without colour.
const (
	MarkA    = "A"
	MarkB    = "B"
	MarkBoth = "A+B"
)

// SetCompare shows two runs' paths at once: connectors taken by both in the
// success colour, by one run only in that run's colour (B's dashed), each
// labelled with its port and A, B or A+B; cards reached by one run
// bordered in its colour; the Focus card (the differing decision) with a
// thick warning border. It replaces the run overlay while shown; nil
// clears it. Opening another flow or changing the connectors clears it.
func (c *Canvas) SetCompare(cmp *Compare) {
	old := c.cmp
	c.cmp = nil
	if cmp != nil {
		o := &compareOverlay{spec: cloneCompare(*cmp), edgeA: map[int]bool{}, edgeB: map[int]bool{},
			nodeA: map[string]bool{}, nodeB: map[string]bool{}, edges: slices.Clone(c.ed.Flow().Edges)}
		for _, i := range cmp.EdgesA {
			o.edgeA[i] = true
		}
		for _, i := range cmp.EdgesB {
			o.edgeB[i] = true
		}
		for _, id := range cmp.NodesA {
			o.nodeA[id] = true
		}
		for _, id := range cmp.NodesB {
			o.nodeB[id] = true
		}
		c.cmp = o
		c.clearOverlay() // one picture at a time
	}
	if c.r != nil && (old != nil || c.cmp != nil) {
		c.r.styleAll()
		for _, ev := range c.r.edges {
			c.r.layoutEdge(ev, true)
		}
	}
}

// CompareShown returns the comparison drawn, nil when none is.
func (c *Canvas) CompareShown() *Compare {
	if c.cmp == nil {
		return nil
	}
	cp := cloneCompare(c.cmp.spec)
	return &cp
}

// EdgeMark is the label drawn on connector i ("" when none shows) and
// whether it is drawn dashed, for tests and the scene file.
func (c *Canvas) EdgeMark(i int) (label string, dashed bool) {
	if c.r == nil || i < 0 || i >= len(c.r.edges) {
		return "", false
	}
	st := c.r.styleOf(i, c.r.edges[i].edge.PortName())
	return st.label, st.dashed
}

// CardBorder is the colour and width of node id's card border as drawn.
func (c *Canvas) CardBorder(id string) (color.Color, float32, bool) {
	if c.r == nil || c.r.nodes[id] == nil {
		return nil, 0, false
	}
	card := c.r.nodes[id].card
	return card.StrokeColor, card.StrokeWidth, true
}

// dropCompare clears the comparison on a load of another document or a
// change of its connectors.
func (c *Canvas) dropCompare(ch editor.Change) {
	if c.cmp != nil && ch.Kind == editor.ChangeDoc &&
		(ch.Label == editor.LabelLoad || !slices.Equal(c.cmp.edges, c.ed.Flow().Edges)) {
		c.SetCompare(nil)
	}
}

func cloneCompare(x Compare) Compare {
	return Compare{EdgesA: slices.Clone(x.EdgesA), EdgesB: slices.Clone(x.EdgesB),
		NodesA: slices.Clone(x.NodesA), NodesB: slices.Clone(x.NodesB), Focus: x.Focus}
}

// CompareColors are run A's and run B's colours on the current theme: a
// blue and an orange (told apart by most colour-blind eyes), darker on a
// light background and lighter on a dark one.
func CompareColors() (a, b color.Color) {
	return compareColorsOn(theme.Color(theme.ColorNameBackground))
}

func compareColorsOn(bg color.Color) (a, b color.Color) {
	if isDark(bg) {
		return color.NRGBA{R: 0x6c, G: 0xb4, B: 0xff, A: 0xff}, color.NRGBA{R: 0xff, G: 0xa6, B: 0x4d, A: 0xff}
	}
	return color.NRGBA{R: 0x1a, G: 0x5f, B: 0xb4, A: 0xff}, color.NRGBA{R: 0xb3, G: 0x4d, B: 0x00, A: 0xff}
}

func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return 299*r+587*g+114*b < 500*0xffff
}

// compareEdge restyles connector i for the comparison shown, if any.
func (r *renderer) compareEdge(i int, port string, st edgeStyle) edgeStyle {
	o := r.c.cmp
	if o == nil {
		return st
	}
	ca, cb := CompareColors()
	a, b := o.edgeA[i], o.edgeB[i]
	label := func(mark string) string {
		if port == flow.PortNext {
			return mark
		}
		return port + " · " + mark
	}
	switch {
	case a && b:
		st.color, st.width, st.bold, st.dashed, st.label = r.color(theme.ColorNameSuccess), 3.5, true, false, label(MarkBoth)
	case a:
		st.color, st.width, st.bold, st.dashed, st.label = ca, 3.5, true, false, label(MarkA)
	case b:
		st.color, st.width, st.bold, st.dashed, st.label = cb, 3.5, true, true, label(MarkB)
	}
	return st
}

// compareNode is the card's border in the comparison shown, if any.
func (r *renderer) compareNode(nv *nodeView, stroke color.Color, width float32) (color.Color, float32) {
	o := r.c.cmp
	if o == nil {
		return stroke, width
	}
	ca, cb := CompareColors()
	a, b := o.nodeA[nv.id], o.nodeB[nv.id]
	switch {
	case nv.id == o.spec.Focus:
		return r.color(theme.ColorNameWarning), 5
	case a && b:
		return r.color(theme.ColorNameSuccess), 3
	case a:
		return ca, 3
	case b:
		return cb, 3
	}
	return stroke, width
}
