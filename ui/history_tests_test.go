package ui

import (
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// Issue 13 (smaller): the Runs view listed every Test of a call as a run of
// "Untitled flow". A Test is not a run of the flow: the list leaves tests
// out unless its Tests switch is on.
func TestRunsViewLeavesOutTests(t *testing.T) {
	h := newRunHarness(t, "http://127.0.0.1:1")
	rec := h.db.NewRecorder(storage.RecorderOptions{})
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, trig := range []string{"manual", "test", "cli", "test"} {
		r := flow.Run{ID: "r" + string(rune('0'+i)), FlowName: "Untitled flow", Trigger: trig, Status: flow.StatusSucceeded, StartedAt: at.Add(time.Duration(i) * time.Second)}
		rec.Observe(flow.RunEvent{Kind: flow.EventRunFinished, RunID: r.ID, Run: &r})
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	hv := h.app.history
	hv.reload()
	ids := func() (s []string) {
		for _, r := range hv.runL.items {
			s = append(s, r.ID+":"+r.Trigger)
		}
		return s
	}
	if got := ids(); len(got) != 2 || got[0] != "r2:cli" || got[1] != "r0:manual" {
		t.Fatalf("the Runs view lists %v; want the two runs and no tests", got)
	}
	hv.tests.SetChecked(true)
	if got := ids(); len(got) != 4 {
		t.Fatalf("with Tests on, the Runs view lists %v; want all four", got)
	}
	hv.tests.SetChecked(false)
	hv.setFilter("", flow.StatusSucceeded)
	if got := ids(); len(got) != 2 {
		t.Fatalf("a status filter brought the tests back: %v", got)
	}
}
