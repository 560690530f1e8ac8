package flow

import "fmt"

// ValidateNode checks one node on its own, as testing that node needs: its
// id, kind and fields, and the names of the flow's variables (which the
// node may read). Other nodes, the edges and the start node are not its
// business, so a call can be tested while the rest of the flow is still
// being drawn. A missing node is one problem.
func ValidateNode(f *Flow, id string) Problems {
	if f == nil {
		return Problems{{Severity: SeverityError, Message: "no flow given"}}
	}
	v := &validator{f: f}
	v.variableNames()
	found := false
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if n.ID != id {
			continue
		}
		if found {
			v.errorf(id, "id", "two nodes have the id %q; ids must be unique", id)
			break
		}
		found = true
		if !IsNodeID(id) {
			v.errorf(id, "id", "%q is not a valid id; use only letters, digits, _ and -", id)
		}
		v.problems = append(v.problems, ValidateNodeFields(f, i)...)
	}
	if !found {
		return Problems{{Severity: SeverityError, Node: id, Message: fmt.Sprintf("the flow has no node %q", id)}}
	}
	return v.problems
}

// ValidateNodeFields reports the problems of the fields of node i of f,
// consecutive and in the order Validate reports them (Validate(f) holds
// them too). Unlike ValidateNode it checks neither the id nor the
// variables: what it finds changes only with the node's fields, so an
// editor checks an edited node's fields again alone.
func ValidateNodeFields(f *Flow, i int) Problems {
	v := &validator{f: f}
	v.node(i, &f.Nodes[i])
	return v.problems
}
