package mock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/engine/webhook"
	"github.com/flowbench/flowbench/flow"
)

// secrets is a SecretResolver over a map of sealed-store names.
type secrets map[string]string

func (s secrets) Resolve(_ context.Context, ref flow.SecretRef) (string, error) {
	if v, ok := s[ref.Secret]; ok {
		return v, nil
	}
	return "", fmt.Errorf("secret %q is not stored", ref.Secret)
}

// Canary values: they must never appear in a record.
const (
	canaryKey    = "canary-key-7f3a9"
	canaryToken  = "canary-token-0b21"
	canaryPass   = "canary-pass-5c8d"
	canarySecret = "whsec_Y2FuYXJ5LXdlYmhvb2stc2VjcmV0LTk5"
)

func authMocks() []flow.Mock {
	route := []flow.MockRoute{{Method: "POST", Path: "/hook", Body: `{"ok": true}`}}
	ref := func(name string) *flow.SecretRef { return &flow.SecretRef{Secret: name} }
	return []flow.Mock{
		{Name: "key", Routes: route, Auth: &flow.MockAuth{Type: flow.AuthAPIKey, In: "header", Name: "X-Key", Value: ref("key")}},
		{Name: "qkey", Routes: route, Auth: &flow.MockAuth{Type: flow.AuthAPIKey, In: "query", Name: "api_key", Value: ref("key")}},
		{Name: "bearer", Routes: route, Auth: &flow.MockAuth{Type: flow.AuthBearer, Token: ref("token")}},
		{Name: "basic", Routes: route, Auth: &flow.MockAuth{Type: flow.AuthBasic, Username: "ann", Password: ref("pass")}},
		{Name: "signed", Routes: route, Auth: &flow.MockAuth{Type: flow.AuthWebhook, Secret: ref("hook")}},
	}
}

func TestAuth(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	s := serve(t, mock.Options{
		Secrets: secrets{"key": canaryKey, "token": canaryToken, "pass": canaryPass, "hook": canarySecret},
		Now:     func() time.Time { return now },
	}, authMocks()...)
	body := `{"chatId": "c-1"}`
	signed := func(secret string, at time.Time, b string) http.Header {
		h := http.Header{}
		webhook.SetHeaders(h, secret, "msg_1", at, []byte(b))
		return h
	}
	basic := func(user, pass string) http.Header {
		r, _ := http.NewRequest("GET", "/", nil)
		r.SetBasicAuth(user, pass)
		return r.Header
	}
	tests := []struct {
		name, mock, query string
		header            http.Header
		status            int
		want              string // in the 401's error and the record's Auth
	}{
		{"api key ok", "key", "", http.Header{"X-Key": {canaryKey}}, 200, "ok"},
		{"api key missing", "key", "", nil, 401, "an API key is required in header X-Key; none was sent"},
		{"api key wrong", "key", "", http.Header{"X-Key": {"guess"}}, 401, "the API key in header X-Key is not the one this mock expects"},
		{"query key ok", "qkey", "?api_key=" + canaryKey, nil, 200, "ok"},
		{"query key missing", "qkey", "", nil, 401, "an API key is required in query parameter api_key"},
		{"bearer ok", "bearer", "", http.Header{"Authorization": {"Bearer " + canaryToken}}, 200, "ok"},
		{"bearer missing", "bearer", "", nil, 401, "a bearer token is required in the Authorization header"},
		{"bearer wrong scheme", "bearer", "", http.Header{"Authorization": {"Token " + canaryToken}}, 401, `is not "Bearer <token>"`},
		{"bearer wrong", "bearer", "", http.Header{"Authorization": {"Bearer nope"}}, 401, "the bearer token is not the one"},
		{"basic ok", "basic", "", basic("ann", canaryPass), 200, "ok"},
		{"basic missing", "basic", "", nil, 401, "basic auth (Authorization: Basic ...) is required"},
		{"basic wrong", "basic", "", basic("ann", "nope"), 401, "username or password is not the one"},
		{"signature ok", "signed", "", signed(canarySecret, now, body), 200, "ok"},
		{"signature missing", "signed", "", nil, 401, "Webhook-Id, Webhook-Timestamp, Webhook-Signature"},
		{"signature bad", "signed", "", signed("whsec_b3RoZXI=", now, body), 401, "does not match the body"},
		{"signature stale", "signed", "", signed(canarySecret, now.Add(-10*time.Minute), body), 401, "outside the tolerance"},
	}
	got := make(chan mock.Received, len(tests))
	defer s.Subscribe(func(r mock.Received) { got <- r })()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := do(t, nil, "POST", s.BaseURL(tt.mock)+"/hook"+tt.query, body, tt.header)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			rec := <-got
			if tt.status == 401 {
				var e struct{ Error string }
				if json.Unmarshal([]byte(a.body), &e) != nil || !strings.Contains(e.Error, tt.want) || !strings.Contains(e.Error, `mock "`+tt.mock+`"`) {
					t.Fatalf("401 body %s, want a JSON error naming the mock and %q", a.body, tt.want)
				}
			}
			if !strings.Contains(rec.Auth, tt.want) {
				t.Fatalf("record auth %q, want %q", rec.Auth, tt.want)
			}
			if tt.mock == "signed" && (rec.Signature == "" || tt.status == 200 && rec.Signature != "valid") {
				t.Fatalf("record signature %q", rec.Signature)
			}
			if tt.mock != "signed" && rec.Signature != "" {
				t.Fatalf("record signature %q for a mock that checks none", rec.Signature)
			}
			recJSON, _ := json.Marshal(rec)
			for _, c := range []string{canaryKey, canaryToken, canaryPass, canarySecret, "Y2FuYXJ5"} {
				if strings.Contains(string(recJSON)+a.body, c) {
					t.Fatalf("the record or answer reveals a secret: %s %s", recJSON, a.body)
				}
			}
		})
	}
}

