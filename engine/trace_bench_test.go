package engine

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

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
