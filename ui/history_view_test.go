package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
	if raceEnabled {
		// paging is not concurrent: the unit pass checks it, while under
		// the race detector recording 100,000 runs takes many minutes
		t.Skip("records 100,000 runs; checked in the pass without -race")
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
			if len(hv.runL.items) > historyPage {
				t.Fatalf("page %d holds %d runs", page, len(hv.runL.items))
			}
			for _, r := range hv.runL.items {
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
		if got := hv.runL.items[0].ID; got != fmt.Sprintf("run-%06d", 2*historyPage-1) {
			t.Fatalf("newer page starts at %s", got)
		}
	})
	t.Run("filter by status", func(t *testing.T) {
		hv.setFilter("f1", flow.StatusFailed)
		for _, r := range hv.runL.items {
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
		if hv.runL.items[0].ID != "run-099998" {
			t.Fatalf("newest after delete %s", hv.runL.items[0].ID)
		}
		hv.deleteBefore(start.Add(90_000 * time.Second))
		n, err := h.db.CountRuns(context.Background(), storage.RunQuery{})
		if err != nil || n != 9_999 {
			t.Fatalf("%d runs left (%v), want 9999", n, err)
		}
	})
}

// TestReplayOfAnotherFlowsRun: a run of a flow file (no stored flow) whose
// name is not the open flow's lists its steps but lights nothing on the
// canvas, whose nodes may share its node IDs, and is not re-run as the open
// flow; a run of the open flow's name lights its path.
func TestReplayOfAnotherFlowsRun(t *testing.T) {
	h := newRunHarness(t, "http://127.0.0.1:1")
	h.app.load(exampleDoc(t)) // its node IDs (start, lookup, ...) are common ones
	doc := h.app.ed.Flow()
	node := doc.Nodes[0].ID
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	record := func(id, name string) {
		r := flow.Run{ID: id, FlowName: name, Status: flow.StatusSucceeded, StartedAt: at, FinishedAt: at, Trigger: "cli"}
		st := flow.Step{RunID: id, Seq: 1, Node: node, Kind: flow.KindStart, Status: flow.StatusSucceeded, StartedAt: at}
		h.rec.Observe(flow.RunEvent{Kind: flow.EventStepFinished, RunID: id, Step: &st})
		h.rec.Observe(flow.RunEvent{Kind: flow.EventRunFinished, RunID: id, Run: &r})
	}
	record("run-other", "Some other flow")
	record("run-same", doc.Name)
	if err := h.rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	h.app.OpenRun("run-other")
	if status, lit := h.app.cv.RunOverlay(); len(status) != 0 || len(lit) != 0 {
		t.Fatalf("a run of another flow lit the open flow: %v %v", status, lit)
	}
	if text := h.consoleText(); !strings.Contains(text, "from a file, not a stored flow") || !strings.Contains(text, "#1 "+node) {
		t.Fatalf("the console should list the run's step and say why nothing is lit:\n%s", text)
	}
	h.app.Rerun(flow.Run{ID: "run-other", FlowName: "Some other flow"})
	if h.app.running {
		t.Fatal("re-running another flow's run started the open flow")
	}
	if text := h.consoleText(); !strings.Contains(text, "re-run: run ") {
		t.Fatalf("re-running another flow's run gave no error:\n%s", text)
	}

	h.app.OpenRun("run-same")
	if status, _ := h.app.cv.RunOverlay(); status[node] != flow.StatusSucceeded {
		t.Fatalf("a run of the open flow's name did not light node %s: %v", node, status)
	}
}

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
	if row := runRow(&flow.Run{Status: flow.StatusSucceeded, Outcome: "vip", FlowName: "Demo", DurationMs: 3}); !strings.HasSuffix(row, "  → vip  Demo  3 ms") {
		t.Errorf("row %q does not put the outcome right after the time", row)
	}
	row := runRow(&hv.runL.items[0])
	if !strings.Contains(row, "interrupted  Tier  40 ms  (its process ended mid-run)") {
		t.Fatalf("row %q does not say the run was interrupted", row)
	}
}
