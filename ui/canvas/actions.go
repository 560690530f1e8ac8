package canvas

import (
	"fmt"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
	"github.com/flowbench/flowbench/ui/layout"
)

// nodeMenuItems are the context menu's items for node id: rename,
// duplicate, disable or enable, test this step, delete (the selection when the node is part
// of a selection of several).
func (c *Canvas) nodeMenuItems(id string) []*fyne.MenuItem {
	var items []*fyne.MenuItem
	if c.OnRename != nil {
		items = append(items, fyne.NewMenuItem("Rename "+id+"…", func() { c.OnRename(id) }))
	}
	items = append(items, fyne.NewMenuItem("Duplicate", func() { c.reportError(c.Duplicate()) }))
	if n := c.ed.Flow().Node(id); n != nil {
		label, to := "Disable", true
		if n.Disabled {
			label, to = "Enable", false
		}
		items = append(items, fyne.NewMenuItem(label, func() { c.reportError(c.ed.SetDisabled(c.ed.SelectedNodes(), to)) }))
	}
	if n := c.ed.Flow().Node(id); c.OnTestStep != nil && n != nil && n.Kind == flow.KindCall {
		// a call is what can be sent on its own
		items = append(items, fyne.NewMenuItem("Test this step", func() { c.OnTestStep(id) }))
	}
	if c.OnNodeMenu != nil {
		items = append(items, c.OnNodeMenu(id)...)
	}
	label := "Delete node " + id
	if n := len(c.ed.SelectedNodes()); n > 1 {
		label = fmt.Sprintf("Delete %d nodes", n)
	}
	items = append(items, fyne.NewMenuItem(label, func() { c.reportError(c.ed.DeleteSelection()) }))
	return items
}

// The canvas's own shortcuts besides the clipboard's and Select all (Ctrl
// is Cmd on macOS).
var (
	QuickAddShortcut  = &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierShortcutDefault}
	DuplicateShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierShortcutDefault}
	TidyShortcut      = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
)

// AddShortcuts registers the canvas's shortcuts on its window's canvas:
// Ctrl+C, Ctrl+X, Ctrl+V, Ctrl+A, Ctrl+K and Ctrl+D act while the canvas
// has the keyboard (a focused text field keeps its own), Ctrl+Shift+L
// (tidy) always.
func (c *Canvas) AddShortcuts(wc fyne.Canvas) {
	focused := func(s fyne.Shortcut) {
		if c.focused {
			c.HandleShortcut(s)
		}
	}
	for _, s := range []fyne.Shortcut{&fyne.ShortcutCopy{}, &fyne.ShortcutCut{}, &fyne.ShortcutPaste{},
		&fyne.ShortcutSelectAll{}, QuickAddShortcut, DuplicateShortcut} {
		wc.AddShortcut(s, focused)
	}
	wc.AddShortcut(TidyShortcut, func(s fyne.Shortcut) { c.HandleShortcut(s) })
}

// HandleShortcut performs the canvas's action for s and reports whether
// it has one.
func (c *Canvas) HandleShortcut(s fyne.Shortcut) bool {
	switch s := s.(type) {
	case *fyne.ShortcutCopy:
		c.reportError(c.Copy())
	case *fyne.ShortcutCut:
		c.reportError(c.Cut())
	case *fyne.ShortcutPaste:
		c.reportError(c.Paste())
	case *fyne.ShortcutSelectAll:
		c.ed.SelectAll()
	case *desktop.CustomShortcut:
		switch s.ShortcutName() {
		case QuickAddShortcut.ShortcutName():
			c.OpenQuickAdd()
		case DuplicateShortcut.ShortcutName():
			c.reportError(c.Duplicate())
		case TidyShortcut.ShortcutName():
			c.reportError(c.Tidy())
		default:
			return false
		}
	default:
		return false
	}
	return true
}

func (c *Canvas) clipboard() fyne.Clipboard {
	if c.Clipboard != nil {
		return c.Clipboard
	}
	if app := fyne.CurrentApp(); app != nil {
		return app.Clipboard()
	}
	return nil
}

// Copy puts the selected nodes, with the connectors among them, on the
// clipboard as flow JSON (a flow file of their own), which pastes into
// this flow, another one or a text editor.
func (c *Canvas) Copy() error {
	ids := c.ed.SelectedNodes()
	if len(ids) == 0 {
		return nil
	}
	frag := c.ed.Fragment(ids)
	data, err := flow.EncodeFlow(frag)
	if err != nil {
		return fmt.Errorf("copy: %w; save the flow (which seals it), then copy again", err)
	}
	cb := c.clipboard()
	if cb == nil {
		return fmt.Errorf("copy: no clipboard")
	}
	cb.SetContent(string(data))
	return nil
}

// Cut copies the selected nodes, then deletes them (one undo step).
func (c *Canvas) Cut() error {
	if err := c.Copy(); err != nil {
		return err
	}
	return c.ed.DeleteSelection()
}

// Paste adds the nodes of the flow JSON on the clipboard (a copy, a flow
// file, nodes copied from one) in free space at the pointer, or mid-view,
// with fresh ids where they are taken, and selects them. One undo step.
func (c *Canvas) Paste() error {
	cb := c.clipboard()
	if cb == nil {
		return fmt.Errorf("paste: no clipboard")
	}
	frag, err := editor.ParseFragment([]byte(cb.Content()))
	if err != nil {
		return err
	}
	var anchor fyne.Position
	w, h := fragmentSize(frag.Nodes)
	if c.pointerIn {
		p := c.view.ToFlow(c.pointer)
		anchor = fyne.NewPos(float32(p.X), float32(p.Y))
	} else {
		m := c.view.ToFlow(c.middle())
		anchor = fyne.NewPos(float32(m.X)-w/2, float32(m.Y)-h/2)
	}
	return c.pasteAt(frag, anchor)
}

