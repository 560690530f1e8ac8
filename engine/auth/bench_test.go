package auth

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// benchRatio times round trips to a loopback server with and without the
// authenticator, interleaved (alternating which goes first) so drift in the
// machine's load hits both alike, and reports authenticated/plain as "ratio".
func benchRatio(b *testing.B, conn func(base string) flow.Connection) {
	benchRatioWith(b, func(base string) Authenticator {
		a, err := New(conn(base), Options{Secrets: staticSecrets{"s": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}})
		if err != nil {
			b.Fatal(err)
		}
		return a
	})
}

func benchRatioWith(b *testing.B, newAuth func(base string) Authenticator) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"returnValue":"vip"}`))
	}))
	defer srv.Close()
	a := newAuth(srv.URL)
	client := srv.Client()
	body := []byte(`{"chatId":"c-42","priority":"High"}`)
	ctx := context.Background()
	step := func(auth bool) time.Duration {
		start := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/tier?environment=dev", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth {
			if err := a.Apply(ctx, req, sha256Hex(body)); err != nil {
				b.Fatal(err)
			}
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start)
	}
	for range 200 { // warm the connection pool and the signing-key cache
		step(true)
		step(false)
	}
	var plain, authed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			plain += step(false)
			authed += step(true)
		} else {
			authed += step(true)
			plain += step(false)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(authed)/float64(plain), "ratio")
	b.ReportMetric(float64(plain.Nanoseconds())/float64(b.N), "plain-ns/step")
	b.ReportMetric(float64(authed.Nanoseconds())/float64(b.N), "auth-ns/step")
}

// BenchmarkSigV4Ratio: SigV4-signed steps against unsigned ones, small
// bodies (target: ratio at most 1.15).
func BenchmarkSigV4Ratio(b *testing.B) {
	benchRatio(b, func(base string) flow.Connection {
		return flow.Connection{Name: "aws", BaseURL: base, Region: "eu-central-1", Auth: flow.Auth{Type: flow.AuthSigV4,
			AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: &flow.SecretRef{Secret: "s"}, Service: "execute-api"}}
	})
}

// BenchmarkAPIKeyRatio: API-key steps against plain ones (target: ratio at
// most 1.02).
func BenchmarkAPIKeyRatio(b *testing.B) {
	benchRatio(b, func(base string) flow.Connection {
		return flow.Connection{Name: "k", BaseURL: base, Auth: flow.Auth{Type: flow.AuthAPIKey, In: "header", Name: "x-api-key", Value: &flow.SecretRef{Secret: "s"}}}
	})
}

// headersOnly adds SigV4's two headers, fixed, without signing: the floor
// any SigV4 implementation pays on the wire, to read BenchmarkSigV4Ratio
// against.
type headersOnly struct{}

func (headersOnly) Apply(_ context.Context, req *http.Request, _ string) error {
	req.Header["Authorization"] = []string{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-central-1/execute-api/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}
	req.Header["X-Amz-Date"] = []string{"20150830T123600Z"}
	return nil
}
func (headersOnly) Refresh(context.Context) bool { return false }
func (headersOnly) Sensitive() Sensitive         { return Sensitive{} }

// BenchmarkSigV4HeadersOnlyRatio: the cost of SigV4's headers alone, without
// computing a signature (reference for BenchmarkSigV4Ratio).
func BenchmarkSigV4HeadersOnlyRatio(b *testing.B) {
	benchRatioWith(b, func(string) Authenticator { return headersOnly{} })
}

// keyHeaderOnly sets the API-key header the way a hand-written client
// would, with no authenticator: the floor any API-key implementation pays
// on the wire, to read BenchmarkAPIKeyRatio against.
type keyHeaderOnly struct{}

func (keyHeaderOnly) Apply(_ context.Context, req *http.Request, _ string) error {
	req.Header["X-Api-Key"] = []string{"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	return nil
}
func (keyHeaderOnly) Refresh(context.Context) bool { return false }
func (keyHeaderOnly) Sensitive() Sensitive         { return Sensitive{} }

// BenchmarkAPIKeyHeaderOnlyRatio: the cost of the API-key header alone
// (reference for BenchmarkAPIKeyRatio).
func BenchmarkAPIKeyHeaderOnlyRatio(b *testing.B) {
	benchRatioWith(b, func(string) Authenticator { return keyHeaderOnly{} })
}

// BenchmarkApplySigV4 is the signing alone, no network.
func BenchmarkApplySigV4(b *testing.B) {
	a, err := New(flow.Connection{Name: "aws", BaseURL: "http://127.0.0.1:1", Region: "eu-central-1", Auth: flow.Auth{Type: flow.AuthSigV4,
		AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: &flow.SecretRef{Literal: "s"}, Service: "execute-api"}}, Options{Secrets: staticSecrets{}})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"chatId":"c-42","priority":"High"}`)
	hash := sha256Hex(body)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/v1/tier?environment=dev", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if err := a.Apply(context.Background(), req, hash); err != nil {
			b.Fatal(err)
		}
	}
}
