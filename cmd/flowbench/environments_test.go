package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// captureServer answers every request 200 {"returnValue": "vip"} and keeps
// the JSON bodies it received.
type captureServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	paths  []string
}

func newCaptureServer(t *testing.T) *captureServer {
	t.Helper()
	c := &captureServer{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		var body map[string]any
		_ = json.Unmarshal(data, &body)
		c.mu.Lock()
		c.bodies = append(c.bodies, body)
		c.paths = append(c.paths, r.URL.Path)
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"returnValue": "vip"}`)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *captureServer) last(t *testing.T) map[string]any {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.bodies) == 0 {
		t.Fatal("the server received nothing")
	}
	return c.bodies[len(c.bodies)-1]
}

const idFlow = `{"format": "flowbench/v1", "name": "Ids",
 "nodes": [
  {"id": "start", "kind": "start", "trigger": {"type": "manual"}},
  {"id": "send", "kind": "call", "call": {"connection": "api", "method": "POST", "uri": "\"/ids\"",
    "body": "{\"flowId\": flow.id}"}},
  {"id": "done", "kind": "end", "outcome": "sent"}],
 "edges": [{"from": "start", "to": "send"}, {"from": "send", "to": "done"}, {"from": "send", "port": "failure", "to": "done"}]}`

// TestFlowFileWithoutIDGetsAStableID: a flow file without an id runs with a
// flow.id derived from its file name: the same on two runs (also through a
// path spelled differently), another for another file.
func TestFlowFileWithoutIDGetsAStableID(t *testing.T) {
	srv := newCaptureServer(t)
	dir := t.TempDir()
	conns := writeFile(t, dir, "api.connections.json", fmt.Sprintf(`{"format": "flowbench/v1", "connections": [
  {"name": "api", "kind": "custom", "baseURL": %q, "auth": {"type": "none"}}]}`, srv.URL))
	first := writeFile(t, dir, "ids.flow.json", idFlow)
	second := writeFile(t, dir, "copy.flow.json", idFlow)
	idOf := func(path string) string {
		t.Helper()
		code, out, errOut := cli(t, "run", path, "--connections", conns, "--db", "")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		id, _ := srv.last(t)["flowId"].(string)
		return id
	}
	a := idOf(first)
	if len(a) != 36 {
		t.Fatalf("flow.id %q is not a UUID", a)
	}
	if again := idOf(filepath.Join(dir, ".", "x", "..", "ids.flow.json")); again != a {
		t.Fatalf("the same file ran with flow.id %q, then %q", a, again)
	}
	if other := idOf(second); other == a || len(other) != 36 {
		t.Fatalf("another file ran with flow.id %q, the first with %q", other, a)
	}
	withID := writeFile(t, dir, "given.flow.json", `{"format": "flowbench/v1", "id": "2f1c9c1e-6a4b-4a44-9d43-2d4a1f7f3c10",`+idFlow[len(`{"format": "flowbench/v1",`):])
	if got := idOf(withID); got != "2f1c9c1e-6a4b-4a44-9d43-2d4a1f7f3c10" {
		t.Fatalf("a file's own id was replaced by %q", got)
	}
}

// TestChatbotContractFromTheCLIWithEnvironments: the bundled chatbot demo,
// run from the command line with an environments file, sends orgId and
// chatBotId non-empty to a server on 127.0.0.1 that the environment's
// base URL override points the connection at.
func TestChatbotContractFromTheCLIWithEnvironments(t *testing.T) {
	srv := newCaptureServer(t)
	dir := t.TempDir()
	conns := writeFile(t, dir, "bot.connections.json", `{"format": "flowbench/v1", "connections": [
  {"name": "demo-bot", "kind": "custom", "baseURL": "https://bot.example.com/hooks", "auth": {"type": "none"}}]}`)
	envs := writeFile(t, dir, "demo.environments.json", fmt.Sprintf(`{"format": "flowbench/v1", "environments": [
  {"name": "staging", "variables": {"orgId": "org-staging"}},
  {"name": "prod", "variables": {"orgId": "org-42", "chatBotId": "bot-7"},
   "connections": {"demo-bot": {"baseURL": %q}}}]}`, srv.URL+"/hooks"))
	flowPath := "../../assets/flows/demo-chatbot.flow.json"
	code, out, errOut := cli(t, "run", flowPath, "--connections", conns, "--environments", envs, "--env", "prod",
		"--input", `{"chatId": "c-1"}`, "--db", "", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	body := srv.last(t)
	abs, _ := filepath.Abs(flowPath)
	if body["orgId"] != "org-42" || body["chatId"] != "c-1" || body["type"] != "CloudFunctionStepExecution" {
		t.Fatalf("contract body %v", body)
	}
	if id, _ := body["chatBotId"].(string); len(id) != 36 {
		t.Fatalf("chatBotId %q, want the flow's UUID (from %s)", body["chatBotId"], abs)
	}
	if srv.paths[len(srv.paths)-1] != "/hooks/chatbot/step" {
		t.Fatalf("the call went to %s", srv.paths[len(srv.paths)-1])
	}
	var res struct{ Outcome string }
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Outcome == "" {
		t.Fatalf("result %s (%v)", out, err)
	}
}

// TestEnvironmentsFileErrors: an unknown --env names the file and lists the
// environments; --environments without --env, a literal secret, and an
// override of a connection that does not exist are exit 2, nothing run.
func TestEnvironmentsFileErrors(t *testing.T) {
	srv := newCaptureServer(t)
	dir := t.TempDir()
	conns := writeFile(t, dir, "api.connections.json", fmt.Sprintf(`{"format": "flowbench/v1", "connections": [
  {"name": "api", "kind": "custom", "baseURL": %q, "auth": {"type": "none"}}]}`, srv.URL))
	flowPath := writeFile(t, dir, "ids.flow.json", idFlow)
	envs := writeFile(t, dir, "x.environments.json", `{"format": "flowbench/v1", "environments": [{"name": "prod"}, {"name": "staging"}]}`)
	secret := writeFile(t, dir, "s.environments.json", `{"format": "flowbench/v1", "environments": [{"name": "prod",
  "connections": {"api": {"auth": {"type": "bearer", "token": "tok-literal-77"}}}}]}`)
	missing := writeFile(t, dir, "m.environments.json", `{"format": "flowbench/v1", "environments": [{"name": "prod",
  "connections": {"crm": {"baseURL": "https://crm.example.com"}}}]}`)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown env", []string{"--environments", envs, "--env", "qa"}, envs + `: no environment "qa"; the file defines prod, staging`},
		{"no env", []string{"--environments", envs}, envs + `: choose an environment with --env NAME: prod, staging`},
		{"literal secret", []string{"--environments", secret, "--env", "prod"}, secret + `: environments[0].connections.api.auth.token: environment "prod": a secret's value may not be written`},
		{"missing connection", []string{"--environments", missing, "--env", "prod"}, missing + `: connection "crm": environment "prod" overrides connection "crm", which is not among the connections`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, cmd := range [][]string{{"run", flowPath}, {"emit", "x.y", "--flows", flowPath}, {"serve", "--flows", flowPath}} {
				args := append(append(cmd, "--connections", conns, "--db", ""), c.args...)
				code, out, errOut := cli(t, args...)
				if code != 2 || !strings.Contains(errOut, c.want) {
					t.Fatalf("%s: exit %d\nstdout %s\nstderr %s\nwant exit 2 and %q", cmd[0], code, out, errOut, c.want)
				}
				if strings.Contains(out+errOut, "tok-literal-77") {
					t.Fatal("the output repeats the secret")
				}
			}
			if len(srv.bodies) != 0 {
				t.Fatal("something was run")
			}
		})
	}
}

