package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/flow"
)

func TestBaseURL(t *testing.T) {
	for _, tc := range []struct {
		name    string
		conn    flow.Connection
		want    string
		wantErr string
	}{
		{"custom", flow.Connection{Name: "c", Kind: flow.ConnCustom, BaseURL: "https://api.example.com/v1"}, "https://api.example.com/v1", ""},
		{"kind omitted", flow.Connection{Name: "c", BaseURL: "http://127.0.0.1:8080"}, "http://127.0.0.1:8080", ""},
		{"amazon connect", flow.Connection{Name: "cc", Kind: flow.ConnAmazonConnect, Region: "eu-central-1"}, "https://connect.eu-central-1.amazonaws.com", ""},
		{"amazon connect gov", flow.Connection{Name: "cc", Kind: flow.ConnAmazonConnect, Region: "us-gov-west-1"}, "https://connect.us-gov-west-1.amazonaws.com", ""},
		{"amazon connect without region", flow.Connection{Name: "cc", Kind: flow.ConnAmazonConnect}, "", `connection "cc", field region: an amazonConnect connection needs its AWS region`},
		{"region smuggling a host", flow.Connection{Name: "cc", Kind: flow.ConnAmazonConnect, Region: "evil.com/x"}, "", "not an AWS region"},
		{"custom without base URL", flow.Connection{Name: "c", Kind: flow.ConnCustom}, "", `field baseURL: a custom connection needs a baseURL`},
		{"relative base URL", flow.Connection{Name: "c", BaseURL: "/v1"}, "", "not an absolute"},
		{"ftp base URL", flow.Connection{Name: "c", BaseURL: "ftp://x"}, "", "not an absolute"},
		{"user info", flow.Connection{Name: "c", BaseURL: "https://u:p@x"}, "", "user name or password"},
		{"unknown kind", flow.Connection{Name: "c", Kind: "gcp", BaseURL: "https://x"}, "", `field kind: unknown kind "gcp"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BaseURL(tc.conn)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("BaseURL = %q, %v; want an error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("BaseURL = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestNewNamesConnectionAndField(t *testing.T) {
	sec := func(s string) *flow.SecretRef { return &flow.SecretRef{Secret: s} }
	secrets := staticSecrets{"ok": "value-123456", "empty": ""}
	for _, tc := range []struct {
		name string
		auth flow.Auth
		want string
	}{
		{"apiKey without name", flow.Auth{Type: flow.AuthAPIKey, Value: sec("ok")}, "auth.name"},
		{"apiKey without value", flow.Auth{Type: flow.AuthAPIKey, Name: "x-api-key"}, "field auth.value: apiKey auth needs the key"},
		{"apiKey bad header name", flow.Auth{Type: flow.AuthAPIKey, Name: "x api key", Value: sec("ok")}, "auth.name"},
		{"apiKey bad in", flow.Auth{Type: flow.AuthAPIKey, In: "cookie", Name: "k", Value: sec("ok")}, "auth.in"},
		{"apiKey missing secret", flow.Auth{Type: flow.AuthAPIKey, Name: "k", Value: sec("nope")}, "auth.value (secret:nope) cannot be read"},
		{"apiKey empty secret", flow.Auth{Type: flow.AuthAPIKey, Name: "k", Value: sec("empty")}, "auth.value (secret:empty) is empty"},
		{"basic without user", flow.Auth{Type: flow.AuthBasic, Password: sec("ok")}, "auth.username"},
		{"basic user with colon", flow.Auth{Type: flow.AuthBasic, Username: "a:b", Password: sec("ok")}, "auth.username"},
		{"basic without password", flow.Auth{Type: flow.AuthBasic, Username: "u"}, "auth.password"},
		{"bearer without token", flow.Auth{Type: flow.AuthBearer}, "auth.token"},
		{"oauth2 without client", flow.Auth{Type: flow.AuthOAuth2, TokenURL: "https://a/t", ClientSecret: sec("ok")}, "auth.clientId"},
		{"oauth2 without token URL", flow.Auth{Type: flow.AuthOAuth2, ClientID: "c", ClientSecret: sec("ok")}, "auth.tokenURL"},
		{"oauth2 bad refresh URL", flow.Auth{Type: flow.AuthOAuth2, ClientID: "c", TokenURL: "https://a/t", RefreshURL: "nope", ClientSecret: sec("ok")}, "auth.refreshURL"},
		{"oauth2 without secret", flow.Auth{Type: flow.AuthOAuth2, ClientID: "c", TokenURL: "https://a/t"}, "auth.clientSecret"},
		{"sigv4 without key id", flow.Auth{Type: flow.AuthSigV4, SecretAccessKey: sec("ok"), Service: "s"}, "auth.accessKeyId"},
		{"sigv4 without secret", flow.Auth{Type: flow.AuthSigV4, AccessKeyID: "AK", Service: "s"}, "auth.secretAccessKey"},
		{"sigv4 without service", flow.Auth{Type: flow.AuthSigV4, AccessKeyID: "AK", SecretAccessKey: sec("ok")}, "auth.service"},
		{"unknown type", flow.Auth{Type: "kerberos"}, "auth.type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(flow.Connection{Name: "crm", BaseURL: "https://x", Region: "eu-west-1", Auth: tc.auth}, Options{Secrets: secrets})
			if err == nil || !strings.Contains(err.Error(), `connection "crm"`) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v; want an error naming the connection and %q", err, tc.want)
			}
			assertNoSecret(t, "the error", err.Error(), "value-123456")
		})
	}
	t.Run("sigv4 region", func(t *testing.T) {
		_, err := New(flow.Connection{Name: "crm", BaseURL: "https://x", Auth: flow.Auth{Type: flow.AuthSigV4, AccessKeyID: "AK", SecretAccessKey: sec("ok"), Service: "s"}}, Options{Secrets: secrets})
		if err == nil || !strings.Contains(err.Error(), "region") {
			t.Fatalf("New: %v; want an error naming region", err)
		}
	})
	t.Run("amazon connect derives the service", func(t *testing.T) {
		a, err := New(flow.Connection{Name: "cc", Kind: flow.ConnAmazonConnect, Region: "eu-west-1", Auth: flow.Auth{Type: flow.AuthSigV4, AccessKeyID: "AK", SecretAccessKey: sec("ok")}}, Options{Secrets: secrets})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", "https://connect.eu-west-1.amazonaws.com/users", nil)
		if err := a.Apply(context.Background(), req, EmptyPayloadHash); err != nil {
			t.Fatal(err)
		}
		if got := req.Header.Get("Authorization"); !strings.Contains(got, "/eu-west-1/connect/aws4_request") {
			t.Fatalf("Authorization %q; want the connect service scope", got)
		}
	})
}

// TestStaticAuthAgainstHTTPBin applies each static type and lets go-httpbin
// judge it.
func TestStaticAuthAgainstHTTPBin(t *testing.T) {
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	secrets := staticSecrets{"pw": "pa55-word", "tok": "tok-abcdef123", "key": "key-99887766"}
	for _, tc := range []struct {
		name   string
		auth   flow.Auth
		path   string
		status int
		check  func(t *testing.T, body string)
	}{
		{"basic accepted", flow.Auth{Type: flow.AuthBasic, Username: "ann", Password: &flow.SecretRef{Secret: "pw"}}, "/basic-auth/ann/pa55-word", 200, nil},
		{"basic wrong password", flow.Auth{Type: flow.AuthBasic, Username: "ann", Password: &flow.SecretRef{Secret: "pw"}}, "/basic-auth/ann/other", 401, nil},
		{"bearer", flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Secret: "tok"}}, "/bearer", 200, func(t *testing.T, body string) {
			if !strings.Contains(body, `"token": "tok-abcdef123"`) && !strings.Contains(body, `"token":"tok-abcdef123"`) {
				t.Errorf("httpbin did not see the token: %s", body)
			}
		}},
		{"none is refused by /bearer", flow.Auth{Type: flow.AuthNone}, "/bearer", 401, nil},
		{"apiKey header", flow.Auth{Type: flow.AuthAPIKey, In: "header", Name: "x-api-key", Value: &flow.SecretRef{Secret: "key"}}, "/headers", 200, func(t *testing.T, body string) {
			if !strings.Contains(body, "key-99887766") {
				t.Errorf("the key header did not arrive: %s", body)
			}
		}},
		{"apiKey query keeps the URI's query", flow.Auth{Type: flow.AuthAPIKey, In: "query", Name: "api key", Value: &flow.SecretRef{Secret: "key"}}, "/anything?b=2&a=1&api+key=old", 200, func(t *testing.T, body string) {
			if strings.Contains(body, "old") || !strings.Contains(body, "key-99887766") {
				t.Errorf("query not replaced: %s", body)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(flow.Connection{Name: "bin", BaseURL: srv.URL, Auth: tc.auth}, Options{Secrets: secrets})
			if err != nil {
				t.Fatal(err)
			}
			// Two attempts on fresh requests, as the engine retries.
			for attempt := 1; attempt <= 2; attempt++ {
				req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
				if err := a.Apply(context.Background(), req, EmptyPayloadHash); err != nil {
					t.Fatal(err)
				}
				if strings.Count(req.URL.RawQuery, "key-99887766") > 1 {
					t.Fatalf("the key is in the query twice: %s", req.URL.RawQuery)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Fatalf("attempt %d: status %d; want %d (%s)", attempt, resp.StatusCode, tc.status, body)
				}
				if tc.check != nil {
					tc.check(t, string(body))
				}
			}
		})
	}
}

// sigV4Verifier is a loopback server that checks SigV4 the way AWS does:
// it rebuilds the signature from the request it received.
func sigV4Verifier(t *testing.T, creds aws.Credentials, service, region string) (*httptest.Server, *int) {
	t.Helper()
	bad := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		if err != nil {
			*bad++
			http.Error(w, "no date", http.StatusForbidden)
			return
		}
		if resign(t, r, body, at, creds, service, region) != r.Header.Get("Authorization") {
			*bad++
			http.Error(w, `{"message":"The request signature we calculated does not match the signature you provided."}`, http.StatusForbidden)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, bad
}

// resign is the Authorization a server computes for the request it
// received (its headers as sent, the body's hash, the path normalized as
// AWS does), to compare with the one sent.
func resign(t *testing.T, r *http.Request, body []byte, at time.Time, creds aws.Credentials, service, region string) string {
	t.Helper()
	check, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	for k, v := range r.Header {
		if k != "Authorization" && k != "Accept-Encoding" {
			check.Header[k] = v
		}
	}
	check.ContentLength = int64(len(body))
	if len(body) == 0 {
		check.Body, check.ContentLength = nil, 0
	}
	if err := signV4(context.Background(), v4.NewSigner(), check, creds, service, region, at, sha256Hex(body), sigOptions{normalize: true}); err != nil {
		t.Error(err)
	}
	return check.Header.Get("Authorization")
}

func TestSigV4AgainstVerifier(t *testing.T) {
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", SessionToken: "session-token-1"}
	srv, bad := sigV4Verifier(t, creds, "execute-api", "eu-central-1")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a, err := New(flow.Connection{Name: "api", BaseURL: srv.URL, Region: "eu-central-1", Auth: flow.Auth{Type: flow.AuthSigV4, AccessKeyID: creds.AccessKeyID,
		SecretAccessKey: &flow.SecretRef{Literal: creds.SecretAccessKey}, SessionToken: &flow.SecretRef{Literal: creds.SessionToken}, Service: "execute-api"}},
		Options{Secrets: staticSecrets{}, Now: func() time.Time { now = now.Add(time.Second); return now }})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"chatId":"c-1","priority":"High"}`)
	hash := sha256Hex(body) // once per step
	for _, tc := range []struct{ name, method, uri string }{
		{"post with body", "POST", "/v1/tier?environment=dev&b=2&a=1"},
		{"get", "GET", "/v1/items/a%20b?q=x+y"},
		{"double slash", "GET", "/v1//items/./x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sigs []string
			for attempt := 1; attempt <= 2; attempt++ {
				var rd io.Reader
				h := EmptyPayloadHash
				if tc.method == "POST" {
					rd, h = bytes.NewReader(body), hash
				}
				req, _ := http.NewRequest(tc.method, srv.URL+tc.uri, rd)
				req.Header.Set("Content-Type", "application/json")
				if err := a.Apply(context.Background(), req, h); err != nil {
					t.Fatal(err)
				}
				sigs = append(sigs, req.Header.Get("Authorization"))
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("attempt %d: %d %s", attempt, resp.StatusCode, msg)
				}
			}
			if sigs[0] == sigs[1] {
				t.Error("a retry reused the first attempt's signature; each attempt must be signed at its own time")
			}
		})
	}
	if *bad != 0 {
		t.Fatalf("%d requests failed verification", *bad)
	}
}

