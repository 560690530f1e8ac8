package editor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/flowbench/flowbench/flow"
)

// Fragment returns the nodes ids (deep copies, in document order) with the
// edges among them as a flow of their own, what Copy puts on the
// clipboard; nil when none of ids is a node of the document.
func (e *Editor) Fragment(ids []string) *flow.Flow {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	frag := &flow.Flow{Format: flow.Format, Name: e.doc.Name}
	for i := range e.doc.Nodes {
		if want[e.doc.Nodes[i].ID] {
			frag.Nodes = append(frag.Nodes, flow.CloneNode(e.doc.Nodes[i]))
		}
	}
	if len(frag.Nodes) == 0 {
		return nil
	}
	frag.Edges = []flow.Edge{}
	for _, ed := range e.doc.Edges {
		if want[ed.From] && want[ed.To] {
			frag.Edges = append(frag.Edges, ed)
		}
	}
	return frag
}

// ParseFragment reads what Paste takes from text: a flow file (or part of
// one: an object with "nodes" and "edges" but no "format"), a list of nodes
// or one node, as they are written in a flow file. The nodes are checked
// with the flow codec's strictness; the error says what the text is not.
func ParseFragment(text []byte) (*flow.Flow, error) {
	t := bytes.TrimSpace(text)
	if len(t) == 0 {
		return nil, errors.New("paste: the clipboard is empty; copy nodes from a flow first")
	}
	var wrapped []byte
	switch t[0] {
	case '[':
		wrapped = wrap(t, nil)
	case '{':
		var top map[string]json.RawMessage
		if err := json.Unmarshal(t, &top); err != nil {
			return nil, fmt.Errorf("paste: the clipboard does not hold flow JSON: %v", err)
		}
		_, hasFormat := top["format"]
		_, hasNodes := top["nodes"]
		_, hasKind := top["kind"]
		switch {
		case hasFormat:
			wrapped = t
		case hasNodes:
			var err error
			top["format"], _ = json.Marshal(flow.Format)
			if wrapped, err = json.Marshal(top); err != nil {
				return nil, fmt.Errorf("paste: %v", err)
			}
		case hasKind:
			wrapped = wrap(append(append([]byte{'['}, t...), ']'), nil)
		default:
			return nil, errors.New(`paste: the clipboard holds JSON that is neither a flow, nor nodes (objects with "id" and "kind"); copy nodes from a flow first`)
		}
	default:
		return nil, errors.New("paste: the clipboard holds text, not flow JSON; copy nodes from a flow first")
	}
	f, err := flow.DecodeFlow(wrapped)
	if err != nil {
		return nil, fmt.Errorf("paste: the clipboard's flow JSON is not valid:\n%w", err)
	}
	if len(f.Nodes) == 0 {
		return nil, errors.New("paste: the clipboard's flow has no nodes")
	}
	return f, nil
}

func wrap(nodes, edges []byte) []byte {
	if edges == nil {
		edges = []byte("[]")
	}
	var b bytes.Buffer
	b.WriteString(`{"format":"` + flow.Format + `","name":"","nodes":`)
	b.Write(nodes)
	b.WriteString(`,"edges":`)
	b.Write(edges)
	b.WriteString("}")
	return b.Bytes()
}

// Bounds returns the rectangle (x, y, right, bottom positions) of the nodes'
// positions: their top-left corners' extent.
func Bounds(nodes []flow.Node) (minX, minY, maxX, maxY float64) {
	minX, minY = math.Inf(1), math.Inf(1)
	maxX, maxY = math.Inf(-1), math.Inf(-1)
	for i := range nodes {
		p := nodes[i].Position
		minX, minY = min(minX, p.X), min(minY, p.Y)
		maxX, maxY = max(maxX, p.X), max(maxY, p.Y)
	}
	return
}

// Paste adds the nodes and edges of frag as one undoable edit, its
// top-left node corner at at, and selects them. Ids the document has
// already get the first free number (UniqueName), and every expression of
// the pasted nodes that refers to a renamed id (steps.<old>) is rewritten
// to the new one. Edges to nodes outside frag are dropped. It returns the
// ids of the pasted nodes in frag's order.
func (e *Editor) Paste(frag *flow.Flow, at flow.Position) ([]string, error) {
	if frag == nil || len(frag.Nodes) == 0 {
		return nil, errors.New("paste: nothing to paste")
	}
	taken := make(map[string]bool, len(e.doc.Nodes)+len(frag.Nodes))
	for i := range e.doc.Nodes {
		taken[e.doc.Nodes[i].ID] = true
	}
	rename := make(map[string]string, len(frag.Nodes))
	ids := make([]string, len(frag.Nodes))
	for i := range frag.Nodes {
		old := frag.Nodes[i].ID
		if _, dup := rename[old]; dup {
			return nil, fmt.Errorf("paste: node id %q appears twice in the pasted nodes; give each node its own id", old)
		}
		base := old
		if !flow.IsNodeID(base) {
			base = string(frag.Nodes[i].Kind)
		}
		nu := UniqueName(base, "", func(s string) bool { return taken[s] })
		taken[nu] = true
		rename[old] = nu
		ids[i] = nu
	}
	minX, minY, _, _ := Bounds(frag.Nodes)
	dx, dy := math.Round(at.X-minX), math.Round(at.Y-minY)
	nodes := make([]flow.Node, len(frag.Nodes))
	for i := range frag.Nodes {
		n := flow.CloneNode(frag.Nodes[i])
		n.ID = ids[i]
		n.Position = flow.Position{X: n.Position.X + dx, Y: n.Position.Y + dy}
		rewriteNodeRefs(&n, rename)
		nodes[i] = n
	}
	var edges []flow.Edge
	for _, ed := range frag.Edges {
		from, ok1 := rename[ed.From]
		to, ok2 := rename[ed.To]
		if ok1 && ok2 {
			edges = append(edges, flow.Edge{From: from, Port: ed.Port, To: to})
		}
	}
	label := "Paste " + ids[0]
	if len(ids) > 1 {
		label = fmt.Sprintf("Paste %d nodes", len(ids))
	}
	err := e.Edit(label, func(f *flow.Flow) error {
		if len(f.Nodes)+len(nodes) > flow.MaxFlowNodes {
			return fmt.Errorf("paste: the flow would have %d nodes, more than the %d a flow may have", len(f.Nodes)+len(nodes), flow.MaxFlowNodes)
		}
		f.Nodes = append(f.Nodes, nodes...)
		f.Edges = append(f.Edges, edges...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.SelectNodes(ids)
	return ids, nil
}
