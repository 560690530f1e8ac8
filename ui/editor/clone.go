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
		c.Nodes[i] = flow.CloneNode(f.Nodes[i])
	}
	c.Edges = slices.Clone(f.Edges)
	c.InputPresets = slices.Clone(f.InputPresets) // a preset's payload is replaced, never changed in place
	if c.Edges == nil {
		c.Edges = []flow.Edge{}
	}
	return &c
}
