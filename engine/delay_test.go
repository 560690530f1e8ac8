package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/flow"
)

func delayNode(id, duration string) flow.Node {
	return flow.Node{ID: id, Kind: flow.KindDelay, Duration: duration}
}

// TestDelayWaitsOnTheRunnersClock: delays of 10 minutes and of a CEL
// duration computed from vars complete at once under a fake clock, which
// they advance by exactly their waits; each step records what it waited.
func TestDelayWaitsOnTheRunnersClock(t *testing.T) {
	f := linear(delayNode("pause", `"10m"`), delayNode("again", `duration(vars.wait) + duration(vars.wait)`))
	f.Variables = map[string]string{"wait": `"1.5s"`}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clk := clocktest.New(start)
	r := NewRunner(Options{Clock: clk})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, nil), "")
	if res.Run.Status != flow.StatusSucceeded || res.Run.Outcome != "done" {
		t.Fatalf("run %s (%s), want succeeded", res.Run.Status, res.Run.Error)
	}
	if got, want := clk.Slept(), []time.Duration{10 * time.Minute, 3 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("slept %v, want %v", got, want)
	}
	if got := clk.Now().Sub(start); got != 10*time.Minute+3*time.Second {
		t.Errorf("the clock moved %v", got)
	}
	if len(res.Steps) != 4 {
		t.Fatalf("%d steps, want 4", len(res.Steps))
	}
	for i, want := range []struct {
		node, decision string
		ms             int64
	}{{"pause", "waited 10m0s", 600_000}, {"again", "waited 3s", 3_000}} {
		s := res.Steps[i+1]
		if s.Node != want.node || s.Kind != flow.KindDelay || s.Status != flow.StatusSucceeded || s.Port != flow.PortNext ||
			s.Decision != want.decision || s.DurationMs != want.ms || s.Error != "" {
			t.Errorf("step %d = %+v, want node %s, decision %q, %d ms", i+1, s, want.node, want.decision, want.ms)
		}
	}
	if res.Run.DurationMs != 603_000 {
		t.Errorf("run took %d ms by the fake clock, want 603000", res.Run.DurationMs)
	}
}

// TestDelayStopEndsTheWait: stopping a run during a real one-minute delay
// ends the wait at once; the step and the run are stopped, and the step says
// how far the wait got.
func TestDelayStopEndsTheWait(t *testing.T) {
	f := linear(delayNode("pause", `"1m"`))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := NewRunner(Options{Observers: []Observer{ObserverFunc(func(ev flow.RunEvent) {
		if ev.Kind == flow.EventStepStarted && ev.Step.Node == "pause" {
			cancel()
		}
	})}})
	defer r.Close()
	p := mustCompile(t, f, nil)
	done := make(chan *Result, 1)
	began := time.Now()
	go func() {
		res, err := r.Run(ctx, p, Input{})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(50 * time.Second):
		t.Fatal("the run did not end when it was stopped during the delay")
	}
	if waited := time.Since(began); waited >= time.Minute {
		t.Fatalf("the run waited the whole minute (%v)", waited)
	}
	if res == nil {
		t.Fatal("no result")
	}
	if res.Run.Status != flow.StatusStopped || res.Run.Error != `the run was stopped at node "pause"` {
		t.Errorf("run %s: %q", res.Run.Status, res.Run.Error)
	}
	last := res.Steps[len(res.Steps)-1]
	if last.Node != "pause" || last.Status != flow.StatusStopped || last.Port != "" ||
		!strings.HasPrefix(last.Error, "the run was stopped ") || !strings.HasSuffix(last.Error, " into a wait of 1m0s") {
		t.Errorf("delay step = %+v", last)
	}
}

// TestDelayBadDurationFails: a duration that is not a duration, negative,
// or longer than flow.MaxDelay fails the step at run time, naming the node
// and the field; none waits.
func TestDelayBadDurationFails(t *testing.T) {
	for _, c := range []struct {
		src, want string
	}{
		{`vars.d`, `step "pause" failed and has no failure path: duration: "soon" is not a duration`},
		{`duration("0s") - duration("1s")`, `step "pause" failed and has no failure path: duration: -1s is negative`},
		{`duration("20h") + duration("5h")`, `step "pause" failed and has no failure path: duration: 25h0m0s is longer than the 24h0m0s a delay may wait`},
		{`5`, `step "pause" failed and has no failure path: duration gave 5, not a duration`},
		{`vars.missing`, `step "pause" failed and has no failure path: duration: `},
	} {
		f := linear(delayNode("pause", c.src))
		f.Variables = map[string]string{"d": `"soon"`}
		clk := clocktest.New(time.Unix(0, 0))
		r := NewRunner(Options{Clock: clk})
		res := run(t, r, mustCompile(t, f, nil), "")
		r.Close()
		if res.Run.Status != flow.StatusFailed || !strings.HasPrefix(res.Run.Error, c.want) {
			t.Errorf("%s: run %s %q, want failed %q…", c.src, res.Run.Status, res.Run.Error, c.want)
		}
		if len(clk.Slept()) != 0 {
			t.Errorf("%s: slept %v", c.src, clk.Slept())
		}
	}
}

// TestDelayCompileProblems: a duration that does not compile, or a literal
// one out of bounds, is a problem naming the node and field duration.
func TestDelayCompileProblems(t *testing.T) {
	for src, want := range map[string]string{
		`duration(`: "expression does not compile",
		`"48h"`:     "48h0m0s is longer than the 24h0m0s a delay may wait",
		``:          "a delay node needs a duration",
	} {
		_, err := Compile(linear(delayNode("pause", src)), nil)
		var ps flow.Problems
		if !errors.As(err, &ps) || len(ps) == 0 || ps[0].Node != "pause" || ps[0].Field != "duration" || !strings.Contains(ps[0].Message, want) {
			t.Errorf("%q: %v, want a problem at pause/duration saying %q", src, err, want)
		}
	}
}