// Duplicate pastes a copy of the selected nodes beside them, without going
// through the clipboard. One undo step.
func (c *Canvas) Duplicate() error {
	ids := c.ed.SelectedNodes()
	if len(ids) == 0 {
		return nil
	}
	frag := c.ed.Fragment(ids)
	minX, minY, _, _ := editor.Bounds(frag.Nodes)
	return c.pasteAt(frag, fyne.NewPos(float32(minX)+40, float32(minY)+40))
}

func (c *Canvas) pasteAt(frag *flow.Flow, anchor fyne.Position) error {
	w, h := fragmentSize(frag.Nodes)
	at := c.freeSpot(w, h, anchor)
	ids, err := c.ed.Paste(frag, at)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		c.Reveal(ids[0])
	}
	return nil
}

// fragmentSize is the extent of the cards of nodes, from the corner of the
// top-left one.
func fragmentSize(nodes []flow.Node) (w, h float32) {
	minX, minY, _, _ := editor.Bounds(nodes)
	for i := range nodes {
		r := nodeRect(&nodes[i])
		w = max(w, r.X+r.W-float32(minX))
		h = max(h, r.Y+r.H-float32(minY))
	}
	return w, h
}

// The gaps of a tidy layout, in flow units: wide enough between layers
// for a connector's label, tall enough between cards for a problem line.
const (
	tidyLayerGap = 90
	tidyNodeGap  = 40
)

// TidyPositions returns where a tidy layout puts every node: layers from
// left to right (ui/layout), its top-left corner where the flow's is now.
func (c *Canvas) TidyPositions() map[string]flow.Position {
	doc := c.ed.Flow()
	idx := make(map[string]int, len(doc.Nodes))
	nodes := make([]layout.Node, len(doc.Nodes))
	for i := range doc.Nodes {
		n := &doc.Nodes[i]
		idx[n.ID] = i
		r := nodeRect(n)
		nodes[i] = layout.Node{W: float64(r.W), H: float64(r.H)}
	}
	edges := make([]layout.Edge, 0, len(doc.Edges))
	for _, e := range doc.Edges {
		a, ok1 := idx[e.From]
		b, ok2 := idx[e.To]
		if !ok1 || !ok2 {
			a, b = -1, -1 // a dangling edge: validation reports it
		}
		edges = append(edges, layout.Edge{From: a, To: b})
	}
	res := layout.Layered(nodes, edges, layout.Options{LayerGap: tidyLayerGap, NodeGap: tidyNodeGap})
	ox, oy, _, _ := editor.Bounds(doc.Nodes)
	if math.IsInf(ox, 0) {
		ox, oy = 0, 0
	}
	pos := make(map[string]flow.Position, len(doc.Nodes))
	for i := range doc.Nodes {
		p := res.Pos[i]
		pos[doc.Nodes[i].ID] = flow.Position{X: math.Round(ox + p.X), Y: math.Round(oy + p.Y)}
	}
	return pos
}

// tidyTween is how long the cards take to glide to a tidy layout.
const tidyTween = 300 * time.Millisecond

// Tidy lays the flow out in layers from left to right as one undoable
// edit; with Animate set the cards glide there. The view then fits the
// flow when it no longer fits.
func (c *Canvas) Tidy() error {
	doc := c.ed.Flow()
	old := make(map[string]flow.Position, len(doc.Nodes))
	for i := range doc.Nodes {
		old[doc.Nodes[i].ID] = doc.Nodes[i].Position
	}
	pos := c.TidyPositions()
	if err := c.ed.SetPositions("Tidy layout", pos); err != nil {
		return err
	}
	if c.r == nil {
		return nil
	}
	if c.Animate == nil {
		c.fitIfOutside()
		return nil
	}
	var moving []*nodeView
	for id, p := range pos {
		if nv := c.r.nodes[id]; nv != nil && old[id] != p {
			moving = append(moving, nv)
		}
	}
	for _, nv := range moving {
		nv.pos = old[nv.id]
	}
	c.r.layoutAll()
	c.Animate(tidyTween, func(t float32) {
		e := float64(t * t * (3 - 2*t)) // smoothstep
		for _, nv := range moving {
			a, b := old[nv.id], pos[nv.id]
			if n := c.ed.Flow().Node(nv.id); n == nil || n.Position != b {
				continue // edited meanwhile: the document wins
			}
			nv.pos = flow.Position{X: a.X + (b.X-a.X)*e, Y: a.Y + (b.Y-a.Y)*e}
		}
		c.r.layoutAll()
		if t >= 1 {
			c.fitIfOutside()
		}
	})
	return nil
}

// fitIfOutside fits the view to the flow when part of it is out of view.
func (c *Canvas) fitIfOutside() {
	b := c.contentBounds()
	if b == (Rect{}) {
		return
	}
	tl := c.view.ToScreen(flow.Position{X: float64(b.X), Y: float64(b.Y)})
	br := c.view.ToScreen(flow.Position{X: float64(b.X + b.W), Y: float64(b.Y + b.H)})
	s := c.Size()
	if tl.X < 0 || tl.Y < 0 || br.X > s.Width || br.Y > s.Height {
		c.FitToWindow()
	}
}
