package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/auth"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/storage/secret"
)

// Exit statuses of run and validate (docs/flow-format.md).
const (
	exitOK      = 0
	exitFailed  = 1
	exitInvalid = 2
	exitLost    = 3 // the run ended but its record in the database was lost
)

// optionalString is a flag that knows whether it was given, so `--db ""`
// (record nothing) differs from no --db (the default database).
type optionalString struct {
	value string
	set   bool
}

func (o *optionalString) String() string { return o.value }
func (o *optionalString) Set(v string) error {
	o.value, o.set = v, true
	return nil
}

// parseInterleaved parses flags that may come before or after the positional
// arguments ("run FLOW.json --json" and "run --json FLOW.json").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

type runFlags struct {
	connections string
	input       string
	env         envFlags
	json        bool
	db          optionalString
	pack        packFlags
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var rf runFlags
	fs.StringVar(&rf.connections, "connections", "", "connections file (*.connections.json)")
	fs.StringVar(&rf.input, "input", "", "trigger payload: JSON, or @file")
	rf.env.register(fs)
	fs.BoolVar(&rf.json, "json", false, "print the result as one JSON object")
	fs.Var(&rf.db, "db", `database file; "" records nothing (default: the user's config directory)`)
	rf.pack.register(fs)
	var mf mockFlags
	mf.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitInvalid
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "flowbench run: give exactly one flow file or demo pack: flowbench run FLOW.json (or PACK"+flow.DemoPackSuffix+")")
		return exitInvalid
	}

	// Everything is read and checked before anything runs or is written.
	f, conns, problems := rf.pack.load(pos[0], rf.connections)
	mocks, ps := mf.load()
	problems = append(problems, ps...)
	problems = append(problems, rf.env.load()...)
	mocks, ps = rf.pack.add(mocks, &rf) // a demo pack's mocks, environment and connections
	problems = append(problems, ps...)
	if rf.connections != "" {
		conns, ps = mf.apply(conns)
		problems = append(problems, ps...)
		conns, ps = rf.env.apply(conns)
		problems = append(problems, ps...)
	}
	var input json.RawMessage
	if rf.input != "" {
		raw, err := readInput(rf.input)
		if err != nil {
			problems = append(problems, fmt.Sprintf("--input: %v", err))
		} else {
			input = raw
		}
	}
	var plan *engine.Plan
	if f != nil {
		p, err := engine.Compile(f, connsOrNil(conns))
		if err != nil {
			problems = append(problems, problemLines(pos[0], err)...)
		} else {
			plan = p
		}
	}
	if len(problems) > 0 {
		printProblems(stderr, problems)
		return exitInvalid
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", pos[0], w)
	}

	// SIGTERM (timeout(1), systemd, container runtimes) stops the run like
	// Ctrl-C: it is recorded "stopped" and the exit status is 1.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	rec, err := openRecording(ctx, rf.db)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench run: %v\n", err)
		return exitInvalid
	}
	defer rec.close()
	if rec.db != nil && rf.connections == "" {
		// Without a connections file, calls use the connections stored in the app.
		stored, err := rec.db.ListConnections(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "flowbench run: %v\n", err)
			return exitInvalid
		}
		if _, err := engine.Compile(f, stored); err != nil {
			printProblems(stderr, problemLines(pos[0], err))
			return exitInvalid
		}
		if conns, ps = mf.apply(stored); len(ps) > 0 {
			printProblems(stderr, ps)
			return exitInvalid
		}
		if conns, ps = rf.env.apply(conns); len(ps) > 0 {
			printProblems(stderr, ps)
			return exitInvalid
		}
	}
	opts := rec.runnerOptions(conns)
	mockSrv, resolve, err := startMocks(ctx, mocks, conns, storage.Resolver{DB: rec.db})
	if err != nil {
		fmt.Fprintf(stderr, "flowbench run: %v\n", err)
		return exitInvalid
	}
	if mockSrv != nil {
		defer mockSrv.Stop(context.Background())
		opts.Resolve = resolve
	}
	runner := engine.NewRunner(opts)
	env, envName := rf.env.input()
	res, err := runner.Run(ctx, plan, engine.Input{Trigger: input, Env: env, EnvName: envName, Source: "cli"})
	runner.Close() // delivers every event to the recorder
	if err != nil {
		fmt.Fprintf(stderr, "flowbench run: %v\n", err)
		return exitInvalid
	}
	lost := rec.flush(stderr)
	if rf.json {
		writeJSONResult(stdout, res)
	} else {
		writeTextResult(stdout, res)
	}
	if lost {
		return exitLost // outranks a failed run: the output above is its only record
	}
	if res.Run.Status == flow.StatusSucceeded {
		return exitOK
	}
	return exitFailed
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	connections := fs.String("connections", "", "connections file (*.connections.json)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitInvalid
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "flowbench validate: give exactly one flow file: flowbench validate FLOW.json")
		return exitInvalid
	}
	f, conns, problems := loadFiles(pos[0], *connections)
	if f != nil {
		plan, err := engine.Compile(f, connsOrNil(conns))
		if err != nil {
			problems = append(problems, problemLines(pos[0], err)...)
		} else {
			for _, w := range plan.Warnings {
				fmt.Fprintf(stdout, "%s: warning: %s\n", pos[0], w)
			}
		}
	}
	if len(problems) > 0 {
		printProblems(stderr, problems)
		return exitInvalid
	}
	fmt.Fprintf(stdout, "%s: valid\n", pos[0])
	return exitOK
}

