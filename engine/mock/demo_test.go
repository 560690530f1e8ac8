package mock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
)

// runDemo runs a bundled demo flow through the engine with its connections
// switched to the mocks served by s, the demo-bot connection standing in
// front of botMock.
func runDemo(t *testing.T, s *mock.Server, file, botMock, trigger string) *engine.Result {
	t.Helper()
	f, err := assets.ExampleFlow(file)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := assets.ExampleConnections()
	if err != nil {
		t.Fatal(err)
	}
	conns := cf.Connections
	for i := range conns {
		if conns[i].Name == "demo-bot" {
			conns[i].Mock = botMock
		}
	}
	r := engine.NewRunner(engine.Options{
		Connections: conns,
		Resolve: func(c flow.Connection) (string, bool) {
			if !c.UseMock {
				return "", false
			}
			return s.BaseURL(c.Mock), true
		},
		// Retry backoff costs no test time; the mock still sees every attempt.
		Clock: clocktest.Instant(),
	})
	defer r.Close()
	plan, err := engine.Compile(f, conns)
	if err != nil {
		t.Fatalf("Compile %s: %v", file, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := r.Run(ctx, plan, engine.Input{Source: "manual", Trigger: json.RawMessage(trigger)})
	if err != nil {
		t.Fatalf("Run %s: %v", file, err)
	}
	return res
}

func demoServer(t *testing.T) *mock.Server {
	t.Helper()
	mf, err := flow.DecodeMocks(assets.DemoMocksFile())
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, mock.Options{}, mf.Mocks...)
}

func TestDemoChatbotTakesEachBranchOffline(t *testing.T) {
	s := demoServer(t)
	tests := []struct{ mock, trigger, outcome string }{
		{"chatbot-vip", `{"chatId": "c-1"}`, "vip"},
		{"chatbot-standard", `{"chatId": "c-1"}`, "standard"},
		{"chatbot-unknown", `{"chatId": "c-1"}`, "default"},
		{"chatbot-failing", `{"chatId": "c-1"}`, "apology"},
		{"chatbot-rule", `{"chatId": "vip-7"}`, "vip"},
		{"chatbot-rule", `{"chatId": "c-7"}`, "standard"},
	}
	for _, tt := range tests {
		t.Run(tt.mock+" "+tt.trigger, func(t *testing.T) {
			before := len(s.Requests())
			res := runDemo(t, s, "demo-chatbot.flow.json", tt.mock, tt.trigger)
			if res.Run.Outcome != tt.outcome {
				t.Fatalf("outcome %q (status %s, error %q), want %q", res.Run.Outcome, res.Run.Status, res.Run.Error, tt.outcome)
			}
			reqs := s.Requests()[before:]
			if len(reqs) != 1 || reqs[0].Mock != tt.mock || reqs[0].Route != "POST "+mock.ChatbotPath {
				t.Fatalf("the mock received %+v, want one chatbot POST", reqs)
			}
			var payload map[string]any
			if err := json.Unmarshal([]byte(reqs[0].Body), &payload); err != nil || payload["type"] != "CloudFunctionStepExecution" || payload["stepId"] != "lookup" {
				t.Fatalf("the inspector shows body %s, want the chatbot payload", reqs[0].Body)
			}
		})
	}
}

func TestSequenceFaultDrivesExactlyTwoRetries(t *testing.T) {
	s := demoServer(t)
	res := runDemo(t, s, "demo-order-retries.flow.json", "chatbot-vip", `{"orderId": "A-7"}`)
	if res.Run.Status != flow.StatusSucceeded || res.Run.Outcome != "fetched" {
		t.Fatalf("run %s outcome %q error %q", res.Run.Status, res.Run.Outcome, res.Run.Error)
	}
	var fetch *flow.Step
	for i := range res.Steps {
		if res.Steps[i].Node == "fetch" {
			fetch = &res.Steps[i]
		}
	}
	if fetch == nil || fetch.Attempts != 3 || fetch.HTTPStatus != 200 {
		t.Fatalf("fetch step %+v; want 3 attempts (two retries) ending 200", fetch)
	}
	var statuses []int
	for _, r := range s.Requests() {
		if r.Mock == "orders-flaky" {
			statuses = append(statuses, r.Status)
			if r.Path != "/orders-flaky/orders/A-7" {
				t.Fatalf("the mock received path %s", r.Path)
			}
		}
	}
	if fmt.Sprint(statuses) != "[503 503 200]" {
		t.Fatalf("the mock answered %v, want [503 503 200]", statuses)
	}
}
