package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Issue 13 item 4: below its width a toolbar row hides what does not fit
// behind a "more" menu; it never overlaps itself or forces the window wider.
func TestOverflowRowHidesWhatDoesNotFit(t *testing.T) {
	test.NewTempApp(t)
	var tapped []string
	mk := func(name string) *tipButton {
		return newTipButton(name, nil, nil, "tip "+name, func() { tapped = append(tapped, name) })
	}
	a, b, c := mk("Alpha"), mk("Bravo"), mk("Charlie")
	sel := widget.NewSelect([]string{"System", "Light"}, nil)
	sel.SetSelected("System")
	r := newOverflowRow(buttonItem(a, "Alpha"), plainItem(widget.NewSeparator()), buttonItem(b, "Bravo"), buttonItem(c, "Charlie"), selectItem(sel, "Theme", sel))
	w := test.NewTempWindow(t, r)
	full := a.MinSize().Width + b.MinSize().Width + c.MinSize().Width + sel.MinSize().Width + 40

	w.Resize(fyne.NewSize(full, 60))
	r.Refresh()
	if len(r.hidden) != 0 || r.more.Visible() {
		t.Fatalf("at full width %v: hidden %v, more visible %v; want everything shown", full, r.hidden, r.more.Visible())
	}

	if min := r.MinSize().Width; min > a.MinSize().Width+r.more.MinSize().Width+20 {
		t.Fatalf("row min width %v; want about its first control and the more button", min)
	}
	r.Resize(fyne.NewSize(a.MinSize().Width+b.MinSize().Width+r.more.MinSize().Width+20, 40))
	if !r.more.Visible() || b.Visible() && c.Visible() {
		t.Fatalf("narrow row: more visible %v, Bravo %v, Charlie %v; want the tail hidden behind more", r.more.Visible(), b.Visible(), c.Visible())
	}
	// nothing overlaps: every shown control ends before the next begins
	// and before the more button
	var end float32
	for _, it := range r.items {
		if !it.obj.Visible() {
			continue
		}
		if it.obj.Position().X < end {
			t.Fatalf("control at %v overlaps the one ending at %v", it.obj.Position().X, end)
		}
		end = it.obj.Position().X + it.obj.Size().Width
	}
	if end > r.more.Position().X {
		t.Fatalf("the last control ends at %v, over the more button at %v", end, r.more.Position().X)
	}
	m := r.hiddenMenu()
	labels := []string{}
	for _, it := range m.Items {
		labels = append(labels, it.Label)
	}
	if len(labels) == 0 || labels[len(labels)-1] != "Theme" {
		t.Fatalf("more menu %v; want the hidden controls, ending with Theme", labels)
	}
	m.Items[len(m.Items)-1].ChildMenu.Items[1].Action()
	if sel.Selected != "Light" {
		t.Fatalf("choosing Light in the more menu left the select at %q", sel.Selected)
	}
	for _, it := range m.Items {
		if it.Label == "Charlie" {
			it.Action()
		}
	}
	if len(tapped) != 1 || tapped[0] != "Charlie" {
		t.Fatalf("tapping Charlie in the more menu ran %v", tapped)
	}
}
