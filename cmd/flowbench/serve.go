package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// mockFlags are the flags that serve mocks for a headless command.
type mockFlags struct {
	files   stringList
	useMock stringList // CONNECTION=MOCK overrides
}

func (m *mockFlags) register(fs *flag.FlagSet) {
	fs.Var(&m.files, "mocks", "mocks file (*.mocks.json) to serve on 127.0.0.1 (repeatable)")
	fs.Var(&m.useMock, "use-mock", "CONNECTION=MOCK: send that connection's calls to that mock (repeatable)")
}

// loadMocks reads the mocks files, collecting every problem.
func (m *mockFlags) load() ([]flow.Mock, []string) {
	var mocks []flow.Mock
	var problems []string
	for _, p := range m.files {
		data, err := flow.ReadFileLimit(p, flow.MaxMocksFileBytes)
		if err != nil {
			problems = append(problems, fileProblem(p, err))
			continue
		}
		mf, err := flow.DecodeMocks(data)
		if err != nil {
			problems = append(problems, problemLines(p, err)...)
			continue
		}
		if ps := flow.ValidateMocks(mf.Mocks); ps.HasErrors() {
			problems = append(problems, problemLines(p, ps)...)
			continue
		}
		mocks = append(mocks, mf.Mocks...)
	}
	return mocks, problems
}

// apply turns on the mock switch for CONNECTION=MOCK overrides.
func (m *mockFlags) apply(conns []flow.Connection) ([]flow.Connection, []string) {
	var problems []string
	out := append([]flow.Connection(nil), conns...)
	for _, o := range m.useMock {
		name, mockName, ok := strings.Cut(o, "=")
		if !ok || name == "" || mockName == "" {
			problems = append(problems, fmt.Sprintf("--use-mock %q: write CONNECTION=MOCK", o))
			continue
		}
		found := false
		for i := range out {
			if out[i].Name == name {
				out[i].Mock, out[i].UseMock, found = mockName, true, true
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf("--use-mock %q: no connection named %q", o, name))
		}
	}
	return out, problems
}

// startMocks serves the mocks on a free loopback port and returns the engine
// option that points connections with the switch on at them.
func startMocks(ctx context.Context, mocks []flow.Mock, conns []flow.Connection, secrets mock.SecretResolver) (*mock.Server, func(flow.Connection) (string, bool), error) {
	needed := map[string]bool{}
	for _, c := range conns {
		if c.UseMock {
			needed[c.Mock] = true
		}
	}
	if len(mocks) == 0 && len(needed) == 0 {
		return nil, nil, nil
	}
	have := map[string]bool{}
	for _, m := range mocks {
		have[m.Name] = true
	}
	for name := range needed {
		if !have[name] {
			return nil, nil, fmt.Errorf("a connection uses mock %q but no mocks file given with --mocks defines it", name)
		}
	}
	srv := mock.New(mock.Options{Secrets: secrets})
	if err := srv.SetMocks(mocks); err != nil {
		return nil, nil, err
	}
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		return nil, nil, err
	}
	resolve := func(c flow.Connection) (string, bool) {
		if !c.UseMock {
			return "", false
		}
		return srv.BaseURL(c.Mock), true
	}
	return srv, resolve, nil
}

