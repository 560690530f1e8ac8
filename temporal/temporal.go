// Package temporal runs flows on Temporal (https://temporal.io): one
// workflow type, FlowWorkflow, interprets a compiled flow with the engine's
// own run loop; start, decision, set, delay (a durable workflow.Sleep), emit
// and end run in workflow code, and each call step is one activity,
// CallActivity, whose attempts are Temporal's retries of one HTTP attempt
// each, made by the worker's engine.Runner (its auth with token caching,
// signing, redaction and response cap). Raised events start the listening
// flows as new workflows through EmitActivity. docs/temporal.md has the
// mapping and how to run a worker fleet.
package temporal

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// Names registered with Temporal.
const (
	WorkflowName     = "FlowWorkflow"
	CallActivityName = "CallActivity"
	EmitActivityName = "EmitActivity"
	// DefaultTaskQueue is the task queue of workers and starts that name none.
	DefaultTaskQueue = "flowbench"
	// ErrCallFailed is the ApplicationError type of a call attempt that got
	// no 2xx answer; it is non-retryable when the flow's retry.on leaves the
	// answer out. Its details hold the attempt (engine.AttemptResult).
	ErrCallFailed = "flowbench.CallFailed"
	// ErrUnknownFlow is the error type when a worker lacks the flow.
	ErrUnknownFlow = "flowbench.UnknownFlow"

	// interpreterChange is the workflow.GetVersion change id of the
	// interpreter; interpreterVersion is the current version. A change to
	// FlowWorkflow or to the engine's run loop that would make a running
	// workflow take other steps on replay raises interpreterVersion and
	// keeps the old path for histories that recorded an older version
	// (docs/temporal.md, "Changing the interpreter").
	interpreterChange  = "flowbench-interpreter"
	interpreterVersion = 1

	// attemptGrace is added to a call's timeout for the activity's
	// start-to-close timeout, so that an attempt out of time ends with the
	// engine's own message rather than Temporal's.
	attemptGrace = 2 * time.Second
	// maxEventDepth bounds chains of flows started by each other's events,
	// as the local event bus does.
	maxEventDepth = 8
)

// FlowInput starts a FlowWorkflow.
type FlowInput struct {
	// FlowID names the flow among the worker's flows (its id).
	FlowID string `json:"flowId"`
	// Trigger is the run's payload (`trigger` in expressions).
	Trigger json.RawMessage `json:"trigger,omitempty"`
	// Env and EnvName are the environment; when Env is nil the worker's
	// (--environments/--env) is used.
	Env     map[string]any `json:"env,omitempty"`
	EnvName string         `json:"envName,omitempty"`
	// Source says what started the run ("cli", "event:NAME", "webhook:PATH").
	Source      string `json:"source,omitempty"`
	ParentRunID string `json:"parentRunId,omitempty"`
	// Depth counts the flows above this one started by events.
	Depth int `json:"depth,omitempty"`
}

// CallInput is one call step for CallActivity.
type CallInput struct {
	FlowID string             `json:"flowId"`
	Call   engine.CallRequest `json:"call"`
}

// EmitInput is one raised event for EmitActivity.
type EmitInput struct {
	Event flow.RaisedEvent `json:"event"`
	// Seq numbers the events the run raised, from 1, so that a retried
	// activity starts the same workflows.
	Seq   int `json:"seq"`
	Depth int `json:"depth"`
}

// EmitResult says which workflows an event started.
type EmitResult struct {
	Started []string `json:"started,omitempty"`
	// Refused says why the event was not delivered (the chain too deep).
	Refused string `json:"refused,omitempty"`
}

// Options configure Flows.
type Options struct {
	// Runner makes the call attempts: the worker's connections, secrets,
	// mocks and clock. It is shared by every activity, so an OAuth token
	// serves every workflow of the worker.
	Runner *engine.Runner
	// Connections resolve named requests when flows are compiled.
	Connections []flow.Connection
	// Env and EnvName are the environment of runs whose input names none.
	Env     map[string]any
	EnvName string
	// Client starts the workflows of raised events; nil refuses them.
	Client client.Client
	// TaskQueue is where started workflows go; empty means DefaultTaskQueue.
	TaskQueue string
}

// Flows is a worker's set of flows: the workflow and activities to register.
type Flows struct {
	opts  Options
	flows map[string]*flow.Flow
	plans map[string]*engine.Plan
	list  []*engine.Plan
}