func TestRedact(t *testing.T) {
	key := "key-" + randHex(t, 8)
	s := newSensitive([]string{"X-Api-Key"}, []string{"api_key"}, []string{key})
	h := http.Header{
		"X-Api-Key":     {key},
		"Authorization": {"AWS4-HMAC-SHA256 Credential=AK/x, SignedHeaders=host, Signature=" + strings.Repeat("ab", 32)},
		"Cookie":        {"session=abc"},
		"X-Echo":        {"prefix " + url.QueryEscape(key) + " suffix"},
		"Content-Type":  {"application/json"},
	}
	gotH, gotURL, gotBody := Redact(s, h, "https://u:pw@api.example.com/v1?a=1&api_key="+key+"&X-Amz-Signature=abc#frag",
		`{"echo":"`+key+`","b64":"`+base64.StdEncoding.EncodeToString([]byte(key))+`","hex":"`+hex.EncodeToString([]byte(key))+`","sig":"Signature=`+strings.Repeat("cd", 32)+`"}`)
	for _, k := range []string{"X-Api-Key", "Authorization", "Cookie"} {
		if gotH.Get(k) != Marker {
			t.Errorf("header %s = %q; want %s", k, gotH.Get(k), Marker)
		}
	}
	if gotH.Get("Content-Type") != "application/json" || gotH.Get("X-Echo") != "prefix "+Marker+" suffix" {
		t.Errorf("other headers: %v", gotH)
	}
	if h.Get("X-Api-Key") != key {
		t.Error("Redact modified its input")
	}
	if want := "https://u:" + Marker + "@api.example.com/v1?a=1&api_key=" + Marker + "&X-Amz-Signature=" + Marker + "#frag"; gotURL != want {
		t.Errorf("URL = %q; want %q", gotURL, want)
	}
	if strings.Contains(gotBody, strings.Repeat("cd", 32)) {
		t.Errorf("a SigV4 signature survived: %s", gotBody)
	}
	for _, text := range []string{gotURL, gotBody, strings.Join(gotH.Values("X-Echo"), "")} {
		assertNoSecret(t, "redacted text", text, key)
	}
	if hh, u, b := Redact(s, nil, "", ""); hh != nil || u != "" || b != "" {
		t.Errorf("Redact of nothing = %v %q %q", hh, u, b)
	}
	// A Sensitive built by hand (no precomputed forms) still redacts.
	_, _, b := Redact(Sensitive{Values: []string{key}}, nil, "", "x "+key+" y")
	if b != "x "+Marker+" y" {
		t.Errorf("hand-built Sensitive: %q", b)
	}
}

