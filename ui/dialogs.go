package ui

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
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
		showDialog(dialog.NewError(err, w), w)
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
	showDialog(dialog.NewCustom(title, "Close", container.NewBorder(widget.NewLabel(intro), nil, nil, nil, scroll), w), w)
}

// showConfirm asks a yes/no question whose yes button says what it does.
func showConfirm(title, message, confirm string, cb func(bool), w fyne.Window) {
	msg := widget.NewLabel(message)
	msg.Wrapping = fyne.TextWrapWord
	box := container.NewGridWrap(fyne.NewSize(460, msg.MinSize().Height*3), msg)
	showDialog(dialog.NewCustomConfirm(title, confirm, "Cancel", box, cb, w), w)
}

// showForm shows a form dialog with a confirm button named confirm. A form
// holding a JSON box (newJSONEntry, or any monospace multi-line entry)
// puts each label above its input and gives the box at least jsonCols ×
// jsonRows; other forms are label and input side by side.
func showForm(title, confirm string, items []*widget.FormItem, cb func(bool), w fyne.Window) {
	if !slices.ContainsFunc(items, func(it *widget.FormItem) bool { return isJSONBox(it.Widget) }) {
		d := dialog.NewForm(title, confirm, "Cancel", items, cb, w)
		d.Resize(fyne.NewSize(480, d.MinSize().Height))
		showDialog(d, w)
		return
	}
	for _, it := range items {
		if isJSONBox(it.Widget) {
			it.Widget = container.New(atLeast{jsonBoxSize()}, it.Widget)
		}
	}
	form := widget.NewForm(items...)
	form.Orientation = widget.Vertical
	showDialog(dialog.NewCustomConfirm(title, confirm, "Cancel", form, cb, w), w)
}

// The least size of a JSON box in a dialog, in monospace characters.
const (
	jsonCols = 60
	jsonRows = 8
)

// jsonBoxSize is the size of jsonCols × jsonRows of monospace text in an
// entry.
func jsonBoxSize() fyne.Size {
	probe := widget.NewMultiLineEntry()
	probe.TextStyle = fyne.TextStyle{Monospace: true}
	probe.SetMinRowsVisible(jsonRows)
	cols := fyne.MeasureText(strings.Repeat("M", jsonCols), theme.TextSize(), probe.TextStyle).Width
	return fyne.NewSize(cols+4*theme.InnerPadding(), probe.MinSize().Height)
}

func isJSONBox(o fyne.CanvasObject) bool {
	switch e := o.(type) {
	case *dialogEntry:
		return e.MultiLine
	case *widget.Entry:
		return e.MultiLine && e.TextStyle.Monospace
	}
	return false
}

// atLeast lays its objects over its whole size and asks for at least Min.
type atLeast struct{ Min fyne.Size }

func (l atLeast) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l atLeast) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := l.Min
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// dialogEntry is an entry for a dialog: Escape typed into it closes the
// dialog, as it does when nothing has the focus (a plain entry keeps
// Escape to itself).
type dialogEntry struct{ widget.Entry }

// newDialogLine is a dialog's one-line entry: Escape typed into it closes
// the dialog, as it does when nothing has the focus.
func newDialogLine() *dialogEntry {
	e := &dialogEntry{}
	e.Wrapping = fyne.TextWrapOff
	e.ExtendBaseWidget(e)
	return e
}

// newDialogText is a dialog's multi-line entry (Escape closes the dialog).
func newDialogText() *dialogEntry {
	e := &dialogEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

// newJSONEntry is a dialog's box for JSON: multi-line, monospace, at least
// jsonRows rows (showForm also makes it jsonCols wide).
func newJSONEntry() *dialogEntry {
	e := &dialogEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapOff
	e.TextStyle = fyne.TextStyle{Monospace: true}
	e.ExtendBaseWidget(e)
	e.SetMinRowsVisible(jsonRows)
	return e
}

// TypedKey closes the dialog on Escape.
func (e *dialogEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil && closeTopDialog(c) {
			return
		}
	}
	e.Entry.TypedKey(ev)
}

// escapeStack is the dialogs open on one window's canvas, newest last,
// and the key handler the canvas had before the first of them.
type escapeStack struct {
	prev func(*fyne.KeyEvent)
	open []dialog.Dialog
}

// escapeDialogs holds the open dialogs per canvas. It is used on the UI
// goroutine only.
var escapeDialogs = map[fyne.Canvas]*escapeStack{}

// showDialog shows d over w so that Escape closes it (as its Cancel or
// Close button does) while it is the topmost dialog: every dialog the app
// opens goes through here. The focus leaves the window's widgets, whose
// own Escape (the canvas's "select nothing") would take the key.
func showDialog(d dialog.Dialog, w fyne.Window) {
	c := w.Canvas()
	st := escapeDialogs[c]
	if st == nil {
		st = &escapeStack{prev: c.OnTypedKey()}
		escapeDialogs[c] = st
		c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
			if ev.Name == fyne.KeyEscape && closeTopDialog(c) {
				return
			}
			if st.prev != nil {
				st.prev(ev)
			}
		})
	}
	st.open = append(st.open, d)
	d.SetOnClosed(func() {
		if i := slices.Index(st.open, d); i >= 0 {
			st.open = slices.Delete(st.open, i, i+1)
		}
		if len(st.open) == 0 && escapeDialogs[c] == st {
			delete(escapeDialogs, c)
			c.SetOnTypedKey(st.prev)
		}
	})
	c.Unfocus()
	d.Show()
}

// closeTopDialog hides the newest dialog open on c and reports whether
// there was one.
func closeTopDialog(c fyne.Canvas) bool {
	st := escapeDialogs[c]
	if st == nil || len(st.open) == 0 {
		return false
	}
	st.open[len(st.open)-1].Hide()
	return true
}

// saveFileDialog asks where to save a file (offering name) and writes it
// with write; the one home of the app's Save and Export dialogs. done gets
// the path written; a failure goes to fail as "<what> to PATH: reason". A
// cancelled dialog does nothing.
func saveFileDialog(win fyne.Window, name, what string, write func(io.Writer) error, done func(path string), fail func(error)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			fail(err)
			return
		}
		if w == nil {
			return
		}
		err = write(w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			fail(fmt.Errorf("%s to %s: %w", what, w.URI().Path(), err))
			return
		}
		done(w.URI().Path())
	}, win)
	d.SetFileName(name)
	showDialog(d, win)
}

// writeBytes is a saveFileDialog writer of data.
func writeBytes(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}
