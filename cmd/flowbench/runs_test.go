package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// `flowbench runs` lists what was recorded and `runs show` prints one run
// as `run --json` printed it when it ran.
func TestRunsListsAndShowsRecordedRuns(t *testing.T) {
	dir := t.TempDir()
	db, first := recordTierRun(t, dir)
	recordTierRun(t, dir)

	code, out, stderr := cli(t, "runs", "--json", "--db", db)
	if code != exitOK {
		t.Fatalf("runs --json: exit %d, %s", code, stderr)
	}
	var list []jsonRun
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("runs --json is not a JSON array: %v\n%s", err, out)
	}
	if len(list) != 2 || list[1].RunID != first.RunID || list[1].Status != "succeeded" || list[1].Outcome != "vip" || list[1].Flow != "Tier" {
		t.Fatalf("runs --json = %+v; want two runs, the first run last, succeeded with outcome vip", list)
	}
	if code, out, _ := cli(t, "runs", "--db", db, "--limit", "1"); code != exitOK || strings.Count(out, "\n") != 2 || !strings.Contains(out, "succeeded") {
		t.Fatalf("runs --limit 1: exit %d\n%s", code, out)
	}

	// show, by the eight characters the app shows: the same JSON as run --json
	code, out, stderr = cli(t, "runs", "show", first.RunID[:8], "--json", "--db", db)
	if code != exitOK {
		t.Fatalf("runs show: exit %d, %s", code, stderr)
	}
	var shown jsonResult
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatal(err)
	}
	path := func(r jsonResult) string {
		var s []string
		for _, st := range r.Steps {
			s = append(s, st.Node+":"+st.Port)
		}
		return strings.Join(s, " ")
	}
	if shown.RunID != first.RunID || shown.Status != first.Status || path(shown) != path(first) {
		t.Fatalf("runs show = %s %s [%s]; run --json printed %s %s [%s]", shown.RunID, shown.Status, path(shown), first.RunID, first.Status, path(first))
	}
	if code, out, _ := cli(t, "runs", "show", "last", "--db", db); code != exitOK || !strings.Contains(out, "lookup") {
		t.Fatalf("runs show last: exit %d\n%s", code, out)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"runs", "show", "zzzz", "--db", db}, `no run "zzzz"`},
		{[]string{"runs", "show", "--db", db}, "give one run id"},
		{[]string{"runs", "--status", "done", "--db", db}, `"done" is not a run state`},
		{[]string{"runs", "--limit", "0", "--db", db}, "out of range"},
		{[]string{"runs", "--db", filepath.Join(dir, "none.db")}, "no database at"},
	} {
		code, _, stderr := cli(t, c.args...)
		if code != exitInvalid || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", c.args, code, stderr, exitInvalid, c.want)
		}
	}
}

// Run records hold no secrets: listing them needs no master key, even when
// the database's secrets were sealed under another one.
func TestRunsNeedsNoMasterKey(t *testing.T) {
	db, _ := recordTierRun(t, t.TempDir())
	t.Setenv("FLOWBENCH_MASTER_KEY", "")
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if code, out, stderr := cli(t, "runs", "show", "last", "--db", db); code != exitOK || !strings.Contains(out, "lookup") {
		t.Fatalf("runs show last without the key: exit %d\n%s%s", code, out, stderr)
	}
}

// recordTierRun runs the tier flow against a local server, recording into
// dir/runs.db, and returns the database and what run --json printed.
func recordTierRun(t *testing.T, dir string) (string, jsonResult) {
	t.Helper()
	testKey(t)
	t.Setenv("CRM_TEST_KEY", "k-123")
	db := filepath.Join(dir, "runs.db")
	srv := tierServer(t, "vip")
	flowPath := writeFile(t, dir, "tier.flow.json", tierFlow)
	connPath := writeFile(t, dir, "crm.connections.json", connectionsFile(srv.URL))
	code, ran, stderr := cli(t, "run", flowPath, "--connections", connPath, "--input", `{"chatId": "c1"}`, "--json", "--db", db)
	if code != exitOK {
		t.Fatalf("run: exit %d, %s", code, stderr)
	}
	var res jsonResult
	if err := json.Unmarshal([]byte(ran), &res); err != nil {
		t.Fatal(err)
	}
	return db, res
}
