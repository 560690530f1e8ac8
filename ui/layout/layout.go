// Package layout places the nodes of a flow graph in layers from left to
// right (a Sugiyama layout): back-edges are found by a depth-first walk
// from the sources and left out of the layering, each node goes to the
// layer of its longest path from a source, the order within each layer is
// improved by barycentre sweeps (an edge that skips layers pulls its two
// ends level, with no virtual points, so the cost stays linear in the
// edges whatever their length), and each node is placed level with its
// predecessors where the cards above leave room. It knows nothing of Fyne
// or of flows: nodes are sizes, edges pairs of indices.
package layout

import (
	"cmp"
	"slices"
)

// Node is one box to place: its width and height.
type Node struct{ W, H float64 }

// Edge joins node From to node To (indices into the nodes).
type Edge struct{ From, To int }

// Point is a box's top-left corner.
type Point struct{ X, Y float64 }

// Options are the gaps the layout keeps.
type Options struct {
	// LayerGap is the horizontal space between two layers' boxes.
	LayerGap float64
	// NodeGap is the vertical space between two boxes of a layer.
	NodeGap float64
	// Sweeps is how many down-and-up barycentre passes reorder the
	// layers (4 when 0).
	Sweeps int
}

// Result is a layout.
type Result struct {
	// Pos is each node's top-left corner; the layout's top-left is (0, 0).
	Pos []Point
	// Layer is each node's layer, 0 the leftmost.
	Layer []int
	// Back marks the edges that go back (or to the same layer) in the
	// layering: the loops of the graph, routed around the layers.
	Back []bool
}

// Layered lays out the graph. Edges with an index out of range and edges
// from a node to itself are ignored (marked Back). Its cost grows with the
// number of nodes plus the number of layers the edges cross.
func Layered(nodes []Node, edges []Edge, opt Options) Result {
	n := len(nodes)
	if opt.Sweeps <= 0 {
		opt.Sweeps = 4
	}
	res := Result{Pos: make([]Point, n), Layer: make([]int, n), Back: make([]bool, len(edges))}
	if n == 0 {
		return res
	}
	out := make([][]int, n) // edge indices leaving each node
	indeg := make([]int, n)
	for i, e := range edges {
		if e.From < 0 || e.From >= n || e.To < 0 || e.To >= n || e.From == e.To {
			res.Back[i] = true
			continue
		}
		out[e.From] = append(out[e.From], i)
		indeg[e.To]++
	}
	markBackEdges(n, edges, out, indeg, res.Back)

	// longest-path layering over the forward edges, in topological order
	fin := make([]int, n)
	for i, e := range edges {
		if !res.Back[i] {
			fin[e.To]++
		}
	}
	queue := make([]int, 0, n)
	for v := range n {
		if fin[v] == 0 {
			queue = append(queue, v)
		}
	}
	for h := 0; h < len(queue); h++ {
		u := queue[h]
		for _, ei := range out[u] {
			if res.Back[ei] {
				continue
			}
			v := edges[ei].To
			res.Layer[v] = max(res.Layer[v], res.Layer[u]+1)
			if fin[v]--; fin[v] == 0 {
				queue = append(queue, v)
			}
		}
	}
	topo := queue

	nLayers := 0
	for _, l := range res.Layer {
		nLayers = max(nLayers, l+1)
	}
	// each node's neighbours over the forward edges, in whatever layer:
	// an edge that skips layers pulls its ends level with each other
	up := make([][]int, n)
	down := make([][]int, n)
	for i, e := range edges {
		if !res.Back[i] {
			down[e.From] = append(down[e.From], e.To)
			up[e.To] = append(up[e.To], e.From)
		}
	}
	layers := make([][]int, nLayers)
	// first order: the topological (breadth-first from the sources) order
	for _, v := range topo {
		layers[res.Layer[v]] = append(layers[res.Layer[v]], v)
	}

	// barycentre sweeps over ranks normalised to 0..1 within each layer,
	// so neighbours in layers of different sizes compare
	rank := make([]float64, n)
	setRanks := func(l int) {
		k := float64(len(layers[l]))
		for i, v := range layers[l] {
			rank[v] = (float64(i) + 0.5) / k
		}
	}
	for l := range layers {
		setRanks(l)
	}
	bary := make([]float64, n)
	reorder := func(l int, neighbours [][]int) {
		for _, v := range layers[l] {
			nb := neighbours[v]
			if len(nb) == 0 {
				bary[v] = rank[v]
				continue
			}
			s := 0.0
			for _, x := range nb {
				s += rank[x]
			}
			bary[v] = s / float64(len(nb))
		}
		slices.SortStableFunc(layers[l], func(a, b int) int { return cmp.Compare(bary[a], bary[b]) })
		setRanks(l)
	}
	adjacent := func(v int) []int { return down[v] }
	best := crossings(layers, res.Layer, adjacent, rank)
	bestOrder := cloneLayers(layers)
	for range opt.Sweeps {
		for l := 1; l < nLayers; l++ {
			reorder(l, up)
		}
		for l := nLayers - 2; l >= 0; l-- {
			reorder(l, down)
		}
		if c := crossings(layers, res.Layer, adjacent, rank); c < best {
			best, bestOrder = c, cloneLayers(layers)
		}
	}
	layers = bestOrder
	for l := range layers {
		setRanks(l)
	}

	// coordinates: x by layer, y level with the predecessors where the
	// boxes above leave room
	x := 0.0
	y := make([]float64, n)
	for _, layer := range layers {
		w := 0.0
		bottom := 0.0
		for _, v := range layer {
			w = max(w, nodes[v].W)
			want := bottom
			if len(up[v]) > 0 {
				s := 0.0
				for _, u := range up[v] {
					s += y[u] + nodes[u].H/2
				}
				want = max(bottom, s/float64(len(up[v]))-nodes[v].H/2)
			}
			y[v] = want
			bottom = want + nodes[v].H + opt.NodeGap
		}
		for _, v := range layer {
			res.Pos[v] = Point{X: x, Y: y[v]}
		}
		x += w + opt.LayerGap
	}
	return res
}

