package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// doublingLoop is start -> grow -> again -(more)-> grow, ending never: the
// state budget is what stops it.
func doublingLoop(init, grow string, limits *flow.Limits) *flow.Flow {
	return &flow.Flow{Format: flow.Format, Name: "doubling", Limits: limits,
		Variables: map[string]string{"s": init},
		Nodes: []flow.Node{
			{ID: "start", Kind: flow.KindStart},
			{ID: "grow", Kind: flow.KindSet, Assign: []flow.Assignment{{Name: "s", Value: grow}}},
			{ID: "again", Kind: flow.KindDecision, Cases: []flow.Case{{Port: "more", When: `true`}}},
			{ID: "done", Kind: flow.KindEnd},
		}, Edges: []flow.Edge{{From: "start", To: "grow"}, {From: "grow", To: "again"},
			{From: "again", Port: "more", To: "grow"}, {From: "again", Port: "default", To: "done"}}}
}

func TestFaultStateBudgetStopsADoublingLoop(t *testing.T) {
	for _, tc := range []struct{ name, init, grow string }{
		{"string", `"x"`, `vars.s + vars.s`},
		{"list", `[1]`, `vars.s + vars.s`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustCompile(t, doublingLoop(tc.init, tc.grow, nil), nil)
			r := NewRunner(Options{})
			defer r.Close()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			res := run(t, r, p, "")
			runtime.ReadMemStats(&after)
			if res.Run.Status != flow.StatusFailed {
				t.Fatalf("status %s, want failed", res.Run.Status)
			}
			for _, want := range []string{`"grow"`, "vars.s: the run's state would be", "over the flow's 32 MiB", "limit (limits.stateBytes)"} {
				if !strings.Contains(res.Run.Error, want) {
					t.Fatalf("error %q should contain %q", res.Run.Error, want)
				}
			}
			// 32 MiB of state is reached in about 25 doublings, far from the
			// step limit, and everything it allocated is a small multiple of it.
			if len(res.Steps) > 200 {
				t.Fatalf("%d steps before the budget stopped the run", len(res.Steps))
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<30 {
				t.Fatalf("the run allocated %d MiB", alloc>>20)
			}
			if got := res.Vars["s"]; sizeOf(got, 1<<40) > 32<<20 {
				t.Fatal("the variable over the budget was stored")
			}
		})
	}
}

