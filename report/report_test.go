package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

const canary = "canary-T0KEN-5b2c9"

type secrets map[string]string

func (s secrets) SecretValue(_ context.Context, name string) (string, error) {
	if v, ok := s[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("no secret %q", name)
}

// branchFlow is a call whose answer picks a branch; the server answers
// with a body holding markup and echoes the token it was sent.
const branchFlow = `{"format": "flowbench/v1", "name": "Route <b>chat</b>", "nodes": [
  {"id": "start", "kind": "start", "title": "Chat opened", "position": {"x": 40, "y": 200}},
  {"id": "ask", "kind": "call", "title": "Ask the bot", "position": {"x": 300, "y": 200},
   "call": {"connection": "bot", "method": "POST", "uri": "\"/step\"", "body": "{\"chatId\": \"c-1\"}", "branches": ["vip", "standard"]}},
  {"id": "vip", "kind": "end", "title": "VIP desk", "position": {"x": 600, "y": 80}, "outcome": "vip"},
  {"id": "std", "kind": "end", "title": "Queue", "position": {"x": 600, "y": 320}, "outcome": "standard"}
], "edges": [{"from": "start", "to": "ask"}, {"from": "ask", "port": "vip", "to": "vip"}, {"from": "ask", "port": "standard", "to": "std"}]}`

func runBranchFlow(t *testing.T) (*engine.Result, *flow.Flow) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		fmt.Fprintf(w, `{"returnValue": "vip", "note": "<script>alert('x')</script> & more", "echo": %q}`, r.Header.Get("Authorization"))
	}))
	t.Cleanup(srv.Close)
	f, err := flow.DecodeFlow([]byte(branchFlow))
	if err != nil {
		t.Fatal(err)
	}
	conns := []flow.Connection{{Name: "bot", Kind: flow.ConnCustom, BaseURL: srv.URL,
		Auth: flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Secret: "bot-token"}}}}
	plan, err := engine.Compile(f, conns)
	if err != nil {
		t.Fatal(err)
	}
	runner := engine.NewRunner(engine.Options{Connections: conns, Secrets: secrets{"bot-token": canary}})
	defer runner.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := runner.Run(ctx, plan, engine.Input{Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Outcome != "vip" {
		t.Fatalf("outcome %q: %+v", res.Run.Outcome, res.Steps)
	}
	return res, f
}

// TestHTMLReport: the page is self-contained (no script, no external
// resource), escapes every recorded value, draws the lit path green and
// the branch not taken grey, and lists each step with its request,
// response, status and decision; the secret sent stays redacted (canary).
func TestHTMLReport(t *testing.T) {
	res, f := runBranchFlow(t)
	var buf bytes.Buffer
	if err := HTML(&buf, &res.Run, res.Steps, f); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, canary) {
		t.Fatal("the report holds the secret's value")
	}
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Fatal("the report holds a script element: a body was not escaped")
	}
	for _, bad := range []string{"src=", "href=", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Fatalf("the report refers to an outside resource (%s)", bad)
		}
	}
	for _, want := range []string{
		"<title>Route &lt;b&gt;chat&lt;/b&gt;: run " + res.Run.ID + "</title>",
		`&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more`,
		"<pre>POST " + strings.TrimSuffix(res.Steps[1].Exchanges[0].URL, "") + "</pre>",
		"<tr><td>Authorization</td><td>[redacted]</td></tr>",
		`[redacted] marks a secret of connection &#34;bot&#34;`,
		"<h4>Response 200 <small>",
		`<p class="decision">` + escaper.Replace(res.Steps[1].Decision) + "</p>",
		"2. Ask the bot <small>(call, node ask)</small>",
		"<span>left by vip</span>",
		`<g class="lit"><rect class="card lit" rx="8" x="300" y="200"`,
		`<g class="unvisited"><rect class="card unvisited" rx="8" x="600" y="320"`,
		`<g class="lit"><rect class="card lit" rx="8" x="600" y="80"`,
		"{\n  &#34;chatId&#34;: &#34;c-1&#34;\n}", // the request body pretty-printed
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if res.Steps[1].Decision == "" {
		t.Fatal("the call step has no decision to show")
	}
	// Exactly two connectors lit: start→ask and ask→vip.
	if got := len(regexp.MustCompile(`class="edge lit"`).FindAllString(page, -1)); got != 2 {
		t.Errorf("%d lit connectors, want 2", got)
	}
	if got := len(regexp.MustCompile(`class="edge"`).FindAllString(page, -1)); got != 1 {
		t.Errorf("%d unlit connectors, want 1", got)
	}
}

// TestHTMLReportFailedAndSkipped: a failed node is drawn red, a skipped one
// grey; without a flow the page has no picture but all the steps.
func TestHTMLReportFailedAndSkipped(t *testing.T) {
	f, err := flow.DecodeFlow([]byte(branchFlow))
	if err != nil {
		t.Fatal(err)
	}
	run := &flow.Run{ID: "r-1", FlowName: f.Name, Status: flow.StatusFailed, Error: "call <ask> failed"}
	steps := []flow.Step{
		{Seq: 1, Node: "start", Kind: flow.KindStart, Status: flow.StatusSkipped, Port: flow.PortNext},
		{Seq: 2, Node: "ask", Kind: flow.KindCall, Status: flow.StatusFailed, Error: "503 <Service Unavailable>",
			Exchanges: []flow.Exchange{{Attempt: 1, Method: "POST", URL: "http://127.0.0.1/step", Status: 503, ResponseBody: "not json <b>"}}},
	}
	var buf bytes.Buffer
	if err := HTML(&buf, run, steps, f); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		`<g class="skipped"><rect class="card skipped" rx="8" x="40"`,
		`<g class="failed"><rect class="card failed" rx="8" x="300"`,
		`<p class="error">call &lt;ask&gt; failed</p>`,
		`<pre>not json &lt;b&gt;</pre>`,
		`<p class="error">503 &lt;Service Unavailable&gt;</p>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	buf.Reset()
	if err := HTML(&buf, run, steps, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<svg") || !strings.Contains(buf.String(), "2. ask <small>") {
		t.Fatalf("without a flow:\n%s", buf.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestHTMLReportWriteError: a failing writer's error is returned.
func TestHTMLReportWriteError(t *testing.T) {
	err := HTML(failWriter{}, &flow.Run{ID: "r"}, nil, nil)
	if err != io.ErrClosedPipe {
		t.Fatalf("err = %v", err)
	}
}
