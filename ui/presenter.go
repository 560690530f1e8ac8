package ui

import (
	"context"
	"fmt"
	"image/color"
	"maps"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	fbcanvas "github.com/flowbench/flowbench/ui/canvas"
)

// Presenter mode is the canvas for a room (F11, View > Presenter): the
// window full screen, the toolbar, sidebar, forms and console hidden, the
// flow fitted larger (by a zoom factor the app remembers: zooming while
// presenting sets it), the latest step's request and response in a large
// card over the canvas, and the latest decision in words in large type
// above it. F11 or Escape leaves it.

// prefPresenterZoom keeps the presenter's zoom factor (1: fitted).
const prefPresenterZoom = "presenter.zoom"

// presenterMaxScale is how far presenter mode may magnify a small flow
// when it fits it (the editor's fit stops at 100%).
const presenterMaxScale = 2.5

type presenter struct {
	a  *App
	on bool

	layer    *fyne.Container // over the canvas: the decision and the step card
	runs     *fyne.Container // one button a mock: run the branch it decides
	decision *widget.RichText
	title    *widget.Label
	resp     *responseView
	card     *fyne.Container
	fitted   fbcanvas.View // the view presenter mode fitted, before the factor
	before   fbcanvas.View // the editor's view, given back on leaving
	hidden   []fyne.CanvasObject
	// cardBg and band are the step card's and the decision's backgrounds,
	// coloured from the theme in use each time presenter mode starts
	cardBg, band *canvas.Rectangle
}

func newPresenter(a *App) *presenter {
	p := &presenter{a: a}
	p.decision = widget.NewRichText()
	p.decision.Wrapping = fyne.TextWrapWord
	p.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.title.Truncation = fyne.TextTruncateEllipsis
	p.resp = newResponseView(a.shell())
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeWidth = 2
	bg.CornerRadius = theme.InputRadiusSize()
	p.cardBg = bg
	body := container.NewBorder(p.title, nil, nil, nil, p.resp.Object())
	p.card = container.NewStack(bg, container.NewPadded(body))
	p.card.Hide()
	p.band = canvas.NewRectangle(color.Transparent)
	top := container.NewStack(p.band, p.decision)
	p.runs = container.NewHBox()
	p.layer = container.New(&presenterLayout{p: p}, top, p.card, p.runs)
	p.layer.Hide()
	return p
}

// presenterLayout puts the decision along the top and the step card in
// the lower right, a third of the width and half the height (at least
// readable), leaving the rest of the canvas to the mouse.
type presenterLayout struct{ p *presenter }

func (l *presenterLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }

func (l *presenterLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	top, card, runs := objs[0], objs[1], objs[2]
	rm := runs.MinSize()
	runs.Move(fyne.NewPos(theme.Padding(), size.Height-rm.Height-theme.Padding()))
	runs.Resize(fyne.NewSize(min(rm.Width, size.Width*0.6), rm.Height))
	top.Move(fyne.NewPos(0, 0))
	top.Resize(fyne.NewSize(size.Width, l.p.bannerHeight(size.Width)))
	top.Show()
	if len(l.p.decision.Segments) == 0 {
		top.Hide()
	}
	w, ch := stepCardSize(size)
	card.Move(fyne.NewPos(size.Width-w-theme.Padding(), size.Height-ch-theme.Padding()))
	card.Resize(fyne.NewSize(w, ch))
}

// stepCardSize is the step card's size on a canvas of size: the lower
// right, about a third of the width and half the height, at least readable.
func stepCardSize(size fyne.Size) (w, h float32) {
	return min(size.Width, max(size.Width*0.34, 380)), min(size.Height, max(size.Height*0.5, 300))
}

// bannerHeight is the decision's height across width (two lines of large
// type at most are planned for).
func (p *presenter) bannerHeight(width float32) float32 {
	p.decision.Resize(fyne.NewSize(width, p.decision.MinSize().Height))
	return p.decision.MinSize().Height
}

// toggle enters or leaves presenter mode.
func (p *presenter) toggle() {
	if p.on {
		p.leave()
	} else {
		p.enter()
	}
}

func (p *presenter) enter() {
	a := p.a
	p.on = true
	p.before = a.cv.View()
	p.hidden = nil
	// the console's place (shared with the comparison panel) and the
	// properties panel's (shared with the coverage panel) go as a whole: a
	// split gives a side's room to the other only when the side itself is
	// hidden
	for _, o := range []fyne.CanvasObject{a.bar.object(), a.palette, a.sidebar.object(), a.inspSplit.Trailing, a.consoleSplit.Trailing, a.work.main} {
		if o != nil && o.Visible() {
			o.Hide()
			p.hidden = append(p.hidden, o)
		}
	}
	a.w.SetFullScreen(true)
	a.w.SetMainMenu(nil)
	p.colour()
	p.clear() // the last run's step and decision may not be the run on the canvas
	p.buildRuns()
	p.layer.Show()
	a.w.Content().Refresh() // the splits give the canvas the room the panels left
	p.fit()
}

func (p *presenter) leave() {
	a := p.a
	if v := a.cv.View(); p.fitted.Scale > 0 && v.Scale > 0 {
		a.fa.Preferences().SetFloat(prefPresenterZoom, float64(v.Scale/p.fitted.Scale))
	}
	p.on = false
	p.layer.Hide()
	a.w.SetFullScreen(false)
	a.w.SetMainMenu(a.mainMenu())
	for _, o := range p.hidden {
		o.Show()
	}
	p.hidden = nil
	a.w.Content().Refresh()
	a.cv.SetView(p.before)
}

