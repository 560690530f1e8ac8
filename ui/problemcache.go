package ui

import (
	"slices"
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

// validationCache keeps flow.Validate's result for the open document and,
// per node, the problems of its fields (flow.ValidateNodeFields) with its
// stamp and shape (kind and ports, which the graph rules read). After an
// edit of some nodes' fields that keeps their shape, the result is patched
// for those nodes instead of validating the whole flow again.
type validationCache struct {
	all   flow.Problems // nil until computed
	epoch uint64
	count int // the number of nodes all was computed for
	nodes map[string]validatedNode
	full  int // how many times the whole flow was validated
}

type validatedNode struct {
	stamp editor.NodeStamp
	kind  flow.NodeKind
	ports []string
	ps    flow.Problems
}

// validate returns flow.Validate(ed.Flow()). Callers must not change it.
func (vc *validationCache) validate(ed *editor.Editor) flow.Problems {
	f := ed.Flow()
	if vc.all != nil && vc.nodes != nil && vc.epoch == ed.Epoch() && vc.count == len(f.Nodes) {
		if out, ok := vc.patch(ed, f); ok {
			vc.all = out
			return out
		}
	}
	vc.full++
	vc.all = flow.Validate(f)
	if vc.all == nil {
		vc.all = flow.Problems{}
	}
	vc.epoch, vc.count = ed.Epoch(), len(f.Nodes)
	vc.nodes = make(map[string]validatedNode, len(f.Nodes))
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if _, dup := vc.nodes[n.ID]; dup {
			vc.nodes = nil // a repeated id: the next edit validates all again
			break
		}
		vc.nodes[n.ID] = validatedNode{stamp: ed.NodeStamp(n.ID), kind: n.Kind, ports: n.Ports(), ps: flow.ValidateNodeFields(f, i)}
	}
	return vc.all
}

// patch replaces, in the last result, the field problems of every node
// whose stamp changed. It gives up (false) when a node changed its shape,
// or when its problems cannot be placed for certain: from none to some,
// or a run of problems found twice.
func (vc *validationCache) patch(ed *editor.Editor, f *flow.Flow) (flow.Problems, bool) {
	out, copied := vc.all, false
	for i := range f.Nodes {
		n := &f.Nodes[i]
		e, ok := vc.nodes[n.ID]
		if !ok {
			return nil, false
		}
		st := ed.NodeStamp(n.ID)
		if st == e.stamp {
			continue
		}
		if n.Kind != e.kind || !slices.Equal(n.Ports(), e.ports) {
			return nil, false
		}
		ps := flow.ValidateNodeFields(f, i)
		if !slices.Equal(ps, e.ps) {
			at := indexRun(out, e.ps)
			if len(e.ps) == 0 || at < 0 || indexRun(out[at+1:], e.ps) >= 0 {
				return nil, false
			}
			if !copied {
				out, copied = slices.Clone(out), true
			}
			out = slices.Replace(out, at, at+len(e.ps), ps...)
		}
		e.stamp, e.ps = st, ps
		vc.nodes[n.ID] = e
	}
	return out, true
}

// indexRun is the index of the first run of ps equal to run, -1 when none.
func indexRun(ps, run flow.Problems) int {
	for i := 0; i+len(run) <= len(ps); i++ {
		if slices.Equal(ps[i:i+len(run)], run) {
			return i
		}
	}
	return -1
}
