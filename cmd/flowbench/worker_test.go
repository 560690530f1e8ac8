package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// worker and start check their arguments and files before they reach any
// cluster, naming what is missing or wrong.
func TestWorkerAndStartRefuseBadArguments(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.flow.json")
	if err := os.WriteFile(bad, []byte(`{"format": "flowbench/v1", "name": "bad", "nodes": [{"id": "s", "kind": "start", "trigger": {"type": "manual"}}, {"id": "d", "kind": "decision", "cases": [{"port": "p", "when": "vars.x >"}]}], "edges": [{"from": "s", "to": "d"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"worker", "--flows", dir}, "flowbench worker: give the cluster and the flows"},
		{[]string{"worker", "--temporal", "127.0.0.1:1"}, "flowbench worker: give the cluster and the flows"},
		{[]string{"worker", "--temporal", "127.0.0.1:1", "--flows", bad}, "bad.flow.json"},
		{[]string{"worker", "--temporal", "127.0.0.1:1", "--flows", filepath.Join(dir, "none.flow.json")}, "none.flow.json"},
		{[]string{"start", "--temporal", "127.0.0.1:1"}, "flowbench start: give one flow"},
		{[]string{"start", "some-flow"}, "flowbench start: give one flow"},
		{[]string{"start", bad, "--temporal", "127.0.0.1:1", "--input", "{nope"}, "--input: not valid JSON"},
	} {
		var stdout, stderr bytes.Buffer
		if code := dispatch(tc.args, &stdout, &stderr); code != exitInvalid || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), exitInvalid, tc.want)
		}
	}
}