func cmdTestConnection(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test-connection", flag.ContinueOnError)
	fs.SetOutput(stderr)
	connections := fs.String("connections", "", "connections file (*.connections.json)")
	var dbFlag optionalString
	fs.Var(&dbFlag, "db", "database file (default: the user's config directory)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitInvalid
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "flowbench test-connection: give the connection's name")
		return exitInvalid
	}
	ctx, cancel := context.WithTimeout(context.Background(), engine.DefaultTimeout)
	defer cancel()

	var conns []flow.Connection
	if *connections != "" {
		cf, err := readConnections(*connections)
		if err != nil {
			printProblems(stderr, []string{err.Error()})
			return exitInvalid
		}
		conns = cf.Connections
	}
	var db *storage.DB
	dbPath := dbFlag.value
	if !dbFlag.set {
		dbPath, _ = storage.DefaultPath()
	}
	if dbPath != "" {
		if db, err = openDB(ctx, dbPath); err != nil {
			fmt.Fprintf(stderr, "flowbench test-connection: %v\n", err)
			return exitInvalid
		}
		defer db.Close()
		if stored, err := db.ListConnections(ctx); err == nil {
			conns = append(conns, stored...)
		}
	}
	var conn *flow.Connection
	for i := range conns {
		if conns[i].Name == pos[0] {
			conn = &conns[i]
			break
		}
	}
	if conn == nil {
		fmt.Fprintf(stderr, "flowbench test-connection: no connection named %q; pass --connections FILE or add it in the app\n", pos[0])
		return exitInvalid
	}
	runner := engine.NewRunner(engine.Options{})
	defer runner.Close()
	opts := auth.Options{Secrets: resolverFor(db)}
	if db != nil {
		opts.Tokens = db
	}
	if err := auth.Test(ctx, *conn, opts); err != nil {
		fmt.Fprintf(stdout, "connection %q: FAILED: %v\n", conn.Name, err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "connection %q: OK\n", conn.Name)
	return exitOK
}

