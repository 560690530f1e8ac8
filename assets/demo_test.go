package assets

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

var update = flag.Bool("update", false, "rewrite the generated demo flows")

// demoFlows builds the demo kit's flows. The chatbot call comes from
// flow.ChatbotCall, so the bundled demo always follows the preset; the files
// are written by `go test ./assets -run TestDemoFlows -update`, never by hand.
func demoFlows() map[string]*flow.Flow {
	reply := func(id, title, text string, x, y float64) flow.Node {
		return flow.Node{ID: id, Kind: flow.KindSet, Title: title, Position: flow.Position{X: x, Y: y},
			Assign: []flow.Assignment{{Name: "reply", Value: `"` + text + `"`}}}
	}
	end := func(id, title, outcome string, x, y float64) flow.Node {
		return flow.Node{ID: id, Kind: flow.KindEnd, Title: title, Outcome: outcome, Position: flow.Position{X: x, Y: y}}
	}
	lookup := flow.ChatbotCall("lookup", "Look up customer", "demo-bot", `"/chatbot/step"`, flow.ChatBotLiveChat, []string{"vip", "standard"})
	lookup.Timeout = flow.Duration(5 * time.Second)
	chatbot := &flow.Flow{
		Format:      flow.Format,
		Name:        "Demo: chatbot branching",
		Description: "Offline demo of the chatbot cloud-function contract: switch the demo-bot connection's mock (chatbot-vip, chatbot-standard, chatbot-unknown, chatbot-failing) to take each path",
		Nodes: []flow.Node{
			{ID: "start", Kind: flow.KindStart, Title: "Chat opened", Position: flow.Position{X: 40, Y: 200},
				Trigger: &flow.Trigger{Type: flow.TriggerManual}},
			{ID: "lookup", Kind: flow.KindCall, Title: "Look up customer", Position: flow.Position{X: 260, Y: 200}, Call: lookup},
			reply("vip-reply", "VIP greeting", "Welcome back! A senior agent is joining you now.", 560, 40),
			reply("std-reply", "Standard greeting", "Thanks for waiting, an agent will be with you shortly.", 560, 160),
			reply("default-reply", "Ask more", "Let me find the right person for you. What is your question about?", 560, 280),
			reply("apology", "Apology", "Sorry, we are having trouble right now. Please try again in a minute.", 560, 400),
			end("vip", "Routed to VIP desk", "vip", 840, 40),
			end("standard", "Routed to queue", "standard", 840, 160),
			end("default", "Routed to triage", "default", 840, 280),
			end("sorry", "Apologised", "apology", 840, 400),
		},
		Edges: []flow.Edge{
			{From: "start", To: "lookup"},
			{From: "lookup", Port: "vip", To: "vip-reply"},
			{From: "lookup", Port: "standard", To: "std-reply"},
			{From: "lookup", Port: "default", To: "default-reply"},
			{From: "lookup", Port: "failure", To: "apology"},
			{From: "vip-reply", To: "vip"},
			{From: "std-reply", To: "standard"},
			{From: "default-reply", To: "default"},
			{From: "apology", To: "sorry"},
		},
	}
	order := &flow.Flow{
		Format:      flow.Format,
		Name:        "Demo: order with retries",
		Description: "Fetches an order from a flaky mock (503, 503, then 200): the call retries with one idempotency key, then raises order.fetched",
		Nodes: []flow.Node{
			{ID: "start", Kind: flow.KindStart, Title: "Order placed", Position: flow.Position{X: 40, Y: 160}, Trigger: &flow.Trigger{Type: flow.TriggerManual}},
			{ID: "fetch", Kind: flow.KindCall, Title: "Fetch order", Position: flow.Position{X: 260, Y: 160}, Call: &flow.Call{
				Connection: "demo-orders", Method: "GET",
				URI:             `"/orders/" + (has(trigger.orderId) ? string(trigger.orderId) : "A-100")`,
				Retry:           &flow.Retry{MaxAttempts: 4, InitialInterval: flow.Duration(200 * time.Millisecond), BackoffRate: 2, MaxInterval: flow.Duration(2 * time.Second)},
				SaveTo:          "order",
				ReturnValue:     `steps.fetch.body`,
				CompletionEvent: "order.fetched",
			}},
			end("done", "Order fetched", "fetched", 540, 100),
			end("failed", "Gave up", "failed", 540, 260),
		},
		Edges: []flow.Edge{{From: "start", To: "fetch"}, {From: "fetch", To: "done"}, {From: "fetch", Port: "failure", To: "failed"}},
	}
	notify := &flow.Flow{
		Format:      flow.Format,
		Name:        "Demo: notify customer",
		Description: "Started by the order.fetched completion event of \"Demo: order with retries\": an event chain between two flows",
		Nodes: []flow.Node{
			{ID: "start", Kind: flow.KindStart, Title: "Order fetched", Position: flow.Position{X: 40, Y: 160},
				Trigger: &flow.Trigger{Type: flow.TriggerEvent, Events: []string{"order.fetched"}}},
			{ID: "compose", Kind: flow.KindSet, Title: "Compose message", Position: flow.Position{X: 260, Y: 160},
				Assign: []flow.Assignment{{Name: "message", Value: `"Your order " + string(trigger.body.id) + " is on its way"`}}},
			{ID: "tell", Kind: flow.KindEmit, Title: "Notify", Position: flow.Position{X: 480, Y: 160},
				Event: "customer.notified", Payload: `{"orderId": trigger.body.id, "message": vars.message}`},
			end("done", "Notified", "notified", 700, 160),
		},
		Edges: []flow.Edge{{From: "start", To: "compose"}, {From: "compose", To: "tell"}, {From: "tell", To: "done"}},
	}
	return map[string]*flow.Flow{
		"demo-chatbot.flow.json":       chatbot,
		"demo-order-retries.flow.json": order,
		"demo-notify.flow.json":        notify,
	}
}

func TestDemoFlowsMatchTheirGenerator(t *testing.T) {
	for name, f := range demoFlows() {
		t.Run(name, func(t *testing.T) {
			want, err := flow.EncodeFlow(f)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("flows", name)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./assets -run TestDemoFlows -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s differs from its generator; run go test ./assets -run TestDemoFlows -update", path)
			}
			if ps := flow.Validate(f); len(ps) > 0 {
				t.Fatalf("problems: %v", ps)
			}
		})
	}
}
