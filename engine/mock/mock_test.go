package mock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
)

// fakeSleep records the waits asked for and returns at once, so delays and
// drips cost no test time while their lengths are still checked.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (f *fakeSleep) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeSleep) total() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var t time.Duration
	for _, w := range f.waits {
		t += w
	}
	return t
}

// serve starts a server on a free loopback port with mocks, stopping it when
// the test ends.
func serve(t testing.TB, opts mock.Options, mocks ...flow.Mock) *mock.Server {
	t.Helper()
	s := mock.New(opts)
	if err := s.SetMocks(mocks); err != nil {
		t.Fatalf("SetMocks: %v", err)
	}
	if err := s.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return s
}

type answer struct {
	status  int
	header  http.Header
	body    string
	readErr error
}

// do sends one request and reads the whole answer.
func do(t testing.TB, client *http.Client, method, url, body string, header http.Header) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b), readErr: err}
}

func TestRoutes(t *testing.T) {
	orders := flow.Mock{Name: "orders", Routes: []flow.MockRoute{
		{Method: "GET", Path: "/orders/{id}", Body: `{"id": params.id, "q": has(request.query.v) ? request.query.v : "none"}`},
		{Method: "GET", Path: "/orders/latest", Body: `{"id": "latest"}`},
		{Method: "POST", Path: "/orders/{id}", Status: 201, Headers: map[string]string{"X-Mock": "yes"},
			Body: `{"created": params.id, "by": request.body.user, "via": request.headers["x-client"], "method": request.method, "path": request.path}`},
		{Method: "PUT", Path: "/echo", Body: `request.body`},
		{Method: "DELETE", Path: "/orders/{id}", Status: 204},
	}}
	s := serve(t, mock.Options{}, orders, mock.ChatbotPreset("bot", "vip"))
	base := s.BaseURL("orders")
	tests := []struct {
		name, method, url, body string
		header                  http.Header
		status                  int
		wantBody                string // exact, or a substring when contains is set
		contains                bool
		ctype                   string
		allow                   string
	}{
		{name: "param and query", method: "GET", url: base + "/orders/A-1?v=2", status: 200, wantBody: `{"id":"A-1","q":"2"}`, ctype: "application/json"},
		{name: "literal beats param", method: "GET", url: base + "/orders/latest", status: 200, wantBody: `{"id":"latest"}`},
		{name: "trailing slash", method: "GET", url: base + "/orders/B/", status: 200, wantBody: `{"id":"B","q":"none"}`},
		{name: "request body, headers and status", method: "POST", url: base + "/orders/C", body: `{"user": "ann"}`,
			header: http.Header{"X-Client": {"cli"}}, status: 201,
			wantBody: `{"by":"ann","created":"C","method":"POST","path":"/orders/C","via":"cli"}`},
		{name: "text body is a string", method: "PUT", url: base + "/echo", body: "plain words", status: 200, wantBody: "plain words", ctype: "text/plain; charset=utf-8"},
		{name: "no body", method: "DELETE", url: base + "/orders/C", status: 204, wantBody: ""},
		{name: "method not allowed", method: "PATCH", url: base + "/orders/C", status: 405,
			wantBody: `mock \"orders\" has no PATCH route for /orders/C; it answers GET, POST, DELETE there`, contains: true, allow: "GET, POST, DELETE"},
		{name: "a GET route answers HEAD", method: "HEAD", url: base + "/orders/latest", status: 200, wantBody: ""},
		{name: "dot segments match no route", method: "GET", url: base + "/orders/../orders/latest", status: 404,
			wantBody: `mock \"orders\" has no route for GET /orders/../orders/latest`, contains: true},
		{name: "empty segment matches no route", method: "GET", url: base + "//orders/latest", status: 404,
			wantBody: `mock \"orders\" has no route for GET //orders/latest`, contains: true},
		{name: "no such route", method: "GET", url: base + "/customers", status: 404, wantBody: `mock \"orders\" has no route for GET /customers`, contains: true},
		{name: "no such mock", method: "GET", url: s.URL() + "/nope/x", status: 404, wantBody: `no mock named \"nope\"`, contains: true},
		{name: "root lists mocks", method: "GET", url: s.URL() + "/", status: 404, wantBody: `mocks served: bot, orders`, contains: true},
		{name: "chatbot preset", method: "POST", url: s.BaseURL("bot") + mock.ChatbotPath, body: `{"type": "CloudFunctionStepExecution", "chatId": "c-1"}`,
			status: 200, wantBody: `{"returnValue":"vip"}`, ctype: "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := do(t, nil, tt.method, tt.url, tt.body, tt.header)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d (body %s)", a.status, tt.status, a.body)
			}
			if tt.contains && !strings.Contains(a.body, tt.wantBody) || !tt.contains && a.body != tt.wantBody {
				t.Fatalf("body %s, want %s", a.body, tt.wantBody)
			}
			if tt.ctype != "" && a.header.Get("Content-Type") != tt.ctype {
				t.Fatalf("Content-Type %q, want %q", a.header.Get("Content-Type"), tt.ctype)
			}
			if a.header.Get("Allow") != tt.allow {
				t.Fatalf("Allow %q, want %q", a.header.Get("Allow"), tt.allow)
			}
		})
	}
	if a := do(t, nil, "POST", base+"/orders/D", `{"user": "bo"}`, http.Header{"X-Client": {"t"}}); a.header.Get("X-Mock") != "yes" {
		t.Fatalf("route header X-Mock not sent: %v", a.header)
	}
}

