package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const connExprFlow = `{"format": "flowbench/v1", "name": "By region", "nodes": [
  {"id": "start", "kind": "start", "trigger": {"type": "manual"}},
  {"id": "lookup", "kind": "call", "call": {"connection": {"expr": "trigger.region == \"eu\" ? \"eu\" : \"us\""}, "method": "GET", "uri": "\"/v1/tier\""}},
  {"id": "done", "kind": "end", "outcome": "done"},
  {"id": "sorry", "kind": "end", "outcome": "sorry"}],
 "edges": [{"from": "start", "to": "lookup"}, {"from": "lookup", "to": "done"}, {"from": "lookup", "port": "failure", "to": "sorry"}]}`

// TestConnectionExpressionFromTheCLI (issue 16): validate checks each
// literal name of a connection expression against the connections (exit
// 2, node and field named); run sends each trigger's call through the
// connection the expression names, with that connection's credentials.
func TestConnectionExpressionFromTheCLI(t *testing.T) {
	var mu sync.Mutex
	seen := map[string][]string{}
	server := func(name string) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[name] = append(seen[name], r.Header.Get("X-Api-Key"))
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{}`))
		}))
		t.Cleanup(s.Close)
		return s
	}
	eu, us := server("eu"), server("us")
	t.Setenv("EU_KEY", "key-eu")
	t.Setenv("US_KEY", "key-us")
	conn := func(name, url, env string) string {
		return fmt.Sprintf(`{"name": %q, "kind": "custom", "baseURL": %q, "auth": {"type": "apiKey", "in": "header", "name": "X-Api-Key", "value": {"env": %q}}}`, name, url, env)
	}
	dir := t.TempDir()
	flowPath := writeFile(t, dir, "region.flow.json", connExprFlow)
	onlyEU := writeFile(t, dir, "eu.connections.json", `{"format": "flowbench/v1", "connections": [`+conn("eu", eu.URL, "EU_KEY")+`]}`)
	both := writeFile(t, dir, "both.connections.json", `{"format": "flowbench/v1", "connections": [`+conn("eu", eu.URL, "EU_KEY")+`, `+conn("us", us.URL, "US_KEY")+`]}`)

	code, out, errOut := cli(t, "validate", flowPath, "--connections", onlyEU)
	want := `node "lookup", field call.connection: the expression may give "us", which is no connection`
	if code != 2 || !strings.Contains(out+errOut, want) {
		t.Fatalf("validate with eu only: exit %d\n%s%s\nwant exit 2 and %q", code, out, errOut, want)
	}
	if code, out, errOut := cli(t, "validate", flowPath, "--connections", both); code != 0 {
		t.Fatalf("validate with both: exit %d\n%s%s", code, out, errOut)
	}
	for _, region := range []string{"eu", "us", "eu"} {
		code, out, errOut := cli(t, "run", flowPath, "--connections", both, "--input", `{"region": "`+region+`"}`, "--json")
		if code != 0 || !strings.Contains(out, `"outcome":"done"`) {
			t.Fatalf("run for %s: exit %d\n%s%s", region, code, out, errOut)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(seen["eu"], ","); got != "key-eu,key-eu" {
		t.Errorf("eu's server saw keys %q", got)
	}
	if got := strings.Join(seen["us"], ","); got != "key-us" {
		t.Errorf("us's server saw keys %q", got)
	}
}
