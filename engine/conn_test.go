package engine

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// TestConnectionsAreReusedUntilClosed: runs share a connection's keep-alive
// connections; CloseIdleConnections makes the next run dial again.
func TestConnectionsAreReusedUntilClosed(t *testing.T) {
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	p := mustCompile(t, linear(callNode("a", flow.Call{URI: `"/a"`}), callNode("b", flow.Call{URI: `"/b"`})), conns)
	for i := 0; i < 3; i++ {
		if res := run(t, r, p, ""); res.Run.Status != flow.StatusSucceeded {
			t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
		}
	}
	if n := opened.Load(); n != 1 {
		t.Fatalf("three runs of two calls opened %d connections, want 1", n)
	}
	r.CloseIdleConnections()
	run(t, r, p, "")
	if n := opened.Load(); n != 2 {
		t.Fatalf("after CloseIdleConnections the run opened %d connections in all, want 2", n)
	}
}
