package flow

import "sort"

// PortCoverage is one output port of one node of a flow and how often the
// recorded runs left the node by it (branch coverage).
type PortCoverage struct {
	Node, Port string
	// Taken is how many recorded steps took the port; 0 means never.
	Taken int
}

// Coverage lists every output port of every node of f (Node.Ports, so the
// kinds' rule of which ports a node has is not written again), each with
// taken(node, port), in the order a person reads the flow: the nodes a run
// reaches first come first (breadth-first from the start nodes, following
// ports in display order), nodes at one depth top to bottom, then left to
// right; nodes no run can reach come last, in the same order. A node's ports
// keep their display order.
func (f *Flow) Coverage(taken func(node, port string) int) []PortCoverage {
	var out []PortCoverage
	for _, i := range f.readingOrder() {
		n := &f.Nodes[i]
		for _, p := range n.Ports() {
			out = append(out, PortCoverage{Node: n.ID, Port: p, Taken: taken(n.ID, p)})
		}
	}
	return out
}

// NeverTaken keeps the ports of cov no run took, in cov's order.
func NeverTaken(cov []PortCoverage) []PortCoverage {
	var out []PortCoverage
	for _, c := range cov {
		if c.Taken == 0 {
			out = append(out, c)
		}
	}
	return out
}

// readingOrder returns the indexes of f's nodes in reading order (see
// Coverage).
func (f *Flow) readingOrder() []int {
	index := make(map[string]int, len(f.Nodes))
	for i := range f.Nodes {
		if _, dup := index[f.Nodes[i].ID]; !dup {
			index[f.Nodes[i].ID] = i
		}
	}
	// node → targets; the order of a node's targets does not matter: depth
	// alone (then position) orders the nodes
	out := make(map[string][]string, len(f.Nodes))
	for _, e := range f.Edges {
		out[e.From] = append(out[e.From], e.To)
	}
	const unreached = int(^uint(0) >> 1)
	depth := make([]int, len(f.Nodes))
	for i := range depth {
		depth[i] = unreached
	}
	var queue []int
	for i := range f.Nodes {
		if f.Nodes[i].Kind == KindStart {
			depth[i] = 0
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 { // each node enters the queue once: bounded by len(f.Nodes)
		i := queue[0]
		queue = queue[1:]
		for _, to := range out[f.Nodes[i].ID] {
			if j, ok := index[to]; ok && depth[j] == unreached {
				depth[j] = depth[i] + 1
				queue = append(queue, j)
			}
		}
	}
	order := make([]int, len(f.Nodes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if depth[i] != depth[j] {
			return depth[i] < depth[j]
		}
		pi, pj := f.Nodes[i].Position, f.Nodes[j].Position
		if pi.Y != pj.Y {
			return pi.Y < pj.Y
		}
		return pi.X < pj.X
	})
	return order
}
