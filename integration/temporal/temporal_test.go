package temporal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/temporal"
)

const chatbot = "chatbot-vip-routing.flow.json"

// The bundled chatbot flow takes each of its branches on Temporal, and
// `start --wait --json` prints what `run --json` prints for the same flow
// and input, ids and timings aside.
func TestTemporalChatbotEveryBranchAsRunDoes(t *testing.T) {
	c := newCRM(t)
	dir, conns := files(t, c, map[string]string{chatbot: ""})
	flowFile := filepath.Join(dir, chatbot)
	q := "chatbot-" + t.Name()
	startWorker(t, "--flows", dir, "--connections", conns, "--task-queue", q)
	for _, tc := range []struct{ chat, port, outcome string }{
		{"vip-1", "vip", "routed"},
		{"std-1", "standard", "routed"},
		{"other-1", "default", "routed"},
		{"fail-1", "failure", "apology"},
	} {
		input := fmt.Sprintf(`{"chatId": %q, "name": "Ada"}`, tc.chat)
		local, stderr, code := flowbench(t, "run", flowFile, "--connections", conns, "--input", input, "--json", "--db", "")
		if stderr != "" && !strings.Contains(stderr, "warning") {
			t.Fatalf("%s: run: %s", tc.chat, stderr)
		}
		remote, stderr, rcode := flowbench(t, append([]string{"start", flowFile, "--task-queue", q, "--input", input, "--wait", "--json"}, cluster(t)...)...)
		if rcode != code {
			t.Fatalf("%s: start exit %d, run exit %d: %s", tc.chat, rcode, code, stderr)
		}
		l, r := normalized(t, local), normalized(t, remote)
		if !reflect.DeepEqual(l, r) {
			t.Errorf("%s: start --wait --json differs from run --json:\nrun:   %v\nstart: %v", tc.chat, l, r)
		}
		if r["outcome"] != tc.outcome {
			t.Errorf("%s: outcome %v, want %s", tc.chat, r["outcome"], tc.outcome)
		}
		lookup := r["steps"].([]any)[1].(map[string]any)
		if lookup["port"] != tc.port {
			t.Errorf("%s: lookup left by %v, want %s", tc.chat, lookup["port"], tc.port)
		}
	}
	if got := c.callsFor("fail-1"); len(got) != 6 { // 3 attempts by run, 3 by Temporal
		t.Errorf("fail-1 was sent %d times, want 3 + 3", len(got))
	}
}

