package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// jsonRun is one run of `flowbench runs --json`.
type jsonRun struct {
	RunID       string      `json:"runId"`
	Flow        string      `json:"flow"`
	FlowID      string      `json:"flowId,omitempty"`
	FlowVersion int         `json:"flowVersion,omitempty"`
	Status      flow.Status `json:"status"`
	Outcome     string      `json:"outcome,omitempty"`
	Trigger     string      `json:"trigger,omitempty"`
	StartedAt   time.Time   `json:"startedAt"`
	DurationMs  int64       `json:"durationMs"`
	Error       string      `json:"error,omitempty"`
}

// cmdRuns lists the recorded runs (`flowbench runs`) or shows one with its
// steps (`flowbench runs show ID`), from the database the app and `run`
// record into.
func cmdRuns(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "compare" {
		return cmdRunsCompare(args[1:], stdout, stderr)
	}
	show := len(args) > 0 && args[0] == "show"
	if show {
		args = args[1:]
	}
	fs := flag.NewFlagSet("runs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var db optionalString
	fs.Var(&db, "db", "database file (default: the user's config directory)")
	asJSON := fs.Bool("json", false, "print JSON: an array of runs, or with show the run as `flowbench run --json` prints it")
	asHTML := fs.Bool("html", false, "with show: write the run as one self-contained HTML page (flowbench runs show last --html > report.html)")
	flowName := fs.String("flow", "", "list only the runs of the flow with this name or id")
	status := fs.String("status", "", "list only the runs in this state (running, succeeded, failed, stopped, interrupted)")
	limit := fs.Int("limit", 20, "list at most this many runs, newest first (at most 1000)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitInvalid
	}
	switch {
	case show && len(pos) != 1:
		fmt.Fprintln(stderr, "flowbench runs show: give one run id (or its first characters, or \"last\"): flowbench runs show RUN_ID")
		return exitInvalid
	case !show && len(pos) != 0:
		fmt.Fprintf(stderr, "flowbench runs: unexpected %q; to see one run use flowbench runs show RUN_ID\n", pos[0])
		return exitInvalid
	case *asHTML && (!show || *asJSON):
		fmt.Fprintln(stderr, "flowbench runs: --html writes one run's page: flowbench runs show RUN_ID --html > report.html (without --json)")
		return exitInvalid
	case *limit < 1 || *limit > 1000:
		fmt.Fprintf(stderr, "flowbench runs: --limit %d is out of range; give 1 to 1000\n", *limit)
		return exitInvalid
	}
	if *status != "" && !validStatus(flow.Status(*status)) {
		fmt.Fprintf(stderr, "flowbench runs: --status %q is not a run state; use running, succeeded, failed, stopped or interrupted\n", *status)
		return exitInvalid
	}
	ctx := context.Background()
	store, err := openExisting(ctx, db)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench runs: %v\n", err)
		return exitInvalid
	}
	defer store.Close()
	if show && *asHTML {
		return showRunHTML(ctx, store, pos[0], stdout, stderr)
	}
	if show {
		return showRun(ctx, store, pos[0], *asJSON, stdout, stderr)
	}
	runs, _, err := store.ListRuns(ctx, storage.RunQuery{Status: flow.Status(*status), Limit: 1000})
	if err != nil {
		fmt.Fprintf(stderr, "flowbench runs: %v\n", err)
		return exitFailed
	}
	var out []jsonRun
	for _, r := range runs {
		if *flowName != "" && r.FlowName != *flowName && r.FlowID != *flowName {
			continue
		}
		out = append(out, jsonRun{RunID: r.ID, Flow: r.FlowName, FlowID: r.FlowID, FlowVersion: r.FlowVersion, Status: r.Status,
			Outcome: r.Outcome, Trigger: r.Trigger, StartedAt: r.StartedAt.UTC(), DurationMs: r.DurationMs, Error: r.Error})
		if len(out) == *limit {
			break
		}
	}
	if *asJSON {
		if out == nil {
			out = []jsonRun{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return exitOK
	}
	if len(out) == 0 {
		fmt.Fprintln(stdout, "no runs recorded yet")
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTATUS\tSTARTED\tDURATION\tFLOW\tOUTCOME")
	for _, r := range out {
		name := r.Flow
		if r.FlowVersion > 0 {
			name += fmt.Sprintf(" (v%d)", r.FlowVersion)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d ms\t%s\t%s\n", shortRunID(r.RunID), r.Status, r.StartedAt.Local().Format("2006-01-02 15:04:05"), r.DurationMs, name, r.Outcome)
	}
	_ = tw.Flush()
	return exitOK
}

// showRun prints one run with its steps: the text or JSON of `flowbench run`.
func showRun(ctx context.Context, store *storage.DB, ref string, asJSON bool, stdout, stderr io.Writer) int {
	run, steps, code := loadRun(ctx, store, ref, stderr)
	if run == nil {
		return code
	}
	res := &engine.Result{Run: *run, Steps: steps}
	if asJSON {
		writeJSONResult(stdout, res)
	} else {
		writeTextResult(stdout, res)
	}
	return exitOK
}

// loadRun reads the run ref names (see findRun) with its steps; on failure
// it says why on stderr and gives the exit status (run nil).
func loadRun(ctx context.Context, store *storage.DB, ref string, stderr io.Writer) (*flow.Run, []flow.Step, int) {
	id, err := findRun(ctx, store, ref)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench runs show: %v\n", err)
		return nil, nil, exitInvalid
	}
	run, steps, err := store.Run(ctx, id)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench runs show: %v\n", err)
		return nil, nil, exitFailed
	}
	return run, steps, exitOK
}

// findRun resolves "last", a whole run id, or the first characters of one
// (the app shows eight) to a run id.
func findRun(ctx context.Context, store *storage.DB, ref string) (string, error) {
	runs, _, err := store.ListRuns(ctx, storage.RunQuery{Limit: 1000})
	if err != nil {
		return "", err
	}
	if ref == "last" {
		if len(runs) == 0 {
			return "", errors.New("no runs recorded yet")
		}
		return runs[0].ID, nil
	}
	var found []string
	for _, r := range runs {
		if r.ID == ref {
			return r.ID, nil
		}
		if strings.HasPrefix(r.ID, ref) {
			found = append(found, r.ID)
		}
	}
	switch len(found) {
	case 0:
		if _, _, err := store.Run(ctx, ref); err == nil {
			return ref, nil // older than the newest 1000
		}
		return "", fmt.Errorf("no run %q in the database; list them with flowbench runs", ref)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%q starts %d run ids (%s, …); give more of the id", ref, len(found), strings.Join(found[:2], ", "))
}

// openExisting opens the database at the --db path, or the app's, and says
// so when there is none rather than creating an empty one. It asks for no
// master key, so a database made under another key lists its runs too.
func openExisting(ctx context.Context, dbFlag optionalString) (*storage.DB, error) {
	path := dbFlag.value
	if !dbFlag.set || path == "" {
		p, err := storage.DefaultPath()
		if err != nil {
			return nil, fmt.Errorf("%v; pass --db PATH", err)
		}
		path = p
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s: nothing has been recorded there (pass --db PATH for another)", path)
	}
	// run records hold no secrets: no master key is needed to read them
	return storage.Open(ctx, path, storage.Options{})
}

func validStatus(s flow.Status) bool {
	switch s {
	case flow.StatusRunning, flow.StatusSucceeded, flow.StatusFailed, flow.StatusStopped, flow.StatusInterrupted:
		return true
	}
	return false
}

func shortRunID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
