package ui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// callsFlow is start → n-2 calls, each with a URI, a query parameter, a
// header, a body and a return value to compile, a decision every tenth
// node → end.
func callsFlow(n int) *flow.Flow {
	f := &flow.Flow{Name: fmt.Sprintf("Calls %d", n), Variables: map[string]string{"tier": `"gold"`}}
	for i := range n {
		id := fmt.Sprintf("n%d", i)
		node := flow.Node{ID: id, Kind: flow.KindCall, Position: flow.Position{X: float64(i%20) * 260, Y: float64(i/20) * 200}}
		switch {
		case i == 0:
			node.Kind = flow.KindStart
		case i == n-1:
			node.Kind, node.Outcome = flow.KindEnd, "done"
		case i%10 == 5:
			node.Kind = flow.KindDecision
			node.Cases = []flow.Case{{Port: "vip", When: fmt.Sprintf(`vars.tier == "vip%d"`, i)}}
		default:
			node.Call = &flow.Call{Connection: "crm", Method: "POST", URI: fmt.Sprintf(`"/v1/items/%d"`, i),
				Query:       []flow.Pair{{Key: `"page"`, Value: fmt.Sprintf(`string(%d)`, i)}},
				Headers:     []flow.Pair{{Key: `"X-Trace"`, Value: `trigger.chatId + "-` + id + `"`}},
				Body:        fmt.Sprintf(`{"n": %d, "tier": vars.tier}`, i),
				ReturnValue: fmt.Sprintf(`steps.%s.body.returnValue`, id)}
		}
		f.Nodes = append(f.Nodes, node)
		if i > 0 {
			from := fmt.Sprintf("n%d", i-1)
			port := ""
			if (i-1)%10 == 5 {
				port = flow.PortDefault
			}
			f.Edges = append(f.Edges, flow.Edge{From: from, Port: port, To: id})
		}
	}
	return f
}

// BenchmarkEditField300 measures keystroke-to-feedback in the editor: a
// change of one call's URI typed in the properties panel, through the
// undo history, the canvas, the checks of the flow and the console, on a
// 300-node flow against a 10-node flow. An edit should cost what it
// touched, not the whole flow: ratio_300_vs_10 ≤ 2 (issue 13, "Speed").
func BenchmarkEditField300(b *testing.B) {
	test.NewTempApp(b)
	conns := []flow.Connection{{Name: "crm", Kind: flow.ConnCustom, BaseURL: "https://crm.example.com", Auth: flow.Auth{Type: flow.AuthNone}}}
	mk := func(n int) *exprField {
		db := openStore(b, b.TempDir()+"/flowbench.db")
		a, err := New(fyne.CurrentApp(), Options{Store: db, Do: func(fn func()) { fn() },
			AfterFunc: func(time.Duration, func()) func() bool { return func() bool { return true } }})
		if err != nil {
			b.Fatal(err)
		}
		a.w.Resize(fyne.NewSize(1400, 900))
		a.w.Show()
		b.Cleanup(a.w.Close)
		a.conns = conns
		a.load(callsFlow(n))
		a.cv.FitToWindow()
		a.ed.Select(editor.Selection{Node: "n1", Edge: -1})
		f := a.inspector.fields["call.uri"]
		if f == nil {
			b.Fatal("no URI field")
		}
		if ps := a.ed.Problems(); ps.HasErrors() {
			b.Fatalf("the %d-node flow has problems: %v", n, ps)
		}
		return f
	}
	small, large := mk(10), mk(300)
	var tSmall, tLarge []time.Duration
	i := 0
	edit := func(f *exprField) time.Duration {
		i++
		text := fmt.Sprintf(`"/v1/items/%d"`, i) // a new source each time, as typing makes
		start := time.Now()
		f.entry.SetText(text)
		return time.Since(start)
	}
	for b.Loop() {
		for range 10 {
			tSmall = append(tSmall, edit(small))
			tLarge = append(tLarge, edit(large))
		}
	}
	// medians: the machine is shared, and a pause of another process in
	// one edit says nothing of the editor
	mSmall, mLarge := median(tSmall), median(tLarge)
	b.ReportMetric(float64(mLarge)/float64(mSmall), "ratio_300_vs_10")
	b.ReportMetric(float64(mLarge.Nanoseconds()), "ns/edit_300")
	b.ReportMetric(float64(mSmall.Nanoseconds()), "ns/edit_10")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