// fit fits the flow to the canvas up to presenterMaxScale, then applies
// the remembered factor about the middle.
func (p *presenter) fit() {
	a := p.a
	var r fbcanvas.Rect
	first := true
	v := a.cv.View()
	for _, n := range a.ed.Flow().Nodes {
		cr, ok := a.cv.CardRect(n.ID)
		if !ok {
			continue
		}
		tl := v.ToFlow(fyne.NewPos(cr.X, cr.Y))
		fr := fbcanvas.Rect{X: float32(tl.X), Y: float32(tl.Y), W: cr.W / v.Scale, H: cr.H / v.Scale}
		if first {
			r, first = fr, false
		} else {
			r = r.Union(fr)
		}
	}
	if first {
		return
	}
	// room for the connectors' labels; the flow keeps clear of the step
	// card on the right, two lines of decision above and the run buttons
	// below
	r = r.Grow(24)
	size := a.cv.Size()
	cw, _ := stepCardSize(size)
	top := 2.2 * theme.TextHeadingSize()
	bottom := p.runs.MinSize().Height + 2*theme.Padding()
	room := fyne.NewSize(max(size.Width-cw-2*theme.Padding(), size.Width/2), max(size.Height-top-bottom, size.Height/2))
	p.fitted = fbcanvas.Fit(r, room, 16, presenterMaxScale)
	p.fitted.OffsetY += top
	factor := float32(a.fa.Preferences().FloatWithFallback(prefPresenterZoom, 1))
	if factor < 0.25 || factor > 4 {
		factor = 1
	}
	mid := fyne.NewPos(a.cv.Size().Width/2, a.cv.Size().Height/2)
	a.cv.SetView(p.fitted.ZoomAt(mid, factor))
}

// buildRuns makes one button for each mock that can stand in for a
// connection the flow uses: a click runs the flow with that mock (the
// Run dialog's other choices as last time), so a trainer shows each
// branch in one click.
func (p *presenter) buildRuns() {
	a := p.a
	p.runs.Objects = nil
	var mocks []flow.Mock
	if a.opts.MockStore != nil {
		mocks, _ = a.opts.MockStore.ListMocks(context.Background())
	}
	uses := a.ed.Flow().ConnectionUses(a.conns)
	for _, use := range uses {
		for _, m := range flow.MocksFor(use, mocks) {
			label := m
			if len(uses) > 1 {
				label = use.Name + ": " + m
			}
			conn, mock := use.Name, m
			b := widget.NewButtonWithIcon(label, theme.MediaPlayIcon(), func() { p.runWith(conn, mock) })
			p.runs.Add(b)
		}
	}
	p.runs.Refresh()
}

// runWith runs the open flow with mock standing in for conn, the rest as
// the last choice (or the window's payload and environment).
func (p *presenter) runWith(conn, mock string) {
	a := p.a
	c := runChoice{flowID: a.flowOrDocID(), trigger: a.lastInput, env: a.envs.current(), mocks: map[string]string{}}
	if last := a.lastRun; last != nil && last.flowID == c.flowID {
		c = *last
		c.mocks = maps.Clone(last.mocks)
		if c.mocks == nil {
			c.mocks = map[string]string{}
		}
	}
	c.mocks[conn] = mock
	a.runChoice(c)
}

// step shows a finished step in the card, and its decision in words.
func (p *presenter) step(s *flow.Step) {
	if !p.on || s == nil {
		return
	}
	if s.Decision != "" {
		p.decision.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: s.Decision,
			Style: widget.RichTextStyle{SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}, Alignment: fyne.TextAlignCenter}}}
		p.decision.Refresh()
		p.layer.Refresh()
	}
	if len(s.Exchanges) == 0 {
		return
	}
	x := s.Exchanges[len(s.Exchanges)-1]
	title := s.Node
	if s.Title != "" {
		title = s.Title
	}
	p.title.SetText(fmt.Sprintf("Step %d · %s · %s %s", s.Seq, title, x.Method, x.URL))
	p.resp.Show(&x, s.Exchanges)
	p.card.Show()
	p.layer.Refresh()
}

// colour gives the card and the decision's band the theme in use: the
// decision's text is in the theme's foreground, so its band is the
// theme's overlay background, nearly opaque (a fixed dark band left dark
// text on dark grey in the light theme).
func (p *presenter) colour() {
	bg := theme.Color(theme.ColorNameOverlayBackground)
	p.cardBg.FillColor, p.cardBg.StrokeColor = bg, theme.Color(theme.ColorNamePrimary)
	r, g, b, _ := bg.RGBA()
	p.band.FillColor = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0xe6}
	p.cardBg.Refresh()
	p.band.Refresh()
}

// clear empties the card and the decision (a new run, another flow).
func (p *presenter) clear() {
	p.decision.Segments = nil
	p.card.Hide()
	p.layer.Refresh()
}

// presenterItem is View > Presenter.
func (a *App) presenterItem() *fyne.MenuItem {
	it := fyne.NewMenuItem("Presenter (F11)", a.present.toggle)
	return it
}
