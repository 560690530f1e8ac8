package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
	s.box = container.NewBorder(container.NewVBox(container.NewVBox(bs...), widget.NewSeparator()), nil, nil, nil, s.content)
	s.show(0)
	return s
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
