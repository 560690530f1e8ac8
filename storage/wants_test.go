package storage

import (
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// TestRecorderWantsWhatItWrites: the kinds the recorder declares are exactly
// the ones Observe queues a record for.
func TestRecorderWantsWhatItWrites(t *testing.T) {
	db := openTemp(t)
	rec := db.NewRecorder(RecorderOptions{})
	defer rec.Close()
	for _, k := range []flow.EventKind{flow.EventRunStarted, flow.EventStepStarted, flow.EventRequestSent,
		flow.EventResponseReceived, flow.EventBranchTaken, flow.EventStepFinished, flow.EventRaised, flow.EventRunFinished} {
		rec.mu.Lock()
		before := rec.queued
		rec.mu.Unlock()
		rec.Observe(flow.RunEvent{Kind: k, RunID: "r", Run: &flow.Run{ID: "r"}, Step: &flow.Step{RunID: "r", Seq: 1},
			Raised: &flow.RaisedEvent{Name: "e"}, Exchange: &flow.Exchange{}, Edge: &flow.Edge{}})
		rec.mu.Lock()
		queued := rec.queued > before
		rec.mu.Unlock()
		if queued != rec.Wants(k) {
			t.Errorf("%s: queued %v, Wants %v", k, queued, rec.Wants(k))
		}
	}
}
