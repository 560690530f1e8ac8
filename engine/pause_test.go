package engine

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/flow"
)

// Issue 17: a run with a breakpoint before each step waits at each node,
// in order, records how long it waited, and times nothing out meanwhile:
// a step's timeout starts after its pause.
func TestPauseBeforeEachStep(t *testing.T) {
	pr := newPeer(t)
	f := linear(callNode("get", flow.Call{URI: `"/get"`, Timeout: flow.Duration(time.Second)}),
		flow.Node{ID: "keep", Kind: flow.KindSet, Assign: []flow.Assignment{{Name: "x", Value: "1"}}})
	conns := []flow.Connection{pr.conn("api")}
	clk := clocktest.New(time.Unix(1_700_000_000, 0))
	r := NewRunner(Options{Connections: conns, Clock: clk})
	defer r.Close()
	var at []PausePoint
	pause := func(ctx context.Context, p PausePoint) error {
		at = append(at, p)
		clk.Advance(10 * time.Minute) // far past the call's 1 s timeout
		return nil
	}
	res, err := r.Run(context.Background(), mustCompile(t, f, conns), Input{Pause: pause})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
	var nodes []string
	for i, p := range at {
		nodes = append(nodes, p.Node)
		if p.Seq != i+1 || p.RunID != res.Run.ID {
			t.Errorf("pause %d at %+v, want seq %d of run %s", i, p, i+1, res.Run.ID)
		}
	}
	if want := []string{"start", "get", "keep", "end"}; !slices.Equal(nodes, want) {
		t.Fatalf("paused before %v, want %v", nodes, want)
	}
	for _, s := range res.Steps {
		if s.PausedMs != (10 * time.Minute).Milliseconds() {
			t.Errorf("step %s recorded a pause of %d ms, want 600000", s.Node, s.PausedMs)
		}
		if s.Status != flow.StatusSucceeded {
			t.Errorf("step %s %s after its pause: %s", s.Node, s.Status, s.Error)
		}
	}
}

// Stop while paused ends the run as stopped at the node it waited at,
// before that node ran.
func TestStopWhilePaused(t *testing.T) {
	pr := newPeer(t)
	f := linear(callNode("get", flow.Call{URI: `"/get"`}))
	conns := []flow.Connection{pr.conn("api")}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pause := func(ctx context.Context, p PausePoint) error {
		if p.Node != "get" {
			return nil
		}
		cancel() // the person pressed Stop while the run waited here
		<-ctx.Done()
		return ctx.Err()
	}
	res, err := r.Run(ctx, mustCompile(t, f, conns), Input{Pause: pause})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Status != flow.StatusStopped || res.Run.Error != `the run was stopped at node "get"` {
		t.Fatalf("run %s %q, want stopped at get", res.Run.Status, res.Run.Error)
	}
	for _, s := range res.Steps {
		if s.Node == "get" {
			t.Fatalf("the call ran after Stop at its breakpoint: %+v", s)
		}
	}
	if n := len(pr.requests); n != 0 {
		t.Fatalf("%d requests sent after Stop at the breakpoint", n)
	}
}
