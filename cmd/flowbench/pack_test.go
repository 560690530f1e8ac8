package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// writeDemoPack exports the bundled chatbot and retries demos as a pack,
// as the app's File > Export demo pack does, and returns its path.
func writeDemoPack(t *testing.T) string {
	t.Helper()
	const dir = "../../assets/flows/"
	read := func(name string) []byte {
		b, err := os.ReadFile(dir + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var flows []*flow.Flow
	for _, name := range []string{"demo-chatbot.flow.json", "demo-order-retries.flow.json"} {
		f, err := flow.DecodeFlow(read(name))
		if err != nil {
			t.Fatal(err)
		}
		flows = append(flows, f)
	}
	cf, err := flow.DecodeConnections(read("examples.connections.json"))
	if err != nil {
		t.Fatal(err)
	}
	mf, err := flow.DecodeMocks(read("demo.mocks.json"))
	if err != nil {
		t.Fatal(err)
	}
	envs := []flow.Environment{{Name: "training", Variables: map[string]string{"room": "A"}}}
	data, err := flow.EncodeDemoPack(flow.NewDemoPack("Demos", "", flows, cf.Connections, mf.Mocks, envs))
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, t.TempDir(), "demos"+flow.DemoPackSuffix, string(data))
}

// TestRunDemoPackEveryBranch: run takes a demo pack written by the exporter
// in place of the flow, connections and mocks files, and --use-mock picks
// each branch of the chatbot demo offline; --flow picks the retries demo.
func TestRunDemoPackEveryBranch(t *testing.T) {
	pack := writeDemoPack(t)
	for _, c := range []struct {
		flowName, conn, mock, wantOutcome string
	}{
		{"", "demo-bot", "chatbot-vip", "vip"},
		{"", "demo-bot", "chatbot-standard", "standard"},
		{"", "demo-bot", "chatbot-unknown", "default"},
		{"", "demo-bot", "chatbot-failing", "apology"},
		{"", "demo-bot", "chatbot-rule", "standard"},
		{"Demo: order with retries", "demo-orders", "orders-flaky", "fetched"},
	} {
		t.Run(c.mock, func(t *testing.T) {
			args := []string{"run", pack, "--use-mock", c.conn + "=" + c.mock, "--input", `{"chatId": "c-1"}`, "--db", "", "--json", "--env", "training"}
			if c.flowName != "" {
				args = append(args, "--flow", c.flowName)
			}
			code, out, errOut := cli(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			var res struct{ Outcome string }
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if res.Outcome != c.wantOutcome {
				t.Fatalf("outcome %q, want %q\n%s", res.Outcome, c.wantOutcome, out)
			}
		})
	}
}

// TestRunDemoPackProblems: an unknown --flow lists the pack's flows, a
// --connections beside a pack is refused, an unknown --env lists the
// pack's environments, and --flow with a flow file is refused.
func TestRunDemoPackProblems(t *testing.T) {
	pack := writeDemoPack(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--flow", "nope"}, `no flow named "nope"; it holds "Demo: chatbot branching", "Demo: order with retries": choose one with --flow NAME`},
		{[]string{"--connections", "x.connections.json"}, "brings its own connections; drop --connections"},
		{[]string{"--env", "prod"}, `--env "prod": the demo pack has no such environment; it defines training`},
	} {
		code, _, errOut := cli(t, append([]string{"run", pack, "--db", ""}, c.args...)...)
		if code != exitInvalid || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d\n%s\nwant %s", c.args, code, errOut, c.want)
		}
	}
	code, _, errOut := cli(t, "run", filepath.Join("../../assets/flows", "demo-chatbot.flow.json"), "--flow", "x", "--db", "")
	if code != exitInvalid || !strings.Contains(errOut, "--flow chooses a flow of a demo pack") {
		t.Errorf("--flow with a flow file: exit %d\n%s", code, errOut)
	}
}
