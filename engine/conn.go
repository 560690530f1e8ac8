package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/flowbench/flowbench/engine/auth"
	"github.com/flowbench/flowbench/flow"
)

// connState is the live side of a connection, shared by every run: its HTTP
// client (one transport, so keep-alive connections are reused across steps and
// runs) and its authenticator (so an OAuth token is fetched once per expiry).
type connState struct {
	conn      flow.Connection
	base      *url.URL
	client    *http.Client
	transport *http.Transport
	auth      auth.Authenticator
	sensitive auth.Sensitive
	timeout   time.Duration
}

func (st *connState) close() {
	if st.transport != nil {
		st.transport.CloseIdleConnections()
	}
}

func sameConnection(a, b flow.Connection) bool { return reflect.DeepEqual(a, b) }

// connection returns the live state of the named connection, creating it on
// first use.
func (r *Runner) connection(ctx context.Context, name string) (*connState, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.live[name]; ok {
		return st, nil
	}
	conn, ok := r.conns[name]
	if !ok {
		return nil, fmt.Errorf("no connection named %q; add it under Connections or pass a connections file that defines it", name)
	}
	st, err := r.newConnState(ctx, conn)
	if err != nil {
		if ce := (*flow.ConnectionError)(nil); errors.As(err, &ce) {
			return nil, err // it names the connection already
		}
		return nil, fmt.Errorf("connection %q: %w", name, err)
	}
	r.live[name] = st
	return st, nil
}

