package editor

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/flowbench/flowbench/flow"
)

// NewNodeID returns an id for a new node of that kind that no node of the
// document has: the kind itself for the first one ("call"), then "call2",
// "call3" and so on, so ids stay short enough to type in steps.<id>.
func (e *Editor) NewNodeID(kind flow.NodeKind) string {
	base := string(kind)
	if base == "" {
		base = "node"
	}
	return UniqueName(base, "", func(id string) bool { return e.doc.Node(id) != nil })
}

// NewNode returns a node of that kind with the defaults a person starts from
// (flow.KindSpec.NewNode): a manual trigger for a start, a GET for a call,
// one case for a decision. An unknown kind gets a bare node.
func NewNode(id string, kind flow.NodeKind, pos flow.Position) flow.Node {
	if s, ok := flow.Spec(kind); ok {
		return s.NewNode(id, pos)
	}
	return flow.Node{ID: id, Kind: kind, Position: pos, Title: string(kind)}
}

// kindNames lists the node kinds for a message: start, call, ...
func kindNames() string {
	s := make([]string, len(flow.Kinds))
	for i, k := range flow.Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// AddNode adds a node of that kind at pos (flow coordinates), selects it and
// returns its id. It is one undoable edit.
func (e *Editor) AddNode(kind flow.NodeKind, pos flow.Position) (string, error) {
	spec, ok := flow.Spec(kind)
	if !ok {
		return "", fmt.Errorf("add node: unknown node kind %q; use one of %s", kind, kindNames())
	}
	id := e.NewNodeID(kind)
	err := e.Edit("Add "+spec.Title, func(f *flow.Flow) error {
		f.Nodes = append(f.Nodes, spec.NewNode(id, pos))
		return nil
	})
	if err != nil {
		return "", err
	}
	e.Select(Selection{Node: id, Edge: -1})
	return id, nil
}

// MoveNode moves the node to pos (flow coordinates) as one undoable edit.
// Moving a node to where it already is records nothing.
func (e *Editor) MoveNode(id string, pos flow.Position) error {
	n := e.doc.Node(id)
	if n == nil {
		return fmt.Errorf("move node: the flow has no node %q; it may have been deleted", id)
	}
	if n.Position == pos {
		return nil
	}
	return e.edit("Move "+nodeName(n), []string{id}, func(f *flow.Flow) error {
		f.Node(id).Position = pos
		return nil
	})
}

// Connect joins the output port of node from to node to as one undoable edit.
// A port leads to one node only: connecting a port that already has an edge
// redirects that edge. The "next" port is stored with no port name, as
// docs/flow-format.md writes it. The new edge is selected.
func (e *Editor) Connect(from, port, to string) error {
	src := e.doc.Node(from)
	if src == nil {
		return fmt.Errorf("connect: the flow has no node %q to connect from", from)
	}
	dst := e.doc.Node(to)
	if dst == nil {
		return fmt.Errorf("connect: the flow has no node %q to connect to", to)
	}
	if port == "" {
		port = flow.PortNext
	}
	if !src.HasPort(port) {
		return fmt.Errorf("connect: node %q has no port %q; its ports are %v", from, port, src.Ports())
	}
	if from == to {
		return fmt.Errorf("connect: node %q cannot lead to itself; add a decision or another step in between", from)
	}
	if spec, ok := flow.Spec(dst.Kind); ok && !spec.HasInput {
		return fmt.Errorf("connect: node %q is a %s node and has no input; connect to another node", to, dst.Kind)
	}
	stored := port
	if stored == flow.PortNext {
		stored = ""
	}
	idx := -1
	err := e.Edit("Connect "+from+"."+port, func(f *flow.Flow) error {
		for i, ed := range f.Edges {
			if ed.From == from && ed.PortName() == port {
				if ed.To == to && ed.Port == stored {
					return errNoChange
				}
				f.Edges[i] = flow.Edge{From: from, Port: stored, To: to}
				idx = i
				return nil
			}
		}
		f.Edges = append(f.Edges, flow.Edge{From: from, Port: stored, To: to})
		idx = len(f.Edges) - 1
		return nil
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	if err != nil {
		return err
	}
	e.Select(Selection{Edge: idx})
	return nil
}

// errNoChange aborts an edit that would change nothing, so it records no undo
// step.
var errNoChange = errors.New("no change")

// DeleteSelection removes the selected nodes (with every edge into or out of
// them) or the selected edge, as one undoable edit, and selects nothing.
// With nothing selected it does nothing.
func (e *Editor) DeleteSelection() error {
	sel := e.sel
	switch {
	case e.multi != nil:
		if err := e.DeleteNodes(e.SelectedNodes()); err != nil {
			return err
		}
	case sel.Node != "":
		n := e.doc.Node(sel.Node)
		if n == nil {
			e.Select(None)
			return nil
		}
		err := e.Edit("Delete "+nodeName(n), func(f *flow.Flow) error {
			f.Nodes = slices.DeleteFunc(f.Nodes, func(x flow.Node) bool { return x.ID == sel.Node })
			f.Edges = slices.DeleteFunc(f.Edges, func(x flow.Edge) bool { return x.From == sel.Node || x.To == sel.Node })
			return nil
		})
		if err != nil {
			return err
		}
	case sel.Edge >= 0 && sel.Edge < len(e.doc.Edges):
		ed := e.doc.Edges[sel.Edge]
		err := e.Edit("Delete connector "+ed.From+"."+ed.PortName(), func(f *flow.Flow) error {
			f.Edges = slices.Delete(f.Edges, sel.Edge, sel.Edge+1)
			return nil
		})
		if err != nil {
			return err
		}
	default:
		return nil
	}
	e.Select(None)
	return nil
}

func nodeName(n *flow.Node) string {
	if n.Title != "" {
		return fmt.Sprintf("%q", n.Title)
	}
	return n.ID
}
