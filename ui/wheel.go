package ui

import (
	"image/color"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// A form in a scroll container scrolls with the mouse wheel anywhere over
// it, text fields included. Fyne hands a wheel event to the deepest
// Scrollable under the pointer and never passes it on; every entry holds a
// scroller of its own, so the form stopped scrolling whenever the pointer
// rested on a field, which is most of a form.
//
// wheelScroll lays a layer of transparent wheel pads over the scroll
// container. The pads are Scrollable and nothing else, so taps, drags,
// hovering and the text cursor still reach the fields beneath them, while
// the wheel reaches the pads first (they come after the form in the walk
// order) and they scroll the form. The pads leave holes over the big
// multi-line editors (holes), which scroll their own text as in any editor.
type wheelScroll struct {
	scroll *container.Scroll
	layer  *fyne.Container
	holes  func() []fyne.CanvasObject
	object fyne.CanvasObject
	pads   []*wheelPad // reused between layouts
}

// newWheelScroll wraps content in a vertical scroll whose wheel works over
// its fields; holes lists the multi-line editors that keep their own wheel
// (nil: none).
func newWheelScroll(content fyne.CanvasObject, holes func() []fyne.CanvasObject) *wheelScroll {
	w := &wheelScroll{scroll: container.NewVScroll(content), holes: holes}
	w.layer = container.New(&wheelLayout{w: w})
	w.scroll.OnScrolled = func(fyne.Position) { w.relayout() }
	w.object = container.NewStack(w.scroll, w.layer)
	return w
}

// relayout cuts the pads again: the holes moved with the scroll or with a
// new form.
func (w *wheelScroll) relayout() { w.layer.Refresh() }

// wheelLayout places the pads over the layer's area less the holes.
type wheelLayout struct{ w *wheelScroll }

func (l *wheelLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }

func (l *wheelLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	w := l.w
	rects := padRects(size, w.holeRects())
	for len(w.pads) < len(rects) {
		w.pads = append(w.pads, newWheelPad(w))
	}
	objs := make([]fyne.CanvasObject, len(rects))
	for i, r := range rects {
		p := w.pads[i]
		p.Move(r.pos)
		p.Resize(r.size)
		objs[i] = p
	}
	w.layer.Objects = objs
}

type rect struct {
	pos  fyne.Position
	size fyne.Size
}

// holeRects are the visible holes in the layer's coordinates.
func (w *wheelScroll) holeRects() []rect {
	if w.holes == nil {
		return nil
	}
	d := fyne.CurrentApp().Driver()
	origin := d.AbsolutePositionForObject(w.layer)
	var out []rect
	for _, h := range w.holes() {
		if h == nil || !h.Visible() || h.Size().IsZero() {
			continue
		}
		p := d.AbsolutePositionForObject(h).Subtract(origin)
		out = append(out, rect{fyne.NewPos(p.X, p.Y), h.Size()})
	}
	return out
}

// padRects covers size with rectangles that leave out the holes: bands
// between the holes' top and bottom edges, each split around the holes
// that cross it.
func padRects(size fyne.Size, holes []rect) []rect {
	if size.IsZero() {
		return nil
	}
	ys := []float32{0, size.Height}
	for _, h := range holes {
		ys = append(ys, clamp(h.pos.Y, 0, size.Height), clamp(h.pos.Y+h.size.Height, 0, size.Height))
	}
	sort.Slice(ys, func(i, j int) bool { return ys[i] < ys[j] })
	var out []rect
	for i := 0; i+1 < len(ys); i++ {
		top, bottom := ys[i], ys[i+1]
		if bottom <= top {
			continue
		}
		mid := (top + bottom) / 2
		type span struct{ from, to float32 }
		var cut []span
		for _, h := range holes {
			if h.pos.Y <= mid && mid < h.pos.Y+h.size.Height {
				cut = append(cut, span{clamp(h.pos.X, 0, size.Width), clamp(h.pos.X+h.size.Width, 0, size.Width)})
			}
		}
		sort.Slice(cut, func(i, j int) bool { return cut[i].from < cut[j].from })
		x := float32(0)
		for _, c := range cut {
			if c.from > x {
				out = append(out, rect{fyne.NewPos(x, top), fyne.NewSize(c.from-x, bottom-top)})
			}
			if c.to > x {
				x = c.to
			}
		}
		if x < size.Width {
			out = append(out, rect{fyne.NewPos(x, top), fyne.NewSize(size.Width-x, bottom-top)})
		}
	}
	return out
}

func clamp(v, lo, hi float32) float32 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// wheelPad is a transparent area that turns the wheel into a scroll of the
// form under it.
type wheelPad struct {
	widget.BaseWidget
	to *container.Scroll
	w  *wheelScroll
}

func newWheelPad(w *wheelScroll) *wheelPad {
	p := &wheelPad{to: w.scroll, w: w}
	p.ExtendBaseWidget(p)
	return p
}

// Scrolled scrolls the form; the pads are cut again after, as a form that
// changed height since the last cut may have moved its editors.
func (p *wheelPad) Scrolled(ev *fyne.ScrollEvent) {
	p.to.Scrolled(ev)
	p.w.relayout()
}

func (p *wheelPad) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}
