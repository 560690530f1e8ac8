package webhook

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The test vector of the Standard Webhooks specification.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specPayload   = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignMatchesTheSpecVector(t *testing.T) {
	if got := Sign(Key(specSecret), specID, specTimestamp, []byte(specPayload)); got != specSignature {
		t.Fatalf("Sign = %s, want %s", got, specSignature)
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		name, secret, want string
	}{
		{"whsec prefix is base64", "whsec_aGVsbG8=", "hello"},
		{"plain secret is raw bytes", "shared", "shared"},
		{"bad base64 after prefix is raw bytes", "whsec_!!", "whsec_!!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Key(tt.secret)); got != tt.want {
				t.Fatalf("Key(%q) = %q, want %q", tt.secret, got, tt.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(specTimestamp, 0).Add(30 * time.Second)
	headers := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				h.Set(kv[i], kv[i+1])
			}
		}
		return h
	}
	ts := strconv.Itoa(specTimestamp)
	tests := []struct {
		name    string
		h       http.Header
		body    string
		now     time.Time
		wantErr error
	}{
		{"spec vector", headers(HeaderID, specID, HeaderTimestamp, ts, HeaderSignature, specSignature), specPayload, now, nil},
		{"one of several signatures", headers(HeaderID, specID, HeaderTimestamp, ts,
			HeaderSignature, "v1,bm9wZQ== v2,whatever "+specSignature), specPayload, now, nil},
		{"other versions only", headers(HeaderID, specID, HeaderTimestamp, ts,
			HeaderSignature, "v1a,"+specSignature[3:]), specPayload, now, ErrNoSignature},
		{"tampered body", headers(HeaderID, specID, HeaderTimestamp, ts, HeaderSignature, specSignature), `{"test": 1}`, now, ErrNoSignature},
		{"other id", headers(HeaderID, "msg_other", HeaderTimestamp, ts, HeaderSignature, specSignature), specPayload, now, ErrNoSignature},
		{"missing signature", headers(HeaderID, specID, HeaderTimestamp, ts), specPayload, now, ErrMissingHeader},
		{"missing id", headers(HeaderTimestamp, ts, HeaderSignature, specSignature), specPayload, now, ErrMissingHeader},
		{"missing timestamp", headers(HeaderID, specID, HeaderSignature, specSignature), specPayload, now, ErrMissingHeader},
		{"timestamp not a number", headers(HeaderID, specID, HeaderTimestamp, "yesterday", HeaderSignature, specSignature), specPayload, now, ErrBadTimestamp},
		{"stale", headers(HeaderID, specID, HeaderTimestamp, ts, HeaderSignature, specSignature), specPayload, now.Add(5 * time.Minute), ErrStale},
		{"from the future", headers(HeaderID, specID, HeaderTimestamp, ts, HeaderSignature, specSignature), specPayload, time.Unix(specTimestamp, 0).Add(-6 * time.Minute), ErrStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(specSecret, tt.h, []byte(tt.body), tt.now, 0)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestSetHeadersRoundTrip(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	h := http.Header{}
	body := []byte(`{"chatId":"c-1"}`)
	SetHeaders(h, "plain-secret", "msg_1", now, body)
	if err := Verify("plain-secret", h, body, now, time.Minute); err != nil {
		t.Fatalf("Verify after SetHeaders: %v", err)
	}
	if err := Verify("another-secret", h, body, now, time.Minute); !errors.Is(err, ErrNoSignature) {
		t.Fatalf("Verify with another secret = %v, want ErrNoSignature", err)
	}
}

func TestVerifyErrorRevealsNoSignature(t *testing.T) {
	h := http.Header{}
	h.Set(HeaderID, specID)
	h.Set(HeaderTimestamp, strconv.Itoa(specTimestamp))
	h.Set(HeaderSignature, "v1,AAAA")
	err := Verify(specSecret, h, []byte(specPayload), time.Unix(specTimestamp, 0), 0)
	if err == nil {
		t.Fatal("Verify accepted a wrong signature")
	}
	for _, secret := range []string{specSignature[3:], "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error %q reveals %q", err, secret)
		}
	}
}
