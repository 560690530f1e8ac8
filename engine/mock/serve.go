package mock

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowbench/flowbench/engine/clock"
	"github.com/flowbench/flowbench/engine/webhook"
	"github.com/flowbench/flowbench/flow"
)

const redacted = "[redacted]"

// ServeHTTP answers one request: /<mock>/<path> is routed to the mock's
// route for the method and path, after the mock's auth check. Every request,
// answered or refused, is recorded for the inspector.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	rec := Received{Time: s.opts.Now(), Method: r.Method, Path: r.URL.Path}
	defer func() {
		rec.DurationMs = time.Since(began).Milliseconds()
		s.record(rec)
	}()
	refuse := func(status int, msg string) {
		rec.Status, rec.Error = status, msg
		writeJSONError(w, status, msg)
	}

	t := s.table.Load()
	segs := flow.MockPathSegments(r.URL.Path)
	if len(segs) == 0 {
		rec.Headers, rec.Query = redactHeaders(r.Header, nil), redactQuery(r.URL.RawQuery, nil)
		refuse(http.StatusNotFound, fmt.Sprintf("address a mock as /<mock>/<path>; mocks served: %s", t.mockNames()))
		return
	}
	m := t.mocks[segs[0]]
	if m == nil {
		rec.Headers, rec.Query = redactHeaders(r.Header, nil), redactQuery(r.URL.RawQuery, nil)
		refuse(http.StatusNotFound, fmt.Sprintf("no mock named %q is served here; mocks served: %s", segs[0], t.mockNames()))
		return
	}
	rec.Mock = m.name
	// The mock's auth says which header or query parameter holds a key.
	rec.Headers, rec.Query = redactHeaders(r.Header, m.auth), redactQuery(r.URL.RawQuery, m.auth)

	body, err := readBody(r.Body, s.opts.MaxRequestBytes)
	rec.BodySize = int64(len(body))
	if len(body) > s.opts.RecordBodyBytes {
		rec.Body, rec.BodyTruncated = string(body[:s.opts.RecordBodyBytes]), true
	} else {
		rec.Body = string(body)
	}
	switch {
	case err != nil:
		refuse(http.StatusBadRequest, "the request body could not be read: "+err.Error())
		return
	case int64(len(body)) > s.opts.MaxRequestBytes:
		rec.BodySize, rec.BodyTruncated = -1, true // unknown: reading stopped at the cap
		refuse(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %d bytes, the most a mock reads; send less", s.opts.MaxRequestBytes))
		return
	}

	if a := m.auth; a != nil {
		msg := a.check(r, body, s.opts.Now(), s.opts.SignatureTolerance)
		if a.typ == flow.AuthWebhook {
			rec.Signature = "valid"
			if msg != "" {
				rec.Signature = msg
			}
		}
		if msg != "" {
			rec.Auth = msg
			switch a.typ {
			case flow.AuthBearer:
				w.Header().Set("WWW-Authenticate", `Bearer realm="`+m.name+`"`)
			case flow.AuthBasic:
				w.Header().Set("WWW-Authenticate", `Basic realm="`+m.name+`"`)
			}
			refuse(http.StatusUnauthorized, fmt.Sprintf("mock %q: %s", m.name, msg))
			return
		}
		rec.Auth = "ok"
	}

	// The mock's ServeMux routes the path below the mock. A path with an
	// empty, "." or ".." segment matches no route (ServeMux would redirect
	// it to its clean form, below the mock, which is not where it came from).
	sub := "/" + strings.Join(segs[1:], "/")
	d := &dispatch{ResponseWriter: w, s: s, m: m, path: sub, body: body, rec: &rec, missed: true}
	if path.Clean(sub) == sub {
		d.below, d.url = *r, *r.URL
		d.url.Path, d.url.RawPath = sub, ""
		d.below.URL = &d.url
		d.missed = false
		m.mux.ServeHTTP(d, &d.below)
		if d.missed {
			if allowed := m.allowed(&d.below); len(allowed) > 0 {
				w.Header().Set("Allow", strings.Join(allowed, ", "))
				refuse(http.StatusMethodNotAllowed, fmt.Sprintf("mock %q has no %s route for %s; it answers %s there", m.name, r.Method, sub, strings.Join(allowed, ", ")))
				return
			}
		}
	}
	if d.missed {
		refuse(http.StatusNotFound, fmt.Sprintf("mock %q has no route for %s %s; its routes: %s", m.name, r.Method, sub, m.routeList()))
	}
}

