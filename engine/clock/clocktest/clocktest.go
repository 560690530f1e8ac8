// Package clocktest has clocks for tests: Clock, a fake whose time moves
// only when a test advances it or something sleeps on it, and Instant, the
// real clock with waits that return at once.
package clocktest

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/flowbench/flowbench/engine/clock"
)

// Clock is a fake clock.Clock. Its time stands still until Advance or Sleep
// moves it; timers made by AfterFunc fire when the time reaches them, their
// functions called by the goroutine that moved the time, in the order they
// are due. Sleep returns at once, having moved the time by the wait (and
// fired the timers due by then), so retries and delays take no real time
// and a step deadline passed by a wait fires as it would have. It is safe
// for concurrent use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers map[*timer]struct{}
	slept  []time.Duration
}

// New returns a fake clock that reads start.
func New(start time.Time) *Clock {
	return &Clock{now: start, timers: map[*timer]struct{}{}}
}

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep records the wait and moves the time by d; it returns ctx.Err() if
// ctx had ended before or ended by a timer the wait fired.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil || d <= 0 {
		return err
	}
	c.mu.Lock()
	c.slept = append(c.slept, d)
	c.mu.Unlock()
	c.Advance(d)
	return ctx.Err()
}

// Slept returns the waits Sleep was asked for, in order.
func (c *Clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// Pending returns how many timers are armed.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// AfterFunc arms a timer that calls f once the time has moved d on; one
// due already (d ≤ 0) fires at the next Advance, Advance(0) included.
func (c *Clock) AfterFunc(d time.Duration, f func()) clock.Timer {
	t := &timer{c: c, f: f}
	c.mu.Lock()
	t.arm(d)
	c.mu.Unlock()
	return t
}

// Advance moves the time by d and calls the functions of the timers that
// are due, earliest first.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*timer
	for t := range c.timers {
		if !t.at.After(c.now) {
			due = append(due, t)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].at.Equal(due[j].at) {
			return due[i].at.Before(due[j].at)
		}
		return due[i].seq < due[j].seq
	})
	for _, t := range due {
		delete(c.timers, t)
	}
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

// timer is a timer of a fake Clock.
type timer struct {
	c   *Clock
	f   func()
	at  time.Time
	seq int
}

// arm sets the timer d from now; the clock's lock is held.
func (t *timer) arm(d time.Duration) {
	t.c.seq++
	t.at, t.seq = t.c.now.Add(d), t.c.seq
	t.c.timers[t] = struct{}{}
}

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	_, active := t.c.timers[t]
	delete(t.c.timers, t)
	return active
}

func (t *timer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	_, active := t.c.timers[t]
	t.arm(d)
	return active
}

// Instant returns the real clock with a Sleep that returns at once
// (ctx.Err()), for tests whose retries or delays should not wait but whose
// times are real.
func Instant() clock.Clock { return instant{clock.Real()} }

type instant struct{ clock.Clock }

func (instant) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }
