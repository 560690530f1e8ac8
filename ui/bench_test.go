package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
)

// chainFlow is start → n-2 set nodes → end, one run step per node.
func chainFlow(n int) *flow.Flow {
	f := &flow.Flow{Name: fmt.Sprintf("Chain of %d", n)}
	for i := range n {
		kind := flow.KindSet
		switch i {
		case 0:
			kind = flow.KindStart
		case n - 1:
			kind = flow.KindEnd
		}
		f.Nodes = append(f.Nodes, flow.Node{ID: fmt.Sprintf("n%d", i), Kind: kind, Position: flow.Position{X: float64(i%40) * 260, Y: float64(i/40) * 160}})
		if i > 0 {
			f.Edges = append(f.Edges, flow.Edge{From: fmt.Sprintf("n%d", i-1), To: fmt.Sprintf("n%d", i)})
		}
	}
	return f
}

// followRun feeds the window the events of a run through every node of
// its flow, each step in a batch of its own (the worst the bridge can
// do), and returns the time per step.
func followRun(a *App) time.Duration {
	doc := a.ed.Flow()
	a.live = &liveRun{id: "bench", doc: doc, rows: map[int]int{}}
	waiting := make(map[string]flow.Status, len(doc.Nodes))
	for _, n := range doc.Nodes {
		waiting[n.ID] = flow.StatusWaiting
	}
	a.cv.SetRunOverlay(waiting, nil)
	start := time.Now()
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, n := range doc.Nodes {
		s := &flow.Step{RunID: "bench", Seq: i + 1, Node: n.ID, Kind: n.Kind, Status: flow.StatusRunning, StartedAt: at}
		done := *s
		done.Status, done.Port, done.DurationMs = flow.StatusSucceeded, flow.PortNext, 1
		evs := []flow.RunEvent{{Kind: flow.EventStepStarted, RunID: "bench", Step: s}, {Kind: flow.EventStepFinished, RunID: "bench", Step: &done}}
		if i < len(doc.Edges) {
			e := doc.Edges[i]
			evs = append(evs, flow.RunEvent{Kind: flow.EventBranchTaken, RunID: "bench", Edge: &e})
		}
		a.applyRunEvents(evs)
	}
	return time.Since(start) / time.Duration(len(doc.Nodes))
}

// BenchmarkRunUpdates measures what following a run costs the UI per
// step: console rows and canvas overlay for a 1,000-step run against a
// 10-step run. The ratio should stay near 1 (≤ 1.5): no step rebuilds the
// whole console or canvas.
func BenchmarkRunUpdates(b *testing.B) {
	test.NewTempApp(b)
	mk := func(n int) *App {
		db := openStore(b, b.TempDir()+"/flowbench.db")
		a, err := New(fyne.CurrentApp(), Options{Store: db, Do: func(fn func()) { fn() }})
		if err != nil {
			b.Fatal(err)
		}
		a.w.Resize(fyne.NewSize(1400, 900))
		a.w.Show()
		a.load(chainFlow(n))
		b.Cleanup(a.w.Close)
		return a
	}
	small, large := mk(10), mk(1000)
	var perSmall, perLarge time.Duration
	for b.Loop() {
		for range 20 { // as many steps as the large run, in short runs
			perSmall += followRun(small)
		}
		perLarge += followRun(large) * 20
	}
	ratio := float64(perLarge) / float64(perSmall)
	b.ReportMetric(ratio, "ratio_1000_vs_10")
	b.ReportMetric(float64(perLarge)/float64(b.N*20), "ns/step_1000")
	b.ReportMetric(float64(perSmall)/float64(b.N*20), "ns/step_10")
}
