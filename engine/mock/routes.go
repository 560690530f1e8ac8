package mock

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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
	segs    []string // literal segments, or "" where a parameter goes
	params  []string // the parameter name at each segment, "" for literals
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
		e := &mockEntry{name: m.Name}
		for j := range m.Routes {
			r, err := compileRoute(env, &m.Routes[j])
			if err != nil {
				problems = append(problems, flow.Problem{Severity: flow.SeverityError,
					Field:   fmt.Sprintf("mocks[%d].routes[%d].body", i, j),
					Message: fmt.Sprintf("mock %q, route %d (%s): the body does not compile: %v", m.Name, j, m.Routes[j].Describe(), err)})
				continue
			}
			e.routes = append(e.routes, r)
		}
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
	var ref *flow.SecretRef
	var field string
	switch a.Type {
	case flow.AuthAPIKey:
		ref, field = a.Value, "value"
	case flow.AuthBearer:
		ref, field = a.Token, "token"
	case flow.AuthBasic:
		ref, field = a.Password, "password"
	case flow.AuthWebhook:
		ref, field = a.Secret, "secret"
	}
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
			r.segs = append(r.segs, "")
			r.params = append(r.params, name)
		} else {
			r.segs = append(r.segs, seg)
			r.params = append(r.params, "")
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

// match finds the route for a path below the mock. Among routes whose path
// matches, a literal segment beats a parameter, leftmost first, so
// /orders/latest wins over /orders/{id}. allowed lists the methods of routes
// whose path matched, for a 405 answer.
func (e *mockEntry) match(method string, segs []string) (best *route, allowed []string) {
	for _, r := range e.routes {
		if len(r.segs) != len(segs) {
			continue
		}
		ok := true
		for i, s := range r.segs {
			if s != "" && s != segs[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if r.method != method {
			allowed = append(allowed, r.method)
			continue
		}
		if best == nil || moreLiteral(r, best) {
			best = r
		}
	}
	return best, allowed
}

func moreLiteral(a, b *route) bool {
	for i := range a.segs {
		if (a.segs[i] != "") != (b.segs[i] != "") {
			return a.segs[i] != ""
		}
	}
	return false
}

// paramsOf binds the route's parameters to the request's segments.
func (r *route) paramsOf(segs []string) map[string]any {
	out := map[string]any{}
	for i, name := range r.params {
		if name != "" {
			out[name] = segs[i]
		}
	}
	return out
}
