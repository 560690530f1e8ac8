package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// lookupTier is a named request of the peer's connection: its expressions
// read params.chatId.
func lookupTier() flow.NamedRequest {
	return flow.NamedRequest{
		Name: "lookupTier", Params: []string{"chatId"}, Method: "POST",
		URI:      `"/anything/tier/" + params.chatId`,
		Headers:  []flow.Pair{{Key: `"X-Source"`, Value: `"request"`}, {Key: `"X-Chat"`, Value: `params.chatId`}},
		Body:     `{"chatId": params.chatId}`,
		Branches: []string{"vip", "standard"},
	}
}

// TestNamedRequestUsedByTwoFlows: one request defined on the connection,
// used by two flows with different args; the second node overrides a
// header (same key replaces), adds one and adds a query parameter.
func TestNamedRequestUsedByTwoFlows(t *testing.T) {
	p := newPeer(t)
	conn := p.conn("api")
	conn.Requests = []flow.NamedRequest{lookupTier()}
	conns := []flow.Connection{conn}
	first := linear(callNode("lookup", flow.Call{Request: "lookupTier", Args: map[string]string{"chatId": "trigger.chatId"},
		Branches: []string{"vip", "standard"}}))
	second := linear(callNode("lookup", flow.Call{Request: "lookupTier", Args: map[string]string{"chatId": `"c-" + string(1 + 1) // a comment ends the arg`},
		Branches: []string{"vip", "standard"},
		Headers:  []flow.Pair{{Key: `"X-Source"`, Value: `"override"`}, {Key: `"X-Extra"`, Value: `params.chatId + "-x"`}},
		Query:    []flow.Pair{{Key: `"q"`, Value: `params.chatId`}}}))
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	for _, f := range []*flow.Flow{first, second} {
		f.Edges[1].Port = flow.PortDefault // httpbin's echo has no returnValue
		res := run(t, r, mustCompile(t, f, conns), `{"chatId": "c-1"}`)
		if s := stepOf(t, res, "lookup"); s.Status != flow.StatusSucceeded || s.HTTPStatus != 200 {
			t.Fatalf("step %s HTTP %d: %s", s.Status, s.HTTPStatus, s.Error)
		}
	}
	got := p.received()
	if len(got) != 2 {
		t.Fatalf("the peer saw %d requests, want 2", len(got))
	}
	type seen struct{ method, path, query, source, chat, extra, body string }
	want := []seen{
		{"POST", "/anything/tier/c-1", "", "request", "c-1", "", `{"chatId":"c-1"}`},
		{"POST", "/anything/tier/c-2", "q=c-2", "override", "c-2", "c-2-x", `{"chatId":"c-2"}`},
	}
	for i, req := range got {
		s := seen{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Get("X-Source"), req.Header.Get("X-Chat"), req.Header.Get("X-Extra"), p.bodies[i]}
		if s != want[i] {
			t.Fatalf("request %d: %+v\nwant %+v", i, s, want[i])
		}
	}
}

// TestNamedRequestProblems: a missing arg, an unknown arg, a missing
// request and branches that no longer match the request's are errors naming
// the node and field; nothing compiles.
func TestNamedRequestProblems(t *testing.T) {
	p := newPeer(t)
	conn := p.conn("api")
	conn.Requests = []flow.NamedRequest{lookupTier()}
	conns := []flow.Connection{conn}
	cases := []struct {
		name  string
		call  flow.Call
		field string
		msg   string
	}{
		{"missing arg", flow.Call{Request: "lookupTier", Branches: []string{"vip", "standard"}},
			"call.args.chatId", `request "lookupTier" needs the argument "chatId"`},
		{"unknown arg", flow.Call{Request: "lookupTier", Branches: []string{"vip", "standard"}, Args: map[string]string{"chatId": "trigger.chatId", "tier": `"x"`}},
			"call.args.tier", `request "lookupTier" has no parameter "tier" (it takes chatId)`},
		{"missing request", flow.Call{Request: "lookupTeir"},
			"call.request", `connection "api" has no request "lookupTeir" (it has lookupTier)`},
		{"branches differ", flow.Call{Request: "lookupTier", Args: map[string]string{"chatId": "trigger.chatId"}, Branches: []string{"vip", "gold"}},
			"call.branches", `the node branches on vip, gold but request "lookupTier" now offers vip, standard`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := linear(callNode("lookup", c.call))
			f.Edges[1].Port = flow.PortDefault
			_, err := Compile(f, conns)
			var ps flow.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("compiled: %v", err)
			}
			for _, pr := range ps {
				if pr.Severity == flow.SeverityError && pr.Node == "lookup" && pr.Field == c.field && strings.Contains(pr.Message, c.msg) {
					return
				}
			}
			t.Fatalf("problems:\n%v\nwant node lookup, field %s: %s", ps, c.field, c.msg)
		})
	}
}

// TestNamedRequestTestedAlone: testing one call node (the app's Test)
// sends its named request with the args bound, and reports a missing arg.
func TestNamedRequestTestedAlone(t *testing.T) {
	p := newPeer(t)
	conn := p.conn("api")
	conn.Requests = []flow.NamedRequest{lookupTier()}
	conns := []flow.Connection{conn}
	f := &flow.Flow{Format: flow.Format, Name: "half drawn", Nodes: []flow.Node{
		{ID: "probe", Kind: flow.KindCall, Call: &flow.Call{Connection: "api", Request: "lookupTier",
			Args: map[string]string{"chatId": `"c-5"`}, Branches: []string{"vip", "standard"}}},
	}}
	plan, err := CompileStep(f, "probe", conns)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	res, err := r.TestStep(context.Background(), plan, "probe", StepInput{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Step.Status != flow.StatusSucceeded || !strings.HasSuffix(res.Step.Exchanges[0].URL, "/anything/tier/c-5") || res.Step.Exchanges[0].Method != "POST" {
		t.Fatalf("step %+v", res.Step)
	}
	f.Nodes[0].Call.Args = nil
	if _, err := CompileStep(f, "probe", conns); err == nil || !strings.Contains(err.Error(), `field call.args.chatId: request "lookupTier" needs the argument "chatId"`) {
		t.Fatalf("a missing arg: %v", err)
	}
}
