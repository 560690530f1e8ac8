package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// runHarness is a window with a real engine and recorder on a database
// in a temporary directory; every connection resolves to base.
type runHarness struct {
	*harness
	eng *engine.Runner
	rec *storage.Recorder
}

func newRunHarness(t *testing.T, base string, conns ...flow.Connection) *runHarness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, fa: test.NewTempApp(t), dbPath: filepath.Join(dir, "flowbench.db")}
	h.db = openStore(t, h.dbPath)
	for _, c := range conns {
		if err := h.db.SaveConnection(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	rh := &runHarness{harness: h}
	rh.rec = h.db.NewRecorder(storage.RecorderOptions{})
	env := map[string]string{"CRM_API_KEY": "crm-test-key"}
	rh.eng = engine.NewRunner(engine.Options{
		Observers: []engine.Observer{rh.rec},
		Getenv:    func(k string) string { return env[k] },
		Clock:     clocktest.Instant(), // retries at once
		Resolve:   func(flow.Connection) (string, bool) { return base, true },
	})
	t.Cleanup(func() { rh.eng.Close(); rh.rec.Close() })
	h.queue, h.clock = &uiQueue{}, &manualClock{}
	lr := &LocalRunner{Engine: rh.eng, Connections: h.db.ListConnections, Flush: rh.rec.Flush}
	a, err := New(h.fa, Options{Store: h.db, History: h.db, Do: h.queue.do, AfterFunc: h.clock.after, Runner: lr, Triggers: lr})
	if err != nil {
		t.Fatal(err)
	}
	h.app, h.w = a, a.Window()
	h.w.Resize(fyne.NewSize(1400, 900))
	h.w.Show()
	t.Cleanup(h.w.Close)
	return rh
}

// settle drives the UI goroutine (timers and queued work) until cond
// holds, for at most 20 seconds.
func (h *runHarness) settle(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("gave up waiting for %s; console:\n%s", what, h.consoleText())
		}
		h.clock.fire()
		h.queue.drain()
		time.Sleep(2 * time.Millisecond)
	}
}

// paneText is every text of the step pane, one per line.
func (h *runHarness) paneText() string {
	var parts []string
	walk(h.app.pane.root, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			parts = append(parts, x.Text)
		case *widget.Button:
			parts = append(parts, x.Text)
		case *widget.RichText:
			parts = append(parts, x.String())
		}
	})
	// The response view's tabs, shown or not.
	parts = append(parts, h.app.pane.view.text())
	return strings.Join(parts, "\n")
}

// callFlow is start → call (GET uri on connection "bin") → end.
func callFlow(uri string) *flow.Flow {
	return &flow.Flow{Name: "Call", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart, Position: flow.Position{X: 0, Y: 0}},
		{ID: "call", Kind: flow.KindCall, Title: "Call it", Position: flow.Position{X: 260, Y: 0},
			Call: &flow.Call{Connection: "bin", Method: "GET", URI: uri}},
		{ID: "end", Kind: flow.KindEnd, Position: flow.Position{X: 520, Y: 0}, Outcome: "done"},
	}, Edges: []flow.Edge{{From: "start", To: "call"}, {From: "call", To: "end"}}}
}

var binConn = flow.Connection{Name: "bin", Kind: flow.ConnCustom, BaseURL: "http://127.0.0.1", Auth: flow.Auth{Type: flow.AuthNone}}

// testCall selects the call node and presses Ctrl+Enter, as a person
// tests a request, and waits for the step pane to show the result.
func (h *runHarness) testCall() *flow.Step {
	h.t.Helper()
	h.app.selectProblemNode("call")
	h.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	h.settle("the test's result", func() bool { return h.app.pane.step != nil })
	return h.app.pane.step
}

