package canvas

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// gridFlow lays n set nodes out ten to a row, chained by next edges, plus
// a decision every seventh node with a second edge, so cards have several
// connectors as in real flows.
func gridFlow(n int) *flow.Flow {
	f := &flow.Flow{Format: flow.Format, Name: fmt.Sprintf("grid %d", n)}
	for i := 0; i < n; i++ {
		node := flow.Node{ID: fmt.Sprintf("n%d", i), Kind: flow.KindSet, Title: fmt.Sprintf("Step %d", i),
			Position: flow.Position{X: float64(20 + (i%10)*260), Y: float64(20 + (i/10)*140)}}
		if i%7 == 3 {
			node.Kind = flow.KindDecision
			node.Cases = []flow.Case{{Port: "yes", When: "vars.x > 1"}}
		}
		f.Nodes = append(f.Nodes, node)
		if i > 0 {
			prev := f.Nodes[i-1]
			port := ""
			if prev.Kind == flow.KindDecision {
				port = "yes"
			}
			f.Edges = append(f.Edges, flow.Edge{From: prev.ID, Port: port, To: node.ID})
			if prev.Kind == flow.KindDecision && i+1 < n {
				f.Edges = append(f.Edges, flow.Edge{From: prev.ID, Port: "default", To: fmt.Sprintf("n%d", i+1)})
			}
		}
	}
	return f
}

// dragCost returns the mean cost of one drag update of card n5 (on screen
// in both flows, with the same three connectors) on a canvas showing f.
func dragCost(b *testing.B, f *flow.Flow, iterations int) time.Duration {
	b.Helper()
	c := New(editor.New(f))
	w := test.NewWindow(c)
	defer w.Close()
	w.Resize(fyne.NewSize(1200, 800))
	start := c.view.ToScreen(f.Node("n5").Position).AddXY(60, 20)
	c.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, PointEvent: fyne.PointEvent{Position: start}})
	cur := start
	t0 := time.Now()
	for i := 0; i < iterations; i++ {
		d := fyne.Delta{DX: 3, DY: 2}
		if i%2 == 1 {
			d = fyne.Delta{DX: -3, DY: -2}
		}
		cur = cur.AddXY(d.DX, d.DY)
		c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: cur}, Dragged: d})
	}
	el := time.Since(t0)
	if c.drag.mode != dragNode || c.drag.node != "n5" {
		b.Fatalf("the benchmark did not drag card n5 (mode %d node %q)", c.drag.mode, c.drag.node)
	}
	c.DragEnd()
	return el / time.Duration(iterations)
}

// BenchmarkDragUpdate measures one drag update (the Dragged event with the
// relayout and refresh of what it changed) on a 300-node flow against the
// same update on a 10-node flow, and reports the ratio: it must stay at most
// 3, so the cost of a frame does not grow with the size of the flow.
func BenchmarkDragUpdate(b *testing.B) {
	test.NewTempApp(b)
	small, large := gridFlow(10), gridFlow(300)
	// warm up both, so first-time allocations are not measured
	dragCost(b, small, 100)
	dragCost(b, large, 100)
	b.ResetTimer()
	var tSmall, tLarge time.Duration
	for b.Loop() {
		tSmall += dragCost(b, small, 200)
		tLarge += dragCost(b, large, 200)
	}
	b.StopTimer()
	ratio := float64(tLarge) / float64(tSmall)
	b.ReportMetric(float64(tSmall.Nanoseconds())/float64(b.N), "ns/drag-10")
	b.ReportMetric(float64(tLarge.Nanoseconds())/float64(b.N), "ns/drag-300")
	b.ReportMetric(ratio, "ratio-300/10")
	if ratio > 3 {
		b.Errorf("a drag update on 300 nodes costs %.2f× the one on 10 nodes; the target is at most 3", ratio)
	}
}
