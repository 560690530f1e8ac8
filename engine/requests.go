package engine

import (
	"slices"

	"github.com/flowbench/flowbench/flow"
)

// resolveRequest returns the node a step executes: n itself, or, for a call
// that names a request of its connection, a copy whose call is the request
// with the node's own fields applied and params bound to its args
// (flow.ResolveCall). With conns nil (connections unknown) the node's own
// fields are bound alone, so its expressions still compile.
func resolveRequest(n *flow.Node, conns []flow.Connection) *flow.Node {
	if n.Kind != flow.KindCall || n.Call == nil || n.Call.Request == "" {
		return n
	}
	var req *flow.NamedRequest
	if i := slices.IndexFunc(conns, func(c flow.Connection) bool { return c.Name == n.Call.Connection }); i >= 0 {
		req = conns[i].Request(n.Call.Request)
	}
	out := *n
	out.Call = flow.ResolveCall(n.Call, req)
	return &out
}
