// Package temporal_test runs flows on a real Temporal server started in
// the test process (go.temporal.io/server/temporaltest) on 127.0.0.1,
// through the flowbench binary's worker and start commands. It is its own
// module so the server's dependencies stay out of the app's go.mod.
package temporal_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"
)

var (
	// bin is the flowbench binary built for these tests.
	bin string
	// shared is the server the tests share (newServer).
	shared     *temporaltest.TestServer
	sharedOnce sync.Once
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flowbench-temporal-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-o", dir, "./cmd/flowbench")
	build.Dir = "../.."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build flowbench: %v\n%s", err, out)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "flowbench")
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// server returns the Temporal server the tests share, started on first use.
func server(t testing.TB) *temporaltest.TestServer {
	sharedOnce.Do(func() { shared = temporaltest.NewServer() })
	return shared
}

// crm is the chatbot flow's endpoint: POST /v1/tier answers the tier of the
// chat in the body: "vip-…" vip, "std-…" standard, "fail-…" 500, "flaky-…"
// 500 twice then vip, anything else an unknown tier. It keeps every
// request's chat id and task GUID, and refuses a wrong API key.
type crm struct {
	*httptest.Server
	mu    sync.Mutex
	calls []crmCall
	seen  map[string]int
}

type crmCall struct{ Path, Chat, GUID, Key string }

func newCRM(t testing.TB) *crm {
	c := &crm{seen: map[string]int{}}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ChatID string `json:"chatId"`
		}
		_ = json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
		c.mu.Lock()
		c.calls = append(c.calls, crmCall{Path: r.URL.Path, Chat: body.ChatID, GUID: r.Header.Get("X-Http-Task-Guid"), Key: r.Header.Get("X-Api-Key")})
		c.seen[body.ChatID]++
		n := c.seen[body.ChatID]
		c.mu.Unlock()
		if r.Header.Get("X-Api-Key") != "crm-key" {
			http.Error(w, "bad key", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(body.ChatID, "vip-"), strings.HasPrefix(body.ChatID, "flaky-") && n > 2:
			fmt.Fprint(w, `{"returnValue": "vip", "agent": "senior"}`)
		case strings.HasPrefix(body.ChatID, "std-"):
			fmt.Fprint(w, `{"returnValue": "standard"}`)
		case strings.HasPrefix(body.ChatID, "fail-"), strings.HasPrefix(body.ChatID, "flaky-"):
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error": "tier service down"}`)
		default:
			fmt.Fprint(w, `{"returnValue": "gold"}`)
		}
	}))
	t.Cleanup(c.Close)
	return c
}

// callsFor returns the requests made for one chat.
func (c *crm) callsFor(chat string) []crmCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []crmCall
	for _, cl := range c.calls {
		if cl.Chat == chat {
			out = append(out, cl)
		}
	}
	return out
}

// files writes the connections file pointing crm at c and copies the flows
// named (from assets/flows, or given as name → JSON) into a folder.
func files(t testing.TB, c *crm, flows map[string]string) (dir, conns string) {
	dir = t.TempDir()
	conns = filepath.Join(dir, "crm.connections.json")
	cf := fmt.Sprintf(`{"format": "flowbench/v1", "connections": [{"name": "crm", "kind": "custom", "baseURL": %q, "auth": {"type": "apiKey", "in": "header", "name": "x-api-key", "value": {"env": "CRM_API_KEY"}}}]}`, c.URL)
	if err := os.WriteFile(conns, []byte(cf), 0o600); err != nil {
		t.Fatal(err)
	}
	flowDir := filepath.Join(dir, "flows")
	if err := os.Mkdir(flowDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range flows {
		if body == "" {
			b, err := os.ReadFile(filepath.Join("../../assets/flows", name))
			if err != nil {
				t.Fatal(err)
			}
			body = string(b)
		}
		if err := os.WriteFile(filepath.Join(flowDir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return flowDir, conns
}

// proc is a flowbench process.
type proc struct {
	cmd *exec.Cmd
	out *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var cmdEnv = append(os.Environ(), "CRM_API_KEY=crm-key")

// startWorker starts `flowbench worker` and waits until it polls.
func startWorker(t testing.TB, args ...string) *proc {
	t.Helper()
	p, _ := startProc(t, "worker polling", append(append([]string{"worker"}, cluster(t)...), args...)...)
	return p
}

// startProc starts flowbench with args and waits for a line of its output
// starting with prefix, which it returns.
func startProc(t testing.TB, prefix string, args ...string) (*proc, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = cmdEnv
	out := &lockedBuffer{}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = io.MultiWriter(out, pw), out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, out: out}
	t.Cleanup(func() { p.kill() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), prefix) {
				ready <- sc.Text()
				break
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case line := <-ready:
		return p, line
	case <-time.After(60 * time.Second):
		t.Fatalf("flowbench %s printed no %q: %s", args[0], prefix, out.String())
	}
	return nil, ""
}

// kill ends the process at once (SIGKILL), as a crash would.
func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

// flowbench runs the binary to its end with a time limit and returns its
// stdout, stderr and exit status.
func flowbench(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cmdEnv
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("flowbench %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

// cluster is the flags that reach the shared server.
func cluster(t testing.TB) []string {
	return []string{"--temporal", server(t).GetFrontendHostPort(), "--namespace", server(t).GetDefaultNamespace()}
}

// sdkClient is a client of the shared server.
func sdkClient(t testing.TB) client.Client {
	c := server(t).GetDefaultClient()
	return c
}

// normalized is a run JSON without what differs between two runs of the
// same flow and input: ids and timings.
func normalized(t testing.TB, out string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	delete(m, "runId")
	delete(m, "durationMs")
	steps, _ := m["steps"].([]any)
	for _, s := range steps {
		delete(s.(map[string]any), "durationMs")
	}
	return m
}