func TestFaults(t *testing.T) {
	route := func(path string, f *flow.MockFaults) flow.MockRoute {
		return flow.MockRoute{Method: "GET", Path: path, Body: `{"ok": true}`, Faults: f}
	}
	m := flow.Mock{Name: "f", Routes: []flow.MockRoute{
		route("/sequence", &flow.MockFaults{Sequence: []int{503, 503, 200}}),
		route("/every3", &flow.MockFaults{FailEvery: 3, FailStatus: 502}),
		route("/every2", &flow.MockFaults{FailEvery: 2}),
		route("/malformed", &flow.MockFaults{Malformed: true}),
	}}
	s := serve(t, mock.Options{}, m)
	statuses := func(path string, n int) []int {
		var out []int
		for range n {
			out = append(out, do(t, nil, "GET", s.BaseURL("f")+path, "", nil).status)
		}
		return out
	}
	tests := []struct {
		name string
		path string
		want []int
	}{
		{"sequence then its last status repeats", "/sequence", []int{503, 503, 200, 200, 200}},
		{"every 3rd call fails with failStatus", "/every3", []int{200, 200, 502, 200, 200, 502}},
		{"failStatus defaults to 500", "/every2", []int{200, 500, 200, 500}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statuses(tt.path, len(tt.want)); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("statuses %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("a fault's answer says it is a fault", func(t *testing.T) {
		s.ResetCounts()
		a := do(t, nil, "GET", s.BaseURL("f")+"/sequence", "", nil)
		if a.status != 503 || !strings.Contains(a.body, "sequence: call 1 answers 503") {
			t.Fatalf("got %d %s", a.status, a.body)
		}
	})
	t.Run("ResetCounts starts the sequence again", func(t *testing.T) {
		s.ResetCounts()
		if got := statuses("/sequence", 3); fmt.Sprint(got) != "[503 503 200]" {
			t.Fatalf("statuses after reset %v", got)
		}
	})
	t.Run("malformed body does not parse", func(t *testing.T) {
		a := do(t, nil, "GET", s.BaseURL("f")+"/malformed", "", nil)
		var v any
		if a.status != 200 || a.body == "" || json.Unmarshal([]byte(a.body), &v) == nil {
			t.Fatalf("got %d %q; want a 200 whose body is not JSON", a.status, a.body)
		}
	})
	t.Run("the record names the fault", func(t *testing.T) {
		reqs := s.Requests()
		last := reqs[len(reqs)-1]
		if !strings.Contains(last.Fault, "malformed") {
			t.Fatalf("last record fault %q", last.Fault)
		}
	})
}

func TestDelayAndDrip(t *testing.T) {
	sl := &fakeSleep{}
	body := `{"message": "` + strings.Repeat("x", 95) + `"}`
	m := flow.Mock{Name: "slow", Routes: []flow.MockRoute{
		{Path: "/delay", Body: `{"ok": true}`, Delay: flow.Duration(1500 * time.Millisecond)},
		{Path: "/drip", Body: body, Faults: &flow.MockFaults{Drip: flow.Duration(2 * time.Second)}},
	}}
	s := serve(t, mock.Options{Sleep: sl.Sleep}, m)
	t.Run("delay", func(t *testing.T) {
		sl.waits = nil
		if a := do(t, nil, "GET", s.BaseURL("slow")+"/delay", "", nil); a.status != 200 {
			t.Fatalf("status %d", a.status)
		}
		if sl.total() != 1500*time.Millisecond {
			t.Fatalf("waited %v, want 1.5s", sl.waits)
		}
	})
	t.Run("drip sends the whole body in pieces over the drip time", func(t *testing.T) {
		sl.waits = nil
		a := do(t, nil, "GET", s.BaseURL("slow")+"/drip", "", nil)
		var v map[string]any
		if a.status != 200 || json.Unmarshal([]byte(a.body), &v) != nil || a.readErr != nil {
			t.Fatalf("got %d %q %v", a.status, a.body, a.readErr)
		}
		if len(sl.waits) != 10 || sl.total() != 2*time.Second {
			t.Fatalf("waits %v, want 10 summing to 2s", sl.waits)
		}
	})
}

func TestDripIsSlowOnTheWire(t *testing.T) {
	m := flow.Mock{Name: "slow", Routes: []flow.MockRoute{
		{Path: "/drip", Body: `{"message": "a body long enough to drip in ten pieces"}`, Faults: &flow.MockFaults{Drip: flow.Duration(2 * time.Second)}},
	}}
	s := serve(t, mock.Options{}, m)
	client := &http.Client{Timeout: 300 * time.Millisecond}
	resp, err := client.Get(s.BaseURL("slow") + "/drip")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("a 2s drip was read within a 300ms client timeout")
	}
}

