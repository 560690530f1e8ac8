package engine

import (
	"context"
	"sync"
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
	q := &queue{obs: obs, done: make(chan struct{})}
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
}

func (f *fanout) add(obs Observer) {
	f.mu.Lock()
	f.queues = append(f.queues, newQueue(obs))
	f.mu.Unlock()
}

func (f *fanout) emit(ev flow.RunEvent) {
	f.mu.RLock()
	for _, q := range f.queues {
		q.push(ev)
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
	f.mu.Unlock()
	for _, q := range qs {
		q.close()
	}
}
