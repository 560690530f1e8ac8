package clocktest

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestFakeClockFiresTimersInOrder: timers fire when the time reaches them,
// earliest first; stopped ones never; reset ones at their new time; Sleep
// moves the time and fires what it passes.
func TestFakeClockFiresTimersInOrder(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := New(start)
	var fired []string
	c.AfterFunc(3*time.Second, func() { fired = append(fired, "3s") })
	c.AfterFunc(time.Second, func() { fired = append(fired, "1s") })
	stopped := c.AfterFunc(2*time.Second, func() { fired = append(fired, "stopped") })
	reset := c.AfterFunc(time.Second, func() { fired = append(fired, "reset") })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop should report true once, then false")
	}
	if !reset.Reset(10 * time.Second) {
		t.Fatal("Reset of an armed timer should report it was active")
	}
	c.Advance(999 * time.Millisecond)
	if len(fired) != 0 {
		t.Fatalf("fired %v before any timer was due", fired)
	}
	c.Advance(3 * time.Second)
	if fmt.Sprint(fired) != "[1s 3s]" || c.Pending() != 1 {
		t.Fatalf("fired %v with %d pending, want [1s 3s] and the reset timer pending", fired, c.Pending())
	}
	if err := c.Sleep(context.Background(), 7*time.Second); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(fired) != "[1s 3s reset]" || c.Pending() != 0 {
		t.Fatalf("after the sleep fired %v with %d pending", fired, c.Pending())
	}
	if got := c.Now().Sub(start); got != 10*time.Second+999*time.Millisecond {
		t.Fatalf("the time moved %v", got)
	}
	if fmt.Sprint(c.Slept()) != "[7s]" {
		t.Fatalf("slept %v", c.Slept())
	}
}

// TestFakeSleepEndsWithItsContext: a sleep whose wait fires a timer that
// cancels its context returns the context's error; a sleep on an ended
// context neither waits nor moves the time.
func TestFakeSleepEndsWithItsContext(t *testing.T) {
	c := New(time.Unix(0, 0))
	ctx, cancel := context.WithCancel(context.Background())
	c.AfterFunc(time.Second, cancel)
	if err := c.Sleep(ctx, 2*time.Second); err != context.Canceled {
		t.Fatalf("Sleep = %v, want context.Canceled", err)
	}
	if err := c.Sleep(ctx, time.Hour); err != context.Canceled || c.Now() != time.Unix(2, 0) {
		t.Fatalf("Sleep on an ended context = %v at %v", err, c.Now())
	}
}
