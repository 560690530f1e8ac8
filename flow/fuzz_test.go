package flow

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
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
		_ = ValidateConnections(c)
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
