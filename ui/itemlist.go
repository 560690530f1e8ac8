package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/ui/editor"
)

// itemList is the list of every sidebar view: one row per item, a label
// cut short with an ellipsis so a narrow sidebar never widens the window,
// and a selection that knows whether the person made it. Views hand it
// their items and say, as Fyne's List does, how a row reads; they never
// build a widget.List of their own.
type itemList[T any] struct {
	items []T
	list  *widget.List
	sel   int // the selected row, -1 for none
	quiet bool

	// text is an item's row.
	text func(it *T) string
	// danger, when set, shows the rows it holds for in the error colour
	// (a failed run, a refused request).
	danger func(it *T) bool
	// OnSelected is called when the person selects row i; not when the
	// view selects a row itself (selectWhere, set).
	OnSelected func(i int, it T)
	// OnUnselected is called when the person's selection goes away.
	OnUnselected func()
}

func newItemList[T any](text func(it *T) string) *itemList[T] {
	l := &itemList[T]{text: text, sel: -1}
	l.list = widget.NewList(
		func() int { return len(l.items) },
		func() fyne.CanvasObject {
			lb := widget.NewLabel("")
			lb.Truncation = fyne.TextTruncateEllipsis
			return lb
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(l.items) {
				return
			}
			lb := o.(*widget.Label)
			it := &l.items[id]
			imp := widget.MediumImportance
			if l.danger != nil && l.danger(it) {
				imp = widget.DangerImportance
			}
			if lb.Text != l.text(it) || lb.Importance != imp {
				lb.Text, lb.Importance = l.text(it), imp
				lb.Refresh()
			}
		})
	l.list.OnSelected = func(id widget.ListItemID) {
		if id >= len(l.items) {
			return
		}
		l.sel = id
		if !l.quiet && l.OnSelected != nil {
			l.OnSelected(id, l.items[id])
		}
	}
	l.list.OnUnselected = func(widget.ListItemID) {
		l.sel = -1
		if !l.quiet && l.OnUnselected != nil {
			l.OnUnselected()
		}
	}
	return l
}

// object is the list widget, for a view's layout.
func (l *itemList[T]) object() fyne.CanvasObject { return l.list }

// set replaces the items; the selection is dropped without telling the
// view (it asked for the change).
func (l *itemList[T]) set(items []T) {
	l.items = items
	l.quietly(l.list.UnselectAll)
	l.sel = -1
	l.list.Refresh()
}

// prepend puts items (newest first) above the rows there are, keeping at
// most limit rows; the selection follows its row.
func (l *itemList[T]) prepend(items []T, limit int) {
	l.items = append(append(make([]T, 0, len(items)+len(l.items)), items...), l.items...)
	if len(l.items) > limit {
		l.items = l.items[:limit]
	}
	if l.sel >= 0 {
		sel := l.sel + len(items)
		l.quietly(func() {
			if sel < len(l.items) {
				l.list.Select(sel)
			} else {
				l.list.UnselectAll()
			}
		})
	}
	l.list.Refresh()
}

// selected is the selected item, false when there is none.
func (l *itemList[T]) selected() (T, bool) {
	if l.sel < 0 || l.sel >= len(l.items) {
		var zero T
		return zero, false
	}
	return l.items[l.sel], true
}

// selectWhere selects the first item match holds for, as the view's own
// doing (OnSelected is not called), and reports whether there was one;
// without one nothing stays selected.
func (l *itemList[T]) selectWhere(match func(it *T) bool) bool {
	for i := range l.items {
		if match(&l.items[i]) {
			l.quietly(func() { l.list.Select(i) })
			return true
		}
	}
	l.unselect()
	return false
}

// unselect clears the selection as the view's own doing.
func (l *itemList[T]) unselect() {
	l.quietly(l.list.UnselectAll)
	l.sel = -1
}

// refresh redraws the rows, for items whose text depends on something
// else that changed.
func (l *itemList[T]) refresh() { l.list.Refresh() }

func (l *itemList[T]) quietly(fn func()) {
	l.quiet = true
	defer func() { l.quiet = false }()
	fn()
}

// action is one button of a view: a label, an icon and what its tooltip
// says it does.
type action struct {
	label string
	icon  fyne.Resource
	tip   string
	do    func()
}

// actionGrid lays a view's buttons out in cols columns.
func actionGrid(tips *tooltipLayer, cols int, acts ...action) (*fyne.Container, []*tipButton) {
	objs := make([]fyne.CanvasObject, len(acts))
	bs := make([]*tipButton, len(acts))
	for i, ac := range acts {
		bs[i] = newTipButton(ac.label, ac.icon, tips, ac.tip, ac.do)
		objs[i] = bs[i]
	}
	return container.NewGridWithColumns(cols, objs...), bs
}

// sidePane is the skeleton of a sidebar view: what sits above the list,
// the list (or what holds it) taking the height left, and the actions
// below. It scrolls, both ways, when the sidebar is smaller than the view
// needs, so no view makes the window larger than it is (issue 13, item 3).
// The list keeps room for a few rows however short the sidebar is: the
// pane scrolls to it rather than squeezing it to one row.
func sidePane(top, center, bottom fyne.CanvasObject) fyne.CanvasObject {
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(0, listRoom))
	return container.NewScroll(container.NewBorder(top, bottom, nil, nil, container.NewStack(room, center)))
}

// listRoom is the least height of a view's list: about four rows.
const listRoom = 150

// uniqueName is editor.UniqueName, the one rule for new names.
var uniqueName = editor.UniqueName

// copyName is the name of a copy of name under the same rule: "<name>
// copy", then "<name> copy 2" (with "-" for URL names: "<name>-copy-2").
func copyName(name, sep string, taken func(string) bool) string {
	return uniqueName(name+sep+"copy", sep, taken)
}

// Separators of uniqueName.
const (
	nameSep = " " // flows, connections
	urlSep  = "-" // mocks: part of the mock's URL
	idSep   = ""  // node ids, variable names, ports
)

// takenIn reports the names of items as taken.
func takenIn[T any](items []T, name func(*T) string) func(string) bool {
	return func(s string) bool {
		for i := range items {
			if name(&items[i]) == s {
				return true
			}
		}
		return false
	}
}
