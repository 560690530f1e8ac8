package editor

import (
	"fmt"
	"slices"

	"github.com/flowbench/flowbench/flow"
)

// DeleteNodes removes the nodes ids with every edge into or out of them as
// one undoable edit. Ids the document does not have are ignored; none at
// all does nothing.
func (e *Editor) DeleteNodes(ids []string) error {
	gone := make(map[string]bool, len(ids))
	var first *flow.Node
	for _, id := range ids {
		if n := e.doc.Node(id); n != nil {
			gone[id] = true
			if first == nil {
				first = n
			}
		}
	}
	if len(gone) == 0 {
		return nil
	}
	label := "Delete " + nodeName(first)
	if len(gone) > 1 {
		label = fmt.Sprintf("Delete %d nodes", len(gone))
	}
	return e.Edit(label, func(f *flow.Flow) error {
		f.Nodes = slices.DeleteFunc(f.Nodes, func(x flow.Node) bool { return gone[x.ID] })
		f.Edges = slices.DeleteFunc(f.Edges, func(x flow.Edge) bool { return gone[x.From] || gone[x.To] })
		return nil
	})
}

// MoveNodes moves the nodes ids by (dx, dy) flow units as one undoable
// edit; listeners hear which nodes, so only those are redrawn.
func (e *Editor) MoveNodes(ids []string, dx, dy float64) error {
	if dx == 0 && dy == 0 || len(ids) == 0 {
		return nil
	}
	if len(ids) == 1 {
		n := e.doc.Node(ids[0])
		if n == nil {
			return fmt.Errorf("move node: the flow has no node %q; it may have been deleted", ids[0])
		}
		return e.MoveNode(ids[0], flow.Position{X: n.Position.X + dx, Y: n.Position.Y + dy})
	}
	return e.SetPositions(fmt.Sprintf("Move %d nodes", len(ids)), e.offsetPositions(ids, dx, dy))
}

func (e *Editor) offsetPositions(ids []string, dx, dy float64) map[string]flow.Position {
	idx := e.nodeIndex()
	pos := make(map[string]flow.Position, len(ids))
	for _, id := range ids {
		if i, ok := idx[id]; ok {
			p := e.doc.Nodes[i].Position
			pos[id] = flow.Position{X: p.X + dx, Y: p.Y + dy}
		}
	}
	return pos
}

