package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs a command in-process and returns its exit status and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func testKey(t *testing.T) {
	t.Helper()
	t.Setenv("FLOWBENCH_MASTER_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
}

const tierFlow = `{
  "format": "flowbench/v1",
  "name": "Tier",
  "nodes": [
    {"id": "start", "kind": "start", "trigger": {"type": "manual"}},
    {"id": "lookup", "kind": "call", "call": {"connection": "crm", "method": "POST", "uri": "\"/v1/tier\"",
      "body": "{\"chatId\": trigger.chatId}", "branches": ["vip", "standard"], "completionEvent": "tier.looked_up"}},
    {"id": "vip", "kind": "end", "outcome": "vip"},
    {"id": "other", "kind": "end", "outcome": "other"},
    {"id": "sorry", "kind": "end", "outcome": "sorry"}
  ],
  "edges": [
    {"from": "start", "to": "lookup"},
    {"from": "lookup", "port": "vip", "to": "vip"},
    {"from": "lookup", "port": "standard", "to": "other"},
    {"from": "lookup", "port": "default", "to": "other"},
    {"from": "lookup", "port": "failure", "to": "sorry"}
  ]
}`

func connectionsFile(baseURL string) string {
	return fmt.Sprintf(`{"format": "flowbench/v1", "connections": [
  {"name": "crm", "kind": "custom", "baseURL": %q,
   "auth": {"type": "apiKey", "in": "header", "name": "x-api-key", "value": {"env": "CRM_TEST_KEY"}}}]}`, baseURL)
}

func tierServer(t *testing.T, tier string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-api-key") != "k-123" {
			http.Error(w, "bad key", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"returnValue": %q}`, tier)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestRunPrintsTheContractJSONAndRecords(t *testing.T) {
	testKey(t)
	t.Setenv("CRM_TEST_KEY", "k-123")
	dir := t.TempDir()
	srv := tierServer(t, "vip")
	flowPath := writeFile(t, dir, "tier.flow.json", tierFlow)
	connPath := writeFile(t, dir, "c.connections.json", connectionsFile(srv.URL))
	db := filepath.Join(dir, "runs.db")

	code, out, errOut := cli(t, "run", flowPath, "--connections", connPath, "--input", `{"chatId": "c-1"}`, "--json", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var res struct {
		RunID, Flow, Status, Outcome string
		Steps                        []map[string]any
		Events                       []string
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	if res.Status != "succeeded" || res.Outcome != "vip" || res.Flow != "Tier" || len(res.Steps) != 3 {
		t.Fatalf("result %+v", res)
	}
	lookup := res.Steps[1]
	if lookup["node"] != "lookup" || lookup["port"] != "vip" || lookup["httpStatus"] != 200.0 || lookup["returnValue"] != "vip" || lookup["attempts"] != 1.0 {
		t.Fatalf("lookup step %v", lookup)
	}
	if strings.Join(res.Events, ",") != "tier.looked_up" {
		t.Fatalf("events %v", res.Events)
	}
	if strings.Contains(out+errOut, "k-123") {
		t.Fatal("the API key appears in the output")
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the run was not recorded: %v", err)
	}
}

func TestRunExitStatus(t *testing.T) {
	testKey(t)
	t.Setenv("CRM_TEST_KEY", "k-123")
	dir := t.TempDir()
	flowPath := writeFile(t, dir, "tier.flow.json", tierFlow)

	t.Run("failure path taken is still exit 0", func(t *testing.T) {
		t.Setenv("CRM_TEST_KEY", "wrong")
		srv := tierServer(t, "vip")
		connPath := writeFile(t, dir, "c1.connections.json", connectionsFile(srv.URL))
		code, out, errOut := cli(t, "run", flowPath, "--connections", connPath, "--db", "")
		if code != 0 || !strings.Contains(out, "outcome sorry") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
	t.Run("failed run is exit 1", func(t *testing.T) {
		noFailure := strings.Replace(tierFlow, `,
    {"from": "lookup", "port": "failure", "to": "sorry"}`, "", 1)
		noFailure = strings.Replace(noFailure, `,
    {"id": "sorry", "kind": "end", "outcome": "sorry"}`, "", 1)
		p := writeFile(t, dir, "nofail.flow.json", noFailure)
		srv := tierServer(t, "vip")
		srv.Close() // connection refused
		connPath := writeFile(t, dir, "c2.connections.json", connectionsFile(srv.URL))
		code, out, errOut := cli(t, "run", p, "--connections", connPath, "--db", "")
		if code != 1 || !strings.Contains(out, `step "lookup" failed`) {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
}

func TestBadInputRunsNothingAndWritesNothing(t *testing.T) {
	testKey(t)
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	dir := t.TempDir()
	connPath := writeFile(t, dir, "c.connections.json", connectionsFile(srv.URL))
	cases := []struct {
		name, flow string
		want       []string
	}{
		{"malformed JSON", `{"format": "flowbench/v1", "name": "x", "nodes": [`, []string{"bad.flow.json"}},
		{"unknown fields", strings.Replace(strings.Replace(tierFlow, `"method": "POST"`, `"method": "POST", "retries": 3`, 1), `"name": "Tier"`, `"name": "Tier", "colour": "red"`, 1),
			[]string{"nodes[1].call.retries", "colour"}},
		{"invalid CEL and missing connection", strings.Replace(strings.Replace(tierFlow, `"uri": "\"/v1/tier\""`, `"uri": "\"/v1/tier\" +"`, 1), `"connection": "crm"`, `"connection": "nope"`, 1),
			[]string{`"lookup"`, "call.uri", "call.connection", "line 1, column"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, "bad.flow.json", c.flow)
			db := filepath.Join(dir, "never.db")
			for _, cmd := range [][]string{
				{"validate", p, "--connections", connPath},
				{"run", p, "--connections", connPath, "--db", db},
			} {
				code, _, errOut := cli(t, cmd...)
				if code != 2 {
					t.Fatalf("%s: exit %d, want 2; stderr:\n%s", cmd[0], code, errOut)
				}
				for _, w := range c.want {
					if !strings.Contains(errOut, w) {
						t.Errorf("%s: stderr does not mention %q:\n%s", cmd[0], w, errOut)
					}
				}
			}
			if hits != 0 {
				t.Fatalf("the server received %d requests", hits)
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Fatalf("a database was written for an invalid flow: %v", err)
			}
		})
	}
}

func TestValidateBundledExample(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := cli(t, "validate", writeFile(t, dir, "tier.flow.json", tierFlow))
	if code != 0 || !strings.Contains(out, "valid") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestEmitRunsTheListeningFlows(t *testing.T) {
	dir := t.TempDir()
	listen := func(name, event, next string) string {
		emit := ""
		edges := `{"from": "start", "to": "end"}`
		if next != "" {
			emit = fmt.Sprintf(`, {"id": "tell", "kind": "emit", "event": %q, "payload": "{\"from\": trigger.id}"}`, next)
			edges = `{"from": "start", "to": "tell"}, {"from": "tell", "to": "end"}`
		}
		return fmt.Sprintf(`{"format": "flowbench/v1", "name": %q, "nodes": [
  {"id": "start", "kind": "start", "trigger": {"type": "event", "events": [%q]}},
  {"id": "end", "kind": "end", "outcome": "done"}%s], "edges": [%s]}`, name, event, emit, edges)
	}
	writeFile(t, dir, "a.flow.json", listen("Greeter", "chat.opened", "chat.greeted"))
	writeFile(t, dir, "b.flow.json", listen("Logger", "chat.greeted", ""))
	writeFile(t, dir, "c.flow.json", listen("Other", "order.placed", ""))

	code, out, errOut := cli(t, "emit", "chat.opened", "--payload", `{"id": 5}`, "--flows", dir, "--db", "", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var execs []struct {
		Event string
		Runs  []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &execs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string]string{}
	for _, e := range execs {
		for _, r := range e.Runs {
			got[e.Event] += r["flow"].(string)
		}
	}
	if len(got) != 2 || got["chat.opened"] != "Greeter" || got["chat.greeted"] != "Logger" {
		t.Fatalf("event → flows %v, want chat.opened → Greeter, chat.greeted → Logger", got)
	}
	code, _, errOut = cli(t, "emit", "nobody.listens", "--flows", dir, "--db", "")
	if code != 1 || !strings.Contains(errOut, "no flow listens") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
