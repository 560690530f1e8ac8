package layout

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// generated returns a flow-like graph of n nodes: a tree of steps where
// each node has 1 to 4 ports' worth of successors, some edges skipping
// ahead and about one in ten going back (a retry loop). Sizes are those of
// cards with that many ports.
func generated(n int, seed uint64) ([]Node, []Edge) {
	r := rand.New(rand.NewPCG(seed, 7))
	nodes := make([]Node, n)
	var edges []Edge
	for i := range nodes {
		ports := 1 + r.IntN(4)
		nodes[i] = Node{W: 200, H: 58 + 20*float64(ports)}
		if i > 0 {
			edges = append(edges, Edge{From: r.IntN(i), To: i})
		}
	}
	for i := 0; i < n/3; i++ {
		a, b := r.IntN(n), r.IntN(n)
		if a == b {
			continue
		}
		if a > b && r.IntN(3) != 0 {
			a, b = b, a // most extra edges go forward
		}
		edges = append(edges, Edge{From: a, To: b})
	}
	return nodes, edges
}

var opts = Options{LayerGap: 80, NodeGap: 40}

// check asserts that no two boxes overlap and that every forward edge goes
// left to right.
func check(t *testing.T, nodes []Node, edges []Edge, res Result) {
	t.Helper()
	type span struct{ x0, x1, y0, y1 float64 }
	byX := map[float64][]int{}
	for i, p := range res.Pos {
		byX[p.X] = append(byX[p.X], i)
	}
	for i := range nodes {
		a := span{res.Pos[i].X, res.Pos[i].X + nodes[i].W, res.Pos[i].Y, res.Pos[i].Y + nodes[i].H}
		for j := i + 1; j < len(nodes); j++ {
			b := span{res.Pos[j].X, res.Pos[j].X + nodes[j].W, res.Pos[j].Y, res.Pos[j].Y + nodes[j].H}
			if a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 {
				t.Fatalf("nodes %d at %v and %d at %v overlap", i, res.Pos[i], j, res.Pos[j])
			}
		}
	}
	for i, e := range edges {
		if res.Back[i] {
			continue
		}
		if res.Pos[e.To].X < res.Pos[e.From].X+nodes[e.From].W {
			t.Fatalf("forward edge %d→%d goes from x=%v to x=%v", e.From, e.To, res.Pos[e.From].X, res.Pos[e.To].X)
		}
	}
}

// reference is the simple layout the barycentre ordering must beat: the
// same layers, each stacked top to bottom in the nodes' index order.
func reference(nodes []Node, res Result) []Point {
	pos := make([]Point, len(nodes))
	bottom := map[int]float64{}
	for i := range nodes {
		l := res.Layer[i]
		pos[i] = Point{X: float64(l) * (200 + opts.LayerGap), Y: bottom[l]}
		bottom[l] += nodes[i].H + opts.NodeGap
	}
	return pos
}

// drawnCrossings counts the pairs of forward edges whose straight lines,
// from the source's right side to the target's left side, cross.
func drawnCrossings(nodes []Node, edges []Edge, back []bool, pos []Point) int {
	type seg struct{ ax, ay, bx, by float64 }
	var segs []seg
	var ends [][2]int
	for i, e := range edges {
		if back[i] {
			continue
		}
		a, b := pos[e.From], pos[e.To]
		segs = append(segs, seg{a.X + nodes[e.From].W, a.Y + nodes[e.From].H/2, b.X, b.Y + nodes[e.To].H/2})
		ends = append(ends, [2]int{e.From, e.To})
	}
	orient := func(ax, ay, bx, by, cx, cy float64) float64 { return (bx-ax)*(cy-ay) - (by-ay)*(cx-ax) }
	n := 0
	for i := range segs {
		for j := i + 1; j < len(segs); j++ {
			if ends[i][0] == ends[j][0] || ends[i][1] == ends[j][1] || ends[i][0] == ends[j][1] || ends[i][1] == ends[j][0] {
				continue // edges sharing a node meet there
			}
			s, u := segs[i], segs[j]
			d1 := orient(s.ax, s.ay, s.bx, s.by, u.ax, u.ay)
			d2 := orient(s.ax, s.ay, s.bx, s.by, u.bx, u.by)
			d3 := orient(u.ax, u.ay, u.bx, u.by, s.ax, s.ay)
			d4 := orient(u.ax, u.ay, u.bx, u.by, s.bx, s.by)
			if d1*d2 < 0 && d3*d4 < 0 {
				n++
			}
		}
	}
	return n
}

