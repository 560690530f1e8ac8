package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/engine/webhook"
	"github.com/flowbench/flowbench/flow"
)

// A hooked runner sends nothing itself: the Call hook's outcome decides the
// step as the last attempt's answer would, with the engine's messages,
// branches and saveTo; raised events reach the Raise hook.
func TestHookedRunnerGoesOnFromTheHooksOutcome(t *testing.T) {
	f := linear(
		callNode("ask", flow.Call{Method: "GET", URI: `"/x"`, SaveTo: "answer", CompletionEvent: "asked"}),
		callNode("fail", flow.Call{Method: "GET", URI: `"/y"`}),
	)
	f.Edges = append(f.Edges, flow.Edge{From: "fail", Port: flow.PortFailure, To: "end"})
	var calls []CallRequest
	var raised []string
	r := NewHookedRunner(Options{}, Hooks{
		Call: func(_ context.Context, c CallRequest) CallOutcome {
			calls = append(calls, c)
			if c.Node == "ask" {
				return CallOutcome{Attempts: 1, Exchanges: []flow.Exchange{{Attempt: 1, Status: 200}},
					Response: &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"returnValue": "yes"}`)}}
			}
			return CallOutcome{Attempts: 3, Exchanges: []flow.Exchange{{Attempt: 3, Status: 503}},
				Response: &Response{Status: 503, Body: []byte(`busy`)}}
		},
		Raise: func(_ context.Context, ev flow.RaisedEvent) error {
			raised = append(raised, ev.Name+" "+string(ev.Payload))
			return nil
		},
	})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, nil), `{"chatId": "c1"}`)
	if res.Run.Status != flow.StatusSucceeded || res.Run.Outcome != "done" {
		t.Fatalf("run %s %q: %s", res.Run.Status, res.Run.Outcome, res.Run.Error)
	}
	if len(calls) != 2 || calls[0].Node != "ask" || calls[0].Seq != 2 || calls[1].Seq != 3 || calls[0].RunID != res.Run.ID {
		t.Fatalf("calls = %+v", calls)
	}
	if got := calls[0].Activation.Trigger.(map[string]any)["chatId"]; got != "c1" {
		t.Errorf("the hook's activation has trigger.chatId %v, want c1", got)
	}
	ask, fail := stepOf(t, res, "ask"), stepOf(t, res, "fail")
	if ask.ReturnValue != "yes" || ask.HTTPStatus != 200 || res.Vars["answer"] != "yes" {
		t.Errorf("ask = %+v, vars %v", ask, res.Vars)
	}
	if fail.Status != flow.StatusFailed || fail.Port != flow.PortFailure || fail.Attempts != 3 || fail.Error != "HTTP 503 after 3 attempts: busy" {
		t.Errorf("fail = %+v", fail)
	}
	if len(raised) != 1 || raised[0] != `asked {"body":{"returnValue":"yes"},"node":"ask","returnValue":"yes","saved":{"answer":"yes"},"status":200}` {
		t.Errorf("raised = %q", raised)
	}
}

// CallAttempt makes exactly one attempt with the given task GUID, with
// run.attempt set, and says whether the flow's rule retries its answer.
func TestCallAttemptMakesOneAttemptWithTheGivenGUID(t *testing.T) {
	pr := newPeer(t)
	pr.script["/status/x"] = []int{503}
	f := linear(callNode("c", flow.Call{Method: "GET", URI: `"/status/x"`,
		Headers: []flow.Pair{{Key: `"X-Attempt"`, Value: `string(run.attempt)`}},
		Retry:   &flow.Retry{MaxAttempts: 3, On: []string{"5xx"}}}))
	conns := []flow.Connection{pr.conn("api")}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	p := mustCompile(t, f, conns)
	in := CallRequest{RunID: "wf-1", Node: "c", Seq: 2}
	got := r.CallAttempt(context.Background(), p, in, 2, "guid-1")
	if got.Succeeded || !got.Retryable || got.Response == nil || got.Response.Status != 503 || got.Exchange.Attempt != 2 || got.Exchange.TaskGUID != "guid-1" {
		t.Fatalf("first = %+v", got)
	}
	pr.script["/status/x"] = []int{404}
	got = r.CallAttempt(context.Background(), p, in, 3, "guid-1")
	if got.Succeeded || got.Retryable || got.Response.Status != 404 {
		t.Fatalf("a 404 outside on: %+v", got)
	}
	reqs := pr.received()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for i, rq := range reqs {
		if rq.Header.Get(HeaderTaskGUID) != "guid-1" || rq.Header.Get(HeaderIdempotencyKey) != "guid-1" || rq.Header.Get("X-Attempt") != []string{"2", "3"}[i] {
			t.Errorf("request %d headers %v", i, rq.Header)
		}
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var back AttemptResult
	if err := json.Unmarshal(b, &back); err != nil || back.Response.Status != 404 || back.Exchange.TaskGUID != "guid-1" {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	if miss := r.CallAttempt(context.Background(), p, CallRequest{Node: "nope"}, 1, "g"); miss.Error == "" || miss.Retryable {
		t.Errorf("an unknown node: %+v", miss)
	}
}

// A CallRequest read back from JSON keeps integers as int and other numbers
// as double, as a run's own values are.
func TestCallRequestJSONKeepsIntegers(t *testing.T) {
	in := CallRequest{RunID: "r", Node: "n", Seq: 4, Activation: &expr.Activation{
		Vars: map[string]any{"n": int64(3), "x": 1.5}, Trigger: map[string]any{"k": int64(7)},
		Run: map[string]any{"attempt": int64(1)}}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out CallRequest
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Seq != 4 || out.Node != "n" || out.Activation.Vars["n"] != int64(3) || out.Activation.Vars["x"] != 1.5 ||
		out.Activation.Trigger.(map[string]any)["k"] != int64(7) || out.Activation.Run["attempt"] != int64(1) || out.Activation.Steps != nil {
		t.Fatalf("round trip: %+v %+v", out, out.Activation)
	}
}

// With WebhookOptions.Start a verified request starts its run elsewhere and
// is answered 202 with the run's id; a repeated webhook-id gets that id and
// starts nothing; a refused start is a 503 with Retry-After.
func TestWebhookStartsTheRunElsewhere(t *testing.T) {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	now := time.Unix(1_700_000_000, 0)
	r := NewRunner(Options{Getenv: func(string) string { return secret }, Clock: clocktest.New(now)})
	defer r.Close()
	var started []Input
	fail := false
	ws := NewWebhookServer(r, WebhookOptions{Start: func(_ context.Context, p *Plan, in Input) (string, error) {
		if fail {
			return "", errors.New("cluster unreachable")
		}
		started = append(started, in)
		return fmt.Sprintf("wf-%d", len(started)), nil
	}})
	if err := ws.SetPlans([]*Plan{mustCompile(t, webhookFlow("Signed orders", "/hooks/orders", &flow.SecretRef{Env: "HOOK"}), nil)}); err != nil {
		t.Fatal(err)
	}
	if err := ws.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer ws.Stop(context.Background())
	body := []byte(`{"orderId": 42}`)
	post := func(id string) (int, http.Header, map[string]any) {
		req, _ := http.NewRequest("POST", ws.URL()+"/hooks/orders", bytes.NewReader(body))
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", fmt.Sprint(now.Unix()))
		req.Header.Set("webhook-signature", webhook.Sign(webhook.Key(secret), id, now.Unix(), body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, resp.Header, out
	}
	if code, _, out := post("msg_1"); code != http.StatusAccepted || out["runId"] != "wf-1" || out["status"] != "started" {
		t.Fatalf("first: %d %v", code, out)
	}
	if code, _, out := post("msg_1"); code != http.StatusOK || out["runId"] != "wf-1" || out["duplicate"] != true {
		t.Fatalf("repeat: %d %v", code, out)
	}
	if len(started) != 1 || string(started[0].Trigger) != string(body) || started[0].Source != "webhook:/hooks/orders" {
		t.Fatalf("started %+v", started)
	}
	fail = true
	if code, h, out := post("msg_2"); code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(out["error"].(string), "cluster unreachable") {
		t.Fatalf("refused: %d %v", code, out)
	}
}
