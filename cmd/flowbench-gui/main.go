// Command flowbench-gui is the Flowbench desktop app. Users start it as
// `flowbench` (no arguments) or `flowbench gui [--db PATH]`: that command
// runs this program, found beside it. The app is a program of its own so
// that the headless commands (run, validate, emit, serve) link no GUI
// toolkit: Go runs the init of every linked package, and Fyne's (its
// translations, fonts, and the locale check that prints "Error parsing
// user locale C") cost more than the whole of a one-call run.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/storage/secret"
	"github.com/flowbench/flowbench/ui"
)

func main() {
	os.Exit(runGUI(dbFlag(os.Args[1:])))
}

// dbFlag reads an optional "--db PATH".
func dbFlag(args []string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--db" || args[i] == "-db" {
			return args[i+1]
		}
	}
	return ""
}

// appID is the Fyne application id (FyneApp.toml): it names where Fyne keeps
// the preferences (window and split sizes, theme).
const appID = "dev.flowbench.app"

// runGUI opens the desktop window on the database at dbPath ("" means the
// default in the user's config directory) and returns the exit status once
// the window is closed. Drafts of unsaved edits live in a "drafts" folder
// beside the database.
func runGUI(dbPath string) (status int) {
	ctx := context.Background()
	if dbPath == "" {
		p, err := storage.DefaultPath()
		if err != nil {
			fmt.Fprintf(os.Stderr, "flowbench: cannot find a place for the database: %v; pass --db PATH\n", err)
			return 1
		}
		dbPath = p
	}
	// the key file sits beside the database (storage.OpenWithKey)
	db, source, err := storage.OpenWithKey(ctx, dbPath, secret.KeyOptions{}, storage.Options{})
	slog.Debug("master key", "source", fmt.Sprint(source))
	if err != nil {
		fmt.Fprintf(os.Stderr, "flowbench: open the database %s: %v\n", dbPath, err)
		return 1
	}
	defer db.Close()
	if err := seedExamples(ctx, db); err != nil {
		// the app is usable without the examples; say so and go on
		fmt.Fprintf(os.Stderr, "flowbench: could not add the example flows: %v\n", err)
	}

	recorder := db.NewRecorder(storage.RecorderOptions{})
	live := &liveRuns{ids: map[string]bool{}}
	// one mock server for the whole session: the Mocks view starts and
	// stops it, and connections with "use mock" on resolve to it
	mocks := mock.New(mock.Options{Secrets: storage.Resolver{DB: db}})
	runner := engine.NewRunner(engine.Options{Secrets: db, Tokens: db, Observers: []engine.Observer{recorder, live}, Resolve: ui.MockResolver(mocks)})
	// the request workspace sends on an engine with no recorder: its sends
	// go to the request history, not to the runs
	sender := engine.NewRunner(engine.Options{Secrets: db, Tokens: db, Resolve: ui.MockResolver(mocks)})
	defer sender.Close()
	defer func() {
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		mocks.Stop(shut)
		// the window's run was stopped when the window closed: let it end
		// (recorded "stopped") before its events are drained
		if left := live.wait(5 * time.Second); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "flowbench: runs %v were still running at exit; the next start records them interrupted\n", left)
		}
		runner.Close() // delivers the last events to the recorder
		if err := recorder.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "flowbench: the last runs could not be recorded: %v\n", err)
			status = 1
		}
	}()

	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	local := &ui.LocalRunner{Engine: runner, Connections: db.ListConnections, Flush: recorder.Flush}
	win, err := ui.New(a, ui.Options{
		Store:    db,
		History:  db,
		Runner:   local,
		Triggers: local, // events and webhooks start stored flows on the same engine
		Sender:   &ui.LocalRunner{Engine: sender, Connections: db.ListConnections},
		DraftDir: filepath.Join(filepath.Dir(dbPath), "drafts"),
		// the demo kit works offline from the first launch: its connections
		// point at mocks, served from the start
		MockStore:  db,
		Mocks:      mocks,
		StartMocks: true,
		// scripts/journeys.sh: where the cards are drawn after a run
		SceneFile: os.Getenv("FLOWBENCH_SCENE"),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "flowbench: %v\n", err)
		return 1
	}
	// SIGINT and SIGTERM (a logout, systemd, `kill`) end the session as
	// closing the window does: the live run is stopped and recorded, the
	// recorder flushed, and the process exits 0.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	closed := make(chan struct{})
	defer close(closed)
	go shutdownOnSignal(sigs, closed, fyne.Do, win.Shutdown)
	// the window opens within the screen, however large it was last time
	a.Lifecycle().SetOnStarted(func() {
		if w, h, ok := primaryScreen(); ok {
			win.FitToScreen(w, h)
		}
	})
	win.ShowAndRun()
	return 0 // or 1, set above, when the last runs could not be recorded
}

// shutdownOnSignal calls shutdown on the UI goroutine (through do) when a
// signal arrives, or returns once the window has closed.
func shutdownOnSignal(sigs <-chan os.Signal, closed <-chan struct{}, do func(func()), shutdown func()) {
	select {
	case <-sigs:
		do(shutdown)
	case <-closed:
	}
}

// liveRuns observes which runs have started and not yet finished, so that
// the GUI waits for the runs it stopped at exit to be recorded.
type liveRuns struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (l *liveRuns) Observe(ev flow.RunEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev.Kind {
	case flow.EventRunStarted:
		l.ids[ev.RunID] = true
	case flow.EventRunFinished:
		delete(l.ids, ev.RunID)
	}
}

// Wants asks the runner for the start and end of runs only.
func (l *liveRuns) Wants(kind flow.EventKind) bool {
	return kind == flow.EventRunStarted || kind == flow.EventRunFinished
}

// wait waits at most d for every run to finish and returns the ids of
// those still running.
func (l *liveRuns) wait(d time.Duration) []string {
	deadline := time.Now().Add(d)
	for {
		l.mu.Lock()
		var left []string
		for id := range l.ids {
			left = append(left, id)
		}
		l.mu.Unlock()
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// seedExamples stores the bundled example flows, their connections and the
// demo kit's mocks on the first launch (an empty database), so a new user
// opens a working, offline example rather than a blank canvas. Later launches leave the store alone,
// even when the examples were deleted.
func seedExamples(ctx context.Context, db *storage.DB) error {
	flows, err := db.ListFlows(ctx)
	if err != nil || len(flows) > 0 {
		return err
	}
	conns, err := db.ListConnections(ctx)
	if err != nil || len(conns) > 0 {
		return err
	}
	examples, err := assets.ExampleFlows()
	if err != nil {
		return err
	}
	cf, err := assets.ExampleConnections()
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range cf.Connections {
		if err := db.SaveConnection(ctx, c); err != nil {
			errs = append(errs, fmt.Errorf("connection %q: %w", c.Name, err))
		}
	}
	if mf, err := flow.DecodeMocks(assets.DemoMocksFile()); err != nil {
		errs = append(errs, fmt.Errorf("demo mocks: %w", err))
	} else {
		for _, m := range mf.Mocks {
			if err := db.SaveMock(ctx, m); err != nil {
				errs = append(errs, fmt.Errorf("mock %q: %w", m.Name, err))
			}
		}
	}
	// the last one saved is the newest, and the window opens the newest:
	// save the offline demo (assets.FirstFlowName) last.
	names := assets.ExampleFlowNames()
	first := -1
	for i, n := range names {
		if n == assets.FirstFlowName {
			first = i
		}
	}
	for i := len(examples) - 1; i >= 0; i-- {
		if i == first {
			continue
		}
		if _, err := db.SaveFlow(ctx, examples[i]); err != nil {
			errs = append(errs, fmt.Errorf("flow %q: %w", examples[i].Name, err))
		}
	}
	if first >= 0 {
		if _, err := db.SaveFlow(ctx, examples[first]); err != nil {
			errs = append(errs, fmt.Errorf("flow %q: %w", examples[first].Name, err))
		}
	}
	return errors.Join(errs...)
}
