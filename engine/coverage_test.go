package engine_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

// TestMockPortsOfTheChatbotDemo: each demo mock makes the chatbot's lookup
// leave by the port its answer selects, as a run would, and probing records
// nothing.
func TestMockPortsOfTheChatbotDemo(t *testing.T) {
	f, err := assets.ExampleFlow(assets.FirstFlowName)
	if err != nil {
		t.Fatal(err)
	}
	conns, err := assets.ExampleConnections()
	if err != nil {
		t.Fatal(err)
	}
	mocks, err := flow.DecodeMocks(assets.DemoMocksFile())
	if err != nil {
		t.Fatal(err)
	}
	var seen []flow.RunEvent
	obs := engine.ObserverFunc(func(ev flow.RunEvent) { seen = append(seen, ev) })
	got, err := engine.MockPorts(context.Background(), engine.MockProbe{
		Flow: f, Node: "lookup", Connections: conns.Connections, Mocks: mocks.Mocks,
		Try:    []string{"chatbot-vip", "chatbot-standard", "chatbot-unknown", "chatbot-failing"},
		Input:  engine.StepInput{Trigger: []byte(`{"chatId":"c-1"}`)},
		Runner: engine.Options{Observers: []engine.Observer{obs}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"chatbot-vip": "vip", "chatbot-standard": "standard", "chatbot-unknown": "default", "chatbot-failing": "failure"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MockPorts = %v; want %v", got, want)
	}
	if len(seen) > 0 {
		t.Errorf("probing told an observer %d events; it is not a run", len(seen))
	}
	if _, err := engine.MockPorts(context.Background(), engine.MockProbe{Flow: f, Node: "start"}); err == nil {
		t.Error("MockPorts of a start node: no error")
	}
}
