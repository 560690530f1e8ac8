package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
)

// benchJSON is a response body of about size bytes shaped like a real
// list endpoint's: a meta object and an array of records with nested
// members; the last record's name is "needle-last".
func benchJSON(size int) string {
	var b strings.Builder
	b.WriteString(`{"meta": {"page": 1, "next": "https://api.example.com/v1/orders?page=2", "count": 0}, "items": [`)
	for i := 0; b.Len() < size-300; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id": "ord-%06d", "status": "shipped", "total": %d.%02d, "customer": {"name": "Customer %d", "email": "c%d@example.com", "tier": "gold"}, "lines": [{"sku": "x-%d", "qty": 2}, {"sku": "y-%d", "qty": 1}], "note": "item %d"}`,
			i, i%500, i%100, i, i, i, i, i)
	}
	b.WriteString(`,{"id": "last", "name": "needle-last"}]}`)
	return b.String()
}

// BenchmarkResponseView measures the response view on a 5 MiB JSON body
// against a 5 KiB one, in a 1024x640 test window: the time to first paint
// (Show and the window drawn), to fold and unfold the big array (after its
// first opening), and to search for a value at the end of the document and
// show it. Each ratio is 5 MiB ÷ 5 KiB; the first paint's target is ≤ 20.
func BenchmarkResponseView(b *testing.B) {
	test.NewTempApp(b)
	type sized struct {
		w    fyne.Window
		v    *responseView
		x    *flow.Exchange
		open string // the items array's node
	}
	mk := func(size int) *sized {
		w := test.NewWindow(nil)
		v := newResponseView(shell{win: w, log: func(string) {}})
		w.SetContent(v.Object())
		w.Resize(fyne.NewSize(1024, 640))
		b.Cleanup(w.Close)
		body := benchJSON(size)
		x := &flow.Exchange{Attempt: 1, Method: "GET", URL: "https://api.example.com/v1/orders", Status: 200, DurationMs: 12,
			ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}}, ResponseBody: body, ResponseSize: int64(len(body))}
		return &sized{w: w, v: v, x: x}
	}
	small, large := mk(5<<10), mk(5<<20)
	// Each returns the operation's time alone (what the UI goroutine is
	// busy with before it can draw) and with the window drawn by the test
	// driver's software painter.
	paint := func(s *sized) (op, all time.Duration) {
		t0 := time.Now()
		s.v.Show(s.x, nil)
		op = time.Since(t0)
		s.w.Canvas().Capture()
		all = time.Since(t0)
		s.open = s.v.ix.childIDs("0")[1]
		s.v.tree.OpenBranch(s.open) // indexes the array: its first opening
		return op, all
	}
	fold := func(s *sized) (op, all time.Duration) {
		t0 := time.Now()
		s.v.tree.CloseBranch(s.open)
		op = time.Since(t0)
		s.w.Canvas().Capture()
		t1 := time.Now()
		s.v.tree.OpenBranch(s.open)
		op += time.Since(t1)
		s.w.Canvas().Capture()
		return op, time.Since(t0)
	}
	search := func(s *sized) (op, all time.Duration) {
		t0 := time.Now()
		s.v.search.SetText("needle-last")
		s.v.findNext()
		op = time.Since(t0)
		s.w.Canvas().Capture()
		all = time.Since(t0)
		if s.v.selected < 0 || s.v.ix.path("body", s.v.selected) != fmt.Sprintf("body.items[%d].name", len(s.v.ix.childIDs(s.open))-1) {
			b.Fatalf("search found %d", s.v.selected)
		}
		return op, all
	}
	type totals struct{ op, all time.Duration }
	var m [3][2]totals // operation × (5 KiB, 5 MiB)
	n := 0
	for b.Loop() {
		n++
		for k, f := range []func(*sized) (time.Duration, time.Duration){paint, fold, search} {
			for j, s := range []*sized{small, large} {
				op, all := f(s)
				m[k][j].op += op
				m[k][j].all += all
			}
		}
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n) }
	b.ReportMetric(float64(m[0][1].all)/float64(m[0][0].all), "ratio")
	for k, name := range []string{"paint", "fold", "search"} {
		if k > 0 {
			b.ReportMetric(float64(m[k][1].all)/float64(m[k][0].all), name+"-ratio")
		}
		b.ReportMetric(float64(m[k][1].op)/float64(m[k][0].op), name+"-op-ratio")
		b.ReportMetric(per(m[k][1].op), name+"-op-µs_5MiB")
		b.ReportMetric(per(m[k][1].all), name+"-µs_5MiB")
		b.ReportMetric(per(m[k][0].all), name+"-µs_5KiB")
	}
}
