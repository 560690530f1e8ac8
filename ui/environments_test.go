package ui

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/flow"
)

const teamEnvironments = `{
  "format": "flowbench/v1",
  "environments": [
    {"name": "prod", "variables": {"orgId": "org-prod", "chatBotId": "bot-7"},
     "connections": {"bin": {"baseURL": "http://BASE"}}},
    {"name": "staging", "variables": {"orgId": "org-test"}}
  ]
}`

// TestEnvironmentsImportAndExportTheFileShape (issue 16): the environments
// editor reads and writes an environments file, the shape the command
// line's --environments reads: Import takes one (variables as env.NAME),
// Export gives it back, and a bad file is refused naming the file and the
// line, or the field, leaving the environments as they were.
func TestEnvironmentsImportAndExportTheFileShape(t *testing.T) {
	h := newHarness(t)
	if err := h.app.importEnvironments(strings.NewReader(teamEnvironments), "team.environments.json"); err != nil {
		t.Fatal(err)
	}
	if got := h.app.envs.names(); !jsonEqual(got, []string{"prod", "staging"}) {
		t.Fatalf("environments %v", got)
	}
	if got := h.app.envs.vars("prod"); !jsonEqual(got, map[string]any{"name": "prod", "orgId": "org-prod", "chatBotId": "bot-7"}) {
		t.Fatalf("env of prod: %v", got)
	}
	var out bytes.Buffer
	if err := h.app.exportEnvironments(&out); err != nil {
		t.Fatal(err)
	}
	back, err := flow.DecodeEnvironments(out.Bytes())
	if err != nil {
		t.Fatalf("the export is no environments file: %v\n%s", err, out.String())
	}
	want, _ := flow.DecodeEnvironments([]byte(teamEnvironments))
	if !jsonEqual(back, want) {
		t.Fatalf("exported %s, want the imported file", out.String())
	}
	if h.app.envs.text()+"\n" != out.String() {
		t.Fatal("the editor does not show what Export writes")
	}

	for _, tc := range []struct{ name, file, want string }{
		{"unknown field", "{\n  \"format\": \"flowbench/v1\",\n  \"environments\": [\n    {\"name\": \"x\", \"colour\": \"red\"}]}", "bad.environments.json: line 4, column"},
		{"secret value", `{"format": "flowbench/v1", "environments": [{"name": "x", "connections": {"bin": {"auth": {"type": "bearer", "token": "s3cret-literal"}}}}]}`,
			"environments[0].connections.bin.auth.token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := h.app.importEnvironments(strings.NewReader(tc.file), "bad.environments.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bad.environments.json: ") {
				t.Fatalf("error %v, want one naming %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret-literal") {
				t.Fatal("the error repeats the secret")
			}
			if got := h.app.envs.names(); !jsonEqual(got, []string{"prod", "staging"}) {
				t.Fatalf("a refused import changed the environments to %v", got)
			}
		})
	}
}

// TestEnvironmentsOfAnOlderAppAreRead: the object of named variable sets an
// older app kept is read as the environments it describes.
func TestEnvironmentsOfAnOlderAppAreRead(t *testing.T) {
	h := newHarness(t)
	prefs := h.fa.Preferences()
	prefs.SetString(prefEnvironments, `{"dev": {"name": "dev", "orgId": "o-1", "retries": 3}, "prod": {}}`)
	e := newEnvironments(prefs)
	if got := e.names(); !jsonEqual(got, []string{"dev", "prod"}) {
		t.Fatalf("environments %v", got)
	}
	if got := e.vars("dev"); !jsonEqual(got, map[string]any{"name": "dev", "orgId": "o-1", "retries": "3"}) {
		t.Fatalf("env of dev: %v", got)
	}
}

// TestPickedEnvironmentOverridesTheBaseURL: a run in the window goes to the
// base URL the picked environment gives the connection, as --env does.
func TestPickedEnvironmentOverridesTheBaseURL(t *testing.T) {
	bin := httptest.NewServer(httpbin.New())
	defer bin.Close()
	h := newKitHarness(t, false)
	if err := h.db.SaveConnection(context.Background(), flow.Connection{Name: "bin", Kind: flow.ConnCustom, BaseURL: "http://127.0.0.1:1", Auth: flow.Auth{Type: flow.AuthNone}}); err != nil {
		t.Fatal(err)
	}
	h.app.refreshConnections()
	if err := h.app.importEnvironments(strings.NewReader(strings.Replace(teamEnvironments, "http://BASE", bin.URL, 1)), "team.environments.json"); err != nil {
		t.Fatal(err)
	}
	h.app.load(callFlow(`"/get"`))
	h.app.envs.pick("staging")
	if run := h.runOpen(`{}`); run.Status != flow.StatusFailed || !strings.Contains(run.Error, "127.0.0.1:1") {
		t.Fatalf("staging (no override): run %s (%s), want it failed at the stored base URL", run.Status, run.Error)
	}
	h.app.envs.pick("prod")
	if run := h.runOpen(`{}`); run.Status != flow.StatusSucceeded || run.Outcome != "done" {
		t.Fatalf("prod: run %s, outcome %q (%s)", run.Status, run.Outcome, run.Error)
	}
}
