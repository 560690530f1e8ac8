package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// Input is what starts a run.
type Input struct {
	// RunID is the run's id; empty means a new one.
	RunID string
	// Trigger is the payload the run starts with (`trigger` in expressions):
	// any JSON value.
	Trigger json.RawMessage
	// Env holds the active environment's variables (`env` in expressions).
	Env map[string]any
	// EnvName names the active environment, for the record.
	EnvName string
	// Source says what started the run: "manual", "cli", "event:NAME", "webhook:PATH".
	Source string
	// ParentRunID is the run whose event started this one.
	ParentRunID string
	// Pause, when set, is called before each step and the step waits until
	// it returns (a live breakpoint: the app's step-through and slow
	// motion). The wait is recorded as the step's PausedMs; the step's
	// timeouts start after it. An error (Stop: ctx cancelled) ends the run
	// as stopped at that node.
	Pause func(ctx context.Context, at PausePoint) error
}

// PausePoint is where a run waits at a breakpoint: before step Seq, at
// node Node.
type PausePoint struct {
	RunID string
	Seq   int
	Node  string
}

// Result is what a run did.
type Result struct {
	Run    flow.Run
	Steps  []flow.Step
	Events []flow.RaisedEvent
	// Vars holds the flow variables at the end of the run.
	Vars map[string]any
}

// Run executes the plan to its end and returns what happened. The error is
// non-nil only when the run could not start (a bad trigger payload); a run that
// fails, or is stopped through ctx, returns a Result whose Run.Status says so.
func (r *Runner) Run(ctx context.Context, p *Plan, in Input) (*Result, error) {
	return r.run(ctx, p, in, chain{flows: []string{p.Flow.Name}})
}

func (r *Runner) run(ctx context.Context, p *Plan, in Input, from chain) (*Result, error) {
	var trigger any
	if int64(len(in.Trigger)) > r.opts.MaxBodyBytes {
		// Expressions are proven cheap on the assumption that no input is
		// larger than a body may be (expr.MaxInputBytes).
		return nil, fmt.Errorf("the trigger payload is %s; the limit is %s", flow.FormatBytes(int64(len(in.Trigger))), flow.FormatBytes(r.opts.MaxBodyBytes))
	}
	if len(in.Trigger) > 0 {
		v, err := decodeJSON(in.Trigger)
		if err != nil {
			return nil, fmt.Errorf("the trigger payload is not valid JSON: %v", err)
		}
		trigger = v
	}
	id := in.RunID
	if id == "" {
		id = r.opts.NewID()
	}
	if in.Env == nil && in.EnvName == "" {
		in.Env, in.EnvName = r.opts.Env, r.opts.EnvName
	}
	f := p.Flow
	started := r.opts.Now()
	run := flow.Run{
		ID: id, FlowID: f.ID, FlowName: f.Name, FlowVersion: f.Version,
		Status: flow.StatusRunning, Trigger: in.Source, Input: in.Trigger, Env: in.EnvName,
		StartedAt: started, ParentRunID: in.ParentRunID,
	}
	r.mu.Lock()
	events := r.events
	r.mu.Unlock()
	x := &execution{
		r: r, p: p, run: &run, ctx: ctx, events: events, chain: from, stepCtx: p.readsSteps, pause: in.Pause,
		// Most runs visit each node once or less; room for that saves
		// growing the record as it fills.
		steps: make([]flow.Step, 0, min(len(p.steps), 256)),
		state: stateBudget{limit: p.stateLimit},
		act: &expr.Activation{
			Vars:    map[string]any{},
			Steps:   map[string]any{},
			Trigger: trigger,
			Run:     map[string]any{"id": id, "startedAt": started.UTC().Format(time.RFC3339Nano), "attempt": int64(1), "trigger": in.Source},
			Flow:    map[string]any{"id": f.ID, "name": f.Name, "version": int64(f.Version)},
			Env:     in.Env,
		},
	}
	if r.obs.wants(flow.EventRunStarted) {
		runCopy := run
		r.obs.emit(flow.RunEvent{Kind: flow.EventRunStarted, At: started, RunID: id, Run: &runCopy})
	}
	x.execute()
	x.deadline.close()

	run.FinishedAt = r.opts.Now()
	run.DurationMs = run.FinishedAt.Sub(started).Milliseconds()
	if r.obs.wants(flow.EventRunFinished) {
		final := run
		r.obs.emit(flow.RunEvent{Kind: flow.EventRunFinished, At: run.FinishedAt, RunID: id, Run: &final})
	}
	return &Result{Run: run, Steps: x.steps, Events: x.raised, Vars: x.act.Vars}, nil
}