func (r *Runner) newConnState(ctx context.Context, conn flow.Connection) (*connState, error) {
	baseURL, err := auth.BaseURL(conn)
	if err != nil {
		return nil, err
	}
	if r.opts.Resolve != nil {
		if b, ok := r.opts.Resolve(conn); ok {
			if b == "" {
				return nil, fmt.Errorf("its calls go to mock %q (useMock is on), but the mock server is not running; start it in the Mocks view, or turn useMock off", conn.Mock)
			}
			baseURL = b
		}
	}
	base, err := url.Parse(baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("base URL %q is not an absolute http(s) URL", baseURL)
	}

	var tr *http.Transport
	if r.opts.Transport != nil {
		tr = r.opts.Transport.Clone()
	} else {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 64
	tlsCfg := tr.TLSClientConfig
	if tlsCfg == nil {
		tlsCfg = &tls.Config{}
	} else {
		tlsCfg = tlsCfg.Clone()
	}
	tlsCfg.InsecureSkipVerify = !conn.TLSVerified()
	if conn.CAFile != "" {
		pem, err := flow.ReadFileLimit(conn.CAFile, flow.MaxCAFileBytes)
		if err != nil {
			return nil, fmt.Errorf("caFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("caFile %s holds no PEM certificate", conn.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	tr.TLSClientConfig = tlsCfg

	// Token requests go through their own client with the same TLS settings,
	// never following redirects with the client secret.
	tokenClient := &http.Client{Transport: tr, Timeout: DefaultTimeout}
	a, err := auth.New(conn, auth.Options{
		Secrets:    secretResolver{r},
		Tokens:     r.opts.Tokens,
		HTTPClient: tokenClient,
		Now:        r.opts.Now,
	})
	if err != nil {
		return nil, err
	}
	sens := a.Sensitive()
	client := &http.Client{Transport: tr, CheckRedirect: auth.RedirectPolicy(sens)}
	timeout := DefaultTimeout
	if conn.Timeout > 0 {
		timeout = conn.Timeout.D()
	}
	return &connState{conn: conn, base: base, client: client, transport: tr, auth: a, sensitive: sens, timeout: timeout}, nil
}

// do sends a request as st.client.Do would, with its redirects, its errors
// and its credential stripping, without the client's per-request work
// (a copy of the headers for redirects, the hop list) when the answer is
// not a redirect. The request goes to the transport first; a redirect, or an
// error, is then handed to the client as if the transport had just given it,
// so the client follows the redirect (or wraps the error) exactly as it would
// have. A URL with user information goes through the client, which turns it
// into basic authentication, and so does every request of a client with a
// cookie jar or a timeout (newConnState sets neither), whose work would
// otherwise be skipped.
func (st *connState) do(req *http.Request) (*http.Response, error) {
	if req.URL.User != nil || st.client.Jar != nil || st.client.Timeout != 0 {
		return st.client.Do(req)
	}
	resp, err := st.transport.RoundTrip(req)
	if err == nil && !redirectStatus(resp.StatusCode) {
		return resp, nil
	}
	c := *st.client
	c.Transport = &replayFirst{resp: resp, err: err, next: st.client.Transport}
	return c.Do(req)
}

// redirectStatus reports whether http.Client may follow a response of this
// status (it then decides by the Location header and the request's body).
func redirectStatus(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// replayFirst is a transport whose first round trip answers with what the
// real transport already gave for that request; the next ones (redirect
// hops) go to the real transport. It serves one Client.Do call.
type replayFirst struct {
	resp   *http.Response
	err    error
	next   http.RoundTripper
	played bool
}

func (t *replayFirst) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.played {
		t.played = true
		return t.resp, t.err
	}
	return t.next.RoundTrip(req)
}

// joinURL joins a relative URI to a base URL. The URI may carry its own query;
// it must not name another scheme or host, so a flow cannot send a
// connection's credentials anywhere else.
func joinURL(base *url.URL, uri string) (*url.URL, error) {
	u := *base
	if uri == "" {
		return &u, nil
	}
	if hasLineBreak(uri) {
		return nil, fmt.Errorf("the URI contains a line break")
	}
	if base.RawPath == "" && base.RawQuery == "" && plainPath(uri) {
		// The common case, a path of plain characters: nothing to parse,
		// unescape or merge.
		if strings.Contains(uri, "..") {
			for _, seg := range strings.Split(uri, "/") {
				if seg == ".." {
					return nil, fmt.Errorf("the URI %q climbs above the base URL with \"..\"", uri)
				}
			}
		}
		rel := uri
		if rel[0] != '/' {
			rel = "/" + rel
		}
		u.Path, u.RawPath, u.RawQuery, u.Fragment = strings.TrimRight(base.Path, "/")+rel, "", "", ""
		return &u, nil
	}
	return joinParsed(base, uri)
}

// joinParsed is joinURL for any URI: parsed, checked and merged with the
// base URL's path and query.
func joinParsed(base *url.URL, uri string) (*url.URL, error) {
	u := *base
	rel, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("the URI %q is not valid: %v", uri, err)
	}
	if rel.Scheme != "" || rel.Host != "" || strings.HasPrefix(uri, "//") {
		return nil, fmt.Errorf("the URI %q is absolute; give a path relative to the connection's base URL", uri)
	}
	if strings.Contains(rel.Path, "..") {
		for _, seg := range strings.Split(rel.Path, "/") {
			if seg == ".." {
				return nil, fmt.Errorf("the URI %q climbs above the base URL with \"..\"", uri)
			}
		}
	}
	basePath := strings.TrimRight(base.EscapedPath(), "/")
	relPath := rel.EscapedPath()
	if relPath != "" && !strings.HasPrefix(relPath, "/") {
		relPath = "/" + relPath
	}
	joined := basePath + relPath
	if joined == "" {
		joined = "/"
	}
	p, err := url.PathUnescape(joined)
	if err != nil {
		return nil, fmt.Errorf("the URI %q has a bad escape: %v", uri, err)
	}
	u.Path, u.RawPath = p, joined
	if u.EscapedPath() != joined {
		u.RawPath = ""
	}
	u.Fragment = ""
	if base.RawQuery == "" && rel.RawQuery == "" {
		return &u, nil
	}
	q := base.Query()
	for k, vs := range rel.Query() {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return &u, nil
}

// plainPath reports whether uri is a non-empty path of letters, digits and
// -._~/ only: nothing in it needs escaping or unescaping, and it names no
// scheme, host, query or fragment. A leading "//" is not plain.
func plainPath(uri string) bool {
	if uri == "" || strings.HasPrefix(uri, "//") {
		return false
	}
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
			return false
		}
	}
	return true
}

// stringify turns an expression result into text for a URI, query value or
// header value: strings as they are, other values as JSON.
func stringify(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case []byte:
		return string(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// stepConnection returns the live state of the connection a call step goes
// through: the one its file names, or the one its connection expression
// (flow.Call.ConnectionExpr) gives in this run, evaluated on each step.
func (x *execution) stepConnection(s *step) (*connState, error) {
	if s.conn == nil {
		return x.r.connection(x.ctx, s.node.Call.Connection)
	}
	v, err := s.conn.Eval(x.ctx, x.act)
	if err != nil {
		return nil, fmt.Errorf("node %q, field call.connection: the expression failed: %v", s.node.ID, err)
	}
	name, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("node %q, field call.connection: the expression gave %s, not a connection's name (a string)", s.node.ID, describeValue(v))
	}
	x.r.mu.Lock()
	_, known := x.r.conns[name]
	x.r.mu.Unlock()
	if !known {
		return nil, fmt.Errorf("node %q, field call.connection: the expression gave %q, which is no connection; known: %s", s.node.ID, name, knownConnections(x.r.connectionNames()))
	}
	return x.r.connection(x.ctx, name)
}

// connectionNames is the set of the runner's connection names.
func (r *Runner) connectionNames() map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]bool, len(r.conns))
	for name := range r.conns {
		out[name] = true
	}
	return out
}

// knownConnections lists names sorted, for messages; "none" when empty.
func knownConnections(names map[string]bool) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(slices.Sorted(maps.Keys(names)), ", ")
}

// describeValue names a value's type and, for a scalar, the value.
func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	case bool, int64, float64, uint64:
		return fmt.Sprintf("%T %v", x, x)
	}
	return fmt.Sprintf("a %T", v)
}
