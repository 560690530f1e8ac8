package temporal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

// everyKind is start → set → decision → delay → call → emit → end, with the
// decision's default path and the call's failure path ending elsewhere.
func everyKind() *flow.Flow {
	d := func(s string) flow.Duration { v, _ := time.ParseDuration(s); return flow.Duration(v) }
	return &flow.Flow{Format: flow.Format, ID: "kinds", Name: "kinds", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerManual}},
		{ID: "set", Kind: flow.KindSet, Assign: []flow.Assignment{{Name: "n", Value: "trigger.n * 2"}, {Name: "at", Value: "string(now())"}, {Name: "id", Value: "uuid()"}}},
		{ID: "pick", Kind: flow.KindDecision, Cases: []flow.Case{{Port: "big", When: "vars.n > 5"}}},
		{ID: "wait", Kind: flow.KindDelay, Duration: `"1h"`},
		{ID: "ask", Kind: flow.KindCall, Call: &flow.Call{Connection: "api", Method: "POST", URI: `"/ask"`, Body: `{"n": vars.n}`,
			Branches: []string{"yes"}, SaveTo: "answer", Timeout: d("3s"), Deadline: d("1m"),
			Retry: &flow.Retry{MaxAttempts: 3, InitialInterval: d("10ms"), MaxInterval: d("20ms"), BackoffRate: 1.5, On: []string{"5xx"}}}},
		{ID: "tell", Kind: flow.KindEmit, Event: "told", Payload: `{"n": vars.n}`},
		{ID: "done", Kind: flow.KindEnd, Outcome: "big"},
		{ID: "small", Kind: flow.KindEnd, Outcome: "small"},
		{ID: "failed", Kind: flow.KindEnd, Outcome: "failed"},
	}, Edges: []flow.Edge{
		{From: "start", To: "set"}, {From: "set", To: "pick"}, {From: "pick", Port: "big", To: "wait"},
		{From: "pick", Port: flow.PortDefault, To: "small"}, {From: "wait", To: "ask"},
		{From: "ask", Port: "yes", To: "tell"}, {From: "ask", Port: flow.PortDefault, To: "small"},
		{From: "ask", Port: flow.PortFailure, To: "failed"}, {From: "tell", To: "done"},
	}}
}

var apiConn = []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: "http://127.0.0.1:1", Auth: flow.Auth{Type: flow.AuthNone}}}

func newFlows(t *testing.T, flows ...*flow.Flow) *Flows {
	t.Helper()
	r := engine.NewRunner(engine.Options{Connections: apiConn})
	t.Cleanup(r.Close)
	fs, err := New(flows, Options{Runner: r, Connections: apiConn})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func ok200(body string) engine.AttemptResult {
	return engine.AttemptResult{Succeeded: true, Exchange: flow.Exchange{Attempt: 1, Status: 200},
		Response: &engine.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}}
}

