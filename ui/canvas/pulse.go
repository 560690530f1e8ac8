package canvas

import "maps"

// A run paused at a breakpoint (step-through) waits before one node: its
// card pulses, its border breathing between the running colour's width and
// about twice it, so a room sees where the run waits without reading the
// bar under the canvas. The pulse is the card's own: selecting other cards,
// or the run overlay's colours, do not hide it.

// pausedWidth is the paused card's border at rest; the pulse adds up to
// pulseExtra to it.
const (
	pausedWidth = 3
	pulseExtra  = 4
)

// SetPaused marks node id as the one a paused run waits before ("" when
// none waits). With Pulse set the card pulses until the next SetPaused; a
// node of another document, or a load, leaves nothing pulsing.
func (c *Canvas) SetPaused(id string) {
	if c.ed.Flow().Node(id) == nil {
		id = ""
	}
	if id == c.paused {
		return
	}
	old := c.paused
	if c.stopPulse != nil {
		c.stopPulse()
		c.stopPulse = nil
	}
	c.paused, c.pulse = id, 0
	c.restyleNode(old)
	c.restyleNode(id)
	if id != "" && c.Pulse != nil {
		c.stopPulse = c.Pulse(func(t float32) {
			if c.paused != id {
				return
			}
			c.pulse = t
			c.restyleNode(id)
		})
	}
}

// Paused returns the node SetPaused marked, "" when none.
func (c *Canvas) Paused() string { return c.paused }

// pausedStroke returns the paused card's border width now.
func (c *Canvas) pausedStroke() float32 {
	return pausedWidth + pulseExtra*min(max(c.pulse, 0), 1)
}

// restyleNode redraws one card's colours, when it is drawn.
func (c *Canvas) restyleNode(id string) {
	if id == "" || c.r == nil {
		return
	}
	if nv := c.r.nodes[id]; nv != nil {
		c.r.styleNode(nv)
	}
}

// A breakpoint shows as a dot in the error colour just outside the card's
// top-left corner, where debuggers put theirs in the gutter.
const (
	breakRadius = 6
	breakGap    = 9
)

// SetBreakpoints marks the cards a run pauses before (the stepper's
// per-node breakpoints); nil marks none.
func (c *Canvas) SetBreakpoints(ids map[string]bool) {
	old := c.breaks
	c.breaks = maps.Clone(ids)
	for id := range old {
		c.restyleNode(id)
	}
	for id := range c.breaks {
		c.restyleNode(id)
	}
}

// Breakpoints returns the cards marked with a breakpoint.
func (c *Canvas) Breakpoints() map[string]bool { return maps.Clone(c.breaks) }
