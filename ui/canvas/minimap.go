package canvas

import (
	"image/color"

	"fyne.io/fyne/v2"
	fc "fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// The minimap's largest size and its margin from the canvas's corner, in
// pixels.
const (
	minimapW, minimapH = 160, 100
	minimapMargin      = 10
)

// minimap is the overview in the canvas's bottom-right corner, shown while
// the flow does not fit the view: a box per card and the view's outline.
// A tap on it pans the view there.
type minimap struct {
	bg, view *fc.Rectangle
	cards    []*fc.Rectangle
	shown    bool
	at       Rect // where it is drawn (widget coordinates), while shown
	area     Rect // the flow rectangle it shows
	scale    float32
}

func newMinimap() *minimap {
	m := &minimap{bg: fc.NewRectangle(color.Transparent), view: fc.NewRectangle(color.Transparent)}
	m.bg.StrokeWidth, m.view.StrokeWidth = 1, 1.5
	m.bg.Hide()
	m.view.Hide()
	return m
}

// objects lists its objects, one box per card of order.
func (m *minimap) objects(n int) []fyne.CanvasObject {
	for len(m.cards) < n {
		r := fc.NewRectangle(color.Transparent)
		r.Hide()
		m.cards = append(m.cards, r)
	}
	for _, r := range m.cards[n:] {
		r.Hide()
	}
	m.cards = m.cards[:n]
	objs := []fyne.CanvasObject{m.bg}
	for _, r := range m.cards {
		objs = append(objs, r)
	}
	return append(objs, m.view)
}

func (m *minimap) hide() {
	if !m.shown {
		return
	}
	m.shown = false
	show(m.bg, false)
	show(m.view, false)
	for _, c := range m.cards {
		show(c, false)
	}
}

// layoutMinimap draws the minimap for the current view and cards, or hides
// it when every card is in view.
func (r *renderer) layoutMinimap() {
	m := r.mm
	if r.size.IsZero() || len(r.order) == 0 || len(m.cards) != len(r.order) {
		m.hide()
		return
	}
	var cards Rect
	for _, nv := range r.order {
		cards = cards.Union(nv.rect())
	}
	v := r.view()
	tl, br := v.ToFlow(fyne.NewPos(0, 0)), v.ToFlow(fyne.NewPos(r.size.Width, r.size.Height))
	view := Rect{float32(tl.X), float32(tl.Y), float32(br.X - tl.X), float32(br.Y - tl.Y)}
	if cards.X >= view.X && cards.Y >= view.Y && cards.X+cards.W <= view.X+view.W && cards.Y+cards.H <= view.Y+view.H ||
		r.size.Width < 3*minimapW || r.size.Height < 2*minimapH {
		m.hide()
		return
	}
	area := cards.Union(view)
	s := min(minimapW/area.W, minimapH/area.H)
	w, h := area.W*s, area.H*s
	m.at = Rect{r.size.Width - w - minimapMargin, r.size.Height - h - minimapMargin, w, h}
	m.area, m.scale, m.shown = area, s, true
	to := func(x Rect) Rect {
		return Rect{m.at.X + (x.X-area.X)*s, m.at.Y + (x.Y-area.Y)*s, max(x.W*s, 1), max(x.H*s, 1)}
	}
	place := func(o *fc.Rectangle, x Rect) {
		show(o, true)
		o.Move(x.pos())
		resize(o, x.size())
	}
	bg := r.color(theme.ColorNameOverlayBackground)
	if !sameColor(m.bg.FillColor, bg) {
		m.bg.FillColor, m.bg.StrokeColor = bg, r.color(theme.ColorNameSeparator)
		m.view.StrokeColor = r.color(theme.ColorNamePrimary)
		r.refresh(m.bg)
		r.refresh(m.view)
	}
	place(m.bg, m.at.Grow(2))
	fill := r.color(theme.ColorNamePlaceHolder)
	for i, nv := range r.order {
		c := m.cards[i]
		if !sameColor(c.FillColor, fill) {
			c.FillColor = fill
			r.refresh(c)
		}
		place(c, to(nv.rect()))
	}
	place(m.view, to(view))
}

// minimapTap pans the view so the flow point under p (a point of the
// shown minimap) is in the middle of the canvas, and reports whether p was
// on the minimap.
func (c *Canvas) minimapTap(p fyne.Position) bool {
	if c.r == nil || !c.r.mm.shown || !c.r.mm.at.Contains(p) {
		return false
	}
	m := c.r.mm
	fx := m.area.X + (p.X-m.at.X)/m.scale
	fy := m.area.Y + (p.Y-m.at.Y)/m.scale
	v := c.view
	size := c.Size()
	v.OffsetX = size.Width/2 - fx*v.Scale
	v.OffsetY = size.Height/2 - fy*v.Scale
	c.SetView(v)
	return true
}
