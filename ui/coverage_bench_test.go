package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// recordChatbotRuns records n runs of the demo chatbot flow (stored as
// flowID, version) through a storage Recorder, as the engine reports them:
// start → lookup, which leaves by vip, standard or failure in turn (never
// by default) → the branch's reply → its end.
func recordChatbotRuns(tb testing.TB, db *storage.DB, flowID string, version, n int) {
	tb.Helper()
	rec := db.NewRecorder(storage.RecorderOptions{})
	at := time.Now().Add(-time.Duration(n) * time.Second)
	branches := []struct{ port, reply, end string }{{"vip", "vip-reply", "vip"}, {"standard", "std-reply", "standard"}, {"failure", "apology", "sorry"}}
	for i := range n {
		id := fmt.Sprintf("bench-%05d", i)
		br := branches[i%len(branches)]
		start := at.Add(time.Duration(i) * time.Second)
		run := &flow.Run{ID: id, FlowID: flowID, FlowName: "Demo: chatbot branching", FlowVersion: version,
			Status: flow.StatusRunning, Trigger: "manual", StartedAt: start}
		rec.Observe(flow.RunEvent{Kind: flow.EventRunStarted, RunID: id, Run: run})
		steps := []flow.Step{
			{Node: "start", Kind: flow.KindStart, Port: flow.PortNext},
			{Node: "lookup", Kind: flow.KindCall, Port: br.port, HTTPStatus: 200},
			{Node: br.reply, Kind: flow.KindSet, Port: flow.PortNext},
			{Node: br.end, Kind: flow.KindEnd},
		}
		for j := range steps {
			s := steps[j]
			s.RunID, s.Seq, s.Status, s.StartedAt = id, j+1, flow.StatusSucceeded, start.Add(time.Duration(j)*time.Millisecond)
			rec.Observe(flow.RunEvent{Kind: flow.EventStepFinished, RunID: id, Step: &s})
		}
		fin := *run
		fin.Status, fin.FinishedAt = flow.StatusSucceeded, start.Add(4*time.Millisecond)
		rec.Observe(flow.RunEvent{Kind: flow.EventRunFinished, RunID: id, Run: &fin})
	}
	if err := rec.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkCoverageOverlay measures opening the branch-coverage overlay of
// the demo chatbot flow with 10,000 recorded runs (the stored coverage
// read, flow's Coverage, the canvas overlay applied and the never-taken
// list built) against opening the flow itself from the database into the
// editor and canvas (App.Open). Issue 17 asks for a ratio of at most 2.
func BenchmarkCoverageOverlay(b *testing.B) {
	test.NewTempApp(b)
	ctx := context.Background()
	db := openStore(b, b.TempDir()+"/flowbench.db")
	f, err := assets.ExampleFlow(assets.FirstFlowName)
	if err != nil {
		b.Fatal(err)
	}
	version, err := db.SaveFlow(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	stored, err := db.Flow(ctx, f.ID)
	if err != nil {
		b.Fatal(err)
	}
	const runs = 10_000
	recordChatbotRuns(b, db, stored.ID, version, runs)
	a, err := New(fyne.CurrentApp(), Options{Store: db, History: db, Do: func(fn func()) { fn() }})
	if err != nil {
		b.Fatal(err)
	}
	a.w.Resize(fyne.NewSize(1400, 900))
	a.w.Show()
	b.Cleanup(a.w.Close)
	var open, cover time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := a.Open(stored.ID); err != nil {
			b.Fatal(err)
		}
		open += time.Since(t0)

		t1 := time.Now()
		a.cov.setOn(true)
		cover += time.Since(t1)
		if got := fmt.Sprint(portNames(a.cov.never)); got != "[lookup/default default-reply/next]" {
			b.Fatalf("never taken: %s, want lookup/default and default-reply/next", got)
		}
		if got := takenSet(a.cov.ports)["start/next"]; got != runs {
			b.Fatalf("start/next taken %d times, want %d (every run)", got, runs)
		}
		a.cov.setOn(false)
	}
	b.ReportMetric(float64(cover)/float64(open), "x-coverage-vs-open")
	b.ReportMetric(float64(open.Microseconds())/float64(b.N), "open-µs")
	b.ReportMetric(float64(cover.Microseconds())/float64(b.N), "coverage-µs")
}
