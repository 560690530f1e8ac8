package canvas

import (
	"testing"

	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/ui/editor"
)

// Issue 17: the card a paused run waits before pulses; the pulse wins over
// the selection, stops when the run goes on, and a load leaves nothing
// pulsing.
func TestPausedCardPulses(t *testing.T) {
	fx := newFixture(t, smallFlow())
	var step func(float32)
	starts, stops := 0, 0
	fx.c.Pulse = func(s func(float32)) func() {
		starts++
		step = s
		return func() { stops++ }
	}
	card := fx.c.r.nodes["lookup"].card
	rest := card.StrokeWidth
	fx.ed.Select(editor.Selection{Node: "lookup", Edge: -1})
	fx.c.SetPaused("lookup")
	if starts != 1 || fx.c.Paused() != "lookup" {
		t.Fatalf("SetPaused started %d pulses, paused %q", starts, fx.c.Paused())
	}
	if card.StrokeColor != theme.Color(theme.ColorNameWarning) || card.StrokeWidth != pausedWidth {
		t.Fatalf("paused card stroke %v width %v, want the running colour at %v", card.StrokeColor, card.StrokeWidth, float32(pausedWidth))
	}
	var widths []float32
	for _, t := range []float32{0.5, 1, 0} {
		step(t)
		widths = append(widths, card.StrokeWidth)
	}
	if want := []float32{pausedWidth + pulseExtra/2, pausedWidth + pulseExtra, pausedWidth}; widths[0] != want[0] || widths[1] != want[1] || widths[2] != want[2] {
		t.Fatalf("the pulse drew widths %v, want %v", widths, want)
	}
	fx.c.SetPaused("lookup") // the same node again: no second animation
	if starts != 1 {
		t.Fatalf("pausing again at the same node started %d pulses", starts)
	}
	fx.c.SetPaused("")
	if stops != 1 {
		t.Fatalf("the pulse was stopped %d times when the run went on", stops)
	}
	step(1) // a last frame after the stop changes nothing
	if card.StrokeColor != theme.Color(theme.ColorNamePrimary) || card.StrokeWidth == pausedWidth+pulseExtra {
		t.Fatalf("after the pause the selected card has stroke %v width %v (rest %v)", card.StrokeColor, card.StrokeWidth, rest)
	}

	fx.c.SetPaused("done")
	fx.ed.Load(smallFlow())
	if fx.c.Paused() != "" || stops != 2 {
		t.Fatalf("a load left %q pulsing (stops %d)", fx.c.Paused(), stops)
	}
	fx.c.SetPaused("nowhere")
	if fx.c.Paused() != "" || starts != 2 {
		t.Fatalf("an unknown node pulses: %q, starts %d", fx.c.Paused(), starts)
	}
}

// A breakpoint shows as a dot in the error colour beside its card, and
// goes when it is cleared.
func TestBreakpointDot(t *testing.T) {
	fx := newFixture(t, smallFlow())
	dot := fx.c.r.nodes["lookup"].bp
	if dot.Visible() {
		t.Fatal("a card without a breakpoint shows its dot")
	}
	fx.c.SetBreakpoints(map[string]bool{"lookup": true})
	if !dot.Visible() || dot.FillColor != theme.Color(theme.ColorNameError) {
		t.Fatalf("the breakpoint's dot: visible %v, colour %v", dot.Visible(), dot.FillColor)
	}
	card := fx.c.r.nodes["lookup"].card
	if p := dot.Position(); p.X+dot.Size().Width > card.Position().X+1 || p.Y < card.Position().Y-dot.Size().Height {
		t.Errorf("the dot at %v (%v) is not just left of the card's top-left corner %v", p, dot.Size(), card.Position())
	}
	if fx.c.r.nodes["done"].bp.Visible() {
		t.Error("a card without a breakpoint shows a dot")
	}
	fx.c.SetBreakpoints(nil)
	if dot.Visible() {
		t.Fatal("the dot stays after the breakpoint was cleared")
	}
}
