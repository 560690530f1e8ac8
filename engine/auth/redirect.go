package auth

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// MaxRedirects is how many redirects a call follows before it fails.
const MaxRedirects = 10

// RedirectPolicy returns an http.Client CheckRedirect function that keeps
// credentials on the host they were meant for. On a redirect to another host
// (or port), or from https to http, it removes Authorization, cookies, every
// X-Amz-* header, every Webhook-* header (a Standard Webhooks signature is
// for the host it was sent to, and replayable there), the headers named in s, any header carrying a secret value,
// and the query parameters named in s, before the request leaves; once
// stripped, a chain stays stripped. On a same-host redirect the credentials
// stay, and a query-parameter credential the new URL lacks is carried over.
// It stops after MaxRedirects.
func RedirectPolicy(s Sensitive) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= MaxRedirects {
			return fmt.Errorf("stopped after %d redirects; point the connection's baseURL or the call's URI at the final address", MaxRedirects)
		}
		if len(via) == 0 {
			return nil
		}
		orig := via[0].URL
		trusted := true
		for _, r := range via[1:] {
			if !sameOrigin(orig, r.URL) {
				trusted = false
			}
		}
		if trusted && sameOrigin(orig, req.URL) {
			carryQuery(s, orig, req.URL)
			return nil
		}
		stripCredentials(s, req)
		return nil
	}
}

// sameOrigin reports whether to is the host credentials were meant for: the
// same host name and port, and no downgrade from https to http.
func sameOrigin(from, to *url.URL) bool {
	if from.Scheme == "https" && to.Scheme != "https" {
		return false
	}
	return strings.EqualFold(from.Hostname(), to.Hostname()) && port(from) == port(to)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// carryQuery copies the credential query parameters of the original request
// into a same-host redirect that lacks them.
func carryQuery(s Sensitive, orig, to *url.URL) {
	if len(s.Query) == 0 {
		return
	}
	oq := orig.Query()
	tq := to.Query()
	add := ""
	for _, name := range s.Query {
		if vs, ok := oq[name]; ok {
			if _, has := tq[name]; !has {
				for _, v := range vs {
					add += "&" + url.QueryEscape(name) + "=" + url.QueryEscape(v)
				}
			}
		}
	}
	if add != "" {
		to.RawQuery = strings.TrimPrefix(to.RawQuery+add, "&")
	}
}

// stripCredentials removes everything that could prove who we are.
func stripCredentials(s Sensitive, req *http.Request) {
	values := s.static
	if values == nil {
		values = allForms(s.Values)
	}
	live := s.live.snapshot()
	for k, vs := range req.Header {
		lower := strings.ToLower(k)
		if s.secretHeader(k) || strings.HasPrefix(lower, "x-amz-") || strings.HasPrefix(lower, "webhook-") || anyContains(vs, values) || anyContains(vs, live) {
			delete(req.Header, k)
		}
	}
	if req.URL.RawQuery != "" {
		names := map[string]bool{}
		for _, p := range strings.Split(req.URL.RawQuery, "&") {
			k, v, _ := strings.Cut(p, "=")
			name := k
			if dk, err := url.QueryUnescape(k); err == nil {
				name = dk
			}
			if s.secretQuery(name) || strings.HasPrefix(strings.ToLower(name), "x-amz-") || anyContains([]string{v}, values) || anyContains([]string{v}, live) {
				names[name] = true
			}
		}
		req.URL.RawQuery = removeQueryParams(req.URL.RawQuery, names)
	}
	if req.URL.User != nil {
		req.URL.User = nil
	}
}

func anyContains(vs, needles []string) bool {
	for _, v := range vs {
		for _, n := range needles {
			if strings.Contains(v, n) {
				return true
			}
		}
	}
	return false
}

// errTokenRedirect refuses redirects of token requests: the client secret
// travels in the body or the Authorization header, and a 307 would resend it.
var errTokenRedirect = errors.New("the token endpoint answered with a redirect, which is not followed with credentials")

func noRedirect(req *http.Request, via []*http.Request) error {
	return fmt.Errorf("%w (to %s); set tokenURL to the final address", errTokenRedirect, hostOf(req.URL))
}

func hostOf(u *url.URL) string {
	if h, p, err := net.SplitHostPort(u.Host); err == nil {
		return net.JoinHostPort(h, p)
	}
	return u.Host
}
