package canvas

import (
	"fmt"
	"image/color"
	"slices"

	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/flow"
)

// coverageOverlay is the branch-coverage overlay as drawn: how often each
// (node, port) of the flow was taken, 0 for never; ports it does not name
// (added since) are drawn as usual.
type coverageOverlay struct {
	ports []flow.PortCoverage
	taken map[[2]string]int
}

// SetCoverage colours every port the list names, its dot and its
// connector: taken in the success colour, solid, labelled with how often
// ("vip · 12×"); never taken in the warning colour, dashed, labelled
// "never". The run overlay and a comparison keep their card borders; the
// connectors show coverage while it is set. Nil clears it. The list comes
// from flow's Coverage, so the canvas does not work out which ports a node
// has.
func (c *Canvas) SetCoverage(ports []flow.PortCoverage) {
	old := c.cov
	c.cov = nil
	if ports != nil {
		o := &coverageOverlay{ports: slices.Clone(ports), taken: make(map[[2]string]int, len(ports))}
		for _, p := range ports {
			o.taken[[2]string{p.Node, p.Port}] = p.Taken
		}
		c.cov = o
	}
	if c.r != nil && (old != nil || c.cov != nil) {
		c.r.styleAll()
		for _, ev := range c.r.edges {
			c.r.layoutEdge(ev, true)
		}
	}
}

// CoverageShown returns the coverage drawn, nil when none is.
func (c *Canvas) CoverageShown() []flow.PortCoverage {
	if c.cov == nil {
		return nil
	}
	return slices.Clone(c.cov.ports)
}

// PortDot is the fill colour of node id's port dot as drawn.
func (c *Canvas) PortDot(id, port string) (color.Color, bool) {
	if c.r == nil || c.r.nodes[id] == nil {
		return nil, false
	}
	for _, p := range c.r.nodes[id].ports {
		if p.name == port {
			return p.dot.FillColor, true
		}
	}
	return nil, false
}

// CoverageColors are the colours of a port taken and of one never taken, on
// the current theme: the theme's success and warning colours, which read
// on both themes (ui's contrast test holds the light theme's to 4.5:1).
func CoverageColors() (taken, never color.Color) {
	return theme.Color(theme.ColorNameSuccess), theme.Color(theme.ColorNameWarning)
}

// coverageOf is how often node's port was taken, and whether the overlay
// names it.
func (r *renderer) coverageOf(node, port string) (int, bool) {
	if r.c.cov == nil {
		return 0, false
	}
	n, ok := r.c.cov.taken[[2]string{node, port}]
	return n, ok
}

// coverageEdge restyles connector i, leaving node by port, for the coverage
// shown, if any.
func (r *renderer) coverageEdge(i int, port string, st edgeStyle) edgeStyle {
	if i < 0 || i >= len(r.edges) {
		return st
	}
	n, ok := r.coverageOf(r.edges[i].edge.From, port)
	if !ok {
		return st
	}
	taken, never := CoverageColors()
	label := func(s string) string {
		if port == flow.PortNext {
			return s
		}
		return port + " · " + s
	}
	if n > 0 {
		st.color, st.width, st.bold, st.dashed, st.label = taken, 3.5, true, false, label(fmt.Sprintf("%d×", n))
	} else {
		st.color, st.width, st.bold, st.dashed, st.label = never, 2.5, true, true, label("never")
	}
	return st
}

// coveragePort is the fill of node's port dot for the coverage shown, if
// any, else dot.
func (r *renderer) coveragePort(node, port string, dot color.Color) color.Color {
	n, ok := r.coverageOf(node, port)
	if !ok {
		return dot
	}
	taken, never := CoverageColors()
	if n > 0 {
		return taken
	}
	return never
}
