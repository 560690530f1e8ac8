package flow

import (
	"fmt"
	"strings"
	"testing"
)

const envFile = `{"format": "flowbench/v1", "environments": [
  {"name": "prod", "variables": {"orgId": "org-1", "chatBotId": "bot-9"},
   "connections": {"crm": {"baseURL": "https://crm.example.com/v2",
                           "auth": {"type": "bearer", "token": {"env": "PROD_CRM_TOKEN"}}}}},
  {"name": "staging", "variables": {"orgId": "org-test"}}
]}`

// TestDecodeEnvironments: a good file decodes; env gives name and variables;
// Apply overrides the base URL and auth of the named connection only.
func TestDecodeEnvironments(t *testing.T) {
	f, err := DecodeEnvironments([]byte(envFile))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(f.Names()) != "[prod staging]" || f.Environment("qa") != nil {
		t.Fatalf("names %v", f.Names())
	}
	prod := f.Environment("prod")
	if got := fmt.Sprint(prod.Context()); got != "map[chatBotId:bot-9 name:prod orgId:org-1]" {
		t.Fatalf("env = %s", got)
	}
	conns := []Connection{
		{Name: "crm", Kind: ConnCustom, BaseURL: "https://crm.test", Auth: Auth{Type: AuthNone}},
		{Name: "other", Kind: ConnCustom, BaseURL: "https://other.test", Auth: Auth{Type: AuthNone}},
	}
	out, ps := prod.Apply(conns)
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	if out[0].BaseURL != "https://crm.example.com/v2" || out[0].Auth.Type != AuthBearer || out[0].Auth.Token.Env != "PROD_CRM_TOKEN" {
		t.Fatalf("crm after prod: %+v", out[0])
	}
	if out[1].BaseURL != "https://other.test" || conns[0].BaseURL != "https://crm.test" {
		t.Fatal("Apply changed a connection it does not override, or its argument")
	}
	if _, ps := prod.Apply(conns[1:]); len(ps) != 1 || ps[0].Connection != "crm" || !strings.Contains(ps[0].Message, `environment "prod" overrides connection "crm"`) {
		t.Fatalf("an override of a missing connection gave %v", ps)
	}
}

// TestEnvironmentsProblems: strict decoding (unknown fields with line and
// column, a size cap) and the file's rules, each naming its field.
func TestEnvironmentsProblems(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unknown field", `{"format": "flowbench/v1", "environments": [{"name": "prod", "vars": {}}]}`,
			`line 1, column 62: environments[0].vars: unknown field`},
		{"literal secret", `{"format": "flowbench/v1", "environments": [{"name": "prod",
  "connections": {"crm": {"auth": {"type": "bearer", "token": "tok-secret-1"}}}}]}`,
			`environments[0].connections.crm.auth.token: environment "prod": a secret's value may not be written in an environments file`},
		{"no name", `{"format": "flowbench/v1", "environments": [{"variables": {"a": "1"}}]}`, `environments[0].name: the environment has no name`},
		{"twice", `{"format": "flowbench/v1", "environments": [{"name": "a"}, {"name": "a"}]}`, `environments[1].name: environment "a" is defined twice`},
		{"env.name", `{"format": "flowbench/v1", "environments": [{"name": "a", "variables": {"name": "x"}}]}`, `environments[0].variables.name: env.name is the environment's own name`},
		{"bad variable", `{"format": "flowbench/v1", "environments": [{"name": "a", "variables": {"org-id": "x"}}]}`, `environments[0].variables.org-id: "org-id" cannot be read as env.org-id`},
		{"bad URL", `{"format": "flowbench/v1", "environments": [{"name": "a", "connections": {"crm": {"baseURL": "crm.example.com"}}}]}`, `environments[0].connections.crm.baseURL: "crm.example.com" is not an absolute http(s) URL`},
		{"wrong format", `{"format": "flowbench/v2", "environments": []}`, `format: "flowbench/v2" is not a format`},
		{"too big", `{"format": "flowbench/v1", "environments": [], "x": "` + strings.Repeat("a", MaxEnvironmentsFileBytes) + `"}`, `more than the 4 MiB a environments file may be`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeEnvironments([]byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v\nwant it to hold %q", err, c.want)
			}
			if strings.Contains(err.Error(), "tok-secret-1") {
				t.Fatal("the error repeats the secret")
			}
		})
	}
}
