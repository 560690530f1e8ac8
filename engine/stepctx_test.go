package engine

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// TestStepContextOnlyWhenRead: a flow none of whose expressions read steps
// builds no step contexts, yet still finds each call's default return value
// (even one whose name is spelled with a JSON escape) and takes its branch;
// a flow that reads steps sees status, headers and body.
func TestStepContextOnlyWhenRead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Tier-Source", "crm")
		switch r.URL.Path {
		case "/escaped":
			io.WriteString(w, `{"return\u0056alue": "vip"}`)
		case "/plain":
			io.WriteString(w, `{"returnValue": "standard", "n": 2}`)
		default:
			io.WriteString(w, `{"other": 1}`)
		}
	}))
	defer srv.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()

	for _, c := range []struct{ path, want string }{{"/escaped", "vip"}, {"/plain", "standard"}, {"/none", flow.PortDefault}} {
		f := linear(callNode("tier", flow.Call{Method: "GET", URI: `"` + c.path + `"`, Branches: []string{"vip", "standard"}}))
		f.Edges[len(f.Edges)-1].Port = flow.PortDefault // tier -> end
		for _, port := range []string{"vip", "standard"} {
			f.Edges = append(f.Edges, flow.Edge{From: "tier", Port: port, To: "end"})
		}
		p := mustCompile(t, f, conns)
		if p.readsSteps {
			t.Fatal("no expression reads steps, yet the plan says one does")
		}
		res := run(t, r, p, "")
		if got := stepOf(t, res, "tier").Port; got != c.want {
			t.Errorf("%s: port %q, want %q", c.path, got, c.want)
		}
		if len(res.Steps) == 0 || res.Run.Status != flow.StatusSucceeded {
			t.Fatalf("%s: run %s: %s", c.path, res.Run.Status, res.Run.Error)
		}
	}

	f := linear(
		callNode("tier", flow.Call{Method: "GET", URI: `"/plain"`}),
		flow.Node{ID: "keep", Kind: flow.KindSet, Assign: []flow.Assignment{
			{Name: "summary", Value: `steps.tier.headers["x-tier-source"] + ":" + string(steps.tier.body.n) + ":" + steps.tier.returnValue + ":" + string(steps.tier.status)`}}},
	)
	p := mustCompile(t, f, conns)
	if !p.readsSteps {
		t.Fatal("the set node reads steps, yet the plan says none does")
	}
	res := run(t, r, p, "")
	if res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
	if got := res.Vars["summary"]; got != "crm:2:standard:200" {
		t.Fatalf("summary %q", got)
	}
}
