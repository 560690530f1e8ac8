package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// StepInput is the context a single step is tested in: what earlier steps and
// the trigger would have provided in a real run.
type StepInput struct {
	Trigger json.RawMessage
	Env     map[string]any
	// Vars and Steps seed `vars` and `steps` (for example from an earlier
	// test's StepResult.Context); nil means empty.
	Vars  map[string]any
	Steps map[string]any
}

// StepResult is what testing one step did.
type StepResult struct {
	Step flow.Step
	// Context is what the step put in `steps.<id>` (status, headers, body,
	// returnValue), for editors to offer real field names to later steps.
	Context map[string]any
	// Vars are the flow variables after the step.
	Vars map[string]any
}

// TestStep runs one node of a plan on its own — the GUI's Test button — with
// the same request building, authentication, retries and parsing as a run.
// Observers see it as a one-step run whose trigger is "test".
func (r *Runner) TestStep(ctx context.Context, p *Plan, nodeID string, in StepInput) (*StepResult, error) {
	s, ok := p.steps[nodeID]
	if !ok {
		return nil, fmt.Errorf("the flow has no node %q", nodeID)
	}
	var trigger any
	if len(in.Trigger) > 0 {
		v, err := decodeJSON(in.Trigger)
		if err != nil {
			return nil, fmt.Errorf("the trigger payload is not valid JSON: %v", err)
		}
		trigger = v
	}
	vars := map[string]any{}
	for k, v := range in.Vars {
		vars[k] = v
	}
	steps := map[string]any{}
	for k, v := range in.Steps {
		steps[k] = v
	}
	id := r.opts.NewID()
	started := r.opts.Now()
	f := p.Flow
	run := flow.Run{ID: id, FlowID: f.ID, FlowName: f.Name, FlowVersion: f.Version, Status: flow.StatusRunning,
		Trigger: "test", Input: in.Trigger, StartedAt: started}
	x := &execution{r: r, p: p, run: &run, ctx: ctx, chain: chain{flows: []string{f.Name}}, stepCtx: true,
		act: &expr.Activation{
			Vars: vars, Steps: steps, Trigger: trigger, Env: in.Env,
			Run:  map[string]any{"id": id, "startedAt": started.UTC().Format(time.RFC3339Nano), "attempt": int64(1), "trigger": "test"},
			Flow: map[string]any{"id": f.ID, "name": f.Name, "version": int64(f.Version)},
		}}
	for _, v := range p.vars {
		if _, seeded := vars[v.name]; seeded {
			continue
		}
		val, err := v.value.Eval(ctx, x.act)
		if err != nil {
			return nil, fmt.Errorf("flow variable %q: %v", v.name, err)
		}
		vars[v.name] = val
	}
	runCopy := run
	r.obs.emit(flow.RunEvent{Kind: flow.EventRunStarted, At: started, RunID: id, Run: &runCopy})
	res := x.step(s)
	x.deadline.close()
	run.Status = res.status
	run.Error = res.err
	run.FinishedAt = r.opts.Now()
	run.DurationMs = run.FinishedAt.Sub(started).Milliseconds()
	final := run
	r.obs.emit(flow.RunEvent{Kind: flow.EventRunFinished, At: run.FinishedAt, RunID: id, Run: &final})
	out := &StepResult{Step: x.steps[0], Vars: vars}
	if c, ok := steps[nodeID].(map[string]any); ok {
		out.Context = c
	}
	return out, nil
}
