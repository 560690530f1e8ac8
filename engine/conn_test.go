package engine

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// TestConnectionsAreReusedUntilClosed: runs share a connection's keep-alive
// connections; CloseIdleConnections makes the next run dial again.
func TestConnectionsAreReusedUntilClosed(t *testing.T) {
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	p := mustCompile(t, linear(callNode("a", flow.Call{URI: `"/a"`}), callNode("b", flow.Call{URI: `"/b"`})), conns)
	for i := 0; i < 3; i++ {
		if res := run(t, r, p, ""); res.Run.Status != flow.StatusSucceeded {
			t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
		}
	}
	if n := opened.Load(); n != 1 {
		t.Fatalf("three runs of two calls opened %d connections, want 1", n)
	}
	r.CloseIdleConnections()
	run(t, r, p, "")
	if n := opened.Load(); n != 2 {
		t.Fatalf("after CloseIdleConnections the run opened %d connections in all, want 2", n)
	}
}

// TestDoAnswersAsTheClientWould: a connection's requests go to its transport
// directly, yet redirects, redirected bodies and errors come out as
// http.Client.Do gives them.
func TestDoAnswersAsTheClientWould(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/see":
			http.Redirect(w, r, "/final", http.StatusSeeOther)
		case "/temp":
			http.Redirect(w, r, "/final", http.StatusTemporaryRedirect)
		case "/nowhere":
			w.WriteHeader(http.StatusFound) // no Location: not followed
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			body, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s %q %s", r.Method, r.URL.Path, body, r.Header.Get("X-Tag"))
		}
	}))
	defer srv.Close()
	st := plainConnState(t, srv.URL)
	answer := func(send func(*http.Request) (*http.Response, error), method, url string) string {
		var body io.Reader
		if method == "POST" {
			body = strings.NewReader("payload")
		}
		req, err := http.NewRequest(method, url, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Tag", "tagged")
		resp, err := send(req)
		if err != nil {
			return "error: " + err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return fmt.Sprintf("%d %s %s", resp.StatusCode, resp.Request.URL.Path, b)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for _, c := range []struct{ method, url string }{
		{"GET", srv.URL + "/plain"}, {"POST", srv.URL + "/see"}, {"POST", srv.URL + "/temp"},
		{"GET", srv.URL + "/nowhere"}, {"GET", srv.URL + "/loop"}, {"GET", dead.URL + "/x"},
	} {
		want := answer(st.client.Do, c.method, c.url)
		if got := answer(st.do, c.method, c.url); got != want {
			t.Errorf("%s %s: got %q, the client gives %q", c.method, c.url, got, want)
		}
	}
}

// TestDoKeepsTheClientsJar: a client given a cookie jar sends every request
// through Client.Do, so the jar sees the answers and adds its cookies.
func TestDoKeepsTheClientsJar(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc"})
			return
		}
		io.WriteString(w, r.Header.Get("Cookie"))
	}))
	defer srv.Close()
	st := plainConnState(t, srv.URL)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	st.client.Jar = jar
	defer func() { st.client.Jar = nil }()
	for _, path := range []string{"/set", "/echo"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		resp, err := st.do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if path == "/echo" && string(b) != "session=abc" {
			t.Fatalf("the second request carried cookies %q, want the jar's session=abc", b)
		}
	}
}

// plainConnState is the state of an unauthenticated connection to baseURL,
// from a runner closed when the test ends.
func plainConnState(t *testing.T, baseURL string) *connState {
	t.Helper()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: baseURL, Auth: flow.Auth{Type: flow.AuthNone}}}
	r := NewRunner(Options{Connections: conns})
	t.Cleanup(func() { r.Close() })
	st, err := r.connection(context.Background(), "api")
	if err != nil {
		t.Fatal(err)
	}
	return st
}
