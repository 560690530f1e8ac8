package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/flowbench/flowbench/flow"
)

const (
	// maxEarly caps how long before expiry a token is renewed.
	maxEarly = 30 * time.Second
	// freshFor is how young a token may be and still be trusted after a
	// 401: steps that sent the previous token while it was being replaced
	// retry with the new one instead of each fetching another.
	freshFor = time.Second
	// tokenTimeout bounds one token request, whoever waits for it.
	tokenTimeout = 30 * time.Second
)

// storedToken is what TokenStore keeps (storage seals it).
type storedToken struct {
	Access   string    `json:"access_token"`
	Type     string    `json:"token_type,omitempty"`
	Refresh  string    `json:"refresh_token,omitempty"`
	Expiry   time.Time `json:"expiry,omitzero"`
	Obtained time.Time `json:"obtained"`
	// Config fingerprints the token endpoint, client and scopes, so a token
	// saved for another configuration is not reused.
	Config string `json:"config"`
}

// fetch is one token request that every waiting caller shares.
type fetch struct {
	done chan struct{}
	tok  *storedToken
	err  error
}

// oauth2Auth is OAuth 2.0 client credentials with a shared, cached token.
type oauth2Auth struct {
	conn       string
	cc         clientcredentials.Config
	refreshURL string
	style      oauth2.AuthStyle
	client     *http.Client
	store      TokenStore
	key        string
	config     string
	now        func() time.Time
	sens       Sensitive

	mu       sync.Mutex
	loaded   bool
	tok      *storedToken
	inflight *fetch
}

func newOAuth2(conn flow.Connection, opts Options, r resolver) (Authenticator, error) {
	// flow.CheckAuth (called by New) has checked the clientId, the token
	// and refresh URLs and the auth style.
	a := conn.Auth
	secret, err := r.required("auth.clientSecret", a.ClientSecret)
	if err != nil {
		return nil, err
	}
	var style oauth2.AuthStyle
	if a.AuthStyle == "body" {
		style = oauth2.AuthStyleInParams
	} else {
		style = oauth2.AuthStyleInHeader
	}
	base := opts.HTTPClient
	if base == nil {
		base, err = clientFor(conn)
		if err != nil {
			return nil, err
		}
	}
	client := *base
	client.CheckRedirect = noRedirect

	scopes := append([]string(nil), a.Scopes...)
	sort.Strings(scopes)
	fp := sha256.Sum256([]byte(strings.Join([]string{a.TokenURL, a.RefreshURL, a.ClientID, strings.Join(scopes, " ")}, "\n")))

	// The header style sends url-encoded id and secret in HTTP basic.
	basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(a.ClientID) + ":" + url.QueryEscape(secret)))
	sens := newSensitive(nil, nil, []string{secret, basic})
	sens.live = &liveValues{}
	return &oauth2Auth{
		conn: conn.Name,
		cc: clientcredentials.Config{
			ClientID: a.ClientID, ClientSecret: secret, TokenURL: a.TokenURL,
			Scopes: a.Scopes, AuthStyle: style,
		},
		refreshURL: a.RefreshURL,
		style:      style,
		client:     &client,
		store:      opts.Tokens,
		key:        "oauth2/" + conn.Name,
		config:     hex.EncodeToString(fp[:8]),
		now:        opts.Now,
		sens:       sens,
	}, nil
}

func (o *oauth2Auth) Sensitive() Sensitive { return o.sens }

// Apply sets "Authorization: Bearer <token>", fetching a token first when
// there is none or it is about to expire.
func (o *oauth2Auth) Apply(ctx context.Context, req *http.Request, _ string) error {
	tok, err := o.token(ctx, false)
	if err != nil {
		return err
	}
	typ := tok.Type
	if typ == "" || strings.EqualFold(typ, "bearer") {
		typ = "Bearer"
	}
	req.Header["Authorization"] = []string{typ + " " + tok.Access}
	return nil
}

// Refresh forces a new token after a 401. A token obtained within the last
// second is kept: the 401 came from a request that carried its predecessor.
func (o *oauth2Auth) Refresh(ctx context.Context) bool {
	_, err := o.token(ctx, true)
	return err == nil
}

// token returns a usable token. Concurrent callers share one token request.
func (o *oauth2Auth) token(ctx context.Context, force bool) (*storedToken, error) {
	o.mu.Lock()
	if !o.loaded {
		o.loaded = true
		o.tok = o.load(ctx)
	}
	now := o.now()
	if t := o.tok; t != nil && t.Access != "" {
		if force && now.Sub(t.Obtained) < min(freshFor, lifetime(t)/2) {
			o.mu.Unlock()
			return t, nil
		}
		if !force && valid(t, now) {
			o.mu.Unlock()
			return t, nil
		}
	}
	f := o.inflight
	if f == nil {
		f = &fetch{done: make(chan struct{})}
		o.inflight = f
		prev := o.tok
		go o.run(f, prev)
	}
	o.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, fmt.Errorf("connection %q: waiting for an OAuth token: %w", o.conn, context.Cause(ctx))
	}
}

// run performs one token request on its own context, so a step that gives up
// waiting does not cancel the token every other step is waiting for.
func (o *oauth2Auth) run(f *fetch, prev *storedToken) {
	ctx, cancel := context.WithTimeout(context.Background(), tokenTimeout)
	defer cancel()
	tok, err := o.fetchToken(ctx, prev)
	o.mu.Lock()
	if err == nil {
		o.tok = tok
		o.sens.live.add(tok.Access, tok.Refresh)
	}
	o.inflight = nil
	f.tok, f.err = tok, err
	o.mu.Unlock()
	close(f.done)
	if err == nil && o.store != nil {
		if b, merr := json.Marshal(tok); merr == nil {
			if serr := o.store.SaveToken(ctx, o.key, b); serr != nil {
				slog.Warn("could not keep the OAuth token; the next start fetches a new one", "connection", o.conn, "error", o.sens.redactText(serr.Error()))
			}
		}
	}
}

