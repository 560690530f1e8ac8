package flow

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeFlow checks that decoding never panics, that a failure is always
// a *DecodeError with at least one problem, and that whatever decodes
// survives a round trip: Encode then Decode gives an equal flow, and encoding
// that again gives the same bytes. Validate must not panic on it either.
// The seed corpus is in testdata/fuzz/FuzzDecodeFlow.
func FuzzDecodeFlow(f *testing.F) {
	for _, name := range []string{"chatbot.flow.json", "chatbot.flow.golden"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := DecodeFlow(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || len(de.Problems) == 0 {
				t.Fatalf("decode failed with %T %v; want a *DecodeError with problems", err, err)
			}
			return
		}
		_ = Validate(fl)
		enc, err := EncodeFlow(fl)
		if errors.Is(err, ErrLiteralSecret) {
			return // a literal secret is accepted on import and must be sealed before export
		}
		if err != nil {
			t.Fatalf("encode what decoded: %v", err)
		}
		again, err := DecodeFlow(enc)
		if err != nil {
			t.Fatalf("decode what was encoded: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(fl, again) {
			t.Fatalf("round trip changed the flow:\n got %#v\nwant %#v\n%s", again, fl, enc)
		}
		enc2, err := EncodeFlow(again)
		if err != nil || string(enc2) != string(enc) {
			t.Fatalf("encoding is not stable (err %v):\n%s\n---\n%s", err, enc, enc2)
		}
	})
}

// FuzzDecodeConnections checks the same promises for connections files:
// no panic, failures are *DecodeError, and a round trip is exact.
func FuzzDecodeConnections(f *testing.F) {
	for _, name := range []string{"example.connections.json", "example.connections.golden"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"format": "flowbench/v1", "connections": [{"name": "a", "verifyTLS": false, "timeout": 2.5, "auth": {"type": "basic", "password": "literal"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeConnections(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || len(de.Problems) == 0 {
				t.Fatalf("decode failed with %T %v; want a *DecodeError with problems", err, err)
			}
			return
		}
		if !utf8.Valid(bytes.TrimPrefix(data, utf8BOM)) {
			t.Fatal("a file with invalid UTF-8 decoded")
		}
		ps := ValidateConnections(c)
		// Problems never repeat a secret: not a literal, not a URL's password.
		for _, cn := range c.Connections {
			for _, raw := range []string{cn.BaseURL, cn.Auth.TokenURL, cn.Auth.RefreshURL} {
				if u, err := url.Parse(raw); err == nil && u.User != nil {
					if pw, ok := u.User.Password(); ok && len(pw) >= 4 && strings.Contains(ps.Error(), pw) {
						t.Fatalf("a problem repeats the password in %q: %v", raw, ps)
					}
				}
			}
			for _, ref := range cn.Auth.Secrets() {
				if len(ref.Literal) >= 4 && strings.Contains(ps.Error(), ref.Literal) {
					t.Fatalf("a problem repeats a literal secret: %v", ps)
				}
			}
			_ = FirstError(cn, CheckAuth(cn))
		}
		enc, err := EncodeConnections(c)
		if errors.Is(err, ErrLiteralSecret) {
			return
		}
		if err != nil {
			t.Fatalf("encode what decoded: %v", err)
		}
		again, err := DecodeConnections(enc)
		if err != nil {
			t.Fatalf("decode what was encoded: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(c, again) {
			t.Fatalf("round trip changed the connections:\n got %#v\nwant %#v\n%s", again, c, enc)
		}
	})
}

// FuzzDecodeMocks checks the same promises for mocks files: no panic,
// failures are *DecodeError with problems, invalid UTF-8 never decodes,
// ValidateMocks does not panic, and a round trip is exact.
// The seed corpus is in testdata/fuzz/FuzzDecodeMocks.
func FuzzDecodeMocks(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "example.mocks.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"format": "flowbench/v1", "mocks": [{"name": "m", "auth": {"type": "webhook", "secret": "whsec_x"},
  "routes": [{"method": "POST", "path": "/a/{id}", "status": 503, "delay": 0.5, "body": "{'id': params.id}",
  "faults": {"failEvery": 2, "sequence": [503, 200], "drip": "1s", "malformed": true}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMocks(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || len(de.Problems) == 0 {
				t.Fatalf("decode failed with %T %v; want a *DecodeError with problems", err, err)
			}
			return
		}
		if !utf8.Valid(bytes.TrimPrefix(data, utf8BOM)) {
			t.Fatal("a file with invalid UTF-8 decoded")
		}
		_ = ValidateMocks(m.Mocks)
		enc, err := EncodeMocks(m)
		if errors.Is(err, ErrLiteralSecret) {
			return
		}
		if err != nil {
			t.Fatalf("encode what decoded: %v", err)
		}
		again, err := DecodeMocks(enc)
		if err != nil {
			t.Fatalf("decode what was encoded: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(m, again) {
			t.Fatalf("round trip changed the mocks:\n got %#v\nwant %#v\n%s", again, m, enc)
		}
	})
}
