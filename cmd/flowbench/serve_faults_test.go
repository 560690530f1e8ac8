package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/webhook"

	_ "modernc.org/sqlite"
)

const serveTestSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// buildFlowbench builds the real binary into dir.
func buildFlowbench(t *testing.T, dir string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("signals are POSIX")
	}
	bin := filepath.Join(dir, "flowbench")
	cmd := exec.Command("go", "build", "-tags", "ci,migrated_fynedo", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// servedProcess is a running `flowbench serve`.
type servedProcess struct {
	cmd    *exec.Cmd
	url    string // the webhook trigger's URL
	stderr *bytes.Buffer
	exited chan struct{}
}

// startServe starts bin serve with args and waits (bounded) for its webhook URL.
func startServe(t *testing.T, bin, home string, args ...string) *servedProcess {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"FLOWBENCH_MASTER_KEY="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"HOOK_SECRET="+serveTestSecret)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sp := &servedProcess{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan struct{})}
	cmd.Stderr = sp.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() { // keep draining: every webhook prints a line
			if u, ok := strings.CutPrefix(sc.Text(), "webhook trigger: POST "); ok {
				select {
				case urls <- u:
				default:
				}
			}
		}
		close(urls)
	}()
	select {
	case u, ok := <-urls:
		if !ok {
			cmd.Wait()
			t.Fatalf("serve ended before listening: %s", sp.stderr)
		}
		sp.url = u
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("serve did not listen within 30s: %s", sp.stderr)
	}
	return sp
}

// post sends one signed delivery and returns the status and the answer.
func postSigned(client *http.Client, url, id string, body []byte) (int, map[string]any, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	webhook.SetHeaders(req.Header, serveTestSecret, id, time.Now(), body)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, out, nil
}

// chainFlow is a signed webhook flow of n set steps.
func chainFlow(n int) string {
	var nodes, edges []string
	nodes = append(nodes, `{"id": "start", "kind": "start", "trigger": {"type": "webhook", "path": "/hooks/chain", "secret": {"env": "HOOK_SECRET"}}}`)
	prev := "start"
	for i := range n {
		id := fmt.Sprintf("s%d", i)
		nodes = append(nodes, fmt.Sprintf(`{"id": %q, "kind": "set", "assign": [{"name": "v%d", "value": "trigger.n + %d"}]}`, id, i, i))
		edges = append(edges, fmt.Sprintf(`{"from": %q, "to": %q}`, prev, id))
		prev = id
	}
	nodes = append(nodes, `{"id": "end", "kind": "end", "outcome": "done"}`)
	edges = append(edges, fmt.Sprintf(`{"from": %q, "to": "end"}`, prev))
	return fmt.Sprintf(`{"format": "flowbench/v1", "name": "Chain", "nodes": [%s], "edges": [%s]}`,
		strings.Join(nodes, ",\n"), strings.Join(edges, ",\n"))
}

// runStatuses reads the status of each run id straight from the file, and
// checks the file's integrity.
func runStatuses(t *testing.T, path string, ids []string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check of %s: %q %v", path, ok, err)
	}
	out := map[string]string{}
	for _, id := range ids {
		var st string
		err := db.QueryRow("SELECT status FROM runs WHERE id = ?", id).Scan(&st)
		if err == sql.ErrNoRows {
			st = "missing"
		} else if err != nil {
			t.Fatal(err)
		}
		out[id] = st
	}
	return out
}

