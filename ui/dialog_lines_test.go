package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
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

// Issue 13: Escape typed into any field of the mock editor (one-line and
// multi-line alike) closes it as Cancel does: nothing is saved.
func TestEscapeInTheMockEditorsFieldsClosesIt(t *testing.T) {
	h := newKitHarness(t, false)
	mv := h.app.mocks
	m := flow.Mock{Name: "esc", Routes: []flow.MockRoute{{Method: "GET", Path: "/a", Status: 200}}}
	fields := func(ed *mockEditor) map[string]*dialogEntry {
		return map[string]*dialogEntry{"name": ed.name, "path": ed.path, "status": ed.status,
			"headers": ed.headers, "body": ed.body, "delay": ed.delay, "sequence": ed.sequence}
	}
	probe := mv.openEditor(m, true)
	names := make([]string, 0, len(fields(probe)))
	for n := range fields(probe) {
		names = append(names, n)
	}
	probe.close()
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			ed := mv.openEditor(m, true)
			f := fields(ed)[name]
			h.w.Canvas().Focus(f)
			test.Type(f, "x")
			h.pressEscape()
			if top := h.w.Canvas().Overlays().Top(); top != nil && top.Visible() {
				t.Fatalf("Escape in the %s field left the mock editor open", name)
			}
			if m, err := h.db.Mock(context.Background(), "esc"); err == nil && m != nil {
				t.Fatalf("Escape saved the mock; it must cancel")
			}
		})
	}
}
