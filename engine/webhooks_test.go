package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/webhook"
	"github.com/flowbench/flowbench/flow"
)

func webhookFlow(name, path string, secret *flow.SecretRef) *flow.Flow {
	return &flow.Flow{Format: flow.Format, Name: name, Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerWebhook, Path: path, Secret: secret}},
		{ID: "copy", Kind: flow.KindSet, Assign: []flow.Assignment{{Name: "order", Value: `trigger.orderId`}}},
		{ID: "end", Kind: flow.KindEnd, Outcome: "accepted"},
	}, Edges: []flow.Edge{{From: "start", To: "copy"}, {From: "copy", To: "end"}}}
}

func TestWebhookTriggerVerifiesSignatures(t *testing.T) {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	now := time.Unix(1_700_000_000, 0)
	r := NewRunner(Options{Getenv: func(k string) string { return map[string]string{"HOOK": secret}[k] }, Now: func() time.Time { return now }})
	defer r.Close()
	var mu sync.Mutex
	var seen []WebhookRequest
	ws := NewWebhookServer(r, WebhookOptions{OnRequest: func(w WebhookRequest) { mu.Lock(); seen = append(seen, w); mu.Unlock() }})
	if err := ws.SetPlans([]*Plan{
		mustCompile(t, webhookFlow("Signed orders", "/hooks/orders", &flow.SecretRef{Env: "HOOK"}), nil),
		mustCompile(t, webhookFlow("Open pings", "/hooks/ping", nil), nil),
	}); err != nil {
		t.Fatal(err)
	}
	if err := ws.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer ws.Stop(context.Background())

	body := []byte(`{"orderId": 42}`)
	sign := func(id string, ts int64, b []byte) http.Header {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", fmt.Sprint(ts))
		h.Set("webhook-signature", webhook.Sign(webhook.Key(secret), id, ts, b))
		return h
	}
	post := func(path string, h http.Header, b []byte) (int, map[string]any) {
		req, _ := http.NewRequest("POST", ws.URL()+path, bytes.NewReader(b))
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	good := sign("msg_1", now.Unix(), body)
	bad := sign("msg_1", now.Unix(), []byte(`{"orderId": 43}`))
	stale := sign("msg_1", now.Add(-10*time.Minute).Unix(), body)
	cases := []struct {
		name, path string
		h          http.Header
		wantStatus int
		wantWhy    string
	}{
		{"valid signature", "/hooks/orders", good, 200, "signature valid"},
		{"bad signature", "/hooks/orders", bad, 401, "signature"},
		{"stale timestamp", "/hooks/orders", stale, 401, "timestamp"},
		{"missing headers", "/hooks/orders", http.Header{}, 401, "missing"},
		{"no secret needed", "/hooks/ping", http.Header{}, 200, "not required"},
		{"unknown path", "/hooks/nope", http.Header{}, 404, ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, out := post(c.path, c.h, body)
			if status != c.wantStatus {
				t.Fatalf("status %d (%v), want %d", status, out, c.wantStatus)
			}
			if status == 200 && (out["outcome"] != "accepted" || out["vars"].(map[string]any)["order"] != 42.0) {
				t.Fatalf("answer %v should carry the run's result", out)
			}
			mu.Lock()
			got := seen[i]
			mu.Unlock()
			if !strings.Contains(strings.ToLower(got.Verified), c.wantWhy) || got.Status != c.wantStatus {
				t.Fatalf("recorded %+v; want status %d and a reason with %q", got, c.wantStatus, c.wantWhy)
			}
		})
	}
}

func TestWebhookServerRefusesCollisionsAndBusyPorts(t *testing.T) {
	r := NewRunner(Options{})
	defer r.Close()
	ws := NewWebhookServer(r, WebhookOptions{})
	err := ws.SetPlans([]*Plan{mustCompile(t, webhookFlow("A", "/hooks/x", nil), nil), mustCompile(t, webhookFlow("B", "/hooks/x", nil), nil)})
	if err == nil || !strings.Contains(err.Error(), `"A"`) || !strings.Contains(err.Error(), `"B"`) {
		t.Fatalf("collision error %v should name both flows", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = ws.Start(ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "for example") {
		t.Fatalf("busy port error %v should say so and offer another port", err)
	}
	if err := ws.Start("0.0.0.0:0"); err == nil {
		t.Fatal("a non-loopback address should be refused")
	}
}