// TestFaultServeSIGKILLAndSIGTERM runs the real binary. SIGKILL under 16
// concurrent signed webhooks: every run whose 200 answer reached a client
// is in the database, finished, and the file is intact — 10 rounds. SIGTERM:
// runs in flight finish within the grace (exit 0), or are stopped, answered
// and recorded as stopped past it (exit 1, stderr says how many); none is
// left running.
func TestFaultServeSIGKILLAndSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildFlowbench(t, dir)
	flowPath := writeFile(t, dir, "chain.flow.json", chainFlow(20))

	t.Run("SIGKILL", func(t *testing.T) {
		const rounds, clients = 10, 16
		total := 0
		for round := range rounds {
			dbPath := filepath.Join(dir, fmt.Sprintf("kill%d.db", round))
			sp := startServe(t, bin, dir, "--flows", flowPath, "--db", dbPath)
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			var mu sync.Mutex
			var answered []string
			var n atomic.Int64
			var wg sync.WaitGroup
			stop := make(chan struct{})
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 10000; i++ { // bounded; the kill ends it sooner
						select {
						case <-stop:
							return
						default:
						}
						code, out, err := postSigned(client, sp.url, fmt.Sprintf("r%d-c%d-%d", round, c, i), []byte(`{"n": 1}`))
						if err != nil {
							return // the process is gone
						}
						if code == http.StatusOK {
							mu.Lock()
							answered = append(answered, fmt.Sprint(out["runId"]))
							mu.Unlock()
							n.Add(1)
						}
					}
				}()
			}
			// Kill mid-load: after some answers, at a varying moment.
			deadline := time.Now().Add(20 * time.Second)
			for n.Load() < int64(20+round*7) && time.Now().Before(deadline) {
				time.Sleep(2 * time.Millisecond)
			}
			sp.cmd.Process.Signal(syscall.SIGKILL)
			sp.cmd.Wait()
			close(stop)
			wg.Wait()
			client.CloseIdleConnections()
			mu.Lock()
			ids := append([]string(nil), answered...)
			mu.Unlock()
			if len(ids) == 0 {
				t.Fatalf("round %d: no webhook was answered 200 before the kill; stderr: %s", round, sp.stderr)
			}
			for id, st := range runStatuses(t, dbPath, ids) {
				if st != "succeeded" {
					t.Errorf("round %d: run %s was answered 200 but is %s in the database", round, id, st)
				}
			}
			total += len(ids)
		}
		t.Logf("%d runs answered 200 over %d rounds, all found committed", total, rounds)
	})

	t.Run("SIGTERM", func(t *testing.T) {
		heldFlow := writeFile(t, dir, "held.flow.json", `{"format": "flowbench/v1", "name": "Held", "nodes": [
  {"id": "start", "kind": "start", "trigger": {"type": "webhook", "path": "/hooks/held", "secret": {"env": "HOOK_SECRET"}}},
  {"id": "wait", "kind": "call", "call": {"connection": "api", "method": "POST", "uri": "\"/wait\""}},
  {"id": "end", "kind": "end", "outcome": "done"}],
 "edges": [{"from": "start", "to": "wait"}, {"from": "wait", "to": "end"}]}`)
		for _, tc := range []struct {
			name       string
			finish     bool // release the calls within the grace
			wantCode   int
			wantStatus string
			wantHTTP   int
		}{
			{"runs finish within the grace", true, 0, "succeeded", 200},
			{"runs stopped past the grace", false, 1, "stopped", 500},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rel := make(chan struct{})
				var calls atomic.Int32
				held := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					calls.Add(1)
					select {
					case <-rel:
					case <-r.Context().Done():
					case <-time.After(20 * time.Second):
					}
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(`{}`))
				}))
				defer held.Close()
				connPath := writeFile(t, dir, "held.connections.json", fmt.Sprintf(`{"format": "flowbench/v1", "connections": [
		  {"name": "api", "kind": "custom", "baseURL": %q, "auth": {"type": "none"}}]}`, held.URL))
				dbPath := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".db")
				sp := startServe(t, bin, dir, "--flows", heldFlow, "--connections", connPath, "--db", dbPath, "--shutdown-grace", "1s")
				const inFlight = 4
				type answer struct {
					code int
					out  map[string]any
					err  error
				}
				answers := make(chan answer, inFlight)
				client := &http.Client{Timeout: 20 * time.Second}
				for i := range inFlight {
					go func() {
						c, o, err := postSigned(client, sp.url, fmt.Sprintf("term-%d", i), []byte(`{}`))
						answers <- answer{c, o, err}
					}()
				}
				for i := 0; i < 1000 && calls.Load() < inFlight; i++ {
					time.Sleep(10 * time.Millisecond)
				}
				if calls.Load() != inFlight {
					t.Fatalf("%d of %d runs reached their call", calls.Load(), inFlight)
				}
				sp.cmd.Process.Signal(syscall.SIGTERM)
				if tc.finish {
					time.Sleep(100 * time.Millisecond)
					close(rel)
				}
				var ids []string
				for range inFlight {
					a := <-answers
					if a.err != nil || a.code != tc.wantHTTP || a.out["status"] != tc.wantStatus {
						t.Errorf("answer %d %v %v; want %d with status %s", a.code, a.out, a.err, tc.wantHTTP, tc.wantStatus)
						continue
					}
					ids = append(ids, fmt.Sprint(a.out["runId"]))
				}
				done := make(chan error, 1)
				go func() { done <- sp.cmd.Wait() }()
				select {
				case <-done:
				case <-time.After(30 * time.Second):
					sp.cmd.Process.Kill()
					t.Fatal("serve did not exit within 30s of SIGTERM")
				}
				if !tc.finish {
					close(rel)
				}
				if code := sp.cmd.ProcessState.ExitCode(); code != tc.wantCode {
					t.Fatalf("exit code %d, want %d; stderr: %s", code, tc.wantCode, sp.stderr)
				}
				if !tc.finish && !strings.Contains(sp.stderr.String(), "the shutdown stopped 4 webhook run(s) still in flight after 1s; they are recorded as stopped") {
					t.Errorf("stderr %q should say how many runs were stopped", sp.stderr)
				}
				for id, st := range runStatuses(t, dbPath, ids) {
					if st != tc.wantStatus {
						t.Errorf("run %s is %s in the database, want %s", id, st, tc.wantStatus)
					}
				}
				var running int
				db, _ := sql.Open("sqlite", dbPath)
				db.QueryRow("SELECT count(*) FROM runs WHERE status = 'running'").Scan(&running)
				db.Close()
				if running != 0 {
					t.Errorf("%d runs left running", running)
				}
			})
		}
	})
}
