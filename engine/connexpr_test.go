package engine

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// authServer records the Authorization header of every request it answers.
type authServer struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

func newAuthServer(t *testing.T) *authServer {
	s := &authServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok": true}`))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *authServer) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

func exprCallFlow(connExpr string) *flow.Flow {
	return linear(flow.Node{ID: "lookup", Kind: flow.KindCall, Call: &flow.Call{ConnectionExpr: connExpr, Method: "GET", URI: `"/v1/tier"`}})
}

// TestConnectionChosenByExpression: each run goes through the connection
// the expression names, with that connection's credentials arriving at its
// own server; an unknown name or a value that is not a name fails the step
// with the node, the field and the names known.
func TestConnectionChosenByExpression(t *testing.T) {
	eu, us := newAuthServer(t), newAuthServer(t)
	conns := []flow.Connection{
		{Name: "eu", Kind: flow.ConnCustom, BaseURL: eu.URL, Auth: flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Literal: "tok-eu"}}},
		{Name: "us", Kind: flow.ConnCustom, BaseURL: us.URL, Auth: flow.Auth{Type: flow.AuthBasic, Username: "u", Password: &flow.SecretRef{Literal: "pw-us"}}},
	}
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	p := mustCompile(t, exprCallFlow(`trigger.conn`), conns)
	for _, in := range []string{`{"conn": "eu"}`, `{"conn": "us"}`, `{"conn": "eu"}`} {
		if s := stepOf(t, run(t, r, p, in), "lookup"); s.Status != flow.StatusSucceeded || s.HTTPStatus != 200 {
			t.Fatalf("%s: step %s HTTP %d: %s", in, s.Status, s.HTTPStatus, s.Error)
		}
	}
	if got := eu.seen(); len(got) != 2 || got[0] != "Bearer tok-eu" || got[1] != "Bearer tok-eu" {
		t.Errorf("eu's server saw %q, want its bearer token twice", got)
	}
	if got := us.seen(); len(got) != 1 || got[0] != "Basic dTpwdy11cw==" {
		t.Errorf("us's server saw %q, want its basic credentials once", got)
	}

	for _, tc := range []struct{ in, want string }{
		{`{"conn": "foo"}`, `node "lookup", field call.connection: the expression gave "foo", which is no connection; known: eu, us`},
		{`{"conn": 5}`, `node "lookup", field call.connection: the expression gave int64 5, not a connection's name (a string)`},
		{`{}`, `node "lookup", field call.connection: the expression failed: no such key: conn`},
	} {
		res := run(t, r, p, tc.in)
		s := stepOf(t, res, "lookup")
		if s.Status != flow.StatusFailed || s.Error != tc.want || s.Port != flow.PortFailure {
			t.Errorf("%s: step %s port %q error %q\nwant failed on failure: %q", tc.in, s.Status, s.Port, s.Error, tc.want)
		}
	}
	if n := len(eu.seen()) + len(us.seen()); n != 3 {
		t.Errorf("the servers saw %d requests, want 3 (failed steps send nothing)", n)
	}
}

// TestConnectionExpressionLiteralNamesChecked: where the expression can only
// give literal names, each must be a connection, at compile time, in
// Compile and CompileStep alike; an expression computing the name is left
// to the run.
func TestConnectionExpressionLiteralNamesChecked(t *testing.T) {
	conns := []flow.Connection{{Name: "eu", Kind: flow.ConnCustom, BaseURL: "http://127.0.0.1:1", Auth: flow.Auth{Type: flow.AuthNone}}}
	f := exprCallFlow(`trigger.eu ? "eu" : (trigger.x ? "us" : "apac")`)
	want := []string{
		`node "lookup", field call.connection: the expression may give "us", which is no connection; add it under Connections or pass a connections file that defines it (known: eu)`,
		`node "lookup", field call.connection: the expression may give "apac", which is no connection; add it under Connections or pass a connections file that defines it (known: eu)`,
	}
	for name, compile := range map[string]func() error{
		"Compile":     func() error { _, err := Compile(f, conns); return err },
		"CompileStep": func() error { _, err := CompileStep(f, "lookup", conns); return err },
	} {
		err := compile()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\nlacks %s", name, err, w)
			}
		}
	}
	for _, ok := range []string{`trigger.eu ? "eu" : "eu"`, `"e" + "u"`, `trigger.conn`} {
		if _, err := Compile(exprCallFlow(ok), conns); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	// Without connections (nil), nothing is checked but the CEL.
	if _, err := Compile(f, nil); err != nil {
		t.Errorf("no connections given: %v", err)
	}
	if _, err := Compile(exprCallFlow(`trigger.`), nil); err == nil || !strings.Contains(err.Error(), `node "lookup", field call.connection: expression does not compile`) {
		t.Errorf("a connection expression that does not parse: %v", err)
	}
}