// fetchToken uses the refresh token when there is one (at refreshURL when
// set, else tokenURL), falling back to client credentials when the server
// rejects it.
func (o *oauth2Auth) fetchToken(ctx context.Context, prev *storedToken) (*storedToken, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, o.client)
	if prev != nil && prev.Refresh != "" {
		endpoint := o.refreshURL
		if endpoint == "" {
			endpoint = o.cc.TokenURL
		}
		cfg := oauth2.Config{
			ClientID: o.cc.ClientID, ClientSecret: o.cc.ClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: endpoint, AuthStyle: o.style},
		}
		start := o.now()
		t, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: prev.Refresh, Expiry: time.Unix(1, 0)}).Token()
		if err == nil {
			st := o.stored(t, start)
			if st.Refresh == "" {
				st.Refresh = prev.Refresh // not rotated: the old one stays good
			}
			return st, nil
		}
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			return nil, o.tokenErr("refresh", endpoint, err)
		}
		// The refresh token was refused (expired, revoked, rotated away):
		// start over with the client's own credentials.
	}
	start := o.now()
	t, err := o.cc.Token(ctx)
	if err != nil {
		return nil, o.tokenErr("token", o.cc.TokenURL, err)
	}
	return o.stored(t, start), nil
}

func (o *oauth2Auth) stored(t *oauth2.Token, start time.Time) *storedToken {
	st := &storedToken{Access: t.AccessToken, Type: t.TokenType, Refresh: t.RefreshToken, Obtained: start, Config: o.config}
	// Expiry counts from when we asked, on our clock, so an injected clock
	// and a slow response both err on the early side.
	if secs := expiresIn(t); secs > 0 {
		st.Expiry = start.Add(time.Duration(secs) * time.Second)
	} else if !t.Expiry.IsZero() {
		st.Expiry = start.Add(time.Until(t.Expiry))
	}
	return st
}

func expiresIn(t *oauth2.Token) int64 {
	if t.ExpiresIn > 0 {
		return t.ExpiresIn
	}
	switch v := t.Extra("expires_in").(type) {
	case float64:
		return int64(v)
	case int64:
		return v
	case string:
		var n int64
		if _, err := fmt.Sscan(v, &n); err == nil {
			return n
		}
	}
	return 0
}

// lifetime is how long the token was issued for; 0 when it does not expire.
func lifetime(t *storedToken) time.Duration {
	if t.Expiry.IsZero() {
		return 0
	}
	return t.Expiry.Sub(t.Obtained)
}

// valid reports whether t can still be sent: renewal starts 10% of its
// lifetime (at most 30 s) before it expires, so no request carries a token
// that expires on the way.
func valid(t *storedToken, now time.Time) bool {
	if t.Expiry.IsZero() {
		return true
	}
	early := min(lifetime(t)/10, maxEarly)
	return now.Before(t.Expiry.Add(-early))
}

// load reads a token saved by an earlier start, if it belongs to this
// configuration.
func (o *oauth2Auth) load(ctx context.Context) *storedToken {
	if o.store == nil {
		return nil
	}
	b, err := o.store.LoadToken(ctx, o.key)
	if err != nil || len(b) == 0 {
		return nil
	}
	var t storedToken
	if json.Unmarshal(b, &t) != nil || t.Config != o.config {
		return nil
	}
	o.sens.live.add(t.Access, t.Refresh)
	return &t
}

// tokenErr says what went wrong with a token request in a sentence a person
// can act on, quoting the server's error and error_description.
func (o *oauth2Auth) tokenErr(kind, endpoint string, err error) error {
	var re *oauth2.RetrieveError
	var msg string
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		switch {
		case re.ErrorCode != "":
			msg = fmt.Sprintf("the server answered %d %s", status, re.ErrorCode)
			if re.ErrorDescription != "" {
				msg += fmt.Sprintf(": %q", re.ErrorDescription)
			}
			msg += hintFor(re.ErrorCode)
		default:
			msg = fmt.Sprintf("the server answered %d without an OAuth error", status)
			if body := strings.TrimSpace(string(re.Body)); body != "" {
				if len(body) > 200 {
					body = body[:200] + "…"
				}
				msg += fmt.Sprintf(": %q", body)
			}
			msg += "; check auth.tokenURL"
		}
	} else {
		msg = describeTransport(err)
	}
	what := "token request"
	if kind == "refresh" {
		what = "token refresh"
	}
	return fmt.Errorf("connection %q: %s to %s failed: %s", o.conn, what, endpoint, o.sens.redactText(msg))
}

func hintFor(code string) string {
	switch code {
	case "invalid_client":
		return "; check auth.clientId and auth.clientSecret, and whether the client was revoked"
	case "invalid_scope":
		return "; check auth.scopes against what the client may request"
	case "unauthorized_client":
		return "; the client is not allowed the client_credentials grant"
	case "unsupported_grant_type":
		return "; the server does not offer this grant at auth.tokenURL"
	case "invalid_grant":
		return "; the refresh token was refused"
	case "invalid_request":
		return "; check auth.authStyle (\"header\" or \"body\") and auth.tokenURL"
	}
	return ""
}
