package flow

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the current encoder")

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeChatbot(t *testing.T) *Flow {
	t.Helper()
	f, err := DecodeFlow(readTestdata(t, "chatbot.flow.json"))
	if err != nil {
		t.Fatalf("decode the docs/flow-format.md example: %v", err)
	}
	return f
}

func TestDecodeFlowReadsEveryField(t *testing.T) {
	f := decodeChatbot(t)
	yes := func(name string, ok bool) {
		t.Helper()
		if !ok {
			t.Errorf("%s: not as in the file", name)
		}
	}
	yes("format", f.Format == Format)
	yes("name", f.Name == "Chatbot VIP routing")
	yes("variables", reflect.DeepEqual(f.Variables, map[string]string{"greeting": `"Hello"`}))
	yes("node count", len(f.Nodes) == 6)
	yes("edge count", len(f.Edges) == 6)
	start := f.Node("start")
	yes("start trigger", start != nil && start.Trigger != nil && start.Trigger.Type == TriggerEvent &&
		reflect.DeepEqual(start.Trigger.Events, []string{"chat.opened"}))
	yes("start position", start != nil && start.Position == Position{X: 40, Y: 120})
	want := &Call{
		Connection: "crm", Method: "POST", URI: `"/v1/tier"`,
		Query:       []Pair{{Key: `"environment"`, Value: "env.name"}},
		Headers:     []Pair{{Key: `"Content-Type"`, Value: `"application/json"`}},
		Body:        `{"chatId": trigger.chatId, "priority": "High"}`,
		Timeout:     Duration(30 * time.Second),
		Retry:       &Retry{MaxAttempts: 3, InitialInterval: Duration(time.Second), BackoffRate: 2, MaxInterval: Duration(30 * time.Second)},
		Signing:     &Signing{Secret: SecretRef{Secret: "crm-signing"}},
		ReturnValue: "steps.lookup.body.returnValue", SaveTo: "tier",
		Branches: []string{"vip", "standard"}, CompletionEvent: "tier.looked_up",
	}
	if got := f.Node("lookup"); got == nil || !reflect.DeepEqual(got.Call, want) {
		t.Errorf("lookup call:\n got %+v\nwant %+v", got.Call, want)
	}
	yes("edge with port", f.Edges[1] == Edge{From: "lookup", Port: "vip", To: "tell"})
	yes("edge without port", f.Edges[0] == Edge{From: "start", To: "lookup"} && f.Edges[0].PortName() == PortNext)
}