// TestCanariesNeverLeak uses random canary secrets for every secret field
// and checks errors, logs and redacted records (of a server that echoes the
// request) for each canary in plain, base64, hex and URL-encoded form.
func TestCanariesNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)

	p := newOAuthPeer(t, time.Minute)
	bin := httptest.NewServer(httpbin.New())
	defer bin.Close()
	deny := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A hostile server that echoes the credentials in its error.
		w.WriteHeader(401)
		_, _ = w.Write([]byte(`{"message":"bad credentials: ` + r.Header.Get("Authorization") + r.Header.Get("X-Api-Key") + r.URL.RawQuery + `"}`))
	}))
	defer deny.Close()

	c := map[string]string{}
	for _, n := range []string{"key", "pw", "tok", "aws", "awstok"} {
		c[n] = "canary" + randHex(t, 12)
	}
	secrets := staticSecrets{"key": c["key"], "pw": c["pw"], "tok": c["tok"], "aws": c["aws"], "awstok": c["awstok"], "tokens-client-secret": p.secret}
	all := []string{c["key"], c["pw"], c["tok"], c["aws"], c["awstok"], p.secret}
	auths := map[string]flow.Auth{
		"apiKey header": {Type: flow.AuthAPIKey, Name: "x-api-key", Value: &flow.SecretRef{Secret: "key"}},
		"apiKey query":  {Type: flow.AuthAPIKey, In: "query", Name: "key", Value: &flow.SecretRef{Secret: "key"}},
		"basic":         {Type: flow.AuthBasic, Username: "u", Password: &flow.SecretRef{Secret: "pw"}},
		"bearer":        {Type: flow.AuthBearer, Token: &flow.SecretRef{Secret: "tok"}},
		"awsSigV4": {Type: flow.AuthSigV4, AccessKeyID: "AKID", SecretAccessKey: &flow.SecretRef{Secret: "aws"},
			SessionToken: &flow.SecretRef{Secret: "awstok"}, Service: "execute-api"},
		"oauth2": p.conn(nil).Auth,
	}
	var texts []string
	for name, au := range auths {
		t.Run(name, func(t *testing.T) {
			opts := Options{Secrets: secrets, HTTPClient: p.http.Client()}
			conn := flow.Connection{Name: "c", BaseURL: bin.URL, Region: "eu-west-1", Auth: au}
			a, err := New(conn, opts)
			if err != nil {
				t.Fatal(err)
			}
			// A stored request and response of a server that echoes everything.
			req, _ := http.NewRequest("POST", bin.URL+"/anything?x=1", strings.NewReader("{}"))
			if err := a.Apply(context.Background(), req, sha256Hex([]byte("{}"))); err != nil {
				t.Fatal(err)
			}
			resp, err := bin.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			rh, ru, rb := Redact(a.Sensitive(), req.Header, req.URL.String(), string(body))
			_, _, rb2 := Redact(a.Sensitive(), resp.Header, "", string(body))
			for k, vs := range rh {
				texts = append(texts, k+": "+strings.Join(vs, ","))
			}
			texts = append(texts, ru, rb, rb2)
			// Failures: refused credentials, an unreachable host, Test.
			conn.BaseURL = deny.URL
			if conn.Auth.Type == flow.AuthOAuth2 {
				conn.Auth.TokenURL = deny.URL + "/token"
			}
			if err := Test(context.Background(), conn, opts); err == nil {
				t.Error("Test against a server that refuses succeeded")
			} else {
				texts = append(texts, err.Error())
				t.Logf("refused: %v", err)
			}
			conn.BaseURL = "http://127.0.0.1:1"
			conn.Auth.TokenURL = "http://127.0.0.1:1/token"
			if err := Test(context.Background(), conn, opts); err != nil {
				texts = append(texts, err.Error())
			}
		})
	}
	texts = append(texts, logs.String())
	for i, text := range texts {
		assertNoSecret(t, fmt.Sprintf("text %d", i), text, all...)
	}
	if len(texts) < 20 {
		t.Fatalf("only %d texts were checked", len(texts))
	}
}