// RunOutput is the answer a run gives to whoever started it (a webhook caller,
// an event's trigger execution): its id, status, outcome, error and variables.
func RunOutput(res *Result) map[string]any {
	out := map[string]any{"runId": res.Run.ID, "flow": res.Run.FlowName, "status": res.Run.Status, "vars": res.Vars}
	if res.Run.Outcome != "" {
		out["outcome"] = res.Run.Outcome
	}
	if res.Run.Error != "" {
		out["error"] = res.Run.Error
	}
	return out
}

// execution is the state of one run.
type execution struct {
	r     *Runner
	p     *Plan
	run   *flow.Run
	ctx   context.Context
	act   *expr.Activation
	steps []flow.Step
	// pause is Input.Pause; pausedMs the wait before the next step.
	pause    func(ctx context.Context, at PausePoint) error
	pausedMs int64
	raised   []flow.RaisedEvent
	// events is the bus that starts flows listening to what this run raises.
	events *Events
	chain  chain
	// stepCtx says to build steps.<id> for every step: some expression
	// reads it, or the caller shows it (TestStep).
	stepCtx bool
	// bodyBuf is reused to read response bodies (see readCapped).
	bodyBuf []byte
	// resp is what the current attempt received (its body is in bodyBuf).
	resp response
	// deadline bounds each call step in turn.
	deadline stepDeadline
	// trace times the attempts, reused from one to the next when it may be
	// (nextAttemptTrace).
	trace *attemptTrace
	// state bounds the size of vars (limits.stateBytes).
	state stateBudget
}

// stepResult is how a node's execution ended.
type stepResult struct {
	status   flow.Status
	port     string
	err      string
	decision string
	outcome  string
	end      bool
}

func (x *execution) execute() {
	for _, v := range x.p.vars {
		val, err := v.value.Eval(x.ctx, x.act)
		if err != nil {
			x.fail(fmt.Sprintf("flow variable %q: %v", v.name, err))
			return
		}
		if err := x.setVar(v.name, val); err != nil {
			x.fail(fmt.Sprintf("flow variable %q: %v", v.name, err))
			return
		}
	}
	maxSteps := x.r.opts.MaxSteps
	if maxSteps <= 0 {
		maxSteps = x.p.maxSteps
	}
	cur := x.p.start
	for n := 0; cur != nil; n++ {
		if n >= maxSteps {
			x.fail(x.stepLimitMessage(maxSteps, cur.node.ID))
			return
		}
		if err := x.ctx.Err(); err != nil {
			x.stop(cur.node.ID)
			return
		}
		if x.pause != nil {
			t0 := x.r.opts.Now()
			err := x.pause(x.ctx, PausePoint{RunID: x.run.ID, Seq: len(x.steps) + 1, Node: cur.node.ID})
			x.pausedMs = x.r.opts.Now().Sub(t0).Milliseconds()
			if err != nil || x.ctx.Err() != nil {
				x.stop(cur.node.ID)
				return
			}
		}
		res := x.step(cur)
		if x.ctx.Err() != nil && res.status != flow.StatusSucceeded {
			x.stop(cur.node.ID)
			return
		}
		if res.end {
			x.run.Status = flow.StatusSucceeded
			x.run.Outcome = res.outcome
			return
		}
		next, ok := cur.next[res.port]
		edgeIdx, hasEdge := cur.edges[res.port]
		if hasEdge && x.r.obs.wants(flow.EventBranchTaken) {
			e := x.p.Flow.Edges[edgeIdx]
			x.r.obs.emit(flow.RunEvent{Kind: flow.EventBranchTaken, At: x.r.opts.Now(), RunID: x.run.ID, Edge: &e,
				Step: x.lastStepCopy()})
		}
		if !ok {
			if res.status == flow.StatusFailed {
				x.fail(fmt.Sprintf("step %q failed and has no failure path: %s", cur.node.ID, res.err))
				return
			}
			// A dead end without error finishes the run.
			x.run.Status = flow.StatusSucceeded
			return
		}
		cur = next
	}
}

