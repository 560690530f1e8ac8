package engine

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// BenchmarkTenGETs runs a ten-GET flow against a loopback server: its
// allocations per run are what each attempt costs the engine (the trace of
// its phases included: docs/benchmarks.md).
func BenchmarkTenGETs(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ok":true}`) }))
	defer srv.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	f := linearGETs(10)
	p, err := Compile(f, conns)
	if err != nil {
		b.Fatal(err)
	}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	b.ReportAllocs()
	for b.Loop() {
		res, err := r.Run(context.Background(), p, Input{})
		if err != nil || res.Run.Status != flow.StatusSucceeded {
			b.Fatal(err, res.Run.Error)
		}
	}
}

// BenchmarkAttemptTrace prices the attempt timeline on loopback GETs over a
// kept-alive connection, three ways in each iteration (in turn, so the
// machine's drift falls on all three alike): bare, timed as a run times its
// attempts (one trace, used again after each quiet attempt), and with a new
// trace for every attempt (what the engine did before). "x-reused" and
// "x-fresh" are their times ÷ the bare requests'; the sub-benchmarks give
// each way's allocations.
func BenchmarkAttemptTrace(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ok":true}`) }))
	defer srv.Close()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	get := func(ctx context.Context, tr *attemptTrace) {
		req, err := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
		if err != nil {
			b.Fatal(err)
		}
		if tr != nil {
			tr.sent = true
		}
		resp, err := transport.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if tr != nil && tr.finish() == nil {
			b.Fatal("no timing")
		}
	}
	var reused *attemptTrace
	ways := []func(){
		func() { get(parent, nil) },
		func() {
			reused = nextAttemptTrace(reused, parent)
			get(reused.context(), reused)
		},
		func() {
			tr := newAttemptTrace(parent)
			get(tr.context(), tr)
		},
	}
	get(parent, nil) // the connection, kept alive from here on
	for i, name := range []string{"bare", "reused", "fresh"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ways[i]()
			}
		})
	}
	b.Run("interleaved", func(b *testing.B) {
		var took [3]time.Duration
		n := 0
		for b.Loop() {
			for k := range ways {
				w := (n + k) % len(ways)
				t0 := time.Now()
				ways[w]()
				took[w] += time.Since(t0)
			}
			n++
		}
		b.ReportMetric(float64(took[1])/float64(took[0]), "x-reused")
		b.ReportMetric(float64(took[2])/float64(took[0]), "x-fresh")
		b.ReportMetric(float64(took[2]-took[1])/float64(n)/1e3, "µs-saved/attempt")
	})
}
