package auth

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// seen is what a peer received.
type seen struct {
	header http.Header
	url    string
	body   string
}

type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

func (r *recorder) handler(next func(w http.ResponseWriter, req *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, seen{header: req.Header.Clone(), url: req.URL.String(), body: string(b)})
		r.mu.Unlock()
		if next != nil {
			next(w, req)
			return
		}
		_, _ = w.Write([]byte("landed"))
	}
}

func (r *recorder) all() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

// authCase is one authentication type with the secrets it uses.
type authCase struct {
	name    string
	conn    func(base string) flow.Connection
	secrets []string
	// present reports whether a request carried the credential.
	present func(s seen) bool
}

func authCases(t *testing.T, p *oauthPeer) []authCase {
	key, user, pass, tok, awsSecret, awsToken := "key-"+randHex(t, 10), "user", "pw-"+randHex(t, 10), "tok-"+randHex(t, 10), "aws-"+randHex(t, 10), "sess-"+randHex(t, 10)
	hasAuth := func(s seen) bool { return s.header.Get("Authorization") != "" }
	return []authCase{
		{"apiKey header", func(b string) flow.Connection {
			return flow.Connection{Name: "k", BaseURL: b, Auth: flow.Auth{Type: flow.AuthAPIKey, In: "header", Name: "x-api-key", Value: &flow.SecretRef{Secret: "key"}}}
		}, []string{key}, func(s seen) bool { return s.header.Get("X-Api-Key") == key }},
		{"apiKey query", func(b string) flow.Connection {
			return flow.Connection{Name: "q", BaseURL: b, Auth: flow.Auth{Type: flow.AuthAPIKey, In: "query", Name: "api_key", Value: &flow.SecretRef{Secret: "key"}}}
		}, []string{key}, func(s seen) bool { return strings.Contains(s.url, "api_key="+key) }},
		{"basic", func(b string) flow.Connection {
			return flow.Connection{Name: "b", BaseURL: b, Auth: flow.Auth{Type: flow.AuthBasic, Username: user, Password: &flow.SecretRef{Secret: "pass"}}}
		}, []string{pass}, hasAuth},
		{"bearer", func(b string) flow.Connection {
			return flow.Connection{Name: "t", BaseURL: b, Auth: flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Secret: "tok"}}}
		}, []string{tok}, hasAuth},
		{"oauth2", func(b string) flow.Connection {
			c := p.conn(nil)
			c.BaseURL = b
			return c
		}, []string{p.secret}, hasAuth},
		{"awsSigV4", func(b string) flow.Connection {
			return flow.Connection{Name: "aws", BaseURL: b, Region: "eu-central-1", Auth: flow.Auth{Type: flow.AuthSigV4, AccessKeyID: "AKIDEXAMPLE",
				SecretAccessKey: &flow.SecretRef{Secret: "aws"}, SessionToken: &flow.SecretRef{Secret: "awstok"}, Service: "execute-api"}}
		}, []string{awsSecret, awsToken}, func(s seen) bool {
			return strings.HasPrefix(s.header.Get("Authorization"), "AWS4-HMAC-SHA256") && s.header.Get("X-Amz-Security-Token") == awsToken
		}},
	}
}

// TestRedirectCredentials sends each auth type through a 301/302/307/308 to
// a second loopback host name, which must receive no credential, and to the
// same host, which keeps them.
func TestRedirectCredentials(t *testing.T) {
	p := newOAuthPeer(t, time.Minute)
	other := &recorder{}
	otherSrv := httptest.NewServer(other.handler(nil))
	defer otherSrv.Close()
	otherURL := strings.Replace(otherSrv.URL, "127.0.0.1", "localhost", 1)

	first := &recorder{}
	var code int
	mux := http.NewServeMux()
	mux.HandleFunc("/away", first.handler(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+"/landed?x=1", code)
	}))
	mux.HandleFunc("/here", first.handler(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/landed?x=1", code)
	}))
	mux.HandleFunc("/landed", first.handler(nil))
	firstSrv := httptest.NewServer(mux)
	defer firstSrv.Close()

	cases := authCases(t, p)
	for _, ac := range cases {
		for _, c := range []int{301, 302, 307, 308} {
			t.Run(fmt.Sprintf("%s %d", ac.name, c), func(t *testing.T) {
				code = c
				opts := p.opts(nil)
				opts.Secrets = allSecrets(t, p, cases)
				a, err := New(ac.conn(firstSrv.URL), opts)
				if err != nil {
					t.Fatal(err)
				}
				client := &http.Client{CheckRedirect: RedirectPolicy(a.Sensitive()), Timeout: 10 * time.Second}
				send := func(path string) {
					t.Helper()
					req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, firstSrv.URL+path, strings.NewReader(`{"hello":"world"}`))
					if err := a.Apply(context.Background(), req, sha256Hex([]byte(`{"hello":"world"}`))); err != nil {
						t.Fatal(err)
					}
					resp, err := client.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != 200 {
						t.Fatalf("final status %d", resp.StatusCode)
					}
				}

				nOther := len(other.all())
				send("/away")
				got := other.all()[nOther:]
				if len(got) != 1 {
					t.Fatalf("the second host saw %d requests; want 1", len(got))
				}
				s := got[0]
				if ac.present(s) {
					t.Fatal("the second host received the credential")
				}
				for k, vs := range s.header {
					if strings.EqualFold(k, "Authorization") || strings.HasPrefix(strings.ToLower(k), "x-amz-") || strings.EqualFold(k, "X-Api-Key") {
						t.Errorf("the second host received header %s", k)
					}
					for _, v := range vs {
						assertNoSecret(t, "header "+k+" at the second host", v, ac.secrets...)
					}
				}
				assertNoSecret(t, "the URL at the second host", s.url, ac.secrets...)
				if strings.Contains(s.url, "api_key") {
					t.Errorf("the second host received the api_key parameter: %s", s.url)
				}

				nFirst := len(first.all())
				send("/here")
				got = first.all()[nFirst:]
				if len(got) != 2 {
					t.Fatalf("the first host saw %d requests for a same-host redirect; want 2", len(got))
				}
				if !ac.present(got[1]) {
					t.Errorf("a same-host redirect lost the credential: %v %s", got[1].header, got[1].url)
				}
			})
		}
	}
}

