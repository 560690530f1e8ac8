package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// Issue 13 item 2: testing one call depends only on that call and its
// connection, not on other nodes' errors or on a start node.
func TestCompileStepIgnoresTheRestOfTheFlow(t *testing.T) {
	pr := newPeer(t)
	conns := []flow.Connection{pr.conn("api")}
	f := &flow.Flow{Format: flow.Format, Name: "half drawn", Nodes: []flow.Node{
		{ID: "probe", Kind: flow.KindCall, Call: &flow.Call{Connection: "api", Method: "GET", URI: `"/anything/" + vars.id`}},
		// another call with no connection and a broken expression, and no start node
		{ID: "call2", Kind: flow.KindCall, Call: &flow.Call{URI: `"/x`}},
	}}
	f.Variables = map[string]string{"id": `"v1"`}
	if _, err := Compile(f, conns); err == nil {
		t.Fatal("the whole flow should not compile: call2 is broken and there is no start node")
	}
	p, err := CompileStep(f, "probe", conns)
	if err != nil {
		t.Fatalf("CompileStep(probe): %v", err)
	}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	res, err := r.TestStep(context.Background(), p, "probe", StepInput{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Step.Status != flow.StatusSucceeded || !strings.HasSuffix(res.Step.Exchanges[0].URL, "/anything/v1") {
		t.Fatalf("step %+v", res.Step)
	}
}

func TestCompileStepReportsTheNodesOwnProblems(t *testing.T) {
	f := &flow.Flow{Format: flow.Format, Name: "x", Nodes: []flow.Node{
		{ID: "probe", Kind: flow.KindCall, Call: &flow.Call{Connection: "nope", URI: `"/x`}},
	}, Variables: map[string]string{"id": `1 +`}}
	_, err := CompileStep(f, "probe", []flow.Connection{})
	ps, ok := err.(flow.Problems)
	if !ok {
		t.Fatalf("want flow.Problems, got %T %v", err, err)
	}
	want := map[string]bool{"probe call.uri": false, "probe call.connection": false, " variables.id": false}
	for _, p := range ps {
		if _, ok := want[p.Node+" "+p.Field]; ok {
			want[p.Node+" "+p.Field] = true
		}
		if p.Field == "nodes" {
			t.Errorf("a test of one node reported a flow-level problem: %v", p)
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no problem for %q; got %v", k, err)
		}
	}
	if _, err := CompileStep(f, "missing", nil); err == nil || !strings.Contains(err.Error(), `no node "missing"`) {
		t.Fatalf("a missing node: %v", err)
	}
}
