// Package report writes a finished run as one self-contained HTML page for
// handouts: a picture of the flow's canvas with the path the run took, then
// each step with its request, response and decision in words. The page has
// its CSS inline and needs no script or other file; every recorded value is
// HTML-escaped, and secrets stay redacted as the run recorded them.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// The canvas picture's card size, in flow coordinates (the app's cards are
// as wide).
const (
	cardW = 200
	cardH = 56
	pad   = 24
)

// escaper escapes text for HTML element content and quoted attributes.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

const style = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1d1d1f}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#555}.meta span{margin-right:16px}
.status-succeeded{color:#1a7f37}.status-failed,.status-interrupted{color:#cf222e}.status-stopped,.status-skipped{color:#6e7781}
svg{width:100%;height:auto;border:1px solid #d0d7de;border-radius:8px;background:#f6f8fa}
svg text{font:13px system-ui,sans-serif}svg .kind{font-size:11px;fill:#57606a}svg .port{font-size:11px;fill:#57606a}
.card{fill:#fff;stroke:#8c959f;stroke-width:1.5}.card.lit{fill:#dafbe1;stroke:#1a7f37;stroke-width:3}
.card.failed{fill:#ffebe9;stroke:#cf222e;stroke-width:3}.card.skipped,.card.unvisited{fill:#eaeef2;stroke:#afb8c1}
.unvisited text,.skipped text{fill:#8c959f}
.edge{fill:none;stroke:#8c959f;stroke-width:1.5}.edge.lit{stroke:#1a7f37;stroke-width:3.5}
ol.steps{list-style:none;padding:0}.step{border:1px solid #d0d7de;border-radius:8px;margin:12px 0;padding:10px 14px}
.step h3{font-size:15px;margin:0 0 4px}.decision{font-size:15px;margin:6px 0}.error{color:#cf222e}
.ex{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:8px}.ex>div{min-width:0}
.ex h4{font-size:13px;margin:4px 0}pre{background:#f6f8fa;border-radius:6px;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-word;margin:4px 0;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
table.h{font:12px ui-monospace,Menlo,Consolas,monospace;border-collapse:collapse}table.h td{padding:1px 8px 1px 0;vertical-align:top;word-break:break-all}
.redacted{color:#9a6700;font-size:12px}
@media print{.step{break-inside:avoid}}
`

// HTML writes the report of run, its steps (in order) and the flow it ran
// (f may be nil when the flow is no longer known: the page then has no
// picture). It returns the first write error.
func HTML(w io.Writer, run *flow.Run, steps []flow.Step, f *flow.Flow) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	r := &writer{w: bw}
	r.page(run, steps, f)
	if r.err != nil {
		return r.err
	}
	return bw.Flush()
}

type writer struct {
	w       *bufio.Writer
	err     error
	scratch bytes.Buffer // pretty-printed bodies
}

func (r *writer) s(s string) {
	if r.err == nil {
		_, r.err = r.w.WriteString(s)
	}
}

// text writes s escaped.
func (r *writer) text(s string) {
	if r.err == nil {
		_, r.err = escaper.WriteString(r.w, s)
	}
}

func (r *writer) num(n int64) {
	if r.err == nil {
		var b [24]byte
		_, r.err = r.w.Write(strconv.AppendInt(b[:0], n, 10))
	}
}

func (r *writer) float(x float64) {
	if r.err == nil {
		var b [32]byte
		_, r.err = r.w.Write(strconv.AppendFloat(b[:0], x, 'f', -1, 64))
	}
}

func (r *writer) page(run *flow.Run, steps []flow.Step, f *flow.Flow) {
	title := "Run " + run.ID
	if run.FlowName != "" {
		title = run.FlowName + ": run " + run.ID
	}
	r.s("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>")
	r.text(title)
	r.s("</title><style>\n")
	r.s(style)
	r.s("</style></head><body>\n<h1>")
	r.text(cmpOr(run.FlowName, "Flow"))
	r.s("</h1>\n<p class=\"meta\"><span>Run ")
	r.text(run.ID)
	r.s("</span><span class=\"status-")
	r.text(string(run.Status))
	r.s("\">")
	r.text(string(run.Status))
	if run.Outcome != "" {
		r.s(": outcome ")
		r.text(run.Outcome)
	}
	r.s("</span>")
	if !run.StartedAt.IsZero() {
		r.s("<span>started ")
		r.text(run.StartedAt.UTC().Format(time.RFC3339))
		r.s("</span>")
	}
	r.s("<span>")
	r.num(run.DurationMs)
	r.s(" ms</span>")
	if run.Env != "" {
		r.s("<span>environment ")
		r.text(run.Env)
		r.s("</span>")
	}
	if run.Trigger != "" {
		r.s("<span>trigger ")
		r.text(run.Trigger)
		r.s("</span>")
	}
	r.s("</p>\n")
	if run.Error != "" {
		r.s("<p class=\"error\">")
		r.text(run.Error)
		r.s("</p>\n")
	}
	if len(run.Input) > 0 {
		r.s("<h2>Input</h2>\n")
		r.body(string(run.Input))
	}
	if f != nil && len(f.Nodes) > 0 {
		r.s("<h2>Path</h2>\n")
		r.canvas(f, steps)
	}
	r.s("<h2>Steps</h2>\n<ol class=\"steps\">\n")
	for i := range steps {
		r.step(&steps[i], f)
	}
	r.s("</ol>\n</body></html>\n")
}

// canvas draws the flow as inline SVG: each node a card at its position,
// each connector a curve from its port; what the run took is green, a
// failed node red, skipped and unvisited nodes grey.
func (r *writer) canvas(f *flow.Flow, steps []flow.Step) {
	state := map[string]flow.Status{} // a node's last step
	took := map[[2]string]bool{}      // node, port it left by
	for i := range steps {
		s := &steps[i]
		state[s.Node] = s.Status
		took[[2]string{s.Node, cmpOr(s.Port, flow.PortNext)}] = true
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for i := range f.Nodes {
		p := f.Nodes[i].Position
		minX, minY = min(minX, p.X), min(minY, p.Y)
		maxX, maxY = max(maxX, p.X+cardW), max(maxY, p.Y+cardH)
	}
	r.s(`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="the flow with the path this run took" viewBox="`)
	r.float(minX - pad)
	r.s(" ")
	r.float(minY - pad)
	r.s(" ")
	r.float(maxX - minX + 2*pad)
	r.s(" ")
	r.float(maxY - minY + 2*pad)
	r.s("\">\n")
	byID := make(map[string]*flow.Node, len(f.Nodes))
	for i := range f.Nodes {
		byID[f.Nodes[i].ID] = &f.Nodes[i]
	}
	// Connectors first, lit ones last, so cards and the green path are on top.
	edges := slices.Clone(f.Edges)
	lit := func(e flow.Edge) bool {
		_, reached := state[e.To]
		return took[[2]string{e.From, e.PortName()}] && reached
	}
	slices.SortStableFunc(edges, func(a, b flow.Edge) int {
		la, lb := lit(a), lit(b)
		switch {
		case la == lb:
			return 0
		case lb:
			return -1
		}
		return 1
	})
	for _, e := range edges {
		from, to := byID[e.From], byID[e.To]
		if from == nil || to == nil {
			continue
		}
		x1, y1 := from.Position.X+cardW, from.Position.Y+cardH/2
		x2, y2 := to.Position.X, to.Position.Y+cardH/2
		// half the gap forwards (a short gap stays straight); a connector
		// going back to the left swings out 40 either side
		dx := (x2 - x1) / 2
		if x2 < x1+20 {
			dx = 40
		}
		r.s(`<path class="edge`)
		if lit(e) {
			r.s(" lit")
		}
		r.s(`" d="M`)
		r.float(x1)
		r.s(" ")
		r.float(y1)
		r.s(" C")
		r.float(x1 + dx)
		r.s(" ")
		r.float(y1)
		r.s(" ")
		r.float(x2 - dx)
		r.s(" ")
		r.float(y2)
		r.s(" ")
		r.float(x2)
		r.s(" ")
		r.float(y2)
		r.s("\"/>")
		if e.Port != "" && e.Port != flow.PortNext {
			r.s(`<text class="port" x="`)
			r.float(x1 + 6)
			r.s(`" y="`)
			r.float(y1 + (y2-y1)/4 - 4)
			r.s(`">`)
			r.text(e.Port)
			r.s("</text>")
		}
		r.s("\n")
	}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		class := "unvisited"
		if st, ok := state[n.ID]; ok {
			switch st {
			case flow.StatusFailed, flow.StatusInterrupted:
				class = "failed"
			case flow.StatusSkipped:
				class = "skipped"
			default:
				class = "lit"
			}
		}
		r.s(`<g class="`)
		r.s(class)
		r.s(`"><rect class="card `)
		r.s(class)
		r.s(`" rx="8" x="`)
		r.float(n.Position.X)
		r.s(`" y="`)
		r.float(n.Position.Y)
		r.s(`" width="200" height="56"/><text x="`)
		r.float(n.Position.X + 12)
		r.s(`" y="`)
		r.float(n.Position.Y + 24)
		r.s(`">`)
		r.text(clip(cmpOr(n.Title, n.ID), 26))
		r.s(`</text><text class="kind" x="`)
		r.float(n.Position.X + 12)
		r.s(`" y="`)
		r.float(n.Position.Y + 43)
		r.s(`">`)
		r.text(string(n.Kind))
		r.s("</text></g>\n")
	}
	r.s("</svg>\n")
}

func (r *writer) step(s *flow.Step, f *flow.Flow) {
	title := s.Title
	if title == "" && f != nil {
		if n := f.Node(s.Node); n != nil {
			title = n.Title
		}
	}
	r.s(`<li class="step"><h3>`)
	r.num(int64(s.Seq))
	r.s(". ")
	r.text(cmpOr(title, s.Node))
	r.s(` <small>(`)
	r.text(string(s.Kind))
	r.s(", node ")
	r.text(s.Node)
	r.s(`)</small></h3><div class="meta"><span class="status-`)
	r.text(string(s.Status))
	r.s(`">`)
	r.text(string(s.Status))
	r.s("</span><span>")
	r.num(s.DurationMs)
	r.s(" ms</span>")
	if s.PausedMs > 0 {
		r.s("<span>paused ")
		r.num(s.PausedMs)
		r.s(" ms before it</span>")
	}
	if s.Attempts > 1 {
		r.s("<span>")
		r.num(int64(s.Attempts))
		r.s(" attempts</span>")
	}
	if s.Port != "" && s.Port != flow.PortNext {
		r.s("<span>left by ")
		r.text(s.Port)
		r.s("</span>")
	}
	r.s("</div>\n")
	if s.Decision != "" {
		r.s(`<p class="decision">`)
		r.text(s.Decision)
		r.s("</p>\n")
	}
	if s.Error != "" {
		r.s(`<p class="error">`)
		r.text(s.Error)
		r.s("</p>\n")
	}
	for i := range s.Exchanges {
		r.exchange(&s.Exchanges[i], len(s.Exchanges) > 1)
	}
	r.s("</li>\n")
}

func (r *writer) exchange(x *flow.Exchange, numbered bool) {
	r.s(`<div class="ex"><div><h4>`)
	if numbered {
		r.s("Attempt ")
		r.num(int64(x.Attempt))
		r.s(": request")
	} else {
		r.s("Request")
	}
	r.s("</h4><pre>")
	r.text(x.Method)
	r.s(" ")
	r.text(x.URL)
	r.s("</pre>")
	r.headers(x.RequestHeaders)
	if x.RequestBody != "" {
		r.body(x.RequestBody)
	}
	r.redacted(x, "url", "requestHeaders.", "requestBody")
	r.s("</div><div><h4>Response")
	if x.Status != 0 {
		r.s(" ")
		r.num(int64(x.Status))
	}
	r.s(" <small>")
	r.num(x.DurationMs)
	r.s(" ms")
	if t := x.Timing; t != nil && t.FirstByteUs > 0 {
		r.s(", first byte at ")
		r.float(math.Round(float64(t.FirstByteUs)/100) / 10)
		r.s(" ms")
	}
	if x.WaitMs > 0 {
		r.s(", after waiting ")
		r.num(x.WaitMs)
		r.s(" ms")
	}
	r.s("</small></h4>")
	if x.Error != "" {
		r.s(`<p class="error">`)
		r.text(x.Error)
		r.s("</p>")
	}
	r.headers(x.ResponseHeaders)
	if x.ResponseBody != "" {
		r.body(x.ResponseBody)
	}
	if x.Truncated {
		r.s(`<p class="redacted">the body was cut for storage; `)
		r.num(x.ResponseSize)
		r.s(" bytes were received</p>")
	}
	r.redacted(x, "responseHeaders.", "responseBody", "error")
	r.s("</div></div>\n")
}

func (r *writer) headers(h map[string][]string) {
	if len(h) == 0 {
		return
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	r.s(`<table class="h">`)
	for _, k := range names {
		for _, v := range h[k] {
			r.s("<tr><td>")
			r.text(k)
			r.s("</td><td>")
			r.text(v)
			r.s("</td></tr>")
		}
	}
	r.s("</table>")
}

// body writes a body, pretty-printed when it is JSON.
func (r *writer) body(b string) {
	r.s("<pre>")
	r.scratch.Reset()
	if err := json.Indent(&r.scratch, []byte(b), "", "  "); err == nil {
		if r.err == nil {
			_, r.err = escaper.WriteString(r.w, r.scratch.String())
		}
	} else {
		r.text(b)
	}
	r.s("</pre>")
}

// redacted says which of the exchange's values had a secret replaced (a
// field ending in "." stands for every field it starts).
func (r *writer) redacted(x *flow.Exchange, fields ...string) {
	if x.Redacted == nil {
		return
	}
	var names []string
	for _, got := range x.Redacted.Fields {
		for _, f := range fields {
			if got == f || (strings.HasSuffix(f, ".") && strings.HasPrefix(got, f)) {
				names = append(names, got)
			}
		}
	}
	if len(names) == 0 {
		return
	}
	r.s(`<p class="redacted">`)
	r.text(fmt.Sprintf("[redacted] marks a secret of connection %q, left out of the record: %s", x.Redacted.Connection, strings.Join(names, ", ")))
	r.s("</p>")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// clip shortens s to n characters with an ellipsis, so a title fits its card.
func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
