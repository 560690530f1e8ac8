// Package clock is the time the engine reads and waits on: what a run calls
// now, the waits between attempts and of delay nodes, and the timers that
// bound a step. The engine takes one Clock (engine.Options.Clock) so that a
// test can replace all three at once; clocktest has a fake.
package clock

import (
	"context"
	"time"
)

// Clock gives the current time, waits and timers. Implementations are safe
// for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx ends, whichever comes first, and
	// returns ctx.Err() if ctx ended (also when d ≤ 0 and ctx has ended).
	Sleep(ctx context.Context, d time.Duration) error
	// AfterFunc calls f once d has passed, as time.AfterFunc does, unless
	// the returned timer is stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a timer made by Clock.AfterFunc; *time.Timer is one.
type Timer interface {
	// Stop prevents the timer from firing; it reports whether the call
	// stopped it (false if it had already fired or been stopped).
	Stop() bool
	// Reset arms the timer to fire d from now; it reports whether the
	// timer had been active.
	Reset(d time.Duration) bool
}

// Real returns the system clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time                                   { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d) }
func (realClock) AfterFunc(d time.Duration, f func()) Timer        { return time.AfterFunc(d, f) }

// Sleep waits for d of real time or until ctx ends, whichever comes first;
// it returns ctx.Err() if ctx ended. It is the Sleep of Real, for packages
// that take a sleep function rather than a Clock.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
