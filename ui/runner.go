package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

// RunInput is what the window starts a run with.
type RunInput struct {
	// RunID is chosen by the window so it can follow the run's events
	// before the run returns.
	RunID string
	// Trigger is the payload (`trigger` in expressions).
	Trigger json.RawMessage
	// Env holds the picked environment's variables (`env`); EnvName names
	// it in the run's record.
	Env     map[string]any
	EnvName string
	// Mocks chooses, for this run only, what stands in for a connection's
	// endpoint: connection name → mock name, or "" for the live endpoint.
	// Connections it does not name keep their own setting.
	Mocks map[string]string
	// Pause, when set, is the run's live breakpoint (engine.Input.Pause):
	// step-through, per-node breakpoints and slow motion.
	Pause func(ctx context.Context, at engine.PausePoint) error
}

// Runner runs flow documents for the window: whole runs (▶) and single
// steps (the call inspector's Test button). LocalRunner is the one the app
// uses. Every method must honour ctx, which the Stop button cancels.
type Runner interface {
	// Run runs f to its end and returns the finished run; the error is
	// non-nil only when the run could not start. The run's events must all
	// have reached the observers added with AddObserver when it returns.
	Run(ctx context.Context, f *flow.Flow, in RunInput) (*flow.Run, error)
	// TestStep runs the node nodeID of f on its own.
	TestStep(ctx context.Context, f *flow.Flow, nodeID string, in engine.StepInput) (*engine.StepResult, error)
	// AddObserver makes o receive every run event from now on.
	AddObserver(o engine.Observer)
}

// LocalRunner runs flows on an engine.Runner with the connections of a
// store, as they are at the moment of each run (so edits made in the
// Connections view apply at once).
type LocalRunner struct {
	// Engine performs the runs.
	Engine *engine.Runner
	// Connections lists the connections calls may use.
	Connections func(ctx context.Context) ([]flow.Connection, error)
	// Flush, when set, is called after a run so that its record is
	// committed before the Runs view reads the history (the storage
	// recorder's Flush).
	Flush func(ctx context.Context) error
	// Overrides, when set, changes the connections before each run or
	// test: the picked environment's base URL and auth overrides (the
	// window sets it, see App.environmentConnections).
	Overrides func(conns []flow.Connection) ([]flow.Connection, error)
}

// connections lists the current connections, with mocks chosen for this
// run only (see RunInput.Mocks), and hands them to the engine.
func (l *LocalRunner) connections(ctx context.Context, mocks map[string]string) ([]flow.Connection, error) {
	var conns []flow.Connection
	if l.Connections != nil {
		var err error
		if conns, err = l.Connections(ctx); err != nil {
			return nil, fmt.Errorf("list the connections: %w", err)
		}
	}
	if l.Overrides != nil {
		var err error
		if conns, err = l.Overrides(conns); err != nil {
			return nil, err
		}
	}
	for i := range conns {
		if m, ok := mocks[conns[i].Name]; ok {
			conns[i].Mock, conns[i].UseMock = m, m != ""
		}
	}
	l.Engine.SetConnections(conns)
	return conns, nil
}

// plan compiles f against the current connections (with mocks chosen for
// the run).
func (l *LocalRunner) plan(ctx context.Context, f *flow.Flow, mocks map[string]string) (*engine.Plan, error) {
	conns, err := l.connections(ctx, mocks)
	if err != nil {
		return nil, err
	}
	return engine.Compile(f, conns)
}

// Run compiles f, runs it, and waits until every observer has its events
// and (with Flush) the record is committed. A run stopped through ctx
// returns with status "stopped".
func (l *LocalRunner) Run(ctx context.Context, f *flow.Flow, in RunInput) (*flow.Run, error) {
	plan, err := l.plan(ctx, f, in.Mocks)
	if err != nil {
		return nil, err
	}
	if len(in.Mocks) > 0 {
		// the choice was for this run: later runs of triggers get the
		// connections as stored again
		defer func() { _, _ = l.connections(context.WithoutCancel(ctx), nil) }()
	}
	res, err := l.Engine.Run(ctx, plan, engine.Input{RunID: in.RunID, Trigger: in.Trigger, Env: in.Env, EnvName: in.EnvName, Source: "manual", Pause: in.Pause})
	if err != nil {
		return nil, err
	}
	// ctx may be cancelled (Stop): the events still have to be delivered
	// and recorded, so wait on a context of our own.
	wait := context.WithoutCancel(ctx)
	if err := l.Engine.Drain(wait); err != nil {
		slog.Warn("run events not delivered", "run", res.Run.ID, "err", err)
	}
	if l.Flush != nil {
		if err := l.Flush(wait); err != nil {
			slog.Warn("run not recorded yet", "run", res.Run.ID, "err", err)
		}
	}
	return &res.Run, nil
}

// TestStep compiles the node nodeID of f alone (engine.CompileStep: the
// rest of the flow may be unfinished) and runs it on its own.
func (l *LocalRunner) TestStep(ctx context.Context, f *flow.Flow, nodeID string, in engine.StepInput) (*engine.StepResult, error) {
	conns, err := l.connections(ctx, nil)
	if err != nil {
		return nil, err
	}
	plan, err := engine.CompileStep(f, nodeID, conns)
	if err != nil {
		return nil, err
	}
	return l.Engine.TestStep(ctx, plan, nodeID, in)
}

// AddObserver adds o to the engine's observers.
func (l *LocalRunner) AddObserver(o engine.Observer) { l.Engine.AddObserver(o) }
