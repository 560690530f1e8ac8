package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/flow"
)

// guidsOf returns the distinct task GUID/idempotency key pairs the peer saw.
func guidsOf(p *peer) map[string]bool {
	out := map[string]bool{}
	for _, req := range p.received() {
		out[req.Header.Get(HeaderTaskGUID)+"|"+req.Header.Get(HeaderIdempotencyKey)] = true
	}
	return out
}

// TestRetryOnConditions: retry.on chooses which answers are tried again.
// non2xx retries 404, 404 and then succeeds on 200, every attempt under one
// task GUID and idempotency key; the default (no "on") does not retry a 404;
// "4xx" retries a 404 but not a 503.
func TestRetryOnConditions(t *testing.T) {
	cases := []struct {
		name         string
		on           []string
		script       []int
		wantAttempts int
		wantStatus   flow.Status
		wantHTTP     int
	}{
		{name: "non2xx retries 404, 404, then 200", on: []string{"non2xx"}, script: []int{404, 404}, wantAttempts: 3, wantStatus: flow.StatusSucceeded, wantHTTP: 200},
		{name: "default does not retry 404", script: []int{404, 404}, wantAttempts: 1, wantStatus: flow.StatusFailed, wantHTTP: 404},
		{name: "4xx retries 404", on: []string{"4xx"}, script: []int{404}, wantAttempts: 2, wantStatus: flow.StatusSucceeded, wantHTTP: 200},
		{name: "4xx alone does not retry 503", on: []string{"4xx"}, script: []int{503}, wantAttempts: 1, wantStatus: flow.StatusFailed, wantHTTP: 503},
		{name: "3xx retries 304", on: []string{"3xx"}, script: []int{304}, wantAttempts: 2, wantStatus: flow.StatusSucceeded, wantHTTP: 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pr := newPeer(t)
			pr.script["/anything/lookup"] = c.script
			f := linear(callNode("lookup", flow.Call{URI: `"/anything/lookup"`,
				Retry: &flow.Retry{MaxAttempts: 3, InitialInterval: flow.Duration(10 * time.Millisecond), On: c.on}}))
			conns := []flow.Connection{pr.conn("api")}
			clk := clocktest.New(time.Unix(1_700_000_000, 0))
			r := NewRunner(Options{Connections: conns, Clock: clk, Rand: func() float64 { return 0.5 }})
			defer r.Close()
			res := run(t, r, mustCompile(t, f, conns), "")
			s := stepOf(t, res, "lookup")
			if s.Attempts != c.wantAttempts || len(pr.received()) != c.wantAttempts {
				t.Fatalf("attempts = %d (peer saw %d), want %d", s.Attempts, len(pr.received()), c.wantAttempts)
			}
			if s.Status != c.wantStatus || s.HTTPStatus != c.wantHTTP {
				t.Fatalf("step %s HTTP %d (%s), want %s HTTP %d", s.Status, s.HTTPStatus, s.Error, c.wantStatus, c.wantHTTP)
			}
			if g := guidsOf(pr); len(g) != 1 {
				t.Fatalf("attempts carried %d task GUID/idempotency pairs, want 1: %v", len(g), g)
			}
			for i, ex := range s.Exchanges {
				if ex.TaskGUID != s.Exchanges[0].TaskGUID || ex.Attempt != i+1 {
					t.Fatalf("exchange %d: attempt %d GUID %s; want attempt %d GUID %s", i, ex.Attempt, ex.TaskGUID, i+1, s.Exchanges[0].TaskGUID)
				}
			}
		})
	}
}

