package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/report"
	"github.com/flowbench/flowbench/storage"
)

// showRunHTML writes one run as the self-contained HTML page of package
// report (`flowbench runs show ID --html > report.html`): the flow's
// picture with the path taken, when the flow the run ran is stored, and
// every step with its request, response and decision.
func showRunHTML(ctx context.Context, store *storage.DB, ref string, stdout, stderr io.Writer) int {
	id, err := findRun(ctx, store, ref)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench runs show: %v\n", err)
		return exitInvalid
	}
	run, steps, err := store.Run(ctx, id)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench runs show: %v\n", err)
		return exitFailed
	}
	f, err := runFlow(ctx, store, run)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench runs show: %v\n", err)
		return exitFailed
	}
	if f == nil {
		fmt.Fprintf(stderr, "flowbench runs show: warning: flow %q of run %s is not stored in this database (a run of a file), so the page has no picture of the canvas; its steps are all there\n", run.FlowName, shortRunID(run.ID))
	}
	if err := report.HTML(stdout, run, steps, f); err != nil {
		fmt.Fprintf(stderr, "flowbench runs show: writing the page: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// runFlow returns the stored flow a run ran: the version it ran when that
// is recorded, else the flow as it is now; nil when it is not stored.
func runFlow(ctx context.Context, store *storage.DB, run *flow.Run) (*flow.Flow, error) {
	if run.FlowID == "" {
		return nil, nil
	}
	var f *flow.Flow
	var err error
	if run.FlowVersion > 0 {
		f, err = store.FlowVersionDoc(ctx, run.FlowID, run.FlowVersion)
	}
	if run.FlowVersion == 0 || errors.Is(err, storage.ErrNotFound) {
		f, err = store.Flow(ctx, run.FlowID)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return f, err
}
