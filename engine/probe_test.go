package engine

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	oauth2srv "github.com/go-oauth2/oauth2/v4"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"
	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/flow"
)

// probeSecrets is a secret store in memory.
type probeSecrets map[string]string

func (s probeSecrets) SecretValue(_ context.Context, name string) (string, error) {
	if v, ok := s[name]; ok {
		return v, nil
	}
	return "", os.ErrNotExist
}

// tokenServer is a go-oauth2 client-credentials token endpoint on
// 127.0.0.1 whose tokens live an hour.
func tokenServer(t *testing.T, clientID, secret string) *httptest.Server {
	t.Helper()
	m := manage.NewDefaultManager()
	m.SetClientTokenCfg(&manage.Config{AccessTokenExp: time.Hour})
	m.MustTokenStorage(store.NewMemoryTokenStore())
	clients := store.NewClientStore()
	_ = clients.Set(clientID, &models.Client{ID: clientID, Secret: secret})
	m.MapClientStorage(clients)
	srv := server.NewDefaultServer(m)
	srv.SetAllowedGrantType(oauth2srv.ClientCredentials)
	srv.SetClientInfoHandler(server.ClientBasicHandler)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = srv.HandleTokenRequest(w, r) }))
	t.Cleanup(ts.Close)
	return ts
}

// tlsHTTPBin is go-httpbin over TLS on 127.0.0.1, with its certificate in
// a PEM file for caFile.
func tlsHTTPBin(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	ts := httptest.NewTLSServer(httpbin.New())
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return ts, ca
}

// TestProbeConnectionOAuthAndTLS: an OAuth 2.0 connection's probe fetches a
// token (its lifetime reported), sends the authenticated GET over TLS
// verified with caFile, and names the certificate; the client secret and
// the token appear nowhere in the result.
func TestProbeConnectionOAuthAndTLS(t *testing.T) {
	const clientSecret = "probe-client-s3cret-4711"
	tok := tokenServer(t, "probe-client", clientSecret)
	hb, ca := tlsHTTPBin(t)
	conn := flow.Connection{Name: "crm", Kind: flow.ConnCustom, BaseURL: hb.URL, CAFile: ca, Auth: flow.Auth{
		Type: flow.AuthOAuth2, ClientID: "probe-client", ClientSecret: &flow.SecretRef{Secret: "crm-secret"}, TokenURL: tok.URL + "/token"}}
	res := ProbeConnection(context.Background(), conn, ProbeOptions{Secrets: probeSecrets{"crm-secret": clientSecret}})
	if !res.OK || res.Error != "" {
		t.Fatalf("the probe failed: %s", res)
	}
	if res.Token == nil || res.Token.ExpiresIn != time.Hour {
		t.Fatalf("token = %+v, want one that expires in 3600 s", res.Token)
	}
	if res.Status != 200 || res.Method != "GET" || res.URL != hb.URL {
		t.Fatalf("probe = %s %s → %d, want GET %s → 200", res.Method, res.URL, res.Status, hb.URL)
	}
	cert := hb.Certificate()
	if res.TLS == nil || !res.TLS.Verified || !res.TLS.ValidForHost || res.TLS.Host != "127.0.0.1" || !res.TLS.NotAfter.Equal(cert.NotAfter) {
		t.Fatalf("TLS = %+v, want verified for 127.0.0.1 until %s", res.TLS, cert.NotAfter)
	}
	line := res.String()
	for _, want := range []string{"OAuth token fetched (expires in 3600 s)", "GET " + hb.URL + " → 200 in ",
		"TLS: valid for 127.0.0.1, expires " + cert.NotAfter.UTC().Format(time.DateOnly)} {
		if !strings.Contains(line, want) {
			t.Errorf("the line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, clientSecret) {
		t.Fatal("the client secret is in the result")
	}
}

// TestProbeConnectionFailures: each failure is one sentence naming the
// connection and what to do, without the secret.
func TestProbeConnectionFailures(t *testing.T) {
	const clientSecret = "probe-client-s3cret-0815"
	tok := tokenServer(t, "probe-client", clientSecret)
	hb, ca := tlsHTTPBin(t)
	plain := httptest.NewServer(httpbin.New())
	t.Cleanup(plain.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	secrets := probeSecrets{"wrong": "not-the-secret-9", "pw": "hunter2-pw-77", "ok-pw": "right-pw-88"}
	basic := func(url, pw string) flow.Connection {
		return flow.Connection{Name: "bin", Kind: flow.ConnCustom, BaseURL: url, Auth: flow.Auth{Type: flow.AuthBasic, Username: "ann", Password: &flow.SecretRef{Secret: pw}}}
	}
	for _, tc := range []struct {
		name   string
		conn   flow.Connection
		ok     bool
		status int
		want   []string
	}{
		{"wrong client secret", flow.Connection{Name: "crm", Kind: flow.ConnCustom, BaseURL: hb.URL, CAFile: ca, Auth: flow.Auth{
			Type: flow.AuthOAuth2, ClientID: "probe-client", ClientSecret: &flow.SecretRef{Secret: "wrong"}, TokenURL: tok.URL + "/token"}},
			false, 0, []string{`connection "crm"`, "invalid_client"}},
		{"basic refused", basic(plain.URL+"/basic-auth/ann/expected", "pw"), false, 401,
			[]string{`connection "bin": the server refused the credentials (401 Unauthorized): "{ \"authenticated\": false,`, "check the connection's authentication"}},
		{"bearer accepted over plain http", flow.Connection{Name: "bin", Kind: flow.ConnCustom, BaseURL: plain.URL + "/bearer",
			Auth: flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Secret: "ok-pw"}}}, true, 200,
			[]string{"GET " + plain.URL + "/bearer → 200 in ", "TLS: none (plain http)"}},
		{"unknown certificate authority", flow.Connection{Name: "crm", Kind: flow.ConnCustom, BaseURL: hb.URL, Auth: flow.Auth{Type: flow.AuthNone}},
			false, 0, []string{`connection "crm": GET ` + hb.URL + " got no answer: TLS failed", "set caFile"}},
		{"nothing listening", flow.Connection{Name: "gone", Kind: flow.ConnCustom, BaseURL: closed.URL, Auth: flow.Auth{Type: flow.AuthNone}},
			false, 0, []string{`connection "gone": GET ` + closed.URL + " got no answer: could not connect"}},
		{"no secret stored", basic(plain.URL, "missing"), false, 0, []string{`connection "bin"`, "auth.password"}},
		{"5xx", flow.Connection{Name: "bin", Kind: flow.ConnCustom, BaseURL: plain.URL + "/status/503", Auth: flow.Auth{Type: flow.AuthNone}},
			false, 503, []string{"the server answered 503 Service Unavailable", "try again later"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := ProbeConnection(context.Background(), tc.conn, ProbeOptions{Secrets: secrets})
			line := res.String()
			if res.OK != tc.ok || res.Status != tc.status {
				t.Fatalf("ok %v status %d (%s), want ok %v status %d", res.OK, res.Status, line, tc.ok, tc.status)
			}
			if tc.ok != (res.Error == "") {
				t.Fatalf("error %q with ok %v", res.Error, res.OK)
			}
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("%q lacks %q", line, w)
				}
			}
			for _, s := range secrets {
				if strings.Contains(line, s) {
					t.Fatalf("a secret is in %q", line)
				}
			}
		})
	}
}
