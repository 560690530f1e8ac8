package temporal

import (
	"context"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/flowbench/flowbench/engine/clock"
)

// workflowClock is the engine's clock inside a workflow: now is
// workflow.Now, waits are durable timers (workflow.Sleep), so a delay
// survives a worker's restart and a replay takes no time.
type workflowClock struct {
	ctx workflow.Context
	// cancel stops the run's context when a wait ends by the workflow's
	// cancellation, before the engine looks at it.
	cancel context.CancelFunc
}

func (c *workflowClock) Now() time.Time { return workflow.Now(c.ctx) }

func (c *workflowClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	if err := workflow.Sleep(c.ctx, d); err != nil {
		c.cancel()
		return err
	}
	return nil
}

// AfterFunc runs f in a workflow goroutine once a durable timer of d fires.
func (c *workflowClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	t := &workflowTimer{c: c, f: f}
	t.arm(d)
	return t
}

// workflowTimer is a clock.Timer on workflow timers. Workflow code runs one
// goroutine at a time, so its fields need no lock.
type workflowTimer struct {
	c      *workflowClock
	f      func()
	cancel workflow.CancelFunc
	active bool
}

func (t *workflowTimer) arm(d time.Duration) {
	ctx, cancel := workflow.WithCancel(t.c.ctx)
	t.cancel, t.active = cancel, true
	workflow.Go(ctx, func(g workflow.Context) {
		if workflow.NewTimer(g, d).Get(g, nil) == nil && g.Err() == nil {
			t.active = false
			t.f()
		}
	})
}

func (t *workflowTimer) Stop() bool {
	was := t.active
	if was {
		t.cancel()
		t.active = false
	}
	return was
}

func (t *workflowTimer) Reset(d time.Duration) bool {
	was := t.Stop()
	t.arm(d)
	return was
}