// loadFiles reads a flow file and an optional connections file, collecting
// every problem instead of stopping at the first.
func loadFiles(flowPath, connPath string) (*flow.Flow, []flow.Connection, []string) {
	var problems []string
	var f *flow.Flow
	data, err := flow.ReadFileLimit(flowPath, flow.MaxFlowFileBytes)
	if err != nil {
		problems = append(problems, fileProblem(flowPath, err))
	} else if f, err = flow.DecodeFlow(data); err != nil {
		problems = append(problems, problemLines(flowPath, err)...)
		f = nil
	} else if f.ID == "" {
		// flow.id (and the chatbot contract's chatBotId) is never empty:
		// a file without an id gets one from its name, the same every run.
		f.ID = flow.FileFlowID(flowPath)
	}
	var conns []flow.Connection
	if connPath != "" {
		cf, err := readConnections(connPath)
		if err != nil {
			problems = append(problems, problemLines(connPath, err)...)
		} else {
			conns = cf.Connections
		}
	}
	return f, conns, problems
}

func readConnections(path string) (*flow.ConnectionsFile, error) {
	data, err := flow.ReadFileLimit(path, flow.MaxConnectionsFileBytes)
	if err != nil {
		return nil, err
	}
	cf, err := flow.DecodeConnections(data)
	if err != nil {
		return nil, err
	}
	ps := flow.ValidateConnections(cf)
	// A CA file is read when the first call is made; check it now, before
	// any database is opened, so a wrong path or /dev/zero is found here.
	for _, cn := range cf.Connections {
		if cn.CAFile == "" {
			continue
		}
		if _, err := flow.ReadFileLimit(cn.CAFile, flow.MaxCAFileBytes); err != nil {
			ps = append(ps, flow.Problem{Severity: flow.SeverityError, Connection: cn.Name, Field: "caFile",
				Message: fileProblem(cn.CAFile, err)})
		}
	}
	if ps.HasErrors() {
		return nil, ps
	}
	return cf, nil
}

// fileProblem words a failure to read path, naming the file once.
func fileProblem(path string, err error) string {
	if strings.Contains(err.Error(), path) {
		return err.Error()
	}
	return fmt.Sprintf("%s: %v", path, err)
}

// connsOrNil returns nil when no connections file was given, so Compile does
// not insist that every connection exists (the GUI's store may have it).
func connsOrNil(conns []flow.Connection) []flow.Connection {
	if conns == nil {
		return nil
	}
	return conns
}

// problemLines splits an error holding several problems into one line each.
func problemLines(file string, err error) []string {
	var ps flow.Problems
	if errors.As(err, &ps) {
		out := make([]string, 0, len(ps))
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%s: %s", file, p))
		}
		return out
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
		out = append(out, fmt.Sprintf("%s: %s", file, line))
	}
	return out
}

func printProblems(w io.Writer, problems []string) {
	for _, p := range problems {
		fmt.Fprintln(w, p)
	}
	fmt.Fprintf(w, "%d problem(s); nothing was run\n", len(problems))
}

// readInput reads a trigger or event payload: JSON on the command line, or
// @file (@- for standard input), at most flow.MaxInputBytes either way.
func readInput(arg string) (json.RawMessage, error) {
	data := []byte(arg)
	if name, ok := strings.CutPrefix(arg, "@"); ok {
		b, err := flow.ReadFileLimit(name, flow.MaxInputBytes)
		if err != nil {
			return nil, err
		}
		data = b
	} else if len(data) > flow.MaxInputBytes {
		return nil, fmt.Errorf("larger than the %s a payload may be", flow.FormatBytes(flow.MaxInputBytes))
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("not valid JSON; give a JSON value such as '{\"chatId\": \"c-1\"}' or @file.json")
	}
	return json.RawMessage(data), nil
}

func envMap(name string) map[string]any {
	if name == "" {
		return nil
	}
	return map[string]any{"name": name}
}

// openDB opens the database with the master key, so sealed secrets can be
// read; the key file sits beside the database (storage.OpenWithKey).
func openDB(ctx context.Context, path string) (*storage.DB, error) {
	db, _, err := storage.OpenWithKey(ctx, path, secret.KeyOptions{}, storage.Options{})
	return db, err
}

