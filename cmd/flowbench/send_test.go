package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/flowbench/flowbench/storage"
)

// echoServer answers every request with what it received, as JSON:
// method, path, query, headers and body (so a secret sent would be echoed
// back and must be redacted from the output).
type echoServer struct {
	*httptest.Server
	mu   sync.Mutex
	last *http.Request
	body string
}

func newEchoServer(t *testing.T) *echoServer {
	t.Helper()
	e := &echoServer{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		e.mu.Lock()
		e.last, e.body = r.Clone(context.Background()), string(b)
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", "yes")
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "path": r.URL.Path, "query": r.URL.Query(),
			"headers": r.Header, "body": string(b)})
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *echoServer) got() (*http.Request, string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last, e.body
}

const canary = "canary-SECRET-7f3a"

// sendConnections writes a connections file with one connection of each
// auth kind to srv, each secret the canary from the environment.
func sendConnections(t *testing.T, dir, base string) string {
	t.Helper()
	t.Setenv("SEND_CANARY", canary)
	return writeFile(t, dir, "c.connections.json", fmt.Sprintf(`{"format": "flowbench/v1", "connections": [
  {"name": "keyed", "kind": "custom", "baseURL": %[1]q,
   "auth": {"type": "apiKey", "in": "header", "name": "X-Api-Key", "value": {"env": "SEND_CANARY"}}},
  {"name": "basic", "kind": "custom", "baseURL": %[1]q,
   "auth": {"type": "basic", "username": "ada", "password": {"env": "SEND_CANARY"}}},
  {"name": "bearer", "kind": "custom", "baseURL": "%[1]s/v1",
   "auth": {"type": "bearer", "token": {"env": "SEND_CANARY"}}}]}`, base))
}

func decodeSend(t *testing.T, out string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	return m
}

// Issue 14: flowbench send applies the connection's auth (API key, basic,
// bearer) and prints the contract JSON with the secret redacted.
func TestSendAppliesConnectionAuthAndRedacts(t *testing.T) {
	srv := newEchoServer(t)
	dir := t.TempDir()
	conns := sendConnections(t, dir, srv.URL)
	for _, c := range []struct {
		conn, uri, header, want string
	}{
		{"keyed", "/anything/k", "X-Api-Key", canary},
		{"basic", "/anything/b", "Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("ada:"+canary))},
		{"bearer", "/orders/7", "Authorization", "Bearer " + canary},
	} {
		t.Run(c.conn, func(t *testing.T) {
			code, out, errOut := cli(t, "send", c.conn, "POST", c.uri, "--connections", conns, "--db", "", "--json",
				"--header", "X-Trace: t-1", "--query", "q=a b", "--body", `{"n": 1}`)
			if code != exitOK {
				t.Fatalf("exit %d: %s %s", code, out, errOut)
			}
			r, body := srv.got()
			if got := r.Header.Get(c.header); got != c.want {
				t.Errorf("the server got %s %q; want %q", c.header, got, c.want)
			}
			wantPath := c.uri
			if c.conn == "bearer" {
				wantPath = "/v1" + c.uri
			}
			if r.Method != "POST" || r.URL.Path != wantPath || r.URL.Query().Get("q") != "a b" || r.Header.Get("X-Trace") != "t-1" || body != `{"n": 1}` ||
				r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("the server got %s %s %v %v %q", r.Method, r.URL, r.Header, r.URL.Query(), body)
			}
			if strings.Contains(out, canary) || strings.Contains(errOut, canary) {
				t.Fatalf("the secret was printed:\n%s", out)
			}
			if c.conn == "basic" && strings.Contains(out, base64.StdEncoding.EncodeToString([]byte("ada:"+canary))) {
				t.Fatal("the basic credentials were printed")
			}
			m := decodeSend(t, out)
			req := m["request"].(map[string]any)
			resp := m["response"].(map[string]any)
			if req["method"] != "POST" || !strings.HasSuffix(req["url"].(string), wantPath+"?q=a+b") || resp["status"] != float64(200) ||
				m["attempts"] != float64(1) || m["durationMs"] == nil {
				t.Errorf("JSON %s", out)
			}
			if got := req["headers"].(map[string]any)[c.header].([]any)[0]; got != "[redacted]" {
				t.Errorf("request header %s printed as %v", c.header, got)
			}
			// The body is JSON when it parses; the echoed secret is redacted.
			echoed := resp["body"].(map[string]any)
			if echoed["path"] != wantPath {
				t.Errorf("body %v", echoed)
			}
			if h := resp["headers"].(map[string]any)["X-Echo"].([]any)[0]; h != "yes" {
				t.Errorf("response headers %v", resp["headers"])
			}
		})
	}
}