func (m *mockEntry) routeList() string {
	if len(m.routes) == 0 {
		return "none"
	}
	ds := make([]string, len(m.routes))
	for i, r := range m.routes {
		ds[i] = r.desc
	}
	return strings.Join(ds, ", ")
}

// answer writes the route's response, shaped by its faults.
func (s *Server) answer(ctx context.Context, w http.ResponseWriter, r *http.Request, m *mockEntry, rt *route, below string, body []byte, rec *Received) {
	n := rt.calls.Add(1)
	status := rt.status
	var faults []string
	if f := rt.faults; f != nil {
		if f.Timeout {
			rec.Fault = "timeout: the route never answers"
			// Held until the client gives up or the server stops; bounded
			// anyway so a client with no timeout cannot pin it forever.
			// Real time, not Options.Sleep: a test's instant sleep must not
			// turn a route that never answers into one that answers empty.
			clock.Sleep(ctx, flow.MaxCallTimeout)
			rec.Error = "not answered (timeout fault)"
			return
		}
		if len(f.Sequence) > 0 {
			status = f.Sequence[min(n, int64(len(f.Sequence)))-1]
			faults = append(faults, fmt.Sprintf("sequence: call %d answers %d", n, status))
		}
		if f.FailEvery > 0 && n%int64(f.FailEvery) == 0 {
			status = f.FailStatus
			if status == 0 {
				status = http.StatusInternalServerError
			}
			faults = append(faults, fmt.Sprintf("failEvery %d: call %d answers %d", f.FailEvery, n, status))
		}
	}
	if rt.delay > 0 {
		if err := s.opts.Sleep(ctx, rt.delay); err != nil {
			rec.Error = "the client gave up during the route's delay"
			return
		}
	}

	var out []byte
	var ctype string
	switch {
	case status != rt.status:
		// A fault chose the status: say so, rather than send a success body
		// with a failure status.
		out, _ = json.Marshal(map[string]any{"error": fmt.Sprintf("mock %q, route %s: %s (a configured fault)", m.name, rt.desc, strings.Join(faults, "; "))})
		ctype = "application/json"
	case rt.isConst:
		out, ctype = rt.constBody, rt.constType
	default:
		v, err := rt.body.EvalWith(ctx, nil, map[string]any{"request": requestValue(r, below, body), "params": rt.paramsOf(r)})
		if err == nil {
			out, ctype, err = encodeBody(v)
		}
		if err != nil {
			msg := fmt.Sprintf("mock %q, route %s: the body expression failed: %v; fix the route's body", m.name, rt.desc, err)
			rec.Status, rec.Error = http.StatusInternalServerError, msg
			writeJSONError(w, http.StatusInternalServerError, msg)
			return
		}
	}
	var drip time.Duration
	if f := rt.faults; f != nil {
		if f.Malformed && len(out) > 0 {
			out = out[:len(out)/2]
			faults = append(faults, "malformed: the body is cut in half")
		}
		if f.Drip > 0 {
			drip = f.Drip.D()
			faults = append(faults, "drip: the body is sent over "+drip.String())
		}
	}
	rec.Fault = strings.Join(faults, "; ")

	h := w.Header()
	for k, vs := range rt.headers {
		h[k] = vs
	}
	if ctype != "" && h.Get("Content-Type") == "" && len(out) > 0 {
		h.Set("Content-Type", ctype)
	}
	rec.Status = status
	if drip <= 0 {
		h.Set("Content-Length", strconv.Itoa(len(out)))
		w.WriteHeader(status)
		w.Write(out)
		return
	}
	s.dripOut(ctx, w, status, out, drip, rec)
}

