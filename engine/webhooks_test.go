package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/clock/clocktest"
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
	r := NewRunner(Options{Getenv: func(k string) string { return map[string]string{"HOOK": secret}[k] }, Clock: clocktest.New(now)})
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

// heldFlow is a webhook flow whose one call waits at the server until told.
func heldFlow(t *testing.T, path string, secret *flow.SecretRef) (*Plan, chan struct{}, []flow.Connection, *httptest.Server) {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	f := linear(callNode("wait", flow.Call{Method: "POST", URI: `"/wait"`}))
	f.Name = "Held"
	f.Nodes[0].Trigger = &flow.Trigger{Type: flow.TriggerWebhook, Path: path, Secret: secret}
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	return mustCompile(t, f, conns), release, conns, srv
}

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here")
	}
	return len(ents)
}

// settle waits (bounded) until f() <= want, and returns the last value.
func settle(want int, f func() int) int {
	n := f()
	for i := 0; i < 100 && n > want; i++ {
		time.Sleep(20 * time.Millisecond)
		n = f()
	}
	return n
}

// TestFaultWebhookConcurrencyLimit: past MaxConcurrent held requests the next
// is answered 503 with Retry-After at once; once they end, descriptors and
// goroutines return to where they were.
func TestFaultWebhookConcurrencyLimit(t *testing.T) {
	baseFD, baseG := countFDs(t), runtime.NumGoroutine()
	func() {
		p, release, conns, srv := heldFlow(t, "/hooks/held", nil)
		defer srv.Close()
		r := NewRunner(Options{Connections: conns})
		defer r.Close()
		const limit = 3
		ws := NewWebhookServer(r, WebhookOptions{MaxConcurrent: limit})
		if err := ws.SetPlans([]*Plan{p}); err != nil {
			t.Fatal(err)
		}
		if err := ws.Start("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		defer ws.Stop(context.Background())
		client := &http.Client{Transport: &http.Transport{}, Timeout: 20 * time.Second}
		defer client.CloseIdleConnections()
		var wg sync.WaitGroup
		codes := make(chan int, limit)
		for range limit {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := client.Post(ws.URL()+"/hooks/held", "application/json", strings.NewReader(`{}`))
				if err != nil {
					codes <- -1
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				codes <- resp.StatusCode
			}()
		}
		// Wait until all slots are taken.
		for i := 0; i < 500 && len(ws.slots) < limit; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		if len(ws.slots) != limit {
			close(release)
			t.Fatalf("%d of %d requests are being served", len(ws.slots), limit)
		}
		resp, err := client.Post(ws.URL()+"/hooks/held", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" ||
			!strings.Contains(string(b), "limit of 3 webhook requests") {
			t.Fatalf("request %d past the limit: %d Retry-After=%q %s; want 503, Retry-After 1 and the limit", limit+1, resp.StatusCode, resp.Header.Get("Retry-After"), b)
		}
		close(release)
		wg.Wait()
		close(codes)
		for c := range codes {
			if c != http.StatusOK {
				t.Errorf("a held request ended %d, want 200", c)
			}
		}
	}()
	if fd := settle(baseFD, func() int { return countFDs(t) }); fd > baseFD {
		t.Errorf("descriptors: %d before, %d after", baseFD, fd)
	}
	if g := settle(baseG, runtime.NumGoroutine); g > baseG {
		t.Errorf("goroutines: %d before, %d after", baseG, g)
	}
}

// TestFaultWebhookSlowloris: a client that sends headers and never the body
// is cut off at the read timeout, and one that sends nothing at the header
// timeout; the slot it held is free again.
func TestFaultWebhookSlowloris(t *testing.T) {
	r := NewRunner(Options{})
	defer r.Close()
	ws := NewWebhookServer(r, WebhookOptions{MaxConcurrent: 1, ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond})
	if err := ws.SetPlans([]*Plan{mustCompile(t, webhookFlow("Open", "/hooks/open", nil), nil)}); err != nil {
		t.Fatal(err)
	}
	if err := ws.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer ws.Stop(context.Background())
	addr := strings.TrimPrefix(ws.URL(), "http://")
	for _, tc := range []struct{ name, send, want string }{
		{"headers without the body", "POST /hooks/open HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", "408"},
		{"half the headers", "POST /hooks/open HTTP/1.1\r\nHost: x\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second)) // the test's bound, far past the server's
			if _, err := c.Write([]byte(tc.send)); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(c) // returns when the server closes
			if err != nil {
				t.Fatalf("the server kept the connection open past its timeout: %v (read %q)", err, got)
			}
			if tc.want != "" && !strings.Contains(string(got), " "+tc.want+" ") {
				t.Fatalf("answer %q; want %s", got, tc.want)
			}
		})
	}
	// The slot is free: a normal request is served.
	resp, err := http.Post(ws.URL()+"/hooks/open", "application/json", strings.NewReader(`{"orderId": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("after the slow clients: %d, want 200", resp.StatusCode)
	}
}

// TestFaultWebhookReplay: a signed delivery repeated with the same
// webhook-id starts no second run and is answered with the first run's id;
// a repeat arriving while the first still runs waits for it; another id
// runs.
func TestFaultWebhookReplay(t *testing.T) {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	var runs atomic.Int32
	p, release, conns, _ := heldFlow(t, "/hooks/held", &flow.SecretRef{Env: "HOOK"})
	r := NewRunner(Options{Connections: conns, Getenv: func(string) string { return secret }})
	defer r.Close()
	r.AddObserver(ObserverFunc(func(ev flow.RunEvent) {
		if ev.Kind == flow.EventRunStarted {
			runs.Add(1)
		}
	}))
	ws := NewWebhookServer(r, WebhookOptions{})
	if err := ws.SetPlans([]*Plan{p}); err != nil {
		t.Fatal(err)
	}
	if err := ws.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer ws.Stop(context.Background())
	post := func(id string) (int, map[string]any) {
		body := []byte(`{"n": 1}`)
		req, _ := http.NewRequest("POST", ws.URL()+"/hooks/held", bytes.NewReader(body))
		webhook.SetHeaders(req.Header, secret, id, time.Now(), body)
		resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
		if err != nil {
			t.Error(err)
			return 0, nil
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	type answer struct {
		code int
		out  map[string]any
	}
	first, second := make(chan answer, 1), make(chan answer, 1)
	go func() { c, o := post("msg_dup"); first <- answer{c, o} }()
	for i := 0; i < 500 && runs.Load() < 1; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	go func() { c, o := post("msg_dup"); second <- answer{c, o} }()
	time.Sleep(100 * time.Millisecond) // let the repeat arrive while the first runs
	close(release)
	a, b := <-first, <-second
	if a.code != 200 || a.out["runId"] == nil || a.out["duplicate"] != nil {
		t.Fatalf("first delivery: %d %v", a.code, a.out)
	}
	if b.code != 200 || b.out["runId"] != a.out["runId"] || b.out["duplicate"] != true || b.out["status"] != "succeeded" ||
		!strings.Contains(fmt.Sprint(b.out["message"]), "webhook-id msg_dup was already received") {
		t.Fatalf("repeat while running: %d %v; want 200 with the first run %v and duplicate", b.code, b.out, a.out["runId"])
	}
	c, out := post("msg_dup")
	if c != 200 || out["runId"] != a.out["runId"] || out["duplicate"] != true {
		t.Fatalf("repeat after: %d %v", c, out)
	}
	if c, out := post("msg_other"); c != 200 || out["runId"] == a.out["runId"] || out["duplicate"] != nil {
		t.Fatalf("another id: %d %v; want a new run", c, out)
	}
	r.Drain(context.Background())
	if n := runs.Load(); n != 2 {
		t.Fatalf("%d runs started for 4 deliveries of 2 ids; want 2", n)
	}
}

// TestFaultWebhookAnswersAfterCommit: the answer naming a run is written
// only after the Commit hook returned; a failing hook answers 500 naming the
// run and saying its record was lost, never "succeeded".
func TestFaultWebhookAnswersAfterCommit(t *testing.T) {
	r := NewRunner(Options{})
	defer r.Close()
	var committed atomic.Bool
	fail := atomic.Bool{}
	ws := NewWebhookServer(r, WebhookOptions{Commit: func(ctx context.Context, run *flow.Run) error {
		time.Sleep(50 * time.Millisecond)
		if fail.Load() {
			return errors.New("disk I/O error")
		}
		committed.Store(true)
		return nil
	}})
	if err := ws.SetPlans([]*Plan{mustCompile(t, webhookFlow("Open", "/hooks/open", nil), nil)}); err != nil {
		t.Fatal(err)
	}
	if err := ws.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer ws.Stop(context.Background())
	resp, err := http.Post(ws.URL()+"/hooks/open", "application/json", strings.NewReader(`{"orderId": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !committed.Load() {
		t.Fatalf("answered %d before the commit (committed=%v)", resp.StatusCode, committed.Load())
	}
	fail.Store(true)
	resp, err = http.Post(ws.URL()+"/hooks/open", "application/json", strings.NewReader(`{"orderId": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	msg := fmt.Sprint(out["error"])
	if resp.StatusCode != 500 || out["recorded"] != false || out["status"] != nil || out["runId"] == nil ||
		!strings.Contains(msg, fmt.Sprintf("run %s ended succeeded but its record was lost: disk I/O error", out["runId"])) {
		t.Fatalf("lost record answered %d %v", resp.StatusCode, out)
	}
}

// TestFaultWebhookConnectionCap: idle connections past MaxConnections are
// not accepted, so they hold no descriptor in the server; when they go,
// descriptors return to where they were.
func TestFaultWebhookConnectionCap(t *testing.T) {
	r := NewRunner(Options{})
	defer r.Close()
	ws := NewWebhookServer(r, WebhookOptions{MaxConcurrent: 1, MaxConnections: 3})
	if err := ws.SetPlans([]*Plan{mustCompile(t, webhookFlow("Open", "/hooks/open", nil), nil)}); err != nil {
		t.Fatal(err)
	}
	if err := ws.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer ws.Stop(context.Background())
	addr := strings.TrimPrefix(ws.URL(), "http://")
	base := countFDs(t)
	const idle = 20
	var conns []net.Conn
	for range idle {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(100 * time.Millisecond) // let the server accept what it will
	if grew := countFDs(t) - base; grew > idle+3 {
		t.Errorf("%d idle connections opened %d descriptors; the server should hold at most 3", idle, grew)
	}
	for _, c := range conns {
		c.Close()
	}
	if fd := settle(base, func() int { return countFDs(t) }); fd > base {
		t.Errorf("descriptors: %d before, %d after", base, fd)
	}
}
