package engine

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// listener is a flow started by events that copies the trigger into vars.
func listener(name string, events []string, assign []flow.Assignment, emit string) *flow.Flow {
	f := &flow.Flow{Format: flow.Format, Name: name, Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerEvent, Events: events}},
		{ID: "copy", Kind: flow.KindSet, Assign: assign},
		{ID: "end", Kind: flow.KindEnd, Outcome: name},
	}, Edges: []flow.Edge{{From: "start", To: "copy"}}}
	if emit != "" {
		f.Nodes = append(f.Nodes, flow.Node{ID: "tell", Kind: flow.KindEmit, Event: emit, Payload: `trigger`})
		f.Edges = append(f.Edges, flow.Edge{From: "copy", To: "tell"}, flow.Edge{From: "tell", To: "end"})
	} else {
		f.Edges = append(f.Edges, flow.Edge{From: "copy", To: "end"})
	}
	return f
}

type triggerLog struct {
	mu  sync.Mutex
	all []TriggerExecution
}

func (l *triggerLog) add(te TriggerExecution) {
	l.mu.Lock()
	l.all = append(l.all, te)
	l.mu.Unlock()
}

func (l *triggerLog) runsOf(event string) map[string]*Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]*Result{}
	for _, te := range l.all {
		if te.Event.Name == event {
			for _, r := range te.Runs {
				out[r.Run.FlowName] = r
			}
		}
	}
	return out
}

func TestEmittedEventStartsExactlyTheListeningFlows(t *testing.T) {
	copyID := []flow.Assignment{{Name: "id", Value: `trigger.id`}}
	emitter := &flow.Flow{Format: flow.Format, Name: "emitter", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart},
		{ID: "tell", Kind: flow.KindEmit, Event: "order.created", Payload: `{"id": 7}`},
		{ID: "end", Kind: flow.KindEnd},
	}, Edges: []flow.Edge{{From: "start", To: "tell"}, {From: "tell", To: "end"}}}
	var plans []*Plan
	for _, f := range []*flow.Flow{
		listener("billing", []string{"order.created"}, copyID, ""),
		listener("shipping", []string{"order.paid", "order.created"}, copyID, ""),
		listener("unrelated", []string{"order.cancelled"}, copyID, ""),
	} {
		plans = append(plans, mustCompile(t, f, nil))
	}
	r := NewRunner(Options{})
	defer r.Close()
	var log triggerLog
	ev := NewEvents(r, EventsOptions{OnTrigger: log.add})
	ev.SetPlans(plans)

	res := run(t, r, mustCompile(t, emitter, nil), "")
	ev.Wait()
	started := log.runsOf("order.created")
	if len(started) != 2 || started["billing"] == nil || started["shipping"] == nil {
		t.Fatalf("started %v, want billing and shipping", started)
	}
	for name, child := range started {
		if child.Vars["id"] != int64(7) || child.Run.Trigger != "event:order.created" || child.Run.ParentRunID != res.Run.ID {
			t.Fatalf("%s: vars %v trigger %q parent %q (want %q)", name, child.Vars, child.Run.Trigger, child.Run.ParentRunID, res.Run.ID)
		}
	}

	// Raised from outside a run (GUI, CLI): the same flows, with that payload.
	te, err := ev.Raise(context.Background(), "order.created", json.RawMessage(`{"id": 9}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(te.Runs) != 2 || te.Runs[0].Vars["id"] != int64(9) {
		t.Fatalf("raise started %d runs: %+v", len(te.Runs), te.Runs)
	}
	if _, err := ev.Raise(context.Background(), "x", json.RawMessage(`{bad`)); err == nil {
		t.Fatal("a payload that is not JSON should be refused")
	}
}

func TestCompletionEventCarriesTheStepContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"returnValue": "vip", "score": 42}`))
	}))
	defer srv.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	caller := linear(callNode("lookup", flow.Call{URI: `"/tier"`, SaveTo: "tier", Branches: []string{"vip"}, CompletionEvent: "tier.looked_up"}))
	caller.Edges = []flow.Edge{{From: "start", To: "lookup"}, {From: "lookup", Port: "vip", To: "end"},
		{From: "lookup", Port: "default", To: "end"}, {From: "lookup", Port: "failure", To: "end"}}
	follower := listener("follower", []string{"tier.looked_up"}, []flow.Assignment{
		{Name: "node", Value: `trigger.node`}, {Name: "status", Value: `trigger.status`},
		{Name: "rv", Value: `trigger.returnValue`}, {Name: "score", Value: `trigger.body.score`},
		{Name: "saved", Value: `trigger.saved.tier`},
	}, "")
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	var log triggerLog
	ev := NewEvents(r, EventsOptions{OnTrigger: log.add})
	ev.SetPlans([]*Plan{mustCompile(t, follower, nil)})
	run(t, r, mustCompile(t, caller, conns), "")
	ev.Wait()
	got := log.runsOf("tier.looked_up")["follower"]
	if got == nil {
		t.Fatal("the completion event started no flow")
	}
	want := map[string]any{"node": "lookup", "status": int64(200), "rv": "vip", "score": int64(42), "saved": "vip"}
	for k, v := range want {
		if got.Vars[k] != v {
			t.Errorf("vars.%s = %#v, want %#v", k, got.Vars[k], v)
		}
	}
}

func TestEventLoopStopsAtTheDepthLimit(t *testing.T) {
	copyN := []flow.Assignment{{Name: "n", Value: `has(trigger.n) ? trigger.n : 0`}}
	ping := listener("Ping", []string{"ping"}, copyN, "pong")
	pong := listener("Pong", []string{"pong"}, copyN, "ping")
	r := NewRunner(Options{})
	defer r.Close()
	var log triggerLog
	ev := NewEvents(r, EventsOptions{MaxDepth: 6, OnTrigger: log.add})
	ev.SetPlans([]*Plan{mustCompile(t, ping, nil), mustCompile(t, pong, nil)})

	done := make(chan struct{})
	go func() {
		ev.Raise(context.Background(), "ping", json.RawMessage(`{"n": 1}`))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the event loop did not stop")
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	runs, errs := 0, []string{}
	for _, te := range log.all {
		runs += len(te.Runs)
		if te.Error != "" {
			errs = append(errs, te.Error)
		}
	}
	if runs != 6 || len(errs) != 1 {
		t.Fatalf("%d runs and errors %v; want 6 runs and one error", runs, errs)
	}
	if !strings.Contains(errs[0], `"Ping"`) || !strings.Contains(errs[0], `"Pong"`) || !strings.Contains(errs[0], "6 deep") {
		t.Fatalf("error %q should name both flows and the depth", errs[0])
	}
	if !slices.ContainsFunc(log.all, func(te TriggerExecution) bool { return te.Event.Name == "pong" && len(te.Runs) == 1 }) {
		t.Fatal("pong never started a run")
	}
}
