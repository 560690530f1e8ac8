package engine

import (
	"context"
	"time"

	"github.com/flowbench/flowbench/engine/clock"
)

// stepDeadline bounds the attempts of one run's call steps, one at a time
// (an attempt's timeout, or what is left of its step's deadline). It keeps one
// cancellable context and one timer for the whole run and re-arms the timer
// for each attempt, where context.WithTimeout would make a context, a timer
// and a registration with the run's context for every attempt. When an
// attempt's time runs out the timer cancels the context with
// errAttemptTimeout (what context.Cause reports, as WithTimeoutCause would),
// and the next attempt gets a fresh context. The zero value is ready; it is not safe for concurrent
// use (a run executes one step at a time).
type stepDeadline struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  clock.Timer
	// at is when the current attempt's time runs out.
	at time.Time
}

// start returns the context of an attempt that may take d by clk (the
// runner's clock), derived from parent (the run's context, the same for every attempt of
// a run).
func (s *stepDeadline) start(parent context.Context, clk clock.Clock, d time.Duration) context.Context {
	s.at = clk.Now().Add(d)
	if s.ctx != nil {
		s.timer.Reset(d)
		return s.ctx
	}
	ctx, cancel := context.WithCancelCause(parent)
	s.ctx, s.cancel = ctx, cancel
	s.timer = clk.AfterFunc(d, func() { cancel(errAttemptTimeout) })
	return ctx
}

// done ends the current attempt. If its timer has fired (or is firing), the
// context is spent and the next attempt gets a new one.
func (s *stepDeadline) done() {
	if s.ctx != nil && !s.timer.Stop() {
		s.cancel(errAttemptTimeout)
		s.ctx = nil
	}
}

// close releases the context and timer at the end of a run.
func (s *stepDeadline) close() {
	if s.ctx != nil {
		s.timer.Stop()
		s.cancel(context.Canceled)
		s.ctx = nil
	}
}
