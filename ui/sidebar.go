package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// sidebar is the left column: one button per view (Flows, Connections,
// Runs, Events, Mocks, Requests) above the chosen view.
type sidebar struct {
	buttons []*widget.Button
	views   []fyne.CanvasObject
	names   []string
	content *fyne.Container
	box     fyne.CanvasObject
	current int
	// picker stands in for the buttons when the sidebar is short: on a
	// 1024x640 screen the six buttons took 240 px and left the view's list
	// one row (issue 13: the run list showed 2–3 rows)
	picker     *widget.Select
	buttonsBox fyne.CanvasObject
	syncing    bool
	// onShow, when set, hears the name of each view brought to the front.
	onShow func(name string)
}

// sideEntry is one view of the sidebar: its button's name and icon.
type sideEntry struct {
	name string
	icon fyne.Resource
	view fyne.CanvasObject
}

func newSidebar(entries ...sideEntry) *sidebar {
	s := &sidebar{}
	for _, e := range entries {
		s.add(e.name, e.icon, e.view)
	}
	s.content = container.NewStack(s.views...)
	var bs []fyne.CanvasObject
	for _, b := range s.buttons {
		bs = append(bs, b)
	}
	s.buttonsBox = container.NewVBox(bs...)
	s.picker = widget.NewSelect(s.names, func(name string) {
		if !s.syncing {
			s.showNamed(name)
		}
	})
	s.box = container.New(&sideLayout{s: s}, s.buttonsBox, s.picker, widget.NewSeparator(), s.content)
	s.show(0)
	return s
}

// viewRoom is the height a view needs below the buttons before they give
// way to the picker: room for its controls and several rows of its list.
const viewRoom = 380

// sideLayout stacks the view buttons (or, when the sidebar is too short for
// them and a usable view, the one-row picker), a separator and the chosen
// view.
type sideLayout struct{ s *sidebar }

func (l *sideLayout) header(height float32) (show, hide fyne.CanvasObject) {
	if height >= l.s.buttonsBox.MinSize().Height+viewRoom {
		return l.s.buttonsBox, l.s.picker
	}
	return l.s.picker, l.s.buttonsBox
}

func (l *sideLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	head, other := l.header(size.Height)
	other.Hide()
	head.Show()
	pad := theme.Padding()
	h := head.MinSize().Height
	head.Move(fyne.NewPos(0, 0))
	head.Resize(fyne.NewSize(size.Width, h))
	sep := objs[2]
	sep.Move(fyne.NewPos(0, h+pad))
	sep.Resize(fyne.NewSize(size.Width, theme.SeparatorThicknessSize()))
	top := h + 2*pad + theme.SeparatorThicknessSize()
	l.s.content.Move(fyne.NewPos(0, top))
	l.s.content.Resize(fyne.NewSize(size.Width, max(0, size.Height-top)))
}

// MinSize asks for the picker's height, never the buttons': the sidebar
// must not make the window taller.
func (l *sideLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	c := l.s.content.MinSize()
	p := l.s.picker.MinSize()
	return fyne.NewSize(max(c.Width, p.Width), p.Height+2*theme.Padding()+theme.SeparatorThicknessSize()+c.Height)
}

func (s *sidebar) add(name string, icon fyne.Resource, view fyne.CanvasObject) {
	i := len(s.views)
	b := widget.NewButtonWithIcon(name, icon, func() { s.show(i) })
	b.Alignment = widget.ButtonAlignLeading
	s.buttons = append(s.buttons, b)
	s.views = append(s.views, view)
	s.names = append(s.names, name)
}

// show brings the view i to the front.
func (s *sidebar) show(i int) {
	s.current = i
	if s.picker != nil && s.picker.Selected != s.names[i] {
		s.syncing = true
		s.picker.SetSelected(s.names[i])
		s.syncing = false
	}
	for j, v := range s.views {
		if j == i {
			v.Show()
			s.buttons[j].Importance = widget.HighImportance
		} else {
			v.Hide()
			s.buttons[j].Importance = widget.LowImportance
		}
		s.buttons[j].Refresh()
	}
	if s.onShow != nil {
		s.onShow(s.names[i])
	}
}

// showNamed brings the named view to the front, if the sidebar has it.
func (s *sidebar) showNamed(name string) {
	for i, n := range s.names {
		if n == name {
			s.show(i)
		}
	}
}

func (s *sidebar) object() fyne.CanvasObject { return s.box }
