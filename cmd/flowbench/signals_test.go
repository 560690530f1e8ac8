package main

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// slowFlow calls the "crm" connection once; the test's server never answers
// before the caller gives up.
const slowFlow = `{
  "format": "flowbench/v1",
  "name": "Slow",
  "nodes": [
    {"id": "start", "kind": "start", "trigger": {"type": "event", "events": ["slow.go"]}},
    {"id": "lookup", "kind": "call", "call": {"connection": "crm", "method": "POST", "uri": "\"/v1/tier\"", "body": "{}"}},
    {"id": "end", "kind": "end", "outcome": "done"}
  ],
  "edges": [
    {"from": "start", "to": "lookup"},
    {"from": "lookup", "to": "end"},
    {"from": "lookup", "port": "failure", "to": "end"}
  ]
}`

// slowServer holds every request until the client goes away (at most 30 s)
// and reports each request's arrival on the returned channel.
func slowServer(t *testing.T) (*httptest.Server, <-chan struct{}) {
	arrived := make(chan struct{}, 16)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	t.Cleanup(s.Close)
	return s, arrived
}

// sigtermMidCall starts bin with args, waits (bounded) until its call is
// in flight at the slow server, sends SIGTERM and returns the exit status
// and stderr.
func sigtermMidCall(t *testing.T, bin, home string, arrived <-chan struct{}, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"FLOWBENCH_MASTER_KEY="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"CRM_TEST_KEY=k-123")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-arrived:
	case err := <-exited:
		t.Fatalf("%v exited before its call reached the server: %v\n%s", args, err, stderr.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("%v: the call never reached the server\n%s", args, stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), stderr.String()
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		t.Fatalf("%v did not end within 30 s of SIGTERM\n%s", args, stderr.String())
	}
	return -1, ""
}

// storedStatuses returns the status of every run stored in the database.
func storedStatuses(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT status FROM runs ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFaultSIGTERM: SIGTERM (timeout(1), systemd, container runtimes) ends
// `run` and `emit` like Ctrl-C: the run in flight is recorded "stopped" and
// the exit status is 1, not 143 with the run left "running".
func TestFaultSIGTERM(t *testing.T) {
	dir := t.TempDir()
	bin := buildFlowbench(t, dir)
	srv, arrived := slowServer(t)
	flowPath := writeFile(t, dir, "slow.flow.json", slowFlow)
	conns := writeFile(t, dir, "connections.json", connectionsFile(srv.URL))

	for _, tc := range []struct {
		name string
		args func(db string) []string
	}{
		{"run", func(db string) []string {
			return []string{"run", flowPath, "--connections", conns, "--db", db}
		}},
		{"emit", func(db string) []string {
			return []string{"emit", "slow.go", "--flows", flowPath, "--connections", conns, "--db", db}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			db := filepath.Join(home, "flowbench.db")
			code, errOut := sigtermMidCall(t, bin, home, arrived, tc.args(db)...)
			if code != exitFailed {
				t.Fatalf("exit %d after SIGTERM, want %d\n%s", code, exitFailed, errOut)
			}
			if got := storedStatuses(t, db); fmt.Sprint(got) != "[stopped]" {
				t.Fatalf("runs stored %v after SIGTERM, want [stopped]\n%s", got, errOut)
			}
			if strings.Contains(errOut, "panic") {
				t.Fatalf("stderr: %s", errOut)
			}
		})
	}
}
