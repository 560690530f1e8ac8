package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// headlessEnv is the environment of a headless command with the locale
// variables set as given (nil: unset).
func headlessEnv(home string, locale []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "LANG" || k == "LC_ALL" || k == "LC_MESSAGES" || k == "HOME" || k == "XDG_CONFIG_HOME" {
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "CRM_TEST_KEY=k-123",
		"FLOWBENCH_MASTER_KEY=BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="), locale...)
}

// TestFaultNoToolkitNoise: the headless commands link no GUI toolkit and,
// under any locale (C.UTF-8, C, unset), print no "Fyne error: Error parsing
// user locale C" lines.
func TestFaultNoToolkitNoise(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "migrated_fynedo", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "fyne.io/") || strings.HasSuffix(pkg, "/flowbench/ui") {
			t.Fatalf("the headless program links %s; only cmd/flowbench-gui may", pkg)
		}
	}

	dir := t.TempDir()
	bin := buildFlowbench(t, dir)
	srv := tierServer(t, "vip")
	flowPath := writeFile(t, dir, "tier.flow.json", tierFlow)
	conns := writeFile(t, dir, "connections.json", connectionsFile(srv.URL))
	evFlow := writeFile(t, dir, "ev.flow.json", `{"format": "flowbench/v1", "name": "Ev", "nodes": [
  {"id": "start", "kind": "start", "trigger": {"type": "event", "events": ["x.y"]}},
  {"id": "end", "kind": "end", "outcome": "done"}], "edges": [{"from": "start", "to": "end"}]}`)
	commands := [][]string{
		{"run", flowPath, "--connections", conns, "--input", `{"chatId": 1}`, "--db", ""},
		{"validate", flowPath, "--connections", conns},
		{"emit", "x.y", "--flows", evFlow, "--db", ""},
		{"--help"},
	}
	for _, locale := range [][]string{{"LANG=C.UTF-8"}, {"LANG=C"}, nil, {"LC_ALL=C.UTF-8", "LANG=C.UTF-8"}} {
		for _, args := range commands {
			cmd := exec.Command(bin, args...)
			cmd.Env = headlessEnv(t.TempDir(), locale)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%v %s: %v\n%s", locale, args[0], err, stderr.String())
			}
			for _, line := range strings.Split(stderr.String(), "\n") {
				if strings.Contains(line, "Fyne") || strings.Contains(strings.ToLower(line), "locale") {
					t.Fatalf("%v flowbench %s printed toolkit noise: %q", locale, args[0], line)
				}
			}
		}
	}
}

// TestFaultGUILocale: the app is started with a locale Fyne can read, so
// it falls back to English quietly; real locales pass through.
func TestFaultGUILocale(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"LANG=C.UTF-8", "PATH=/bin"}, []string{"LANG=en_US.UTF-8", "PATH=/bin"}},
		{[]string{"LANG=C"}, []string{"LANG=en_US.UTF-8"}},
		{[]string{"LC_ALL=POSIX", "LANG=de_DE.UTF-8"}, []string{"LC_ALL=en_US.UTF-8", "LANG=de_DE.UTF-8"}},
		{[]string{"PATH=/bin"}, []string{"PATH=/bin", "LANG=en_US.UTF-8"}},
		{[]string{"LANG=fr_FR.UTF-8"}, []string{"LANG=fr_FR.UTF-8"}},
	} {
		if got := guiEnv(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("guiEnv(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	// without the app's program beside it or on PATH, `flowbench` says
	// where it looked and how to build it
	t.Setenv("PATH", t.TempDir())
	code, _, errOut := cli(t)
	if _, err := os.Stat(filepath.Join(filepath.Dir(os.Args[0]), guiProgram)); err == nil {
		t.Skip("a flowbench-gui sits beside the test binary")
	}
	if code != 1 || !strings.Contains(errOut, "flowbench-gui") || !strings.Contains(errOut, "make build") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// BenchmarkStartupRatio: the wall time of `flowbench run` of a one-call
// flow against a 127.0.0.1 server, divided by that of a bare Go program
// making the same request (testdata/barecall), both built here and timed in
// the same run (goal ≤ 2). The floor is testdata/celcall: barecall
// evaluating the request's expressions with cel-go, as any program running
// a flow must; floor/bare is what cel-go alone costs a process, and
// flowbench/floor is what Flowbench adds to that.
func BenchmarkStartupRatio(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "flowbench")
	bare := filepath.Join(dir, "barecall")
	floor := filepath.Join(dir, "celcall")
	for _, build := range [][]string{{"-o", bin, "."}, {"-o", bare, "./testdata/barecall"}, {"-o", floor, "./testdata/celcall"}} {
		cmd := exec.Command("go", append([]string{"build", "-tags", "migrated_fynedo"}, build...)...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"returnValue": "vip"}`)
	}))
	b.Cleanup(srv.Close)
	flowPath := filepath.Join(dir, "tier.flow.json")
	conns := filepath.Join(dir, "connections.json")
	os.WriteFile(flowPath, []byte(tierFlow), 0o600)
	os.WriteFile(conns, []byte(connectionsFile(srv.URL)), 0o600)
	env := headlessEnv(b.TempDir(), []string{"LANG=C.UTF-8"})
	timeIt := func(name string, args ...string) time.Duration {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", name, err, out)
		}
		return time.Since(start)
	}
	var fb, base, fl time.Duration
	for b.Loop() {
		fb += timeIt(bin, "run", flowPath, "--connections", conns, "--input", `{"chatId": 1}`, "--db", "")
		base += timeIt(bare, srv.URL)
		fl += timeIt(floor, srv.URL)
	}
	b.ReportMetric(float64(fb)/float64(base), "flowbench/bare")
	b.ReportMetric(float64(fl)/float64(base), "floor/bare")
	b.ReportMetric(float64(fb)/float64(fl), "flowbench/floor")
	b.ReportMetric(float64(fb.Microseconds())/float64(b.N)/1000, "flowbench-ms/op")
	b.ReportMetric(float64(base.Microseconds())/float64(b.N)/1000, "bare-ms/op")
}
