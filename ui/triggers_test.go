package ui

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// kitHarness is a window with a real engine, recorder and mock server, as
// cmd/flowbench builds it: connections with "use mock" on resolve to the
// mock server through MockResolver.
type kitHarness struct {
	*runHarness
	srv *mock.Server
}

// newKitHarness opens such a window; with demo, the store holds the demo
// kit (flows, connections, mocks) first, as a first launch leaves it.
func newKitHarness(t *testing.T, demo bool) *kitHarness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, fa: test.NewTempApp(t), dbPath: filepath.Join(dir, "flowbench.db")}
	h.db = openStore(t, h.dbPath)
	ctx := context.Background()
	if demo {
		seedDemoKit(t, h.db)
	}
	instant := func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	kh := &kitHarness{runHarness: &runHarness{harness: h}}
	kh.srv = mock.New(mock.Options{Sleep: instant})
	kh.rec = h.db.NewRecorder(storage.RecorderOptions{})
	kh.eng = engine.NewRunner(engine.Options{
		Observers: []engine.Observer{kh.rec},
		Clock:     clocktest.Instant(), // retries at once
		Resolve:   MockResolver(kh.srv),
	})
	t.Cleanup(func() {
		kh.srv.Stop(ctx)
		kh.eng.Close()
		kh.rec.Close()
	})
	h.queue, h.clock = &uiQueue{}, &manualClock{}
	lr := &LocalRunner{Engine: kh.eng, Connections: h.db.ListConnections, Flush: kh.rec.Flush}
	a, err := New(h.fa, Options{Store: h.db, History: h.db, Do: h.queue.do, AfterFunc: h.clock.after,
		Runner: lr, Triggers: lr,
		MockStore: h.db, Mocks: kh.srv, MockAddr: "127.0.0.1:0", StartMocks: true})
	if err != nil {
		t.Fatal(err)
	}
	h.app, h.w = a, a.Window()
	h.w.Resize(fyne.NewSize(1400, 900))
	h.w.Show()
	t.Cleanup(h.w.Close)
	return kh
}

