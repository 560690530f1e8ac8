package ui

import "github.com/flowbench/flowbench/flow"

// Tidy lays the open flow out from left to right (one undo step).
func (a *App) Tidy() {
	if err := a.cv.Tidy(); err != nil {
		a.console.logError(err.Error())
	}
}

// needsTidy reports whether f's cards would lie on top of each other as
// they are: two nodes or more, all at one position (a file written
// without positions, or by hand).
func needsTidy(f *flow.Flow) bool {
	if len(f.Nodes) < 2 {
		return false
	}
	for i := range f.Nodes {
		if f.Nodes[i].Position != f.Nodes[0].Position {
			return false
		}
	}
	return true
}

// offerTidy offers a tidy layout for the open flow when its cards lie on
// top of each other (an imported flow without positions).
func (a *App) offerTidy() {
	if !needsTidy(a.ed.Flow()) {
		return
	}
	showConfirm("Tidy the layout?", "The flow has no positions, so its cards lie on top of each other. Lay them out from left to right? (Undo puts them back.)", "Tidy", func(ok bool) {
		if ok {
			a.Tidy()
			a.cv.FitToWindow()
		}
	}, a.w)
}
