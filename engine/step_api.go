package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// This file is the engine's API for hosts that run a plan's side effects
// elsewhere: package temporal interprets a plan in a Temporal workflow (the
// engine's own run loop, with a workflow clock) and performs each call step
// as an activity, one HTTP attempt per activity attempt, on a worker's
// Runner (CallAttempt). Requests, auth, signing, redaction, the response
// cap, branches and saveTo are the engine's code either way.

// Hooks replace a Runner's side effects. The zero value replaces nothing.
type Hooks struct {
	// Call performs a call step in place of the runner's HTTP client: all
	// its attempts, retried as the flow says. The run goes on with the
	// outcome as it would with the answer of the last attempt.
	Call func(ctx context.Context, c CallRequest) CallOutcome
	// Raise is told of each event the run raises (emit nodes, completion
	// events), after it is recorded; an error fails the raising step.
	Raise func(ctx context.Context, ev flow.RaisedEvent) error
}

// NewHookedRunner returns a Runner whose calls and raised events go through
// h. Its Options need no connections: calls are the hook's to make.
func NewHookedRunner(opts Options, h Hooks) *Runner {
	r := NewRunner(opts)
	r.hooks = h
	return r
}

// CallRequest is what a call step needs to be performed elsewhere: the run,
// the node, the step's place in the run, and the expression context the
// request is built from (a JSON-safe copy: vars, steps, trigger, run, flow,
// env).
type CallRequest struct {
	RunID string `json:"runId"`
	Node  string `json:"node"`
	// Seq is the step's number in the run (1-based), so each visit of a node
	// in a loop is a step of its own.
	Seq        int              `json:"seq"`
	Activation *expr.Activation `json:"activation"`
}

// CallOutcome is how a call step's attempts ended.
type CallOutcome struct {
	// Exchanges are the attempts recorded (at least the last one).
	Exchanges []flow.Exchange `json:"exchanges,omitempty"`
	// Attempts is how many attempts were made.
	Attempts int `json:"attempts"`
	// Response is the last attempt's answer, when one arrived.
	Response *Response `json:"response,omitempty"`
	// Error says why the step got no usable answer (no response, a body
	// over the cap, a deadline); empty when Response's status decides.
	Error string `json:"error,omitempty"`
}

// Response is an HTTP answer as a call step received it: the body is what
// was read, up to the response cap.
type Response struct {
	Status int         `json:"status"`
	Header http.Header `json:"header,omitempty"`
	Body   []byte      `json:"body,omitempty"`
}

// AttemptResult is one attempt of a call step made by CallAttempt.
type AttemptResult struct {
	// Exchange is the attempt's record (redacted as every record is).
	Exchange flow.Exchange `json:"exchange"`
	// Response is the answer, when one arrived.
	Response *Response `json:"response,omitempty"`
	// Error says why there is no usable answer; empty when Response's
	// status decides (2xx succeeds, any other status fails the step).
	Error string `json:"error,omitempty"`
	// Succeeded says the attempt got a 2xx answer within the cap.
	Succeeded bool `json:"succeeded"`
	// Retryable says the flow's retry rule (call.retry.on) tries again
	// after this attempt; the attempt count is the caller's to bound.
	Retryable bool `json:"retryable"`
	// RetryAfter is the wait the answer's Retry-After header asks for.
	RetryAfter time.Duration `json:"retryAfter,omitempty"`
}

// CallAttempt makes one attempt of the call step of in.Node on r's
// connections: the request built from in.Activation with run.attempt set to
// attempt and the task GUID (and idempotency key) guid, sent with the
// connection's auth and signing, bounded by the call's timeout, the body
// read up to the cap. A 401 forces one token refresh and one more try, as
// a local run does. It does not wait or retry: the caller does.
func (r *Runner) CallAttempt(ctx context.Context, p *Plan, in CallRequest, attempt int, guid string) AttemptResult {
	s := p.steps[in.Node]
	if s == nil || s.node.Call == nil {
		return AttemptResult{Error: fmt.Sprintf("flow %q has no call node %q; deploy the same flow files to every worker", p.Flow.Name, in.Node)}
	}
	cl := s.node.Call
	act := in.Activation
	if act == nil {
		act = &expr.Activation{}
	}
	run := make(map[string]any, len(act.Run)+1)
	for k, v := range act.Run {
		run[k] = v
	}
	run["attempt"] = int64(attempt)
	a := *act
	a.Run = run
	x := &execution{r: r, p: p, run: &flow.Run{ID: in.RunID, FlowID: p.Flow.ID, FlowName: p.Flow.Name}, ctx: ctx, act: &a, stepCtx: p.readsSteps}
	ex := flow.Exchange{Attempt: attempt, TaskGUID: guid}
	st, err := x.stepConnection(s)
	if err != nil {
		ex.Error = err.Error()
		return AttemptResult{Exchange: ex, Error: err.Error()}
	}
	timeout := st.timeout
	if cl.Timeout > 0 {
		timeout = cl.Timeout.D()
	}
	actx, cancel := context.WithTimeoutCause(ctx, timeout, errAttemptTimeout)
	defer cancel()
	req, err := x.buildRequest(actx, s, st, guid)
	if err != nil {
		ex.Error = err.Error()
		return AttemptResult{Exchange: ex, Error: err.Error()}
	}
	ex.TaskGUID = req.guid
	resp, err := x.send(actx, st, &req, &ex)
	failure := x.classify(actx, err, false)
	if failure == failNone && resp.status == http.StatusUnauthorized && st.auth.Refresh(actx) {
		// One forced token refresh and one more try, not counted as a retry.
		ex = flow.Exchange{Attempt: attempt, TaskGUID: req.guid}
		resp, err = x.send(actx, st, &req, &ex)
		failure = x.classify(actx, err, false)
	}
	out := AttemptResult{Exchange: ex}
	status := 0
	if resp != nil {
		status = resp.status
		out.Response = &Response{Status: resp.status, Header: resp.header, Body: append([]byte(nil), resp.body...)}
		if ra, ok := retryAfter(resp.header, r.opts.Now()); ok {
			out.RetryAfter = ra
		}
	}
	switch failure {
	case failNone:
		out.Succeeded = status >= 200 && status < 300
	case failTimeout:
		out.Error = fmt.Sprintf("no answer within the call's %s timeout; raise call.timeout or check the endpoint", timeout)
	default:
		out.Error = describeSendError(ctx, err, failure, st)
	}
	out.Retryable = !out.Succeeded && shouldRetry(cl.Retry.Rule(), status, failure)
	return out
}

