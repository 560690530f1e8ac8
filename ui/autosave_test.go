package ui

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/ui/editor"
)

func TestAutosaveDraftSurvivesACrash(t *testing.T) {
	h := newHarness(t)
	if err := h.app.ImportFlow(mustExample(t)); err != nil {
		t.Fatal(err)
	}
	id := h.app.FlowID()
	h.app.ed.Select(editor.Selection{Node: "lookup", Edge: -1})
	test.Type(h.app.inspector.fields["call.uri"].entry, `+ "/v2"`)
	edited := editor.Clone(h.app.ed.Flow())

	if n := h.clock.fire(); n != 1 {
		t.Fatalf("%d autosave timers fired, want 1 (each edit restarts the one timer)", n)
	}
	h.queue.drain()
	path := h.app.draftPath()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no draft after the autosave delay: %v", err)
	}

	// "crash": no save, no close; a new launch on the same store and drafts
	h.open()
	if h.app.FlowID() != id {
		t.Fatalf("the relaunch opened %q, want the flow with the draft %q", h.app.FlowID(), id)
	}
	sameDocument(t, h.app.ed.Flow(), edited)
	if !h.app.ed.Dirty() {
		t.Error("recovered edits should be unsaved")
	}
	if !strings.Contains(h.consoleText(), "Recovered unsaved edits") {
		t.Errorf("the console does not say edits were recovered:\n%s", h.consoleText())
	}
	if err := h.app.Save(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the draft is still there after saving (%v)", err)
	}
}