// Issue 14: with --curl and no CONNECTION, the connection whose base URL
// the command's URL lies under is used, with its auth; a URL under none is
// sent as a full URL with the command's own credentials, redacted too.
func TestSendCurlMatchesTheConnection(t *testing.T) {
	srv := newEchoServer(t)
	dir := t.TempDir()
	conns := sendConnections(t, dir, srv.URL)
	code, out, errOut := cli(t, "send", "--connections", conns, "--db", "", "--json",
		"--curl", fmt.Sprintf(`curl -sS '%s/v1/orders?limit=2' -H 'Accept: application/json' -o out.json`, srv.URL))
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	r, _ := srv.got()
	if r.Header.Get("Authorization") != "Bearer "+canary || r.URL.Path != "/v1/orders" || r.URL.RawQuery != "limit=2" || r.Header.Get("Accept") != "application/json" {
		t.Fatalf("the bearer connection was not used: %v %v", r.URL, r.Header)
	}
	if !strings.Contains(errOut, "not sent: -o out.json") {
		t.Errorf("the unmapped -o was not reported: %q", errOut)
	}
	if strings.Contains(out+errOut, canary) {
		t.Fatal("the secret was printed")
	}

	// The command's own credentials (a URL under no connection: the base
	// URLs are on another port) become the ad hoc connection's secrets.
	other := newEchoServer(t)
	code, out, errOut = cli(t, "send", "--connections", conns, "--db", "", "--json",
		"--curl", fmt.Sprintf("curl -u 'me:%s' -d a=1 %s/form", canary, other.URL))
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	r, body := other.got()
	if r.Header.Get("Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte("me:"+canary)) || body != "a=1" ||
		r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.Method != "POST" {
		t.Fatalf("the command's request: %s %v %q", r.Method, r.Header, body)
	}
	if strings.Contains(out+errOut, canary) || strings.Contains(out, base64.StdEncoding.EncodeToString([]byte("me:"+canary))) {
		t.Fatalf("the command's secret was printed:\n%s", out)
	}

	// A CONNECTION given with a URL outside it is refused.
	code, _, errOut = cli(t, "send", "keyed", "--connections", conns, "--db", "", "--curl", "curl https://elsewhere.example/x")
	if code != exitInvalid || !strings.Contains(errOut, `not under the base URL`) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestSendExitStatuses(t *testing.T) {
	srv := newEchoServer(t)
	dir := t.TempDir()
	conns := sendConnections(t, dir, srv.URL)

	// Any status is a response: 0, and the text output shows it.
	code, out, errOut := cli(t, "send", "GET", srv.URL+"/missing", "--db", "")
	if code != exitOK || !strings.HasPrefix(out, "GET "+srv.URL+"/missing\nHTTP 404 Not Found") || !strings.Contains(out, "X-Echo: yes") ||
		!strings.Contains(out, `"path":"/missing"`) {
		t.Fatalf("404: exit %d\n%s\n%s", code, out, errOut)
	}

	// No response: 1, the reason on stderr (and in the JSON).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	code, _, errOut = cli(t, "send", "GET", dead+"/x", "--db", "")
	if code != exitFailed || !strings.Contains(errOut, "no response") || !strings.Contains(errOut, "could not connect") {
		t.Fatalf("refused: exit %d: %s", code, errOut)
	}
	code, out, _ = cli(t, "send", "GET", dead+"/x", "--db", "", "--json")
	if m := decodeSend(t, out); code != exitFailed || m["response"] != nil || m["error"] == "" {
		t.Fatalf("refused --json: exit %d: %s", code, out)
	}

	// Invalid input: 2, the message naming the flag.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"send"}, "give METHOD and URI"},
		{[]string{"send", "GET", "/relative"}, "URI: the URL \"/relative\" is not a full http(s) URL"},
		{[]string{"send", "G:T", srv.URL}, "is not an HTTP method"},
		{[]string{"send", "nope", "GET", "/x", "--connections", conns}, `no connection named "nope"`},
		{[]string{"send", "GET", srv.URL, "--body", "{not json"}, "--body: not valid JSON"},
		{[]string{"send", "GET", srv.URL, "--header", "NoColon"}, `--header "NoColon"`},
		{[]string{"send", "GET", srv.URL, "--query", "novalue"}, `--query "novalue"`},
		{[]string{"send", "GET", srv.URL + "/{{ 1 + }}"}, "URI:"},
		{[]string{"send", "--curl", "curl 'unclosed"}, "--curl: the command is not valid shell syntax"},
		{[]string{"send", "--curl", "curl -X POST"}, "--curl: the command gives no URL"},
		{[]string{"send", "--curl", "curl " + srv.URL, "--header", "A: b"}, "leave out --header"},
		{[]string{"send", "GET", srv.URL, "--environments", filepath.Join(dir, "none.json"), "--env", "x"}, "none.json"},
	} {
		code, out, errOut := cli(t, append(c.args, "--db", "")...)
		if code != exitInvalid || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q (stdout %q)", c.args, code, errOut, c.want, out)
		}
	}
}