func TestTestShowsStatusHeadersAndBody(t *testing.T) {
	bin := httptest.NewServer(httpbin.New())
	defer bin.Close()
	h := newRunHarness(t, bin.URL, binConn)
	h.app.load(callFlow(`"/json"`))
	s := h.testCall()
	text := h.paneText()
	for _, want := range []string{"HTTP 200 OK", "Content-Type: application/json", `"slideshow"`, `"title": "Sample Slide Show"`, "Copy as cURL"} {
		t.Run(want, func(t *testing.T) {
			if !strings.Contains(text, want) {
				t.Fatalf("the step pane does not show %q; it shows:\n%s", want, text)
			}
		})
	}
	if s.Status != flow.StatusSucceeded || len(s.Exchanges) != 1 {
		t.Fatalf("step %+v", s)
	}
	t.Run("completions offer the tested fields", func(t *testing.T) {
		names := h.app.inspector.names()
		if !slices.Contains(names, "steps.call.body.slideshow.title") {
			t.Fatalf("completions lack steps.call.body.slideshow.title: %v", names)
		}
	})
	t.Run("the Test button is in the call form", func(t *testing.T) {
		found := false
		walk(h.app.inspector.box, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, "Test") {
				found = true
			}
		})
		if !found {
			t.Fatal("no Test button in the call inspector")
		}
	})
}