// hookedCall performs a call step through the Call hook and goes on as
// call does with the last attempt's answer.
func (x *execution) hookedCall(s *step, rec *flow.Step) stepResult {
	out := x.r.hooks.Call(x.ctx, CallRequest{RunID: x.run.ID, Node: s.node.ID, Seq: rec.Seq, Activation: x.act})
	rec.Exchanges = append(rec.Exchanges, out.Exchanges...)
	rec.Attempts = out.Attempts
	var resp *response
	if out.Response != nil {
		resp = &response{status: out.Response.Status, header: out.Response.Header, body: out.Response.Body}
		if resp.header == nil {
			resp.header = http.Header{}
		}
	}
	if out.Error != "" {
		msg := out.Error
		if out.Attempts > 1 {
			msg = fmt.Sprintf("%s (after %d attempts)", msg, out.Attempts)
		}
		if resp != nil {
			return x.callFailed(s, rec, resp.status, resp, msg)
		}
		return x.callFailed(s, rec, 0, nil, msg)
	}
	if resp == nil {
		return x.callFailed(s, rec, 0, nil, "the call got no answer and no error; this is a bug in the host running the flow")
	}
	if resp.status < 200 || resp.status >= 300 {
		return x.callFailed(s, rec, resp.status, resp, httpFailureMessage(resp, out.Attempts))
	}
	return x.callSucceeded(s, rec, resp)
}

// httpFailureMessage says why a call whose last answer was not 2xx failed.
func httpFailureMessage(resp *response, attempts int) string {
	msg := fmt.Sprintf("HTTP %d %s", resp.status, http.StatusText(resp.status))
	if attempts > 1 {
		msg = fmt.Sprintf("HTTP %d after %d attempts", resp.status, attempts)
	}
	if snippet := errorSnippet(resp.body); snippet != "" {
		msg += ": " + snippet
	}
	return msg
}

// Listeners returns the plans among plans whose start node listens to the
// named event, as a Runner's event bus finds them.
func Listeners(plans []*Plan, event string) []*Plan {
	e := &Events{plans: plans}
	return e.Listeners(event)
}

// Call returns the call of the plan's node id as the plan runs it (a named
// request resolved), or nil when the node is not a call.
func (p *Plan) Call(id string) *flow.Call {
	if s := p.steps[id]; s != nil {
		return s.node.Call
	}
	return nil
}

// UnmarshalJSON reads a CallRequest as the engine reads JSON: integers as
// int64 and other numbers as float64, so expressions see int and double as
// they did where the request was made.
func (c *CallRequest) UnmarshalJSON(b []byte) error {
	type plain CallRequest
	var raw struct {
		plain
		Activation *struct {
			Vars, Steps, Trigger, Run, Flow, Env json.RawMessage
		} `json:"activation"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = CallRequest(raw.plain)
	if raw.Activation == nil {
		c.Activation = nil
		return nil
	}
	a := &expr.Activation{}
	var err error
	obj := func(m json.RawMessage) map[string]any {
		v := decodeRaw(m, &err)
		o, _ := v.(map[string]any)
		return o
	}
	a.Vars, a.Steps, a.Run = obj(raw.Activation.Vars), obj(raw.Activation.Steps), obj(raw.Activation.Run)
	a.Flow, a.Env = obj(raw.Activation.Flow), obj(raw.Activation.Env)
	a.Trigger = decodeRaw(raw.Activation.Trigger, &err)
	c.Activation = a
	return err
}

// decodeRaw decodes m with decodeJSON (nil for absent or null), keeping the
// first error in *err.
func decodeRaw(m json.RawMessage, err *error) any {
	if len(m) == 0 || string(m) == "null" {
		return nil
	}
	v, e := decodeJSON(m)
	if e != nil && *err == nil {
		*err = e
	}
	return v
}

// startElsewhere answers a webhook request whose run WebhookOptions.Start
// starts elsewhere: 202 with the run's id once it is accepted.
func (w *WebhookServer) startElsewhere(rw http.ResponseWriter, req *http.Request, rec *WebhookRequest, p *Plan, in Input, deliveryID string, answer func(int, any)) {
	id, err := w.opts.Start(req.Context(), p, in)
	if err != nil {
		rw.Header().Set("Retry-After", webhookRetryAfter)
		answer(http.StatusServiceUnavailable, map[string]string{"error": fmt.Sprintf("the run of flow %q could not be started: %v; send the request again later", p.Flow.Name, err)})
		return
	}
	rec.RunID = id
	if deliveryID != "" {
		now := w.runner.opts.Now()
		if err := w.opts.IDs.RememberWebhook(context.WithoutCancel(req.Context()), req.URL.Path, deliveryID, id, "started", now, w.expiry(req.Header, now)); err != nil {
			rec.Verified += "; the webhook-id could not be remembered, so a repeat would start another run: " + err.Error()
		}
	}
	answer(http.StatusAccepted, map[string]any{"runId": id, "flow": p.Flow.Name, "status": "started"})
}
