package engine

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

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