// resolverFor resolves secret references from the environment and, when open,
// the database's sealed store.
func resolverFor(db *storage.DB) auth.SecretResolver {
	return storage.Resolver{DB: db}
}

// jsonStep is one step of `flowbench run --json`, as docs/flow-format.md shows it.
type jsonStep struct {
	Node        string        `json:"node"`
	Kind        flow.NodeKind `json:"kind"`
	Status      flow.Status   `json:"status"`
	Port        string        `json:"port,omitempty"`
	HTTPStatus  int           `json:"httpStatus,omitempty"`
	ReturnValue any           `json:"returnValue,omitempty"`
	Attempts    int           `json:"attempts,omitempty"`
	DurationMs  *int64        `json:"durationMs,omitempty"`
	Decision    string        `json:"decision,omitempty"`
	Error       string        `json:"error,omitempty"`
	PausedMs    int64         `json:"pausedMs,omitempty"` // waited at a breakpoint in the app
}

type jsonResult struct {
	RunID      string      `json:"runId"`
	Flow       string      `json:"flow"`
	Status     flow.Status `json:"status"`
	Outcome    string      `json:"outcome,omitempty"`
	DurationMs int64       `json:"durationMs"`
	Error      string      `json:"error,omitempty"`
	Steps      []jsonStep  `json:"steps"`
	Events     []string    `json:"events"`
}

func writeJSONResult(w io.Writer, res *engine.Result) {
	out := jsonResult{RunID: res.Run.ID, Flow: res.Run.FlowName, Status: res.Run.Status, Outcome: res.Run.Outcome,
		DurationMs: res.Run.DurationMs, Error: res.Run.Error, Steps: []jsonStep{}, Events: []string{}}
	for _, s := range res.Steps {
		js := jsonStep{Node: s.Node, Kind: s.Kind, Status: s.Status, Port: s.Port, HTTPStatus: s.HTTPStatus,
			ReturnValue: s.ReturnValue, Attempts: s.Attempts, Decision: s.Decision, Error: s.Error, PausedMs: s.PausedMs}
		if spec, ok := flow.Spec(s.Kind); ok && spec.Timed {
			d := s.DurationMs
			js.DurationMs = &d
		}
		out.Steps = append(out.Steps, js)
	}
	for _, e := range res.Events {
		out.Events = append(out.Events, e.Name)
	}
	enc := json.NewEncoder(w)
	_ = enc.Encode(out)
}

func writeTextResult(w io.Writer, res *engine.Result) {
	fmt.Fprintf(w, "run %s · %s\n", res.Run.ID, res.Run.FlowName)
	for _, s := range res.Steps {
		mark := "✓"
		switch s.Status {
		case flow.StatusFailed:
			mark = "✗"
		case flow.StatusStopped:
			mark = "■"
		}
		line := fmt.Sprintf("  %s %-14s %-8s", mark, s.Node, s.Kind)
		if s.Attempts > 0 {
			line += fmt.Sprintf(" HTTP %d · %s · %d attempt(s)", s.HTTPStatus, time.Duration(s.DurationMs)*time.Millisecond, s.Attempts)
		}
		if s.Decision != "" {
			line += " · " + s.Decision
		} else if s.Error != "" {
			line += " · " + s.Error
		}
		if s.Port != "" {
			line += " → " + s.Port
		}
		fmt.Fprintln(w, line)
	}
	for _, e := range res.Events {
		fmt.Fprintf(w, "  event %s\n", e.Name)
	}
	summary := string(res.Run.Status)
	if res.Run.Outcome != "" {
		summary += " · outcome " + res.Run.Outcome
	}
	summary += fmt.Sprintf(" · %d ms", res.Run.DurationMs)
	if res.Run.Error != "" {
		summary += "\n" + res.Run.Error
	}
	fmt.Fprintln(w, summary)
}
