package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// TestStepDeadlineIsReusedUntilItFires: steps that finish in time share one
// context; one that runs out of time is cancelled with errStepDeadline and
// the next step gets a live context; closing releases it.
func TestStepDeadlineIsReusedUntilItFires(t *testing.T) {
	parent, stop := context.WithCancel(context.Background())
	defer stop()
	var d stepDeadline
	first := d.start(parent, time.Minute)
	d.done()
	if again := d.start(parent, time.Minute); again != first || again.Err() != nil {
		t.Fatal("a step that ended in time should leave its context for the next")
	}
	d.done()

	ctx := d.start(parent, 20*time.Millisecond)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the step's context did not end at its deadline")
	}
	if !errors.Is(context.Cause(ctx), errStepDeadline) {
		t.Fatalf("cause %v, want the step deadline", context.Cause(ctx))
	}
	d.done()
	next := d.start(parent, time.Minute)
	if next == ctx || next.Err() != nil {
		t.Fatal("the step after a timeout got the spent context")
	}
	d.done()
	d.close()
	if next.Err() == nil {
		t.Fatal("close left the context running")
	}

	// The run's context still ends every step.
	ctx = d.start(parent, time.Minute)
	stop()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("stopping the run did not end the step")
	}
	d.close()
}

// TestStepAfterATimeoutRuns: a call that times out takes its failure path,
// and the call there runs normally with its own full timeout.
func TestStepAfterATimeoutRuns(t *testing.T) {
	p := newPeer(t)
	conns := []flow.Connection{p.conn("api")}
	f := linear(
		callNode("slow", flow.Call{Method: "GET", URI: `"/delay/2"`, Timeout: flow.Duration(150 * time.Millisecond)}),
		callNode("fast", flow.Call{Method: "GET", URI: `"/get"`}),
	)
	f.Edges[1].Port = flow.PortFailure // slow -failure-> fast
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, conns), "")
	if s := stepOf(t, res, "slow"); s.Status != flow.StatusFailed || s.Port != flow.PortFailure {
		t.Fatalf("slow: %s via %q: %s", s.Status, s.Port, s.Error)
	}
	if s := stepOf(t, res, "fast"); s.Status != flow.StatusSucceeded || s.HTTPStatus != 200 {
		t.Fatalf("fast: %s %d: %s", s.Status, s.HTTPStatus, s.Error)
	}
	if res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
}
