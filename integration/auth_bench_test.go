package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

// authStepFlow is n POST calls with a small JSON body over the connection.
func authStepFlow(conn string, n int) *flow.Flow {
	f := &flow.Flow{Format: flow.Format, Name: "auth steps " + conn}
	f.Nodes = append(f.Nodes, flow.Node{ID: "start", Kind: flow.KindStart})
	prev := "start"
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("call%d", i)
		f.Nodes = append(f.Nodes, flow.Node{ID: id, Kind: flow.KindCall, Call: &flow.Call{
			Connection: conn, Method: "POST", URI: `"/v1/tier"`,
			Query: []flow.Pair{{Key: `"environment"`, Value: `"dev"`}},
			Body:  `{"chatId": "c-42", "priority": "High"}`,
		}})
		f.Edges = append(f.Edges, flow.Edge{From: prev, To: id})
		prev = id
	}
	f.Nodes = append(f.Nodes, flow.Node{ID: "end", Kind: flow.KindEnd, Outcome: "done"})
	f.Edges = append(f.Edges, flow.Edge{From: prev, To: "end"})
	return f
}

// BenchmarkAuthSteps compares flow steps over SigV4 and API-key connections
// with the same steps over a connection without authentication, against one
// loopback server, in one loop (the order rotates so drift hits all alike).
// "sigv4-ratio" (target ≤ 1.15) and "apikey-ratio" (target ≤ 1.02) are step
// time over unauthenticated step time. engine/auth's BenchmarkSigV4Ratio
// measures the same signing against bare net/http round trips instead.
func BenchmarkAuthSteps(b *testing.B) {
	const steps = 20
	srv := newCountingServer(b)
	conns := []flow.Connection{
		{Name: "plain", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}},
		{Name: "aws", Kind: flow.ConnCustom, BaseURL: srv.URL, Region: "eu-central-1", Auth: flow.Auth{Type: flow.AuthSigV4,
			AccessKeyID: "AKIDEXAMPLE", Service: "execute-api", SecretAccessKey: &flow.SecretRef{Literal: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}}},
		{Name: "key", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthAPIKey, In: "header", Name: "x-api-key",
			Value: &flow.SecretRef{Literal: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}}},
	}
	r := engine.NewRunner(engine.Options{Connections: conns})
	defer r.Close()
	plans := make([]*engine.Plan, len(conns))
	for i, c := range conns {
		p, err := engine.Compile(authStepFlow(c.Name, steps), conns)
		if err != nil {
			b.Fatal(err)
		}
		plans[i] = p
	}
	ctx := context.Background()
	times := make([]time.Duration, len(plans))
	runOnce := func(i int) {
		t0 := time.Now()
		res, err := r.Run(ctx, plans[i], engine.Input{})
		if err != nil || res.Run.Status != flow.StatusSucceeded {
			b.Fatalf("run %s: %v %s", conns[i].Name, err, res.Run.Error)
		}
		times[i] += time.Since(t0)
	}
	for i := range plans { // warm the connection pools and the signing-key cache
		runOnce(i)
		times[i] = 0
	}
	n := 0
	for b.Loop() {
		for j := range plans {
			runOnce((n + j) % len(plans))
		}
		n++
	}
	b.ReportMetric(float64(times[1])/float64(times[0]), "sigv4-ratio")
	b.ReportMetric(float64(times[2])/float64(times[0]), "apikey-ratio")
	b.ReportMetric(float64(times[0].Microseconds())/float64(n*steps), "plain-µs/step")
}
