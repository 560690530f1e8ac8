package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// `flowbench runs compare` says where two recorded runs of the chatbot
// demo part: at lookup, vip against standard; runs of two flows are
// refused.
func TestRunsCompare(t *testing.T) {
	const dir = "../../assets/flows/"
	db := filepath.Join(t.TempDir(), "runs.db")
	run := func(file, mock string) string {
		t.Helper()
		args := []string{"run", dir + file, "--connections", dir + "examples.connections.json",
			"--mocks", dir + "demo.mocks.json", "--input", `{"chatId": "c-1"}`, "--db", db, "--json"}
		if mock != "" {
			args = append(args, "--use-mock", "demo-bot="+mock)
		}
		code, out, errOut := cli(t, args...)
		if code != exitOK && code != exitFailed { // a failed run is recorded too
			t.Fatalf("run %s with %s: exit %d\n%s", file, mock, code, errOut)
		}
		var res jsonResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		return res.RunID
	}
	vip := run("demo-chatbot.flow.json", "chatbot-vip")
	std := run("demo-chatbot.flow.json", "chatbot-standard")

	code, out, errOut := cli(t, "runs", "compare", vip[:8], std, "--json", "--db", db)
	if code != exitOK {
		t.Fatalf("runs compare --json: exit %d, %s", code, errOut)
	}
	var got struct {
		RunA, RunB, Summary string
		flow.Comparison
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.RunA != vip || got.RunB != std || got.Parting != flow.PartDecision || got.Node != "lookup" || got.PortA != "vip" || got.PortB != "standard" {
		t.Fatalf("runs compare --json = %+v; want the decision at lookup, vip against standard", got)
	}
	code, out, _ = cli(t, "runs", "compare", vip, std, "--db", db)
	if code != exitOK || !strings.Contains(out, `A took "vip", B took "standard"`) || !strings.Contains(out, "took standard") {
		t.Fatalf("runs compare: exit %d\n%s", code, out)
	}

	other := run("demo-notify.flow.json", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"runs", "compare", vip, other, "--db", db}, "different flows"},
		{[]string{"runs", "compare", vip, "--db", db}, "give two run ids"},
		{[]string{"runs", "compare", vip, "zzzz", "--db", db}, `no run "zzzz"`},
	} {
		code, _, stderr := cli(t, c.args...)
		if code != exitInvalid || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", c.args, code, stderr, exitInvalid, c.want)
		}
	}
}
