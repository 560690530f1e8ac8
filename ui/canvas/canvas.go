// Package canvas is Flowbench's flow canvas: a Fyne widget that draws the
// document of an editor.Editor as cards and curved connectors and turns taps,
// drags, scrolls and keys into editor edits. It renders the document; it does
// not own it. The view (pan and zoom) and the run overlay are the widget's
// own state, never part of the document.
package canvas

import (
	"maps"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// Canvas is the flow canvas widget. Create it with New; it listens to its
// editor and redraws what each change touched.
type Canvas struct {
	widget.BaseWidget

	// OnError is called with an edit the canvas could not make (a connector
	// the flow does not allow, for example), so the app can show it in its
	// console. Nil drops them.
	OnError func(error)

	ed   *editor.Editor
	view View

	// run overlay, read by the renderer
	status map[string]flow.Status
	taken  map[int]bool

	press   *fyne.Position // where the last MouseDown happened, if a drag may follow
	drag    dragState
	focused bool

	// modifiers reports the keyboard modifiers held now; tests replace it
	// because the test driver is not a desktop.Driver.
	modifiers func() fyne.KeyModifier
	// showMenu shows a context menu; tests replace it to inspect the menu.
	showMenu func(m *fyne.Menu, at fyne.Position)

	r *renderer
}

// Interfaces the canvas implements, checked at compile time.
var (
	_ fyne.Widget            = (*Canvas)(nil)
	_ fyne.Tappable          = (*Canvas)(nil)
	_ fyne.SecondaryTappable = (*Canvas)(nil)
	_ fyne.Draggable         = (*Canvas)(nil)
	_ fyne.Scrollable        = (*Canvas)(nil)
	_ fyne.Focusable         = (*Canvas)(nil)
	_ desktop.Mouseable      = (*Canvas)(nil)
	_ desktop.Hoverable      = (*Canvas)(nil)
)

// New returns a canvas drawing ed's document at scale 1.
func New(ed *editor.Editor) *Canvas {
	c := &Canvas{ed: ed, view: identityView}
	c.modifiers = currentModifiers
	c.ExtendBaseWidget(c)
	ed.AddListener(c.onChange)
	return c
}

// Editor returns the editor the canvas draws.
func (c *Canvas) Editor() *editor.Editor { return c.ed }

// CreateRenderer is called by Fyne to build the canvas's drawing.
func (c *Canvas) CreateRenderer() fyne.WidgetRenderer {
	c.r = newRenderer(c)
	return c.r
}

// MinSize keeps the canvas usable when a layout squeezes it.
func (c *Canvas) MinSize() fyne.Size { return fyne.NewSize(200, 150) }

// SetRunOverlay shows the state of a run on the canvas: each node's status as
// its border colour and the connectors a run took (indices into the flow's
// edges) lit with their port label. A nil status clears the overlay. Only
// the nodes and connectors whose look changes are redrawn.
func (c *Canvas) SetRunOverlay(status map[string]flow.Status, takenEdges []int) {
	oldStatus, oldTaken := c.status, c.taken
	c.status = maps.Clone(status)
	c.taken = make(map[int]bool, len(takenEdges))
	for _, i := range takenEdges {
		c.taken[i] = true
	}
	if c.r == nil {
		return
	}
	nodes := map[string]bool{}
	for id := range oldStatus {
		nodes[id] = true
	}
	for id := range c.status {
		nodes[id] = true
	}
	for id := range nodes {
		if nv := c.r.nodes[id]; nv != nil {
			c.r.styleNode(nv)
		}
	}
	edges := map[int]bool{}
	for i := range oldTaken {
		edges[i] = true
	}
	for i := range c.taken {
		edges[i] = true
	}
	for i := range edges {
		if i >= 0 && i < len(c.r.edges) {
			c.r.layoutEdge(c.r.edges[i], true)
		}
	}
}

// UpdateRunOverlay adds to the run overlay while a run goes on: the nodes
// in status take that state and the connectors in lit light up. Only those
// are restyled, so following a long run costs per step, not per node of
// the flow.
func (c *Canvas) UpdateRunOverlay(status map[string]flow.Status, lit []int) {
	if c.status == nil {
		c.status = map[string]flow.Status{}
	}
	if c.taken == nil {
		c.taken = map[int]bool{}
	}
	for id, st := range status {
		c.status[id] = st
	}
	for _, i := range lit {
		c.taken[i] = true
	}
	if c.r == nil {
		return
	}
	for id := range status {
		if nv := c.r.nodes[id]; nv != nil {
			c.r.styleNode(nv)
		}
	}
	for _, i := range lit {
		if i >= 0 && i < len(c.r.edges) {
			c.r.layoutEdge(c.r.edges[i], true)
		}
	}
}

// RunOverlay returns a copy of the overlay's node states and the indices
// of the lit connectors, in ascending order.
func (c *Canvas) RunOverlay() (map[string]flow.Status, []int) {
	var lit []int
	for i := range c.taken {
		lit = append(lit, i)
	}
	slices.Sort(lit)
	return maps.Clone(c.status), lit
}

// onChange follows the editor: selections and problems restyle the few
// objects concerned; document changes resynchronise the views.
func (c *Canvas) onChange(ch editor.Change) {
	if c.r == nil {
		return
	}
	switch ch.Kind {
	case editor.ChangeSelection:
		c.r.syncSelection()
	case editor.ChangeProblems:
		c.r.syncProblems()
	case editor.ChangeDoc:
		c.r.syncDoc(ch)
	}
}

func (c *Canvas) reportError(err error) {
	if err != nil && c.OnError != nil {
		c.OnError(err)
	}
}

func currentModifiers() fyne.KeyModifier {
	app := fyne.CurrentApp()
	if app == nil {
		return 0
	}
	if d, ok := app.Driver().(desktop.Driver); ok {
		return d.CurrentKeyModifiers()
	}
	return 0
}