// New checks and compiles flows for a worker. Every flow needs an id (the
// file's `id`, or flow.FileFlowID for a file) unique among them.
func New(flows []*flow.Flow, opts Options) (*Flows, error) {
	if opts.Runner == nil {
		return nil, errors.New("temporal.New: no runner given")
	}
	if opts.TaskQueue == "" {
		opts.TaskQueue = DefaultTaskQueue
	}
	fs := &Flows{opts: opts, flows: map[string]*flow.Flow{}, plans: map[string]*engine.Plan{}}
	for _, f := range flows {
		if f.ID == "" {
			return nil, fmt.Errorf("flow %q has no id; give it one (\"id\" in the file)", f.Name)
		}
		if _, dup := fs.flows[f.ID]; dup {
			return nil, fmt.Errorf("two flows have the id %q; give each flow its own id", f.ID)
		}
		p, err := engine.Compile(f, opts.Connections)
		if err != nil {
			return nil, fmt.Errorf("flow %q: %w", f.Name, err)
		}
		fs.flows[f.ID], fs.plans[f.ID] = f, p
		fs.list = append(fs.list, p)
	}
	return fs, nil
}

// Register registers FlowWorkflow, CallActivity and EmitActivity on w.
func (fs *Flows) Register(w worker.Registry) {
	w.RegisterWorkflowWithOptions(fs.FlowWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	w.RegisterActivityWithOptions(fs.CallActivity, activity.RegisterOptions{Name: CallActivityName})
	w.RegisterActivityWithOptions(fs.EmitActivity, activity.RegisterOptions{Name: EmitActivityName})
}

// Plan returns the worker's compiled flow of the given id.
func (fs *Flows) Plan(id string) *engine.Plan { return fs.plans[id] }

// WorkflowID is the id of a new workflow of the flow: the flow's id and a
// new run id.
func WorkflowID(flowID string) string { return flowID + "-" + uuid.NewString() }

// TaskGUID is the task GUID (and idempotency key) of the call step seq of
// node in workflow wfID: the same on every attempt and every worker.
func TaskGUID(wfID, node string, seq int) string {
	return uuid.NewHash(sha1.New(), guidSpace, fmt.Appendf(nil, "%s\x00%s\x00%d", wfID, node, seq), 5).String()
}

// EventWorkflowID is the id of the workflow of flow flowID started by the
// seq-th event (from 1) that workflow wfID raised.
func EventWorkflowID(wfID string, seq int, flowID string) string {
	return flowID + "-" + uuid.NewHash(sha1.New(), guidSpace, fmt.Appendf(nil, "%s\x00event\x00%d\x00%s", wfID, seq, flowID), 5).String()
}

// guidSpace is the UUID namespace of task GUIDs and event workflow ids.
var guidSpace = uuid.MustParse("5b0c1f8e-6f43-4c1e-9a55-1f7d2f5e1a01")

// FlowWorkflow runs a flow: the engine's run loop on the workflow's clock,
// calls as CallActivity, raised events through EmitActivity. Its result is
// the run (steps, ports, attempts, decisions, outcome), which `flowbench
// start --wait --json` prints as `flowbench run --json` does.
func (fs *Flows) FlowWorkflow(ctx workflow.Context, in FlowInput) (*engine.Result, error) {
	if v := workflow.GetVersion(ctx, interpreterChange, workflow.DefaultVersion, interpreterVersion); v != interpreterVersion {
		return nil, sdktemporal.NewNonRetryableApplicationError(
			fmt.Sprintf("this history was recorded by interpreter version %d, which this worker no longer runs; finish it with an older worker", v), ErrUnknownFlow, nil)
	}
	f := fs.flows[in.FlowID]
	if f == nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(
			fmt.Sprintf("this worker has no flow with id %q; start the worker with --flows holding it", in.FlowID), ErrUnknownFlow, nil)
	}
	newID := func() string {
		var id string
		if err := workflow.SideEffect(ctx, func(workflow.Context) any { return uuid.NewString() }).Get(&id); err != nil {
			panic(err) // a side effect's recorded string always decodes
		}
		return id
	}
	// now() and uuid() of this run's expressions read the workflow's clock
	// and recorded side effects, so a replay sees the same values.
	env, err := expr.NewEnv(expr.Options{Now: func() time.Time { return workflow.Now(ctx) }, UUID: newID})
	if err != nil {
		return nil, err
	}
	plan, err := engine.CompileWith(env, f, fs.opts.Connections)
	if err != nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(fmt.Sprintf("flow %q does not compile: %v", f.Name, err), ErrUnknownFlow, nil)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	workflow.Go(ctx, func(g workflow.Context) {
		g.Done().Receive(g, nil)
		cancel()
	})
	raised := 0
	r := engine.NewHookedRunner(engine.Options{
		Clock: &workflowClock{ctx: ctx, cancel: cancel}, NewID: newID,
		Rand: func() float64 { return 0 }, Getenv: func(string) string { return "" },
		Env: fs.opts.Env, EnvName: fs.opts.EnvName,
	}, engine.Hooks{
		Call: func(_ context.Context, c engine.CallRequest) engine.CallOutcome {
			return fs.call(ctx, in.FlowID, plan.Call(c.Node), c)
		},
		Raise: func(_ context.Context, ev flow.RaisedEvent) error {
			raised++
			actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute,
				RetryPolicy: &sdktemporal.RetryPolicy{MaximumAttempts: 5}})
			var out EmitResult
			return workflow.ExecuteActivity(actx, EmitActivityName, EmitInput{Event: ev, Seq: raised, Depth: in.Depth}).Get(ctx, &out)
		},
	})
	defer r.Close()
	res, err := r.Run(runCtx, plan, engine.Input{
		RunID: workflow.GetInfo(ctx).WorkflowExecution.ID, Trigger: in.Trigger, Env: in.Env, EnvName: in.EnvName,
		Source: in.Source, ParentRunID: in.ParentRunID,
	})
	if err != nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), "flowbench.BadInput", nil)
	}
	return res, nil
}

