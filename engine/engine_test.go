package engine

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/engine/webhook"
	"github.com/flowbench/flowbench/flow"
)

// peer is a real HTTP peer on 127.0.0.1: go-httpbin behind a thin recorder
// that keeps every request it received and can inject a scripted sequence of
// statuses in front of httpbin (for retry tests). A request to /hold gets no
// answer until the caller gives up; its arrival is sent on held.
type peer struct {
	*httptest.Server
	held     chan struct{}
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
	script   map[string][]int // path -> statuses to answer before httpbin
	// holds counts, per path, the next requests that get no answer until
	// the caller gives up (their arrival is sent on held), as /hold does.
	holds   map[string]int
	headers map[string]http.Header
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	p := &peer{script: map[string][]int{}, headers: map[string]http.Header{}, holds: map[string]int{}, held: make(chan struct{}, 16)}
	hb := httpbin.New(httpbin.WithMaxDuration(10 * time.Second))
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		p.mu.Lock()
		p.requests = append(p.requests, r.Clone(context.Background()))
		p.bodies = append(p.bodies, string(body))
		var status int
		if seq := p.script[r.URL.Path]; len(seq) > 0 {
			status, p.script[r.URL.Path] = seq[0], seq[1:]
		}
		extra := p.headers[r.URL.Path]
		hold := r.URL.Path == "/hold" || p.holds[r.URL.Path] > 0
		if p.holds[r.URL.Path] > 0 {
			p.holds[r.URL.Path]--
		}
		p.mu.Unlock()
		if hold {
			select {
			case p.held <- struct{}{}:
			default:
			}
			<-r.Context().Done()
			return
		}
		if status != 0 {
			for k, vs := range extra {
				w.Header()[k] = vs
			}
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error": "scripted %d"}`, status)
			return
		}
		hb.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// advanceWhenHeld moves clk by d once a request reaches /hold, as the time
// a step waits for an answer that never comes.
func (p *peer) advanceWhenHeld(t *testing.T, clk *clocktest.Clock, d time.Duration) {
	go func() {
		select {
		case <-p.held:
			clk.Advance(d)
		case <-time.After(20 * time.Second):
			t.Error("no request reached /hold")
		}
	}()
}

func (p *peer) received() []*http.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*http.Request(nil), p.requests...)
}

func (p *peer) conn(name string) flow.Connection {
	return flow.Connection{Name: name, Kind: flow.ConnCustom, BaseURL: p.URL, Auth: flow.Auth{Type: flow.AuthNone}}
}

// linear builds start -> nodes... -> end, each joined by its first port.
func linear(nodes ...flow.Node) *flow.Flow {
	f := &flow.Flow{Format: flow.Format, Name: "test"}
	f.Nodes = append(f.Nodes, flow.Node{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerManual}})
	prev := "start"
	for _, n := range nodes {
		f.Nodes = append(f.Nodes, n)
		f.Edges = append(f.Edges, flow.Edge{From: prev, To: n.ID})
		prev = n.ID
	}
	f.Nodes = append(f.Nodes, flow.Node{ID: "end", Kind: flow.KindEnd, Outcome: "done"})
	f.Edges = append(f.Edges, flow.Edge{From: prev, To: "end"})
	return f
}

func callNode(id string, c flow.Call) flow.Node {
	if c.Connection == "" {
		c.Connection = "api"
	}
	return flow.Node{ID: id, Kind: flow.KindCall, Call: &c}
}

func mustCompile(t *testing.T, f *flow.Flow, conns []flow.Connection) *Plan {
	t.Helper()
	p, err := Compile(f, conns)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return p
}

func run(t *testing.T, r *Runner, p *Plan, trigger string) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in := Input{}
	if trigger != "" {
		in.Trigger = json.RawMessage(trigger)
	}
	res, err := r.Run(ctx, p, in)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res
}

func stepOf(t *testing.T, res *Result, node string) flow.Step {
	t.Helper()
	for _, s := range res.Steps {
		if s.Node == node {
			return s
		}
	}
	t.Fatalf("no step for node %q in %+v", node, res.Steps)
	return flow.Step{}
}

