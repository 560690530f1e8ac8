package ui

import (
	"sync"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// refreshInterval is the least time between two refreshes of the window
// by run events: about 30 a second, as fast as a person can follow, so a
// 1,000-step run at full speed costs the UI goroutine a few dozen
// refreshes, not thousands.
const refreshInterval = time.Second / 30

// runBridge is the one way engine events reach widgets. The engine calls
// Observe from an observer goroutine; the bridge keeps the events of the
// run the window follows and hands them, in batches, to apply on the UI
// goroutine through do (fyne.Do in the app). A batch is scheduled at most
// once per refreshInterval, whatever the event rate.
type runBridge struct {
	do    func(func())
	after func(time.Duration, func()) func() bool
	apply func([]flow.RunEvent)

	mu        sync.Mutex
	runID     string // the run followed; "" follows none
	pending   []flow.RunEvent
	scheduled bool
}

func newRunBridge(do func(func()), after func(time.Duration, func()) func() bool, apply func([]flow.RunEvent)) *runBridge {
	return &runBridge{do: do, after: after, apply: apply}
}

// follow makes the bridge keep the events of run id (and drop the rest);
// "" stops following.
func (b *runBridge) follow(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.runID = id
	b.pending = nil
}

// Observe is the engine.Observer side: it may be called from any
// goroutine and never blocks on the UI.
func (b *runBridge) Observe(ev flow.RunEvent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.runID == "" || ev.RunID != b.runID {
		return
	}
	b.pending = append(b.pending, ev)
	if !b.scheduled {
		b.scheduled = true
		b.after(refreshInterval, func() { b.do(b.flush) })
	}
}

// flush applies what arrived since the last batch. It runs on the UI
// goroutine; the window also calls it when a run returns, so the last
// events are shown before the run's summary.
func (b *runBridge) flush() {
	b.mu.Lock()
	evs := b.pending
	b.pending = nil
	b.scheduled = false
	b.mu.Unlock()
	if len(evs) > 0 {
		b.apply(evs)
	}
}

// feed is the bridge for the other things that happen off the UI
// goroutine: trigger executions of the event bus, requests a mock or a
// webhook trigger received. Like runBridge it never blocks the caller and
// hands what arrived to apply in batches, at most once per
// refreshInterval, so a burst of a thousand requests costs a few
// refreshes of the list that shows them.
type feed[T any] struct {
	do    func(func())
	after func(time.Duration, func()) func() bool
	apply func([]T)

	mu        sync.Mutex
	pending   []T
	scheduled bool
}

func newFeed[T any](do func(func()), after func(time.Duration, func()) func() bool, apply func([]T)) *feed[T] {
	return &feed[T]{do: do, after: after, apply: apply}
}

// push may be called from any goroutine.
func (f *feed[T]) push(v T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending = append(f.pending, v)
	if !f.scheduled {
		f.scheduled = true
		f.after(refreshInterval, func() { f.do(f.flush) })
	}
}

// flush applies what arrived since the last batch, on the UI goroutine.
func (f *feed[T]) flush() {
	f.mu.Lock()
	vs := f.pending
	f.pending = nil
	f.scheduled = false
	f.mu.Unlock()
	if len(vs) > 0 {
		f.apply(vs)
	}
}