// ActivityOptions are the activity options of a call: the retry policy from
// the call's retry (attempts, initial and max interval, backoff rate; what
// retry.on leaves out fails non-retryable), start-to-close from its timeout
// (or the connection's, else engine.DefaultTimeout) and schedule-to-close
// from its deadline.
func ActivityOptions(cl *flow.Call, connTimeout time.Duration) workflow.ActivityOptions {
	timeout := engine.DefaultTimeout
	if connTimeout > 0 {
		timeout = connTimeout
	}
	rp := &sdktemporal.RetryPolicy{MaximumAttempts: 1, InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second}
	ao := workflow.ActivityOptions{RetryPolicy: rp}
	if cl != nil {
		if cl.Timeout > 0 {
			timeout = cl.Timeout.D()
		}
		if r := cl.Retry; r != nil {
			if r.MaxAttempts > 1 {
				rp.MaximumAttempts = int32(r.MaxAttempts)
			}
			if r.InitialInterval > 0 {
				rp.InitialInterval = r.InitialInterval.D()
			}
			if r.BackoffRate >= 1 {
				rp.BackoffCoefficient = r.BackoffRate
			}
			if r.MaxInterval > 0 {
				rp.MaximumInterval = r.MaxInterval.D()
			}
		}
		if cl.Deadline > 0 {
			ao.ScheduleToCloseTimeout = cl.Deadline.D()
		}
	}
	if rp.MaximumInterval < rp.InitialInterval {
		rp.MaximumInterval = rp.InitialInterval
	}
	ao.StartToCloseTimeout = timeout + attemptGrace
	return ao
}

// call performs one call step as CallActivity and turns how it ended into
// the engine's outcome.
func (fs *Flows) call(ctx workflow.Context, flowID string, cl *flow.Call, c engine.CallRequest) engine.CallOutcome {
	var connTimeout time.Duration
	if cl != nil {
		if i := slices.IndexFunc(fs.opts.Connections, func(cn flow.Connection) bool { return cn.Name == cl.Connection }); i >= 0 {
			connTimeout = fs.opts.Connections[i].Timeout.D()
		}
	}
	ao := ActivityOptions(cl, connTimeout)
	actx := workflow.WithActivityOptions(ctx, ao)
	var res engine.AttemptResult
	err := workflow.ExecuteActivity(actx, CallActivityName, CallInput{FlowID: flowID, Call: c}).Get(ctx, &res)
	return Outcome(err, res, cl, ao)
}