func TestCallSendsExactlyWhatTheFlowBuilt(t *testing.T) {
	pr := newPeer(t)
	f := linear(callNode("send", flow.Call{
		Method: "POST",
		URI:    `"/anything/chats/" + trigger.chatId`,
		Query: []flow.Pair{
			{Key: `"environment"`, Value: `env.name`},
			{Key: `"tag"`, Value: `["a", "b"]`},
		},
		Headers: []flow.Pair{{Key: `"X-Customer"`, Value: `trigger.name`}},
		Body:    `{"chatId": trigger.chatId, "priority": "High", "n": 3}`,
	}))
	conns := []flow.Connection{pr.conn("api")}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	ctx := context.Background()
	res, err := r.Run(ctx, mustCompile(t, f, conns), Input{
		Trigger: json.RawMessage(`{"chatId": "c 42", "name": "Ada"}`),
		Env:     map[string]any{"name": "dev"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
	got := pr.received()
	if len(got) != 1 {
		t.Fatalf("peer received %d requests, want 1", len(got))
	}
	req := got[0]
	if req.Method != "POST" || req.URL.Path != "/anything/chats/c 42" {
		t.Errorf("method/path = %s %s", req.Method, req.URL.Path)
	}
	if q := req.URL.Query(); q.Get("environment") != "dev" || strings.Join(q["tag"], ",") != "a,b" {
		t.Errorf("query = %v", req.URL.RawQuery)
	}
	if req.Header.Get("X-Customer") != "Ada" || req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", req.Header)
	}
	guid := req.Header.Get(HeaderTaskGUID)
	if guid == "" || req.Header.Get(HeaderIdempotencyKey) != guid {
		t.Errorf("task GUID %q and idempotency key %q must be set and equal", guid, req.Header.Get(HeaderIdempotencyKey))
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(pr.bodies[0]), &body); err != nil {
		t.Fatal(err)
	}
	if body["chatId"] != "c 42" || body["priority"] != "High" || body["n"] != 3.0 {
		t.Errorf("body = %s", pr.bodies[0])
	}
	// httpbin echoes what it received; the step context holds the parsed JSON.
	s := stepOf(t, res, "send")
	if s.HTTPStatus != 200 || s.Attempts != 1 || len(s.Exchanges) != 1 {
		t.Errorf("step = %+v", s)
	}
	if !strings.Contains(s.Exchanges[0].ResponseBody, `"X-Customer"`) {
		t.Errorf("recorded response body does not hold httpbin's echo: %.200s", s.Exchanges[0].ResponseBody)
	}
}

func TestRetries(t *testing.T) {
	cases := []struct {
		name         string
		path         string
		script       []int
		retryAfter   string
		wantAttempts int
		wantStatus   flow.Status
		wantWaits    []time.Duration
	}{
		// Waits are half the backoff ceiling (Rand 0.5): 10ms, then 20ms.
		{name: "503 then success", path: "/anything/flaky", script: []int{503, 503}, wantAttempts: 3, wantStatus: flow.StatusSucceeded, wantWaits: []time.Duration{5 * time.Millisecond, 10 * time.Millisecond}},
		{name: "429 honours Retry-After", path: "/anything/limited", script: []int{429}, retryAfter: "1", wantAttempts: 2, wantStatus: flow.StatusSucceeded, wantWaits: []time.Duration{time.Second}},
		{name: "408 is retried", path: "/anything/slow", script: []int{408}, wantAttempts: 2, wantStatus: flow.StatusSucceeded, wantWaits: []time.Duration{5 * time.Millisecond}},
		{name: "400 is not retried", path: "/status/400", wantAttempts: 1, wantStatus: flow.StatusFailed},
		{name: "always 503 gives up", path: "/status/503", wantAttempts: 3, wantStatus: flow.StatusFailed, wantWaits: []time.Duration{5 * time.Millisecond, 10 * time.Millisecond}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pr := newPeer(t)
			pr.script[c.path] = c.script
			if c.retryAfter != "" {
				pr.headers[c.path] = http.Header{"Retry-After": {c.retryAfter}}
			}
			f := linear(callNode("call", flow.Call{URI: fmt.Sprintf("%q", c.path),
				Retry: &flow.Retry{MaxAttempts: 3, InitialInterval: flow.Duration(10 * time.Millisecond), BackoffRate: 2, MaxInterval: flow.Duration(50 * time.Millisecond)}}))
			conns := []flow.Connection{pr.conn("api")}
			clk := clocktest.New(time.Unix(1_700_000_000, 0))
			r := NewRunner(Options{Connections: conns, Clock: clk, Rand: func() float64 { return 0.5 }})
			defer r.Close()
			res := run(t, r, mustCompile(t, f, conns), "")
			s := stepOf(t, res, "call")
			if s.Attempts != c.wantAttempts || len(pr.received()) != c.wantAttempts {
				t.Fatalf("attempts = %d (peer saw %d), want %d", s.Attempts, len(pr.received()), c.wantAttempts)
			}
			if res.Run.Status != c.wantStatus {
				t.Fatalf("run status = %s (%s), want %s", res.Run.Status, res.Run.Error, c.wantStatus)
			}
			guids := map[string]bool{}
			for _, req := range pr.received() {
				guids[req.Header.Get(HeaderTaskGUID)+"|"+req.Header.Get(HeaderIdempotencyKey)] = true
			}
			if len(guids) != 1 {
				t.Fatalf("attempts carried %d different task GUID/idempotency pairs, want 1: %v", len(guids), guids)
			}
			var waits []time.Duration
			for _, ex := range s.Exchanges[1:] {
				waits = append(waits, time.Duration(ex.WaitMs)*time.Millisecond)
			}
			if fmt.Sprint(clk.Slept()) != fmt.Sprint(c.wantWaits) || fmt.Sprint(waits) != fmt.Sprint(c.wantWaits) {
				t.Fatalf("slept %v, recorded waits %v; want %v", clk.Slept(), waits, c.wantWaits)
			}
			if c.wantStatus == flow.StatusFailed && !strings.Contains(res.Run.Error, `"call"`) {
				t.Fatalf("run error %q does not name the step", res.Run.Error)
			}
		})
	}
}

func TestBackoffPolicy(t *testing.T) {
	p := &flow.Retry{MaxAttempts: 5, InitialInterval: flow.Duration(time.Second), BackoffRate: 2, MaxInterval: flow.Duration(5 * time.Second)}
	for _, c := range []struct {
		n    int
		rnd  float64
		want time.Duration
	}{
		{1, 0.5, 500 * time.Millisecond}, {2, 0.5, time.Second}, {3, 0.999, 3996 * time.Millisecond},
		{4, 0.5, 2500 * time.Millisecond}, {40, 0.5, 2500 * time.Millisecond}, {2, 0, 0},
	} {
		t.Run(fmt.Sprintf("attempt %d jitter %.3f", c.n, c.rnd), func(t *testing.T) {
			if got := backoff(p, c.n, func() float64 { return c.rnd }); got != c.want {
				t.Fatalf("backoff = %v, want %v", got, c.want)
			}
		})
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, header string
		want         time.Duration
		ok           bool
	}{
		{"seconds", "3", 3 * time.Second, true},
		{"http date", now.Add(2 * time.Second).Format(http.TimeFormat), 2 * time.Second, true},
		{"past date", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"garbage", "soon", 0, false},
		{"absent", "", 0, false},
	} {
		t.Run("retry-after "+c.name, func(t *testing.T) {
			h := http.Header{}
			if c.header != "" {
				h.Set("Retry-After", c.header)
			}
			got, ok := retryAfter(h, now)
			if got != c.want || ok != c.ok {
				t.Fatalf("retryAfter(%q) = %v, %v; want %v, %v", c.header, got, ok, c.want, c.ok)
			}
		})
	}
}

// TestStepTimeout: a step of a 30s timeout whose answer never comes fails
// when the runner's clock has moved 30s, which a fake clock does at once;
// the step's record measures the exchange on the same clock.
func TestStepTimeout(t *testing.T) {
	pr := newPeer(t)
	timeout := 30 * time.Second
	f := linear(callNode("slow", flow.Call{URI: `"/hold"`, Timeout: flow.Duration(timeout)}))
	conns := []flow.Connection{pr.conn("api")}
	clk := clocktest.New(time.Unix(1_700_000_000, 0))
	r := NewRunner(Options{Connections: conns, Clock: clk})
	defer r.Close()
	pr.advanceWhenHeld(t, clk, timeout)
	res := run(t, r, mustCompile(t, f, conns), "")
	s := stepOf(t, res, "slow")
	want := "no answer within the call's 30s timeout; raise call.timeout or check the endpoint"
	if s.Status != flow.StatusFailed || s.Error != want || res.Run.Status != flow.StatusFailed {
		t.Fatalf("step %s %q, run %s; want failed %q", s.Status, s.Error, res.Run.Status, want)
	}
	if len(s.Exchanges) != 1 || s.Exchanges[0].DurationMs != timeout.Milliseconds() || s.DurationMs != timeout.Milliseconds() {
		t.Fatalf("exchanges %+v, step %d ms; want one exchange and a step of %d ms", s.Exchanges, s.DurationMs, timeout.Milliseconds())
	}
}

func TestBodyOverCapFailsCleanly(t *testing.T) {
	pr := newPeer(t)
	f := linear(callNode("big", flow.Call{URI: `"/bytes/4096"`, Retry: &flow.Retry{MaxAttempts: 3}}))
	conns := []flow.Connection{pr.conn("api")}
	r := NewRunner(Options{Connections: conns, MaxBodyBytes: 1024})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, conns), "")
	s := stepOf(t, res, "big")
	if s.Status != flow.StatusFailed || !strings.Contains(s.Error, "1 KiB cap") || s.Attempts != 1 {
		t.Fatalf("step %s attempts %d %q", s.Status, s.Attempts, s.Error)
	}
}