// Issue 14: with --db the request goes to the request history, not the
// runs.
func TestSendRecordsInTheRequestHistory(t *testing.T) {
	testKey(t)
	srv := newEchoServer(t)
	dir := t.TempDir()
	conns := sendConnections(t, dir, srv.URL)
	dbPath := filepath.Join(dir, "f.db")
	code, out, errOut := cli(t, "send", "keyed", "PUT", "/anything/h", "--connections", conns, "--db", dbPath)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	db, err := storage.Open(context.Background(), dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reqs, err := db.ListRequests(context.Background(), storage.RequestQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 1 || reqs[0].Method != "PUT" || reqs[0].Status != 200 || reqs[0].Connection != "keyed" || reqs[0].Source != "cli" ||
		!strings.HasSuffix(reqs[0].URL, "/anything/h") {
		t.Fatalf("history %+v", reqs)
	}
	full, err := db.GetRequest(context.Background(), reqs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := json.Marshal(full)
	if strings.Contains(string(rec), canary) {
		t.Fatal("the history holds the secret")
	}
	runs, _, err := db.ListRuns(context.Background(), storage.RunQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 0 {
		t.Fatalf("send recorded %d run(s)", len(runs))
	}
}

// Fields given on the command line are Text mode: sent as typed, with
// {{ CEL }} holes evaluated (here env.name from --env).
func TestSendFieldsAreTextWithHoles(t *testing.T) {
	srv := newEchoServer(t)
	code, out, errOut := cli(t, "send", "GET", srv.URL+`/anything/{{ env.name }}/"quoted"`, "--env", "staging", "--db", "",
		"--header", `X-Env: {{ env.name + "-1" }}`, "--query", "raw={{ 1 + 2 }}")
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	r, _ := srv.got()
	if r.URL.Path != `/anything/staging/"quoted"` || r.Header.Get("X-Env") != "staging-1" || r.URL.Query().Get("raw") != "3" {
		t.Fatalf("the server got %s %v", r.URL, r.Header)
	}
}

// --environments applies the environment's connection overrides and
// variables, as run does.
func TestSendWithAnEnvironment(t *testing.T) {
	srv := newEchoServer(t)
	dir := t.TempDir()
	conns := sendConnections(t, dir, "https://prod.example.invalid")
	envs := writeFile(t, dir, "e.environments.json", fmt.Sprintf(`{"format": "flowbench/v1", "environments": [
  {"name": "local", "variables": {"orgId": "org-9"}, "connections": {"keyed": {"baseURL": %q}}}]}`, srv.URL))
	code, out, errOut := cli(t, "send", "keyed", "GET", "/orgs/{{ env.orgId }}", "--connections", conns,
		"--environments", envs, "--env", "local", "--db", "")
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	r, _ := srv.got()
	if r.URL.Path != "/orgs/org-9" || r.Header.Get("X-Api-Key") != canary {
		t.Fatalf("the server got %s %v", r.URL, r.Header)
	}
	// --curl matches against the connections as the environment sets them.
	code, out, errOut = cli(t, "send", "--curl", "curl "+srv.URL+"/orgs/x", "--connections", conns,
		"--environments", envs, "--env", "local", "--db", "", "--json")
	if r, _ := srv.got(); code != exitOK || r.Header.Get("X-Api-Key") != canary {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
}