// stepLimitMessage says why a run was stopped at the step limit: which node
// ran most often and how often, calling it a loop only when a node repeated.
func (x *execution) stepLimitMessage(limit int, at string) string {
	counts := make(map[string]int)
	top, most := "", 0
	for _, s := range x.steps {
		counts[s.Node]++
		if c := counts[s.Node]; c > most {
			top, most = s.Node, c
		}
	}
	if most > 1 {
		return fmt.Sprintf("the run took more than %d steps and was stopped at node %q: node %q ran %d times, so a loop in the flow looks like it does not end; give it an exit condition", limit, at, top, most)
	}
	return fmt.Sprintf("the run took more than %d steps and was stopped at node %q; no node ran twice, so the flow is longer than the step limit allows", limit, at)
}

func (x *execution) fail(msg string) {
	x.run.Status = flow.StatusFailed
	x.run.Error = msg
}

func (x *execution) stop(node string) {
	x.run.Status = flow.StatusStopped
	x.run.Error = fmt.Sprintf("the run was stopped at node %q", node)
}

func (x *execution) lastStepCopy() *flow.Step {
	if len(x.steps) == 0 {
		return nil
	}
	s := x.steps[len(x.steps)-1]
	return &s
}

// step executes one node, records it and reports it to the observers.
func (x *execution) step(s *step) stepResult {
	n := s.node
	rec := flow.Step{RunID: x.run.ID, Seq: len(x.steps) + 1, Node: n.ID, Kind: n.Kind, Title: n.Title,
		Status: flow.StatusRunning, StartedAt: x.r.opts.Now(), PausedMs: x.pausedMs}
	x.pausedMs = 0
	if x.r.obs.wants(flow.EventStepStarted) {
		started := rec
		x.r.obs.emit(flow.RunEvent{Kind: flow.EventStepStarted, At: rec.StartedAt, RunID: x.run.ID, Step: &started})
	}

	var res stepResult
	kr, ok := kindRuns[n.Kind]
	switch {
	case n.Disabled:
		// skipped: the input passes on by next (else default); a disabled
		// end finishes the run there
		res = stepResult{status: flow.StatusSkipped, port: n.PassPort(), end: n.PassPort() == ""}
		kr.ownsStepCtx = false
	case ok:
		res = kr.execute(x, s, &rec)
	default:
		res = stepResult{status: flow.StatusFailed, err: fmt.Sprintf("node kind %q cannot run", n.Kind)}
	}
	rec.Status = res.status
	rec.Port = res.port
	rec.Error = res.err
	rec.Decision = res.decision
	rec.DurationMs = x.r.opts.Now().Sub(rec.StartedAt).Milliseconds()
	if !kr.ownsStepCtx && x.stepCtx {
		x.act.Steps[n.ID] = map[string]any{"status": string(res.status), "error": res.err, "durationMs": rec.DurationMs}
	}
	x.steps = append(x.steps, rec)
	if x.r.obs.wants(flow.EventStepFinished) {
		finished := rec
		x.r.obs.emit(flow.RunEvent{Kind: flow.EventStepFinished, At: x.r.opts.Now(), RunID: x.run.ID, Step: &finished})
	}
	return res
}

