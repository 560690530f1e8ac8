package auth

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Marker replaces every secret Redact finds.
const Marker = "[redacted]"

// minRedactLen is the shortest value Redact replaces inside free text: a
// shorter one would garble every message that happens to contain those
// characters. Such values are still removed from the headers and query
// parameters that carry them.
const minRedactLen = 4

// Sensitive names what an authenticator adds to requests: header and query
// parameter names whose values are secret, and the secret values in use, so
// they can be redacted from records and stripped on cross-host redirects.
// It is a small value; copies share the live set of rotating values (OAuth
// tokens), so a copy taken once still redacts tokens fetched later.
type Sensitive struct {
	Headers []string
	Query   []string
	// Values are the secret values in use, for substring redaction.
	Values []string

	live   *liveValues
	static []string // every form of Values, computed once by newSensitive
}

// alwaysHeaders are redacted and stripped whatever the auth type: they carry
// credentials in every scheme we know.
var alwaysHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Cookie2", "Set-Cookie", "X-Amz-Security-Token"}

// alwaysQuery are query parameters that carry credentials in common schemes
// (SigV4 presigning, OAuth bearer in the query).
var alwaysQuery = []string{"X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Credential", "access_token", "refresh_token", "client_secret"}

// sigPattern finds SigV4 signatures echoed in text, for instance by a server
// that returns the request headers: the signature changes per request, so it
// cannot be listed as a value.
var sigPattern = regexp.MustCompile(`(?i)(Signature=)[0-9a-f]{64}`)

// liveValues holds secrets that change while the authenticator lives.
type liveValues struct {
	mu     sync.RWMutex
	values []string
	forms  []string
}

func (l *liveValues) add(vs ...string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range vs {
		if v == "" {
			continue
		}
		dup := false
		for _, have := range l.values {
			if have == v {
				dup = true
				break
			}
		}
		if !dup {
			l.values = append(l.values, v)
		}
	}
	// Keep old tokens too (a stored response may quote one), but bounded.
	if n := len(l.values); n > 64 {
		l.values = append([]string(nil), l.values[n-64:]...)
	}
	l.forms = allForms(l.values)
}

// snapshot returns the current forms; the slice is replaced, never
// modified, so it may be read after the lock is released.
func (l *liveValues) snapshot() []string {
	if l == nil {
		return nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.forms
}

func newSensitive(headers, query, values []string) Sensitive {
	return Sensitive{Headers: headers, Query: query, Values: values, static: allForms(values)}
}

// allForms lists every form of every value long enough to redact in text,
// longest first so a value inside another's encoding cannot leave a piece.
func allForms(values []string) []string {
	var out []string
	for _, v := range values {
		if len(v) >= minRedactLen {
			out = append(out, forms(v)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// forms returns a value as it may appear in text: as is, URL-encoded, base64,
// hex and JSON-escaped.
func forms(v string) []string {
	out := []string{v}
	add := func(f string) {
		if f != v && f != "" {
			out = append(out, f)
		}
	}
	add(url.QueryEscape(v))
	add(url.PathEscape(v))
	add(base64.StdEncoding.EncodeToString([]byte(v)))
	add(base64.RawStdEncoding.EncodeToString([]byte(v)))
	add(base64.URLEncoding.EncodeToString([]byte(v)))
	add(base64.RawURLEncoding.EncodeToString([]byte(v)))
	add(hex.EncodeToString([]byte(v)))
	add(strings.ToUpper(hex.EncodeToString([]byte(v))))
	if b, err := json.Marshal(v); err == nil {
		add(string(b[1 : len(b)-1]))
	}
	return out
}

// redactText replaces every form of every value, and SigV4 signatures.
func (s Sensitive) redactText(text string) string {
	if text == "" {
		return text
	}
	static := s.static
	if static == nil && len(s.Values) > 0 {
		static = allForms(s.Values) // a Sensitive built by hand
	}
	for _, list := range [][]string{static, s.live.snapshot()} {
		for _, f := range list {
			if strings.Contains(text, f) {
				text = strings.ReplaceAll(text, f, Marker)
			}
		}
	}
	if mayHaveSignature(text) {
		text = sigPattern.ReplaceAllString(text, "${1}"+Marker)
	}
	return text
}

// mayHaveSignature reports whether text holds "signature=" in any case, the
// start of what sigPattern replaces, in one pass over its '=' signs.
func mayHaveSignature(text string) bool {
	const name = "signature"
	for i := strings.IndexByte(text, '='); i >= 0; {
		if i >= len(name) && strings.EqualFold(text[i-len(name):i], name) {
			return true
		}
		j := strings.IndexByte(text[i+1:], '=')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func containsFold(list []string, name string) bool {
	for _, n := range list {
		if len(n) == len(name) && strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

func (s Sensitive) secretHeader(name string) bool {
	return containsFold(alwaysHeaders, name) || containsFold(s.Headers, name)
}

func (s Sensitive) secretQuery(name string) bool {
	return containsFold(alwaysQuery, name) || containsFold(s.Query, name)
}

// Redact returns copies of a request's or response's header, URL and body
// with secrets replaced by "[redacted]": credential headers (Authorization,
// cookies, the API key header, SigV4 tokens) and query parameters are replaced
// whole, and every secret value in use is replaced wherever it appears, in
// plain, URL-encoded, base64, hex or JSON-escaped form. A nil header gives a
// nil header; the inputs are not modified, and a header with nothing to
// redact is returned as it is (callers must not modify what they get).
func Redact(s Sensitive, h http.Header, rawURL string, body string) (http.Header, string, string) {
	return s.redactHeader(h), s.redactURL(rawURL), s.redactText(body)
}

// redactHeader copies h with secrets replaced; when nothing in h is secret
// (the common case of an unauthenticated response) it returns h itself, so a
// run records headers without copying them on every attempt.
func (s Sensitive) redactHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	var out http.Header
	for k, vs := range h {
		for i, v := range vs {
			red := Marker
			if !s.secretHeader(k) {
				red = s.redactText(v)
			}
			if red == v {
				continue
			}
			if out == nil {
				out = h.Clone()
			}
			out[k][i] = red
		}
	}
	if out == nil {
		return h
	}
	return out
}

// redactURL replaces secret query parameters and any user password, keeping
// the rest of the URL as written.
func (s Sensitive) redactURL(raw string) string {
	if raw == "" {
		return raw
	}
	base, frag, hasFrag := strings.Cut(raw, "#")
	path, query, hasQuery := strings.Cut(base, "?")
	if !strings.Contains(path, "@") {
		// No user information, so no password to hide.
	} else if u, err := url.Parse(path); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
			path = strings.Replace(u.String(), "REDACTED", Marker, 1)
		}
	}
	if hasQuery {
		parts := strings.Split(query, "&")
		for i, p := range parts {
			k, _, hasEq := strings.Cut(p, "=")
			name := k
			if dk, err := url.QueryUnescape(k); err == nil {
				name = dk
			}
			if hasEq && s.secretQuery(name) {
				parts[i] = k + "=" + Marker
			}
		}
		path += "?" + strings.Join(parts, "&")
	}
	if hasFrag {
		path += "#" + frag
	}
	return s.redactText(path)
}