func TestDecodeConnectionsReadsEveryField(t *testing.T) {
	c, err := DecodeConnections(readTestdata(t, "example.connections.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Connections) != 3 {
		t.Fatalf("want 3 connections, got %d", len(c.Connections))
	}
	want := Connection{Name: "tokens", Kind: ConnCustom, BaseURL: "https://api.example.com", Auth: Auth{
		Type: AuthOAuth2, ClientID: "f9b8c2d", ClientSecret: &SecretRef{Secret: "tokens-client-secret"},
		Scopes:   []string{"intelligence.conversations:write"},
		TokenURL: "https://auth.example.com/oauth2/token", RefreshURL: "https://auth.example.com/oauth2/refresh",
	}}
	if !reflect.DeepEqual(c.Connections[1], want) {
		t.Errorf("tokens:\n got %+v\nwant %+v", c.Connections[1], want)
	}
	if got := c.Connections[0].Auth.Value; got == nil || *got != (SecretRef{Env: "CRM_API_KEY"}) {
		t.Errorf("crm api key: got %v", got)
	}
}

// problemKey is what a decode test asserts of each problem.
type problemKey struct {
	Line, Column int
	Field        string
	Message      string
}

func keysOf(ps Problems) []problemKey {
	out := make([]problemKey, len(ps))
	for i, p := range ps {
		out[i] = problemKey{p.Line, p.Column, p.Field, p.Message}
	}
	return out
}

func TestDecodeFlowErrors(t *testing.T) {
	const head = `{"format": "flowbench/v1", "name": "n", `
	cases := []struct {
		name string
		in   string
		want []problemKey
	}{
		{"empty file", "", []problemKey{{1, 1, "", "the file is empty; a flow file is a JSON object starting with {"}}},
		{"only spaces", "  \n ", []problemKey{{1, 1, "", "the file is empty; a flow file is a JSON object starting with {"}}},
		{"truncated", "{\n  \"format\": \"flowbench/v1\",\n  \"nodes\": [",
			[]problemKey{{3, 13, "", `the file ends before the JSON does: a closing } or ] or " is missing`}}},
		{"bad character", "{\n  \"format\": 'x'\n}",
			[]problemKey{{2, 13, "", "not valid JSON: invalid character '\\'' looking for beginning of value"}}},
		{"trailing comma", "{\n  \"format\": \"flowbench/v1\",\n}",
			[]problemKey{{3, 1, "", "not valid JSON: invalid character '}' looking for beginning of object key string (remove the comma before it: JSON allows no trailing comma)"}}},
		{"column counts characters", "{\"name\": \"é\" x}",
			[]problemKey{{1, 14, "", "not valid JSON: invalid character 'x' after object key:value pair"}}},
		{"not an object", "[1, 2]", []problemKey{{1, 1, "", "a flow file holds one JSON object {...}; this one holds an array"}}},
		{"trailing data", head + `"nodes": [], "edges": []} {}`,
			[]problemKey{{1, 67, "", "unexpected data after the flow object; a file holds exactly one JSON object"}}},
		{"missing format", `{"name": "n"}`,
			[]problemKey{{1, 1, "format", `missing; write "format": "flowbench/v1" as the first field`}}},
		{"other format", `{"format": "flowbench/v2"}`,
			[]problemKey{{1, 12, "format", `"flowbench/v2" is not a format this version of Flowbench reads; write "format": "flowbench/v1"`}}},
		{"format of the wrong type", `{"format": 1}`,
			[]problemKey{{1, 12, "format", "want a string, got a number"}}},
		{"unknown nested field", head + "\"nodes\": [{}, {}, {\"call\": {\"retry\": {\n\"maxAtempts\": 3}}}]}",
			[]problemKey{{2, 1, "nodes[2].call.retry.maxAtempts", `unknown field (did you mean "maxAttempts"?)`}}},
		{"unknown field far from any", head + `"colour": "red"}`,
			[]problemKey{{1, 41, "colour", "unknown field (allowed here: description, edges, format, id, inputPresets, limits, name, nodes, variables, version)"}}},
		{"field names are case sensitive", head + `"Nodes": []}`,
			[]problemKey{{1, 41, "Nodes", `unknown field (did you mean "nodes"?)`}}},
		{"odd key in the path", head + `"variables": {"a b": 1}}`,
			[]problemKey{{1, 62, `variables["a b"]`, "want a string, got a number"}}},
		{"every unknown field at once", head + `"nodes": [{"id": "a", "kin": "end", "titel": "x"}], "edgs": []}`,
			[]problemKey{
				{1, 63, "nodes[0].kin", `unknown field (did you mean "kind"?)`},
				{1, 77, "nodes[0].titel", `unknown field (did you mean "title"?)`},
				{1, 93, "edgs", `unknown field (did you mean "edges"?)`},
			}},
		{"wrong types", head + `"version": "2", "nodes": [{"id": 7}, {"position": {"x": "10"}, "cases": {}}], "edges": [{"from": true}]}`,
			[]problemKey{
				{1, 52, "version", "want a whole number, got a string"},
				{1, 74, "nodes[0].id", "want a string, got a number"},
				{1, 97, "nodes[1].position.x", "want a number, got a string"},
				{1, 113, "nodes[1].cases", "want an array [...], got an object"},
				{1, 138, "edges[0].from", "want a string, got true/false"},
			}},
		{"fractional whole number", head + `"version": 1.5}`,
			[]problemKey{{1, 52, "version", "want a whole number, got 1.5"}}},
		{"number out of range", head + `"nodes": [{"position": {"x": 1e400}}]}`,
			[]problemKey{{1, 70, "nodes[0].position.x", "the number 1e400 is out of range"}}},
		{"null where a value is needed", head + `"nodes": [{"id": null}]}`,
			[]problemKey{{1, 58, "nodes[0].id", "want a string, got null"}}},
		{"field given twice", head + `"name": "m"}`,
			[]problemKey{{1, 41, "name", "given twice; keep one"}}},
		{"bad duration", head + `"nodes": [{"call": {"timeout": "30 seconds"}}]}`,
			[]problemKey{{1, 72, "nodes[0].call.timeout", `"30 seconds" is not a duration; write it as "30s", "500ms" or "1m"`}}},
		{"negative duration", head + `"nodes": [{"call": {"timeout": -2}}]}`,
			[]problemKey{{1, 72, "nodes[0].call.timeout", "duration -2 is negative"}}},
		{"duration too long", head + `"nodes": [{"call": {"timeout": 1e12}}]}`,
			[]problemKey{{1, 72, "nodes[0].call.timeout", "duration of 1e12 seconds is too long"}}},
		{"duration of the wrong type", head + `"nodes": [{"call": {"timeout": {}}}]}`,
			[]problemKey{{1, 72, "nodes[0].call.timeout", `want a duration such as "30s", got an object`}}},
		{"secret with both", head + `"nodes": [{"trigger": {"type": "webhook", "secret": {"secret": "a", "env": "B"}}}]}`,
			[]problemKey{{1, 93, "nodes[0].trigger.secret", `give either "secret" or "env", not both`}}},
		{"secret with an unknown field", head + `"nodes": [{"trigger": {"secret": {"secrt": "a"}}}]}`,
			[]problemKey{{1, 75, "nodes[0].trigger.secret.secrt", `unknown field (did you mean "secret"?)`}}},
		{"secret of the wrong type", head + `"nodes": [{"trigger": {"secret": 5}}]}`,
			[]problemKey{{1, 74, "nodes[0].trigger.secret", `want a secret reference such as {"secret": "NAME"} or {"env": "VAR"}, got a number`}}},
		{"byte order mark is ignored", "\xef\xbb\xbf{\"format\": 1}",
			[]problemKey{{1, 12, "format", "want a string, got a number"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := DecodeFlow([]byte(tc.in))
			if err == nil {
				t.Fatalf("decoded %+v; want an error", f)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("want a *DecodeError, got %T: %v", err, err)
			}
			if got := keysOf(de.Problems); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n got %#v\nwant %#v", got, tc.want)
			}
			for _, p := range de.Problems {
				if p.Severity != SeverityError || p.Node != "" {
					t.Errorf("problem %+v: want an error with no node", p)
				}
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != len(tc.want) {
				t.Errorf("errors.As(err, *Problems) = %v, want the %d problems", ps, len(tc.want))
			}
		})
	}
}

func TestDecodeErrorMessage(t *testing.T) {
	_, err := DecodeFlow([]byte("{\"format\": \"flowbench/v1\",\n \"nodes\": [{}, {}, {\"call\": {\"retry\": {\"maxAtempts\": 3}}}], \"x\": 1}"))
	want := "line 2, column 40: nodes[2].call.retry.maxAtempts: unknown field (did you mean \"maxAttempts\"?)\n" +
		"line 2, column 61: x: unknown field (allowed here: description, edges, format, id, inputPresets, limits, name, nodes, variables, version)"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestDecodeFlowAccepts(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want Flow
	}{
		{"minimal", `{"format": "flowbench/v1", "name": "n", "nodes": [], "edges": []}`,
			Flow{Format: Format, Name: "n"}},
		{"empty lists and maps are nil", `{"format": "flowbench/v1", "name": "n", "variables": {}, "nodes": [{"id": "s", "kind": "start", "trigger": {"type": "event", "events": []}}]}`,
			Flow{Format: Format, Name: "n", Nodes: []Node{{ID: "s", Kind: KindStart, Trigger: &Trigger{Type: TriggerEvent}}}}},
		{"nulls for optional blocks", `{"format": "flowbench/v1", "name": "n", "variables": null, "nodes": [{"id": "c", "kind": "call", "call": null}], "edges": null}`,
			Flow{Format: Format, Name: "n", Nodes: []Node{{ID: "c", Kind: KindCall}}}},
		{"duration in seconds", `{"format": "flowbench/v1", "name": "n", "nodes": [{"call": {"connection": "x", "timeout": 1.5}}]}`,
			Flow{Format: Format, Name: "n", Nodes: []Node{{Call: &Call{Connection: "x", Timeout: Duration(1500 * time.Millisecond)}}}}},
		{"literal secrets are accepted on import", `{"format": "flowbench/v1", "name": "n", "nodes": [{"trigger": {"type": "webhook", "secret": "whsec_x"}, "call": {"signing": {"secret": "s3"}}}]}`,
			Flow{Format: Format, Name: "n", Nodes: []Node{{Trigger: &Trigger{Type: TriggerWebhook, Secret: &SecretRef{Literal: "whsec_x"}},
				Call: &Call{Signing: &Signing{Secret: SecretRef{Literal: "s3"}}}}}}},
		{"escaped keys", `{"format": "flowbench/v1", "n\u0061me": "n"}`, Flow{Format: Format, Name: "n"}},
		{"byte order mark", "\xef\xbb\xbf{\"format\": \"flowbench/v1\", \"name\": \"n\"}", Flow{Format: Format, Name: "n"}},
		{"trailing whitespace", "{\"format\": \"flowbench/v1\", \"name\": \"n\"}\n\n\t ", Flow{Format: Format, Name: "n"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := DecodeFlow([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*f, tc.want) {
				t.Errorf("got  %#v\nwant %#v", *f, tc.want)
			}
		})
	}
}

func TestDecodeConnectionsErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []problemKey
	}{
		{"missing format", `{"connections": []}`,
			[]problemKey{{1, 1, "format", `missing; write "format": "flowbench/v1" as the first field`}}},
		{"unknown auth field", `{"format": "flowbench/v1", "connections": [{"name": "a", "auth": {"type": "oauth2", "tokenUrl": "x", "scope": ["a"]}}]}`,
			[]problemKey{
				{1, 85, "connections[0].auth.tokenUrl", `unknown field (did you mean "tokenURL"?)`},
				{1, 102, "connections[0].auth.scope", `unknown field (did you mean "scopes"?)`},
			}},
		{"wrong type", `{"format": "flowbench/v1", "connections": [{"verifyTLS": "no"}]}`,
			[]problemKey{{1, 58, "connections[0].verifyTLS", "want true or false, got a string"}}},
		{"connections not a list", `{"format": "flowbench/v1", "connections": {}}`,
			[]problemKey{{1, 43, "connections", "want an array [...], got an object"}}},
		{"not an object", `"crm"`, []problemKey{{1, 1, "", "a connections file holds one JSON object {...}; this one holds a string"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeConnections([]byte(tc.in))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("want a *DecodeError, got %T: %v", err, err)
			}
			if got := keysOf(de.Problems); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestLiteralSecretsAreRefusedOnEncode(t *testing.T) {
	const literal = "sk-live-very-secret"
	conns := `{"format": "flowbench/v1", "connections": [
	  {"name": "crm", "kind": "custom", "baseURL": "https://a.example", "auth": {"type": "bearer", "token": {"env": "T"}}},
	  {"name": "pay", "kind": "custom", "baseURL": "https://b.example",
	   "auth": {"type": "oauth2", "clientId": "c", "clientSecret": "` + literal + `", "tokenURL": "https://b.example/t"}}]}`
	c, err := DecodeConnections([]byte(conns))
	if err != nil {
		t.Fatalf("a literal secret must be accepted on import: %v", err)
	}
	if got := c.Connections[1].Auth.ClientSecret; got == nil || got.Literal != literal {
		t.Fatalf("the literal was not kept for sealing: %v", got)
	}
	flowWith := func(trigger, signing string) string {
		return `{"format": "flowbench/v1", "name": "n", "nodes": [
		  {"id": "s", "kind": "start", "trigger": {"type": "webhook", "path": "/x", "secret": ` + trigger + `}},
		  {"id": "c", "kind": "call", "call": {"connection": "crm", "signing": {"secret": ` + signing + `}}}]}`
	}
	encodeFlow := func(in string) ([]byte, error) {
		f, err := DecodeFlow([]byte(in))
		if err != nil {
			t.Fatalf("a literal secret must be accepted on import: %v", err)
		}
		return EncodeFlow(f)
	}
	cases := []struct {
		name   string
		encode func() ([]byte, error)
		want   string
	}{
		{"connection secret", func() ([]byte, error) { return EncodeConnections(c) },
			`connection "pay", field auth.clientSecret: `},
		{"webhook trigger secret", func() ([]byte, error) { return encodeFlow(flowWith(`"`+literal+`"`, `{"env": "S"}`)) },
			`node "s", field trigger.secret: `},
		{"signing secret", func() ([]byte, error) { return encodeFlow(flowWith(`{"secret": "w"}`, `"`+literal+`"`)) },
			`node "c", field call.signing.secret: `},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.encode()
			if !errors.Is(err, ErrLiteralSecret) {
				t.Fatalf("want ErrLiteralSecret, got %v (output %d bytes)", err, len(out))
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %q does not start with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), literal) {
				t.Errorf("the error reveals the secret: %q", err)
			}
		})
	}
	// Once sealed, the same file encodes.
	c.Connections[1].Auth.ClientSecret = &SecretRef{Secret: "pay-client-secret"}
	out, err := EncodeConnections(c)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(literal)) {
		t.Error("the encoded file holds the literal")
	}
}

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name   string
		file   string
		decode func([]byte) (any, error)
		encode func(any) ([]byte, error)
	}{
		{"flow", "chatbot.flow.json",
			func(b []byte) (any, error) { return DecodeFlow(b) },
			func(v any) ([]byte, error) { return EncodeFlow(v.(*Flow)) }},
		{"connections", "example.connections.json",
			func(b []byte) (any, error) { return DecodeConnections(b) },
			func(v any) ([]byte, error) { return EncodeConnections(v.(*ConnectionsFile)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			first, err := tc.decode(readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			enc, err := tc.encode(first)
			if err != nil {
				t.Fatal(err)
			}
			second, err := tc.decode(enc)
			if err != nil {
				t.Fatalf("decode what was encoded: %v\n%s", err, enc)
			}
			if !reflect.DeepEqual(first, second) {
				t.Errorf("round trip changed the value:\n got %+v\nwant %+v", second, first)
			}
			again, err := tc.encode(second)
			if err != nil || !bytes.Equal(enc, again) {
				t.Errorf("encoding is not stable (err %v):\n%s\n---\n%s", err, enc, again)
			}
		})
	}
}

func TestEncodeGolden(t *testing.T) {
	cases := []struct {
		name, in, golden string
		encode           func([]byte) ([]byte, error)
	}{
		{"chatbot flow", "chatbot.flow.json", "chatbot.flow.golden", func(b []byte) ([]byte, error) {
			f, err := DecodeFlow(b)
			if err != nil {
				return nil, err
			}
			return EncodeFlow(f)
		}},
		{"example connections", "example.connections.json", "example.connections.golden", func(b []byte) ([]byte, error) {
			c, err := DecodeConnections(b)
			if err != nil {
				return nil, err
			}
			return EncodeConnections(c)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.encode(readTestdata(t, tc.in))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./flow -run TestEncodeGolden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encoding differs from %s (if intended, rerun with -update):\n%s", path, got)
			}
		})
	}
}

func TestEncodeShape(t *testing.T) {
	cases := []struct {
		name string
		f    *Flow
		want string
	}{
		{"empty flow gets format and lists", &Flow{Name: "n"},
			"{\n  \"format\": \"flowbench/v1\",\n  \"name\": \"n\",\n  \"nodes\": [],\n  \"edges\": []\n}\n"},
		{"expressions are not HTML-escaped, map keys sorted", &Flow{Format: Format, Name: "a<b", Variables: map[string]string{"z": "1 > 0 && true", "a": "2"}},
			"{\n  \"format\": \"flowbench/v1\",\n  \"name\": \"a<b\",\n  \"variables\": {\n    \"a\": \"2\",\n    \"z\": \"1 > 0 && true\"\n  },\n  \"nodes\": [],\n  \"edges\": []\n}\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EncodeFlow(tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	if _, err := EncodeFlow(nil); err == nil {
		t.Error("EncodeFlow(nil) succeeded")
	}
	if _, err := EncodeConnections(nil); err == nil {
		t.Error("EncodeConnections(nil) succeeded")
	}
}