func (x *execution) decide(s *step) stepResult {
	for i, c := range s.cases {
		v, err := c.when.Eval(x.ctx, x.act)
		if err != nil {
			return stepResult{status: flow.StatusFailed, err: fmt.Sprintf("cases[%d].when: %v", i, err)}
		}
		b, ok := v.(bool)
		if !ok {
			return stepResult{status: flow.StatusFailed, err: fmt.Sprintf("cases[%d].when gave %s, not true or false; make the condition a comparison", i, describe(v))}
		}
		if b {
			return stepResult{status: flow.StatusSucceeded, port: c.port,
				decision: fmt.Sprintf("condition %q is true: branch %s", c.when.Source(), c.port)}
		}
	}
	return stepResult{status: flow.StatusSucceeded, port: flow.PortDefault, decision: "no condition is true: default path"}
}

func (x *execution) assign(s *step) stepResult {
	for i, a := range s.assign {
		v, err := a.value.Eval(x.ctx, x.act)
		if err != nil {
			return stepResult{status: flow.StatusFailed, err: fmt.Sprintf("assign[%d] (%s): %v", i, a.name, err)}
		}
		if err := x.setVar(a.name, v); err != nil {
			return stepResult{status: flow.StatusFailed, err: fmt.Sprintf("assign[%d]: %v", i, err)}
		}
	}
	return stepResult{status: flow.StatusSucceeded, port: flow.PortNext}
}

func (x *execution) emit(s *step) stepResult {
	var payload any
	if s.payload != nil {
		v, err := s.payload.Eval(x.ctx, x.act)
		if err != nil {
			return stepResult{status: flow.StatusFailed, err: fmt.Sprintf("payload: %v", err)}
		}
		payload = v
	}
	if err := x.raise(s.node.ID, s.node.Event, payload); err != nil {
		return stepResult{status: flow.StatusFailed, err: err.Error()}
	}
	return stepResult{status: flow.StatusSucceeded, port: flow.PortNext}
}

// raise records a named event and reports it to the observers.
func (x *execution) raise(node, name string, payload any) error {
	var raw json.RawMessage
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			return fmt.Errorf("event %q payload cannot be written as JSON: %v", name, err)
		}
		raw = b
	}
	ev := flow.RaisedEvent{Name: name, Payload: raw, RunID: x.run.ID, Node: node, At: x.r.opts.Now()}
	x.raised = append(x.raised, ev)
	evCopy := ev
	x.r.obs.emit(flow.RunEvent{Kind: flow.EventRaised, At: ev.At, RunID: x.run.ID, Raised: &evCopy})
	if x.r.hooks.Raise != nil {
		if err := x.r.hooks.Raise(x.ctx, ev); err != nil {
			return err
		}
	}
	if x.events != nil {
		x.events.raisedInRun(x.ctx, ev, x.chain)
	}
	return nil
}

// describe names a value's type for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", truncate(x, 40))
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%v", v)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// decodeJSON parses JSON into plain values, integers as int64 and other
// numbers as float64, so CEL sees them as int and double.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	// More would miss a stray ] or }; only the end of the input may follow.
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return normalizeNumbers(v)
}

// normalizeNumbers turns json.Numbers into int64 or float64. A number out
// of float64's range is an error rather than ±Inf, which JSON cannot hold
// (found by FuzzTriggerPayload).
func normalizeNumbers(v any) (any, error) {
	var err error
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("the number %.40s is out of range", x)
		}
		return f, nil
	case map[string]any:
		for k, e := range x {
			if x[k], err = normalizeNumbers(e); err != nil {
				return nil, err
			}
		}
	case []any:
		for i, e := range x {
			if x[i], err = normalizeNumbers(e); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}