// TestEmitRunsTakeTheEnvironment: runs started by an event get the chosen
// environment's variables and connection overrides.
func TestEmitRunsTakeTheEnvironment(t *testing.T) {
	srv := newCaptureServer(t)
	dir := t.TempDir()
	conns := writeFile(t, dir, "api.connections.json", `{"format": "flowbench/v1", "connections": [
  {"name": "api", "kind": "custom", "baseURL": "https://api.example.com", "auth": {"type": "none"}}]}`)
	envs := writeFile(t, dir, "e.environments.json", fmt.Sprintf(`{"format": "flowbench/v1", "environments": [
  {"name": "prod", "variables": {"orgId": "org-42"}, "connections": {"api": {"baseURL": %q}}}]}`, srv.URL))
	flowPath := writeFile(t, dir, "on.flow.json", `{"format": "flowbench/v1", "name": "On event",
 "nodes": [
  {"id": "start", "kind": "start", "trigger": {"type": "event", "events": ["order.placed"]}},
  {"id": "send", "kind": "call", "call": {"connection": "api", "method": "POST", "uri": "\"/orders\"",
    "body": "{\"orgId\": env.orgId, \"env\": env.name, \"flowId\": flow.id}"}},
  {"id": "done", "kind": "end", "outcome": "sent"}],
 "edges": [{"from": "start", "to": "send"}, {"from": "send", "to": "done"}]}`)
	code, out, errOut := cli(t, "emit", "order.placed", "--flows", flowPath, "--connections", conns,
		"--environments", envs, "--env", "prod", "--db", "")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	body := srv.last(t)
	if body["orgId"] != "org-42" || body["env"] != "prod" || len(body["flowId"].(string)) != 36 {
		t.Fatalf("the event's run sent %v", body)
	}
}

