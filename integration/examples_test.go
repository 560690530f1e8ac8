// Package integration holds tests and benchmarks that cross packages: the
// bundled example flows run through the engine against loopback servers, with
// recording into SQLite. It has no non-test code.
package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// exampleBackend answers the calls of the bundled examples: /v1/tier answers
// the tier in `tier`, /orders/{id} an order of `amount`, /approvals `decision`.
// It checks the credentials the example connections send.
type exampleBackend struct {
	*httptest.Server
	mu       sync.Mutex
	tier     string
	tierCode int
	amount   float64
	decision string
	seen     []string
}

func newExampleBackend(t *testing.T) *exampleBackend {
	b := &exampleBackend{tier: "vip", tierCode: 200, amount: 50, decision: "approved"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/tier", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.seen = append(b.seen, r.URL.Path)
		if r.Header.Get("x-api-key") != "crm-test-key" {
			http.Error(w, `{"error": "bad api key"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(b.tierCode)
		json.NewEncoder(w).Encode(map[string]any{"returnValue": b.tier})
	})
	mux.HandleFunc("GET /api/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.seen = append(b.seen, r.URL.Path)
		if r.Header.Get("Authorization") != "Bearer orders-test-token" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("id"), "amount": b.amount})
	})
	mux.HandleFunc("POST /api/approvals", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.seen = append(b.seen, r.URL.Path)
		if r.Header.Get("webhook-signature") == "" {
			http.Error(w, "unsigned", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"decision": b.decision})
	})
	b.Server = httptest.NewServer(mux)
	t.Cleanup(b.Close)
	return b
}

func exampleFlow(t *testing.T, name string) *flow.Flow {
	t.Helper()
	f, err := assets.ExampleFlow(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func exampleRunner(t *testing.T, b *exampleBackend, observers ...engine.Observer) *engine.Runner {
	t.Helper()
	cf, err := assets.ExampleConnections()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRM_API_KEY": "crm-test-key", "ORDERS_TOKEN": "orders-test-token", "ORDERS_SIGNING_SECRET": "whsec_c2lnbmluZw=="}
	r := engine.NewRunner(engine.Options{
		Connections: cf.Connections,
		Observers:   observers,
		Getenv:      func(k string) string { return env[k] },
		// The examples point at example.com; the test points them at loopback,
		// as the GUI's mock switch does.
		Resolve: func(c flow.Connection) (string, bool) {
			if c.Name == "orders" {
				return b.URL + "/api", true
			}
			return b.URL, true
		},
	})
	t.Cleanup(r.Close)
	return r
}

func TestExampleFlowsAreValid(t *testing.T) {
	cf, err := assets.ExampleConnections()
	if err != nil {
		t.Fatal(err)
	}
	if ps := flow.ValidateConnections(cf); len(ps) > 0 {
		t.Fatalf("bundled connections: %v", ps)
	}
	names := assets.ExampleFlowNames()
	if len(names) < 2 {
		t.Fatalf("want at least two example flows, have %v", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p, err := engine.Compile(exampleFlow(t, name), cf.Connections)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Warnings) > 0 {
				t.Fatalf("warnings: %v", p.Warnings)
			}
		})
	}
}

func TestChatbotExampleTakesEachBranch(t *testing.T) {
	cases := []struct {
		tier        string
		code        int
		wantPath    []string
		wantOutcome string
		wantEvents  []string
	}{
		{"vip", 200, []string{"start", "lookup", "tell", "done"}, "routed", []string{"tier.looked_up", "chat.escalated"}},
		{"standard", 200, []string{"start", "lookup", "prep", "done"}, "routed", []string{"tier.looked_up"}},
		{"gold", 200, []string{"start", "lookup", "prep", "done"}, "routed", []string{"tier.looked_up"}},
		{"vip", 400, []string{"start", "lookup", "sorry"}, "apology", nil},
	}
	for _, c := range cases {
		t.Run(c.tier+" "+http.StatusText(c.code), func(t *testing.T) {
			b := newExampleBackend(t)
			b.tier, b.tierCode = c.tier, c.code
			db := openTestDB(t)
			rec := db.NewRecorder(storage.RecorderOptions{})
			r := exampleRunner(t, b, rec)
			p, err := engine.Compile(exampleFlow(t, "chatbot-vip-routing.flow.json"), r.Connections())
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.Run(context.Background(), p, engine.Input{Trigger: json.RawMessage(`{"chatId": "c-7", "name": "Ada"}`)})
			if err != nil {
				t.Fatal(err)
			}
			var path []string
			for _, s := range res.Steps {
				path = append(path, s.Node)
			}
			if strings.Join(path, ">") != strings.Join(c.wantPath, ">") || res.Run.Outcome != c.wantOutcome {
				t.Fatalf("path %v outcome %q (%s); want %v %q", path, res.Run.Outcome, res.Run.Error, c.wantPath, c.wantOutcome)
			}
			var events []string
			for _, e := range res.Events {
				events = append(events, e.Name)
			}
			if strings.Join(events, ",") != strings.Join(c.wantEvents, ",") {
				t.Fatalf("events %v, want %v", events, c.wantEvents)
			}
			// The run is recorded with its steps.
			if err := r.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := rec.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			run, steps, err := db.Run(context.Background(), res.Run.ID)
			if err != nil {
				t.Fatal(err)
			}
			if run.Status != res.Run.Status || run.Outcome != c.wantOutcome || len(steps) != len(c.wantPath) {
				t.Fatalf("recorded run %+v with %d steps", run, len(steps))
			}
			for _, s := range steps {
				for _, ex := range s.Exchanges {
					if strings.Contains(ex.URL+strings.Join(ex.RequestHeaders["X-Api-Key"], ""), "crm-test-key") {
						t.Fatal("the API key was recorded")
					}
				}
			}
		})
	}
}

func TestOrderExampleApprovesLargeOrders(t *testing.T) {
	cases := []struct {
		amount      float64
		decision    string
		wantOutcome string
	}{
		{50, "", "auto-approved"},
		{5000, "approved", "approved"},
		{5000, "rejected", "rejected"},
		{5000, "maybe", "needs-attention"},
	}
	for _, c := range cases {
		t.Run(c.wantOutcome+" "+c.decision, func(t *testing.T) {
			b := newExampleBackend(t)
			b.amount, b.decision = c.amount, c.decision
			r := exampleRunner(t, b)
			p, err := engine.Compile(exampleFlow(t, "order-approval.flow.json"), r.Connections())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := r.Run(ctx, p, engine.Input{Trigger: json.RawMessage(`{"orderId": 17}`)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Run.Outcome != c.wantOutcome {
				t.Fatalf("outcome %q (%s), want %q; steps %+v", res.Run.Outcome, res.Run.Error, c.wantOutcome, res.Steps)
			}
		})
	}
}
