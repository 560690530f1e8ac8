package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// showErrorDialog shows err; when it carries a list of problems (a decode
// or validation error) every problem gets its own line.
func showErrorDialog(err error, w fyne.Window) {
	var ps flow.Problems
	var de *flow.DecodeError
	switch {
	case errors.As(err, &de):
		showProblemsDialog("The file cannot be used", "Nothing was changed. Fix these problems in the file and try again:", de.Problems, w)
	case errors.As(err, &ps):
		showProblemsDialog("The flow has problems", "Nothing was changed. Fix these problems and try again:", ps, w)
	default:
		dialog.ShowError(err, w)
	}
}

// showProblemsDialog lists problems, one per line, selectable for copying.
func showProblemsDialog(title, intro string, ps flow.Problems, w fyne.Window) {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = "• " + p.String()
	}
	text := widget.NewLabel(strings.Join(lines, "\n"))
	text.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(text)
	scroll.SetMinSize(fyne.NewSize(560, 220))
	d := dialog.NewCustom(title, "Close", container.NewBorder(widget.NewLabel(intro), nil, nil, nil, scroll), w)
	d.Show()
}

// showConfirm asks a yes/no question whose yes button says what it does.
func showConfirm(title, message, confirm string, cb func(bool), w fyne.Window) {
	msg := widget.NewLabel(message)
	msg.Wrapping = fyne.TextWrapWord
	box := container.NewGridWrap(fyne.NewSize(460, msg.MinSize().Height*3), msg)
	d := dialog.NewCustomConfirm(title, confirm, "Cancel", box, cb, w)
	d.Show()
}

// showForm shows a form dialog with a confirm button named confirm.
func showForm(title, confirm string, items []*widget.FormItem, cb func(bool), w fyne.Window) {
	d := dialog.NewForm(title, confirm, "Cancel", items, cb, w)
	d.Resize(fyne.NewSize(480, d.MinSize().Height))
	d.Show()
}
