package engine

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// TestAttemptTimingOverTLS: an attempt over a new TLS connection to a host
// name records DNS, connect, TLS, request written and first byte, each set
// and in the order they happen, within the total; the next step over the
// kept-alive connection has no DNS, connect or TLS and says it was reused.
func TestAttemptTimingOverTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok": true}`)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	// A host name, so that the attempt looks it up.
	base := "https://localhost:" + u.Port()
	off := false
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: base, VerifyTLS: &off, Auth: flow.Auth{Type: flow.AuthNone}}}
	f := linear(callNode("first", flow.Call{Method: "GET", URI: `"/a"`}), callNode("second", flow.Call{Method: "GET", URI: `"/b"`}))
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	res, err := r.Run(context.Background(), mustCompile(t, f, conns), Input{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
	steps := map[string]flow.Step{}
	for _, s := range res.Steps {
		steps[s.Node] = s
	}
	first := steps["first"].Exchanges[0].Timing
	if first == nil {
		t.Fatal("the first attempt has no timing")
	}
	phases := []struct {
		name string
		us   int64
	}{
		{"dnsStart", first.DNSStartUs}, {"dnsDone", first.DNSDoneUs},
		{"connectStart", first.ConnectStartUs}, {"connectDone", first.ConnectDoneUs},
		{"tlsStart", first.TLSStartUs}, {"tlsDone", first.TLSDoneUs},
		{"wrote", first.WroteUs}, {"firstByte", first.FirstByteUs}, {"total", first.TotalUs},
	}
	for i, p := range phases {
		if p.us <= 0 {
			t.Errorf("%s is not set: %+v", p.name, *first)
		}
		if i > 0 && p.us < phases[i-1].us {
			t.Errorf("%s (%d µs) comes before %s (%d µs)", p.name, p.us, phases[i-1].name, phases[i-1].us)
		}
	}
	if first.Reused {
		t.Error("the first attempt says its connection was reused")
	}
	second := steps["second"].Exchanges[0].Timing
	if second == nil {
		t.Fatal("the second attempt has no timing")
	}
	if !second.Reused || second.DNSStartUs != 0 || second.ConnectStartUs != 0 || second.TLSStartUs != 0 {
		t.Errorf("second attempt over the kept-alive connection: %+v, want reused with no DNS, connect or TLS", *second)
	}
	if second.FirstByteUs <= 0 || second.FirstByteUs > second.TotalUs {
		t.Errorf("second attempt: first byte %d µs, total %d µs", second.FirstByteUs, second.TotalUs)
	}
}

// TestAttemptTimingNoRequest: an attempt that sent nothing (its header
// value was refused before sending) records no timing; one refused by the
// network records what it tried.
func TestAttemptTimingNoRequest(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: addr, Auth: flow.Auth{Type: flow.AuthNone}}}
	f := linear(callNode("gone", flow.Call{Method: "GET", URI: `"/x"`}))
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	res, err := r.Run(context.Background(), mustCompile(t, f, conns), Input{})
	if err != nil {
		t.Fatal(err)
	}
	var ex *flow.Exchange
	for _, s := range res.Steps {
		if s.Node == "gone" && len(s.Exchanges) > 0 {
			ex = &s.Exchanges[0]
		}
	}
	if ex == nil || ex.Timing == nil {
		t.Fatalf("a refused connection records no timing: %+v", ex)
	}
	if ex.Timing.ConnectStartUs <= 0 || ex.Timing.ConnectDoneUs < ex.Timing.ConnectStartUs || ex.Timing.FirstByteUs != 0 {
		t.Errorf("refused connection timing %+v, want a connect start and end and no first byte", *ex.Timing)
	}
}

// TestExchangeSaysWhatWasRedacted: the secret of a bearer connection is
// redacted from the request's Authorization header, from a response header
// and the response body that echo it, and the exchange names each of those
// fields and the connection; what held no secret is not named.
func TestExchangeSaysWhatWasRedacted(t *testing.T) {
	const token = "tok-canary-5150"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.Header().Set("X-Plain", "nothing secret")
		io.WriteString(w, `{"auth": "`+r.Header.Get("Authorization")+`", "n": 1}`)
	}))
	t.Cleanup(srv.Close)
	conns := []flow.Connection{{Name: "crm", Kind: flow.ConnCustom, BaseURL: srv.URL,
		Auth: flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Literal: token}}}}
	f := linear(callNode("call", flow.Call{Connection: "crm", Method: "POST", URI: `"/x"`, Body: `{"plain": "body"}`}))
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	res, err := r.Run(context.Background(), mustCompile(t, f, conns), Input{})
	if err != nil {
		t.Fatal(err)
	}
	var ex flow.Exchange
	for _, s := range res.Steps {
		if s.Node == "call" {
			ex = s.Exchanges[0]
		}
	}
	if ex.Redacted == nil {
		t.Fatalf("nothing noted as redacted: %+v", ex)
	}
	want := []string{"requestHeaders.Authorization", "responseBody", "responseHeaders.X-Echo"}
	if ex.Redacted.Connection != "crm" || !slices.Equal(ex.Redacted.Fields, want) {
		t.Errorf("redacted = %+v, want connection crm and fields %v", *ex.Redacted, want)
	}
	if strings.Contains(ex.ResponseBody, token) || ex.ResponseHeaders["X-Echo"][0] != "Bearer [redacted]" && ex.ResponseHeaders["X-Echo"][0] != "[redacted]" {
		t.Errorf("the secret was kept: body %q, X-Echo %q", ex.ResponseBody, ex.ResponseHeaders["X-Echo"])
	}
	if !ex.IsRedacted("responseBody") || ex.IsRedacted("requestBody") || ex.IsRedacted("responseHeaders.X-Plain") {
		t.Errorf("IsRedacted wrong for %v", ex.Redacted.Fields)
	}
}

