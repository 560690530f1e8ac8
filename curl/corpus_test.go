package curl_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/curl"
	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

var update = flag.Bool("update", false, "rewrite the corpus's golden files")

const corpusDir = "testdata/corpus"

// golden is what a corpus command must give: the request it sends, what is
// unmapped and ignored (their arguments), and its mapping onto the
// corpus's connections.
type golden struct {
	Request  curl.Request `json:"request"`
	Unmapped []string     `json:"unmapped"`
	Ignored  []string     `json:"ignored"`
	Import   goldenImport `json:"import"`
}

type goldenImport struct {
	Connection string      `json:"connection"`
	URI        string      `json:"uri"`
	Query      []flow.Pair `json:"query"`
	Headers    []flow.Pair `json:"headers"`
	Auth       string      `json:"auth"`
	// Secrets are the auth fields the command's credentials fill (their
	// values are not kept here).
	Secrets []string `json:"secrets"`
}

type corpusCase struct {
	name, cmd string
}

func corpus(t testing.TB) []corpusCase {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(corpusDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusCase
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, corpusCase{name: strings.TrimSuffix(filepath.Base(n), ".txt"), cmd: string(b)})
	}
	return out
}

func corpusOptions() curl.Options {
	return curl.Options{BaseDir: filepath.Join(corpusDir, "files")}
}

func corpusConnections(t *testing.T) []flow.Connection {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, "connections.json"))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := flow.DecodeConnections(b)
	if err != nil {
		t.Fatal(err)
	}
	return cf.Connections
}

func noteArgs(ns []curl.Note) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.Arg)
	}
	return out
}

// Issue 14: at least 40 commands in the shapes API documentation publishes
// them, each parsed to the expected request.
func TestCorpusParsesToTheExpectedRequest(t *testing.T) {
	cases := corpus(t)
	if len(cases) < 40 {
		t.Fatalf("the corpus has %d commands; it needs at least 40", len(cases))
	}
	conns := corpusConnections(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd, err := curl.ParseWith(c.cmd, corpusOptions())
			if err != nil {
				t.Fatal(err)
			}
			im := curl.ToRequest(cmd, conns)
			got := golden{Request: cmd.Request(), Unmapped: noteArgs(cmd.Unmapped), Ignored: noteArgs(cmd.Ignored),
				Import: goldenImport{Connection: im.Connection, URI: im.URI, Query: im.Query, Headers: im.Headers, Secrets: []string{}}}
			if im.Auth != nil {
				got.Import.Auth = string(im.Auth.Type)
			}
			for k := range im.Secrets {
				got.Import.Secrets = append(got.Import.Secrets, k)
			}
			sort.Strings(got.Import.Secrets)
			path := filepath.Join(corpusDir, c.name+".json")
			if *update {
				b, _ := json.MarshalIndent(got, "", "  ")
				if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("no golden file (run go test ./curl -run Corpus -update and review it): %v", err)
			}
			var want golden
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(got)
			var norm golden // compare through JSON, as the file holds it
			_ = json.Unmarshal(gb, &norm)
			if !reflect.DeepEqual(norm, want) {
				t.Errorf("%s\n got %s\nwant %s", c.name, gb, bytes.TrimSpace(b))
			}
		})
	}
}

// arrived is a request as the server got it.
type arrived struct {
	method, path string
	query        url.Values
	header       http.Header
	body         string
}

