package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The wheel scrolls a form when the pointer rests on a text field, and a
// multi-line editor left as a hole scrolls its own text instead.
func TestWheelScrollsTheFormOverItsFields(t *testing.T) {
	test.NewTempApp(t)
	box := container.NewVBox()
	var first *widget.Entry
	for i := range 30 {
		e := widget.NewEntry()
		e.SetText(fmt.Sprintf("field %d", i))
		if first == nil {
			first = e
		}
		box.Add(e)
	}
	tapped := false
	button := widget.NewButton("probe", func() { tapped = true })
	box.Add(button)
	body := widget.NewMultiLineEntry()
	body.SetMinRowsVisible(3)
	box.Objects = append([]fyne.CanvasObject{body}, box.Objects...)
	ws := newWheelScroll(box, func() []fyne.CanvasObject { return []fyne.CanvasObject{body} })
	w := test.NewTempWindow(t, ws.object)
	w.Resize(fyne.NewSize(300, 300))
	ws.relayout()

	c := w.Canvas()
	over := func(o fyne.CanvasObject) fyne.Position {
		p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
		return p.Add(fyne.NewPos(10, o.Size().Height/2))
	}
	// Over a single-line field: the form scrolls.
	test.Scroll(c, over(first), 0, -60)
	if got := ws.scroll.Offset.Y; got != 60 {
		t.Fatalf("wheel over a field: form offset %v, want 60", got)
	}
	// The pads follow the scroll: the field moved up with the form.
	test.Scroll(c, over(first), 0, 60)
	if got := ws.scroll.Offset.Y; got != 0 {
		t.Fatalf("wheel back up over a field: form offset %v, want 0", got)
	}
	test.Scroll(c, over(body), 0, -60)
	if got := ws.scroll.Offset.Y; got != 0 {
		t.Fatalf("wheel over the multi-line editor moved the form to %v; it belongs to the editor", got)
	}
	// A tap still reaches what is beneath the pads.
	ws.scroll.ScrollToBottom()
	ws.relayout()
	test.TapCanvas(c, over(button))
	if !tapped {
		t.Fatal("a tap over a button under the wheel pads did not reach it")
	}
}

func TestPadRectsLeaveTheHolesOut(t *testing.T) {
	size := fyne.NewSize(100, 100)
	holes := []rect{{fyne.NewPos(10, 20), fyne.NewSize(30, 20)}, {fyne.NewPos(0, 70), fyne.NewSize(100, 10)}}
	rects := padRects(size, holes)
	covered := func(x, y float32) int {
		n := 0
		for _, r := range rects {
			if x >= r.pos.X && x < r.pos.X+r.size.Width && y >= r.pos.Y && y < r.pos.Y+r.size.Height {
				n++
			}
		}
		return n
	}
	for y := float32(0.5); y < 100; y++ {
		for x := float32(0.5); x < 100; x++ {
			inHole := false
			for _, h := range holes {
				if x >= h.pos.X && x < h.pos.X+h.size.Width && y >= h.pos.Y && y < h.pos.Y+h.size.Height {
					inHole = true
				}
			}
			want := 1
			if inHole {
				want = 0
			}
			if got := covered(x, y); got != want {
				t.Fatalf("point (%v,%v) covered by %d pads, want %d", x, y, got, want)
			}
		}
	}
}