// SetPositions moves every node named in pos to its position as one
// undoable edit under label (a group move, a tidy layout). Nodes already
// there are left out; nothing to move records nothing.
func (e *Editor) SetPositions(label string, pos map[string]flow.Position) error {
	idx := e.nodeIndex()
	var ids []string
	for id, p := range pos {
		if i, ok := idx[id]; ok && e.doc.Nodes[i].Position != p {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	return e.edit(label, ids, func(f *flow.Flow) error {
		for _, id := range ids {
			f.Nodes[idx[id]].Position = pos[id]
		}
		return nil
	})
}

// AddNodeFrom adds a node of that kind at pos connected from port of node
// from (when from is not ""), as one undoable edit, selects it and returns
// its id: what quick-add and a connector dropped on empty canvas do. A
// port that already leads somewhere is redirected to the new node. An
// empty port means the first port of from that leads nowhere yet (its
// first port when all do).
func (e *Editor) AddNodeFrom(kind flow.NodeKind, pos flow.Position, from, port string) (string, error) {
	spec, ok := flow.Spec(kind)
	if !ok {
		return "", fmt.Errorf("add node: unknown node kind %q; use one of %s", kind, kindNames())
	}
	return e.AddNodeValue(spec.NewNode("", pos), from, port)
}

// AddNodeValue adds n (a preset: a chatbot call, a named request) with a
// fresh id made from its kind, connected from port of node from as
// AddNodeFrom does, selects it and returns its id.
func (e *Editor) AddNodeValue(n flow.Node, from, port string) (string, error) {
	spec, ok := flow.Spec(n.Kind)
	if !ok {
		return "", fmt.Errorf("add node: unknown node kind %q; use one of %s", n.Kind, kindNames())
	}
	id := e.NewNodeID(n.Kind)
	n = flow.CloneNode(n)
	if old := n.ID; old != "" && old != id {
		rewriteNodeRefs(&n, map[string]string{old: id})
	}
	n.ID = id
	var src *flow.Node
	if from != "" {
		src = e.doc.Node(from)
		if src == nil {
			return "", fmt.Errorf("add node: the flow has no node %q to connect from", from)
		}
		if !spec.HasInput {
			return "", fmt.Errorf("add node: a %s node has no input, so it cannot follow node %q; add it alone", n.Kind, from)
		}
		if port == "" {
			port = FreePort(e.doc, from)
		}
		if port == "" {
			return "", fmt.Errorf("add node: node %q has no output port to connect from", from)
		}
		if !src.HasPort(port) {
			return "", fmt.Errorf("add node: node %q has no port %q; its ports are %v", from, port, src.Ports())
		}
	}
	label := "Add " + spec.Title
	if src != nil {
		label += " after " + from
	}
	stored := port
	if stored == flow.PortNext {
		stored = ""
	}
	err := e.Edit(label, func(f *flow.Flow) error {
		f.Nodes = append(f.Nodes, n)
		if src == nil {
			return nil
		}
		for i, ed := range f.Edges {
			if ed.From == from && ed.PortName() == port {
				f.Edges[i].To = id
				return nil
			}
		}
		f.Edges = append(f.Edges, flow.Edge{From: from, Port: stored, To: id})
		return nil
	})
	if err != nil {
		return "", err
	}
	e.Select(Selection{Node: id, Edge: -1})
	return id, nil
}

// FreePort returns the first output port of node id that no edge leaves
// from, else its first port; "" when it has none.
func FreePort(f *flow.Flow, id string) string {
	n := f.Node(id)
	if n == nil {
		return ""
	}
	ports := n.Ports()
	for _, p := range ports {
		if !slices.ContainsFunc(f.Edges, func(ed flow.Edge) bool { return ed.From == id && ed.PortName() == p }) {
			return p
		}
	}
	if len(ports) > 0 {
		return ports[0]
	}
	return ""
}

// RenameNode changes the id of node old to nu as one undoable edit, with
// every edge into or out of it and every expression of the flow that
// refers to steps.<old> (or steps["<old>"]) following. An id that is not
// valid or that another node has is refused, and nothing changes.
func (e *Editor) RenameNode(old, nu string) error {
	if e.doc.Node(old) == nil {
		return fmt.Errorf("rename node: the flow has no node %q; it may have been deleted", old)
	}
	if nu == old {
		return nil
	}
	if !flow.IsNodeID(nu) {
		return fmt.Errorf("rename node %q: %q is not a valid id; use letters, digits, _ and - only", old, nu)
	}
	if e.doc.Node(nu) != nil {
		return fmt.Errorf("rename node %q: the flow already has a node %q; choose another id", old, nu)
	}
	wasSel := e.IsSelected(old)
	sel := e.SelectedNodes()
	rename := map[string]string{old: nu}
	err := e.Edit("Rename "+old+" to "+nu, func(f *flow.Flow) error {
		for i := range f.Nodes {
			n := &f.Nodes[i]
			if n.ID == old {
				n.ID = nu
			}
			rewriteNodeRefs(n, rename)
		}
		for i := range f.Edges {
			if f.Edges[i].From == old {
				f.Edges[i].From = nu
			}
			if f.Edges[i].To == old {
				f.Edges[i].To = nu
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if wasSel {
		for i, id := range sel {
			if id == old {
				sel[i] = nu
			}
		}
		e.SelectNodes(sel)
	}
	return nil
}

// SetDisabled disables (or enables) the nodes ids as one undoable edit: a
// disabled node is skipped when the flow runs (flow.Node.Disabled). Nodes
// already so are left out; nothing to change records nothing.
func (e *Editor) SetDisabled(ids []string, disabled bool) error {
	idx := e.nodeIndex()
	var change []string
	for _, id := range ids {
		if i, ok := idx[id]; ok && e.doc.Nodes[i].Disabled != disabled && !slices.Contains(change, id) {
			change = append(change, id)
		}
	}
	if len(change) == 0 {
		return nil
	}
	verb := "Enable "
	if disabled {
		verb = "Disable "
	}
	label := verb + change[0]
	if len(change) > 1 {
		label = fmt.Sprintf("%s%d nodes", verb, len(change))
	}
	return e.edit(label, change, func(f *flow.Flow) error {
		for _, id := range change {
			f.Nodes[idx[id]].Disabled = disabled
		}
		return nil
	})
}

// Reconnect points edge i at node to (its end dragged onto another card)
// as one undoable edit, and selects it. The same rules as Connect hold: no
// edge from a node to itself, none into a start.
func (e *Editor) Reconnect(i int, to string) error {
	if i < 0 || i >= len(e.doc.Edges) {
		return fmt.Errorf("reconnect: the flow has no connector %d; it may have been deleted", i)
	}
	ed := e.doc.Edges[i]
	dst := e.doc.Node(to)
	if dst == nil {
		return fmt.Errorf("reconnect: the flow has no node %q to connect to", to)
	}
	if ed.To == to {
		return nil
	}
	if ed.From == to {
		return fmt.Errorf("reconnect: node %q cannot lead to itself; add a decision or another step in between", to)
	}
	if !flow.HasInput(dst.Kind) {
		return fmt.Errorf("reconnect: node %q is a %s node and has no input; connect to another node", to, dst.Kind)
	}
	err := e.Edit("Reconnect "+ed.From+"."+ed.PortName()+" to "+to, func(f *flow.Flow) error {
		f.Edges[i].To = to
		return nil
	})
	if err != nil {
		return err
	}
	e.Select(Selection{Edge: i})
	return nil
}