func TestAuthSecretThatCannotBeResolved(t *testing.T) {
	s := mock.New(mock.Options{Secrets: secrets{}})
	err := s.SetMocks(authMocks()[:1])
	if err == nil || !strings.Contains(err.Error(), `mock "key": field auth.value: secret "key" is not stored`) {
		t.Fatalf("SetMocks = %v", err)
	}
	t.Setenv("MOCK_TEST_TOKEN", canaryToken)
	s = mock.New(mock.Options{}) // no resolver: env and literals still work
	m := flow.Mock{Name: "env", Routes: []flow.MockRoute{{Path: "/"}}, Auth: &flow.MockAuth{Type: flow.AuthBearer, Token: &flow.SecretRef{Env: "MOCK_TEST_TOKEN"}}}
	if err := s.SetMocks([]flow.Mock{m}); err != nil {
		t.Fatalf("SetMocks with an env token: %v", err)
	}
}

func TestInspectorSeesEveryRequest(t *testing.T) {
	const clients, each = 8, 25
	s := serve(t, mock.Options{History: 150}, mock.ChatbotPreset("bot", "vip"),
		flow.Mock{Name: "key", Routes: []flow.MockRoute{{Path: "/"}}, Auth: &flow.MockAuth{Type: flow.AuthAPIKey, In: "header", Name: "X-Key", Value: &flow.SecretRef{Literal: canaryKey}}})
	var mu sync.Mutex
	seen := map[int64]bool{}
	cancel := s.Subscribe(func(r mock.Received) {
		mu.Lock()
		seen[r.ID] = true
		mu.Unlock()
	})
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				body := fmt.Sprintf(`{"chatId": "c-%d-%d"}`, c, i)
				req, _ := http.NewRequest("POST", s.BaseURL("bot")+mock.ChatbotPath+"?n="+strconv.Itoa(i), strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+canaryToken)
				req.Header.Set("Cookie", "session="+canaryToken)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	mu.Lock()
	n := len(seen)
	mu.Unlock()
	if n != clients*each {
		t.Fatalf("the subscriber saw %d requests, want %d", n, clients*each)
	}
	reqs := s.Requests()
	if len(reqs) != 150 {
		t.Fatalf("Requests holds %d, want the history size 150", len(reqs))
	}
	for i := 1; i < len(reqs); i++ {
		if reqs[i].ID <= reqs[i-1].ID {
			t.Fatalf("Requests not oldest first at %d: %d then %d", i, reqs[i-1].ID, reqs[i].ID)
		}
	}
	last := reqs[len(reqs)-1]
	if last.ID != clients*each {
		t.Fatalf("newest record has ID %d, want %d", last.ID, clients*each)
	}
	r := reqs[0]
	if r.Mock != "bot" || r.Route != "POST "+mock.ChatbotPath || r.Method != "POST" || r.Path != "/bot"+mock.ChatbotPath ||
		!strings.HasPrefix(r.Query, "n=") || !strings.Contains(r.Body, `"chatId"`) || r.Status != 200 || r.Time.IsZero() {
		t.Fatalf("record %+v", r)
	}
	if r.Headers["Authorization"][0] != "[redacted]" || r.Headers["Cookie"][0] != "[redacted]" {
		t.Fatalf("credentials not redacted: %v", r.Headers)
	}
	cancel()
	do(t, nil, "GET", s.BaseURL("key")+"/", "", http.Header{"X-Key": {canaryKey}})
	mu.Lock()
	if len(seen) != clients*each {
		t.Fatal("a cancelled subscription still received a request")
	}
	mu.Unlock()
	if got := s.Requests(); got[len(got)-1].Headers["X-Key"][0] != "[redacted]" {
		t.Fatalf("the mock's API key header is not redacted: %v", got[len(got)-1].Headers)
	}
}

