package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// TestRunsViewPagesThroughALargeHistory records 100,000 runs and pages
// through all of them in the Runs view, one page in memory at a time.
func TestRunsViewPagesThroughALargeHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("records 100,000 runs")
	}
	const total = 100_000
	h := newRunHarness(t, "http://127.0.0.1:1")
	rec := h.db.NewRecorder(storage.RecorderOptions{BatchSize: 5000})
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range total {
		st := flow.StatusSucceeded
		if i%10 == 0 {
			st = flow.StatusFailed
		}
		id := fmt.Sprintf("run-%06d", i)
		r := flow.Run{ID: id, FlowID: "f1", FlowName: "Bulk", Status: st, StartedAt: start.Add(time.Duration(i) * time.Second), DurationMs: 5}
		rec.Observe(flow.RunEvent{Kind: flow.EventRunFinished, RunID: id, Run: &r})
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	hv := h.app.history
	hv.setFilter("", "")
	t.Run("every run once, newest first", func(t *testing.T) {
		seen, last := 0, ""
		for page := 0; page < total/historyPage+2; page++ {
			if len(hv.runs) > historyPage {
				t.Fatalf("page %d holds %d runs", page, len(hv.runs))
			}
			for _, r := range hv.runs {
				if last != "" && r.ID >= last {
					t.Fatalf("run %s after %s: not newest first", r.ID, last)
				}
				last = r.ID
				seen++
			}
			if hv.next == nil {
				break
			}
			hv.olderPage()
		}
		if seen != total {
			t.Fatalf("paged through %d runs, want %d", seen, total)
		}
		if want := fmt.Sprintf("Page %d of %d", total/historyPage, total/historyPage); hv.pageLabel.Text[:len(want)] != want {
			t.Fatalf("page label %q", hv.pageLabel.Text)
		}
	})
	t.Run("newer goes back", func(t *testing.T) {
		hv.newerPage()
		if got := hv.runs[0].ID; got != fmt.Sprintf("run-%06d", 2*historyPage-1) {
			t.Fatalf("newer page starts at %s", got)
		}
	})
	t.Run("filter by status", func(t *testing.T) {
		hv.setFilter("f1", flow.StatusFailed)
		for _, r := range hv.runs {
			if r.Status != flow.StatusFailed {
				t.Fatalf("run %s is %s in the failed filter", r.ID, r.Status)
			}
		}
		if want := "Page 1 of 100: 100 of 10000 runs"; hv.pageLabel.Text != want {
			t.Fatalf("page label %q, want %q", hv.pageLabel.Text, want)
		}
	})
	t.Run("delete one and older than a date", func(t *testing.T) {
		hv.setFilter("", "")
		hv.deleteRun("run-099999")
		if hv.runs[0].ID != "run-099998" {
			t.Fatalf("newest after delete %s", hv.runs[0].ID)
		}
		hv.deleteBefore(start.Add(90_000 * time.Second))
		n, err := h.db.CountRuns(context.Background(), storage.RunQuery{})
		if err != nil || n != 9_999 {
			t.Fatalf("%d runs left (%v), want 9999", n, err)
		}
	})
}
