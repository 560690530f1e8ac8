package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// cmdEmit raises an event and runs every flow listening to it, and the flows
// their events start in turn.
func cmdEmit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("emit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var flows stringList
	fs.Var(&flows, "flows", "flow file or folder of *.flow.json (repeatable; default: the flows stored in the app)")
	connections := fs.String("connections", "", "connections file (*.connections.json)")
	payload := fs.String("payload", "", "event payload: JSON, or @file")
	asJSON := fs.Bool("json", false, "print the trigger executions as JSON")
	maxEventRuns := fs.Int("max-event-runs", engine.DefaultMaxEventRuns, "runs one raised event may start, counting the runs their events start in turn")
	var dbFlag optionalString
	fs.Var(&dbFlag, "db", `database file; "" records nothing (default: the user's config directory)`)
	var ef envFlags
	ef.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitInvalid
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "flowbench emit: give the event's name: flowbench emit NAME --payload JSON")
		return exitInvalid
	}
	var raw json.RawMessage
	if *payload != "" {
		if raw, err = readInput(*payload); err != nil {
			printProblems(stderr, []string{"--payload: " + err.Error()})
			return exitInvalid
		}
	}
	// SIGINT and SIGTERM stop the runs in progress: they are recorded
	// "stopped" and the exit status is 1.
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	// Read and check every file before anything runs or is written.
	set := flowSet{flowArgs: flows, connPath: *connections}
	if problems := append(set.readFiles(), ef.load()...); len(problems) > 0 {
		printProblems(stderr, problems)
		return exitInvalid
	}
	if problems := set.applyEnv(&ef, set.connPath != ""); len(problems) > 0 {
		printProblems(stderr, problems)
		return exitInvalid
	}
	rec, err := openRecording(ctx, dbFlag)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench emit: %v\n", err)
		return exitInvalid
	}
	defer rec.close()
	plans, problems, err := set.compile(ctx, rec.db, nil)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench emit: %v\n", err)
		return exitInvalid
	}
	if problems = append(problems, set.applyEnv(&ef, set.connPath == "")...); len(problems) > 0 {
		printProblems(stderr, problems)
		return exitInvalid
	}
	conns := set.conns

	opts := rec.runnerOptions(conns)
	ef.setOptions(&opts)
	runner := engine.NewRunner(opts)
	var mu sync.Mutex
	var executions []engine.TriggerExecution
	bus := engine.NewEvents(runner, engine.EventsOptions{Context: ctx, MaxRuns: *maxEventRuns, OnTrigger: func(te engine.TriggerExecution) {
		mu.Lock()
		executions = append(executions, te)
		mu.Unlock()
	}})
	bus.SetPlans(plans)
	if len(bus.Listeners(pos[0])) == 0 {
		fmt.Fprintf(stderr, "flowbench emit: no flow listens to event %q; give its start node an event trigger with that event\n", pos[0])
		runner.Close()
		return exitFailed
	}
	if _, err := bus.Raise(ctx, pos[0], raw); err != nil {
		fmt.Fprintf(stderr, "flowbench emit: %v\n", err)
		runner.Close()
		return exitInvalid
	}
	runner.Close()
	lost := rec.flush(stderr)

	failed := false
	for _, te := range executions {
		if te.Error != "" {
			failed = true
		}
		for _, r := range te.Runs {
			if r.Run.Status != flow.StatusSucceeded {
				failed = true
			}
		}
	}
	if *asJSON {
		writeExecutionsJSON(stdout, executions)
	} else {
		// A refusal (the depth or run budget) repeats once per event that
		// met it: print each message once, with how often it happened.
		refusals := map[string]int{}
		var order []string
		for _, te := range executions {
			if te.Error != "" {
				if refusals[te.Error] == 0 {
					order = append(order, te.Error)
				}
				refusals[te.Error]++
			}
		}
		for _, te := range executions {
			if len(te.Runs) == 0 && te.Error != "" {
				continue
			}
			fmt.Fprintf(stdout, "event %s\n", te.Event.Name)
			for _, r := range te.Runs {
				line := fmt.Sprintf("  → %s: %s", r.Run.FlowName, r.Run.Status)
				if r.Run.Outcome != "" {
					line += " · outcome " + r.Run.Outcome
				}
				if r.Run.Error != "" {
					line += " · " + r.Run.Error
				}
				fmt.Fprintf(stdout, "%s (run %s)\n", line, r.Run.ID)
			}
		}
		for _, msg := range order {
			if n := refusals[msg]; n > 1 {
				fmt.Fprintf(stdout, "✗ %s (%d times)\n", msg, n)
			} else {
				fmt.Fprintf(stdout, "✗ %s\n", msg)
			}
		}
	}
	if lost {
		return exitLost
	}
	if failed {
		return exitFailed
	}
	return exitOK
}