// TestTimedOutAttemptIsRetried: the timeout bounds each attempt. The first
// attempt gets no answer, times out after 1s and is retried (timeout is in
// the default "on"); the second answers, so the step succeeds after
// timeout + backoff on the runner's clock, within timeout × 2 + backoff.
func TestTimedOutAttemptIsRetried(t *testing.T) {
	pr := newPeer(t)
	pr.holds["/anything/slow"] = 1
	timeout := time.Second
	f := linear(callNode("slow", flow.Call{URI: `"/anything/slow"`, Timeout: flow.Duration(timeout),
		Retry: &flow.Retry{MaxAttempts: 3, InitialInterval: flow.Duration(200 * time.Millisecond)}}))
	conns := []flow.Connection{pr.conn("api")}
	start := time.Unix(1_700_000_000, 0)
	clk := clocktest.New(start)
	r := NewRunner(Options{Connections: conns, Clock: clk, Rand: func() float64 { return 0.5 }})
	defer r.Close()
	pr.advanceWhenHeld(t, clk, timeout)
	res := run(t, r, mustCompile(t, f, conns), "")
	s := stepOf(t, res, "slow")
	backoff := 100 * time.Millisecond // half the 200ms ceiling
	if s.Status != flow.StatusSucceeded || s.HTTPStatus != 200 || s.Attempts != 2 || len(pr.received()) != 2 {
		t.Fatalf("step %s HTTP %d after %d attempts (peer saw %d): %s; want succeeded 200 after 2", s.Status, s.HTTPStatus, s.Attempts, len(pr.received()), s.Error)
	}
	if fmt.Sprint(clk.Slept()) != fmt.Sprint([]time.Duration{backoff}) {
		t.Fatalf("slept %v, want one backoff of %v", clk.Slept(), backoff)
	}
	if took := clk.Now().Sub(start); took != timeout+backoff || took > 2*timeout+backoff {
		t.Fatalf("the step took %v on the runner's clock, want timeout + backoff = %v", took, timeout+backoff)
	}
	if s.Exchanges[0].DurationMs != timeout.Milliseconds() || s.Exchanges[0].Status != 0 {
		t.Fatalf("first exchange %+v, want no answer after %v", s.Exchanges[0], timeout)
	}
	if g := guidsOf(pr); len(g) != 1 {
		t.Fatalf("attempts carried %d task GUID/idempotency pairs, want 1", len(g))
	}
}

// TestTimedOutAttemptNotRetriedWithoutTimeoutInOn: with "on" naming only
// statuses, a timed-out attempt ends the step.
func TestTimedOutAttemptNotRetriedWithoutTimeoutInOn(t *testing.T) {
	pr := newPeer(t)
	pr.holds["/anything/slow"] = 1
	f := linear(callNode("slow", flow.Call{URI: `"/anything/slow"`, Timeout: flow.Duration(time.Second),
		Retry: &flow.Retry{MaxAttempts: 3, On: []string{"5xx"}}}))
	conns := []flow.Connection{pr.conn("api")}
	clk := clocktest.New(time.Unix(1_700_000_000, 0))
	r := NewRunner(Options{Connections: conns, Clock: clk})
	defer r.Close()
	pr.advanceWhenHeld(t, clk, time.Second)
	res := run(t, r, mustCompile(t, f, conns), "")
	s := stepOf(t, res, "slow")
	want := "no answer within the call's 1s timeout; raise call.timeout or check the endpoint"
	if s.Status != flow.StatusFailed || s.Attempts != 1 || s.Error != want {
		t.Fatalf("step %s after %d attempts: %q; want failed after 1: %q", s.Status, s.Attempts, s.Error, want)
	}
}

