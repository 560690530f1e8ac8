// Package auth applies a connection's authentication to each attempt of a
// call: API key, OAuth 2.0 client credentials, AWS Signature Version 4, basic,
// bearer or none. It also says what must be redacted (Sensitive, Redact), keeps
// credentials from following a redirect to another host (RedirectPolicy), and
// tests a connection (Test).
//
// The engine creates one Authenticator per connection and shares it across
// runs, so an OAuth token is fetched once per expiry, not once per step.
package auth

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// SecretResolver turns a SecretRef into its value (the engine provides it:
// literal, environment variable or sealed store).
type SecretResolver interface {
	Resolve(ctx context.Context, ref flow.SecretRef) (string, error)
}

// TokenStore keeps OAuth tokens across restarts (storage implements it,
// sealing the value). LoadToken returns (nil, nil) or an error when it has no
// token under key; either way the authenticator fetches a new one.
type TokenStore interface {
	LoadToken(ctx context.Context, key string) ([]byte, error)
	SaveToken(ctx context.Context, key string, token []byte) error
}

// Options are what New needs besides the connection.
type Options struct {
	// Secrets resolves the connection's secret references. Required when the
	// auth type has secret fields.
	Secrets SecretResolver
	// Tokens keeps OAuth tokens across restarts; may be nil.
	Tokens TokenStore
	// HTTPClient sends token requests (oauth2) and Test's probe; nil means a
	// client with the connection's TLS settings. Token requests never follow
	// redirects, whatever its CheckRedirect says.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Authenticator adds a connection's credentials to requests. Implementations
// are safe for concurrent use.
type Authenticator interface {
	// Apply adds credentials to one attempt of a request. payloadHash is the
	// hex SHA-256 of the body, computed once per step by the caller and
	// reused across retries (SigV4 uses it).
	Apply(ctx context.Context, req *http.Request, payloadHash string) error
	// Refresh is called after a 401: it forces a new token (oauth2) and
	// reports whether a single retry is worth it (false for static
	// credentials).
	Refresh(ctx context.Context) bool
	// Sensitive names what Apply adds that must be redacted and stripped on
	// cross-host redirects.
	Sensitive() Sensitive
}

// BaseURL returns where a connection's calls go: BaseURL for custom
// connections, https://connect.<region>.amazonaws.com for amazonConnect.
// What the connection needs is flow.CheckConnection's to say; the error is
// a *flow.ConnectionError naming the connection and field.
func BaseURL(conn flow.Connection) (string, error) {
	for _, p := range flow.CheckConnection(conn) {
		if p.Severity == flow.SeverityError && (p.Field == "kind" || p.Field == "baseURL" || p.Field == "region" && conn.Kind == flow.ConnAmazonConnect) {
			return "", &flow.ConnectionError{Connection: conn.Name, Field: p.Field, Message: p.Message}
		}
	}
	if conn.Kind == flow.ConnAmazonConnect {
		return "https://connect." + conn.Region + ".amazonaws.com", nil
	}
	return conn.BaseURL, nil
}

// New returns the authenticator for conn, resolving its secrets now so a
// missing secret is reported before any request. Errors name the connection
// and the field.
func New(conn flow.Connection, opts Options) (Authenticator, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// What each auth type needs is written once, in flow.CheckConnection,
	// so a connection that passes validate --connections is accepted here.
	if err := flow.FirstError(conn, flow.CheckAuth(conn)); err != nil {
		return nil, err
	}
	a := conn.Auth
	r := resolver{ctx: context.Background(), conn: conn.Name, opts: opts}
	switch a.Type {
	case flow.AuthNone, "":
		return noAuth{}, nil
	case flow.AuthAPIKey:
		// flow.CheckAuth above has checked the name and where it goes.
		v, err := r.required("auth.value", a.Value)
		if err != nil {
			return nil, err
		}
		if a.In == flow.APIKeyQuery {
			return &apiKeyQuery{name: a.Name, value: v, sens: newSensitive(nil, []string{a.Name}, []string{v})}, nil
		}
		return &apiKeyHeader{name: http.CanonicalHeaderKey(a.Name), value: v, sens: newSensitive([]string{a.Name}, nil, []string{v})}, nil
	case flow.AuthBasic:
		// flow.CheckAuth above has checked the username.
		p, err := r.required("auth.password", a.Password)
		if err != nil {
			return nil, err
		}
		cred := base64.StdEncoding.EncodeToString([]byte(a.Username + ":" + p))
		return &staticHeader{header: "Authorization", value: "Basic " + cred, sens: newSensitive(nil, nil, []string{p, cred})}, nil
	case flow.AuthBearer:
		tok, err := r.required("auth.token", a.Token)
		if err != nil {
			return nil, err
		}
		return &staticHeader{header: "Authorization", value: "Bearer " + tok, sens: newSensitive(nil, nil, []string{tok})}, nil
	case flow.AuthOAuth2:
		return newOAuth2(conn, opts, r)
	case flow.AuthSigV4:
		return newSigV4(conn, opts, r)
	}
	// flow.CheckAuth refuses every other type; this is not reached.
	return nil, fieldErr(conn.Name, "auth.type", fmt.Sprintf("%q is not an authentication type", a.Type))
}

// fieldErr is an error of one field of a connection, as a
// *flow.ConnectionError so callers can tell it names the connection already.
func fieldErr(conn, field, msg string) error {
	return &flow.ConnectionError{Connection: conn, Field: field, Message: field + " " + msg}
}

// resolver resolves one connection's secrets with errors that name the field.
type resolver struct {
	ctx  context.Context
	conn string
	opts Options
}

func (r resolver) optional(field string, ref *flow.SecretRef) (string, error) {
	if ref == nil || ref.IsZero() {
		return "", nil
	}
	if r.opts.Secrets == nil {
		return "", fieldErr(r.conn, field, fmt.Sprintf("refers to %s but no secret store is open", ref))
	}
	v, err := r.opts.Secrets.Resolve(r.ctx, *ref)
	if err != nil {
		// The resolver's error names the reference, not the value.
		return "", fieldErr(r.conn, field, fmt.Sprintf("(%s) cannot be read: %v", ref, err))
	}
	return v, nil
}

func (r resolver) required(field string, ref *flow.SecretRef) (string, error) {
	if ref == nil || ref.IsZero() {
		return "", fieldErr(r.conn, field, `is required: give {"secret": NAME} or {"env": VARIABLE}`)
	}
	v, err := r.optional(field, ref)
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", fieldErr(r.conn, field, fmt.Sprintf("(%s) is empty", ref))
	}
	return v, nil
}

