// Package canvas is Flowbench's flow canvas: a Fyne widget that draws the
// document of an editor.Editor as cards and curved connectors and turns taps,
// drags, scrolls and keys into editor edits. It renders the document; it does
// not own it. The view (pan and zoom) and the run overlay are the widget's
// own state, never part of the document.
package canvas

import (
	"maps"
	"slices"
	"time"

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
	// OnKey, when set, sees each key typed on the canvas first and takes it
	// by returning true (the app: F5 runs again; Space and → step a paused
	// run).
	OnKey func(*fyne.KeyEvent) bool
	// OnNodeMenu, when set, adds items of the app's to a card's context
	// menu (a breakpoint), before Delete.
	OnNodeMenu func(id string) []*fyne.MenuItem
	// OnQuickAdd shows the quick-add picker for a request (Tab, Ctrl+K, a
	// connector dropped on empty canvas); the app calls AddQuick with the
	// choice. Nil ignores them.
	OnQuickAdd func(QuickAdd)
	// OnRename asks for a new id for the node (its context menu's Rename);
	// OnTestStep tests the node alone (Test this step). Nil leaves the
	// items out.
	OnRename   func(id string)
	OnTestStep func(id string)
	// Clipboard is where Copy, Cut and Paste go; nil means the app's.
	Clipboard fyne.Clipboard
	// Animate runs a tween of d calling step with 0..1, on the UI
	// goroutine (fyne.NewAnimation); tests leave it nil to jump to the end.
	Animate func(d time.Duration, step func(float32))
	// Pulse starts a repeating animation calling step with 0..1..0 on the
	// UI goroutine and returns what stops it (the app: fyne.NewAnimation,
	// repeating and reversing); the card a paused run waits before pulses
	// with it (SetPaused). Tests leave it nil: that card keeps a still,
	// thicker border.
	Pulse func(step func(float32)) (stop func())

	ed   *editor.Editor
	view View

	// run overlay, read by the renderer
	status map[string]flow.Status
	taken  map[int]bool
	// overlayEdges are the document's connectors when the overlay was set:
	// the overlay belongs to that document, and only while it holds; an
	// overlay set to nil, or dropped by a load or an edit of the
	// connectors, leaves it nil and UpdateRunOverlay does nothing until the
	// next SetRunOverlay.
	overlayEdges []flow.Edge
	// cmp is the two-path overlay of a comparison of runs (compare.go).
	cmp *compareOverlay
	// cov is the branch-coverage overlay (coverage.go).
	cov *coverageOverlay

	// paused is the node a paused run waits before; pulse the phase of its
	// pulse (0..1), stopPulse what stops the animation.
	paused    string
	pulse     float32
	stopPulse func()
	breaks    map[string]bool // the cards marked with a breakpoint

	pointer   fyne.Position // where the pointer is over the canvas, while pointerIn
	pointerIn bool

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
//
// The overlay belongs to the document open now: opening another flow (or a
// new one) or changing its connectors clears it, so no run lights a flow it
// did not run. One node lights at most one of its connectors, the one taken
// last (of takenEdges, the later one), as its border shows its last status.
func (c *Canvas) SetRunOverlay(status map[string]flow.Status, takenEdges []int) {
	oldStatus, oldTaken := c.status, c.taken
	c.status = maps.Clone(status)
	c.taken = make(map[int]bool, len(takenEdges))
	c.overlayEdges = nil
	if status != nil {
		c.overlayEdges = slices.Clone(c.ed.Flow().Edges)
		if c.overlayEdges == nil {
			c.overlayEdges = []flow.Edge{}
		}
		for _, i := range takenEdges {
			c.light(i)
		}
	}
	c.restyleOverlay(oldStatus, oldTaken)
}

// light marks connector i taken and the other connectors out of the same
// node not taken: a run leaves a node by one port at a time.
func (c *Canvas) light(i int) (unlit []int) {
	edges := c.ed.Flow().Edges
	if i < 0 || i >= len(edges) {
		return nil
	}
	for j := range c.taken {
		if j != i && j < len(edges) && edges[j].From == edges[i].From {
			delete(c.taken, j)
			unlit = append(unlit, j)
		}
	}
	c.taken[i] = true
	return unlit
}

// restyleOverlay redraws the nodes and connectors of the old overlay and
// the new one.
func (c *Canvas) restyleOverlay(oldStatus map[string]flow.Status, oldTaken map[int]bool) {
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

// clearOverlay drops the run overlay, if any.
func (c *Canvas) clearOverlay() {
	if c.status == nil && len(c.taken) == 0 && c.overlayEdges == nil {
		return
	}
	c.SetRunOverlay(nil, nil)
}

// UpdateRunOverlay adds to the run overlay while a run goes on: the nodes
// in status take that state and the connectors in lit light up (putting
// out the connector lit before from the same node). Only those are
// restyled, so following a long run costs per step, not per node of the
// flow. Without an overlay of the open document (none was set, or a load or
// an edit of the connectors dropped it) it does nothing: the run's events
// describe another document.
func (c *Canvas) UpdateRunOverlay(status map[string]flow.Status, lit []int) {
	if c.overlayEdges == nil {
		return
	}
	if c.status == nil {
		c.status = map[string]flow.Status{}
	}
	if c.taken == nil {
		c.taken = map[int]bool{}
	}
	for id, st := range status {
		c.status[id] = st
	}
	var restyle []int
	for _, i := range lit {
		restyle = append(restyle, c.light(i)...)
		restyle = append(restyle, i)
	}
	if c.r == nil {
		return
	}
	for id := range status {
		if nv := c.r.nodes[id]; nv != nil {
			c.r.styleNode(nv)
		}
	}
	for _, i := range restyle {
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
	if ch.Kind == editor.ChangeDoc && c.overlayEdges != nil &&
		(ch.Label == editor.LabelLoad || !slices.Equal(c.overlayEdges, c.ed.Flow().Edges)) {
		// another document, or other connectors: the run's path is not this one's
		c.clearOverlay()
	}
	c.dropCompare(ch)
	if ch.Kind == editor.ChangeDoc && c.paused != "" &&
		(ch.Label == editor.LabelLoad || c.ed.Flow().Node(c.paused) == nil) {
		c.SetPaused("") // the run waits in another document, or before a card deleted
	}
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
