package ui

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
)

// runFromDialog opens the Run dialog, lets set change it, taps Run and
// waits for the run's end.
func (h *kitHarness) runFromDialog(set func(d *runDialog)) *flow.Run {
	h.t.Helper()
	h.app.runInteractive()
	d := h.app.runDlg
	if d == nil {
		h.t.Fatal("the Run dialog did not open")
	}
	set(d)
	test.Tap(h.overlayButton("Run"))
	h.settle("the run to finish", func() bool { return !h.app.Running() && h.app.live != nil && h.app.live.run != nil })
	return h.app.live.run
}

// Issue 17: the Run dialog switches the demo to each branch in one pick —
// the mock standing in for demo-bot, for this run only — and the
// connection itself is never edited.
func TestRunDialogPicksTheMockForThisRun(t *testing.T) {
	h := newKitHarness(t, true)
	h.openStored("Demo: chatbot branching")
	before, err := h.db.Connection(context.Background(), "demo-bot")
	if err != nil {
		t.Fatal(err)
	}
	h.app.runInteractive()
	d := h.app.runDlg
	sel := d.mocks["demo-bot"]
	if sel == nil {
		t.Fatalf("the Run dialog offers no choice for demo-bot: %v", d.mocks)
	}
	for _, want := range []string{"Mock: chatbot-vip", "Mock: chatbot-standard", "Mock: chatbot-unknown", "Mock: chatbot-failing"} {
		if !slices.Contains(sel.Options, want) {
			t.Errorf("demo-bot's choices %v lack %q", sel.Options, want)
		}
	}
	for _, o := range sel.Options {
		if o == "Mock: orders-flaky" {
			t.Errorf("demo-bot's choices offer %q, which answers none of the flow's requests", o)
		}
	}
	h.pressEscape()

	for _, tt := range []struct{ mock, outcome string }{
		{"chatbot-standard", "standard"},
		{"chatbot-unknown", "default"},
		{"chatbot-failing", "apology"},
		{"chatbot-vip", "vip"},
	} {
		run := h.runFromDialog(func(d *runDialog) {
			d.input.SetText(`{"chatId": "c-1"}`)
			d.mocks["demo-bot"].SetSelected(mockChoice(tt.mock))
		})
		if run.Outcome != tt.outcome {
			t.Fatalf("with %s picked the run ended %s/%q, want outcome %q; console:\n%s", tt.mock, run.Status, run.Outcome, tt.outcome, h.consoleText())
		}
		// Run again (F5) repeats the last choice without the dialog.
		h.app.runKey(&fyne.KeyEvent{Name: fyne.KeyF5})
		h.settle("the re-run to finish", func() bool { return !h.app.Running() && h.app.live.run != nil && h.app.live.run.ID != run.ID })
		if again := h.app.live.run; again.Outcome != tt.outcome {
			t.Fatalf("F5 after %s ended %q, want %q", tt.mock, again.Outcome, tt.outcome)
		}
	}
	after, err := h.db.Connection(context.Background(), "demo-bot")
	if err != nil {
		t.Fatal(err)
	}
	if after.Mock != before.Mock || after.UseMock != before.UseMock {
		t.Fatalf("the Run dialog edited the connection: mock %q/%v, was %q/%v", after.Mock, after.UseMock, before.Mock, before.UseMock)
	}
}

// Issue 17: input presets are saved with the flow, survive save and
// reload, and fill the payload box when picked.
func TestInputPresetsRoundTripThroughSaveAndReload(t *testing.T) {
	h := newKitHarness(t, true)
	h.openStored("Demo: chatbot branching")
	if err := h.app.savePreset("VIP customer", `{"chatId": "vip-7"}`); err != nil {
		t.Fatal(err)
	}
	if err := h.app.savePreset("Unknown", `{"chatId": "who"}`); err != nil {
		t.Fatal(err)
	}
	if err := h.app.savePreset("", `{}`); err == nil {
		t.Fatal("a preset with no name was saved")
	}
	if err := h.app.savePreset("Broken", `[1`); err == nil {
		t.Fatal("a preset whose payload is not a JSON object was saved")
	}
	if err := h.app.Save(); err != nil {
		t.Fatal(err)
	}
	id := h.app.flowID
	h.app.NewFlow()
	if err := h.app.Open(id); err != nil {
		t.Fatal(err)
	}
	got := presetNames(h.app.ed.Flow())
	if !slices.Equal(got, []string{"VIP customer", "Unknown"}) {
		t.Fatalf("presets after reload: %v", got)
	}
	h.app.runInteractive()
	d := h.app.runDlg
	d.presets.SetSelected("VIP customer")
	var payload map[string]any
	if err := json.Unmarshal([]byte(d.input.Text), &payload); err != nil || payload["chatId"] != "vip-7" {
		t.Fatalf("picking the preset put %q in the payload box", d.input.Text)
	}
	h.pressEscape()
	if top := h.w.Canvas().Overlays().Top(); top != nil && top.Visible() {
		t.Fatal("Escape left the Run dialog open")
	}
}
