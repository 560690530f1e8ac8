package ui

import (
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// TestRunFeedKeepsTheFollowedRunInOneBatch: the run feed hands the UI the
// followed run's events only, in one batch per refresh, and nothing once
// it follows none.
func TestRunFeedKeepsTheFollowedRunInOneBatch(t *testing.T) {
	q, clock := &uiQueue{}, &manualClock{}
	var batches [][]flow.RunEvent
	r := newRunFeed(q.do, clock.after, func(evs []flow.RunEvent) { batches = append(batches, evs) })
	r.Observe(flow.RunEvent{RunID: "r1", Kind: flow.EventRunStarted}) // not followed yet
	r.follow("r1")
	for _, id := range []string{"r1", "r2", "r1", "r1"} {
		r.Observe(flow.RunEvent{RunID: id, Kind: flow.EventStepStarted})
	}
	if n := clock.fire(); n != 1 {
		t.Fatalf("%d refreshes scheduled for one burst, want 1", n)
	}
	q.drain()
	if len(batches) != 1 || len(batches[0]) != 3 {
		t.Fatalf("batches %v, want one of the three events of r1", batches)
	}
	for _, ev := range batches[0] {
		if ev.RunID != "r1" {
			t.Fatalf("an event of %s reached the UI", ev.RunID)
		}
	}
	r.follow("")
	r.Observe(flow.RunEvent{RunID: "r1", Kind: flow.EventRunFinished})
	if n := clock.fire(); n != 0 {
		t.Fatalf("%d refreshes scheduled while following no run", n)
	}
}