// allSecrets collects every case's secrets into one resolver.
func allSecrets(t *testing.T, p *oauthPeer, cases []authCase) staticSecrets {
	t.Helper()
	s := staticSecrets{"tokens-client-secret": p.secret}
	names := map[string][]string{
		"apiKey header": {"key"}, "apiKey query": {"key"}, "basic": {"pass"}, "bearer": {"tok"}, "awsSigV4": {"aws", "awstok"},
	}
	for _, c := range cases {
		for i, n := range names[c.name] {
			s[n] = c.secrets[i]
		}
	}
	return s
}

func TestRedirectPolicyLimits(t *testing.T) {
	policy := RedirectPolicy(Sensitive{})
	mk := func(u string) *http.Request { r, _ := http.NewRequest("GET", u, nil); return r }
	via := make([]*http.Request, MaxRedirects)
	for i := range via {
		via[i] = mk("https://a.example/")
	}
	if err := policy(mk("https://a.example/x"), via); err == nil || !strings.Contains(err.Error(), "10 redirects") {
		t.Fatalf("after %d redirects: %v; want a stop", MaxRedirects, err)
	}
	for _, tc := range []struct {
		name, from, to string
		keep           bool
	}{
		{"same host", "https://a.example/p", "https://a.example/q", true},
		{"same host, explicit default port", "https://a.example/p", "https://a.example:443/q", true},
		{"upgrade to https", "http://a.example/p", "https://a.example/q", false},
		{"downgrade to http", "https://a.example/p", "http://a.example/q", false},
		{"other port", "https://a.example/p", "https://a.example:8443/q", false},
		{"subdomain", "https://a.example/p", "https://evil.a.example/q", false},
		{"case of host", "https://A.example/p", "https://a.EXAMPLE/q", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := mk(tc.to)
			req.Header.Set("Authorization", "Bearer x")
			req.Header.Set("X-Amz-Date", "20150830T123600Z")
			req.Header.Set("X-Custom", "kept")
			if err := policy(req, []*http.Request{mk(tc.from)}); err != nil {
				t.Fatal(err)
			}
			kept := req.Header.Get("Authorization") != ""
			if kept != tc.keep || req.Header.Get("X-Custom") != "kept" {
				t.Fatalf("Authorization kept = %v (X-Custom %q); want %v", kept, req.Header.Get("X-Custom"), tc.keep)
			}
		})
	}
	t.Run("stays stripped after leaving the host", func(t *testing.T) {
		req := mk("https://a.example/back")
		req.Header.Set("Authorization", "Bearer x")
		if err := policy(req, []*http.Request{mk("https://a.example/"), mk("https://b.example/")}); err != nil {
			t.Fatal(err)
		}
		if req.Header.Get("Authorization") != "" {
			t.Fatal("credentials returned after a hop through another host")
		}
	})
}

// TestFaultRedirectDropsWebhookHeaders: a Standard Webhooks signature
// (webhook-id, -timestamp, -signature) is replayable at the host it was sent
// to; a redirect to another host must not carry it there, and a same-host
// redirect keeps it.
func TestFaultRedirectDropsWebhookHeaders(t *testing.T) {
	var other recorder
	b := httptest.NewServer(other.handler(nil))
	defer b.Close()
	var same recorder
	var a *httptest.Server
	a = httptest.NewServer(same.handler(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/away":
			http.Redirect(w, req, b.URL+"/landed", http.StatusTemporaryRedirect)
		case "/here":
			http.Redirect(w, req, a.URL+"/landed", http.StatusTemporaryRedirect)
		default:
			_, _ = w.Write([]byte("landed"))
		}
	}))
	defer a.Close()
	client := &http.Client{CheckRedirect: RedirectPolicy(Sensitive{})}
	for _, path := range []string{"/away", "/here"} {
		req, _ := http.NewRequest("POST", a.URL+path, strings.NewReader(`{"a":1}`))
		req.Header.Set("Webhook-Id", "msg_1")
		req.Header.Set("Webhook-Timestamp", "1700000000")
		req.Header.Set("Webhook-Signature", "v1,c2lnbmF0dXJl")
		req.Header.Set("X-Custom", "kept")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := other.all()
	if len(got) != 1 {
		t.Fatalf("the other host got %d requests, want 1", len(got))
	}
	for _, h := range []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"} {
		if v := got[0].header.Get(h); v != "" {
			t.Errorf("the other host received %s: %q; webhook headers must stay on the signed host", h, v)
		}
	}
	if got[0].header.Get("X-Custom") != "kept" {
		t.Errorf("X-Custom lost on redirect: %v", got[0].header)
	}
	mine := same.all()
	if last := mine[len(mine)-1]; last.url != "/landed" || last.header.Get("Webhook-Signature") == "" {
		t.Errorf("a same-host redirect lost the signature: %+v", last)
	}
}