// quietAttempt plays what the transport reports for an attempt over a
// connection from its idle pool: one GotConn, one request written, its
// first byte read.
func quietAttempt(tr *attemptTrace) {
	tr.sent = true
	tr.ct.GotConn(httptrace.GotConnInfo{Reused: true, WasIdle: true})
	tr.ct.WroteRequest(httptrace.WroteRequestInfo{})
	tr.ct.GotFirstResponseByte()
}

// TestAttemptTraceIsReusedOnlyAfterAQuietAttempt: a run's trace times its
// next attempt again only when no hook of the last one can still come (one
// connection from the idle pool, one request written, its answer begun);
// each attempt's Timing is its own copy, which a later attempt or a late
// hook does not change.
func TestAttemptTraceIsReusedOnlyAfterAQuietAttempt(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := nextAttemptTrace(nil, parent)
	if httptrace.ContextClientTrace(first.context()) != &first.ct {
		t.Fatal("the attempt's context does not carry its trace")
	}
	quietAttempt(first)
	t1 := first.finish()
	if t1 == nil || t1.WroteUs == 0 || t1.FirstByteUs == 0 || !t1.Reused || first.finish() != t1 {
		t.Fatalf("first timing %+v", t1)
	}
	kept := *t1
	second := nextAttemptTrace(first, parent)
	if second != first {
		t.Fatal("the trace of a quiet attempt was not used again")
	}
	if second.finish() != nil {
		t.Error("a reused trace kept the last attempt's timing before sending")
	}
	second.sent = true
	second.ct.GotConn(httptrace.GotConnInfo{}) // a new connection, dialled for it
	second.ct.ConnectStart("tcp", "x")
	second.ct.ConnectDone("tcp", "x", nil)
	second.ct.WroteRequest(httptrace.WroteRequestInfo{})
	second.ct.GotFirstResponseByte()
	t2 := second.finish()
	if t2 == t1 || *t1 != kept || t2.ConnectStartUs == 0 || t2.Reused {
		t.Fatalf("second attempt %+v changed or shared the first's %+v (was %+v)", t2, t1, kept)
	}
	// A dial may still report; the next attempt must not hear it.
	third := nextAttemptTrace(second, parent)
	if third == second {
		t.Fatal("the trace of an attempt that dialled was used again")
	}
	second.ct.ConnectDone("tcp", "x", context.Canceled)
	if *t2 != *second.finish() {
		t.Error("a late hook changed a finished timing")
	}

	notQuiet := map[string]func(tr *attemptTrace){
		"not from the idle pool": func(tr *attemptTrace) {
			tr.sent = true
			tr.ct.GotConn(httptrace.GotConnInfo{Reused: true})
			tr.ct.WroteRequest(httptrace.WroteRequestInfo{})
			tr.ct.GotFirstResponseByte()
		},
		"no answer": func(tr *attemptTrace) {
			tr.sent = true
			tr.ct.GotConn(httptrace.GotConnInfo{Reused: true, WasIdle: true})
			tr.ct.WroteRequest(httptrace.WroteRequestInfo{})
		},
		"a redirect": func(tr *attemptTrace) {
			quietAttempt(tr)
			quietAttempt(tr)
		},
		"nothing sent": func(tr *attemptTrace) {},
	}
	for name, play := range notQuiet {
		tr := nextAttemptTrace(nil, parent)
		play(tr)
		tr.finish()
		if nextAttemptTrace(tr, parent) == tr {
			t.Errorf("%s: the trace was used again", name)
		}
	}
	// A new attempt context (the last one's time ran out) gets a new trace.
	other, cancelOther := context.WithCancel(context.Background())
	defer cancelOther()
	tr := nextAttemptTrace(nil, parent)
	quietAttempt(tr)
	tr.finish()
	if next := nextAttemptTrace(tr, other); next == tr || httptrace.ContextClientTrace(next.context()) != &next.ct {
		t.Error("a trace was used again under another attempt context")
	}
}

