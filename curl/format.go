package curl

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/flowbench/flowbench/engine/auth"
	"github.com/flowbench/flowbench/flow"
)

// Request is a request as it goes on the wire: what Format writes and what
// Command.Request gives, so a command and its copy compare equal.
type Request struct {
	Method  string   `json:"method"`
	URL     string   `json:"url"`
	Headers []Header `json:"headers"`
	Body    string   `json:"body,omitempty"`
	HasBody bool     `json:"hasBody,omitempty"`
}

// Request returns the request the command sends: -u's credentials become
// an "Authorization: Basic" header (unless a header already gives
// Authorization), as curl sends them.
func (c *Command) Request() Request {
	r := Request{Method: c.Method, Headers: append([]Header(nil), c.Headers...), Body: c.Body, HasBody: c.HasBody}
	if c.URL != nil {
		r.URL = c.URL.String()
	}
	if c.HasUser {
		if _, ok := c.Header("Authorization"); !ok && c.AWSSigV4 == "" {
			r.Headers = append(r.Headers, Header{Name: "Authorization",
				Value: "Basic " + base64.StdEncoding.EncodeToString([]byte(c.User+":"+c.Password))})
		}
	}
	return r
}

// FromExchange returns the request of one recorded attempt, its headers in
// name order (an exchange keeps them as a map). The engine has already
// replaced its secrets by auth.Marker.
func FromExchange(x *flow.Exchange) Request {
	r := Request{Method: x.Method, URL: x.URL, Body: x.RequestBody, HasBody: x.RequestBody != ""}
	names := make([]string, 0, len(x.RequestHeaders))
	for k := range x.RequestHeaders {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range x.RequestHeaders[k] {
			r.Headers = append(r.Headers, Header{Name: k, Value: v})
		}
	}
	return r
}

// FormatOptions say how Format treats secrets.
type FormatOptions struct {
	// Secrets are values to hide wherever they appear (a connection's
	// secrets), besides what is always hidden: credential headers
	// (Authorization, Cookie, …), credential query parameters and the
	// engine's redaction markers.
	Secrets []string
	// Reveal writes everything as it is: the caller asked for the secrets.
	Reveal bool
}

// Format writes r as a curl command, one option a line, every value in
// single quotes (POSIX shell; a ' inside is written '\”). Unless
// opts.Reveal, each secret is written as a shell variable named after its
// header or query parameter ("${AUTHORIZATION}", "${API_KEY}"; "${SECRET}"
// in a body), so the command runs once those are exported and never holds
// a secret. Parse reads the result back to the same Request.
func Format(r Request, opts FormatOptions) string {
	u, headers, body := r.URL, r.Headers, r.Body
	if !opts.Reveal {
		u, headers, body = redact(r, opts.Secrets)
	}
	var b strings.Builder
	b.WriteString("curl")
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	switch {
	case method == http.MethodHead && !r.HasBody:
		b.WriteString(" -I")
	case method == http.MethodGet && !r.HasBody, method == http.MethodPost && r.HasBody:
		// what curl infers
	default:
		b.WriteString(" -X " + quote(method, ""))
	}
	b.WriteString(" " + quote(u, ""))
	hasType := false
	for _, h := range headers {
		hasType = hasType || strings.EqualFold(h.Name, "Content-Type")
		b.WriteString(" \\\n  -H ")
		if h.Value == "" {
			b.WriteString(quote(h.Name+";", ""))
			continue
		}
		b.WriteString(quote(h.Name+": "+h.Value, placeholderName(h.Name)))
	}
	if r.HasBody {
		if !hasType {
			// curl would add a form content type to a body that has none
			b.WriteString(" \\\n  -H 'Content-Type:'")
		}
		b.WriteString(" \\\n  --data-raw " + quote(body, "SECRET"))
	}
	return b.String()
}

// redact returns r's URL, headers and body with every secret replaced by
// auth.Marker, the credential headers and query parameters whole.
func redact(r Request, secrets []string) (string, []Header, string) {
	replace := func(s string) string {
		for _, v := range secrets {
			if len(v) < 4 { // as the engine: a shorter value would garble the text
				continue
			}
			s = strings.ReplaceAll(s, v, auth.Marker)
			if e := url.QueryEscape(v); e != v {
				s = strings.ReplaceAll(s, e, auth.Marker)
			}
		}
		return s
	}
	_, u, _ := auth.Redact(auth.Sensitive{}, nil, r.URL, "")
	u = redactedParam.ReplaceAllStringFunc(replace(u), func(m string) string {
		name := m[:strings.IndexByte(m, '=')]
		return name + "=\x00" + placeholderName(name) + "\x00"
	})
	headers := make([]Header, len(r.Headers))
	for i, h := range r.Headers {
		red, _, _ := auth.Redact(auth.Sensitive{}, http.Header{h.Name: {h.Value}}, "", "")
		headers[i] = Header{Name: h.Name, Value: replace(red[h.Name][0])}
	}
	return u, headers, replace(r.Body)
}

// redactedParam finds a query parameter whose value was redacted.
var redactedParam = regexp.MustCompile(`([A-Za-z0-9_.\-]+)=` + regexp.QuoteMeta(auth.Marker))

// quote single-quotes s for a POSIX shell and turns each redaction marker
// into "${NAME}", NAME being name (SECRET when empty); a marker redact
// already named ("\x00NAME\x00", the URL's parameters) keeps its name.
func quote(s, name string) string {
	s = strings.ReplaceAll(s, auth.Marker, "\x00"+cmp.Or(name, "SECRET")+"\x00")
	var b strings.Builder
	parts := strings.Split(s, "\x00")
	for i, part := range parts {
		switch {
		case i%2 == 1:
			b.WriteString(`"${` + part + `}"`)
		case strings.ContainsFunc(part, isControl):
			b.WriteString(ansiQuote(part))
		case part != "" || len(parts) == 1:
			b.WriteString("'" + strings.ReplaceAll(part, "'", `'\''`) + "'")
		}
	}
	return b.String()
}

// isControl reports a character a single-quoted word may not carry as it
// is (a carriage return is lost to line-ending conversions): control
// characters other than newline and tab.
func isControl(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }

// ansiQuote writes s as a $'…' word (bash, zsh, ksh and POSIX 2024 shells),
// for text holding control characters.
func ansiQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for _, r := range s {
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// placeholderName turns a header or parameter name into the name of the
// shell variable that stands for its secret: x-api-key → X_API_KEY.
func placeholderName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		s = "SECRET_" + s
	}
	return s
}
