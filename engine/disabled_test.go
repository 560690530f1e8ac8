package engine

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// Issue 15: a disabled node is skipped: recorded as skipped, it does
// nothing, and the run goes on by its next (else default) port; a disabled
// end finishes the run there.
func TestDisabledNodesAreSkipped(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Write([]byte(`{"returnValue": "vip"}`))
	}))
	defer srv.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	f := &flow.Flow{Format: flow.Format, Name: "disabled",
		Nodes: []flow.Node{
			{ID: "start", Kind: flow.KindStart},
			{ID: "prep", Kind: flow.KindSet, Disabled: true, Assign: []flow.Assignment{{Name: "x", Value: `1`}}},
			{ID: "lookup", Kind: flow.KindCall, Disabled: true, Call: &flow.Call{Connection: "api", Method: "GET", URI: `"/"`, Branches: []string{"vip"}}},
			{ID: "vip", Kind: flow.KindEnd, Outcome: "vip"},
			{ID: "other", Kind: flow.KindEnd, Outcome: "other", Disabled: true},
		},
		Edges: []flow.Edge{
			{From: "start", To: "prep"}, {From: "prep", To: "lookup"},
			{From: "lookup", Port: "vip", To: "vip"}, {From: "lookup", Port: "default", To: "other"},
		}}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, conns), "")
	if calls.Load() != 0 {
		t.Fatalf("the disabled call sent %d requests", calls.Load())
	}
	if _, ok := res.Vars["x"]; ok {
		t.Fatal("the disabled set node assigned vars.x")
	}
	for _, id := range []string{"prep", "lookup", "other"} {
		if s := stepOf(t, res, id); s.Status != flow.StatusSkipped {
			t.Fatalf("step %s is %s, want skipped", id, s.Status)
		}
	}
	if p := stepOf(t, res, "lookup").Port; p != "default" {
		t.Fatalf("the skipped call left by %q, want default", p)
	}
	if res.Run.Status != flow.StatusSucceeded || res.Run.Outcome != "" || len(res.Steps) != 4 {
		t.Fatalf("run %s outcome %q after %d steps (%s)", res.Run.Status, res.Run.Outcome, len(res.Steps), res.Run.Error)
	}
	// enabled again, the same flow calls and takes vip
	for i := range f.Nodes {
		f.Nodes[i].Disabled = false
	}
	res = run(t, r, mustCompile(t, f, conns), "")
	if calls.Load() != 1 || res.Run.Outcome != "vip" || res.Vars["x"] != int64(1) {
		t.Fatalf("enabled: %d calls, outcome %q, vars %v", calls.Load(), res.Run.Outcome, res.Vars)
	}
}