func TestRecordedBodyIsCapped(t *testing.T) {
	s := serve(t, mock.Options{RecordBodyBytes: 16, MaxRequestBytes: 64}, flow.Mock{Name: "m", Routes: []flow.MockRoute{{Method: "POST", Path: "/"}}})
	do(t, nil, "POST", s.BaseURL("m")+"/", strings.Repeat("a", 40), nil)
	if a := do(t, nil, "POST", s.BaseURL("m")+"/", strings.Repeat("b", 100), nil); a.status != 413 {
		t.Fatalf("an over-size body got %d, want 413", a.status)
	}
	reqs := s.Requests()
	if r := reqs[0]; r.Body != strings.Repeat("a", 16) || !r.BodyTruncated || r.BodySize != 40 {
		t.Fatalf("record %+v", r)
	}
	if r := reqs[1]; r.Status != 413 || !strings.Contains(r.Error, "over 64 bytes") {
		t.Fatalf("record %+v", r)
	}
}

func TestQueryCredentialsAreRedactedEverywhere(t *testing.T) {
	s := serve(t, mock.Options{}, flow.Mock{Name: "m", Routes: []flow.MockRoute{{Path: "/"}}})
	for _, url := range []string{
		s.URL() + "/nope/x?token=" + canaryToken + "&page=2",
		s.BaseURL("m") + "/?access_token=" + canaryToken + "&page=2",
		s.URL() + "/?api_key=" + canaryKey,
	} {
		do(t, nil, "GET", url, "", nil)
	}
	for _, r := range s.Requests() {
		if strings.Contains(r.Query, "canary") || !strings.Contains(r.Query, "[redacted]") {
			t.Fatalf("query recorded as %q", r.Query)
		}
	}
}

func TestSubscriberMayReadRequests(t *testing.T) {
	s := serve(t, mock.Options{}, flow.Mock{Name: "m", Routes: []flow.MockRoute{{Path: "/"}}})
	counts := make(chan int, 1)
	var cancel func()
	cancel = s.Subscribe(func(mock.Received) {
		counts <- len(s.Requests()) // would deadlock if called under the history lock
		cancel()
	})
	do(t, nil, "GET", s.BaseURL("m")+"/", "", nil)
	select {
	case n := <-counts:
		if n != 1 {
			t.Fatalf("Requests from the subscriber holds %d, want 1", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the subscriber never ran")
	}
}