// dripOut sends body in up to ten pieces spread over d, flushing each, so a
// client sees a slow stream (and its read timeout can fire).
func (s *Server) dripOut(ctx context.Context, w http.ResponseWriter, status int, body []byte, d time.Duration, rec *Received) {
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	rc.Flush()
	pieces := min(len(body), 10)
	if pieces == 0 {
		return
	}
	size := (len(body) + pieces - 1) / pieces
	gap := d / time.Duration(pieces)
	for off := 0; off < len(body); off += size {
		if err := s.opts.Sleep(ctx, gap); err != nil {
			rec.Error = "the client gave up while the body dripped"
			return
		}
		if _, err := w.Write(body[off:min(off+size, len(body))]); err != nil {
			rec.Error = "the client went away while the body dripped"
			return
		}
		rc.Flush()
	}
}

// requestValue is the request as route bodies see it: method, path (below
// the mock), query (first value of each name), headers (lower-case names,
// values joined with ", ") and body (parsed JSON, else a string; an empty
// body is an empty map so has(request.body.x) works).
func requestValue(r *http.Request, below string, body []byte) map[string]any {
	query := map[string]any{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			query[k] = vs[0]
		}
	}
	headers := make(map[string]any, len(r.Header))
	for k, vs := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(vs, ", ")
	}
	var b any = map[string]any{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &b); err != nil {
			b = string(body)
		}
	}
	return map[string]any{
		"method":  r.Method,
		"path":    below,
		"query":   query,
		"headers": headers,
		"body":    b,
	}
}

// check returns "" when the request carries the credential, else what is
// missing or wrong, in words that never include a value.
func (a *authCheck) check(r *http.Request, body []byte, now time.Time, tolerance time.Duration) string {
	eq := func(got, want string) bool { return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 }
	switch a.typ {
	case flow.AuthAPIKey:
		var got string
		where := "header " + a.name
		if a.in == flow.APIKeyQuery {
			got, where = r.URL.Query().Get(a.name), "query parameter "+a.name
		} else {
			got = r.Header.Get(a.name)
		}
		switch {
		case got == "":
			return "an API key is required in " + where + "; none was sent"
		case !eq(got, a.value):
			return "the API key in " + where + " is not the one this mock expects"
		}
	case flow.AuthBearer:
		h := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(h, "Bearer ")
		switch {
		case h == "":
			return "a bearer token is required in the Authorization header; none was sent"
		case !ok:
			return `the Authorization header is not "Bearer <token>"`
		case !eq(tok, a.value):
			return "the bearer token is not the one this mock expects"
		}
	case flow.AuthBasic:
		user, pass, ok := r.BasicAuth()
		switch {
		case !ok:
			return "basic auth (Authorization: Basic ...) is required; none was sent"
		case !eq(user, a.username) || !eq(pass, a.value):
			return "the basic auth username or password is not the one this mock expects"
		}
	case flow.AuthWebhook:
		if err := webhook.Verify(a.value, r.Header, body, now, tolerance); err != nil {
			return "Standard Webhooks signature: " + err.Error()
		}
	}
	return ""
}

// redactHeaders copies h for the record with credentials hidden: the usual
// credential headers, and the mock's API key header.
func redactHeaders(h http.Header, a *authCheck) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		switch strings.ToLower(k) {
		case "authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token":
			out[k] = []string{redacted}
			continue
		}
		if a != nil && a.typ == flow.AuthAPIKey && a.in != flow.APIKeyQuery && strings.EqualFold(k, a.name) {
			out[k] = []string{redacted}
			continue
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// credentialParams are query parameters that usually carry a credential;
// their values are hidden whatever the mock's auth says.
var credentialParams = []string{"api_key", "apikey", "api-key", "key", "token", "access_token", "code", "signature", "sig"}

// redactQuery hides the values of a query API key and of parameters that
// usually carry credentials.
func redactQuery(raw string, a *authCheck) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "[unreadable query, hidden: it may hold a credential]"
	}
	var hidden []string
	for name := range q {
		if slices.Contains(credentialParams, strings.ToLower(name)) ||
			a != nil && a.typ == flow.AuthAPIKey && a.in == flow.APIKeyQuery && name == a.name {
			hidden = append(hidden, name)
		}
	}
	if len(hidden) == 0 {
		return raw
	}
	// Written by hand rather than with q.Encode, which would escape the
	// brackets of [redacted] and make the record harder to read.
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		for _, v := range q[name] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(name))
			b.WriteByte('=')
			if slices.Contains(hidden, name) {
				b.WriteString(redacted)
			} else {
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	return b.String()
}
