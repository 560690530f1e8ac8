package ui

import (
	"context"

	"fyne.io/fyne/v2"
)

// shell is what every sidebar view needs of the window, and no more: the
// context of its store calls, the window its dialogs belong to, the
// tooltips, and where it tells the person what happened. Each view takes
// it and the few functions of its own it calls, never the whole App.
type shell struct {
	ctx  context.Context
	win  fyne.Window
	tips *tooltipLayer
	// log and logError write a line in the console.
	log, logError func(string)
	// showError logs err and shows it in a dialog.
	showError func(error)
}

// shell is the window's side of every view.
func (a *App) shell() shell {
	return shell{ctx: a.ctx, win: a.w, tips: a.tips, log: a.console.log, logError: a.console.logError, showError: a.showError}
}
