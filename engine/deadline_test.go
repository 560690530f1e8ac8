package engine

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/flow"
)

// TestStepDeadlineIsReusedUntilItFires: steps that finish in time share one
// context; one that runs out of time is cancelled with errAttemptTimeout and
// the next step gets a live context; closing releases it. Its time is the
// clock it is given: a fake one, moved by the test.
func TestStepDeadlineIsReusedUntilItFires(t *testing.T) {
	parent, stop := context.WithCancel(context.Background())
	defer stop()
	clk := clocktest.New(time.Unix(1_700_000_000, 0))
	var d stepDeadline
	first := d.start(parent, clk, time.Minute)
	clk.Advance(59 * time.Second)
	d.done()
	if again := d.start(parent, clk, time.Minute); again != first || again.Err() != nil {
		t.Fatal("a step that ended in time should leave its context for the next")
	}
	if want := clk.Now().Add(time.Minute); !d.at.Equal(want) {
		t.Fatalf("the step's time runs out at %v, want %v", d.at, want)
	}
	clk.Advance(59 * time.Second) // the first step's minute has passed, not this one's
	if first.Err() != nil {
		t.Fatal("the timer fired at the first step's deadline after being re-armed")
	}
	d.done()

	ctx := d.start(parent, clk, 20*time.Millisecond)
	clk.Advance(19 * time.Millisecond)
	if ctx.Err() != nil {
		t.Fatal("the step's context ended before its deadline")
	}
	clk.Advance(time.Millisecond)
	if ctx.Err() == nil {
		t.Fatal("the step's context did not end at its deadline")
	}
	if !errors.Is(context.Cause(ctx), errAttemptTimeout) {
		t.Fatalf("cause %v, want the step deadline", context.Cause(ctx))
	}
	d.done()
	next := d.start(parent, clk, time.Minute)
	if next == ctx || next.Err() != nil {
		t.Fatal("the step after a timeout got the spent context")
	}
	d.done()
	d.close()
	if next.Err() == nil {
		t.Fatal("close left the context running")
	}

	// The run's context still ends every step.
	ctx = d.start(parent, clk, time.Minute)
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
		callNode("slow", flow.Call{Method: "GET", URI: `"/hold"`, Timeout: flow.Duration(150 * time.Millisecond)}),
		callNode("fast", flow.Call{Method: "GET", URI: `"/get"`}),
	)
	f.Edges[1].Port = flow.PortFailure // slow -failure-> fast
	clk := clocktest.New(time.Unix(1_700_000_000, 0))
	r := NewRunner(Options{Connections: conns, Clock: clk})
	defer r.Close()
	p.advanceWhenHeld(t, clk, 150*time.Millisecond)
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

// TestRetryWaitPastTheDeadlineIsRefused: with no deadline, a Retry-After
// longer than the call's timeout fails the step at once, without waiting
// (as HTTP clients cap Retry-After by their request timeout), the wait read
// on the runner's clock (a fake one here, years before the real time).
func TestRetryWaitPastTheDeadlineIsRefused(t *testing.T) {
	p := newPeer(t)
	p.script["/anything/busy"] = []int{503}
	p.headers["/anything/busy"] = http.Header{"Retry-After": {"60"}}
	conns := []flow.Connection{p.conn("api")}
	f := linear(callNode("busy", flow.Call{URI: `"/anything/busy"`, Timeout: flow.Duration(30 * time.Second),
		Retry: &flow.Retry{MaxAttempts: 3}}))
	clk := clocktest.New(time.Unix(1_500_000_000, 0))
	r := NewRunner(Options{Connections: conns, Clock: clk})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, conns), "")
	s := stepOf(t, res, "busy")
	want := "the next attempt would wait 1m0s (Retry-After), longer than the call's 30s timeout; set call.deadline to allow longer waits"
	if s.Status != flow.StatusFailed || s.Attempts != 1 || s.Error != want || len(clk.Slept()) != 0 {
		t.Fatalf("step %s after %d attempts: %q, slept %v; want failed after 1 attempt: %q, no wait", s.Status, s.Attempts, s.Error, clk.Slept(), want)
	}
}