// cmdServe serves webhook triggers, mocks and the event bus until interrupted.
func cmdServe(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// serve is cmdServe until ctx ends.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var flows stringList
	fs.Var(&flows, "flows", "flow file or folder of *.flow.json (repeatable; default: the flows stored in the app)")
	connections := fs.String("connections", "", "connections file (*.connections.json)")
	addr := fs.String("addr", "127.0.0.1:8089", "where webhook triggers listen (loopback only)")
	var mf mockFlags
	mf.register(fs)
	var dbFlag optionalString
	fs.Var(&dbFlag, "db", `database file; "" records nothing (default: the user's config directory)`)
	maxConcurrent := fs.Int("max-concurrent", engine.DefaultWebhookMaxConcurrent, "webhook requests served at once; past it a request is answered 503 with Retry-After")
	maxEventRuns := fs.Int("max-event-runs", engine.DefaultMaxEventRuns, "runs one raised event may start, counting the runs their events start in turn")
	var ef envFlags
	ef.register(fs)
	grace := fs.Duration("shutdown-grace", engine.DefaultWebhookShutdownGrace, "on SIGTERM or Ctrl+C, how long webhook runs in flight may finish before they are stopped")
	var tf temporalFlags // --temporal: each webhook starts a workflow instead of a local run
	tf.register(fs)
	if _, err := parseInterleaved(fs, args); err != nil {
		return exitInvalid
	}
	if *maxConcurrent < 1 || *grace <= 0 {
		fmt.Fprintln(stderr, "flowbench serve: --max-concurrent must be at least 1 and --shutdown-grace above 0")
		return exitInvalid
	}

	set := flowSet{flowArgs: flows, connPath: *connections}
	problems := set.readFiles()
	mocks, ps := mf.load()
	problems = append(problems, ps...)
	if problems = append(problems, ef.load()...); len(problems) == 0 {
		problems = set.applyEnv(&ef, set.connPath != "")
	}
	if len(problems) > 0 {
		printProblems(stderr, problems)
		return exitInvalid
	}
	rec, err := openRecording(ctx, dbFlag)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench serve: %v\n", err)
		return exitInvalid
	}
	defer rec.close()
	plans, problems, err := set.compile(ctx, rec.db, &mf)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench serve: %v\n", err)
		return exitInvalid
	}
	if problems = append(problems, set.applyEnv(&ef, set.connPath == "")...); len(problems) > 0 {
		printProblems(stderr, problems)
		return exitInvalid
	}
	conns := set.conns

	// A webhook's answer names its run: it waits until the run is committed.
	var commits *storage.CommitWaiter
	if rec.db != nil {
		rec.recorder.Close()
		commits = storage.NewCommitWaiter(0)
		rec.recorder = rec.db.NewRecorder(storage.RecorderOptions{OnCommit: commits.Committed})
		commits.Attach(rec.recorder)
	}
	opts := rec.runnerOptions(conns)
	ef.setOptions(&opts)
	for i, o := range opts.Observers {
		if o == engine.Observer(rec.recorder) {
			opts.Observers[i] = commits
		}
	}
	mockSrv, resolve, err := startMocks(ctx, mocks, conns, storage.Resolver{DB: rec.db})
	if err != nil {
		fmt.Fprintf(stderr, "flowbench serve: %v\n", err)
		return exitInvalid
	}
	if mockSrv != nil {
		defer mockSrv.Stop(context.Background())
		opts.Resolve = resolve
		fmt.Fprintf(stdout, "mocks on %s\n", mockSrv.URL())
		cancel := mockSrv.Subscribe(func(r mock.Received) {
			fmt.Fprintf(stdout, "mock %s %s %s → %d\n", r.Mock, r.Method, r.Path, r.Status)
		})
		defer cancel()
	}
	runner := engine.NewRunner(opts)
	defer runner.Close()
	bus := engine.NewEvents(runner, engine.EventsOptions{MaxRuns: *maxEventRuns, OnTrigger: func(te engine.TriggerExecution) {
		for _, r := range te.Runs {
			fmt.Fprintf(stdout, "event %s → %s: %s %s\n", te.Event.Name, r.Run.FlowName, r.Run.Status, r.Run.Outcome)
		}
		if te.Error != "" {
			fmt.Fprintf(stdout, "event %s: %s\n", te.Event.Name, te.Error)
		}
	}})
	bus.SetPlans(plans)
	hookOpts := engine.WebhookOptions{OnRequest: func(w engine.WebhookRequest) {
		fmt.Fprintf(stdout, "webhook %s %s → %d (%s)\n", w.Method, w.Path, w.Status, w.Verified)
	}, MaxConcurrent: *maxConcurrent, ShutdownGrace: *grace}
	if commits != nil {
		hookOpts.Commit = func(ctx context.Context, run *flow.Run) error { return commits.Wait(ctx, run.ID) }
		hookOpts.IDs = commits // ids are written with their runs
	}
	if tf.hostPort != "" {
		c, err := tf.dial(stderr)
		if err != nil {
			fmt.Fprintf(stderr, "flowbench serve: %v\n", err)
			return exitFailed
		}
		defer c.Close()
		hookOpts.Start = tf.webhookStarter(c)
	}
	hooks := engine.NewWebhookServer(runner, hookOpts)
	if err := hooks.SetPlans(plans); err != nil {
		fmt.Fprintf(stderr, "flowbench serve: %v\n", err)
		return exitInvalid
	}
	if err := hooks.Start(*addr); err != nil {
		fmt.Fprintf(stderr, "flowbench serve: %v\n", err)
		return exitInvalid
	}
	for _, p := range hooks.Paths() {
		fmt.Fprintf(stdout, "webhook trigger: POST %s%s\n", hooks.URL(), p)
	}
	fmt.Fprintln(stdout, "serving; press Ctrl+C to stop")
	<-ctx.Done()
	fmt.Fprintf(stdout, "stopping; runs in flight have %s to finish\n", *grace)
	// Past the grace, Stop stops the runs; committing them may take a while more.
	shut, cancel := context.WithTimeout(context.Background(), *grace+time.Minute)
	defer cancel()
	code := exitOK
	if err := hooks.Stop(shut); err != nil {
		fmt.Fprintf(stderr, "flowbench serve: %v\n", err)
		code = exitFailed
	}
	bus.Wait()
	runner.Close()
	if rec.flush(stderr) {
		code = exitLost // names each run whose record was lost
	}
	return code
}