// Outcome turns how a CallActivity ended (its error, else its result) into
// the call step's outcome: the last attempt's answer, or why there is none.
func Outcome(err error, res engine.AttemptResult, cl *flow.Call, ao workflow.ActivityOptions) engine.CallOutcome {
	if err == nil {
		return engine.CallOutcome{Attempts: res.Exchange.Attempt, Exchanges: []flow.Exchange{res.Exchange}, Response: res.Response, Error: res.Error}
	}
	var last engine.AttemptResult
	haveLast := false
	var app *sdktemporal.ApplicationError
	if errors.As(err, &app) && app.Type() == ErrCallFailed && app.HasDetails() && app.Details(&last) == nil {
		haveLast = true
	}
	out := engine.CallOutcome{}
	if haveLast {
		out = engine.CallOutcome{Attempts: last.Exchange.Attempt, Exchanges: []flow.Exchange{last.Exchange}, Response: last.Response, Error: last.Error}
	}
	var to *sdktemporal.TimeoutError
	var canceled *sdktemporal.CanceledError
	switch {
	case errors.As(err, &to) && to.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE:
		d := ao.ScheduleToCloseTimeout
		if cl != nil && cl.Deadline > 0 {
			d = cl.Deadline.D()
		}
		out.Error = fmt.Sprintf("the step's %s deadline (call.deadline) passed; raise call.deadline, or lower call.timeout or call.retry", d)
		out.Response = nil
	case errors.As(err, &to):
		out.Error = fmt.Sprintf("no answer within the call's %s timeout; raise call.timeout or check the endpoint", ao.StartToCloseTimeout-attemptGrace)
		out.Response = nil
	case errors.As(err, &canceled):
		out.Error = "the run was stopped"
	case !haveLast:
		out.Error = err.Error()
	}
	if out.Attempts == 0 {
		out.Attempts = 1
	}
	return out
}

// CallActivity makes one attempt of a call step with the worker's runner.
// A 2xx answer is its result; any other outcome is an ErrCallFailed error
// holding the attempt, retryable exactly when the flow's retry.on retries
// it (a Retry-After answer sets the next retry's delay).
func (fs *Flows) CallActivity(ctx context.Context, in CallInput) (engine.AttemptResult, error) {
	info := activity.GetInfo(ctx)
	p := fs.plans[in.FlowID]
	if p == nil {
		return engine.AttemptResult{}, sdktemporal.NewNonRetryableApplicationError(
			fmt.Sprintf("this worker has no flow with id %q; deploy the same flow files to every worker", in.FlowID), ErrUnknownFlow, nil)
	}
	guid := TaskGUID(info.WorkflowExecution.ID, in.Call.Node, in.Call.Seq)
	res := fs.opts.Runner.CallAttempt(ctx, p, in.Call, int(info.Attempt), guid)
	if res.Succeeded {
		return res, nil
	}
	msg := res.Error
	if msg == "" && res.Response != nil {
		msg = fmt.Sprintf("HTTP %d", res.Response.Status)
	}
	return engine.AttemptResult{}, sdktemporal.NewApplicationErrorWithOptions(
		fmt.Sprintf("node %q attempt %d: %s", in.Call.Node, info.Attempt, msg), ErrCallFailed,
		sdktemporal.ApplicationErrorOptions{NonRetryable: !res.Retryable, Details: []any{res}, NextRetryDelay: res.RetryAfter})
}

// EmitActivity starts a workflow for each flow listening to the event, with
// an id derived from the raising workflow and the event's number, so a
// retried activity starts nothing twice.
func (fs *Flows) EmitActivity(ctx context.Context, in EmitInput) (EmitResult, error) {
	listeners := engine.Listeners(fs.list, in.Event.Name)
	if len(listeners) == 0 {
		return EmitResult{}, nil
	}
	if in.Depth+1 >= maxEventDepth {
		return EmitResult{Refused: fmt.Sprintf("event %q was not delivered: flows started by each other's events went %d deep; break the loop, for example with a decision before the emit", in.Event.Name, in.Depth+1)}, nil
	}
	if fs.opts.Client == nil {
		return EmitResult{}, sdktemporal.NewNonRetryableApplicationError(fmt.Sprintf("event %q has listening flows but this worker has no Temporal client to start them", in.Event.Name), "flowbench.NoClient", nil)
	}
	wfID := activity.GetInfo(ctx).WorkflowExecution.ID
	var out EmitResult
	for _, p := range listeners {
		id := EventWorkflowID(wfID, in.Seq, p.Flow.ID)
		_, err := fs.opts.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: id, TaskQueue: fs.opts.TaskQueue,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, WorkflowName, FlowInput{
			FlowID: p.Flow.ID, Trigger: in.Event.Payload, Source: "event:" + in.Event.Name,
			ParentRunID: in.Event.RunID, Depth: in.Depth + 1,
		})
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if err != nil && !errors.As(err, &started) {
			return out, fmt.Errorf("start flow %q for event %q: %w", p.Flow.Name, in.Event.Name, err)
		}
		out.Started = append(out.Started, id)
	}
	return out, nil
}
