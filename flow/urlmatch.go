package flow

import (
	"net"
	"net/url"
	"strings"
)

// MatchConnection finds the connection whose base URL u lies under, compared
// as URLs, never as strings: the scheme and host (case-insensitive), the port
// (an absent port is the scheme's default, 80 or 443), then the base URL's
// path as whole segments. https://api.x.com/v1 is the base of
// https://api.x.com/v1/orders and of https://api.x.com/v1, but not of
// https://api.x.com/v10/orders, http://api.x.com/v1/orders or
// https://api.x.com:8443/v1/orders. When several match, the one with the
// longest base path wins; on a tie, the first in conns. Only connections with
// a BaseURL take part (an amazonConnect connection derives its URL from its
// region elsewhere).
//
// rest is what the request adds to the base URL: u's escaped path after the
// base path (starting with "/", or empty), and "?" and u's query when it has
// one; it is the URI a call through that connection gives. conn is nil when
// no connection matches.
func MatchConnection(conns []Connection, u *url.URL) (conn *Connection, rest string) {
	if u == nil || u.Host == "" {
		return nil, ""
	}
	scheme, host, port, ok := urlOrigin(u)
	if !ok {
		return nil, ""
	}
	segs := pathSegments(u.EscapedPath())
	best := -1
	for i := range conns {
		if conns[i].BaseURL == "" {
			continue
		}
		b, err := url.Parse(conns[i].BaseURL)
		if err != nil || b.Host == "" {
			continue
		}
		bs, bh, bp, ok := urlOrigin(b)
		if !ok || bs != scheme || bh != host || bp != port {
			continue
		}
		base := pathSegments(b.EscapedPath())
		if len(base) > len(segs) || len(base) <= best {
			continue
		}
		under := true
		for j, s := range base {
			if segs[j] != s {
				under = false
				break
			}
		}
		if under {
			conn, best = &conns[i], len(base)
		}
	}
	if conn == nil {
		return nil, ""
	}
	rest = pathAfter(u.EscapedPath(), best)
	if u.RawQuery != "" {
		rest += "?" + u.RawQuery
	}
	return conn, rest
}

// urlOrigin returns u's scheme and host in lower case and its port, the
// scheme's default when u names none; ok is false for a scheme other than
// http and https.
func urlOrigin(u *url.URL) (scheme, host, port string, ok bool) {
	scheme = strings.ToLower(u.Scheme)
	switch scheme {
	case "http":
		port = "80"
	case "https":
		port = "443"
	default:
		return "", "", "", false
	}
	if p := u.Port(); p != "" {
		port = p
	}
	host = strings.ToLower(u.Hostname())
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String() // ::1 and 0:0:0:0:0:0:0:1 are one host
	}
	return scheme, host, port, true
}

// pathAfter returns the escaped path p after its first n non-empty
// segments, from the "/" that follows them: pathAfter("/v1/orders/", 1) is
// "/orders/", pathAfter("/v1", 1) is "".
func pathAfter(p string, n int) string {
	i := 0
	for ; n > 0; n-- {
		for i < len(p) && p[i] == '/' {
			i++
		}
		j := strings.IndexByte(p[i:], '/')
		if j < 0 {
			return ""
		}
		i += j
	}
	if i == 0 && p != "" && p[0] != '/' {
		return "/" + p
	}
	return p[i:]
}

// pathSegments splits an escaped path into its non-empty segments:
// "/v1/orders/" and "v1/orders" both give [v1 orders].
func pathSegments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
