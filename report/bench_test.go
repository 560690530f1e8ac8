package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// bigRun is a 1,000-step run of a 1,000-node chain: every step a call
// with JSON request and response bodies and headers.
func bigRun() (*flow.Run, []flow.Step, *flow.Flow) {
	const n = 1000
	f := &flow.Flow{Format: flow.Format, Name: "Long chain"}
	run := &flow.Run{ID: "r-big", FlowName: f.Name, Status: flow.StatusSucceeded, StartedAt: time.Unix(1_700_000_000, 0), DurationMs: 12_345}
	steps := make([]flow.Step, n)
	body := `{"customer": {"id": "c-1", "tier": "gold", "tags": ["a", "b", "c"]}, "items": [` + strings.Repeat(`{"sku": "X-1", "qty": 2, "note": "fragile <glass> & co"},`, 8) + `{"sku": "Y"}]}`
	for i := range n {
		id := fmt.Sprintf("n%d", i)
		f.Nodes = append(f.Nodes, flow.Node{ID: id, Kind: flow.KindCall, Title: "Step " + id, Position: flow.Position{X: float64(i%20) * 260, Y: float64(i/20) * 100}})
		if i > 0 {
			f.Edges = append(f.Edges, flow.Edge{From: fmt.Sprintf("n%d", i-1), To: id})
		}
		steps[i] = flow.Step{Seq: i + 1, Node: id, Kind: flow.KindCall, Status: flow.StatusSucceeded, Port: "ok", HTTPStatus: 200,
			Decision: `returnValue "ok" matched the branch ok`, DurationMs: 12,
			Exchanges: []flow.Exchange{{Attempt: 1, Method: "POST", URL: "https://api.example.com/v1/orders/" + id + "?expand=items",
				RequestHeaders:  map[string][]string{"Authorization": {"[redacted]"}, "Content-Type": {"application/json"}},
				RequestBody:     body,
				Status:          200,
				ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}, "Date": {"Tue, 01 Dec 2026 06:00:00 GMT"}},
				ResponseBody:    body, DurationMs: 12,
				Timing:   &flow.Timing{FirstByteUs: 9_500, TotalUs: 12_000},
				Redacted: &flow.Redaction{Connection: "api", Fields: []string{"requestHeaders.Authorization"}}}},
		}
	}
	return run, steps, f
}

// BenchmarkReport: the HTML report of a 1,000-step run against the JSON
// export of the same run and steps (encoding/json), in the same run;
// html/json is the ratio of their times (target ≤ 2).
func BenchmarkReport(b *testing.B) {
	run, steps, f := bigRun()
	export := struct {
		Run   *flow.Run   `json:"run"`
		Steps []flow.Step `json:"steps"`
	}{run, steps}
	var htmlT, jsonT time.Duration
	n := 0
	for b.Loop() {
		n++
		t0 := time.Now()
		if err := json.NewEncoder(io.Discard).Encode(&export); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := HTML(io.Discard, run, steps, f); err != nil {
			b.Fatal(err)
		}
		htmlT += time.Since(t1)
		jsonT += t1.Sub(t0)
	}
	b.ReportMetric(float64(htmlT)/float64(jsonT), "html/json")
	b.ReportMetric(float64(htmlT.Microseconds())/float64(n), "html-µs")
	b.ReportMetric(float64(jsonT.Microseconds())/float64(n), "json-µs")
}
