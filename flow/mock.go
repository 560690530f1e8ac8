package flow

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"
)

// MocksFile is the content of a *.mocks.json file: mock endpoints that stand
// in for real ones, so flows run offline (engine/mock serves them).
type MocksFile struct {
	Format string `json:"format"`
	Mocks  []Mock `json:"mocks"`
}

// Mock is one mock endpoint: a named set of routes, served under
// /<name>/ of the mock server, optionally requiring authentication.
type Mock struct {
	// Name identifies the mock; a connection's mock field refers to it, and
	// it is the first path segment of the mock's URL, so it may hold only
	// letters, digits, '-', '_' and '.'.
	Name   string      `json:"name"`
	Routes []MockRoute `json:"routes"`
	// Auth, when set, is what every request must carry; a request without it
	// is answered 401 with a JSON error saying what is missing.
	Auth *MockAuth `json:"auth,omitempty"`
}

// MockRoute is one answer of a mock: the requests it matches and the
// response it gives.
type MockRoute struct {
	// Method is an HTTP method of Methods; empty means GET.
	Method string `json:"method,omitempty"`
	// Path is matched against the request path below the mock's base URL.
	// A segment written {name} matches any one segment and binds it to
	// params.name for Body.
	Path string `json:"path"`
	// Status is the response status; zero means 200.
	Status  int               `json:"status,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// Body is CEL over request (method, path, query, headers, body: parsed
	// JSON, else a string) and params; a JSON literal is valid CEL. A string
	// result is sent as text, anything else as JSON. Empty sends no body.
	Body string `json:"body,omitempty"`
	// Delay is waited before answering.
	Delay  Duration    `json:"delay,omitzero"`
	Faults *MockFaults `json:"faults,omitempty"`
}

// MockFaults make a route misbehave the way real endpoints do, so retries,
// timeouts and failure branches can be exercised offline. Call counts are
// per route and start again when the mocks are reloaded.
type MockFaults struct {
	// FailEvery makes every Nth call (N, 2N, ...) answer FailStatus.
	FailEvery int `json:"failEvery,omitempty"`
	// FailStatus is the status of failed calls; zero means 500.
	FailStatus int `json:"failStatus,omitempty"`
	// Sequence gives the status of the first calls in order (503, 503, 200);
	// once it is used up, its last status repeats.
	Sequence []int `json:"sequence,omitempty"`
	// Timeout makes the route never answer: it holds the request until the
	// client gives up (or the server stops).
	Timeout bool `json:"timeout,omitempty"`
	// Drip sends the body a little at a time over this long.
	Drip Duration `json:"drip,omitzero"`
	// Malformed cuts the body in half, so a JSON answer does not parse.
	Malformed bool `json:"malformed,omitempty"`
}

// AuthWebhook is the MockAuth type that requires a Standard Webhooks
// signature made with Secret.
const AuthWebhook AuthType = "webhook"

// MockAuth is the authentication a mock requires: the same schemes a
// connection sends (apiKey, bearer, basic), or a Standard Webhooks signature
// (webhook). The expected values are secret references, resolved when the
// mocks are served.
type MockAuth struct {
	Type AuthType `json:"type"`
	// apiKey: In is "header" or "query", Name the header or parameter.
	In    string     `json:"in,omitempty"`
	Name  string     `json:"name,omitempty"`
	Value *SecretRef `json:"value,omitempty"`
	// basic
	Username string     `json:"username,omitempty"`
	Password *SecretRef `json:"password,omitempty"`
	// bearer
	Token *SecretRef `json:"token,omitempty"`
	// webhook: the Standard Webhooks secret (whsec_... or a plain secret).
	Secret *SecretRef `json:"secret,omitempty"`
}

// Secrets returns pointers to every secret field the auth has set, keyed by
// field name, so callers can seal, resolve or redact them uniformly.
func (a *MockAuth) Secrets() map[string]*SecretRef {
	m := map[string]*SecretRef{}
	for name, p := range map[string]*SecretRef{
		"value": a.Value, "password": a.Password, "token": a.Token, "secret": a.Secret,
	} {
		if p != nil {
			m[name] = p
		}
	}
	return m
}

// Credential returns the field that holds what a request must carry for
// the auth's type (the key, token, password or signing secret) and its
// reference; "" and nil for none or a type a mock cannot require.
func (a *MockAuth) Credential() (field string, ref *SecretRef) {
	switch a.Type {
	case AuthAPIKey:
		return "value", a.Value
	case AuthBearer:
		return "token", a.Token
	case AuthBasic:
		return "password", a.Password
	case AuthWebhook:
		return "secret", a.Secret
	}
	return "", nil
}

// DecodeMocks reads a mocks file with the same strictness as DecodeFlow:
// every problem at once, with its JSON path, line and column.
func DecodeMocks(data []byte) (*MocksFile, error) {
	m := new(MocksFile)
	if err := decodeStrict(data, m, "mocks"); err != nil {
		return nil, err
	}
	normalizeEmpty(reflect.ValueOf(m).Elem())
	return m, nil
}

// EncodeMocks writes a mocks file like EncodeFlow. A secret still holding a
// literal value is refused with an error wrapping ErrLiteralSecret and
// naming the mock and field: seal it first.
func EncodeMocks(m *MocksFile) ([]byte, error) {
	if m == nil {
		return nil, errors.New("no mocks to encode")
	}
	for _, mk := range m.Mocks {
		if mk.Auth == nil {
			continue
		}
		secrets := mk.Auth.Secrets()
		names := make([]string, 0, len(secrets))
		for name := range secrets {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if isLiteral(*secrets[name]) {
				return nil, fmt.Errorf("mock %q, field auth.%s: %w", mk.Name, name, ErrLiteralSecret)
			}
		}
	}
	out := *m
	if out.Format == "" {
		out.Format = Format
	}
	if out.Mocks == nil {
		out.Mocks = []Mock{}
	}
	return encodeIndented(&out)
}

// IsMockName reports whether s can name a mock: one URL path segment of
// letters, digits, '-', '_' and '.', not "." or "..".
func IsMockName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r == '.' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// MockPathSegments splits a route path into its segments ("/orders/{id}" is
// ["orders", "{id}"]); a trailing slash adds nothing, and "/" has none.
func MockPathSegments(path string) []string {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

// MockParam returns the parameter name of a {name} segment.
func MockParam(seg string) (string, bool) {
	if len(seg) >= 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// mockRouteShape is the route's method and path with every parameter
// written {}: two routes with the same shape match the same requests.
func mockRouteShape(r *MockRoute) string {
	segs := MockPathSegments(r.Path)
	for i, s := range segs {
		if _, ok := MockParam(s); ok {
			segs[i] = "{}"
		}
	}
	return strings.ToUpper(r.methodOrGet()) + " /" + strings.Join(segs, "/")
}

// MockRoutePattern is the route as an http.ServeMux pattern, matched
// against the request path below the mock: its method (a GET route also
// answers HEAD) and path, with a trailing slash dropped and the root
// written /{$} so that it matches the root alone. ServeMux decides which
// route answers: a literal segment is more specific than a parameter
// (/orders/latest before /orders/{id}).
func MockRoutePattern(r *MockRoute) string {
	segs := MockPathSegments(r.Path)
	if len(segs) == 0 {
		return strings.ToUpper(r.methodOrGet()) + " /{$}"
	}
	return strings.ToUpper(r.methodOrGet()) + " /" + strings.Join(segs, "/")
}

// HandleMockRoute registers h for the route on mux under MockRoutePattern.
// Where ServeMux would panic (a pattern that conflicts with one registered
// before, or that it cannot parse) it returns ServeMux's reason instead.
// ValidateMocks registers every route of a mock this way, so a mock set
// that validates is one the mock server can serve.
func HandleMockRoute(mux *http.ServeMux, r *MockRoute, h http.Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	mux.Handle(MockRoutePattern(r), h)
	return nil
}

// mockRoutesConflict says why routes a and b of one mock cannot both be
// served, or "" when they can.
func mockRoutesConflict(a, b *MockRoute) string {
	if mockRouteShape(a) == mockRouteShape(b) {
		return "both match the same requests"
	}
	mux := http.NewServeMux()
	if HandleMockRoute(mux, a, http.NotFoundHandler()) != nil || HandleMockRoute(mux, b, http.NotFoundHandler()) == nil {
		return ""
	}
	// Neither is more specific: each has a parameter where the other has
	// a literal. A path both match takes the literal of either.
	sa, sb := MockPathSegments(a.Path), MockPathSegments(b.Path)
	example := make([]string, len(sa))
	for i := range sa {
		example[i] = sa[i]
		if _, param := MockParam(sa[i]); param && i < len(sb) {
			example[i] = sb[i]
		}
		if _, param := MockParam(example[i]); param {
			example[i] = "x"
		}
	}
	return fmt.Sprintf("both match /%s and neither is more specific (each has a parameter where the other has text)", strings.Join(example, "/"))
}

func (r *MockRoute) methodOrGet() string {
	if r.Method == "" {
		return "GET"
	}
	return r.Method
}

// Describe names the route for messages: "GET /orders/{id}".
func (r *MockRoute) Describe() string {
	return strings.ToUpper(r.methodOrGet()) + " " + r.Path
}

// ValidateMocks checks a set of mocks and reports every problem at once.
// Fields are paths within a mocks file (mocks[1].routes[0].status) and
// messages name the mock and route. Two routes of one mock collide when
// http.ServeMux cannot tell which answers (HandleMockRoute): the same method
// and path shape ({a} and {b} alike), or paths where each has a parameter
// where the other has text (/a/{x}/c and /a/b/{y}); both are named.
// Route bodies are CEL and are compiled by the mock server, not here.
func ValidateMocks(mocks []Mock) Problems {
	var ps Problems
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Severity: SeverityError, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	seen := map[string]int{}
	for i := range mocks {
		mk := &mocks[i]
		at := fmt.Sprintf("mocks[%d]", i)
		switch j, dup := seen[mk.Name]; {
		case mk.Name == "":
			add(at+".name", "the mock has no name; connections refer to it by name, so give it one")
		case !IsMockName(mk.Name):
			add(at+".name", "mock name %q may hold only letters, digits, '-', '_' and '.', because it is part of the mock's URL", mk.Name)
		case dup:
			add(at+".name", "mocks[%d] and mocks[%d] are both named %q; names must be unique", j, i, mk.Name)
		default:
			seen[mk.Name] = i
		}
		if len(mk.Routes) == 0 {
			ps = append(ps, Problem{Severity: SeverityWarning, Field: at + ".routes",
				Message: fmt.Sprintf("mock %q has no routes, so it answers every request 404; add a route", mk.Name)})
		}
		// The routes are registered as the server registers them; one
		// ServeMux refuses is named with the route it conflicts with.
		mux := http.NewServeMux()
		var served []int
		for j := range mk.Routes {
			r := &mk.Routes[j]
			rat := fmt.Sprintf("%s.routes[%d]", at, j)
			before := len(ps)
			checkMockRoute(mk.Name, rat, r, add)
			if len(ps) > before {
				continue // its own problems say what to fix first
			}
			err := HandleMockRoute(mux, r, http.NotFoundHandler())
			if err == nil {
				served = append(served, j)
				continue
			}
			found := false
			for _, k := range served {
				if why := mockRoutesConflict(&mk.Routes[k], r); why != "" {
					add(rat+".path", "mock %q: route %d (%s) collides with route %d (%s): %s; change the method or the path of one",
						mk.Name, j, r.Describe(), k, mk.Routes[k].Describe(), why)
					found = true
					break
				}
			}
			if !found {
				add(rat+".path", "mock %q: route %d (%s) cannot be served: %v", mk.Name, j, r.Describe(), err)
			}
		}
		if mk.Auth != nil {
			checkMockAuth(mk.Name, at+".auth", mk.Auth, add)
		}
	}
	return ps
}

func validStatus(s int) bool { return s >= 100 && s <= 599 }

func checkMockRoute(mock, at string, r *MockRoute, add func(field, format string, args ...any)) {
	if r.Method != "" && !slices.Contains(Methods, strings.ToUpper(r.Method)) {
		add(at+".method", "mock %q: %q is not an HTTP method a route can match; use one of %s", mock, r.Method, strings.Join(Methods, ", "))
	}
	switch {
	case r.Path == "":
		add(at+".path", "mock %q: the route has no path; write one such as /orders/{id}", mock)
	case !strings.HasPrefix(r.Path, "/"):
		add(at+".path", "mock %q: path %q must start with /", mock, r.Path)
	case strings.ContainsAny(r.Path, "?#"):
		add(at+".path", "mock %q: path %q holds a query or fragment; a route matches the path only (read the query as request.query)", mock, r.Path)
	default:
		params := map[string]bool{}
		for _, seg := range MockPathSegments(r.Path) {
			name, isParam := MockParam(seg)
			switch {
			case seg == "":
				add(at+".path", "mock %q: path %q has an empty segment (//); remove it", mock, r.Path)
			case seg == "." || seg == "..":
				add(at+".path", "mock %q: path %q has a %q segment, which clients resolve before sending; write the path it stands for", mock, r.Path, seg)
			case isParam && !IsIdentifier(name):
				add(at+".path", "mock %q: parameter {%s} of path %q must be a name such as {id} (letters, digits, _), so the body can read params.%s", mock, name, r.Path, name)
			case isParam && params[name]:
				add(at+".path", "mock %q: parameter {%s} appears twice in path %q; name them differently", mock, name, r.Path)
			case !isParam && strings.ContainsAny(seg, "{}"):
				add(at+".path", "mock %q: segment %q of path %q mixes text and braces; a parameter takes a whole segment, as in /orders/{id}", mock, seg, r.Path)
			}
			if isParam {
				params[name] = true
			}
		}
	}
	if r.Status != 0 && !validStatus(r.Status) {
		add(at+".status", "mock %q: %d is not an HTTP status; use 100 to 599 (0 means 200)", mock, r.Status)
	}
	for name := range r.Headers {
		if name == "" || strings.ContainsAny(name, " \t\r\n:") {
			add(at+".headers", "mock %q: %q is not a header name", mock, name)
		}
	}
	if r.Delay.D() > MaxCallTimeout {
		add(at+".delay", "mock %q: a delay of %s is longer than any call waits (%s); shorten it", mock, r.Delay.D(), MaxCallTimeout)
	}
	f := r.Faults
	if f == nil {
		return
	}
	if f.FailEvery < 0 {
		add(at+".faults.failEvery", "mock %q: failEvery is negative; give N to fail every Nth call, or 0 for never", mock)
	}
	if f.FailStatus != 0 && !validStatus(f.FailStatus) {
		add(at+".faults.failStatus", "mock %q: %d is not an HTTP status; use 100 to 599 (0 means 500)", mock, f.FailStatus)
	}
	for k, s := range f.Sequence {
		if !validStatus(s) {
			add(fmt.Sprintf("%s.faults.sequence[%d]", at, k), "mock %q: %d is not an HTTP status; use 100 to 599", mock, s)
		}
	}
	if f.Drip.D() > MaxCallTimeout {
		add(at+".faults.drip", "mock %q: a drip of %s is longer than any call waits (%s); shorten it", mock, f.Drip.D(), MaxCallTimeout)
	}
}

func checkMockAuth(mock, at string, a *MockAuth, add func(field, format string, args ...any)) {
	missing := func(field, what string) {
		add(at+"."+field, "mock %q: %s auth needs %s", mock, a.Type, what)
	}
	secretMissing := func(p *SecretRef) bool { return p == nil || p.IsZero() }
	switch a.Type {
	case AuthNone:
	case AuthAPIKey, AuthBasic, AuthBearer:
		if a.Type == AuthAPIKey && a.In == "" {
			// A file spells this out, as a connections file does.
			missing("in", `"in": "header" or "query"`)
		}
		// The same rules as a connection's auth: a mock expects what a
		// connection sends.
		checkSharedAuth(a.Type, sharedAuth{In: a.In, Name: a.Name, Value: a.Value, Username: a.Username, Password: a.Password, Token: a.Token},
			missing, func(field, msg string) { add(at+"."+field, "mock %q: %s", mock, msg) })
	case AuthWebhook:
		if secretMissing(a.Secret) {
			missing("secret", `the signing secret: {"secret": NAME} or {"env": VAR}`)
		}
	case "":
		add(at+".type", "mock %q: the auth has no type; use none, apiKey, bearer, basic or webhook", mock)
	default:
		add(at+".type", "mock %q: a mock cannot require %q auth; use none, apiKey, bearer, basic or webhook", mock, a.Type)
	}
}

// ReceivedRequest is one request a mock endpoint (or a webhook trigger)
// received, as the request inspector lists it and the history keeps it.
// Credentials are redacted before a ReceivedRequest is made: no secret value
// is ever held here.
type ReceivedRequest struct {
	// ID numbers the requests one server received, from 1, in the order
	// they were answered.
	ID   int64     `json:"id"`
	Time time.Time `json:"time"`
	// Mock is the mock addressed (empty when none matched); Route the route
	// that answered, as "POST /chatbot/step" (empty when none matched).
	Mock  string `json:"mock,omitempty"`
	Route string `json:"route,omitempty"`
	// Method, Path and Query are as received; Path is the full path,
	// /<mock>/..., and a query API key is redacted.
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   string              `json:"query,omitempty"`
	Headers map[string][]string `json:"headers,omitempty"`
	// Body is the request body, cut at the inspector's cap (BodyTruncated);
	// BodySize is its full size.
	Body          string `json:"body,omitempty"`
	BodySize      int64  `json:"bodySize,omitempty"`
	BodyTruncated bool   `json:"bodyTruncated,omitempty"`
	// Auth is the auth check: empty when none was required, "ok", or why the
	// request was refused. Signature is the Standard Webhooks check the same
	// way ("valid" or why not).
	Auth      string `json:"auth,omitempty"`
	Signature string `json:"signature,omitempty"`
	// Fault names the configured fault that shaped the answer, if any.
	Fault string `json:"fault,omitempty"`
	// Status is the status answered; 0 when the request was never answered
	// (a timeout fault, or the client gave up first).
	Status     int    `json:"status"`
	DurationMs int64  `json:"durationMs"`
	Error      string `json:"error,omitempty"`
}
