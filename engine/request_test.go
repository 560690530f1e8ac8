package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/flowbench/flowbench/flow"
)

func TestReadCapped(t *testing.T) {
	big := strings.Repeat("0123456789", 1000)
	for _, c := range []struct {
		name string
		r    io.Reader
		n    int64
		want string
		err  bool
	}{
		{"empty", strings.NewReader(""), 11, "", false},
		{"under the cap", strings.NewReader("hello"), 11, "hello", false},
		{"exactly the cap", strings.NewReader("hello"), 5, "hello", false},
		{"over the cap stops at it", strings.NewReader(big), 4097, big[:4097], false},
		{"one byte at a time", iotest.OneByteReader(strings.NewReader(big[:3000])), 1 << 20, big[:3000], false},
		{"data then an error", iotest.DataErrReader(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(errors.New("reset")))), 100, "abc", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, buf := range [][]byte{nil, make([]byte, 0, 3), []byte("stale bytes")[:0]} {
				got, err := readCapped(c.r, c.n, buf)
				if (err != nil) != c.err {
					t.Fatalf("err = %v, want error %v", err, c.err)
				}
				if string(got) != c.want {
					t.Fatalf("read %d bytes %.20q…, want %d bytes", len(got), got, len(c.want))
				}
				if sr, ok := c.r.(*strings.Reader); ok {
					sr.Seek(0, io.SeekStart)
				} else {
					break // readers that cannot rewind run once
				}
			}
		})
	}
	// A reused buffer keeps its memory.
	buf := make([]byte, 0, 64)
	got, _ := readCapped(bytes.NewReader([]byte("abc")), 100, buf)
	if &got[0] != &buf[:1][0] {
		t.Error("a buffer with room was not reused")
	}
}

// TestPlainPathsJoinAsParsedOnes: the fast path for plain URIs gives exactly
// what parsing and merging gives, for bases with and without a path.
func TestPlainPathsJoinAsParsedOnes(t *testing.T) {
	for _, b := range []string{"https://api.example.com/v2/", "https://api.example.com", "https://api.example.com/v2", "http://127.0.0.1:8080/a%20b/", "http://h/x y/"} {
		base, err := url.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, uri := range []string{"/v1/tier", "items", "/a/./b", "a-b_c.d~e/", "/", "x", "/..a/b..", "/a/../b"} {
			fast, ferr := joinURL(base, uri)
			slow, serr := joinParsed(base, uri)
			if (ferr == nil) != (serr == nil) {
				t.Fatalf("%s + %q: fast error %v, parsed error %v", b, uri, ferr, serr)
			}
			if ferr == nil && fast.String() != slow.String() {
				t.Errorf("%s + %q: fast %s, parsed %s", b, uri, fast, slow)
			}
		}
	}
}

// TestHeaderConstantsAreCanonical: buildRequest reads and writes these names
// in the header map directly, which is only right for canonical keys.
func TestHeaderConstantsAreCanonical(t *testing.T) {
	for _, k := range []string{HeaderTaskGUID, HeaderIdempotencyKey, "Content-Type"} {
		if c := http.CanonicalHeaderKey(k); c != k {
			t.Errorf("%q is not canonical (%q)", k, c)
		}
	}
}

// TestHeaderValuesAreAddedUnderCanonicalNames: list values give one value
// each, a name given twice (in any case) keeps both pairs' values in order,
// an empty list adds nothing, and a flow's own task GUID header is the
// step's GUID and idempotency key.
func TestHeaderValuesAreAddedUnderCanonicalNames(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	f := linear(callNode("call", flow.Call{URI: `"/h"`, Headers: []flow.Pair{
		{Key: `"x-multi"`, Value: `["a", "b"]`},
		{Key: `"X-Empty"`, Value: `[]`},
		{Key: `"X-MULTI"`, Value: `"c"`},
		{Key: `"x-http-task-guid"`, Value: `"guid-1"`},
		{Key: `"X-Other"`, Value: `1`},
	}}))
	r := NewRunner(Options{Connections: conns})
	defer r.Close()
	res := run(t, r, mustCompile(t, f, conns), "")
	if res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
	h := <-got
	if v := strings.Join(h.Values("X-Multi"), ","); v != "a,b,c" {
		t.Errorf("X-Multi = %q, want a,b,c", v)
	}
	if _, ok := h["X-Empty"]; ok {
		t.Errorf("X-Empty was sent: %q", h["X-Empty"])
	}
	if h.Get("X-Other") != "1" || h.Get(HeaderTaskGUID) != "guid-1" || h.Get(HeaderIdempotencyKey) != "guid-1" {
		t.Errorf("headers = %v", h)
	}
	if ex := res.Steps[1].Exchanges[0]; ex.TaskGUID != "guid-1" || strings.Join(ex.RequestHeaders["X-Multi"], ",") != "a,b,c" {
		t.Errorf("exchange = %+v", ex)
	}
}

// TestNewHTTPRequestIsNewRequestWithContext: the request an attempt sends is
// the one http.NewRequestWithContext makes from the same method, URL and
// body, with or without a body, borrowing the step's header or not.
func TestNewHTTPRequestIsNewRequestWithContext(t *testing.T) {
	u, err := url.Parse("http://example.test:8080/items/1?q=a%20b")
	if err != nil {
		t.Fatal(err)
	}
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "step")
	for _, c := range []struct {
		method string
		body   []byte
		shared bool
	}{{"GET", nil, true}, {"GET", nil, false}, {"DELETE", nil, false}, {"POST", []byte(`{"a":1}`), true}, {"PUT", []byte{}, false}, {"BAD METHOD", nil, false}} {
		req := &request{method: c.method, url: u, header: http.Header{"X-A": {"1"}}, body: c.body, shared: c.shared}
		got, err := newHTTPRequest(ctx, req)
		var body io.Reader
		if c.body != nil {
			body = bytes.NewReader(c.body)
		}
		want, wantErr := http.NewRequestWithContext(ctx, c.method, u.String(), body)
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("%s: error %v, want %v", c.method, err, wantErr)
		}
		if err != nil {
			continue
		}
		if got.URL == u || *got.URL != *want.URL || got.Host != want.Host || got.Method != want.Method ||
			got.Proto != want.Proto || got.ProtoMajor != want.ProtoMajor || got.ProtoMinor != want.ProtoMinor ||
			got.ContentLength != want.ContentLength || (got.Body == nil) != (want.Body == nil) ||
			(got.GetBody == nil) != (want.GetBody == nil) || got.Context() != ctx {
			t.Errorf("%s: got %+v, want %+v", c.method, got, want)
		}
		if !c.shared && (got.Header == nil || len(got.Header) != 0) {
			t.Errorf("%s: an attempt with its own header starts with %v", c.method, got.Header)
		}
	}
}