func TestFaultStateBudgetFromTheFlowFile(t *testing.T) {
	f := doublingLoop(`"x"`, `vars.s + vars.s`, &flow.Limits{StateBytes: 1 << 20})
	b, err := flow.EncodeFlow(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"limits": {`) || !strings.Contains(string(b), `"stateBytes": 1048576`) {
		t.Fatalf("encoded flow lacks limits.stateBytes:\n%s", b)
	}
	back, err := flow.DecodeFlow(b)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(Options{})
	defer r.Close()
	res := run(t, r, mustCompile(t, back, nil), "")
	if res.Run.Status != flow.StatusFailed || !strings.Contains(res.Run.Error, "over the flow's 1 MiB (1048576 bytes) limit (limits.stateBytes)") ||
		!strings.Contains(res.Run.Error, `"grow"`) {
		t.Fatalf("status %s, error %q", res.Run.Status, res.Run.Error)
	}
}

func TestFaultStateBudgetIsValidated(t *testing.T) {
	for _, n := range []int64{-1, flow.MaxStateBytes + 1} {
		f := linear()
		f.Limits = &flow.Limits{StateBytes: n}
		_, err := Compile(f, nil)
		var ps flow.Problems
		if err == nil || !asProblems(err, &ps) || len(ps) != 1 || ps[0].Field != "limits.stateBytes" ||
			!strings.Contains(ps[0].Message, fmt.Sprint(n)) {
			t.Fatalf("stateBytes %d: %v", n, err)
		}
	}
	f := linear()
	f.Limits = &flow.Limits{StateBytes: 4096}
	if _, err := Compile(f, nil); err != nil {
		t.Fatal(err)
	}
}

func TestFaultStateBudgetMessageSizes(t *testing.T) {
	for n, want := range map[int64]string{512: "512 bytes", 1536: "1.5 KiB", 42_047_283: "40.1 MiB", 32 << 20: "32 MiB", 3 << 30: "3 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func asProblems(err error, ps *flow.Problems) bool {
	p, ok := err.(flow.Problems)
	*ps = p
	return ok
}

func TestFaultStateBudgetCoversSavedValues(t *testing.T) {
	big := strings.Repeat("a", 600<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"data": big})
	}))
	defer srv.Close()
	conn := flow.Connection{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}
	f := linear(callNode("first", flow.Call{URI: `"/a"`, SaveTo: "a"}), callNode("second", flow.Call{URI: `"/b"`, SaveTo: "b"}))
	f.Limits = &flow.Limits{StateBytes: 1 << 20}
	r := NewRunner(Options{Connections: []flow.Connection{conn}})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, []flow.Connection{conn}), "")
	if res.Run.Status != flow.StatusFailed || !strings.Contains(res.Run.Error, `"second"`) ||
		!strings.Contains(res.Run.Error, "call.saveTo: vars.b: the run's state would be 1.2 MiB") {
		t.Fatalf("status %s, error %q", res.Run.Status, res.Run.Error)
	}
	if _, ok := res.Vars["b"]; ok {
		t.Fatal("vars.b was saved over the budget")
	}
	if s := stepOf(t, res, "first"); s.Status != flow.StatusSucceeded {
		t.Fatalf("first step %s", s.Status)
	}
}

// straightSets is start -> n set nodes -> end.
func straightSets(n int) *flow.Flow {
	nodes := make([]flow.Node, n)
	for i := range nodes {
		nodes[i] = flow.Node{ID: fmt.Sprintf("s%d", i), Kind: flow.KindSet,
			Assign: []flow.Assignment{{Name: "n", Value: fmt.Sprint(i)}}}
	}
	return linear(nodes...)
}

func TestFaultStepLimitScalesWithTheFlow(t *testing.T) {
	f := straightSets(10_000) // 10,002 nodes with start and end
	r := NewRunner(Options{})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, nil), "")
	if res.Run.Status != flow.StatusSucceeded || len(res.Steps) != 10_002 || res.Vars["n"] != int64(9999) {
		t.Fatalf("status %s after %d steps: %s", res.Run.Status, len(res.Steps), res.Run.Error)
	}
}

func TestFaultStepLimitSaysWhatHappened(t *testing.T) {
	t.Run("loop", func(t *testing.T) {
		f := doublingLoop(`0`, `vars.s + 1`, nil)
		r := NewRunner(Options{})
		defer r.Close()
		res := run(t, r, mustCompile(t, f, nil), "")
		want := `the run took more than 10000 steps and was stopped at node "again": node "grow" ran 5000 times, so a loop in the flow looks like it does not end`
		if res.Run.Status != flow.StatusFailed || !strings.HasPrefix(res.Run.Error, want) || len(res.Steps) != 10_000 {
			t.Fatalf("status %s, %d steps, error %q", res.Run.Status, len(res.Steps), res.Run.Error)
		}
	})
	t.Run("straight flow over an explicit limit", func(t *testing.T) {
		r := NewRunner(Options{MaxSteps: 50})
		defer r.Close()
		res := run(t, r, mustCompile(t, straightSets(100), nil), "")
		want := `the run took more than 50 steps and was stopped at node "s49"; no node ran twice, so the flow is longer than the step limit allows`
		if res.Run.Status != flow.StatusFailed || res.Run.Error != want {
			t.Fatalf("status %s, error %q", res.Run.Status, res.Run.Error)
		}
	})
}

// fanOut is a flow started by event "tick" that raises "tick" four times.
func fanOut() *flow.Flow {
	f := &flow.Flow{Format: flow.Format, Name: "Fan", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerEvent, Events: []string{"tick"}}},
	}}
	prev := "start"
	for i := range 4 {
		id := fmt.Sprintf("emit%d", i)
		f.Nodes = append(f.Nodes, flow.Node{ID: id, Kind: flow.KindEmit, Event: "tick"})
		f.Edges = append(f.Edges, flow.Edge{From: prev, To: id})
		prev = id
	}
	f.Nodes = append(f.Nodes, flow.Node{ID: "end", Kind: flow.KindEnd})
	f.Edges = append(f.Edges, flow.Edge{From: prev, To: "end"})
	return f
}

func TestFaultEventFanOutStopsAtTheRunBudget(t *testing.T) {
	for _, tc := range []struct {
		name     string
		maxRuns  int
		wantRuns int
	}{{"default", 0, DefaultMaxEventRuns}, {"configured", 37, 37}} {
		t.Run(tc.name, func(t *testing.T) {
			goroutines := runtime.NumGoroutine()
			r := NewRunner(Options{})
			var log triggerLog
			ev := NewEvents(r, EventsOptions{MaxRuns: tc.maxRuns, OnTrigger: log.add})
			ev.SetPlans([]*Plan{mustCompile(t, fanOut(), nil)})
			done := make(chan struct{})
			go func() {
				ev.Raise(context.Background(), "tick", nil)
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("the fan-out did not stop")
			}
			r.Close()
			log.mu.Lock()
			runs, errs := 0, []string{}
			for _, te := range log.all {
				runs += len(te.Runs)
				if te.Error != "" {
					errs = append(errs, te.Error)
				}
			}
			log.mu.Unlock()
			if runs != tc.wantRuns || len(errs) == 0 {
				t.Fatalf("%d runs, %d errors; want %d runs and errors", runs, len(errs), tc.wantRuns)
			}
			want := fmt.Sprintf(`event "tick" was not delivered to "Fan": event "tick" has already started %d runs, the limit for one raised event and every run it leads to (flows involved: "Fan")`, tc.wantRuns)
			// Runs that got deep first may also meet the depth limit.
			budgetErrs := 0
			for _, e := range errs {
				switch {
				case strings.HasPrefix(e, want):
					budgetErrs++
				case strings.Contains(e, "went 8 deep"):
				default:
					t.Fatalf("error %q, want it to start %q", e, want)
				}
			}
			if budgetErrs == 0 {
				t.Fatalf("no error names the run budget: %q", errs)
			}
			// Every goroutine the runs used has ended.
			deadline := time.Now().Add(10 * time.Second)
			for runtime.NumGoroutine() > goroutines+2 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > goroutines+2 {
				t.Fatalf("%d goroutines after Wait, %d before", n, goroutines)
			}
		})
	}
}
