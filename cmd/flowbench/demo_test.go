package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// The offline demo kit, run headless with its mocks served on 127.0.0.1:
// each chatbot mock drives its branch, and the flaky orders mock drives
// exactly two retries.
func TestDemoKitRunsOffline(t *testing.T) {
	const dir = "../../assets/flows/"
	for _, c := range []struct {
		flow, mock, wantOutcome string
		wantAttempts            float64
	}{
		{"demo-chatbot.flow.json", "chatbot-vip", "vip", 1},
		{"demo-chatbot.flow.json", "chatbot-standard", "standard", 1},
		{"demo-chatbot.flow.json", "chatbot-unknown", "default", 1},
		{"demo-chatbot.flow.json", "chatbot-failing", "apology", 1},
		{"demo-chatbot.flow.json", "chatbot-rule", "standard", 1},
		{"demo-order-retries.flow.json", "orders-flaky", "fetched", 3},
	} {
		t.Run(c.mock, func(t *testing.T) {
			conn := "demo-bot"
			if c.mock == "orders-flaky" {
				conn = "demo-orders"
			}
			code, out, errOut := cli(t, "run", dir+c.flow, "--connections", dir+"examples.connections.json",
				"--mocks", dir+"demo.mocks.json", "--use-mock", conn+"="+c.mock, "--input", `{"chatId": "c-1"}`, "--db", "", "--json")
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			var res struct {
				Outcome string
				Steps   []map[string]any
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if res.Outcome != c.wantOutcome {
				t.Fatalf("outcome %q, want %q\n%s", res.Outcome, c.wantOutcome, out)
			}
			if got := res.Steps[1]["attempts"]; got != c.wantAttempts {
				t.Fatalf("call attempts %v, want %v", got, c.wantAttempts)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe to read while serve writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeRunsWebhookTriggersAgainstMocks(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "hook.flow.json", `{"format": "flowbench/v1", "name": "Hooked bot", "nodes": [
  {"id": "start", "kind": "start", "trigger": {"type": "webhook", "path": "/hooks/chat"}},
  {"id": "ask", "kind": "call", "call": {"connection": "demo-bot", "method": "POST", "uri": "\"/chatbot/step\"",
    "body": "{\"chatId\": trigger.chatId}", "branches": ["vip"]}},
  {"id": "vip", "kind": "end", "outcome": "vip"},
  {"id": "other", "kind": "end", "outcome": "other"}],
 "edges": [{"from": "start", "to": "ask"}, {"from": "ask", "port": "vip", "to": "vip"},
   {"from": "ask", "port": "default", "to": "other"}, {"from": "ask", "port": "failure", "to": "other"}]}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- serve(ctx, []string{"--flows", dir, "--connections", "../../assets/flows/examples.connections.json",
			"--mocks", "../../assets/flows/demo.mocks.json", "--addr", "127.0.0.1:0", "--db", ""}, &out, &errOut)
	}()
	var hookURL string
	deadline := time.Now().Add(10 * time.Second)
	for hookURL == "" && time.Now().Before(deadline) {
		for _, line := range strings.Split(out.String(), "\n") {
			if u, ok := strings.CutPrefix(line, "webhook trigger: POST "); ok {
				hookURL = u
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if hookURL == "" {
		cancel()
		t.Fatalf("serve printed no webhook URL:\n%s\n%s", out.String(), errOut.String())
	}
	resp, err := http.Post(hookURL, "application/json", strings.NewReader(`{"chatId": "c-9"}`))
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if resp.StatusCode != 200 || res["outcome"] != "vip" {
		t.Fatalf("webhook answered %d %v", resp.StatusCode, res)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(out.String(), "mock chatbot-vip POST") {
		t.Fatalf("the request inspector output lacks the mock request:\n%s", out.String())
	}
}
