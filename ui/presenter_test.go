package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Issue 17: presenter mode shows the canvas alone, full screen, the flow
// larger; a run's latest step and decision appear over it; F11 or Escape
// gives the window back as it was; the zoom set while presenting is kept.
func TestPresenterMode(t *testing.T) {
	h := newKitHarness(t, true)
	h.openStored("Demo: chatbot branching")
	editorScale := h.app.cv.View().Scale
	panels := []fyne.CanvasObject{h.app.bar.object(), h.app.palette, h.app.sidebar.object(), h.app.inspSplit.Trailing, h.app.consoleSplit.Trailing}

	if !h.app.runKey(&fyne.KeyEvent{Name: fyne.KeyF11}) || !h.app.present.on {
		t.Fatal("F11 did not start presenter mode")
	}
	if !h.w.FullScreen() {
		t.Error("presenter mode is not full screen")
	}
	for i, o := range panels {
		if o.Visible() {
			t.Errorf("panel %d is still shown in presenter mode", i)
		}
	}
	size := h.app.cv.Size()
	// the console's place goes to the canvas too (the console shares it
	// with the comparison panel: the split must lose both)
	if win := h.w.Canvas().Size(); size.Height < win.Height*0.9 || size.Width < win.Width*0.9 {
		t.Errorf("in presenter mode the canvas is %v in a %v window", size, win)
	}
	for _, n := range h.app.ed.Flow().Nodes {
		r, ok := h.app.cv.CardRect(n.ID)
		if !ok || r.X < 0 || r.Y < 0 || r.X+r.W > size.Width || r.Y+r.H > size.Height {
			t.Fatalf("card %s (%v) is not wholly on the %v canvas in presenter mode", n.ID, r, size)
		}
	}
	if s := h.app.cv.View().Scale; s <= editorScale {
		t.Errorf("presenter mode draws the flow at %.2f, no larger than the editor's %.2f", s, editorScale)
	}

	run := h.runFromDialog(func(d *runDialog) {
		d.input.SetText(`{"chatId": "c-1"}`)
		d.mocks["demo-bot"].SetSelected(mockChoice("chatbot-vip"))
	})
	if run.Outcome != "vip" {
		t.Fatalf("run ended %q", run.Outcome)
	}
	p := h.app.present
	if !p.card.Visible() || !strings.Contains(p.title.Text, "lookup") && !strings.Contains(p.title.Text, "Look up") {
		t.Errorf("the step card shows %q (visible %v), want the lookup call", p.title.Text, p.card.Visible())
	}
	if !strings.Contains(p.decision.String(), "vip") {
		t.Errorf("the decision over the canvas reads %q, want the vip branch in words", p.decision.String())
	}

	// one click a branch: the presenter's run buttons
	var standard *widget.Button
	for _, o := range p.runs.Objects {
		if b, ok := o.(*widget.Button); ok && b.Text == "chatbot-standard" {
			standard = b
		}
	}
	if standard == nil {
		t.Fatalf("presenter mode offers no button for chatbot-standard: %d buttons", len(p.runs.Objects))
	}
	before := h.app.live.run.ID
	test.Tap(standard)
	h.settle("the branch run", func() bool { return !h.app.Running() && h.app.live.run != nil && h.app.live.run.ID != before })
	if got := h.app.live.run.Outcome; got != "standard" {
		t.Fatalf("the chatbot-standard button's run ended %q, want standard", got)
	}
	if h.w.MainMenu() != nil {
		t.Error("the main menu is shown in presenter mode")
	}

	// zoom while presenting, leave with Escape: the factor is remembered
	fitted := p.fitted.Scale
	h.app.cv.ZoomIn()
	zoomed := h.app.cv.View().Scale
	if !h.app.runKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) || p.on {
		t.Fatal("Escape did not leave presenter mode")
	}
	if h.w.FullScreen() {
		t.Error("the window stays full screen after presenter mode")
	}
	for i, o := range panels {
		if !o.Visible() {
			t.Errorf("panel %d stays hidden after presenter mode", i)
		}
	}
	if got := h.app.cv.View().Scale; got != editorScale {
		t.Errorf("the editor's view is at %.2f after presenter mode, was %.2f", got, editorScale)
	}
	h.app.present.toggle()
	if got, want := h.app.cv.View().Scale, zoomed/fitted*p.fitted.Scale; abs32(got-want) > 0.01 {
		t.Errorf("presenter mode again at %.3f, want the remembered factor: %.3f", got, want)
	}
	h.app.present.toggle()
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

// In the light theme the decision's band and the step card take the
// theme's colours (a fixed dark band left dark text on dark grey), and
// entering presenter mode drops the last run's decision, which may not be
// the run the canvas shows.
func TestPresenterReadsInTheLightTheme(t *testing.T) {
	h := newKitHarness(t, true)
	h.openStored("Demo: chatbot branching")
	h.app.SetTheme(themeLight)
	p := h.app.present
	p.decision.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: "a stale decision"}}
	if !h.app.runKey(&fyne.KeyEvent{Name: fyne.KeyF11}) {
		t.Fatal("F11 did not start presenter mode")
	}
	if len(p.decision.Segments) != 0 {
		t.Errorf("entering presenter mode kept the last decision %q", p.decision.String())
	}
	fg := theme.Color(theme.ColorNameForeground)
	if c := contrast(fg, p.band.FillColor); c < 4.5 {
		t.Errorf("the decision's text on its band: contrast %.2f, want at least 4.5", c)
	}
	if c := contrast(fg, p.cardBg.FillColor); c < 4.5 {
		t.Errorf("the step card's text on its background: contrast %.2f, want at least 4.5", c)
	}
	h.app.runKey(&fyne.KeyEvent{Name: fyne.KeyF11})
}
