package engine

import (
	"fmt"
	"time"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// delayRun is the delay kind: it evaluates its duration and waits that long
// on the runner's clock, ending early when the run is stopped.
var delayRun = kindRun{
	compile: func(c *compiler, s *step, progs map[string]*expr.Program) { s.duration = progs["duration"] },
	execute: (*execution).delay,
}

// delay waits for the node's duration: a CEL duration or a Go duration
// string, at most flow.MaxDelay. Its record says in words what it waited
// (decision), and its duration how long it took. A run stopped during the
// wait ends the step stopped, saying how far the wait got.
func (x *execution) delay(s *step, rec *flow.Step) stepResult {
	v, err := s.duration.Eval(x.ctx, x.act)
	if err != nil {
		return stepResult{status: flow.StatusFailed, err: fmt.Sprintf("duration: %v", err)}
	}
	str, ok := v.(string)
	if !ok {
		return stepResult{status: flow.StatusFailed, err: fmt.Sprintf("duration gave %s, not a duration; give a CEL duration such as duration(\"1.5s\") or a string such as \"1.5s\"", describe(v))}
	}
	d, err := flow.DelayDuration(str)
	if err != nil {
		return stepResult{status: flow.StatusFailed, err: "duration: " + err.Error()}
	}
	if err := x.r.opts.Sleep(x.ctx, d); err != nil {
		waited := x.r.opts.Now().Sub(rec.StartedAt).Round(time.Millisecond)
		return stepResult{status: flow.StatusStopped, err: fmt.Sprintf("the run was stopped %s into a wait of %s", waited, d)}
	}
	return stepResult{status: flow.StatusSucceeded, port: flow.PortNext, decision: "waited " + d.String()}
}
