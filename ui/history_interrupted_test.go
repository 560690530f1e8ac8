package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// TestFaultRunsViewShowsInterrupted: a run whose process died is listed as
// interrupted, with what that means, and the status filter offers it.
func TestFaultRunsViewShowsInterrupted(t *testing.T) {
	h := newRunHarness(t, "http://127.0.0.1:1")
	rec := h.db.NewRecorder(storage.RecorderOptions{})
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []flow.Run{
		{ID: "run-ok", FlowID: "f1", FlowName: "Tier", Status: flow.StatusSucceeded, StartedAt: start},
		{ID: "run-cut", FlowID: "f1", FlowName: "Tier", Status: flow.StatusInterrupted, StartedAt: start.Add(time.Second), DurationMs: 40},
	} {
		rec.Observe(flow.RunEvent{Kind: flow.EventRunFinished, RunID: r.ID, Run: &r})
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	hv := h.app.history
	if !slices.Contains(hv.statusSel.Options, string(flow.StatusInterrupted)) {
		t.Fatalf("status filter offers %v, not interrupted", hv.statusSel.Options)
	}
	hv.setFilter("", flow.StatusInterrupted)
	if len(hv.runL.items) != 1 || hv.runL.items[0].ID != "run-cut" {
		t.Fatalf("interrupted filter lists %d runs", len(hv.runL.items))
	}
	row := runRow(&hv.runL.items[0])
	if !strings.Contains(row, "interrupted  Tier  40 ms  (its process ended mid-run)") {
		t.Fatalf("row %q does not say the run was interrupted", row)
	}
}
