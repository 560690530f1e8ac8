package ui

import (
	"fyne.io/fyne/v2"

	"github.com/flowbench/flowbench/ui/canvas"
)

// The open flow stays fitted to the canvas while the person has not moved
// the view: when the canvas changes size (the window fitted to a small
// screen after its first layout, a split dragged, the console opened), the
// flow is fitted again, so a run's lit path is never drawn off screen.
// Once the person pans or zooms, the view is theirs until the next fit
// (opening a flow, Fit to window).

// autoFit remembers the view the last fit gave.
type autoFit struct {
	a      *App
	fitted canvas.View
	has    bool
	size   fyne.Size
}

// fitFlow fits the open flow to the canvas and keeps following the
// canvas's size until the view is moved.
func (a *App) fitFlow() {
	a.cv.FitToWindow()
	a.fit.fitted, a.fit.has = a.cv.View(), true
}

// Layout gives the canvas the whole area, fitting the flow again when the
// area changed size and the view is still the fitted one.
func (f *autoFit) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if size == f.size || size.IsZero() {
		return
	}
	f.size = size
	if p := f.a.present; p != nil && p.on {
		p.fit() // full screen arrived, or the window changed size while presenting
		return
	}
	if f.has && f.a.cv.View() == f.fitted {
		f.a.fitFlow()
	}
}

func (f *autoFit) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}
