package ui

import (
	"sync"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// refreshInterval is the least time between two refreshes of the window
// by what happens off the UI goroutine: about 30 a second, as fast as a
// person can follow, so a 1,000-step run at full speed costs the UI
// goroutine a few dozen refreshes, not thousands.
const refreshInterval = time.Second / 30

// feed is the one way what happens off the UI goroutine reaches widgets:
// the events of the run the window follows, trigger executions of the
// event bus, requests a mock or a webhook trigger received. push never
// blocks the caller; what arrived is handed to apply in batches, on the UI
// goroutine through do (fyne.Do in the app), at most once per
// refreshInterval whatever the rate, so a burst of a thousand requests
// costs a few refreshes of the list that shows them.
type feed[T any] struct {
	do    func(func())
	after func(time.Duration, func()) func() bool
	apply func([]T)

	mu        sync.Mutex
	keep      func(T) bool // what is kept; nil keeps everything
	pending   []T
	scheduled bool
}

func newFeed[T any](do func(func()), after func(time.Duration, func()) func() bool, apply func([]T)) *feed[T] {
	return &feed[T]{do: do, after: after, apply: apply}
}

// only makes the feed keep what keep holds for (nil: everything) from now
// on, and drops what is pending.
func (f *feed[T]) only(keep func(T) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keep = keep
	f.pending = nil
}

// push may be called from any goroutine.
func (f *feed[T]) push(v T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.keep != nil && !f.keep(v) {
		return
	}
	f.pending = append(f.pending, v)
	if !f.scheduled {
		f.scheduled = true
		f.after(refreshInterval, func() { f.do(f.flush) })
	}
}

// flush applies what arrived since the last batch. It runs on the UI
// goroutine; the window also calls it when a run returns, so the last
// events are shown before the run's summary.
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

// runFeed is the feed of run events: the engine.Observer the window adds
// to its Runner. It keeps the events of the run it follows only.
type runFeed struct{ *feed[flow.RunEvent] }

func newRunFeed(do func(func()), after func(time.Duration, func()) func() bool, apply func([]flow.RunEvent)) runFeed {
	r := runFeed{newFeed(do, after, apply)}
	r.follow("")
	return r
}

// Observe is the engine.Observer side: it may be called from any
// goroutine and never blocks on the UI.
func (r runFeed) Observe(ev flow.RunEvent) { r.push(ev) }

// follow keeps the events of run id (and drops the rest); "" follows none.
func (r runFeed) follow(id string) {
	r.only(func(ev flow.RunEvent) bool { return id != "" && ev.RunID == id })
}