// Issue 14: each corpus command is sent through the engine (the command
// mapped with ToRequest, its credentials applied by the connection) to a
// go-httpbin server on 127.0.0.1, its host rewritten and its path put
// under /anything, and what arrived is compared field by field with the
// expected request.
func TestCorpusSentToHTTPBinArrivesAsExpected(t *testing.T) {
	var mu sync.Mutex
	var last *arrived
	hb := httpbin.New(httpbin.WithMaxDuration(5 * time.Second))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		mu.Lock()
		last = &arrived{method: r.Method, path: r.URL.Path, query: r.URL.Query(), header: r.Header.Clone(), body: string(body)}
		mu.Unlock()
		hb.ServeHTTP(w, r)
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)

	for _, c := range corpus(t) {
		t.Run(c.name, func(t *testing.T) {
			cmd, err := curl.ParseWith(c.cmd, corpusOptions())
			if err != nil {
				t.Fatal(err)
			}
			want := cmd.Request()
			orig := *cmd.URL
			cmd.URL.Scheme, cmd.URL.Host = base.Scheme, base.Host
			cmd.URL.Path = "/anything" + orig.Path
			cmd.URL.RawPath = ""
			im := curl.ToRequest(cmd, nil)
			conn, call, ok := im.Adhoc()
			if !ok {
				t.Fatal("no connection to send through")
			}
			r := engine.NewRunner(engine.Options{Connections: []flow.Connection{conn}})
			defer r.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			mu.Lock()
			last = nil
			mu.Unlock()
			res, err := r.Send(ctx, call, engine.StepInput{})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(res.Step.Exchanges); n == 0 || res.Step.Exchanges[n-1].Status != http.StatusOK {
				t.Fatalf("no 200 from httpbin: %+v", res.Step)
			}
			mu.Lock()
			got := last
			mu.Unlock()
			if got == nil {
				t.Fatal("nothing arrived")
			}
			if m := strings.ToUpper(want.Method); got.method != m {
				t.Errorf("method %q; want %q", got.method, m)
			}
			if p := "/anything" + orig.Path; got.path != p {
				t.Errorf("path %q; want %q", got.path, p)
			}
			if q := orig.Query(); !reflect.DeepEqual(got.query, q) && !(len(got.query) == 0 && len(q) == 0) {
				t.Errorf("query %v; want %v", got.query, q)
			}
			wantHeaders := map[string][]string{}
			for _, h := range want.Headers {
				k := http.CanonicalHeaderKey(h.Name)
				wantHeaders[k] = append(wantHeaders[k], h.Value)
			}
			for k, vs := range wantHeaders {
				gv := got.header.Values(k)
				if k == "Authorization" && len(gv) == 1 && len(vs) == 1 {
					// the scheme's case is the connection's ("bearer x" arrives "Bearer x")
					gs, gt, _ := strings.Cut(gv[0], " ")
					ws, wt, _ := strings.Cut(vs[0], " ")
					if strings.EqualFold(gs, ws) && gt == wt {
						continue
					}
				}
				if !reflect.DeepEqual(gv, vs) {
					t.Errorf("header %s: %q; want %q", k, gv, vs)
				}
			}
			if cmd.AWSSigV4 != "" {
				if a := got.header.Get("Authorization"); !strings.HasPrefix(a, "AWS4-HMAC-SHA256 Credential="+cmd.User+"/") {
					t.Errorf("not signed with SigV4 by the command's key: %q", a)
				}
			}
			if got.body != want.Body {
				t.Errorf("body %q; want %q", got.body, want.Body)
			}
			// The record of the exchange never holds the command's secrets.
			x := res.Step.Exchanges[len(res.Step.Exchanges)-1]
			rec, _ := json.Marshal(x)
			for field, v := range im.Secrets {
				if len(v) >= 4 && bytes.Contains(rec, []byte(v)) {
					t.Errorf("the recorded exchange holds the %s secret", field)
				}
			}
		})
	}
}

// Issue 14: Copy as cURL then Import gives back the same request, over the
// whole corpus.
func TestCorpusRoundTrip(t *testing.T) {
	for _, c := range corpus(t) {
		t.Run(c.name, func(t *testing.T) {
			cmd, err := curl.ParseWith(c.cmd, corpusOptions())
			if err != nil {
				t.Fatal(err)
			}
			want := cmd.Request()
			text := curl.Format(want, curl.FormatOptions{Reveal: true})
			back, err := curl.Parse(text)
			if err != nil {
				t.Fatalf("the copy does not parse: %v\n%s", err, text)
			}
			if got := back.Request(); !reflect.DeepEqual(got, want) {
				t.Errorf("round trip\n got %#v\nwant %#v\n%s", got, want, text)
			}
			if len(back.Unmapped) != 0 || len(back.Ignored) != 0 {
				t.Errorf("the copy has unmapped parts: %v %v", back.Unmapped, back.Ignored)
			}
			// Redacted, no credential header keeps its value.
			red := curl.Format(want, curl.FormatOptions{})
			if a, ok := cmd.Header("Authorization"); ok && strings.Contains(red, a) {
				t.Errorf("the redacted copy holds the Authorization value:\n%s", red)
			}
		})
	}
}

// Parse never panics, whatever it is given, and what it accepts formats
// and parses again.
func FuzzParse(f *testing.F) {
	for _, c := range corpus(f) {
		f.Add(c.cmd)
	}
	f.Add(`curl $'\x00' -H`)
	f.Add("curl 'a\\\n")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		c, err := curl.Parse(s)
		if err != nil {
			return
		}
		text := curl.Format(c.Request(), curl.FormatOptions{Reveal: true})
		if _, err := curl.Parse(text); err != nil {
			t.Fatalf("Format(Parse(%q)) = %q does not parse: %v", s, text, err)
		}
		_ = curl.ToRequest(c, []flow.Connection{{Name: "x", BaseURL: "https://h/v1"}})
	})
}
