package engine

import "github.com/flowbench/flowbench/flow"

// CompileStep compiles the one node nodeID of f, with the flow's variables,
// for TestStep: only that node's own problems (flow.ValidateNode) and its
// expressions count, so a call can be tested while other nodes are broken
// or the flow has no start node yet. When conns is not nil, the call's
// connection must be among them. The error, when not nil, is a
// flow.Problems.
func CompileStep(f *flow.Flow, nodeID string, conns []flow.Connection) (*Plan, error) {
	env, err := defaultEnv()
	if err != nil {
		return nil, err
	}
	problems := flow.ValidateNode(f, nodeID)
	if f == nil {
		return nil, problems
	}
	problems = append(problems, flow.ValidateLimits(f)...)
	if conns != nil {
		for _, p := range flow.ValidateRequests(f, conns) {
			if p.Node == nodeID {
				problems = append(problems, p)
			}
		}
	}
	c := newCompiler(env, conns)
	p := &Plan{Flow: f, steps: map[string]*step{}}
	p.vars = c.variables(f)
	if n := f.Node(nodeID); n != nil {
		s := &step{node: resolveRequest(n, conns), next: map[string]*step{}, edges: map[string]int{}}
		p.steps[n.ID] = s
		c.node = n.ID
		c.compileNode(s)
	}
	if err := c.finish(p, problems); err != nil {
		return nil, err
	}
	return p, nil
}
