package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// overlayJSONBox finds the multi-line entry of the topmost dialog.
func (h *harness) overlayJSONBox() fyne.CanvasObject {
	h.t.Helper()
	var found fyne.CanvasObject
	walk(h.w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		switch e := o.(type) {
		case *widget.Entry:
			if e.MultiLine && found == nil {
				found = e
			}
		case *dialogEntry:
			if e.MultiLine && found == nil {
				found = e
			}
		}
	})
	if found == nil {
		h.t.Fatalf("the dialog has no JSON box; it says:\n%s", h.overlayText())
	}
	return found
}

// TestDialogJSONBoxesAreUsable (issue 13, item 9): the Run dialog's
// payload and the Environments JSON are at least 60 columns by 8 rows.
func TestDialogJSONBoxesAreUsable(t *testing.T) {
	h := newRunHarness(t, "http://127.0.0.1:1", binConn)
	h.w.Resize(fyne.NewSize(1000, 700))
	h.app.load(callFlow(`"/json"`))
	mono := fyne.TextStyle{Monospace: true}
	cols := fyne.MeasureText(strings.Repeat("M", 60), theme.TextSize(), mono).Width
	rows := 8 * fyne.MeasureText("M", theme.TextSize(), mono).Height
	for name, open := range map[string]func(){"Run": h.app.runInteractive, "Environments": h.app.editEnvironments} {
		t.Run(name, func(t *testing.T) {
			open()
			box := h.overlayJSONBox()
			if s := box.Size(); s.Width < cols || s.Height < rows {
				t.Errorf("the %s dialog's JSON box is %v, want at least %v × %v (60 columns × 8 rows)", name, s, cols, rows)
			}
			if !closeTopDialog(h.w.Canvas()) {
				t.Fatal("the dialog is not registered to close on Escape")
			}
		})
	}
}

// pressEscape types Escape as the window does: to the focused widget, or
// to the canvas when nothing has the focus.
func (h *harness) pressEscape() {
	ev := &fyne.KeyEvent{Name: fyne.KeyEscape}
	if f := h.w.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if fn := h.w.Canvas().OnTypedKey(); fn != nil {
		fn(ev)
	}
}

// TestEscapeClosesDialogs (issue 13, item 12): Escape closes the dialogs
// the app opens, the Run dialog too, also from inside its payload box, and
// answers them as Cancel does.
func TestEscapeClosesDialogs(t *testing.T) {
	h := newRunHarness(t, "http://127.0.0.1:1", binConn)
	h.app.load(callFlow(`"/json"`))
	answered := ""
	tests := []struct {
		name  string
		open  func()
		focus bool // type Escape into the dialog's JSON box
	}{
		{"run", h.app.runInteractive, false},
		{"run, in the payload box", h.app.runInteractive, true},
		{"environments, in the JSON box", h.app.editEnvironments, true},
		{"confirm", func() {
			showConfirm("Delete", "Delete it?", "Delete", func(ok bool) { answered = map[bool]string{true: "yes", false: "no"}[ok] }, h.w)
		}, false},
		{"error", func() { showErrorDialog(errors.New("it broke; try again"), h.w) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.open()
			if h.w.Canvas().Overlays().Top() == nil {
				t.Fatal("no dialog opened")
			}
			if tt.focus {
				h.w.Canvas().Focus(h.overlayJSONBox().(fyne.Focusable))
			}
			h.pressEscape()
			if top := h.w.Canvas().Overlays().Top(); top != nil && top.Visible() {
				t.Fatalf("Escape left the dialog open; it says:\n%s", h.overlayText())
			}
		})
	}
	if answered != "no" {
		t.Fatalf("Escape answered the confirmation %q, want no (Cancel)", answered)
	}
	if h.app.Running() || h.app.live != nil {
		t.Fatal("Escape in the Run dialog started a run")
	}
	// with every dialog closed, Escape is the window's again
	if st := escapeDialogs[h.w.Canvas()]; st != nil {
		t.Fatalf("the window still holds %d dialogs", len(st.open))
	}
}