// A call failing twice then succeeding is retried by Temporal (the flow's
// retry: 3 attempts) with one task GUID, the one a later run of the same
// workflow id and node would send.
func TestTemporalRetriesACallWithOneTaskGUID(t *testing.T) {
	c := newCRM(t)
	dir, conns := files(t, c, map[string]string{chatbot: ""})
	q := "retry-" + t.Name()
	startWorker(t, "--flows", dir, "--connections", conns, "--task-queue", q)
	out, stderr, code := flowbench(t, append([]string{"start", filepath.Join(dir, chatbot), "--task-queue", q,
		"--input", `{"chatId": "flaky-1", "name": "Bo"}`, "--wait", "--json"}, cluster(t)...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stderr, out)
	}
	var res struct {
		RunID   string `json:"runId"`
		Outcome string `json:"outcome"`
		Steps   []struct {
			Node     string `json:"node"`
			Port     string `json:"port"`
			Attempts int    `json:"attempts"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Outcome != "routed" || res.Steps[1].Attempts != 3 || res.Steps[1].Port != "vip" {
		t.Fatalf("run %s", out)
	}
	calls := c.callsFor("flaky-1")
	if len(calls) != 3 {
		t.Fatalf("%d requests, want 3", len(calls))
	}
	want := temporal.TaskGUID(res.RunID, "lookup", 2)
	for i, cl := range calls {
		if cl.GUID != want || cl.Key != "crm-key" {
			t.Errorf("attempt %d: task GUID %q key %q, want %q", i+1, cl.GUID, cl.Key, want)
		}
	}
}

// twoCalls is start → first call → delay → second call → end.
const twoCalls = `{"format": "flowbench/v1", "id": "two-calls", "name": "Two calls", "nodes": [
 {"id": "start", "kind": "start", "trigger": {"type": "manual"}},
 {"id": "a", "kind": "call", "call": {"connection": "crm", "method": "POST", "uri": "\"/v1/tier\"", "body": "{\"chatId\": trigger.chatId + \"-a\"}"}},
 {"id": "wait", "kind": "delay", "duration": "\"4s\""},
 {"id": "b", "kind": "call", "call": {"connection": "crm", "method": "POST", "uri": "\"/v1/tier\"", "body": "{\"chatId\": trigger.chatId + \"-b\"}"}},
 {"id": "end", "kind": "end", "outcome": "both"}],
 "edges": [{"from": "start", "to": "a"}, {"from": "a", "to": "wait"}, {"from": "wait", "to": "b"}, {"from": "b", "to": "end"}]}`

// A worker killed during a delay: a second worker finishes the run after
// the durable timer fires; each call was sent once.
func TestTemporalWorkerKilledMidFlowASecondFinishes(t *testing.T) {
	c := newCRM(t)
	dir, conns := files(t, c, map[string]string{"two.flow.json": twoCalls})
	q := "kill-" + t.Name()
	first := startWorker(t, "--flows", dir, "--connections", conns, "--task-queue", q)
	out, stderr, code := flowbench(t, append([]string{"start", "two-calls", "--task-queue", q,
		"--input", `{"chatId": "vip-k"}`, "--json"}, cluster(t)...)...)
	if code != 0 {
		t.Fatalf("start: exit %d: %s", code, stderr)
	}
	var started struct{ WorkflowID, RunID string }
	if err := json.Unmarshal([]byte(out), &started); err != nil || started.WorkflowID == "" {
		t.Fatalf("start printed %q: %v", out, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(c.callsFor("vip-k-a")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(c.callsFor("vip-k-a")) != 1 {
		t.Fatal("the first call was not sent")
	}
	first.kill()
	startWorker(t, "--flows", dir, "--connections", conns, "--task-queue", q)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var res engine.Result
	if err := sdkClient(t).GetWorkflow(ctx, started.WorkflowID, "").Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if res.Run.Status != flow.StatusSucceeded || res.Run.Outcome != "both" || len(res.Steps) != 5 || res.Steps[2].Decision != "waited 4s" {
		t.Fatalf("run %+v steps %+v", res.Run, res.Steps)
	}
	if a, b := len(c.callsFor("vip-k-a")), len(c.callsFor("vip-k-b")); a != 1 || b != 1 {
		t.Errorf("calls a %d, b %d; want one each", a, b)
	}
}

// emitter raises chat.opened, which the chatbot flow listens to.
const emitter = `{"format": "flowbench/v1", "id": "opener", "name": "Opener", "nodes": [
 {"id": "start", "kind": "start", "trigger": {"type": "manual"}},
 {"id": "open", "kind": "emit", "event": "chat.opened", "payload": "{\"chatId\": trigger.chatId, \"name\": \"Cy\"}"},
 {"id": "end", "kind": "end", "outcome": "opened"}],
 "edges": [{"from": "start", "to": "open"}, {"from": "open", "to": "end"}]}`

// An emit starts the flow listening to its event as a new workflow.
func TestTemporalEmitStartsTheListeningFlow(t *testing.T) {
	c := newCRM(t)
	chat, err := os.ReadFile(filepath.Join("../../assets/flows", chatbot))
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(chat, &f); err != nil {
		t.Fatal(err)
	}
	f["id"] = "chatbot"
	chat, _ = json.Marshal(f)
	dir, conns := files(t, c, map[string]string{"opener.flow.json": emitter, chatbot: string(chat)})
	q := "emit-" + t.Name()
	startWorker(t, "--flows", dir, "--connections", conns, "--task-queue", q)
	out, stderr, code := flowbench(t, append([]string{"start", "opener", "--task-queue", q,
		"--input", `{"chatId": "vip-e"}`, "--wait", "--json"}, cluster(t)...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stderr, out)
	}
	var opener struct{ RunID string }
	if err := json.Unmarshal([]byte(out), &opener); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var res engine.Result
	id := temporal.EventWorkflowID(opener.RunID, 1, "chatbot")
	if err := sdkClient(t).GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		t.Fatalf("the listening flow's workflow %s: %v", id, err)
	}
	if res.Run.Outcome != "routed" || res.Run.Trigger != "event:chat.opened" || res.Run.ParentRunID != opener.RunID || len(c.callsFor("vip-e")) != 1 {
		t.Fatalf("listening run %+v, %d calls", res.Run, len(c.callsFor("vip-e")))
	}
}

// hooked is the chatbot's lookup behind a webhook trigger.
const hooked = `{"format": "flowbench/v1", "id": "hooked", "name": "Hooked", "nodes": [
 {"id": "start", "kind": "start", "trigger": {"type": "webhook", "path": "/hooks/chat"}},
 {"id": "lookup", "kind": "call", "call": {"connection": "crm", "method": "POST", "uri": "\"/v1/tier\"", "body": "{\"chatId\": trigger.chatId}", "branches": ["vip"]}},
 {"id": "vip", "kind": "end", "outcome": "vip"},
 {"id": "other", "kind": "end", "outcome": "other"}],
 "edges": [{"from": "start", "to": "lookup"}, {"from": "lookup", "port": "vip", "to": "vip"}, {"from": "lookup", "port": "default", "to": "other"}]}`

// `serve --temporal` answers a webhook with the id of the workflow it
// started; a worker runs it.
func TestTemporalServeStartsAWorkflowPerWebhook(t *testing.T) {
	c := newCRM(t)
	dir, conns := files(t, c, map[string]string{"hooked.flow.json": hooked})
	q := "serve-" + t.Name()
	startWorker(t, "--flows", dir, "--connections", conns, "--task-queue", q)
	_, line := startProc(t, "webhook trigger: POST ", append([]string{"serve", "--addr", "127.0.0.1:0", "--flows", dir, "--connections", conns,
		"--db", "", "--task-queue", q}, cluster(t)...)...)
	url := strings.TrimPrefix(line, "webhook trigger: POST ")
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"chatId": "vip-w"}`))
	if err != nil {
		t.Fatal(err)
	}
	var ans struct{ RunID, Status string }
	_ = json.NewDecoder(resp.Body).Decode(&ans)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || ans.Status != "started" || !strings.HasPrefix(ans.RunID, "hooked-") {
		t.Fatalf("webhook answered %d %+v", resp.StatusCode, ans)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var res engine.Result
	if err := sdkClient(t).GetWorkflow(ctx, ans.RunID, "").Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if res.Run.Outcome != "vip" || res.Run.Trigger != "webhook:/hooks/chat" || len(c.callsFor("vip-w")) != 1 {
		t.Fatalf("run %+v, %d calls", res.Run, len(c.callsFor("vip-w")))
	}
}