func TestLayeredGenerated(t *testing.T) {
	for _, n := range []int{10, 100, 300} {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%d nodes seed %d", n, seed), func(t *testing.T) {
				nodes, edges := generated(n, seed)
				res := Layered(nodes, edges, opts)
				check(t, nodes, edges, res)
				got := drawnCrossings(nodes, edges, res.Back, res.Pos)
				ref := drawnCrossings(nodes, edges, res.Back, reference(nodes, res))
				t.Logf("%d nodes, %d edges (%d back): %d crossings, reference %d", n, len(edges), count(res.Back), got, ref)
				if got > ref {
					t.Fatalf("%d crossings, more than the reference's %d", got, ref)
				}
			})
		}
	}
}

func count(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

func TestLayeredShapes(t *testing.T) {
	box := Node{W: 100, H: 50}
	t.Run("chain", func(t *testing.T) {
		nodes := []Node{box, box, box}
		res := Layered(nodes, []Edge{{0, 1}, {1, 2}}, opts)
		want := []Point{{0, 0}, {180, 0}, {360, 0}}
		for i, p := range want {
			if res.Pos[i] != p {
				t.Fatalf("node %d at %v, want %v (a chain is one straight row)", i, res.Pos[i], p)
			}
		}
	})
	t.Run("loop", func(t *testing.T) {
		nodes := []Node{box, box, box}
		edges := []Edge{{0, 1}, {1, 2}, {2, 1}, {1, 1}, {5, 0}}
		res := Layered(nodes, edges, opts)
		if want := []bool{false, false, true, true, true}; fmt.Sprint(res.Back) != fmt.Sprint(want) {
			t.Fatalf("back %v, want %v", res.Back, want)
		}
		if fmt.Sprint(res.Layer) != "[0 1 2]" {
			t.Fatalf("layers %v", res.Layer)
		}
		check(t, nodes, edges, res)
	})
	t.Run("branches cross less than in index order", func(t *testing.T) {
		// 0 → 1, 2; 1 → 4; 2 → 3: in index order 1→4 and 2→3 cross
		nodes := []Node{box, box, box, box, box}
		edges := []Edge{{0, 1}, {0, 2}, {1, 4}, {2, 3}}
		res := Layered(nodes, edges, opts)
		check(t, nodes, edges, res)
		if res.Pos[1].Y < res.Pos[2].Y != (res.Pos[4].Y < res.Pos[3].Y) {
			t.Fatalf("the two branches cross: %v", res.Pos)
		}
	})
	t.Run("empty", func(t *testing.T) {
		if res := Layered(nil, nil, opts); len(res.Pos) != 0 {
			t.Fatal(res)
		}
	})
	t.Run("cycle without a source", func(t *testing.T) {
		nodes := []Node{box, box}
		edges := []Edge{{0, 1}, {1, 0}}
		res := Layered(nodes, edges, opts)
		check(t, nodes, edges, res)
		if count(res.Back) != 1 {
			t.Fatalf("back %v", res.Back)
		}
	})
}

// BenchmarkLayeredScaling lays out generated flows of 30 and 300 nodes,
// interleaved, and reports the ratio of their times (goal ≤ 15: a tenfold
// flow costs at most fifteen times as much).
func BenchmarkLayeredScaling(b *testing.B) {
	small, smallE := generated(30, 1)
	large, largeE := generated(300, 1)
	var ts, tl time.Duration
	for b.Loop() {
		t0 := time.Now()
		for range 10 {
			Layered(small, smallE, opts)
		}
		t1 := time.Now()
		Layered(large, largeE, opts)
		tl += time.Since(t1)
		ts += t1.Sub(t0) / 10
	}
	b.ReportMetric(float64(tl)/float64(ts), "300/30")
	b.ReportMetric(float64(tl.Microseconds())/float64(b.N), "µs/300")
}
