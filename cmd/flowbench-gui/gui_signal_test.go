package main

import (
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// TestFaultGUISIGTERM: a SIGTERM to the GUI shuts the window down on the UI
// goroutine (ui.App.Shutdown stops the live run, see
// TestFaultShutdownStopsLiveRun), and the exit waits for started runs to
// finish before the recorder is flushed.
func TestFaultGUISIGTERM(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	closed := make(chan struct{})
	done := make(chan struct{})
	var onUI, shut bool
	go func() {
		defer close(done)
		shutdownOnSignal(sigs, closed, func(f func()) { onUI = true; f() }, func() { shut = true })
	}()
	sigs <- syscall.SIGTERM
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not shut the window down")
	}
	if !onUI || !shut {
		t.Fatalf("shutdown through the UI goroutine %v, called %v; want both", onUI, shut)
	}
	// a window closed by the user ends the watcher without a shutdown
	close(closed)
	shut = false
	shutdownOnSignal(make(chan os.Signal), closed, func(f func()) { f() }, func() { shut = true })
	if shut {
		t.Fatal("shutdown called without a signal")
	}

	live := &liveRuns{ids: map[string]bool{}}
	live.Observe(flow.RunEvent{Kind: flow.EventRunStarted, RunID: "r1"})
	live.Observe(flow.RunEvent{Kind: flow.EventRunStarted, RunID: "r2"})
	live.Observe(flow.RunEvent{Kind: flow.EventRunFinished, RunID: "r1"})
	if left := live.wait(20 * time.Millisecond); !slices.Equal(left, []string{"r2"}) {
		t.Fatalf("still running %v, want [r2]", left)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		live.Observe(flow.RunEvent{Kind: flow.EventRunFinished, RunID: "r2"})
	}()
	if left := live.wait(10 * time.Second); len(left) != 0 {
		t.Fatalf("still running %v after every run finished", left)
	}
}