// noAuth sends requests as they are.
type noAuth struct{}

func (noAuth) Apply(context.Context, *http.Request, string) error { return nil }
func (noAuth) Refresh(context.Context) bool                       { return false }
func (noAuth) Sensitive() Sensitive                               { return Sensitive{} }

// staticHeader sets one fixed header (basic and bearer).
type staticHeader struct {
	header, value string
	sens          Sensitive
}

func (s *staticHeader) Apply(_ context.Context, req *http.Request, _ string) error {
	req.Header[s.header] = []string{s.value}
	return nil
}
func (s *staticHeader) Refresh(context.Context) bool { return false }
func (s *staticHeader) Sensitive() Sensitive         { return s.sens }

// apiKeyHeader sets the key in a named header.
type apiKeyHeader struct {
	name, value string
	sens        Sensitive
}

func (k *apiKeyHeader) Apply(_ context.Context, req *http.Request, _ string) error {
	req.Header[k.name] = []string{k.value}
	return nil
}
func (k *apiKeyHeader) Refresh(context.Context) bool { return false }
func (k *apiKeyHeader) Sensitive() Sensitive         { return k.sens }

// apiKeyQuery sets the key as a query parameter, replacing any the URI set,
// and keeps the rest of the query exactly as written.
type apiKeyQuery struct {
	name, value string
	sens        Sensitive
}

func (k *apiKeyQuery) Apply(_ context.Context, req *http.Request, _ string) error {
	q := removeQueryParams(req.URL.RawQuery, map[string]bool{k.name: true})
	if q != "" {
		q += "&"
	}
	req.URL.RawQuery = q + url.QueryEscape(k.name) + "=" + url.QueryEscape(k.value)
	return nil
}
func (k *apiKeyQuery) Refresh(context.Context) bool { return false }
func (k *apiKeyQuery) Sensitive() Sensitive         { return k.sens }

// removeQueryParams drops the named parameters from a raw query, keeping the
// others in order and in their original encoding.
func removeQueryParams(raw string, names map[string]bool) string {
	if raw == "" || len(names) == 0 {
		return raw
	}
	parts := strings.Split(raw, "&")
	kept := parts[:0]
	for _, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if !names[k] {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "&")
}
