// Package webhook signs and verifies Standard Webhooks signatures
// (https://www.standardwebhooks.com): an HMAC-SHA256 over "id.timestamp.body"
// carried in the Webhook-Id, Webhook-Timestamp and Webhook-Signature headers.
// It is its own tiny package so that both the engine (signing calls,
// verifying webhook triggers) and engine/mock (verifying requests a mock
// receives) can use it without importing each other.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks header names.
const (
	HeaderID        = "Webhook-Id"
	HeaderTimestamp = "Webhook-Timestamp"
	HeaderSignature = "Webhook-Signature"
)

// DefaultTolerance is how far a request's timestamp may be from now, either
// way, before it is refused as stale: the spec's recommended five minutes,
// which bounds how long a captured request can be replayed.
const DefaultTolerance = 5 * time.Minute

// Errors Verify wraps, so callers can tell the reasons apart with errors.Is
// (a webhook trigger records why it answered 401).
var (
	ErrMissingHeader = errors.New("a Standard Webhooks header is missing")
	ErrBadTimestamp  = errors.New("the webhook timestamp is not a number of seconds")
	ErrStale         = errors.New("the webhook timestamp is outside the tolerance")
	ErrNoSignature   = errors.New("no v1 signature matches")
)

// Key turns a Standard Webhooks secret into the HMAC key: a "whsec_" secret
// is the base64 of the key; any other secret is used as raw bytes, so a
// plain shared secret also works.
func Key(secret string) []byte {
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		if key, err := base64.StdEncoding.DecodeString(rest); err == nil {
			return key
		}
	}
	return []byte(secret)
}

// Sign returns the signature header value "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>" for the given key (see Key).
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, strconv.FormatInt(timestamp, 10), body))
}

func mac(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// SetHeaders signs body and sets the three Standard Webhooks headers on h.
func SetHeaders(h http.Header, secret, id string, now time.Time, body []byte) {
	ts := now.Unix()
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, Sign(Key(secret), id, ts, body))
}

// Verify checks the Standard Webhooks signature of a request: the three
// headers must be present, the timestamp within tolerance of now (zero
// tolerance means DefaultTolerance), and one of the space-separated
// signatures of the Webhook-Signature header must be a v1 signature of
// id.timestamp.body under secret, compared in constant time. Signatures of
// other versions are skipped, as the spec asks, so a sender may rotate keys
// or schemes. The error says what is wrong without revealing the expected
// signature, and wraps one of the Err values of this package.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	id, ts, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	var missing []string
	for _, p := range []struct{ name, v string }{{HeaderID, id}, {HeaderTimestamp, ts}, {HeaderSignature, sigs}} {
		if p.v == "" {
			missing = append(missing, p.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: send %s (sign the request with the webhook secret)", ErrMissingHeader, strings.Join(missing, ", "))
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s is %q", ErrBadTimestamp, HeaderTimestamp, ts)
	}
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: %s is %s, %s away from now (the limit is %s); sign the request again with the current time",
			ErrStale, HeaderTimestamp, ts, d.Abs().Round(time.Second), tolerance)
	}
	want := mac(Key(secret), id, ts, body)
	for _, sig := range strings.Fields(sigs) {
		version, value, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: the %s header does not match the body under this secret; check the secret and that the body is sent unchanged", ErrNoSignature, HeaderSignature)
}
