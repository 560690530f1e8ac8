package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/flow"
)

// TestRunAttemptCountsTheAttemptsOfAStep: run.attempt is 1, 2, 3 on the
// attempts of a retried step and back to 1 for the next step.
func TestRunAttemptCountsTheAttemptsOfAStep(t *testing.T) {
	p := newPeer(t)
	p.script["/status/200"] = []int{503, 503}
	conns := []flow.Connection{p.conn("api")}
	hdr := []flow.Pair{{Key: `"X-Attempt"`, Value: `string(run.attempt)`}}
	f := linear(
		callNode("flaky", flow.Call{Method: "GET", URI: `"/status/200"`, Headers: hdr,
			Retry: &flow.Retry{MaxAttempts: 3, InitialInterval: flow.Duration(time.Millisecond), BackoffRate: 1, MaxInterval: flow.Duration(time.Millisecond)}}),
		callNode("next", flow.Call{Method: "GET", URI: `"/get"`, Headers: hdr}),
	)
	r := NewRunner(Options{Connections: conns, Clock: clocktest.New(time.Unix(1_700_000_000, 0))})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, conns), "")
	if res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
	var got []string
	for _, req := range p.received() {
		got = append(got, req.Header.Get("X-Attempt"))
	}
	if want := []string{"1", "2", "3", "1"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("X-Attempt on the requests: %v, want %v", got, want)
	}
	// Rebuilt for each attempt, the request keeps the step's task GUID.
	reqs := p.received()
	for _, h := range []string{HeaderTaskGUID, HeaderIdempotencyKey} {
		first := reqs[0].Header.Get(h)
		if first == "" || reqs[1].Header.Get(h) != first || reqs[2].Header.Get(h) != first || reqs[3].Header.Get(h) == first {
			t.Errorf("%s: %q %q %q %q; want one value for the three attempts and another for the next step", h,
				first, reqs[1].Header.Get(h), reqs[2].Header.Get(h), reqs[3].Header.Get(h))
		}
	}
}
