package engine

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// stepFlow is one call step with CEL in its URI, a query pair, a header and a body.
func stepFlow() *flow.Flow {
	return linear(callNode("call", flow.Call{
		Method:  "POST",
		URI:     `"/items/" + trigger.chatId`,
		Query:   []flow.Pair{{Key: `"environment"`, Value: `env.name`}},
		Headers: []flow.Pair{{Key: `"X-Customer"`, Value: `trigger.name + "-" + run.id`}},
		Body:    `{"chatId": trigger.chatId, "priority": "High", "amount": vars.amount * 2}`,
	}))
}

func TestRunningAPlanCompilesNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }))
	defer srv.Close()
	env, err := expr.NewEnv(expr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	f := stepFlow()
	f.Variables = map[string]string{"amount": "21"}
	p, err := CompileWith(env, f, conns)
	if err != nil {
		t.Fatal(err)
	}
	before := env.Compiles()
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	for i := 0; i < 5; i++ {
		res, err := r.Run(context.Background(), p, Input{Trigger: []byte(`{"chatId": "c1", "name": "Ada"}`), Env: map[string]any{"name": "dev"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Run.Status != flow.StatusSucceeded {
			t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
		}
	}
	if n := env.Compiles() - before; n != 0 {
		t.Fatalf("running the plan compiled %d expressions, want 0", n)
	}
}

// BenchmarkStepExpressions compares evaluating every expression of one call
// step (URI, query, header, body) with one loopback request of the same step.
// The reported ratio is evaluation time / request time (target ≤ 0.05).
func BenchmarkStepExpressions(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"ok": true}`)
	}))
	defer srv.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	p, err := Compile(stepFlow(), conns)
	if err != nil {
		b.Fatal(err)
	}
	s := p.steps["call"]
	act := &expr.Activation{
		Vars: map[string]any{"amount": int64(21)}, Steps: map[string]any{},
		Trigger: map[string]any{"chatId": "c1", "name": "Ada"},
		Run:     map[string]any{"id": "r1"}, Env: map[string]any{"name": "dev"},
	}
	progs := []*expr.Program{s.uri, s.query[0].key, s.query[0].value, s.headers[0].key, s.headers[0].value, s.body}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	client := &http.Client{Transport: tr}
	ctx := context.Background()
	var evalTime, reqTime time.Duration
	for b.Loop() {
		t0 := time.Now()
		for _, pr := range progs {
			if _, err := pr.Eval(ctx, act); err != nil {
				b.Fatal(err)
			}
		}
		evalTime += time.Since(t0)
		t1 := time.Now()
		resp, err := client.Post(srv.URL+"/items/c1?environment=dev", "application/json", nil)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		reqTime += time.Since(t1)
	}
	b.ReportMetric(float64(evalTime)/float64(reqTime), "ratio")
	b.ReportMetric(float64(evalTime.Nanoseconds())/float64(b.N), "eval-ns/step")
}
