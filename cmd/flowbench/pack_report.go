package main

import (
	"context"
	"fmt"
	"io"

	"github.com/flowbench/flowbench/report"
	"github.com/flowbench/flowbench/storage"
)

// showRunHTML writes one run as the self-contained HTML page of package
// report (`flowbench runs show ID --html > report.html`): the flow's
// picture with the path taken, when the flow the run ran is stored, and
// every step with its request, response and decision.
func showRunHTML(ctx context.Context, store *storage.DB, ref string, stdout, stderr io.Writer) int {
	run, steps, code := loadRun(ctx, store, ref, stderr)
	if run == nil {
		return code
	}
	f, err := store.RunFlow(ctx, run)
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