func cloneLayers(ls [][]int) [][]int {
	c := make([][]int, len(ls))
	for i, l := range ls {
		c[i] = slices.Clone(l)
	}
	return c
}

// markBackEdges walks the graph depth first from its sources (in index
// order), then from any node not reached yet, and marks the edges that
// lead to a node still on the walk's path: removing them leaves the graph
// acyclic.
func markBackEdges(n int, edges []Edge, out [][]int, indeg []int, back []bool) {
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]uint8, n)
	type frame struct{ v, next int }
	var stack []frame
	walk := func(root int) {
		if state[root] != unseen {
			return
		}
		state[root] = onPath
		stack = append(stack[:0], frame{v: root})
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next == len(out[f.v]) {
				state[f.v] = done
				stack = stack[:len(stack)-1]
				continue
			}
			ei := out[f.v][f.next]
			f.next++
			if back[ei] {
				continue
			}
			w := edges[ei].To
			switch state[w] {
			case onPath:
				back[ei] = true
			case unseen:
				state[w] = onPath
				stack = append(stack, frame{v: w})
			}
		}
	}
	for v := range n {
		if indeg[v] == 0 {
			walk(v)
		}
	}
	for v := range n {
		walk(v)
	}
}

// crossings counts the crossings of the edges between adjacent layers for
// the order given by rank: for each pair of layers, edges sorted by their
// upper end and counted by inversions of their lower end.
func crossings(layers [][]int, layer []int, down func(int) []int, rank []float64) int {
	total := 0
	var ends []float64
	for l := 0; l+1 < len(layers); l++ {
		ends = ends[:0]
		for _, v := range layers[l] { // in rank order
			start := len(ends)
			for _, d := range down(v) {
				if layer[d] == l+1 {
					ends = append(ends, rank[d])
				}
			}
			slices.Sort(ends[start:])
		}
		total += inversions(ends)
	}
	return total
}

// inversions counts the pairs i < j with a[i] > a[j] by merge sort; a is
// sorted on return.
func inversions(a []float64) int {
	if len(a) < 2 {
		return 0
	}
	m := len(a) / 2
	left, right := slices.Clone(a[:m]), slices.Clone(a[m:])
	c := inversions(left) + inversions(right)
	i, j, k := 0, 0, 0
	for i < len(left) && j < len(right) {
		if right[j] < left[i] {
			a[k] = right[j]
			c += len(left) - i
			j++
		} else {
			a[k] = left[i]
			i++
		}
		k++
	}
	for ; i < len(left); i++ {
		a[k] = left[i]
		k++
	}
	for ; j < len(right); j++ {
		a[k] = right[j]
		k++
	}
	return c
}
