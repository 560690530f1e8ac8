package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// Observer receives the events of every run a Runner performs, in order. Each
// observer is fed from its own goroutine through an unbounded queue, so a slow
// observer never slows a run and never loses an event; Runner.Drain waits until
// every observer has received everything emitted so far.
type Observer interface {
	Observe(ev flow.RunEvent)
}

// EventFilter is implemented by an observer that needs only some kinds of
// events (a recorder that writes finished steps has no use for request or
// branch events). The runner asks once, when the observer is added, and then
// neither queues the other kinds for it nor, when no observer wants a kind,
// builds those events at all.
type EventFilter interface {
	Wants(kind flow.EventKind) bool
}

// eventKinds are the kinds a runner emits, for filters to be asked about.
var eventKinds = []flow.EventKind{
	flow.EventRunStarted, flow.EventStepStarted, flow.EventRequestSent, flow.EventResponseReceived,
	flow.EventBranchTaken, flow.EventStepFinished, flow.EventRaised, flow.EventRunFinished,
}

// kindMask is a set of event kinds, one bit per entry of eventKinds.
type kindMask uint16

// kindBit is k's bit; a kind not in eventKinds has a bit every mask holds.
func kindBit(k flow.EventKind) kindMask {
	for i, e := range eventKinds {
		if e == k {
			return 1 << i
		}
	}
	return 1 << len(eventKinds)
}

// wantedKinds asks obs which kinds it wants; an observer without a filter
// wants every kind, and so does one for kinds unknown to this list.
func wantedKinds(obs Observer) kindMask {
	f, ok := obs.(EventFilter)
	if !ok {
		return ^kindMask(0)
	}
	var m kindMask
	for _, k := range eventKinds {
		if f.Wants(k) {
			m |= kindBit(k)
		}
	}
	return m | ^kindMask(0)<<len(eventKinds)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(ev flow.RunEvent)

// Observe calls f(ev).
func (f ObserverFunc) Observe(ev flow.RunEvent) { f(ev) }

// observerWake is how long an idle observer goroutine may sleep after an
// event arrives. Waking it on every event would hand the run's processor to
// the observer several times per step (the scheduler runs a woken goroutine
// next), which measured as most of a step's overhead; one wake per few
// milliseconds delivers in batches and keeps the run on its processor.
const observerWake = 2 * time.Millisecond

// queue delivers events to one observer from its own goroutine.
type queue struct {
	obs     Observer
	wants   kindMask
	mu      sync.Mutex
	cond    *sync.Cond
	pending []flow.RunEvent
	busy    bool // an event is being delivered
	idle    bool // the loop is waiting for events
	armed   bool // the wake timer is set
	closed  bool
	wake    *time.Timer
	done    chan struct{}
}

func newQueue(obs Observer) *queue {
	q := &queue{obs: obs, wants: wantedKinds(obs), done: make(chan struct{})}
	q.cond = sync.NewCond(&q.mu)
	q.wake = time.AfterFunc(time.Hour, func() {
		q.mu.Lock()
		q.armed = false
		q.cond.Broadcast()
		q.mu.Unlock()
	})
	q.wake.Stop()
	go q.loop()
	return q
}

func (q *queue) push(ev flow.RunEvent) {
	q.mu.Lock()
	if !q.closed {
		q.pending = append(q.pending, ev)
		if q.idle && !q.armed {
			q.armed = true
			q.wake.Reset(observerWake)
		}
	}
	q.mu.Unlock()
}

func (q *queue) loop() {
	defer close(q.done)
	var batch []flow.RunEvent
	for {
		q.mu.Lock()
		for len(q.pending) == 0 && !q.closed {
			q.idle = true
			q.cond.Wait()
			q.idle = false
		}
		if len(q.pending) == 0 && q.closed {
			q.mu.Unlock()
			return
		}
		// Swap buffers so pushes during delivery do not contend with it.
		batch, q.pending = q.pending, batch[:0]
		q.busy = true
		q.mu.Unlock()
		for i := range batch {
			q.obs.Observe(batch[i])
			batch[i] = flow.RunEvent{}
		}
		q.mu.Lock()
		q.busy = false
		q.cond.Broadcast()
		q.mu.Unlock()
	}
}

// drain waits until the queue is empty and idle, or ctx ends.
func (q *queue) drain(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		q.mu.Lock()
		q.cond.Broadcast()
		q.mu.Unlock()
	})
	defer stop()
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.pending) > 0 && q.idle {
		q.cond.Broadcast() // deliver now rather than at the next wake
	}
	for (len(q.pending) > 0 || q.busy) && ctx.Err() == nil {
		q.cond.Wait()
	}
	return ctx.Err()
}

func (q *queue) close() {
	q.wake.Stop()
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
	<-q.done
}

// fanout is the set of observer queues of a Runner.
type fanout struct {
	mu     sync.RWMutex
	queues []*queue
	// wanted is the union of what the queues want, read without the lock
	// so a run can skip building an event nobody wants.
	wanted atomic.Uint32
}

func (f *fanout) add(obs Observer) {
	q := newQueue(obs)
	f.mu.Lock()
	f.queues = append(f.queues, q)
	f.wanted.Store(f.wanted.Load() | uint32(q.wants))
	f.mu.Unlock()
}

// wants reports whether any observer wants events of kind k. Callers check
// it before building an event that takes copies.
func (f *fanout) wants(k flow.EventKind) bool {
	return kindMask(f.wanted.Load())&kindBit(k) != 0
}

func (f *fanout) emit(ev flow.RunEvent) {
	bit := kindBit(ev.Kind)
	if kindMask(f.wanted.Load())&bit == 0 {
		return
	}
	f.mu.RLock()
	for _, q := range f.queues {
		if q.wants&bit != 0 {
			q.push(ev)
		}
	}
	f.mu.RUnlock()
}

func (f *fanout) drain(ctx context.Context) error {
	f.mu.RLock()
	qs := append([]*queue(nil), f.queues...)
	f.mu.RUnlock()
	for _, q := range qs {
		if err := q.drain(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (f *fanout) close() {
	f.mu.Lock()
	qs := f.queues
	f.queues = nil
	f.wanted.Store(0)
	f.mu.Unlock()
	for _, q := range qs {
		q.close()
	}
}