// TestLateDialDoesNotReachALaterAttempt: a run's request waiting for its
// own dial is given a connection another run's request gave back, and its
// dial goes on for the pool. When that dial connects, during the run's next
// step, the step's timing shows no connect: the hooks went to the attempt
// that started the dial, which had finished.
func TestLateDialDoesNotReachALaterAttempt(t *testing.T) {
	release, lateDone := make(chan struct{}), make(chan struct{})
	firstDial := make(chan struct{})
	var dials atomic.Int32
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			close(firstDial)
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
			defer close(lateDone)
			// Go on for the pool, as the transport's dial does, with the
			// request's context values (its trace).
			return (&net.Dialer{}).DialContext(context.WithoutCancel(ctx), network, addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/second" {
			close(release)
			select {
			case <-lateDone:
			case <-time.After(10 * time.Second):
				t.Error("the first dial did not finish")
			}
		}
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	r := NewRunner(Options{Connections: conns, Transport: &http.Transport{DialContext: dial}})
	defer r.Close()
	twoSteps := mustCompile(t, linear(callNode("first", flow.Call{Method: "GET", URI: `"/first"`}), callNode("second", flow.Call{Method: "GET", URI: `"/second"`})), conns)
	oneStep := mustCompile(t, linear(callNode("other", flow.Call{Method: "GET", URI: `"/other"`})), conns)

	done := make(chan *Result, 1)
	go func() {
		res, err := r.Run(context.Background(), twoSteps, Input{})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	select {
	case <-firstDial:
	case <-time.After(10 * time.Second):
		t.Fatal("the first step did not dial")
	}
	// Another run's request dials anew; its connection, given back, goes
	// to the first step, which is still waiting for its dial.
	if res, err := r.Run(context.Background(), oneStep, Input{}); err != nil || res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("the other run: %v %+v", err, res.Run)
	}
	var res *Result
	select {
	case res = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the two-step run did not end")
	}
	if res == nil || res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run: %+v", res)
	}
	steps := map[string]flow.Step{}
	for _, s := range res.Steps {
		steps[s.Node] = s
	}
	if tm := steps["first"].Exchanges[0].Timing; tm == nil || tm.ConnectStartUs != 0 || !tm.Reused {
		t.Errorf("first step (given another's connection): %+v", tm)
	}
	second := steps["second"].Exchanges[0].Timing
	if second == nil || second.ConnectStartUs != 0 || second.ConnectDoneUs != 0 || !second.Reused {
		t.Errorf("second step over a kept-alive connection: %+v, want no connect (the first step's dial reported into it)", second)
	}
}

// TestConcurrentRunsTimeTheirOwnAttempts: runs on one runner at the same
// time each time their own attempts (go test -race checks the traces are
// not shared): every exchange has its own Timing, in order, and the slow
// runs' first bytes come after the server's wait.
func TestConcurrentRunsTimeTheirOwnAttempts(t *testing.T) {
	const slow = 20 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/slow") {
			time.Sleep(slow)
		}
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	var nodes []flow.Node
	for i := range 5 {
		nodes = append(nodes, callNode(fmt.Sprintf("s%d", i), flow.Call{Method: "GET", URI: fmt.Sprintf(`"/" + trigger.speed + "/%d"`, i)}))
	}
	p := mustCompile(t, linear(nodes...), conns)
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	const runs = 8
	results := make([]*Result, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			speed := "fast"
			if i%2 == 0 {
				speed = "slow"
			}
			res, err := r.Run(context.Background(), p, Input{Trigger: []byte(`{"speed": "` + speed + `"}`)})
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	seen := map[*flow.Timing]bool{}
	for i, res := range results {
		if res == nil || res.Run.Status != flow.StatusSucceeded {
			t.Fatalf("run %d: %+v", i, res)
		}
		for _, s := range res.Steps {
			for _, ex := range s.Exchanges {
				tm := ex.Timing
				if tm == nil || seen[tm] {
					t.Fatalf("run %d step %s: timing %p missing or shared", i, s.Node, tm)
				}
				seen[tm] = true
				if tm.WroteUs <= 0 || tm.FirstByteUs < tm.WroteUs || tm.TotalUs < tm.FirstByteUs {
					t.Errorf("run %d step %s: %+v out of order", i, s.Node, *tm)
				}
				if i%2 == 0 && tm.FirstByteUs < slow.Microseconds() {
					t.Errorf("run %d step %s (slow): first byte at %d µs, before the server's %s wait", i, s.Node, tm.FirstByteUs, slow)
				}
			}
		}
	}
	if len(seen) != runs*5 {
		t.Errorf("%d timings, want %d", len(seen), runs*5)
	}
}
