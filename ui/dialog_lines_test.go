package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Issue 13 item 12, the rest: Escape typed into a one-line field of a
// dialog (Rename flow, Delete older runs, the chatbot presets) closed
// nothing, since a plain entry keeps Escape. Their fields are dialog lines.
func TestEscapeInADialogsLineClosesIt(t *testing.T) {
	h := newRunHarness(t, "http://127.0.0.1:1", binConn)
	h.app.load(callFlow(`"/json"`))
	h.app.flowID = "f1"
	for _, tt := range []struct {
		name string
		open func()
	}{
		{"rename flow", h.app.flows.renameDialog},
		{"delete older runs", h.app.history.deleteOlderDialog},
		{"chatbot mock preset", func() {
			if h.app.mocks != nil {
				h.app.mocks.chatbotPresetInteractive()
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.open()
			top := h.w.Canvas().Overlays().Top()
			if top == nil {
				t.Skip("this window has no such dialog")
			}
			var line fyne.Focusable
			walk(top, func(o fyne.CanvasObject) {
				switch e := o.(type) {
				case *widget.Entry:
					if line == nil && !e.MultiLine {
						t.Fatalf("the dialog has a plain entry (%q), which keeps Escape", e.Text)
					}
				case *dialogEntry:
					if line == nil && !e.MultiLine {
						line = e
					}
				}
			})
			if line == nil {
				t.Fatal("the dialog has no one-line field")
			}
			h.w.Canvas().Focus(line)
			h.pressEscape()
			if top := h.w.Canvas().Overlays().Top(); top != nil && top.Visible() {
				t.Fatalf("Escape in the field left the dialog open:\n%s", h.overlayText())
			}
		})
	}
}
