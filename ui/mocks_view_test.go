package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
)

func TestMockEditor(t *testing.T) {
	h := newKitHarness(t, true)
	mv := h.app.mocks
	t.Run("a route collision names both routes", func(t *testing.T) {
		mv.selectName("orders-flaky")
		m, ok := mv.list.selected()
		if !ok {
			t.Fatal("orders-flaky is not listed")
		}
		ed := mv.openEditor(m, false)
		ed.addRoute()
		ed.method.SetSelected("GET")
		ed.path.SetText("/orders/{orderId}")
		err := ed.save()
		if err == nil {
			t.Fatal("a colliding route was saved")
		}
		if !strings.Contains(err.Error(), "collides") || !strings.Contains(err.Error(), "GET /orders/{id}") || !strings.Contains(err.Error(), "GET /orders/{orderId}") {
			t.Fatalf("the error does not name both routes: %v", err)
		}
		ed.close()
	})
	t.Run("a bad CEL body shows under the field and is refused", func(t *testing.T) {
		ed := mv.openEditor(flow.Mock{Name: "fresh", Routes: []flow.MockRoute{{Method: "GET", Path: "/"}}}, true)
		ed.body.SetText(`{"a": request.body.`)
		if ed.bodyErr.Text == "" {
			t.Fatal("no error under the body")
		}
		if err := ed.save(); err == nil {
			t.Fatal("a bad body was saved")
		}
		ed.body.SetText(`{"echo": params}`)
		if ed.bodyErr.Text != "" {
			t.Fatalf("a good body still shows %q", ed.bodyErr.Text)
		}
		ed.sequence.SetText("503, 503, 200")
		if err := ed.save(); err != nil {
			t.Fatal(err)
		}
		got, err := h.db.Mock(context.Background(), "fresh")
		if err != nil || got.Routes[0].Faults == nil || !slices.Equal(got.Routes[0].Faults.Sequence, []int{503, 503, 200}) {
			t.Fatalf("stored %+v, %v", got, err)
		}
	})
	t.Run("the chatbot preset answers its value", func(t *testing.T) {
		if err := mv.addChatbotPreset("bot-gold", false, "gold"); err != nil {
			t.Fatal(err)
		}
		h.openStored("Demo: chatbot branching")
		h.pointConnection("demo-bot", "bot-gold", true)
		if run := h.runOpen(`{}`); run.Outcome != "default" {
			t.Fatalf("outcome %q, want default for an unknown value", run.Outcome)
		}
	})
	t.Run("export and import round-trip", func(t *testing.T) {
		data, err := mv.exportMocks()
		if err != nil {
			t.Fatal(err)
		}
		n := len(mv.list.items)
		mv.deleteMock("bot-gold")
		if err := mv.importMocks(data, "round.mocks.json"); err != nil {
			t.Fatal(err)
		}
		if len(mv.list.items) != n {
			t.Fatalf("%d mocks after import, want %d", len(mv.list.items), n)
		}
	})
}

func TestMockServerBusyPortOffersAnother(t *testing.T) {
	h := newKitHarness(t, true)
	mv := h.app.mocks
	taken := strings.TrimPrefix(h.srv.URL(), "http://")
	mv.setServing(false)
	other := mock.New(mock.Options{})
	if err := other.Start(context.Background(), taken); err != nil {
		t.Fatal(err)
	}
	defer other.Stop(context.Background())
	mv.server.addr.SetText(taken)
	mv.setServing(true)
	if h.srv.URL() != "" || mv.server.errL.Text == "" || !mv.usePort.Visible() {
		t.Fatalf("url %q, error %q, offer shown %v", h.srv.URL(), mv.server.errL.Text, mv.usePort.Visible())
	}
	test.Tap(mv.usePort)
	if h.srv.URL() == "" || mv.server.addr.Text == taken {
		t.Fatalf("the offered port was not used: %q at %q", h.srv.URL(), mv.server.addr.Text)
	}
}

// Issue 13 (smaller): the Mocks view's list buttons were bare icons; they
// say what they do, as the Flows view's do.
func TestMockButtonsSayWhatTheyDo(t *testing.T) {
	h := newKitHarness(t, true)
	mv := h.app.mocks
	for _, b := range []*tipButton{mv.edit, mv.dup, mv.del} {
		if b.Text == "" {
			t.Errorf("a Mocks view button (tip %q) has no label", b.Tip)
		}
	}
}
