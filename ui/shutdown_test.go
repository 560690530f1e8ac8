package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// TestFaultShutdownStopsLiveRun: Shutdown (the GUI's SIGTERM and window
// close) stops the run in flight; it is recorded "stopped", not left
// "running".
func TestFaultShutdownStopsLiveRun(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
	}))
	defer srv.Close()
	h := newRunHarness(t, srv.URL, binConn)
	h.app.load(callFlow(`"/slow"`))
	h.app.Run(nil)
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the call never arrived")
	}
	h.app.Shutdown()
	h.settle("the run to stop", func() bool { return !h.app.Running() })
	run, _, err := h.db.Run(context.Background(), h.app.live.id)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != flow.StatusStopped {
		t.Fatalf("recorded status %q after Shutdown, want stopped", run.Status)
	}
}