// TestValidateNamedRequestArgs: validate with the connections file checks a
// call of a named request: a missing arg is exit 2 naming node and field; with
// the arg the flow is valid and its run sends the request.
func TestValidateNamedRequestArgs(t *testing.T) {
	srv := newCaptureServer(t)
	dir := t.TempDir()
	conns := writeFile(t, dir, "crm.connections.json", fmt.Sprintf(`{"format": "flowbench/v1", "connections": [
  {"name": "crm", "kind": "custom", "baseURL": %q, "auth": {"type": "none"},
   "requests": [{"name": "lookupTier", "params": ["chatId"], "method": "POST", "uri": "\"/v1/tier\"",
                 "body": "{\"chatId\": params.chatId}", "branches": ["vip", "standard"]}]}]}`, srv.URL))
	flowText := func(args string) string {
		return `{"format": "flowbench/v1", "name": "Named",
 "nodes": [
  {"id": "start", "kind": "start", "trigger": {"type": "manual"}},
  {"id": "lookup", "kind": "call", "call": {"connection": "crm", "request": "lookupTier", ` + args + `"branches": ["vip", "standard"]}},
  {"id": "done", "kind": "end", "outcome": "done"}],
 "edges": [{"from": "start", "to": "lookup"}, {"from": "lookup", "port": "vip", "to": "done"},
           {"from": "lookup", "port": "standard", "to": "done"}, {"from": "lookup", "port": "default", "to": "done"}]}`
	}
	missing := writeFile(t, dir, "missing.flow.json", flowText(""))
	code, out, errOut := cli(t, "validate", missing, "--connections", conns)
	want := missing + `: node "lookup", field call.args.chatId: request "lookupTier" needs the argument "chatId"`
	if code != 2 || !strings.Contains(errOut, want) {
		t.Fatalf("exit %d\n%s\n%s\nwant exit 2 and %q", code, out, errOut, want)
	}
	good := writeFile(t, dir, "good.flow.json", flowText(`"args": {"chatId": "trigger.chatId"}, `))
	if code, out, errOut := cli(t, "validate", good, "--connections", conns); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = cli(t, "run", good, "--connections", conns, "--input", `{"chatId": "c-9"}`, "--db", "")
	if code != 0 || srv.last(t)["chatId"] != "c-9" || srv.paths[0] != "/v1/tier" {
		t.Fatalf("exit %d\n%s\n%s\nserver saw %v at %v", code, out, errOut, srv.bodies, srv.paths)
	}
}
