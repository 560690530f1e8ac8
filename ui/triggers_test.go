package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/engine"
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
		Sleep:     instant, // retries at once
		Resolve:   MockResolver(kh.srv),
	})
	t.Cleanup(func() {
		kh.srv.Stop(ctx)
		kh.eng.Close()
		kh.rec.Close()
	})
	h.queue, h.clock = &uiQueue{}, &manualClock{}
	a, err := New(h.fa, Options{Store: h.db, History: h.db, Do: h.queue.do, AfterFunc: h.clock.after,
		Runner:    &LocalRunner{Engine: kh.eng, Connections: h.db.ListConnections, Flush: kh.rec.Flush},
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

func TestRaiseFromTheEventsViewStartsExactlyTheListeners(t *testing.T) {
	h := newKitHarness(t, false)
	ctx := context.Background()
	ids := map[string]string{}
	for _, f := range []*flow.Flow{
		listener("Ship order", "shipped", "order.placed"),
		listener("Thank customer", "thanked", "order.placed", "order.paid"),
		listener("Audit payments", "audited", "order.paid"),
		callFlow(`"/x"`), // manual: never started by an event
	} {
		if _, err := h.db.SaveFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		ids[f.Name] = f.ID
	}
	h.app.flows.reload()
	ev := h.app.events

	t.Run("the known event names are offered", func(t *testing.T) {
		for _, want := range []string{"order.placed", "order.paid"} {
			if !slices.Contains(h.app.trig.names, want) {
				t.Errorf("the event picker lacks %q: %v", want, h.app.trig.names)
			}
		}
	})
	ev.name.SetText("order.placed")
	t.Run("the listeners are named before raising", func(t *testing.T) {
		if got := ev.listening.Text; !strings.Contains(got, `"Ship order"`) || !strings.Contains(got, `"Thank customer"`) || strings.Contains(got, "Audit") {
			t.Fatalf("listening label %q", got)
		}
	})
	ev.payload.SetText(`{"orderId": 7}`)
	test.Tap(ev.raise)
	h.settle("the trigger execution", func() bool { return len(ev.rows) >= 2 })

	var flows []string
	for _, r := range ev.rows {
		if r.run == nil {
			t.Fatalf("a row without a run: %+v", r)
		}
		flows = append(flows, r.run.FlowName)
		if r.event != "order.placed" || r.run.Status != flow.StatusSucceeded || r.run.Trigger != "event:order.placed" {
			t.Errorf("row %+v", r)
		}
		if !strings.Contains(r.text(), `"orderId":7`) {
			t.Errorf("the row does not show the run's response payload with the event's payload: %q", r.text())
		}
	}
	slices.Sort(flows)
	if !slices.Equal(flows, []string{"Ship order", "Thank customer"}) {
		t.Fatalf("the event started %v, want exactly the two listeners", flows)
	}
	if len(ev.rows) != 2 {
		t.Fatalf("%d rows, want 2", len(ev.rows))
	}

	t.Run("selecting a row opens its run", func(t *testing.T) {
		ev.list.Select(0)
		want := ids[ev.rows[0].run.FlowName]
		if h.app.FlowID() != want {
			t.Fatalf("open flow %q, want %q", h.app.FlowID(), want)
		}
		if !strings.Contains(ev.detail.Text, "Response payload") {
			t.Errorf("detail %q", ev.detail.Text)
		}
	})

	t.Run("an event nobody listens to says so", func(t *testing.T) {
		ev.name.SetText("nobody.cares")
		test.Tap(ev.raise)
		h.settle("the lone execution", func() bool { return len(ev.rows) == 3 })
		if r := ev.rows[0]; r.run != nil || !strings.Contains(r.text(), "no flow listens") {
			t.Fatalf("row %q", r.text())
		}
	})

	t.Run("a payload that is not JSON is refused under the field", func(t *testing.T) {
		ev.payload.SetText(`{"orderId": `)
		if ev.payErr.Text == "" || !ev.payErr.Visible() {
			t.Fatal("no error under the payload")
		}
		test.Tap(ev.raise)
		if !strings.Contains(h.overlayText(), "not JSON") {
			t.Fatalf("dialog: %q", h.overlayText())
		}
	})

	t.Run("the history lists the runs events started", func(t *testing.T) {
		ev.reload()
		n := 0
		for _, r := range ev.rows {
			if r.run != nil {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d recorded event runs, want 2", n)
		}
	})
}
