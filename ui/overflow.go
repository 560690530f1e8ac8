package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// overflowItem is one control of an overflowRow: the object shown in the
// row, and the menu entry that stands for it once the row is too narrow to
// show it (nil for separators and labels, which simply disappear).
type overflowItem struct {
	obj  fyne.CanvasObject
	menu func() *fyne.MenuItem
}

// overflowRow is a toolbar row that never forces the window wider than it
// is: the controls that do not fit are hidden and offered instead in the
// menu of a "more" button at the row's end, as browsers' and IDEs'
// toolbars do. Its minimum width is that of its first control and the
// button.
type overflowRow struct {
	widget.BaseWidget
	items []overflowItem
	more  *widget.Button
	// hidden lists the indices of the items the last layout left out.
	hidden []int
}

func newOverflowRow(items ...overflowItem) *overflowRow {
	r := &overflowRow{items: items}
	r.more = widget.NewButtonWithIcon("", theme.MoreHorizontalIcon(), r.showMore)
	r.more.Importance = widget.LowImportance
	r.ExtendBaseWidget(r)
	return r
}

// buttonItem is a tipButton in the row; its menu entry is labelled with
// label (or the button's tip) and follows its enabled state.
func buttonItem(b *tipButton, label string) overflowItem {
	return overflowItem{obj: b, menu: func() *fyne.MenuItem {
		if label == "" {
			label = b.Tip
		}
		it := fyne.NewMenuItem(label, func() {
			if b.OnTapped != nil {
				b.OnTapped()
			}
		})
		it.Icon = b.Icon
		it.Disabled = b.Disabled()
		return it
	}}
}

// selectItem is a Select in the row (obj may wrap it to size it); its
// menu entry is a submenu of its options with the chosen one checked.
func selectItem(obj fyne.CanvasObject, label string, s *widget.Select) overflowItem {
	return overflowItem{obj: obj, menu: func() *fyne.MenuItem {
		var sub []*fyne.MenuItem
		for _, o := range s.Options {
			it := fyne.NewMenuItem(o, func() { s.SetSelected(o) })
			it.Checked = o == s.Selected
			sub = append(sub, it)
		}
		it := fyne.NewMenuItem(label, nil)
		it.ChildMenu = fyne.NewMenu("", sub...)
		return it
	}}
}

// plainItem is a separator or label: shown when it fits, never in the menu.
func plainItem(obj fyne.CanvasObject) overflowItem { return overflowItem{obj: obj} }

// hiddenMenu is the menu of the items the row could not show.
func (r *overflowRow) hiddenMenu() *fyne.Menu {
	var items []*fyne.MenuItem
	for _, i := range r.hidden {
		if m := r.items[i].menu; m != nil {
			items = append(items, m())
		}
	}
	return fyne.NewMenu("", items...)
}

func (r *overflowRow) showMore() {
	c := fyne.CurrentApp().Driver().CanvasForObject(r.more)
	if c == nil {
		return
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(r.more)
	widget.ShowPopUpMenuAtPosition(r.hiddenMenu(), c, pos.AddXY(0, r.more.Size().Height))
}

func (r *overflowRow) CreateRenderer() fyne.WidgetRenderer {
	return &overflowRenderer{r: r}
}

type overflowRenderer struct{ r *overflowRow }

func (o *overflowRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, len(o.r.items)+1)
	for _, it := range o.r.items {
		objs = append(objs, it.obj)
	}
	return append(objs, o.r.more)
}

func (o *overflowRenderer) MinSize() fyne.Size {
	h := o.r.more.MinSize().Height
	w := o.r.more.MinSize().Width
	for i, it := range o.r.items {
		m := it.obj.MinSize()
		h = max(h, m.Height)
		if i == 0 {
			w += m.Width + theme.Padding()
		}
	}
	return fyne.NewSize(w, h)
}

// Layout places the items left to right while they fit, keeping room for
// the "more" button when some do not; the rest are hidden.
func (o *overflowRenderer) Layout(size fyne.Size) {
	r := o.r
	pad := theme.Padding()
	total := float32(0)
	for i, it := range r.items {
		if i > 0 {
			total += pad
		}
		total += it.obj.MinSize().Width
	}
	limit := size.Width
	if total > size.Width {
		limit = size.Width - r.more.MinSize().Width - pad
	}
	r.hidden = r.hidden[:0]
	x := float32(0)
	for i, it := range r.items {
		m := it.obj.MinSize()
		if len(r.hidden) > 0 || x+m.Width > limit {
			it.obj.Hide()
			r.hidden = append(r.hidden, i)
			continue
		}
		it.obj.Show()
		it.obj.Move(fyne.NewPos(x, 0))
		it.obj.Resize(fyne.NewSize(m.Width, size.Height))
		x += m.Width + pad
	}
	if len(r.hidden) == 0 {
		r.more.Hide()
		return
	}
	m := r.more.MinSize()
	r.more.Show()
	r.more.Move(fyne.NewPos(size.Width-m.Width, (size.Height-m.Height)/2))
	r.more.Resize(m)
}

func (o *overflowRenderer) Refresh() {
	o.Layout(o.r.Size())
	for _, it := range o.r.items {
		it.obj.Refresh()
	}
	o.r.more.Refresh()
}

func (o *overflowRenderer) Destroy() {}
