package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// TestRunsShowHTML: `runs show ID --html` writes the report page of a
// recorded run with its steps; a run of a file has no stored flow, which
// is said on stderr; once the flow is stored under the run's flow id, the
// page draws it with the path taken. The key sent is never in the page.
func TestRunsShowHTML(t *testing.T) {
	dir := t.TempDir()
	db, res := recordTierRun(t, dir)

	code, page, stderr := cli(t, "runs", "show", "last", "--html", "--db", db)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "Run "+res.RunID) || !strings.Contains(page, "node lookup)") || strings.Contains(page, "<svg") {
		t.Fatalf("page:\n%.2000s", page)
	}
	if !strings.Contains(stderr, `flow "Tier" of run `+res.RunID[:8]+" is not stored in this database") {
		t.Fatalf("stderr: %s", stderr)
	}
	if strings.Contains(page, "k-123") {
		t.Fatal("the page holds the API key")
	}

	f, err := flow.DecodeFlow([]byte(tierFlow))
	if err != nil {
		t.Fatal(err)
	}
	f.ID = flow.FileFlowID(filepath.Join(dir, "tier.flow.json"))
	store, err := openDB(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SaveFlow(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	store.Close()
	code, page, stderr = cli(t, "runs", "show", res.RunID[:8], "--html", "--db", db)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(page, "<svg") || !strings.Contains(page, `class="edge lit"`) {
		t.Fatalf("no picture with the lit path:\n%.3000s", page)
	}

	for _, args := range [][]string{{"runs", "--html", "--db", db}, {"runs", "show", "last", "--html", "--json", "--db", db}} {
		if code, _, stderr := cli(t, args...); code != exitInvalid || !strings.Contains(stderr, "--html writes one run's page") {
			t.Errorf("%v: exit %d %s", args, code, stderr)
		}
	}
}