// TestDeadlineStopsRetries: the deadline bounds the whole step. Backoff
// waits of 0.5s, 1s and 2s would take the fourth attempt past a 2s deadline,
// so the step fails after three attempts without waiting, saying so; and an
// attempt that gets no answer is cut when the deadline passes, not at its
// (longer) timeout.
func TestDeadlineStopsRetries(t *testing.T) {
	t.Run("before the next attempt", func(t *testing.T) {
		pr := newPeer(t)
		pr.script["/anything/busy"] = []int{503, 503, 503, 503, 503}
		f := linear(callNode("busy", flow.Call{URI: `"/anything/busy"`, Deadline: flow.Duration(2 * time.Second),
			Retry: &flow.Retry{MaxAttempts: 5, InitialInterval: flow.Duration(time.Second), BackoffRate: 2}}))
		conns := []flow.Connection{pr.conn("api")}
		clk := clocktest.New(time.Unix(1_700_000_000, 0))
		r := NewRunner(Options{Connections: conns, Clock: clk, Rand: func() float64 { return 0.5 }})
		defer r.Close()
		res := run(t, r, mustCompile(t, f, conns), "")
		s := stepOf(t, res, "busy")
		want := "the next attempt would wait 2s, past the step's 2s deadline (call.deadline) (after 3 attempts)"
		if s.Status != flow.StatusFailed || s.Attempts != 3 || s.Error != want || s.HTTPStatus != 503 {
			t.Fatalf("step %s HTTP %d after %d attempts: %q; want failed 503 after 3: %q", s.Status, s.HTTPStatus, s.Attempts, s.Error, want)
		}
		if fmt.Sprint(clk.Slept()) != fmt.Sprint([]time.Duration{500 * time.Millisecond, time.Second}) {
			t.Fatalf("slept %v, want 500ms and 1s", clk.Slept())
		}
		if wantRun := `step "busy" failed and has no failure path: ` + want; res.Run.Error != wantRun {
			t.Fatalf("run error %q, want %q", res.Run.Error, wantRun)
		}
	})
	t.Run("during an attempt", func(t *testing.T) {
		pr := newPeer(t)
		pr.holds["/anything/slow"] = 1
		f := linear(callNode("slow", flow.Call{URI: `"/anything/slow"`, Timeout: flow.Duration(30 * time.Second),
			Deadline: flow.Duration(2 * time.Second), Retry: &flow.Retry{MaxAttempts: 3}}))
		conns := []flow.Connection{pr.conn("api")}
		start := time.Unix(1_700_000_000, 0)
		clk := clocktest.New(start)
		r := NewRunner(Options{Connections: conns, Clock: clk})
		defer r.Close()
		pr.advanceWhenHeld(t, clk, 2*time.Second)
		res := run(t, r, mustCompile(t, f, conns), "")
		s := stepOf(t, res, "slow")
		want := "the step's 2s deadline (call.deadline) passed during attempt 1; raise call.deadline, or lower call.timeout or call.retry"
		if s.Status != flow.StatusFailed || s.Attempts != 1 || s.Error != want || len(pr.received()) != 1 {
			t.Fatalf("step %s after %d attempts (peer saw %d): %q; want failed after 1: %q", s.Status, s.Attempts, len(pr.received()), s.Error, want)
		}
		if took := clk.Now().Sub(start); took != 2*time.Second {
			t.Fatalf("the step took %v on the runner's clock, want the 2s deadline", took)
		}
	})
	t.Run("a Retry-After within the deadline is honoured", func(t *testing.T) {
		pr := newPeer(t)
		pr.script["/anything/busy"] = []int{503}
		pr.headers["/anything/busy"] = map[string][]string{"Retry-After": {"60"}}
		f := linear(callNode("busy", flow.Call{URI: `"/anything/busy"`, Timeout: flow.Duration(30 * time.Second),
			Deadline: flow.Duration(5 * time.Minute), Retry: &flow.Retry{MaxAttempts: 3}}))
		conns := []flow.Connection{pr.conn("api")}
		clk := clocktest.New(time.Unix(1_700_000_000, 0))
		r := NewRunner(Options{Connections: conns, Clock: clk})
		defer r.Close()
		res := run(t, r, mustCompile(t, f, conns), "")
		s := stepOf(t, res, "busy")
		if s.Status != flow.StatusSucceeded || s.Attempts != 2 || fmt.Sprint(clk.Slept()) != "[1m0s]" {
			t.Fatalf("step %s after %d attempts, slept %v: %q; want succeeded after 2, one wait of 1m0s", s.Status, s.Attempts, clk.Slept(), s.Error)
		}
	})
}
