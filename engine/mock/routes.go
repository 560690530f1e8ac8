package mock

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// table is one immutable set of served mocks, swapped whole by SetMocks so
// requests never see half an update and never take a lock to route.
type table struct {
	mocks map[string]*mockEntry
}

type mockEntry struct {
	name   string
	routes []*route
	auth   *authCheck
	// mux routes a request below the mock (its path without /<name>) to
	// one of routes, by http.ServeMux's matching and precedence; what no
	// route matches goes to the mock's miss handler.
	mux *http.ServeMux
}

// authCheck is a mock's auth with its expected values resolved.
type authCheck struct {
	typ      flow.AuthType
	in, name string // apiKey
	value    string // apiKey value, bearer token, basic password, webhook secret
	username string
}

type route struct {
	desc    string // "GET /orders/{id}"
	method  string
	params  []string // the names of the path's parameters
	status  int
	headers http.Header
	body    *expr.Program
	// constBody and constType are the encoded body of a constant program,
	// made once so a literal answer costs no evaluation or encoding.
	constBody []byte
	constType string
	isConst   bool
	delay     time.Duration
	faults    *flow.MockFaults
	calls     atomic.Int64
}

// SetMocks replaces the served mocks at once. The mocks are validated
// (flow.ValidateMocks: colliding routes, bad methods and statuses are
// refused, naming both routes), their bodies compiled and their secrets
// resolved; on any problem nothing changes and the error lists every
// problem (a flow.Problems). Route call counts start again.
func (s *Server) SetMocks(mocks []flow.Mock) error {
	var problems flow.Problems
	for _, p := range flow.ValidateMocks(mocks) {
		if p.Severity == flow.SeverityError {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return problems
	}
	s.mu.Lock()
	env, err := s.envOf()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	t := &table{mocks: make(map[string]*mockEntry, len(mocks))}
	for i := range mocks {
		m := &mocks[i]
		e := &mockEntry{name: m.Name, mux: http.NewServeMux()}
		for j := range m.Routes {
			r, err := compileRoute(env, &m.Routes[j])
			if err != nil {
				problems = append(problems, flow.Problem{Severity: flow.SeverityError,
					Field:   fmt.Sprintf("mocks[%d].routes[%d].body", i, j),
					Message: fmt.Sprintf("mock %q, route %d (%s): the body does not compile: %v", m.Name, j, m.Routes[j].Describe(), err)})
				continue
			}
			// ValidateMocks registered the routes the same way, so this
			// does not fail; if it did, it is reported, not a panic.
			if err := flow.HandleMockRoute(e.mux, &m.Routes[j], r); err != nil {
				problems = append(problems, flow.Problem{Severity: flow.SeverityError,
					Field:   fmt.Sprintf("mocks[%d].routes[%d].path", i, j),
					Message: fmt.Sprintf("mock %q, route %d (%s) cannot be served: %v", m.Name, j, m.Routes[j].Describe(), err)})
				continue
			}
			e.routes = append(e.routes, r)
		}
		// Every route's pattern is more specific than "/", which takes
		// the requests none matches (and those of a method no route has).
		e.mux.Handle("/", missHandler{})
		if m.Auth != nil && m.Auth.Type != flow.AuthNone {
			a, err := s.resolveAuth(m.Auth)
			if err != nil {
				problems = append(problems, flow.Problem{Severity: flow.SeverityError,
					Field: fmt.Sprintf("mocks[%d].auth", i), Message: fmt.Sprintf("mock %q: %v", m.Name, err)})
			}
			e.auth = a
		}
		t.mocks[m.Name] = e
	}
	if len(problems) > 0 {
		return problems
	}
	s.table.Store(t)
	return nil
}

func (s *Server) resolveAuth(a *flow.MockAuth) (*authCheck, error) {
	c := &authCheck{typ: a.Type, in: a.In, name: a.Name, username: a.Username}
	field, ref := a.Credential()
	v, err := s.resolve(context.Background(), ref)
	if err != nil {
		return nil, fmt.Errorf("field auth.%s: %w", field, err)
	}
	if v == "" {
		return nil, fmt.Errorf("field auth.%s (%s) is empty; a mock cannot require an empty credential", field, ref)
	}
	c.value = v
	return c, nil
}

func compileRoute(env *expr.Env, mr *flow.MockRoute) (*route, error) {
	r := &route{
		desc:   mr.Describe(),
		method: strings.ToUpper(mr.Method),
		status: mr.Status,
		delay:  mr.Delay.D(),
		faults: mr.Faults,
	}
	if r.method == "" {
		r.method = http.MethodGet
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	for _, seg := range flow.MockPathSegments(mr.Path) {
		if name, ok := flow.MockParam(seg); ok {
			r.params = append(r.params, name)
		}
	}
	r.headers = http.Header{}
	for k, v := range mr.Headers {
		r.headers.Set(k, v)
	}
	if strings.TrimSpace(mr.Body) == "" {
		r.isConst = true
		return r, nil
	}
	p, err := env.Compile(mr.Body)
	if err != nil {
		return nil, err
	}
	r.body = p
	if v, ok := p.Constant(); ok {
		b, ct, err := encodeBody(v)
		if err != nil {
			return nil, err
		}
		r.constBody, r.constType, r.isConst = b, ct, true
	}
	return r, nil
}

// encodeBody turns a body value into bytes: a string as text, anything else
// as JSON.
func encodeBody(v any) ([]byte, string, error) {
	switch x := v.(type) {
	case string:
		return []byte(x), "text/plain; charset=utf-8", nil
	case []byte:
		return x, "application/octet-stream", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, "", fmt.Errorf("the body cannot be written as JSON: %w", err)
	}
	return b, "application/json", nil
}

// dispatch is the ResponseWriter a mock's ServeMux is given: the writer of
// the request and what ServeHTTP knows of it, for the handler the mux
// chooses (a route, or the miss handler).
type dispatch struct {
	http.ResponseWriter
	s    *Server
	m    *mockEntry
	path string // below the mock: /orders/o-1
	body []byte
	rec  *Received
	// missed is set by the miss handler: no route matched.
	missed bool
	// below and url are the request as the mux sees it, its path the one
	// below the mock; held here to take one allocation per request.
	below http.Request
	url   url.URL
}

// ServeHTTP answers a request the mock's ServeMux routed to r; the path
// parameters are r.PathValue.
func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d := w.(*dispatch)
	d.rec.Route = rt.desc
	d.s.answer(r.Context(), d.ResponseWriter, r, d.m, rt, d.path, d.body, d.rec)
}

// missHandler takes what no route of the mock matches.
type missHandler struct{}

func (missHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) { w.(*dispatch).missed = true }

// allowed returns the methods of the mock's routes that match r's path, in
// the order of the routes, for a 405 answer.
func (e *mockEntry) allowed(r *http.Request) []string {
	var out []string
	probe := *r
	for _, rt := range e.routes {
		if slices.Contains(out, rt.method) {
			continue
		}
		probe.Method = rt.method
		if h, _ := e.mux.Handler(&probe); h != (missHandler{}) {
			out = append(out, rt.method)
		}
	}
	return out
}

// paramsOf binds the route's parameters to the values ServeMux matched.
func (rt *route) paramsOf(r *http.Request) map[string]any {
	out := make(map[string]any, len(rt.params))
	for _, name := range rt.params {
		out[name] = r.PathValue(name)
	}
	return out
}
