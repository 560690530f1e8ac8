package engine

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// kindLog records the kinds of the events it observes.
type kindLog struct {
	mu    sync.Mutex
	kinds []flow.EventKind
	only  []flow.EventKind // nil: no filter
}

func (l *kindLog) Observe(ev flow.RunEvent) {
	l.mu.Lock()
	l.kinds = append(l.kinds, ev.Kind)
	l.mu.Unlock()
}

func (l *kindLog) seen() []flow.EventKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.kinds)
}

// filtered is a kindLog that declares which kinds it wants.
type filtered struct{ *kindLog }

func (f filtered) Wants(k flow.EventKind) bool { return slices.Contains(f.only, k) }

// TestObserversGetTheKindsTheyWant: an observer with a filter receives just
// the kinds it asked for, in order; one without a filter still receives every
// kind, whatever the others asked.
func TestObserversGetTheKindsTheyWant(t *testing.T) {
	p := newPeer(t)
	conns := []flow.Connection{p.conn("api")}
	all := &kindLog{}
	some := filtered{&kindLog{only: []flow.EventKind{flow.EventRunStarted, flow.EventStepFinished, flow.EventRunFinished}}}
	r := NewRunner(Options{Connections: conns, Observers: []Observer{some, all}})
	defer r.Close()
	res := run(t, r, mustCompile(t, linear(callNode("get", flow.Call{Method: "GET", URI: `"/get"`})), conns), "")
	if res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	wantSome := []flow.EventKind{flow.EventRunStarted, flow.EventStepFinished, flow.EventStepFinished, flow.EventStepFinished, flow.EventRunFinished}
	if got := some.seen(); !slices.Equal(got, wantSome) {
		t.Errorf("filtered observer saw %v, want %v", got, wantSome)
	}
	got := all.seen()
	for _, k := range eventKinds {
		if k == flow.EventRaised {
			continue // the flow raises nothing
		}
		if !slices.Contains(got, k) {
			t.Errorf("unfiltered observer did not see %s: %v", k, got)
		}
	}
}

// TestNoObserverWantsNothingIsBuilt: with only a filtered observer, the
// runner reports that nobody wants request or branch events (so it builds
// none), and an unknown kind counts as wanted.
func TestNoObserverWantsNothingIsBuilt(t *testing.T) {
	some := filtered{&kindLog{only: []flow.EventKind{flow.EventStepFinished}}}
	r := NewRunner(Options{Observers: []Observer{some}})
	defer r.Close()
	for _, k := range eventKinds {
		if got, want := r.obs.wants(k), k == flow.EventStepFinished; got != want {
			t.Errorf("wants(%s) = %v, want %v", k, got, want)
		}
	}
	if !r.obs.wants("someFutureKind") {
		t.Error("an unknown kind should count as wanted")
	}
	r.AddObserver(&kindLog{})
	if !r.obs.wants(flow.EventRequestSent) {
		t.Error("after adding an unfiltered observer every kind is wanted")
	}
}
