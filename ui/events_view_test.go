package ui

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

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
	h.settle("the trigger execution", func() bool { return len(ev.list.items) >= 2 })

	var flows []string
	for _, r := range ev.list.items {
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
	if len(ev.list.items) != 2 {
		t.Fatalf("%d rows, want 2", len(ev.list.items))
	}

	t.Run("selecting a row opens its run", func(t *testing.T) {
		ev.list.list.Select(0)
		want := ids[ev.list.items[0].run.FlowName]
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
		h.settle("the lone execution", func() bool { return len(ev.list.items) == 3 })
		if r := ev.list.items[0]; r.run != nil || !strings.Contains(r.text(), "no flow listens") {
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
		for _, r := range ev.list.items {
			if r.run != nil {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d recorded event runs, want 2", n)
		}
	})
}

func TestWebhookListenerFromTheEventsView(t *testing.T) {
	h := newKitHarness(t, false)
	f := listener("Hooked", "hooked")
	f.Nodes[0].Trigger = &flow.Trigger{Type: flow.TriggerWebhook, Path: "/hooks/new-chat"}
	if _, err := h.db.SaveFlow(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	h.app.flows.reload()
	ev := h.app.events
	ev.hook.addr.SetText("127.0.0.1:0")
	ev.hook.check.SetChecked(true)
	t.Cleanup(func() { h.app.trig.hooks.Stop(context.Background()) })
	url := h.app.trig.hooks.URL()
	if url == "" || !strings.Contains(ev.hookURLs.Text, `"Hooked": POST `+url+"/hooks/new-chat") {
		t.Fatalf("listening at %q; URLs shown: %q; error %q", url, ev.hookURLs.Text, ev.hook.errL.Text)
	}
	resp, err := http.Post(url+"/hooks/new-chat", "application/json", strings.NewReader(`{"chatId": "w-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	h.settle("the webhook request in the inspector", func() bool { return len(h.app.requests.list.items) > 0 })
	if r := h.app.requests.list.items[0]; r.Path != "/hooks/new-chat" || r.Status != 200 || !strings.Contains(r.Body, "w-1") || !strings.Contains(r.Route, "Hooked") {
		t.Fatalf("inspector row %+v", r)
	}
	t.Run("a taken port is refused with the error shown", func(t *testing.T) {
		ev.hook.check.SetChecked(false)
		ev.hook.addr.SetText(strings.TrimPrefix(url, "http://"))
		other := engine.NewWebhookServer(h.eng, engine.WebhookOptions{})
		if err := other.Start(strings.TrimPrefix(url, "http://")); err != nil {
			t.Fatal(err)
		}
		defer other.Stop(context.Background())
		ev.hook.check.SetChecked(true)
		if ev.hook.check.Checked || ev.hook.errL.Text == "" {
			t.Fatalf("switch %v, error %q", ev.hook.check.Checked, ev.hook.errL.Text)
		}
	})
}
