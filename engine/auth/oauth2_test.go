package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	oauth2srv "github.com/go-oauth2/oauth2/v4"
	oerrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"

	"github.com/flowbench/flowbench/flow"
)

// tokenReq is one request the token endpoint saw.
type tokenReq struct {
	path, grant, refresh string
	basic, formSecret    bool
	at                   time.Time
	status               int
	issuedRefresh        string
}

// oauthPeer is a go-oauth2 authorization server and a resource server that
// validates its bearer tokens, both on 127.0.0.1.
type oauthPeer struct {
	t        *testing.T
	srv      *server.Server
	manager  *manage.Manager
	clients  *store.ClientStore
	http     *httptest.Server
	clientID string
	secret   string

	mu        sync.Mutex
	reqs      []tokenReq
	resources atomic.Int64
	// onlyBody makes the token endpoint refuse HTTP basic client auth.
	onlyBody bool
}

func randHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func newOAuthPeer(t *testing.T, lifetime time.Duration) *oauthPeer {
	t.Helper()
	p := &oauthPeer{t: t, clientID: "client-" + randHex(t, 4), secret: "s3cret" + randHex(t, 12)}
	p.manager = manage.NewDefaultManager()
	p.manager.SetClientTokenCfg(&manage.Config{AccessTokenExp: lifetime, RefreshTokenExp: time.Hour, IsGenerateRefresh: true})
	// Rotation: every refresh issues a new refresh token and removes the old
	// one and the old access token.
	p.manager.SetRefreshTokenCfg(&manage.RefreshingConfig{AccessTokenExp: lifetime, RefreshTokenExp: time.Hour,
		IsGenerateRefresh: true, IsRemoveAccess: true, IsRemoveRefreshing: true})
	p.manager.MustTokenStorage(store.NewMemoryTokenStore())
	p.clients = store.NewClientStore()
	p.clients.Set(p.clientID, &models.Client{ID: p.clientID, Secret: p.secret})
	p.manager.MapClientStorage(p.clients)
	p.srv = server.NewDefaultServer(p.manager)
	p.srv.SetAllowedGrantType(oauth2srv.ClientCredentials, oauth2srv.Refreshing)
	// Client authentication for every grant (the library's refresh grant
	// does not check the secret itself), by header or by form.
	p.srv.SetClientInfoHandler(func(r *http.Request) (string, string, error) {
		id, secret, ok := r.BasicAuth()
		if ok {
			if p.onlyBody {
				return "", "", oerrors.ErrInvalidClient
			}
			id, _ = url.QueryUnescape(id)
			secret, _ = url.QueryUnescape(secret)
		} else {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		cli, err := p.clients.GetByID(r.Context(), id)
		if err != nil || cli.GetSecret() != secret {
			return "", "", oerrors.ErrInvalidClient
		}
		return id, secret, nil
	})
	p.srv.SetClientScopeHandler(func(tgr *oauth2srv.TokenGenerateRequest) (bool, error) {
		return !strings.Contains(tgr.Scope, "forbidden"), nil
	})
	mux := http.NewServeMux()
	token := func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		_, _, basic := r.BasicAuth()
		rec := httptest.NewRecorder()
		_ = p.srv.HandleTokenRequest(rec, r)
		var body struct {
			Refresh string `json:"refresh_token"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		p.mu.Lock()
		p.reqs = append(p.reqs, tokenReq{path: r.URL.Path, grant: r.PostForm.Get("grant_type"), refresh: r.PostForm.Get("refresh_token"),
			basic: basic, formSecret: r.PostForm.Has("client_secret"), at: time.Now(), status: rec.Code, issuedRefresh: body.Refresh})
		p.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}
	mux.HandleFunc("/token", token)
	mux.HandleFunc("/refresh", token)
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/token", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/resource", func(w http.ResponseWriter, r *http.Request) {
		if _, err := p.srv.ValidationBearerToken(r); err != nil {
			http.Error(w, `{"message":"token rejected"}`, http.StatusUnauthorized)
			return
		}
		p.resources.Add(1)
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	p.http = httptest.NewServer(mux)
	t.Cleanup(p.http.Close)
	return p
}

func (p *oauthPeer) requests() []tokenReq {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]tokenReq(nil), p.reqs...)
}

func (p *oauthPeer) revoke() {
	p.clients.Set(p.clientID, &models.Client{ID: p.clientID, Secret: "revoked-" + randHex(p.t, 8)})
}

// staticSecrets resolves references from a map, like the engine's resolver.
type staticSecrets map[string]string

func (s staticSecrets) Resolve(_ context.Context, ref flow.SecretRef) (string, error) {
	if ref.Literal != "" {
		return ref.Literal, nil
	}
	if v, ok := s[ref.Secret]; ok {
		return v, nil
	}
	return "", &url.Error{Op: "resolve", URL: ref.String(), Err: context.Canceled}
}

// memTokens is a TokenStore in memory (storage seals; this keeps bytes).
type memTokens struct {
	mu    sync.Mutex
	m     map[string][]byte
	saves int
}

func (m *memTokens) LoadToken(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m[key], nil
}

func (m *memTokens) SaveToken(_ context.Context, key string, tok []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string][]byte{}
	}
	m.m[key] = bytes.Clone(tok)
	m.saves++
	return nil
}

func (p *oauthPeer) conn(mod func(*flow.Auth)) flow.Connection {
	c := flow.Connection{Name: "tokens", Kind: flow.ConnCustom, BaseURL: p.http.URL, Auth: flow.Auth{
		Type: flow.AuthOAuth2, ClientID: p.clientID, ClientSecret: &flow.SecretRef{Secret: "tokens-client-secret"},
		Scopes: []string{"read", "write"}, TokenURL: p.http.URL + "/token",
	}}
	if mod != nil {
		mod(&c.Auth)
	}
	return c
}

func (p *oauthPeer) opts(tokens TokenStore) Options {
	return Options{Secrets: staticSecrets{"tokens-client-secret": p.secret}, Tokens: tokens, HTTPClient: p.http.Client()}
}

func (p *oauthPeer) newAuth(t *testing.T, conn flow.Connection, tokens TokenStore) Authenticator {
	t.Helper()
	a, err := New(conn, p.opts(tokens))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// call sends one step the way the engine does: Apply, send, and after a 401
// one Refresh and one retry.
func call(ctx context.Context, a Authenticator, client *http.Client, target string) (int, error) {
	refreshed := false
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err := a.Apply(ctx, req, EmptyPayloadHash); err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized && !refreshed && a.Refresh(ctx) {
			refreshed = true
			continue
		}
		return resp.StatusCode, nil
	}
}

func TestOAuth2SteadyLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 10 s")
	}
	const lifetime = 2 * time.Second
	p := newOAuthPeer(t, lifetime)
	a := p.newAuth(t, p.conn(nil), nil)
	ctx := context.Background()
	const workers, each = 4, 50 // 200 steps over 10 s
	interval := 10 * time.Second / each
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(w) * interval / workers)
			for range each {
				status, err := call(ctx, a, p.http.Client(), p.http.URL+"/resource")
				if err != nil || status != http.StatusOK {
					failed.Add(1)
					t.Errorf("step: status %d, error %v", status, err)
				}
				time.Sleep(interval)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if failed.Load() != 0 || p.resources.Load() != workers*each {
		t.Fatalf("%d steps failed, %d reached the resource; want all %d", failed.Load(), p.resources.Load(), workers*each)
	}
	reqs := p.requests()
	// One token request to start, then one per expiry: renewal comes 10%
	// early, so at most elapsed/(0.9*lifetime) renewals.
	minReqs := int(elapsed / lifetime)
	maxReqs := int(elapsed/(lifetime*9/10)) + 1
	if len(reqs) < minReqs || len(reqs) > maxReqs {
		t.Fatalf("%d token requests in %s; want %d..%d (one per expiry)", len(reqs), elapsed.Round(time.Millisecond), minReqs, maxReqs)
	}
	for i, r := range reqs {
		if r.status != http.StatusOK {
			t.Errorf("token request %d answered %d", i, r.status)
		}
		want := "refresh_token"
		if i == 0 {
			want = "client_credentials"
		}
		if r.grant != want {
			t.Errorf("token request %d used grant %q; want %q", i, r.grant, want)
		}
		if i > 0 {
			if gap := r.at.Sub(reqs[i-1].at); gap < lifetime*3/4 {
				t.Errorf("token requests %d and %d only %s apart; want one per expiry", i-1, i, gap)
			}
			// Rotation: each refresh presents the refresh token the previous
			// answer issued.
			if r.refresh != reqs[i-1].issuedRefresh {
				t.Errorf("refresh %d presented an old refresh token", i)
			}
		}
	}
	t.Logf("%d steps in %s with %d token requests", workers*each, elapsed.Round(time.Millisecond), len(reqs))
}

func TestOAuth2ConcurrentAtExpiry(t *testing.T) {
	const lifetime = 2 * time.Second
	p := newOAuthPeer(t, lifetime)
	a := p.newAuth(t, p.conn(nil), nil)
	ctx := context.Background()
	if status, err := call(ctx, a, p.http.Client(), p.http.URL+"/resource"); err != nil || status != 200 {
		t.Fatalf("first step: %d %v", status, err)
	}
	time.Sleep(lifetime + 100*time.Millisecond)
	before := len(p.requests())

	const n = 50
	var wg sync.WaitGroup
	gate := make(chan struct{})
	auths := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			req, _ := http.NewRequest(http.MethodGet, p.http.URL+"/resource", nil)
			if err := a.Apply(ctx, req, EmptyPayloadHash); err != nil {
				t.Error(err)
				return
			}
			auths[i] = req.Header.Get("Authorization")
			resp, err := p.http.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("step %d: %d", i, resp.StatusCode)
			}
		}()
	}
	close(gate)
	wg.Wait()
	reqs := p.requests()
	if got := len(reqs) - before; got != 1 {
		t.Fatalf("%d concurrent steps at expiry made %d token requests; want 1", n, got)
	}
	if reqs[len(reqs)-1].grant != "refresh_token" {
		t.Errorf("the renewal used grant %q; want refresh_token", reqs[len(reqs)-1].grant)
	}
	for i := range auths {
		if auths[i] != auths[0] {
			t.Fatalf("step %d used another token than step 0", i)
		}
	}
}

func TestOAuth2RefreshURL(t *testing.T) {
	const lifetime = 2 * time.Second
	p := newOAuthPeer(t, lifetime)
	a := p.newAuth(t, p.conn(func(au *flow.Auth) { au.RefreshURL = p.http.URL + "/refresh" }), nil)
	ctx := context.Background()
	for round := range 3 {
		if status, err := call(ctx, a, p.http.Client(), p.http.URL+"/resource"); err != nil || status != 200 {
			t.Fatalf("round %d: %d %v", round, status, err)
		}
		if round < 2 {
			time.Sleep(lifetime + 50*time.Millisecond)
		}
	}
	reqs := p.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d token requests; want 3 (one token, two refreshes)", len(reqs))
	}
	if reqs[0].path != "/token" || reqs[0].grant != "client_credentials" {
		t.Errorf("first request: %s %s; want client_credentials at /token", reqs[0].path, reqs[0].grant)
	}
	for i, r := range reqs[1:] {
		if r.path != "/refresh" || r.grant != "refresh_token" {
			t.Errorf("renewal %d: %s %s; want refresh_token at /refresh", i+1, r.path, r.grant)
		}
		if r.refresh != reqs[i].issuedRefresh || r.refresh == "" {
			t.Errorf("renewal %d did not present the rotated refresh token", i+1)
		}
	}
}

func TestOAuth2Failures(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func(p *oauthPeer) Authenticator
		want  []string
	}{
		{"revoked client", func(p *oauthPeer) Authenticator {
			p.revoke()
			return p.newAuth(t, p.conn(nil), nil)
		}, []string{`"tokens"`, "invalid_client", `"Client authentication failed"`, "auth.clientSecret"}},
		{"revoked while its refresh token is cached", func(p *oauthPeer) Authenticator {
			a := p.newAuth(t, p.conn(nil), nil)
			if _, err := call(ctx, a, p.http.Client(), p.http.URL+"/resource"); err != nil {
				t.Fatal(err)
			}
			p.revoke()
			time.Sleep(1100 * time.Millisecond)
			return a
		}, []string{"invalid_client", `"Client authentication failed"`}},
		{"bad scope", func(p *oauthPeer) Authenticator {
			return p.newAuth(t, p.conn(func(a *flow.Auth) { a.Scopes = []string{"forbidden"} }), nil)
		}, []string{"invalid_scope", "auth.scopes"}},
		{"wrong auth style is not retried the other way", func(p *oauthPeer) Authenticator {
			p.onlyBody = true
			return p.newAuth(t, p.conn(nil), nil)
		}, []string{"invalid_client"}},
		{"token endpoint refused", func(p *oauthPeer) Authenticator {
			return p.newAuth(t, p.conn(func(a *flow.Auth) { a.TokenURL = "http://127.0.0.1:1/token" }), nil)
		}, []string{"refused"}},
		{"token endpoint redirects", func(p *oauthPeer) Authenticator {
			return p.newAuth(t, p.conn(func(a *flow.Auth) { a.TokenURL = p.http.URL + "/moved" }), nil)
		}, []string{"redirect", "set tokenURL to the final address"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newOAuthPeer(t, time.Second)
			a := tc.setup(p)
			before := len(p.requests())
			req, _ := http.NewRequest(http.MethodGet, p.http.URL+"/resource", nil)
			err := a.Apply(ctx, req, EmptyPayloadHash)
			if err == nil {
				t.Fatal("Apply succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			assertNoSecret(t, "error", err.Error(), p.secret)
			t.Logf("error: %v", err)
			if req.Header.Get("Authorization") != "" {
				t.Error("a failed Apply still set Authorization")
			}
			if tc.name == "wrong auth style is not retried the other way" {
				reqs := p.requests()[before:]
				if len(reqs) != 1 || !reqs[0].basic || reqs[0].formSecret {
					t.Fatalf("token requests %+v; want one, with the secret in the header only", reqs)
				}
			}
		})
	}
}

func TestOAuth2AuthStyle(t *testing.T) {
	for _, tc := range []struct {
		style      string
		basic, frm bool
	}{{"", true, false}, {"header", true, false}, {"body", false, true}} {
		t.Run("style "+tc.style, func(t *testing.T) {
			p := newOAuthPeer(t, time.Minute)
			a := p.newAuth(t, p.conn(func(a *flow.Auth) { a.AuthStyle = tc.style }), nil)
			if status, err := call(context.Background(), a, p.http.Client(), p.http.URL+"/resource"); err != nil || status != 200 {
				t.Fatalf("%d %v", status, err)
			}
			reqs := p.requests()
			if len(reqs) != 1 || reqs[0].basic != tc.basic || reqs[0].formSecret != tc.frm {
				t.Fatalf("token requests %+v; want one with basic=%v form=%v", reqs, tc.basic, tc.frm)
			}
		})
	}
	if _, err := New(flow.Connection{Name: "x", Auth: flow.Auth{Type: flow.AuthOAuth2, ClientID: "c", TokenURL: "https://a/t",
		ClientSecret: &flow.SecretRef{Literal: "s"}, AuthStyle: "auto"}}, Options{Secrets: staticSecrets{}}); err == nil || !strings.Contains(err.Error(), "auth.authStyle") {
		t.Fatalf("authStyle auto: %v; want an error naming auth.authStyle", err)
	}
}

func TestOAuth2RestartReusesToken(t *testing.T) {
	p := newOAuthPeer(t, time.Minute)
	tokens := &memTokens{}
	ctx := context.Background()
	a := p.newAuth(t, p.conn(nil), tokens)
	if status, err := call(ctx, a, p.http.Client(), p.http.URL+"/resource"); err != nil || status != 200 {
		t.Fatalf("%d %v", status, err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		tokens.mu.Lock()
		saved := tokens.saves
		tokens.mu.Unlock()
		if saved > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(p.requests()) != 1 {
		t.Fatalf("%d token requests before the restart; want 1", len(p.requests()))
	}
	t.Run("same configuration", func(t *testing.T) {
		b := p.newAuth(t, p.conn(nil), tokens)
		if status, err := call(ctx, b, p.http.Client(), p.http.URL+"/resource"); err != nil || status != 200 {
			t.Fatalf("%d %v", status, err)
		}
		if n := len(p.requests()); n != 1 {
			t.Fatalf("the restarted authenticator made %d token requests; want none", n-1)
		}
	})
	t.Run("changed scopes", func(t *testing.T) {
		c := p.newAuth(t, p.conn(func(a *flow.Auth) { a.Scopes = []string{"read"} }), tokens)
		if status, err := call(ctx, c, p.http.Client(), p.http.URL+"/resource"); err != nil || status != 200 {
			t.Fatalf("%d %v", status, err)
		}
		if n := len(p.requests()); n != 2 {
			t.Fatalf("%d token requests; a token saved for other scopes must not be reused", n)
		}
	})
}

func TestOAuth2UnauthorizedForcesOneRefresh(t *testing.T) {
	p := newOAuthPeer(t, time.Minute)
	a := p.newAuth(t, p.conn(nil), nil)
	ctx := context.Background()
	req, _ := http.NewRequest(http.MethodGet, p.http.URL+"/resource", nil)
	if err := a.Apply(ctx, req, EmptyPayloadHash); err != nil {
		t.Fatal(err)
	}
	time.Sleep(freshFor + 100*time.Millisecond)
	// The server forgets the token before it expires.
	if err := p.manager.RemoveAccessToken(ctx, strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")); err != nil {
		t.Fatal(err)
	}
	status, err := call(ctx, a, p.http.Client(), p.http.URL+"/resource")
	if err != nil || status != 200 {
		t.Fatalf("%d %v; want success after one refresh", status, err)
	}
	if n := len(p.requests()); n != 2 {
		t.Fatalf("%d token requests; want 2", n)
	}
	// Static credentials have nothing to refresh: no pointless retry.
	b, _ := New(flow.Connection{Name: "k", Auth: flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Literal: "tok-123456"}}}, Options{Secrets: staticSecrets{}})
	if b.Refresh(ctx) {
		t.Error("bearer Refresh = true; want false")
	}
}

func assertNoSecret(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, f := range forms(s) {
			if strings.Contains(text, f) {
				t.Fatalf("%s contains a secret (%q)", where, f)
			}
		}
	}
}