// seedDemoKit stores the bundled flows, connections and demo mocks.
func seedDemoKit(t *testing.T, db *storage.DB) {
	t.Helper()
	ctx := context.Background()
	flows, err := assets.ExampleFlows()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range flows {
		if _, err := db.SaveFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := assets.ExampleConnections()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cf.Connections {
		if err := db.SaveConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	mf, err := flow.DecodeMocks(assets.DemoMocksFile())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mf.Mocks {
		if err := db.SaveMock(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
}

// listener is start (event trigger on events) → set vars.seen = trigger →
// end with outcome.
func listener(name, outcome string, events ...string) *flow.Flow {
	return &flow.Flow{Name: name, Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerEvent, Events: events}},
		{ID: "keep", Kind: flow.KindSet, Position: flow.Position{X: 220}, Assign: []flow.Assignment{{Name: "seen", Value: "trigger"}}},
		{ID: "end", Kind: flow.KindEnd, Position: flow.Position{X: 440}, Outcome: outcome},
	}, Edges: []flow.Edge{{From: "start", To: "keep"}, {From: "keep", To: "end"}}}
}

// openStored opens the stored flow named name.
func (h *kitHarness) openStored(name string) {
	h.t.Helper()
	for _, s := range h.app.flows.items {
		if s.Name == name {
			if err := h.app.Open(s.ID); err != nil {
				h.t.Fatal(err)
			}
			return
		}
	}
	h.t.Fatalf("no stored flow %q", name)
}

// pointConnection sets a connection's mock through its form, as a person
// does, and saves it.
func (h *kitHarness) pointConnection(name, mockName string, use bool) {
	h.t.Helper()
	c, err := h.db.Connection(context.Background(), name)
	if err != nil {
		h.t.Fatal(err)
	}
	h.app.inspector.showConnection(*c, false)
	f := h.app.inspector.conn
	f.mockPick.SetText(mockName)
	f.useMock.SetChecked(use)
	if err := f.save(); err != nil {
		h.t.Fatal(err)
	}
}

// runOpen runs the open flow from the window and waits for its end.
func (h *kitHarness) runOpen(payload string) *flow.Run {
	h.t.Helper()
	h.app.Run(json.RawMessage(payload))
	h.settle("the run to finish", func() bool { return !h.app.Running() })
	if h.app.live == nil || h.app.live.run == nil {
		h.t.Fatalf("no finished run; console:\n%s", h.consoleText())
	}
	return h.app.live.run
}

func TestDemoChatbotTakesEachBranchWithItsMock(t *testing.T) {
	h := newKitHarness(t, true)
	if h.srv.URL() == "" {
		t.Fatalf("the mock server was not started at launch; console:\n%s", h.consoleText())
	}
	h.openStored("Demo: chatbot branching")
	tests := []struct {
		mock, outcome, port string
	}{
		{"chatbot-vip", "vip", "vip"},
		{"chatbot-standard", "standard", "standard"},
		{"chatbot-unknown", "default", "default"},
		{"chatbot-failing", "apology", "failure"},
	}
	seen := 0
	for _, tt := range tests {
		t.Run(tt.mock, func(t *testing.T) {
			h.pointConnection("demo-bot", tt.mock, true)
			run := h.runOpen(`{"chatId": "c-1"}`)
			if run.Status != flow.StatusSucceeded || run.Outcome != tt.outcome {
				t.Fatalf("run %s → %q, want outcome %q; console:\n%s", run.Status, run.Outcome, tt.outcome, h.consoleText())
			}
			_, lit := h.app.cv.RunOverlay()
			doc := h.app.ed.Flow()
			took := false
			for _, i := range lit {
				if e := doc.Edges[i]; e.From == "lookup" && e.PortName() == tt.port {
					took = true
				}
			}
			if !took {
				t.Errorf("the connector lookup→%s is not lit: %v", tt.port, lit)
			}
			// the inspector lists the request the mock received
			h.settle("the request in the inspector", func() bool { return len(h.app.requests.list.items) > seen })
			r := h.app.requests.list.items[0]
			if r.Mock != tt.mock || r.Method != "POST" || !strings.HasSuffix(r.Path, mock.ChatbotPath) || !strings.Contains(r.Body, "CloudFunctionStepExecution") {
				t.Errorf("inspector row %+v", r)
			}
			seen = len(h.app.requests.list.items)
		})
	}
	t.Run("every request is kept in the history", func(t *testing.T) {
		got, err := h.db.ListReceived(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != seen || seen < len(tests) {
			t.Fatalf("history holds %d requests, the inspector listed %d", len(got), seen)
		}
		h.app.requests.list.list.Select(0)
		if d := h.app.requests.detail.Text; !strings.Contains(d, "chatBotType") || !strings.Contains(d, "Answered 503") {
			t.Errorf("detail pane:\n%s", d)
		}
	})
}

func TestTheMockSwitchChangesWhereCallsGo(t *testing.T) {
	h := newKitHarness(t, true)
	h.openStored("Demo: chatbot branching")
	h.pointConnection("demo-bot", "chatbot-standard", true)
	if run := h.runOpen(`{}`); run.Outcome != "standard" {
		t.Fatalf("with the mock: outcome %q; console:\n%s", run.Outcome, h.consoleText())
	}
	before := len(h.srv.Requests())
	// off: calls go to the connection's base URL (bot.example.com, which
	// this test never reaches: point it at a closed loopback port first)
	c, _ := h.db.Connection(context.Background(), "demo-bot")
	c.BaseURL = "http://127.0.0.1:1"
	if err := h.db.SaveConnection(context.Background(), *c); err != nil {
		t.Fatal(err)
	}
	h.pointConnection("demo-bot", "chatbot-standard", false)
	run := h.runOpen(`{}`)
	if run.Outcome != "apology" {
		t.Fatalf("without the mock the call should fail at 127.0.0.1:1 and take the failure path; got %q", run.Outcome)
	}
	if n := len(h.srv.Requests()); n != before {
		t.Fatalf("the mock received %d more requests with the switch off", n-before)
	}
	t.Run("the form refuses the switch without a mock", func(t *testing.T) {
		c, _ := h.db.Connection(context.Background(), "demo-bot")
		h.app.inspector.showConnection(*c, false)
		f := h.app.inspector.conn
		f.mockPick.SetText("")
		f.useMock.SetChecked(true)
		if err := f.save(); err == nil || !strings.Contains(err.Error(), "Mock:") {
			t.Fatalf("save error %v", err)
		}
	})
}

// TestChatbotPresetUsesANamedRequest (issue 16): the chatbot preset adds
// the chatbot contract to the connection as a named request (once: a
// second node reuses it) and makes the node call it by name with the
// step's name and id as args; the call sends the contract and branches on
// the mock's returnValue; Undo restores the node's own call.
func TestChatbotPresetUsesANamedRequest(t *testing.T) {
	h := newKitHarness(t, true)
	h.pointConnection("demo-bot", "chatbot-vip", true)
	h.app.load(callFlow(`"/x"`))
	before := *h.app.ed.Flow().Node("call").Call
	h.app.inspector.applyChatbotPreset("call", "demo-bot", "Look up", mock.ChatbotPath, "SmsChat", []string{"vip", "standard"})
	got := h.app.ed.Flow().Node("call").Call
	want := &flow.Call{Connection: "demo-bot", Request: "chatbot",
		Args: map[string]string{"stepName": `"Look up"`, "stepId": `"call"`}, Branches: []string{"vip", "standard"}}
	if !jsonEqual(got, want) {
		t.Fatalf("call %+v, want %+v", got, want)
	}
	c, _ := h.db.Connection(context.Background(), "demo-bot")
	if len(c.Requests) != 1 || !jsonEqual(c.Requests[0], chatbotRequest("chatbot", mock.ChatbotPath, "SmsChat", []string{"vip", "standard"})) {
		t.Fatalf("the connection's requests: %+v", c.Requests)
	}
	if ps := flow.ValidateRequests(h.app.ed.Flow(), []flow.Connection{*c}); len(ps) > 0 {
		t.Fatalf("the node does not match its request: %v", ps)
	}
	h.app.TestNode("call")
	h.settle("the test of the chatbot call", func() bool { return h.app.pane.step != nil })
	s := h.app.pane.step
	if s.Status != flow.StatusSucceeded || s.Port != "vip" {
		t.Fatalf("step %s by port %q (%s); console:\n%s", s.Status, s.Port, s.Error, h.consoleText())
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(s.Exchanges[0].RequestBody), &sent); err != nil {
		t.Fatal(err)
	}
	if sent["type"] != "CloudFunctionStepExecution" || sent["stepName"] != "Look up" || sent["stepId"] != "call" || sent["chatBotType"] != "SmsChat" {
		t.Fatalf("the contract sent: %v", sent)
	}

	// A second node with the same choices calls the same request.
	h.app.inspector.applyChatbotPreset("call", "demo-bot", "Again", mock.ChatbotPath, "SmsChat", []string{"vip", "standard"})
	if c, _ := h.db.Connection(context.Background(), "demo-bot"); len(c.Requests) != 1 {
		t.Fatalf("the same preset added another request: %+v", c.Requests)
	}
	h.app.Undo()
	h.app.Undo()
	if c := h.app.ed.Flow().Node("call").Call; !jsonEqual(c, &before) {
		t.Fatalf("undo left %+v", c)
	}
}

// TestTriggersComeFromOptions: the event bus and the webhook listener are
// there when Options.Triggers is given, whatever the Runner is, and not
// otherwise.
func TestTriggersComeFromOptions(t *testing.T) {
	rh := newRunHarness(t, "http://127.0.0.1:1")
	if rh.app.trig == nil || rh.app.events == nil {
		t.Fatal("Options.Triggers is set, but the window has no event bus or Events view")
	}
	lr := &LocalRunner{Engine: rh.eng, Connections: rh.db.ListConnections}
	a, err := New(test.NewTempApp(t), Options{Store: rh.db, History: rh.db, Runner: lr, Do: (&uiQueue{}).do, AfterFunc: (&manualClock{}).after})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Window().Close)
	if a.trig != nil || a.events != nil {
		t.Fatal("without Options.Triggers the window still starts flows on events")
	}
}