func TestTimeoutFault(t *testing.T) {
	m := flow.Mock{Name: "t", Routes: []flow.MockRoute{{Path: "/hang", Faults: &flow.MockFaults{Timeout: true}}}}
	s := serve(t, mock.Options{}, m)
	got := make(chan mock.Received, 1)
	defer s.Subscribe(func(r mock.Received) { got <- r })()
	client := &http.Client{Timeout: 200 * time.Millisecond}
	resp, err := client.Get(s.BaseURL("t") + "/hang")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the timeout route answered %d", resp.StatusCode)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("client error %v, want a timeout", err)
	}
	select {
	case r := <-got:
		if r.Status != 0 || !strings.Contains(r.Fault, "timeout") {
			t.Fatalf("record %+v; want status 0 and the timeout fault", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the hung request was never recorded after the client gave up")
	}
}

func TestStopEndsHangingRequests(t *testing.T) {
	s := mock.New(mock.Options{})
	if err := s.SetMocks([]flow.Mock{{Name: "t", Routes: []flow.MockRoute{{Path: "/hang", Faults: &flow.MockFaults{Timeout: true}}}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	url := s.BaseURL("t") + "/hang"
	errc := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(url)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	// Give the request time to reach the handler, where it hangs.
	time.Sleep(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Stop took %v", d)
	}
	select {
	case <-errc:
	case <-time.After(5 * time.Second):
		t.Fatal("the client was still waiting after Stop")
	}
	if s.URL() != "" || s.BaseURL("t") != "" {
		t.Fatalf("URL after Stop = %q", s.URL())
	}
	if err := s.Start(context.Background(), ""); err != nil {
		t.Fatalf("Start again: %v", err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestStartCancelledContextStops(t *testing.T) {
	s := mock.New(mock.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx, ""); err != nil {
		t.Fatal(err)
	}
	url := s.URL()
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := (&http.Client{Timeout: time.Second}).Get(url); err != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := (&http.Client{Timeout: time.Second}).Get(url); err == nil {
		t.Fatal("the server still answers after its context ended")
	}
	s.Stop(context.Background())
}

func TestPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	s := mock.New(mock.Options{})
	err = s.Start(context.Background(), "127.0.0.1:"+strconv.Itoa(port))
	var pe *mock.PortInUseError
	if !errors.As(err, &pe) {
		t.Fatalf("Start on a taken port = %v, want a *PortInUseError", err)
	}
	if pe.Port != port || pe.Free == 0 || pe.Free == port {
		t.Fatalf("error %+v", pe)
	}
	want := fmt.Sprintf("port %d on 127.0.0.1 is in use by another program; try %d", port, pe.Free)
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("message %q lacks %q", err, want)
	}
	// The offered port may have been taken since by another test process;
	// taking it is the offer's whole point, so try it once.
	if err := s.Start(context.Background(), "127.0.0.1:"+strconv.Itoa(pe.Free)); err != nil {
		t.Logf("the offered port was taken meanwhile: %v", err)
		return
	}
	defer s.Stop(context.Background())
	if !strings.HasSuffix(s.URL(), ":"+strconv.Itoa(pe.Free)) {
		t.Fatalf("URL %s, want port %d", s.URL(), pe.Free)
	}
}

func TestStartRefusesBadAddresses(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"0.0.0.0:8089", "this machine only"},
		{"192.0.2.1:8089", "this machine only"},
		{"8089", "write it as 127.0.0.1:8089"},
		{"127.0.0.1:http", "port must be a number"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			s := mock.New(mock.Options{})
			err := s.Start(context.Background(), tt.addr)
			if err == nil {
				s.Stop(context.Background())
				t.Fatalf("Start(%q) succeeded", tt.addr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Start(%q) = %v, want %q", tt.addr, err, tt.want)
			}
		})
	}
	t.Run("twice", func(t *testing.T) {
		s := serve(t, mock.Options{})
		if err := s.Start(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "already serving") {
			t.Fatalf("second Start = %v", err)
		}
	})
}

func TestSetMocksRefusesCollisionsNamingBoth(t *testing.T) {
	s := serve(t, mock.Options{}, mock.ChatbotPreset("bot", "vip"))
	err := s.SetMocks([]flow.Mock{{Name: "orders", Routes: []flow.MockRoute{
		{Method: "GET", Path: "/orders/{id}"},
		{Method: "GET", Path: "/orders/{orderId}"},
	}}})
	if err == nil {
		t.Fatal("SetMocks accepted colliding routes")
	}
	for _, want := range []string{`mock "orders"`, "GET /orders/{orderId}", "GET /orders/{id}", "collides"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q lacks %q", err, want)
		}
	}
	// Nothing changed: the old mock still answers.
	if a := do(t, nil, "POST", s.BaseURL("bot")+mock.ChatbotPath, `{}`, nil); a.status != 200 {
		t.Fatalf("after a refused SetMocks the old mock answers %d", a.status)
	}
}

// TestSetMocksRefusesRoutesServeMuxCannotOrder: two routes where each has
// a parameter where the other has text are refused (http.ServeMux would
// panic), naming the mock, both routes and a path both match; nothing
// changes.
func TestSetMocksRefusesRoutesServeMuxCannotOrder(t *testing.T) {
	s := serve(t, mock.Options{}, mock.ChatbotPreset("bot", "vip"))
	err := s.SetMocks([]flow.Mock{{Name: "orders", Routes: []flow.MockRoute{
		{Method: "GET", Path: "/a/{x}/c"},
		{Method: "GET", Path: "/a/b/{y}"},
	}}})
	var ps flow.Problems
	if !errors.As(err, &ps) || len(ps) != 1 {
		t.Fatalf("SetMocks = %v, want one problem", err)
	}
	want := `mock "orders": route 1 (GET /a/b/{y}) collides with route 0 (GET /a/{x}/c): both match /a/b/c and neither is more specific (each has a parameter where the other has text); change the method or the path of one`
	if ps[0].Field != "mocks[0].routes[1].path" || ps[0].Message != want {
		t.Fatalf("problem %+v\nwant message %s", ps[0], want)
	}
	if a := do(t, nil, "POST", s.BaseURL("bot")+mock.ChatbotPath, `{}`, nil); a.status != 200 {
		t.Fatalf("after a refused SetMocks the old mock answers %d", a.status)
	}
}

func TestSetMocksReportsBodyErrors(t *testing.T) {
	s := mock.New(mock.Options{})
	err := s.SetMocks([]flow.Mock{{Name: "m", Routes: []flow.MockRoute{{Path: "/a", Body: `{"x": request.body.}`}, {Path: "/b", Body: `nope.x`}}}})
	var ps flow.Problems
	if !errors.As(err, &ps) || len(ps) != 2 {
		t.Fatalf("SetMocks = %v, want two problems", err)
	}
	if ps[0].Field != "mocks[0].routes[0].body" || !strings.Contains(ps[0].Message, `mock "m", route 0 (GET /a): the body does not compile`) {
		t.Fatalf("problem %+v", ps[0])
	}
}

func TestBodyEvaluationErrorAnswers500(t *testing.T) {
	s := serve(t, mock.Options{}, flow.Mock{Name: "m", Routes: []flow.MockRoute{{Method: "POST", Path: "/a", Body: `{"x": request.body.missing.deeper}`}}})
	a := do(t, nil, "POST", s.BaseURL("m")+"/a", `{"y": 1}`, nil)
	if a.status != 500 || !strings.Contains(a.body, "the body expression failed") {
		t.Fatalf("got %d %s", a.status, a.body)
	}
}

func TestChatbotPresets(t *testing.T) {
	s := serve(t, mock.Options{},
		mock.ChatbotPreset("quote", `say "hi" & <bye>`),
		mock.ChatbotRulePreset("rule", `request.body.chatId.startsWith("vip") ? "vip" : "standard"`))
	payload := func(chatID string) string {
		b, _ := json.Marshal(map[string]any{
			"type": "CloudFunctionStepExecution", "orgId": "org-1", "chatId": chatID, "executionId": "run-1",
			"chatBotId": "flow-1", "chatBotName": "Demo", "chatBotType": flow.ChatBotLiveChat,
			"stepName": "Look up", "stepId": "lookup", "timestamp": "2026-01-01T00:00:00Z",
		})
		return string(b)
	}
	tests := []struct{ name, mock, chatID, want string }{
		{"constant with quotes", "quote", "c-1", `say "hi" & <bye>`},
		{"rule vip", "rule", "vip-42", "vip"},
		{"rule standard", "rule", "c-42", "standard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := do(t, nil, "POST", s.BaseURL(tt.mock)+mock.ChatbotPath, payload(tt.chatID), nil)
			var v struct{ ReturnValue string }
			if a.status != 200 || json.Unmarshal([]byte(a.body), &v) != nil || v.ReturnValue != tt.want {
				t.Fatalf("got %d %s, want returnValue %q", a.status, a.body, tt.want)
			}
		})
	}
}

// A connection a client dialed and never used does not hold Stop: Go's
// Shutdown waits for such a connection until it is 5 s old, which made
// the server's stop (and a test's 5 s cleanup) time out under load.
func TestStopDoesNotWaitForAnUnusedConnection(t *testing.T) {
	s := mock.New(mock.Options{})
	if err := s.SetMocks([]flow.Mock{mock.ChatbotPreset("bot", "vip")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // the server has accepted it
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop with an unused connection open: %v", err)
	}
}
