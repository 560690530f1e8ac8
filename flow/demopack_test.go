package flow

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// demoPackOf builds a pack of the bundled chatbot demo from the assets.
func demoPackOf(t *testing.T) *DemoPack {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile("../assets/flows/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	f, err := DecodeFlow(read("demo-chatbot.flow.json"))
	if err != nil {
		t.Fatal(err)
	}
	f.InputPresets = []InputPreset{{Name: "VIP customer", Trigger: []byte(`{"chatId":"c-1"}`)}}
	cf, err := DecodeConnections(read("examples.connections.json"))
	if err != nil {
		t.Fatal(err)
	}
	mf, err := DecodeMocks(read("demo.mocks.json"))
	if err != nil {
		t.Fatal(err)
	}
	envs := []Environment{{Name: "training", Variables: map[string]string{"room": "A"},
		Connections: map[string]EnvConnection{"demo-bot": {BaseURL: "https://bot.training.example"}, "crm": {BaseURL: "https://crm.example"}}}}
	return NewDemoPack("Chatbot demo", "all branches", []*Flow{f}, cf.Connections, mf.Mocks, envs)
}

// TestDemoPackRoundTrip: the pack gathers exactly the connection the flow
// uses, the mocks that connection can use, the environments cut to that
// connection, and the presets; it decodes back to what was encoded.
func TestDemoPackRoundTrip(t *testing.T) {
	p := demoPackOf(t)
	var conns, mocks []string
	for _, c := range p.Connections {
		conns = append(conns, c.Name)
	}
	for _, m := range p.Mocks {
		mocks = append(mocks, m.Name)
	}
	if got := strings.Join(conns, ","); got != "demo-bot" {
		t.Fatalf("connections %s, want demo-bot", got)
	}
	if got := strings.Join(mocks, ","); got != "chatbot-vip,chatbot-standard,chatbot-unknown,chatbot-failing,chatbot-rule" {
		t.Fatalf("mocks %s", got)
	}
	if len(p.Environments) != 1 || len(p.Environments[0].Connections) != 1 || p.Environments[0].Connections["demo-bot"].BaseURL == "" {
		t.Fatalf("environments %+v", p.Environments)
	}
	data, err := EncodeDemoPack(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"kind": "demo-pack"`) || !strings.Contains(string(data), `"inputPresets"`) {
		t.Fatalf("encoded pack lacks kind or presets:\n%.400s", data)
	}
	back, err := DecodeDemoPack(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := EncodeDemoPack(back)
	if err != nil || string(again) != string(data) {
		t.Fatalf("round trip differs (%v):\n%s\n%s", err, again, data)
	}
	if !reflect.DeepEqual(back.Mocks, p.Mocks) || !reflect.DeepEqual(back.Connections, p.Connections) || back.Flows[0].InputPresets[0].Name != "VIP customer" {
		t.Fatalf("round trip differs:\n%+v\n%+v", back, p)
	}
	if f, err := back.Flow(""); err != nil || f.Name != p.Flows[0].Name {
		t.Fatalf("first flow %v %v", f, err)
	}
	if _, err := back.Flow("nope"); err == nil || !strings.Contains(err.Error(), `no flow named "nope"`) || !strings.Contains(err.Error(), "--flow") {
		t.Fatalf("unknown flow: %v", err)
	}
}

// TestDemoPackNeverWritesSecretValues is the canary: a secret value held
// beside its reference is never written, and a value with no reference is
// refused naming the connection and field.
func TestDemoPackNeverWritesSecretValues(t *testing.T) {
	const canary = "canary-s3cr3t-7f1e"
	p := demoPackOf(t)
	p.Connections[0].Auth = Auth{Type: AuthBearer, Token: &SecretRef{Secret: "demo-bot.token", Literal: canary}}
	p.Mocks[0].Auth = &MockAuth{Type: AuthBearer, Token: &SecretRef{Env: "BOT_TOKEN", Literal: canary}}
	data, err := EncodeDemoPack(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), canary) {
		t.Fatal("the exported pack holds the secret's value")
	}
	if !strings.Contains(string(data), `"secret": "demo-bot.token"`) {
		t.Fatalf("the reference is missing:\n%s", data)
	}
	p.Connections[0].Auth.Token = &SecretRef{Literal: canary}
	_, err = EncodeDemoPack(p)
	if !errors.Is(err, ErrLiteralSecret) || !strings.Contains(err.Error(), `connection "demo-bot", field auth.token`) || strings.Contains(err.Error(), canary) {
		t.Fatalf("a literal secret: %v", err)
	}
}

// TestDecodeDemoPackRefuses: a literal secret (with its line and what to
// do), a foreign kind, no flows, and each part's own rules.
func TestDecodeDemoPackRefuses(t *testing.T) {
	pack := `{"format": "flowbench/v1", "kind": "demo-pack", "name": "x",
  "flows": [{"format": "flowbench/v1", "name": "f", "nodes": [{"id": "s", "kind": "start"}], "edges": []}],
  "connections": [{"name": "bot", "kind": "custom", "baseURL": "https://b.example",
    "auth": {"type": "bearer",
      "token": "hunter2"}}]
}`
	_, err := DecodeDemoPack([]byte(pack))
	if err == nil {
		t.Fatal("a literal secret was accepted")
	}
	msg := err.Error()
	if !strings.Contains(msg, `line 5, column 16: connections[0].auth.token: connection "bot", field auth.token holds a secret's value`) ||
		!strings.Contains(msg, `{"secret": "NAME"}`) || strings.Contains(msg, "hunter2") {
		t.Fatalf("message: %s", msg)
	}

	for _, c := range []struct{ pack, want string }{
		{`{"format": "flowbench/v1", "kind": "flow", "name": "x", "flows": []}`, `kind: "flow" is not a demo pack`},
		{`{"format": "flowbench/v1", "kind": "demo-pack", "name": "x", "flows": []}`, "flows: the pack holds no flow"},
		{`{"format": "flowbench/v1", "kind": "demo-pack", "name": "x", "flows": [{"format": "flowbench/v1", "name": "f", "nodes": [], "edges": []}], "mocks": [{"name": "a b", "routes": []}]}`, "mocks[0].name"},
		{`{"format": "flowbench/v1", "kind": "demo-pack", "name": "x", "flows": [{"format": "flowbench/v1", "name": "f", "nodes": [], "edges": []}], "colour": 1}`, "line 1, column 140: colour: unknown field"},
		{`{"format": "flowbench/v1", "kind": "demo-pack", "name": "x", "flows": [{"format": "flowbench/v1", "name": "f", "nodes": [], "edges": []}], "environments": [{"name": ""}]}`, "environments[0].name"},
	} {
		_, err := DecodeDemoPack([]byte(c.pack))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %s", c.pack, err, c.want)
		}
	}
}
