package main

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func delayFlow(duration string) string {
	return `{
  "format": "flowbench/v1",
  "name": "Paced",
  "nodes": [
    {"id": "start", "kind": "start"},
    {"id": "pause", "kind": "delay", "duration": ` + duration + `},
    {"id": "done", "kind": "end", "outcome": "done"}
  ],
  "edges": [{"from": "start", "to": "pause"}, {"from": "pause", "to": "done"}]
}`
}

type delayJSONResult struct {
	Status, Error string
	Steps         []map[string]any
}

// TestRunShowsWhatADelayWaited: `run --json` gives a delay step its
// decision ("waited 20ms") and its duration (timed like a call; a start
// has none); the text output shows the wait on the step's line.
func TestRunShowsWhatADelayWaited(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "paced.flow.json", delayFlow(`"\"20ms\""`))
	code, out, errOut := cli(t, "run", p, "--json", "--db", "")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res delayJSONResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Status != "succeeded" || len(res.Steps) != 3 {
		t.Fatalf("result %+v", res)
	}
	pause := res.Steps[1]
	ms, timed := pause["durationMs"].(float64)
	if pause["node"] != "pause" || pause["kind"] != "delay" || pause["port"] != "next" || pause["decision"] != "waited 20ms" || !timed || ms < 20 {
		t.Errorf("delay step %v", pause)
	}
	if _, ok := res.Steps[0]["durationMs"]; ok {
		t.Errorf("the start step has a duration: %v", res.Steps[0])
	}

	code, out, errOut = cli(t, "run", p, "--db", "")
	if code != 0 || !strings.Contains(out, "delay    · waited 20ms → next") || strings.Contains(out, "HTTP") {
		t.Errorf("exit %d, text output:\n%s%s", code, out, errOut)
	}
}

// TestRunDelayRefusesALongWait: a literal duration over 24h is a problem
// naming node and field; nothing runs (exit 2).
func TestRunDelayRefusesALongWait(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "long.flow.json", delayFlow(`"duration(\"36h\")"`))
	code, out, errOut := cli(t, "run", p, "--db", "")
	if code != exitInvalid || !strings.Contains(out+errOut, `node "pause", field duration: 36h0m0s is longer than the 24h0m0s a delay may wait`) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

// TestSIGINTEndsADelay: Ctrl-C during a one-minute delay ends `run` at once
// with exit 1, the delay step and the run stopped and recorded so.
func TestSIGINTEndsADelay(t *testing.T) {
	dir := t.TempDir()
	bin := buildFlowbench(t, dir)
	p := writeFile(t, dir, "paced.flow.json", delayFlow(`"\"1m\""`))
	home := t.TempDir()
	db := filepath.Join(home, "flowbench.db")
	cmd := exec.Command(bin, "run", p, "--json", "--db", db)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"FLOWBENCH_MASTER_KEY="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// The run is recorded as running once it has started; the delay
	// follows its start step at once.
	for i := 0; ; i++ {
		if runningRuns(db) == 1 {
			break
		}
		if i == 1000 {
			_ = cmd.Process.Kill()
			t.Fatalf("the run was not recorded as running within 20 s\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		t.Fatalf("run did not end within 30 s of SIGINT\n%s", stderr.String())
	}
	if time.Since(began) >= time.Minute {
		t.Fatal("the delay was waited out")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s", code, exitFailed, stderr.String())
	}
	var res delayJSONResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	last := res.Steps[len(res.Steps)-1]
	if res.Status != "stopped" || res.Error != `the run was stopped at node "pause"` || last["node"] != "pause" ||
		last["status"] != "stopped" || !strings.HasSuffix(last["error"].(string), "into a wait of 1m0s") {
		t.Errorf("result %+v", res)
	}
	if got := storedStatuses(t, db); len(got) != 1 || got[0] != "stopped" {
		t.Errorf("stored %v, want [stopped]", got)
	}
}

// runningRuns counts the runs recorded as running in the database at path;
// 0 while it is not there yet or cannot be read.
func runningRuns(path string) int {
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM runs WHERE status = 'running'").Scan(&n); err != nil {
		return 0
	}
	return n
}