func TestHeadersWithLineBreaksAreRejectedBeforeSending(t *testing.T) {
	for _, c := range []struct{ name, key, value string }{
		{"CRLF in value", `"X-Test"`, `"a\r\nX-Injected: 1"`},
		{"bad name", `"X Test"`, `"a"`},
		{"LF in query", "", `"a\nb"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			pr := newPeer(t)
			call := flow.Call{URI: `"/anything"`}
			if c.key == "" {
				call.Query = []flow.Pair{{Key: `"q"`, Value: c.value}}
			} else {
				call.Headers = []flow.Pair{{Key: c.key, Value: c.value}}
			}
			f := linear(callNode("send", call))
			conns := []flow.Connection{pr.conn("api")}
			r := NewRunner(Options{Connections: conns})
			defer r.Close()
			res := run(t, r, mustCompile(t, f, conns), "")
			if n := len(pr.received()); n != 0 {
				t.Fatalf("peer received %d requests, want none", n)
			}
			if s := stepOf(t, res, "send"); s.Status != flow.StatusFailed || !strings.Contains(s.Error, "call.") {
				t.Fatalf("step %s %q: want a failure naming the field", s.Status, s.Error)
			}
		})
	}
}

func TestURIMustStayOnTheConnection(t *testing.T) {
	base, _ := url.Parse("https://api.example.com/v2/")
	for _, c := range []struct {
		uri, want string
		bad       bool
	}{
		{uri: "/v1/tier", want: "https://api.example.com/v2/v1/tier"},
		{uri: "items?x=1", want: "https://api.example.com/v2/items?x=1"},
		{uri: "", want: "https://api.example.com/v2/"},
		{uri: "/a%2Fb", want: "https://api.example.com/v2/a%2Fb"},
		{uri: "https://evil.example/", bad: true},
		{uri: "//evil.example/x", bad: true},
		{uri: "/../admin", bad: true},
	} {
		t.Run(c.uri, func(t *testing.T) {
			u, err := joinURL(base, c.uri)
			if c.bad {
				if err == nil {
					t.Fatalf("joinURL(%q) = %s, want an error", c.uri, u)
				}
				return
			}
			if err != nil || u.String() != c.want {
				t.Fatalf("joinURL(%q) = %v, %v; want %s", c.uri, u, err, c.want)
			}
		})
	}
}

// jsonServer answers every request with the given JSON body (or text when it
// does not start with '{'), for branch tests that need a chosen return value.
func jsonServer(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(body, "{") {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "text/html")
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

// branchFlow: start -> lookup (branches vip, standard) -> one end per port.
func branchFlow(withFailure bool) *flow.Flow {
	f := &flow.Flow{Format: flow.Format, Name: "branches", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart},
		callNode("lookup", flow.Call{Method: "POST", URI: `"/tier"`, Body: `{"chatId": "c1"}`, Branches: []string{"vip", "standard"}, SaveTo: "tier", CompletionEvent: "tier.looked_up"}),
		{ID: "vip", Kind: flow.KindEnd, Outcome: "vip"},
		{ID: "standard", Kind: flow.KindEnd, Outcome: "standard"},
		{ID: "other", Kind: flow.KindEnd, Outcome: "default"},
		{ID: "sorry", Kind: flow.KindEnd, Outcome: "failed"},
	}, Edges: []flow.Edge{
		{From: "start", To: "lookup"},
		{From: "lookup", Port: "vip", To: "vip"},
		{From: "lookup", Port: "standard", To: "standard"},
		{From: "lookup", Port: "default", To: "other"},
	}}
	if withFailure {
		f.Edges = append(f.Edges, flow.Edge{From: "lookup", Port: "failure", To: "sorry"})
	}
	return f
}

func TestBranching(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		body        string
		withFailure bool
		wantPort    string
		wantOutcome string
		wantRun     flow.Status
		wantSaved   any
		wantInWords string
	}{
		{name: "branch option", status: 200, body: `{"returnValue": "vip"}`, withFailure: true, wantPort: "vip", wantOutcome: "vip", wantRun: flow.StatusSucceeded, wantSaved: "vip", wantInWords: `returnValue "vip" matched branch vip`},
		{name: "second option", status: 200, body: `{"returnValue": "standard"}`, withFailure: true, wantPort: "standard", wantOutcome: "standard", wantRun: flow.StatusSucceeded, wantSaved: "standard"},
		{name: "value not among options", status: 200, body: `{"returnValue": "gold"}`, withFailure: true, wantPort: "default", wantOutcome: "default", wantRun: flow.StatusSucceeded, wantSaved: "gold", wantInWords: `no branch matched "gold": default path`},
		{name: "no return value", status: 200, body: `{"other": 1}`, withFailure: true, wantPort: "default", wantOutcome: "default", wantRun: flow.StatusSucceeded, wantSaved: map[string]any{"other": int64(1)}},
		{name: "non-JSON body", status: 200, body: `<html>ok</html>`, withFailure: true, wantPort: "default", wantOutcome: "default", wantRun: flow.StatusSucceeded, wantSaved: "<html>ok</html>"},
		{name: "failure path", status: 500, body: `{"error": "boom"}`, withFailure: true, wantPort: "failure", wantOutcome: "failed", wantRun: flow.StatusSucceeded},
		{name: "failure without failure edge", status: 404, body: `{"error": "nope"}`, wantPort: "failure", wantRun: flow.StatusFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := jsonServer(t, c.status, c.body)
			conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
			r := NewRunner(Options{Connections: conns})
			defer r.Close()
			res := run(t, r, mustCompile(t, branchFlow(c.withFailure), conns), "")
			s := stepOf(t, res, "lookup")
			if s.Port != c.wantPort || res.Run.Outcome != c.wantOutcome || res.Run.Status != c.wantRun {
				t.Fatalf("port %q outcome %q run %s (%s); want %q %q %s", s.Port, res.Run.Outcome, res.Run.Status, res.Run.Error, c.wantPort, c.wantOutcome, c.wantRun)
			}
			if c.wantInWords != "" && s.Decision != c.wantInWords {
				t.Fatalf("decision %q, want %q", s.Decision, c.wantInWords)
			}
			if c.wantSaved != nil && fmt.Sprint(res.Vars["tier"]) != fmt.Sprint(c.wantSaved) {
				t.Fatalf("vars.tier = %#v, want %#v", res.Vars["tier"], c.wantSaved)
			}
			if c.status < 300 && (len(res.Events) != 1 || res.Events[0].Name != "tier.looked_up") {
				t.Fatalf("completion event: %+v", res.Events)
			}
			if c.wantRun == flow.StatusFailed && (!strings.Contains(res.Run.Error, `step "lookup"`) || !strings.Contains(res.Run.Error, "404")) {
				t.Fatalf("run error %q should name the step and the status", res.Run.Error)
			}
		})
	}
}

func TestDecisionSetEmitEnd(t *testing.T) {
	f := &flow.Flow{Format: flow.Format, Name: "kinds", Variables: map[string]string{"greeting": `"Hello"`},
		Nodes: []flow.Node{
			{ID: "start", Kind: flow.KindStart},
			{ID: "prep", Kind: flow.KindSet, Assign: []flow.Assignment{
				{Name: "amount", Value: `trigger.amount * 2`},
				{Name: "summary", Value: `vars.greeting + " " + trigger.name`},
			}},
			{ID: "big", Kind: flow.KindDecision, Cases: []flow.Case{{Port: "huge", When: `vars.amount > 10000`}, {Port: "yes", When: `vars.amount > 1000`}}},
			{ID: "tell", Kind: flow.KindEmit, Event: "order.large", Payload: `{"summary": vars.summary, "amount": vars.amount}`},
			{ID: "small", Kind: flow.KindEnd, Outcome: "small"},
			{ID: "done", Kind: flow.KindEnd, Outcome: "large"},
		},
		Edges: []flow.Edge{
			{From: "start", To: "prep"}, {From: "prep", To: "big"},
			{From: "big", Port: "yes", To: "tell"}, {From: "big", Port: "huge", To: "tell"}, {From: "big", Port: "default", To: "small"},
			{From: "tell", To: "done"},
		}}
	p := mustCompile(t, f, []flow.Connection{})
	var got []flow.RunEvent
	var mu sync.Mutex
	r := NewRunner(Options{Observers: []Observer{ObserverFunc(func(ev flow.RunEvent) { mu.Lock(); got = append(got, ev); mu.Unlock() })}})
	defer r.Close()

	res := run(t, r, p, `{"amount": 600, "name": "Ada"}`)
	if res.Run.Outcome != "large" || stepOf(t, res, "big").Port != "yes" {
		t.Fatalf("outcome %q, decision port %q", res.Run.Outcome, stepOf(t, res, "big").Port)
	}
	if len(res.Events) != 1 || string(res.Events[0].Payload) != `{"amount":1200,"summary":"Hello Ada"}` {
		t.Fatalf("events %+v", res.Events)
	}
	res = run(t, r, p, `{"amount": 10, "name": "Bo"}`)
	if res.Run.Outcome != "small" || stepOf(t, res, "big").Decision != "no condition is true: default path" {
		t.Fatalf("outcome %q decision %q", res.Run.Outcome, stepOf(t, res, "big").Decision)
	}
	if err := r.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	kinds := map[flow.EventKind]int{}
	for _, ev := range got {
		kinds[ev.Kind]++
	}
	if kinds[flow.EventRunStarted] != 2 || kinds[flow.EventRunFinished] != 2 || kinds[flow.EventStepFinished] != 9 || kinds[flow.EventRaised] != 1 || kinds[flow.EventBranchTaken] != 7 {
		t.Fatalf("observed %v", kinds)
	}
	if got[0].Kind != flow.EventRunStarted || got[len(got)-1].Kind != flow.EventRunFinished {
		t.Fatalf("first %s last %s", got[0].Kind, got[len(got)-1].Kind)
	}
}

func TestLoopIsBoundedAndStopIsRecorded(t *testing.T) {
	f := &flow.Flow{Format: flow.Format, Name: "loop", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart},
		{ID: "inc", Kind: flow.KindSet, Assign: []flow.Assignment{{Name: "n", Value: `has(vars.n) ? vars.n + 1 : 1`}}},
		{ID: "again", Kind: flow.KindDecision, Cases: []flow.Case{{Port: "more", When: `vars.n < 1000000`}}},
		{ID: "done", Kind: flow.KindEnd},
	}, Edges: []flow.Edge{{From: "start", To: "inc"}, {From: "inc", To: "again"}, {From: "again", Port: "more", To: "inc"}, {From: "again", Port: "default", To: "done"}}}
	p := mustCompile(t, f, nil)
	t.Run("step limit", func(t *testing.T) {
		r := NewRunner(Options{MaxSteps: 100})
		defer r.Close()
		res := run(t, r, p, "")
		if res.Run.Status != flow.StatusFailed || !strings.Contains(res.Run.Error, "more than 100 steps") || len(res.Steps) != 100 {
			t.Fatalf("status %s, %d steps, error %q", res.Run.Status, len(res.Steps), res.Run.Error)
		}
	})
	t.Run("stopped", func(t *testing.T) {
		var steps atomic.Int64
		ctx, cancel := context.WithCancel(context.Background())
		r := NewRunner(Options{Observers: []Observer{ObserverFunc(func(ev flow.RunEvent) {
			if ev.Kind == flow.EventStepFinished && steps.Add(1) == 50 {
				cancel()
			}
		})}})
		defer r.Close()
		// The observer runs on its own goroutine; the run stops soon after.
		res, err := r.Run(ctx, p, Input{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Run.Status != flow.StatusStopped || len(res.Steps) == 0 {
			t.Fatalf("status %s after %d steps", res.Run.Status, len(res.Steps))
		}
	})
}

func TestSignedCallKeepsWebhookIDAcrossRetries(t *testing.T) {
	pr := newPeer(t)
	pr.script["/anything/hook"] = []int{503}
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("signing key for the test"))
	f := linear(callNode("hook", flow.Call{Method: "POST", URI: `"/anything/hook"`, Body: `{"a": 1}`,
		Signing: &flow.Signing{Secret: flow.SecretRef{Env: "HOOK_SECRET"}},
		Retry:   &flow.Retry{MaxAttempts: 2, InitialInterval: flow.Duration(4 * time.Second), BackoffRate: 1}}))
	conns := []flow.Connection{pr.conn("api")}
	// The retry waits 2s of a fake clock, so the attempts' timestamps differ.
	clk := clocktest.New(time.Unix(1_700_000_000, 0))
	r := NewRunner(Options{Connections: conns, Clock: clk, Rand: func() float64 { return 0.5 },
		Getenv: func(k string) string {
			if k == "HOOK_SECRET" {
				return secret
			}
			return ""
		},
	})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, conns), "")
	if res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
	reqs := pr.received()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	ids, stamps := map[string]bool{}, []string{}
	for i, req := range reqs {
		id, ts := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp")
		ids[id], stamps = true, append(stamps, ts)
		if id != req.Header.Get(HeaderTaskGUID) {
			t.Errorf("webhook-id %s differs from the task GUID %s", id, req.Header.Get(HeaderTaskGUID))
		}
		var n int64
		fmt.Sscan(ts, &n)
		if want := webhook.Sign(webhook.Key(secret), id, n, []byte(pr.bodies[i])); req.Header.Get("webhook-signature") != want {
			t.Errorf("attempt %d signature %s, want %s", i+1, req.Header.Get("webhook-signature"), want)
		}
	}
	if len(ids) != 1 || fmt.Sprint(stamps) != "[1700000000 1700000002]" {
		t.Fatalf("webhook ids %v (want one), timestamps %v (want the clock's, 2s apart)", ids, stamps)
	}
	for _, ex := range stepOf(t, res, "hook").Exchanges {
		if strings.Contains(fmt.Sprint(ex), secret) {
			t.Fatal("the signing secret appears in the step record")
		}
	}
}

func TestCompileReportsEveryExpressionProblem(t *testing.T) {
	f := linear(
		callNode("a", flow.Call{URI: `"/x" +`, Headers: []flow.Pair{{Key: `"X"`, Value: `nope.b`}}}),
		flow.Node{ID: "d", Kind: flow.KindDecision, Cases: []flow.Case{{Port: "p", When: `vars.x >`}}},
	)
	f.Edges = append(f.Edges, flow.Edge{From: "d", Port: "p", To: "end"})
	_, err := Compile(f, []flow.Connection{})
	ps, ok := err.(flow.Problems)
	if !ok {
		t.Fatalf("want flow.Problems, got %T %v", err, err)
	}
	want := map[string]bool{"a call.uri": false, "a call.headers[0].value": false, "d cases[0].when": false, "a call.connection": false}
	for _, p := range ps {
		key := p.Node + " " + p.Field
		if _, ok := want[key]; ok {
			want[key] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no problem reported for %s; got:\n%v", k, err)
		}
	}
	if !strings.Contains(err.Error(), "line 1, column") {
		t.Errorf("expression problems should carry line and column: %v", err)
	}
}

func TestTestStepShowsTheExchangeAndContext(t *testing.T) {
	pr := newPeer(t)
	f := linear(callNode("probe", flow.Call{Method: "POST", URI: `"/anything/" + vars.id`, Body: `{"q": trigger.q}`}))
	f.Variables = map[string]string{"id": `"fallback"`}
	conns := []flow.Connection{pr.conn("api")}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	res, err := r.TestStep(context.Background(), mustCompile(t, f, conns), "probe", StepInput{
		Trigger: json.RawMessage(`{"q": "hello"}`), Vars: map[string]any{"id": "seeded"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Step.Status != flow.StatusSucceeded || len(res.Step.Exchanges) != 1 {
		t.Fatalf("step %+v", res.Step)
	}
	ex := res.Step.Exchanges[0]
	if ex.Method != "POST" || !strings.HasSuffix(ex.URL, "/anything/seeded") || ex.RequestBody != `{"q":"hello"}` || ex.Status != 200 {
		t.Fatalf("exchange %+v", ex)
	}
	body, ok := res.Context["body"].(map[string]any)
	if !ok || body["url"] == nil || res.Context["status"] != int64(200) {
		t.Fatalf("context %v", res.Context)
	}
	if _, err := r.TestStep(context.Background(), mustCompile(t, f, conns), "nope", StepInput{}); err == nil {
		t.Fatal("an unknown node should be an error")
	}
}

func TestRedirectToAnotherHostCarriesNoCredentials(t *testing.T) {
	other := newPeer(t) // the second host: reached as "localhost", the first as 127.0.0.1
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	auths := map[string]flow.Auth{
		"api key header": {Type: flow.AuthAPIKey, In: "header", Name: "X-Api-Key", Value: &flow.SecretRef{Env: "K"}},
		"api key query":  {Type: flow.AuthAPIKey, In: "query", Name: "api_key", Value: &flow.SecretRef{Env: "K"}},
		"bearer":         {Type: flow.AuthBearer, Token: &flow.SecretRef{Env: "K"}},
	}
	for name, a := range auths {
		for _, code := range []int{301, 302, 307, 308} {
			t.Run(fmt.Sprintf("%s %d", name, code), func(t *testing.T) {
				first := newPeer(t)
				conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: first.URL, Auth: a}}
				f := linear(callNode("go", flow.Call{URI: `"/redirect-to"`, Query: []flow.Pair{
					{Key: `"url"`, Value: fmt.Sprintf("%q", otherURL+"/anything/landed")},
					{Key: `"status_code"`, Value: fmt.Sprintf(`"%d"`, code)},
				}}))
				r := NewRunner(Options{Connections: conns, Getenv: func(string) string { return "sekret-value-123" }})
				defer r.Close()
				before := len(other.received())
				res := run(t, r, mustCompile(t, f, conns), "")
				if res.Run.Status != flow.StatusSucceeded {
					t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
				}
				got := other.received()[before:]
				if len(got) != 1 {
					t.Fatalf("the second host received %d requests, want 1", len(got))
				}
				dump := fmt.Sprint(got[0].Header, got[0].URL.String())
				if strings.Contains(dump, "sekret-value-123") {
					t.Fatalf("the second host received the credential: %s", dump)
				}
				if first := first.received()[0]; !strings.Contains(fmt.Sprint(first.Header, first.URL.String()), "sekret-value-123") {
					t.Fatal("the first host did not receive the credential; the test proves nothing")
				}
			})
		}
	}
}

func TestChatbotPresetFollowsTheContract(t *testing.T) {
	type seen struct {
		body map[string]any
	}
	var mu sync.Mutex
	var got []seen
	answer := "vip"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		json.NewDecoder(r.Body).Decode(&b)
		mu.Lock()
		got = append(got, seen{b})
		a := answer
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if a == "" {
			w.Write([]byte(`{}`))
			return
		}
		fmt.Fprintf(w, `{"returnValue": %q}`, a)
	}))
	defer srv.Close()
	conns := []flow.Connection{{Name: "bot", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	f := &flow.Flow{Format: flow.Format, ID: "bot-1", Name: "Support bot", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart},
		{ID: "route", Kind: flow.KindCall, Title: "Route chat", Call: flow.ChatbotCall("route", "Route chat", "bot", `"/hook"`, flow.ChatBotSmsChat, []string{"vip", "standard"})},
		{ID: "vip", Kind: flow.KindEnd, Outcome: "vip"},
		{ID: "standard", Kind: flow.KindEnd, Outcome: "standard"},
		{ID: "other", Kind: flow.KindEnd, Outcome: "default"},
		{ID: "sorry", Kind: flow.KindEnd, Outcome: "failure"},
	}, Edges: []flow.Edge{{From: "start", To: "route"}, {From: "route", Port: "vip", To: "vip"}, {From: "route", Port: "standard", To: "standard"},
		{From: "route", Port: "default", To: "other"}, {From: "route", Port: "failure", To: "sorry"}}}
	p := mustCompile(t, f, conns)
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	ctx := context.Background()
	for _, c := range []struct{ answer, source, want string }{
		{"vip", "manual", "vip"}, {"standard", "manual", "standard"}, {"gold", "manual", "default"}, {"", "manual", "default"},
		{"vip", "event:chat.opened", "default"},
	} {
		mu.Lock()
		answer = c.answer
		mu.Unlock()
		res, err := r.Run(ctx, p, Input{Trigger: json.RawMessage(`{"chatId": "chat-9", "event": "chat.opened"}`), Env: map[string]any{"orgId": "org-1"}, Source: c.source})
		if err != nil {
			t.Fatal(err)
		}
		if res.Run.Outcome != c.want {
			t.Fatalf("answer %q from %s: outcome %q (%s), want %q", c.answer, c.source, res.Run.Outcome, res.Run.Error, c.want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	b := got[0].body
	for k, v := range map[string]any{"type": "CloudFunctionStepExecution", "orgId": "org-1", "chatId": "chat-9", "chatBotId": "bot-1",
		"chatBotName": "Support bot", "chatBotType": "SmsChat", "stepName": "Route chat", "stepId": "route"} {
		if b[k] != v {
			t.Errorf("payload %s = %v, want %v", k, b[k], v)
		}
	}
	if b["executionId"] == "" || b["timestamp"] == nil {
		t.Errorf("payload lacks executionId or timestamp: %v", b)
	}
	if ev := got[len(got)-1].body; ev["event"] != "chat.opened" || ev["type"] != nil {
		t.Errorf("an event-triggered run should send the event itself, sent %v", ev)
	}
}

func TestMockSwitchWithoutARunningMockServerSaysSo(t *testing.T) {
	conns := []flow.Connection{{Name: "bot", Kind: flow.ConnCustom, BaseURL: "https://bot.example.com", Auth: flow.Auth{Type: flow.AuthNone}, Mock: "chatbot-vip", UseMock: true}}
	f := linear(callNode("ask", flow.Call{Connection: "bot", URI: `"/chatbot/step"`}))
	f.Edges = append(f.Edges, flow.Edge{From: "ask", Port: "failure", To: "end"})
	r := NewRunner(Options{Connections: conns, Resolve: func(c flow.Connection) (string, bool) { return "", c.UseMock }})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, conns), "")
	if s := stepOf(t, res, "ask"); !strings.Contains(s.Error, "mock server is not running") || !strings.Contains(s.Error, `"chatbot-vip"`) {
		t.Fatalf("step error %q should say the mock server is not running and name the mock", s.Error)
	}
}