func TestTestConnection(t *testing.T) {
	p := newOAuthPeer(t, time.Minute)
	bin := httptest.NewServer(httpbin.New())
	defer bin.Close()
	tlsSrv := httptest.NewTLSServer(httpbin.New())
	defer tlsSrv.Close()
	deny := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		_, _ = w.Write([]byte(`{"message":"API key expired on 2026-01-31"}`))
	}))
	defer deny.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer broken.Close()

	key := &flow.SecretRef{Secret: "key"}
	apiKey := flow.Auth{Type: flow.AuthAPIKey, Name: "x-api-key", Value: key}
	opts := Options{Secrets: staticSecrets{"key": "k-123456", "tokens-client-secret": p.secret}}
	insecure := false
	for _, tc := range []struct {
		name string
		conn flow.Connection
		want string // "" means success
	}{
		{"reachable", flow.Connection{Name: "bin", BaseURL: bin.URL, Auth: apiKey}, ""},
		{"401 with the server's message", flow.Connection{Name: "bin", BaseURL: deny.URL, Auth: apiKey}, `refused the credentials (401 Unauthorized): "API key expired on 2026-01-31"`},
		{"server error", flow.Connection{Name: "bin", BaseURL: broken.URL, Auth: apiKey}, "503"},
		{"dns", flow.Connection{Name: "bin", BaseURL: "http://flowbench-test.invalid", Auth: apiKey}, "DNS lookup"},
		{"refused", flow.Connection{Name: "bin", BaseURL: "http://127.0.0.1:1", Auth: apiKey}, "refused"},
		{"tls unknown authority", flow.Connection{Name: "bin", BaseURL: tlsSrv.URL, Auth: apiKey}, "unknown authority; set caFile"},
		{"tls not verified on request", flow.Connection{Name: "bin", BaseURL: tlsSrv.URL, Auth: apiKey, VerifyTLS: &insecure}, ""},
		{"https to a plain server", flow.Connection{Name: "bin", BaseURL: strings.Replace(bin.URL, "http:", "https:", 1), Auth: apiKey}, "did not answer TLS"},
		{"oauth2 token", p.conn(nil), ""},
		{"oauth2 bad scope", p.conn(func(a *flow.Auth) { a.Scopes = []string{"forbidden"} }), "invalid_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts
			if tc.conn.Auth.Type == flow.AuthOAuth2 {
				o.HTTPClient = p.http.Client()
			}
			err := Test(context.Background(), tc.conn, o)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Test: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Test: %v; want %q", err, tc.want)
			}
			t.Logf("%v", err)
		})
	}
}

// TestRedactSignaturesInAnyCase: a SigV4-style signature is replaced however
// "Signature=" is cased, and text without one is left as it is.
func TestRedactSignaturesInAnyCase(t *testing.T) {
	sig := strings.Repeat("0f", 32)
	for _, name := range []string{"Signature", "signature", "SIGNATURE", "SIGnature", "X-Amz-Signature"} {
		_, _, got := Redact(Sensitive{}, nil, "", "a=1, "+name+"="+sig+", b=2")
		if want := "a=1, " + name + "=" + Marker + ", b=2"; got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	for _, text := range []string{"", "=", "a=b=c", "signatur=" + sig, "no equals sign", "x=signature"} {
		if _, _, got := Redact(Sensitive{}, nil, "", text); got != text {
			t.Errorf("%q became %q", text, got)
		}
	}
}
