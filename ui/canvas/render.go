package canvas

import (
	"fmt"
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	fc "fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// maxSegs is the most straight segments one connector is flattened into.
// Each edge view owns this many lines and shows as many as its length needs,
// so a move never creates objects.
const maxSegs = 32

// minTextPx: below this size text is unreadable and only costs rasterising.
const minTextPx = 5

// renderer owns every canvas object of the widget. Objects are created when
// nodes and edges appear and reused afterwards; a drag moves the objects of
// one card and re-flattens only that card's connectors.
type renderer struct {
	c       *Canvas
	bg      *fc.Rectangle
	nodes   map[string]*nodeView
	order   []*nodeView // document order, which is also drawing order
	edges   []*edgeView // index i draws Flow().Edges[i]
	preview *edgeView   // the connector being drawn from a port
	objects []fyne.CanvasObject
	size    fyne.Size
	scale   float32 // the scale the objects were last sized for

	selNodes []string // the selected nodes last drawn, to restyle only what changes
	selEdge  int
	band     *fc.Rectangle // the rubber band of a Shift-drag
	mm       *minimap      // the overview shown while the flow does not fit

	// index holds the cards by position while a batch of connectors is
	// laid out (layoutAll, an edit of several cards); nil otherwise, as
	// while a card is dragged.
	index *cardIndex

	hoverNode, hoverPort string          // the output port under the pointer
	pts                  []fyne.Position // scratch space for flattening
}

func newRenderer(c *Canvas) *renderer {
	r := &renderer{c: c, nodes: map[string]*nodeView{}, selEdge: -1}
	r.bg = fc.NewRectangle(color.Transparent)
	r.preview = newEdgeView(flow.Edge{})
	r.band = fc.NewRectangle(color.Transparent)
	r.band.StrokeWidth = 1
	r.band.Hide()
	r.mm = newMinimap()
	r.syncAll()
	return r
}

// Destroy is part of fyne.WidgetRenderer; nothing to release.
func (r *renderer) Destroy() {}

// MinSize is the widget's minimum size.
func (r *renderer) MinSize() fyne.Size { return r.c.MinSize() }

// Objects lists every object, hidden ones included, in drawing order.
func (r *renderer) Objects() []fyne.CanvasObject { return r.objects }

// Layout places everything for a widget of that size.
func (r *renderer) Layout(size fyne.Size) {
	r.size = size
	r.bg.Resize(size)
	r.layoutAll()
}

// Refresh is called by Fyne when the widget or the theme changes: bring every
// object up to date with the document, the selection and the theme.
func (r *renderer) Refresh() {
	r.syncAll()
	r.styleAll()
	r.layoutAll()
}

func (r *renderer) view() View { return r.c.view }

// refresh asks the widget's window to redraw o. It goes through the canvas of
// the widget rather than canvas.Refresh(o), which looks up o's own canvas:
// an object that has been hidden since it was created has none yet, and its
// first Show and move would then never reach the screen.
func (r *renderer) refresh(o fyne.CanvasObject) {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	if cv := app.Driver().CanvasForObject(r.c); cv != nil {
		cv.Refresh(o)
	}
}

func (r *renderer) color(name fyne.ThemeColorName) color.Color {
	return theme.Color(name)
}

// syncDoc follows a document change. An edit that names its nodes and keeps
// the structure (a move) updates those cards only.
func (r *renderer) syncDoc(ch editor.Change) {
	doc := r.c.ed.Flow()
	if len(ch.Nodes) > 0 && len(doc.Nodes) == len(r.order) && len(doc.Edges) == len(r.edges) {
		fast := true
		for _, id := range ch.Nodes {
			n, nv := doc.Node(id), r.nodes[id]
			if n == nil || nv == nil || !slices.Equal(n.Ports(), nv.portNames()) {
				fast = false
				break
			}
		}
		if fast && len(ch.Nodes) == 1 {
			nv := r.nodes[ch.Nodes[0]]
			nv.update(r, doc.Node(nv.id))
			r.layoutNode(nv)
			for _, ei := range nv.edges {
				r.layoutEdge(r.edges[ei], false)
			}
			return
		}
		if fast {
			// several cards (a group move, a tidy): each connector once
			views := make([]*nodeView, len(ch.Nodes))
			for i, id := range ch.Nodes {
				views[i] = r.nodes[id]
				views[i].update(r, doc.Node(id))
				r.layoutNode(views[i])
			}
			if r.size.IsZero() {
				return
			}
			r.indexCards()
			r.layoutEdgesOf(views[0], views[1:])
			r.index = nil
			r.layoutMinimap()
			return
		}
	}
	structural := r.syncAll()
	r.styleAll()
	r.layoutAll()
	if structural {
		r.refresh(r.c)
	}
}

// syncAll matches the views to the document: it reuses the view of every
// node it already has, creates views for new nodes and edges and drops the
// views of deleted ones. It reports whether the set of objects changed.
func (r *renderer) syncAll() bool {
	doc := r.c.ed.Flow()
	structural := r.objects == nil
	order := make([]*nodeView, 0, len(doc.Nodes))
	seen := make(map[string]bool, len(doc.Nodes))
	for i := range doc.Nodes {
		n := &doc.Nodes[i]
		seen[n.ID] = true
		nv := r.nodes[n.ID]
		switch {
		case nv == nil:
			nv = newNodeView(n)
			r.nodes[n.ID] = nv
			structural = true
		case nv.kind != n.Kind || !slices.Equal(n.Ports(), nv.portNames()):
			nv.rebuild(n)
			structural = true
		}
		nv.update(r, n)
		nv.edges = nv.edges[:0]
		order = append(order, nv)
	}
	for id := range r.nodes {
		if !seen[id] {
			delete(r.nodes, id)
			structural = true
		}
	}
	if !slices.Equal(order, r.order) {
		structural = true
	}
	r.order = order

	if len(doc.Edges) != len(r.edges) {
		structural = true
	}
	for i, e := range doc.Edges {
		if i < len(r.edges) {
			r.edges[i].edge = e
		} else {
			r.edges = append(r.edges, newEdgeView(e))
		}
		r.edges[i].index = i
		if nv := r.nodes[e.From]; nv != nil {
			nv.edges = append(nv.edges, i)
		}
		if nv := r.nodes[e.To]; nv != nil && e.To != e.From {
			nv.edges = append(nv.edges, i)
		}
	}
	r.edges = r.edges[:len(doc.Edges)]

	if structural {
		// a new slice: Fyne may still hold the one Objects returned before
		r.objects = make([]fyne.CanvasObject, 0, len(r.objects)+8)
		r.objects = append(r.objects, r.bg)
		for _, ev := range r.edges {
			r.objects = append(r.objects, ev.lines()...)
		}
		for _, nv := range r.order {
			r.objects = append(r.objects, nv.objects()...)
		}
		// connector labels above the cards, which connectors may pass under
		for _, ev := range r.edges {
			r.objects = append(r.objects, ev.label)
		}
		r.objects = append(r.objects, r.preview.objects()...)
		r.objects = append(r.objects, r.band)
		r.objects = append(r.objects, r.mm.objects(len(r.order))...)
		r.styleAll()
	}
	return structural
}

func (r *renderer) styleAll() {
	sel := r.c.ed.Selection()
	r.selNodes, r.selEdge = r.c.ed.SelectedNodes(), sel.Edge
	for _, nv := range r.order {
		r.styleNode(nv)
	}
}

func (r *renderer) layoutAll() {
	if r.size.IsZero() {
		return
	}
	r.indexCards()
	defer func() { r.index = nil }()
	for _, nv := range r.order {
		r.layoutNode(nv)
	}
	for _, ev := range r.edges {
		r.layoutEdge(ev, true)
	}
	r.layoutMinimap()
	r.scale = r.view().Scale
}

// syncSelection restyles the previously and the newly selected items only.
func (r *renderer) syncSelection() {
	sel := r.c.ed.Selection()
	oldNodes, oldEdge := r.selNodes, r.selEdge
	r.selNodes, r.selEdge = r.c.ed.SelectedNodes(), sel.Edge
	for _, ids := range [][]string{oldNodes, r.selNodes} {
		for _, id := range ids {
			if nv := r.nodes[id]; nv != nil {
				r.styleNode(nv)
			}
		}
	}
	for _, i := range []int{oldEdge, sel.Edge} {
		if i >= 0 && i < len(r.edges) {
			r.layoutEdge(r.edges[i], true)
		}
	}
}

// syncProblems restyles the nodes whose problems changed.
func (r *renderer) syncProblems() {
	for _, nv := range r.order {
		ps := r.c.ed.NodeProblems(nv.id)
		msg, warn := problemText(ps), onlyWarnings(ps)
		if msg != nv.problem.Text || warn != nv.warnOnly {
			nv.problem.Text, nv.warnOnly = msg, warn
			r.styleNode(nv)
			r.layoutNode(nv)
			r.refresh(nv.problem)
		}
	}
}

// problemText is what a card shows under itself: the first problem (the
// first error, when there are errors and warnings), and how many more there
// are (the console lists them all).
func problemText(ps []flow.Problem) string {
	if len(ps) == 0 {
		return ""
	}
	first := ps[0]
	for _, p := range ps {
		if p.Severity != flow.SeverityWarning {
			first = p
			break
		}
	}
	msg := first.Message
	if first.Field != "" {
		msg = first.Field + ": " + msg
	}
	more := ""
	if len(ps) > 1 {
		more = fmt.Sprintf(" (+%d more)", len(ps)-1)
	}
	return fitText(msg, more, problemLineW)
}

// problemLineW is how wide (flow units) a card's problem line may be: the
// card and most of the gap a new card keeps from it, so the lines of cards
// side by side never run into each other.
const problemLineW = cardWidth + 16

// fitText returns s, shortened with an ellipsis when needed, followed by
// suffix, in at most width at the problem line's text size.
func fitText(s, suffix string, width float32) string {
	fits := func(t string) bool { return fyne.MeasureText(t, 11, fyne.TextStyle{}).Width <= width }
	if fits(s + suffix) {
		return s + suffix
	}
	r := []rune(s)
	lo, hi := 0, len(r) // the longest prefix that fits is in [lo, hi)
	for lo < hi-1 {
		mid := (lo + hi) / 2
		if fits(string(r[:mid]) + "…" + suffix) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return string(r[:lo]) + "…" + suffix
}

// onlyWarnings reports whether ps holds warnings and no error: the card then
// shows them in the warning colour, as the console does.
func onlyWarnings(ps []flow.Problem) bool {
	for _, p := range ps {
		if p.Severity != flow.SeverityWarning {
			return false
		}
	}
	return len(ps) > 0
}

// ---- node cards ----

type portView struct {
	name  string
	dot   *fc.Circle
	label *fc.Text
}

// nodeView is the drawing of one node. pos may run ahead of the document
// while the card is dragged.
type nodeView struct {
	id    string
	kind  flow.NodeKind
	pos   flow.Position
	edges []int // indices of the edges into or out of this node

	card      *fc.Rectangle
	iconBg    *fc.Circle
	icon      *fc.Image
	title     *fc.Text
	summary   *fc.Text
	input     *fc.Circle // nil for a start node, which has no input
	ports     []portView
	badge     *fc.Circle
	bp        *fc.Circle // a breakpoint's dot, left of the card (pulse.go)
	badgeText *fc.Text
	problem   *fc.Text
	warnOnly  bool // the problems are warnings only
	disabled  bool // the node is disabled: drawn greyed

	shown bool
	objs  []fyne.CanvasObject
}

func newNodeView(n *flow.Node) *nodeView {
	nv := &nodeView{id: n.ID}
	nv.rebuild(n)
	return nv
}

// rebuild creates the card's objects for the node's kind and ports; only
// called when they change, since every new object costs a texture upload.
func (nv *nodeView) rebuild(n *flow.Node) {
	nv.kind = n.Kind
	nv.card = fc.NewRectangle(color.Transparent)
	nv.iconBg = fc.NewCircle(kindColor(n.Kind))
	nv.icon = fc.NewImageFromResource(KindIcon(n.Kind))
	nv.icon.FillMode = fc.ImageFillContain
	nv.title = fc.NewText("", color.Black)
	nv.title.TextStyle = fyne.TextStyle{Bold: true}
	nv.summary = fc.NewText("", color.Black)
	nv.summary.TextStyle = fyne.TextStyle{Monospace: true}
	nv.input = nil
	if flow.HasInput(n.Kind) {
		nv.input = fc.NewCircle(color.Black)
	}
	nv.ports = nv.ports[:0]
	for _, p := range n.Ports() {
		l := fc.NewText(p, color.Black)
		l.Alignment = fyne.TextAlignTrailing
		nv.ports = append(nv.ports, portView{name: p, dot: fc.NewCircle(color.Black), label: l})
	}
	nv.badge = fc.NewCircle(color.Black)
	nv.badgeText = fc.NewText("!", color.White)
	nv.badgeText.TextStyle = fyne.TextStyle{Bold: true}
	nv.badgeText.Alignment = fyne.TextAlignCenter
	nv.problem = fc.NewText("", color.Black)
	nv.bp = fc.NewCircle(color.Black)
	nv.bp.Hide()
	nv.shown = true

	nv.objs = []fyne.CanvasObject{nv.card, nv.iconBg, nv.icon, nv.title, nv.summary}
	if nv.input != nil {
		nv.objs = append(nv.objs, nv.input)
	}
	for _, p := range nv.ports {
		nv.objs = append(nv.objs, p.dot, p.label)
	}
	nv.objs = append(nv.objs, nv.badge, nv.badgeText, nv.problem, nv.bp)
}

func (nv *nodeView) objects() []fyne.CanvasObject { return nv.objs }

func (nv *nodeView) portNames() []string {
	names := make([]string, len(nv.ports))
	for i, p := range nv.ports {
		names[i] = p.name
	}
	return names
}

func (nv *nodeView) portIndex(name string) int {
	for i, p := range nv.ports {
		if p.name == name {
			return i
		}
	}
	return -1
}

// update copies what the card shows from the node, refreshing only the texts
// that changed.
func (nv *nodeView) update(r *renderer, n *flow.Node) {
	nv.pos = n.Position
	title := n.Title
	if title == "" {
		title = n.ID
	}
	r.setText(nv.title, truncate(title, 24))
	summary := Summary(n)
	if n.Disabled {
		summary = "disabled: skipped in runs"
	}
	r.setText(nv.summary, truncate(summary, 28))
	if nv.disabled != n.Disabled {
		nv.disabled = n.Disabled
		r.styleNode(nv)
	}
}

func (r *renderer) setText(t *fc.Text, s string) {
	if t.Text != s {
		t.Text = s
		r.refresh(t)
	}
}

// styleNode sets the card's colours: the selection wins over a run's status,
// which wins over validation problems (the badge still shows those).
func (r *renderer) styleNode(nv *nodeView) {
	fg := r.color(theme.ColorNameForeground)
	stroke, width := r.color(theme.ColorNameSeparator), float32(1.5)
	hasProblem := nv.problem.Text != ""
	problemColor, onProblem := theme.ColorNameError, theme.ColorNameForegroundOnError
	if nv.warnOnly {
		problemColor, onProblem = theme.ColorNameWarning, theme.ColorNameForegroundOnWarning
	}
	if hasProblem {
		stroke, width = r.color(problemColor), 2
	}
	if st, ok := r.c.status[nv.id]; ok {
		stroke, width = r.color(statusColor(st)), 3
	}
	stroke, width = r.compareNode(nv, stroke, width)
	if r.c.ed.IsSelected(nv.id) {
		stroke, width = r.color(theme.ColorNamePrimary), 3
	}
	if nv.id == r.c.paused {
		stroke, width = r.color(statusColor(flow.StatusRunning)), r.c.pausedStroke()
	}
	fill := r.color(theme.ColorNameInputBackground)
	if nv.disabled {
		// greyed: a disabled node is skipped in runs
		fill, fg = r.color(theme.ColorNameDisabledButton), r.color(theme.ColorNameDisabled)
	}
	if !sameColor(nv.card.FillColor, fill) || !sameColor(nv.card.StrokeColor, stroke) || nv.card.StrokeWidth != width {
		nv.card.FillColor, nv.card.StrokeColor, nv.card.StrokeWidth = fill, stroke, width
		r.refresh(nv.card)
	}
	r.setTextColor(nv.title, fg)
	r.setTextColor(nv.summary, r.color(theme.ColorNamePlaceHolder))
	if nv.input != nil {
		r.setFill(nv.input, r.color(theme.ColorNamePlaceHolder))
	}
	for _, p := range nv.ports {
		r.setFill(p.dot, r.coveragePort(nv.id, p.name, r.color(portColorName(p.name))))
		r.setTextColor(p.label, fg)
	}
	r.setFill(nv.badge, r.color(problemColor))
	r.setFill(nv.bp, r.color(theme.ColorNameError))
	r.setTextColor(nv.badgeText, r.color(onProblem))
	r.setTextColor(nv.problem, r.color(problemColor))
	r.layoutNode(nv)
}

// setTextColor and setFill refresh only on a real change: refreshing a text
// rasterises it again, which a selection change must not cost every label.
func (r *renderer) setTextColor(t *fc.Text, c color.Color) {
	if !sameColor(t.Color, c) {
		t.Color = c
		r.refresh(t)
	}
}

func (r *renderer) setFill(o *fc.Circle, c color.Color) {
	if !sameColor(o.FillColor, c) {
		o.FillColor = c
		r.refresh(o)
	}
}

func sameColor(a, b color.Color) bool {
	if a == nil || b == nil {
		return a == b
	}
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

func portColorName(port string) fyne.ThemeColorName {
	switch port {
	case flow.PortFailure:
		return theme.ColorNameError
	case flow.PortDefault:
		return theme.ColorNamePlaceHolder
	}
	return theme.ColorNamePrimary
}

func statusColor(s flow.Status) fyne.ThemeColorName {
	switch s {
	case flow.StatusRunning:
		return theme.ColorNameWarning
	case flow.StatusSucceeded:
		return theme.ColorNameSuccess
	case flow.StatusFailed:
		return theme.ColorNameError
	}
	return theme.ColorNameDisabled
}

// layoutNode places a card's objects for the current view, or hides them all
// when the card is off screen (the GL painter draws hidden objects for free,
// visible ones at full cost even outside the window).
func (r *renderer) layoutNode(nv *nodeView) {
	if r.size.IsZero() {
		return
	}
	v := r.view()
	s := v.Scale
	tl := v.ToScreen(nv.pos)
	w, h := cardSize(len(nv.ports))
	W, H := w*s, h*s
	hasProblem := nv.problem.Text != ""
	bounds := Rect{tl.X - portHitPx, tl.Y, W + 2*portHitPx, H}
	if hasProblem {
		bounds.H += problemTxtH * s
		bounds.W += 100 * s
	}
	if !bounds.Intersects(Rect{0, 0, r.size.Width, r.size.Height}) {
		if nv.shown {
			for _, o := range nv.objs {
				show(o, false)
			}
			nv.shown = false
		}
		return
	}
	nv.shown = true
	at := func(x, y float32) fyne.Position { return fyne.NewPos(tl.X+x*s, tl.Y+y*s) }

	show(nv.card, true)
	nv.card.Move(tl)
	resize(nv.card, fyne.NewSize(W, H))
	if rad := 8 * s; nv.card.CornerRadius != rad {
		nv.card.CornerRadius = rad
		r.refresh(nv.card)
	}
	show(nv.iconBg, true)
	nv.iconBg.Move(at(9, 8))
	resize(nv.iconBg, fyne.NewSize(24*s, 24*s))
	show(nv.icon, true)
	nv.icon.Move(at(13, 12))
	resize(nv.icon, fyne.NewSize(16*s, 16*s))

	r.placeText(nv.title, at(40, 6), fyne.NewSize(W-(40+26)*s, 22*s), 13*s, true)
	r.placeText(nv.summary, at(10, 32), fyne.NewSize(W-20*s, 18*s), 11*s, true)
	if nv.input != nil {
		placeDot(nv.input, at(inputOffset().X, inputOffset().Y), portRadius*s)
	}
	for i, p := range nv.ports {
		off := portOffset(i)
		rad := float32(portRadius)
		if nv.id == r.hoverNode && p.name == r.hoverPort {
			rad *= 1.6
		}
		placeDot(p.dot, at(off.X, off.Y), rad*s)
		r.placeText(p.label, at(off.X/2, off.Y-portRowH/2), fyne.NewSize(W/2-12*s, portRowH*s), 11*s, true)
	}
	placeDot(nv.badge, at(w-16, 16), 8*s)
	show(nv.badge, hasProblem)
	placeDot(nv.bp, at(-breakGap, breakGap), breakRadius*s)
	show(nv.bp, r.c.breaks[nv.id])
	r.placeText(nv.badgeText, at(w-24, 8), fyne.NewSize(16*s, 16*s), 11*s, hasProblem)
	r.placeText(nv.problem, at(0, h+2), fyne.NewSize(problemLineW*s, problemTxtH*s), 11*s, hasProblem)
}

// placeText positions a text in a box (Fyne centres it vertically there) at
// a size following the zoom, hidden when too small to read.
func (r *renderer) placeText(t *fc.Text, pos fyne.Position, box fyne.Size, size float32, want bool) {
	if !want || size < minTextPx || t.Text == "" {
		show(t, false)
		return
	}
	show(t, true)
	t.Move(pos)
	if t.TextSize != size {
		t.TextSize = size
		t.Resize(box)
		r.refresh(t)
		return
	}
	resize(t, box)
}

func placeDot(c *fc.Circle, centre fyne.Position, radius float32) {
	show(c, true)
	c.Move(fyne.NewPos(centre.X-radius, centre.Y-radius))
	resize(c, fyne.NewSize(2*radius, 2*radius))
}

func show(o fyne.CanvasObject, visible bool) {
	if visible && !o.Visible() {
		o.Show()
	} else if !visible && o.Visible() {
		o.Hide()
	}
}

// resize avoids Resize calls that change nothing: for texts and images they
// would still cost a refresh.
func resize(o fyne.CanvasObject, s fyne.Size) {
	if o.Size() != s {
		o.Resize(s)
	}
}

// ---- connectors ----

// edgeView is the drawing of one edge: a pool of line segments approximating
// its curve, a two-line arrowhead and the port's label.
type edgeView struct {
	edge  flow.Edge
	index int // position in Flow().Edges
	width float32
	segs  [maxSegs]*fc.Line
	arrow [2]*fc.Line
	label *fc.Text
	shown bool
	objs  []fyne.CanvasObject
	// measured is the label's size at scale 1 for its text and style.
	measured struct {
		text  string
		style fyne.TextStyle
		size  fyne.Size
	}
}

func newEdgeView(e flow.Edge) *edgeView {
	ev := &edgeView{edge: e, shown: true}
	for i := range ev.segs {
		ev.segs[i] = fc.NewLine(color.Black)
		ev.objs = append(ev.objs, ev.segs[i])
	}
	for i := range ev.arrow {
		ev.arrow[i] = fc.NewLine(color.Black)
		ev.objs = append(ev.objs, ev.arrow[i])
	}
	ev.label = fc.NewText("", color.Black)
	ev.label.Alignment = fyne.TextAlignCenter
	ev.objs = append(ev.objs, ev.label)
	for _, o := range ev.objs {
		o.Hide()
	}
	ev.shown = false
	return ev
}

func (ev *edgeView) objects() []fyne.CanvasObject { return ev.objs }

// labelSize is the size of the label's text at scale 1, measured once per
// text and style: a pan or a zoom relays every connector out, and
// measuring text costs a shaping.
func (ev *edgeView) labelSize(text string) fyne.Size {
	if text != ev.measured.text || ev.label.TextStyle != ev.measured.style {
		ev.measured.text, ev.measured.style = text, ev.label.TextStyle
		ev.measured.size = fyne.MeasureText(text, 11, ev.label.TextStyle)
	}
	return ev.measured.size
}

// lines lists the segments and the arrowhead, without the label.
func (ev *edgeView) lines() []fyne.CanvasObject { return ev.objs[:len(ev.objs)-1] }

func (ev *edgeView) hide() {
	if !ev.shown {
		return
	}
	for _, o := range ev.objs {
		show(o, false)
	}
	ev.shown = false
}

type edgeStyle struct {
	color  color.Color
	width  float32
	dashed bool
	label  string
	bold   bool
}

// styleOf says how edge i looks: failure edges red and dashed, default edges
// grey, a taken edge lit, the selected edge in the primary colour.
func (r *renderer) styleOf(i int, port string) edgeStyle {
	st := edgeStyle{color: r.color(theme.ColorNameForeground), width: 1.5, label: port}
	switch port {
	case flow.PortFailure:
		st.color, st.dashed = r.color(theme.ColorNameError), true
	case flow.PortDefault:
		st.color = r.color(theme.ColorNamePlaceHolder)
	case flow.PortNext:
		st.label = ""
	}
	if r.c.taken[i] {
		st.color, st.width, st.bold, st.label = r.color(theme.ColorNameSuccess), 3.5, true, port
	}
	st = r.compareEdge(i, port, st)
	st = r.coverageEdge(i, port, st)
	if i == r.selEdge {
		st.color, st.width = r.color(theme.ColorNamePrimary), 3.5
	}
	return st
}

// layoutEdge re-flattens edge i's curve between its cards' current
// positions; restyle also recolours it.
func (r *renderer) layoutEdge(ev *edgeView, restyle bool) {
	if r.size.IsZero() {
		return
	}
	src, dst := r.nodes[ev.edge.From], r.nodes[ev.edge.To]
	if src == nil || dst == nil {
		ev.hide()
		return
	}
	pi := src.portIndex(ev.edge.PortName())
	if pi < 0 || dst.input == nil {
		ev.hide() // validation reports the dangling edge; nothing sensible to draw
		return
	}
	others := func(yield func(Rect) bool) {
		for _, nv := range r.order {
			if nv != src && nv != dst && !yield(nv.rect()) {
				return
			}
		}
	}
	if r.index != nil {
		others = r.index.near(src.rect(), dst.rect(), src, dst)
	}
	path := routeConnector(src.rect(), dst.rect(), pi, others)
	r.drawCurve(ev, path.ToScreen(r.view()), r.styleOf(ev.index, ev.edge.PortName()), true, restyle)
}

// indexCards indexes the cards where they are drawn now, for a batch of
// connector layouts.
func (r *renderer) indexCards() {
	r.index = newCardIndex(len(r.order), func(i int) (any, Rect) { return r.order[i], r.order[i].rect() })
}

// rect is the card's rectangle in flow units, where it is drawn now.
func (nv *nodeView) rect() Rect {
	w, h := cardSize(len(nv.ports))
	return Rect{float32(nv.pos.X), float32(nv.pos.Y), w, h}
}

// portScreen maps a point of a card (offset from its corner, flow units) to
// widget coordinates.
func portScreen(v View, corner flow.Position, off fyne.Position) fyne.Position {
	p := v.ToScreen(corner)
	return fyne.NewPos(p.X+off.X*v.Scale, p.Y+off.Y*v.Scale)
}

// drawCurve flattens curve (screen coordinates) into ev's segments, hiding
// it when off screen.
func (r *renderer) drawCurve(ev *edgeView, curve Path, st edgeStyle, arrow, restyle bool) {
	s := r.view().Scale
	if !curve.Bounds().Grow(24 * s).Intersects(Rect{0, 0, r.size.Width, r.size.Height}) {
		ev.hide()
		return
	}
	ev.shown = true
	lo := 8
	if st.dashed {
		lo = 14
	}
	n := curve.Segments(lo, maxSegs)
	if st.dashed && n%2 == 0 {
		n-- // odd, so the dashed line ends on a dash at the target
	}
	r.pts = curve.Flatten(n, r.pts[:0])
	width := st.width * clamp(s, 0.6, 1.5)
	restyle = restyle || ev.width != width
	ev.width = width
	for i, l := range ev.segs {
		if i >= n || (st.dashed && i%2 == 1) {
			show(l, false)
			continue
		}
		r.setLine(l, r.pts[i], r.pts[i+1], st, width, restyle)
	}
	if arrow {
		b, prev := r.pts[n], r.pts[n-1]
		dx, dy := b.X-prev.X, b.Y-prev.Y
		if l := dist(b, prev); l > 0 {
			dx, dy = dx/l, dy/l
		} else {
			dx, dy = 1, 0
		}
		al := arrowLenPx * s
		// two strokes back from the tip at ±30 degrees
		const c30, s30 = 0.866, 0.5
		for k, sign := range [2]float32{1, -1} {
			bx := -(dx*c30 - sign*dy*s30) * al
			by := -(dy*c30 + sign*dx*s30) * al
			r.setLine(ev.arrow[k], b, fyne.NewPos(b.X+bx, b.Y+by), st, width, restyle)
		}
	} else {
		show(ev.arrow[0], false)
		show(ev.arrow[1], false)
	}
	if restyle {
		ev.label.Color = st.color
		ev.label.TextStyle = fyne.TextStyle{Bold: st.bold}
		r.setText(ev.label, st.label)
		r.refresh(ev.label)
	}
	// a short connector needs no label unless it was taken: the port's own
	// label is right there
	first, last := curve[0][0], curve[len(curve)-1][3]
	long := dist(first, last) > 150*s
	m := ev.labelSize(st.label)
	box, ok := labelBox(curve, fyne.NewSize(m.Width*s, m.Height*s), s)
	r.placeText(ev.label, box.pos(), box.size(), 11*s, ok && st.label != "" && (long || st.bold))
}

// labelBox finds where a connector's label of that size goes: above the
// path (below it when that is clearer) near its start for a long curve,
// at its middle for a short one, on the lane of a loop; never over the dots
// at either end, where the port and the input are. ok is false when a
// connector is too short for its label to clear them.
func labelBox(p Path, text fyne.Size, s float32) (Rect, bool) {
	first, last := p[0][0], p[len(p)-1][3]
	at := p.PointAt(0.5)
	if len(p) == 1 && dist(first, last) > 150*s {
		at = p.PointAt(0.3) // nearer the port than the target, where curves into one card converge
	}
	clear := (portRadius + 4) * s
	ends := []Rect{
		{first.X - clear, first.Y - clear, 2 * clear, 2 * clear},
		{last.X - clear, last.Y - clear, 2 * clear, 2 * clear},
	}
	for _, y := range []float32{at.Y - text.Height - 3*s, at.Y + 3*s} {
		box := Rect{at.X - text.Width/2, y, text.Width, text.Height}
		if !box.Intersects(ends[0]) && !box.Intersects(ends[1]) {
			return box, true
		}
	}
	return Rect{}, false
}

// setLine moves a segment; only a restyle needs a refresh, moving a line is
// a repaint.
func (r *renderer) setLine(l *fc.Line, a, b fyne.Position, st edgeStyle, width float32, restyle bool) {
	show(l, true)
	moved := l.Position1 != a || l.Position2 != b
	l.Position1, l.Position2 = a, b
	if restyle {
		l.StrokeColor, l.StrokeWidth = st.color, width
	}
	if moved || restyle {
		r.refresh(l)
	}
}

// ---- what a card says ----

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
