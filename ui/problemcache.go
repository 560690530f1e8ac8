package ui

import (
	"strings"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// exprProblemCache remembers the expression problems (expressionProblems)
// of each node of the open document with the node's editor.NodeStamp, so
// that a keystroke in one node's field checks that node again, not the
// whole flow: on a 300-node flow an edit costs about what it costs on a
// small one (BenchmarkEditField300). The checker's own cache keeps each
// source's verdict; this one saves walking and formatting every field.
type exprProblemCache struct {
	checker *exprChecker
	conns   string // the connections the entries were checked against
	nodes   map[string]stampedProblems
}

type stampedProblems struct {
	stamp editor.NodeStamp
	ps    flow.Problems
}

// problems returns expressionProblems(c, ed.Flow(), conns), reusing the
// problems of every node whose stamp did not change since it was checked
// against the same checker and connections.
func (pc *exprProblemCache) problems(c *exprChecker, ed *editor.Editor, conns []flow.Connection) flow.Problems {
	f := ed.Flow()
	if key := connectionsKey(conns); pc.checker != c || pc.conns != key || pc.nodes == nil {
		pc.checker, pc.conns, pc.nodes = c, key, map[string]stampedProblems{}
	}
	ps := expressionProblems(c, &flow.Flow{Variables: f.Variables}, conns)
	seen := make(map[string]bool, len(f.Nodes))
	for i := range f.Nodes {
		id := f.Nodes[i].ID
		one := &flow.Flow{Nodes: f.Nodes[i : i+1]}
		if seen[id] { // a repeated id (validation reports it) shares no entry
			ps = append(ps, expressionProblems(c, one, conns)...)
			continue
		}
		seen[id] = true
		st := ed.NodeStamp(id)
		e, ok := pc.nodes[id]
		if !ok || e.stamp != st {
			e = stampedProblems{stamp: st, ps: expressionProblems(c, one, conns)}
			pc.nodes[id] = e
		}
		ps = append(ps, e.ps...)
	}
	if len(pc.nodes) > len(seen) {
		for id := range pc.nodes {
			if !seen[id] {
				delete(pc.nodes, id)
			}
		}
	}
	return ps
}

// connectionsKey names the connections a check ran against: nil (no
// connection check) differs from none.
func connectionsKey(conns []flow.Connection) string {
	if conns == nil {
		return "\x00nil"
	}
	var b strings.Builder
	for _, c := range conns {
		b.WriteString(c.Name)
		b.WriteByte(0)
	}
	return b.String()
}