func runWorkflow(t *testing.T, fs *Flows, trigger string, setup func(env *testsuite.TestWorkflowEnvironment)) *engine.Result {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	fs.Register(env)
	env.SetStartTime(time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC))
	setup(env)
	env.ExecuteWorkflow(WorkflowName, FlowInput{FlowID: "kinds", Trigger: json.RawMessage(trigger), Source: "cli"})
	if !env.IsWorkflowCompleted() {
		t.Fatal("the workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var res engine.Result
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return &res
}

func ports(res *engine.Result) []string {
	var out []string
	for _, s := range res.Steps {
		out = append(out, s.Node+":"+s.Port)
	}
	return out
}

func TestWorkflowRunsEveryKind(t *testing.T) {
	fs := newFlows(t, everyKind())
	var calls []CallInput
	var emits []EmitInput
	res := runWorkflow(t, fs, `{"n": 4}`, func(env *testsuite.TestWorkflowEnvironment) {
		env.OnActivity(CallActivityName, mock.Anything, mock.Anything).Return(func(_ context.Context, in CallInput) (engine.AttemptResult, error) {
			calls = append(calls, in)
			return ok200(`{"returnValue": "yes"}`), nil
		})
		env.OnActivity(EmitActivityName, mock.Anything, mock.Anything).Return(func(_ context.Context, in EmitInput) (EmitResult, error) {
			emits = append(emits, in)
			return EmitResult{}, nil
		})
	})
	if res.Run.Status != flow.StatusSucceeded || res.Run.Outcome != "big" {
		t.Fatalf("run %s %q: %s", res.Run.Status, res.Run.Outcome, res.Run.Error)
	}
	want := []string{"start:next", "set:next", "pick:big", "wait:next", "ask:yes", "tell:next", "done:"}
	if got := ports(res); !equal(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	if res.Steps[3].Decision != "waited 1h0m0s" || res.Steps[3].DurationMs != time.Hour.Milliseconds() {
		t.Errorf("delay step %+v", res.Steps[3])
	}
	if res.Vars["at"] != "2026-12-01T06:00:00Z" {
		t.Errorf("now() gave %v, want the workflow's start time", res.Vars["at"])
	}
	if id, _ := res.Vars["id"].(string); len(id) != 36 {
		t.Errorf("uuid() gave %v", res.Vars["id"])
	}
	if res.Vars["answer"] != "yes" || res.Steps[4].Decision != `returnValue "yes" matched branch yes` {
		t.Errorf("call step %+v vars %v", res.Steps[4], res.Vars)
	}
	if len(calls) != 1 || calls[0].Call.Node != "ask" || calls[0].Call.Seq != 5 || calls[0].Call.Activation.Vars["n"] != float64(8) && calls[0].Call.Activation.Vars["n"] != int64(8) {
		t.Errorf("calls %+v", calls)
	}
	if len(emits) != 1 || emits[0].Event.Name != "told" || string(emits[0].Event.Payload) != `{"n":8}` || emits[0].Seq != 1 || res.Run.ID == "" || emits[0].Event.RunID != res.Run.ID {
		t.Errorf("emits %+v", emits)
	}
	if res.Run.StartedAt.Format(time.RFC3339) != "2026-12-01T06:00:00Z" || res.Run.DurationMs != time.Hour.Milliseconds() {
		t.Errorf("run times %v %d", res.Run.StartedAt, res.Run.DurationMs)
	}
}

func TestWorkflowTakesTheDecisionsDefault(t *testing.T) {
	res := runWorkflow(t, newFlows(t, everyKind()), `{"n": 1}`, func(*testsuite.TestWorkflowEnvironment) {})
	if got, want := ports(res), []string{"start:next", "set:next", "pick:default", "small:"}; !equal(got, want) || res.Run.Outcome != "small" {
		t.Fatalf("steps %v outcome %q", got, res.Run.Outcome)
	}
	if res.Steps[2].Decision != "no condition is true: default path" {
		t.Errorf("decision %q", res.Steps[2].Decision)
	}
}

// A 503 is retried by Temporal with the flow's policy; the third attempt's
// answer decides, and the step counts three attempts.
func TestWorkflowRetriesWhatRetryOnRetries(t *testing.T) {
	fs := newFlows(t, everyKind())
	attempts := 0
	res := runWorkflow(t, fs, `{"n": 9}`, func(env *testsuite.TestWorkflowEnvironment) {
		env.OnActivity(CallActivityName, mock.Anything, mock.Anything).Return(func(_ context.Context, in CallInput) (engine.AttemptResult, error) {
			attempts++
			if attempts < 3 {
				r := engine.AttemptResult{Retryable: true, Exchange: flow.Exchange{Attempt: attempts, Status: 503}, Response: &engine.Response{Status: 503, Body: []byte("busy")}}
				return engine.AttemptResult{}, sdktemporal.NewApplicationErrorWithOptions("HTTP 503", ErrCallFailed, sdktemporal.ApplicationErrorOptions{Details: []any{r}})
			}
			r := ok200(`{"returnValue": "no"}`)
			r.Exchange.Attempt = attempts
			return r, nil
		})
	})
	if attempts != 3 {
		t.Fatalf("the activity ran %d times, want 3", attempts)
	}
	ask := res.Steps[4]
	if ask.Attempts != 3 || ask.Port != flow.PortDefault || ask.Status != flow.StatusSucceeded || res.Run.Outcome != "small" {
		t.Fatalf("ask %+v outcome %q", ask, res.Run.Outcome)
	}
}

// A 404 (outside retry.on) fails non-retryable at once and leaves by the
// failure port with the engine's message; a 503 on every attempt fails
// after the flow's three.
func TestWorkflowFailsWhatRetryOnLeavesOut(t *testing.T) {
	for _, tc := range []struct {
		status    int
		retryable bool
		attempts  int
		err       string
	}{
		{404, false, 1, "HTTP 404 Not Found: nope"},
		{503, true, 3, "HTTP 503 after 3 attempts: nope"},
	} {
		fs := newFlows(t, everyKind())
		n := 0
		res := runWorkflow(t, fs, `{"n": 9}`, func(env *testsuite.TestWorkflowEnvironment) {
			env.OnActivity(CallActivityName, mock.Anything, mock.Anything).Return(func(_ context.Context, in CallInput) (engine.AttemptResult, error) {
				n++
				r := engine.AttemptResult{Retryable: tc.retryable, Exchange: flow.Exchange{Attempt: n, Status: tc.status}, Response: &engine.Response{Status: tc.status, Body: []byte("nope")}}
				return engine.AttemptResult{}, sdktemporal.NewApplicationErrorWithOptions("HTTP", ErrCallFailed, sdktemporal.ApplicationErrorOptions{NonRetryable: !tc.retryable, Details: []any{r}})
			})
		})
		ask := res.Steps[4]
		if n != tc.attempts || ask.Attempts != tc.attempts || ask.Port != flow.PortFailure || ask.Error != tc.err || ask.HTTPStatus != tc.status || res.Run.Outcome != "failed" {
			t.Errorf("%d: %d activity runs, step %+v", tc.status, n, ask)
		}
	}
}

func TestActivityOptionsFollowTheFlowsRetry(t *testing.T) {
	ao := ActivityOptions(everyKind().Node("ask").Call, 0)
	rp := ao.RetryPolicy
	if rp.MaximumAttempts != 3 || rp.InitialInterval != 10*time.Millisecond || rp.MaximumInterval != 20*time.Millisecond || rp.BackoffCoefficient != 1.5 {
		t.Errorf("retry policy %+v", rp)
	}
	if ao.StartToCloseTimeout != 3*time.Second+attemptGrace || ao.ScheduleToCloseTimeout != time.Minute {
		t.Errorf("timeouts %v %v", ao.StartToCloseTimeout, ao.ScheduleToCloseTimeout)
	}
	ao = ActivityOptions(&flow.Call{}, 7*time.Second)
	if ao.RetryPolicy.MaximumAttempts != 1 || ao.StartToCloseTimeout != 7*time.Second+attemptGrace || ao.ScheduleToCloseTimeout != 0 {
		t.Errorf("no retry: %+v %v", ao.RetryPolicy, ao.StartToCloseTimeout)
	}
}

func TestTaskGUIDIsTheSameForTheSameStep(t *testing.T) {
	a, b := TaskGUID("wf-1", "ask", 5), TaskGUID("wf-1", "ask", 5)
	if a != b || a == TaskGUID("wf-2", "ask", 5) || a == TaskGUID("wf-1", "ask", 6) || a == TaskGUID("wf-1", "other", 5) {
		t.Errorf("guids %s %s", a, b)
	}
}

func TestOutcomeOfATimedOutDeadline(t *testing.T) {
	cl := everyKind().Node("ask").Call
	err := sdktemporal.NewTimeoutError(0, nil) // unspecified: treated as the attempt's timeout
	out := Outcome(err, engine.AttemptResult{}, cl, ActivityOptions(cl, 0))
	if out.Error != "no answer within the call's 3s timeout; raise call.timeout or check the endpoint" || out.Response != nil {
		t.Errorf("timeout outcome %+v", out)
	}
	if out := Outcome(errors.New("boom"), engine.AttemptResult{}, cl, workflow.ActivityOptions{}); out.Error != "boom" || out.Attempts != 1 {
		t.Errorf("other error %+v", out)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