// tierServer answers POST /v1/tier with {"returnValue": tier}, or code
// when it is not 200, and checks the API key the example connection sends.
func tierServer(t *testing.T, tier string, code int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/tier" || r.Header.Get("x-api-key") != "crm-test-key" {
			http.Error(w, `{"error": "bad api key or path"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"returnValue": tier})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func exampleDoc(t *testing.T) *flow.Flow {
	t.Helper()
	f, err := assets.ExampleFlow("chatbot-vip-routing.flow.json")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRunOfTheExampleFlow(t *testing.T) {
	cf, err := assets.ExampleConnections()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		tier     string
		code     int
		status   flow.Status
		outcome  string
		nodes    map[string]flow.Status
		lit      []int // connectors of the example, in file order
		decision string
	}{
		{"vip", "vip", 200, flow.StatusSucceeded, "routed",
			map[string]flow.Status{"start": flow.StatusSucceeded, "lookup": flow.StatusSucceeded, "tell": flow.StatusSucceeded, "done": flow.StatusSucceeded, "prep": flow.StatusSkipped, "sorry": flow.StatusSkipped},
			[]int{0, 1, 5}, `returnValue "vip" matched branch vip`},
		{"no branch matched", "gold", 200, flow.StatusSucceeded, "routed",
			map[string]flow.Status{"lookup": flow.StatusSucceeded, "prep": flow.StatusSucceeded, "tell": flow.StatusSkipped},
			[]int{0, 3, 6}, `no branch matched "gold": default path`},
		{"failed call takes the failure path", "", 503, flow.StatusSucceeded, "apology",
			map[string]flow.Status{"lookup": flow.StatusFailed, "sorry": flow.StatusSucceeded, "done": flow.StatusSkipped},
			[]int{0, 4}, "failure path: HTTP 503 after 3 attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tierServer(t, tt.tier, tt.code)
			h := newRunHarness(t, srv.URL, cf.Connections...)
			h.app.load(exampleDoc(t))
			h.app.Run(json.RawMessage(`{"chatId": "42", "name": "Ann"}`))
			h.settle("the run to finish", func() bool { return !h.app.Running() })
			lr := h.app.live
			if lr.run == nil || lr.run.Status != tt.status || lr.run.Outcome != tt.outcome {
				t.Fatalf("run %+v; console:\n%s", lr.run, h.consoleText())
			}
			status, lit := h.app.cv.RunOverlay()
			for id, want := range tt.nodes {
				if status[id] != want {
					t.Errorf("node %s is %q on the canvas, want %q", id, status[id], want)
				}
			}
			if !slices.Equal(lit, tt.lit) {
				t.Errorf("lit connectors %v, want %v", lit, tt.lit)
			}
			// the console's sentences are the engine's decisions, as recorded
			_, steps, err := h.db.Run(context.Background(), lr.id)
			if err != nil {
				t.Fatal(err)
			}
			console := h.consoleText()
			found := false
			for _, s := range steps {
				if s.Decision != "" && !strings.Contains(console, s.Decision) {
					t.Errorf("the console lacks the decision of %s: %q\n%s", s.Node, s.Decision, console)
				}
				found = found || strings.Contains(s.Decision, tt.decision)
			}
			if !found || !strings.Contains(console, tt.decision) {
				t.Errorf("no decision %q; console:\n%s", tt.decision, console)
			}
			if tt.code != 200 {
				// a failed step shows its error and every attempt
				var failed *flow.Step
				for _, s := range lr.steps {
					if s.Status == flow.StatusFailed {
						failed = s
					}
				}
				if failed == nil {
					t.Fatal("no failed step followed")
				}
				h.app.showStep(failed)
				text := h.paneText()
				for _, want := range []string{"Error: ", "Attempts (3)", "#1  HTTP 503", "#3  HTTP 503", "HTTP 503 Service Unavailable"} {
					if !strings.Contains(text, want) {
						t.Errorf("the failed step's pane lacks %q:\n%s", want, text)
					}
				}
			}
			t.Run("the Runs view lists it and replays it", func(t *testing.T) {
				h.app.history.reload()
				if len(h.app.history.runL.items) != 1 || h.app.history.runL.items[0].ID != lr.id {
					t.Fatalf("runs view %+v", h.app.history.runL.items)
				}
				h.app.cv.SetRunOverlay(nil, nil)
				h.app.history.runL.list.Select(0)
				_, relit := h.app.cv.RunOverlay()
				if !slices.Equal(relit, tt.lit) {
					t.Fatalf("replayed connectors %v, want %v", relit, tt.lit)
				}
			})
		})
	}
}

func TestBadBodies(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		chunk := []byte(strings.Repeat("0123456789abcdef", 4096))
		for written := 0; written < 100<<20; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "caf\xe9 cr\xe8me")
	})
	mux.HandleFunc("/png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tests := []struct {
		uri  string
		want []string
	}{
		{`"/big"`, []string{"Capped: showing the first 256.0 KiB", "0123456789abcdef"}},
		{`"/latin1"`, []string{"Not valid UTF-8: 2 characters", "caf\uFFFD cr\uFFFDme"}},
		{`"/png"`, []string{"Binary body: 11 B, image/png"}},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			h := newRunHarness(t, srv.URL, binConn)
			h.app.load(callFlow(tt.uri))
			h.testCall()
			text := h.paneText()
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the pane lacks %q:\n%.2000s", w, text)
				}
			}
		})
	}
}

func TestStopMidwayIsRecordedAsStopped(t *testing.T) {
	arrived := make(chan struct{}, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/fast", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ok": true}`) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	h := newRunHarness(t, srv.URL, binConn)
	f := callFlow(`"/fast"`)
	f.Nodes = append(f.Nodes, flow.Node{ID: "slow", Kind: flow.KindCall, Position: flow.Position{X: 400, Y: 200},
		Call: &flow.Call{Connection: "bin", Method: "GET", URI: `"/slow"`}})
	f.Edges[1] = flow.Edge{From: "call", To: "slow"}
	f.Edges = append(f.Edges, flow.Edge{From: "slow", To: "end"})
	h.app.load(f)
	h.app.Run(nil)
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the second call never arrived")
	}
	test.Tap(h.tipButtonNamed("Stop"))
	h.settle("the run to stop", func() bool { return !h.app.Running() })
	run, steps, err := h.db.Run(context.Background(), h.app.live.id)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != flow.StatusStopped {
		t.Fatalf("recorded status %q, want stopped", run.Status)
	}
	var nodes []string
	for _, s := range steps {
		nodes = append(nodes, fmt.Sprintf("%s:%s", s.Node, s.Status))
	}
	if len(steps) < 2 || steps[1].Node != "call" || steps[1].Status != flow.StatusSucceeded {
		t.Fatalf("recorded steps %v; want start and call done before the stop", nodes)
	}
	if !strings.Contains(h.consoleText(), "stopped") {
		t.Fatalf("the console does not say the run stopped:\n%s", h.consoleText())
	}
}
