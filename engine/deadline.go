package engine

import (
	"context"
	"time"

	"github.com/flowbench/flowbench/engine/clock"
)

// stepDeadline bounds the call steps of one run, one at a time. It keeps one
// cancellable context and one timer for the whole run and re-arms the timer
// for each step, where context.WithTimeout would make a context, a timer and
// a registration with the run's context for every step. When a step's time
// runs out the timer cancels the context with errStepDeadline (what
// context.Cause reports, as WithTimeoutCause would), and the next step gets
// a fresh context. The zero value is ready; it is not safe for concurrent
// use (a run executes one step at a time).
type stepDeadline struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  clock.Timer
	// at is when the current step's time runs out.
	at time.Time
}

// start returns the context of a step that may take d by clk (the runner's
// clock), derived from parent (the run's context, the same for every step of
// a run).
func (s *stepDeadline) start(parent context.Context, clk clock.Clock, d time.Duration) context.Context {
	s.at = clk.Now().Add(d)
	if s.ctx != nil {
		s.timer.Reset(d)
		return s.ctx
	}
	ctx, cancel := context.WithCancelCause(parent)
	s.ctx, s.cancel = ctx, cancel
	s.timer = clk.AfterFunc(d, func() { cancel(errStepDeadline) })
	return ctx
}

// done ends the current step. If its timer has fired (or is firing), the
// context is spent and the next step gets a new one.
func (s *stepDeadline) done() {
	if s.ctx != nil && !s.timer.Stop() {
		s.cancel(errStepDeadline)
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
