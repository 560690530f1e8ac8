package storage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// Example records two runs through a Recorder, as an engine observer would,
// then pages through the history newest first.
func Example() {
	dir, _ := os.MkdirTemp("", "flowbench-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(dir, "flowbench.db"), storage.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	rec := db.NewRecorder(storage.RecorderOptions{})
	start := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"run-1", "run-2"} {
		run := &flow.Run{ID: id, FlowName: "Hello", Status: flow.StatusRunning, StartedAt: start.Add(time.Duration(i) * time.Minute)}
		rec.Observe(flow.RunEvent{Kind: flow.EventRunStarted, RunID: id, Run: run})
		rec.Observe(flow.RunEvent{Kind: flow.EventStepFinished, RunID: id,
			Step: &flow.Step{Seq: 1, Node: "start", Kind: flow.KindStart, Status: flow.StatusSucceeded, Port: "next"}})
		done := *run
		done.Status = flow.StatusSucceeded
		rec.Observe(flow.RunEvent{Kind: flow.EventRunFinished, RunID: id, Run: &done})
	}
	if err := rec.Close(); err != nil { // Close flushes
		fmt.Println(err)
		return
	}

	var cursor *storage.RunCursor
	for {
		runs, next, err := db.ListRuns(ctx, storage.RunQuery{Limit: 1, Before: cursor})
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, r := range runs {
			_, steps, _ := db.Run(ctx, r.ID)
			fmt.Println(r.ID, r.Status, len(steps), "step")
		}
		if next == nil {
			break
		}
		cursor = next
	}
	// Output:
	// run-2 succeeded 1 step
	// run-1 succeeded 1 step
}
