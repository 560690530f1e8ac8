package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFaultStateBudgetRecordsTheRunFailed: a valid flow whose set node
// doubles a string in a loop used to exhaust the machine and leave its run
// "running"; now the state budget fails the step, `run` exits 1 naming the
// node and variable, and the database holds the run as failed.
func TestFaultStateBudgetRecordsTheRunFailed(t *testing.T) {
	testKey(t)
	dir := t.TempDir()
	flowPath := writeFile(t, dir, "grow.flow.json", `{
  "format": "flowbench/v1", "name": "Grow", "limits": {"stateBytes": 1048576},
  "variables": {"s": "\"x\""},
  "nodes": [
    {"id": "start", "kind": "start"},
    {"id": "grow", "kind": "set", "assign": [{"name": "s", "value": "vars.s + vars.s"}]},
    {"id": "again", "kind": "decision", "cases": [{"port": "yes", "when": "true"}]},
    {"id": "done", "kind": "end"}
  ],
  "edges": [
    {"from": "start", "to": "grow"},
    {"from": "grow", "to": "again"},
    {"from": "again", "port": "yes", "to": "grow"},
    {"from": "again", "port": "default", "to": "done"}
  ]
}`)
	dbPath := filepath.Join(dir, "runs.db")
	code, out, errOut := cli(t, "run", flowPath, "--db", dbPath)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitFailed, out, errOut)
	}
	for _, want := range []string{`"grow"`, "vars.s", "limits.stateBytes"} {
		if !strings.Contains(out+errOut, want) {
			t.Errorf("output does not name %s:\n%s\n%s", want, out, errOut)
		}
	}
	if got := storedStatuses(t, dbPath); len(got) != 1 || got[0] != "failed" {
		t.Fatalf("stored run statuses %v, want [failed]", got)
	}
}