func writeExecutionsJSON(w io.Writer, executions []engine.TriggerExecution) {
	type jsonExec struct {
		Event   string           `json:"event"`
		Payload json.RawMessage  `json:"payload,omitempty"`
		RunID   string           `json:"raisedByRun,omitempty"`
		Runs    []map[string]any `json:"runs"`
		Error   string           `json:"error,omitempty"`
	}
	out := make([]jsonExec, 0, len(executions))
	for _, te := range executions {
		je := jsonExec{Event: te.Event.Name, Payload: te.Event.Payload, RunID: te.Event.RunID, Error: te.Error, Runs: []map[string]any{}}
		for _, r := range te.Runs {
			je.Runs = append(je.Runs, engine.RunOutput(r))
		}
		out = append(out, je)
	}
	_ = json.NewEncoder(w).Encode(out)
}

// flowFiles expands a flow file or a folder into the flow files it names.
func flowFiles(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	files, err := filepath.Glob(filepath.Join(p, "*.flow.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no *.flow.json file", p)
	}
	return files, nil
}

func storedFlows(ctx context.Context, db *storage.DB) ([]*flow.Flow, error) {
	sums, err := db.ListFlows(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*flow.Flow, 0, len(sums))
	for _, s := range sums {
		f, err := db.Flow(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// recording is the optional database a headless command records into.
type recording struct {
	db       *storage.DB
	recorder *storage.Recorder
}

// openRecording opens the database named by --db (the default one when the
// flag is absent; none when it is "").
func openRecording(ctx context.Context, dbFlag optionalString) (*recording, error) {
	path := dbFlag.value
	if !dbFlag.set {
		p, err := storage.DefaultPath()
		if err != nil {
			return nil, fmt.Errorf("%v; pass --db PATH, or --db \"\" to record nothing", err)
		}
		path = p
	}
	rec := &recording{}
	if path == "" {
		return rec, nil
	}
	db, err := openDB(ctx, path)
	if err != nil {
		return nil, err
	}
	rec.db = db
	rec.recorder = db.NewRecorder(storage.RecorderOptions{})
	return rec, nil
}

func (r *recording) runnerOptions(conns []flow.Connection) engine.Options {
	opts := engine.Options{Connections: conns}
	if r.db != nil {
		opts.Secrets, opts.Tokens = r.db, r.db
		opts.Observers = []engine.Observer{r.recorder}
	}
	return opts
}

// flush commits what the recorder holds; call it after the runner is closed.
// It reports whether a record was lost, naming each run whose record is
// missing or incomplete; the command then exits exitLost.
func (r *recording) flush(stderr io.Writer) (lost bool) {
	if r.recorder == nil {
		return false
	}
	err := r.recorder.Close()
	runs := r.recorder.Lost()
	r.recorder = nil
	if err == nil && len(runs) == 0 {
		return false
	}
	where := ""
	if r.db != nil {
		where = " in " + r.db.Path()
	}
	fmt.Fprintf(stderr, "flowbench: the runs finished but could not all be recorded%s: %v\n", where, err)
	for _, l := range runs {
		name := l.FlowName
		if name == "" {
			name = "(flow name unknown)"
		}
		fmt.Fprintf(stderr, "flowbench: the record of run %s of flow %q is missing or incomplete: %s\n", l.ID, name, l.Err)
	}
	fmt.Fprintf(stderr, "flowbench: check that the disk has space and the database file is writable, then run again to have a record\n")
	return true
}

func (r *recording) close() {
	if r.recorder != nil {
		r.recorder.Close()
	}
	if r.db != nil {
		r.db.Close()
	}
}
