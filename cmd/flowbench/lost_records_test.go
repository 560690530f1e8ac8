package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/storage"
)

// refuseRunRows makes every later write of a run row fail, the way a full
// disk or a read-only file would; a trigger lives in the file, so it works
// for tests running as root too, where chmod stops nothing.
func refuseRunRows(t *testing.T, path string) {
	t.Helper()
	db, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER refuse_runs BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
}

func TestFaultRunLostRecordExitsThree(t *testing.T) {
	testKey(t)
	t.Setenv("CRM_TEST_KEY", "k-123")
	dir := t.TempDir()
	srv := tierServer(t, "vip")
	flowPath := writeFile(t, dir, "tier.flow.json", tierFlow)
	connPath := writeFile(t, dir, "c.connections.json", connectionsFile(srv.URL))
	db := filepath.Join(dir, "runs.db")
	refuseRunRows(t, db)

	code, out, errOut := cli(t, "run", flowPath, "--connections", connPath, "--input", `{"chatId": "c-1"}`, "--json", "--db", db)
	if code != exitLost {
		t.Fatalf("exit %d, want %d (record lost)\nstdout: %s\nstderr: %s", code, exitLost, out, errOut)
	}
	id := regexp.MustCompile(`"runId":\s*"([^"]+)"`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("no runId in the output: %s", out)
	}
	for _, want := range []string{
		"could not all be recorded in " + db,
		"the record of run " + id[1] + ` of flow "Tier" is missing or incomplete: `,
		"database or disk is full",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestFaultEmitLostRecordExitsThree(t *testing.T) {
	dir := t.TempDir()
	flows := t.TempDir()
	writeFile(t, flows, "greet.flow.json", `{"format": "flowbench/v1", "name": "Greet",
  "nodes": [{"id": "start", "kind": "start", "trigger": {"type": "event", "events": ["chat.opened"]}},
            {"id": "done", "kind": "end", "outcome": "greeted"}],
  "edges": [{"from": "start", "to": "done"}]}`)
	db := filepath.Join(dir, "runs.db")
	refuseRunRows(t, db)
	code, out, errOut := cli(t, "emit", "chat.opened", "--payload", `{"id": 5}`, "--flows", flows, "--db", db)
	if code != exitLost {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitLost, out, errOut)
	}
	if !strings.Contains(errOut, `of flow "Greet" is missing or incomplete`) {
		t.Errorf("stderr does not name the flow of the lost run:\n%s", errOut)
	}
}
