package editor

import (
	"maps"
	"slices"

	"github.com/flowbench/flowbench/flow"
)

// Clone returns a deep copy of f: no slice, map or pointer is shared, so
// editing the copy never shows through the original. It copies field by field
// rather than through JSON because a SecretRef holding a literal refuses to be
// encoded, and an undo snapshot must keep it.
func Clone(f *flow.Flow) *flow.Flow {
	if f == nil {
		return nil
	}
	c := *f
	c.Variables = maps.Clone(f.Variables)
	c.Nodes = make([]flow.Node, len(f.Nodes))
	for i := range f.Nodes {
		c.Nodes[i] = cloneNode(f.Nodes[i])
	}
	c.Edges = slices.Clone(f.Edges)
	if c.Edges == nil {
		c.Edges = []flow.Edge{}
	}
	return &c
}

func cloneNode(n flow.Node) flow.Node {
	if n.Trigger != nil {
		t := *n.Trigger
		t.Events = slices.Clone(t.Events)
		if t.Secret != nil {
			s := *t.Secret
			t.Secret = &s
		}
		n.Trigger = &t
	}
	if n.Call != nil {
		c := *n.Call
		c.Query = slices.Clone(c.Query)
		c.Headers = slices.Clone(c.Headers)
		c.Branches = slices.Clone(c.Branches)
		if c.Retry != nil {
			r := *c.Retry
			c.Retry = &r
		}
		if c.Signing != nil {
			s := *c.Signing
			c.Signing = &s
		}
		n.Call = &c
	}
	n.Cases = slices.Clone(n.Cases)
	n.Assign = slices.Clone(n.Assign)
	return n
}
