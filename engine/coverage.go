package engine

import (
	"context"
	"fmt"

	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
)

// MockProbe asks which port a call node leaves by when its connection is
// answered by each of some mocks (branch coverage's "run the missing ones").
type MockProbe struct {
	Flow *flow.Flow
	// Node is the call node tested; its connection (call.connection) is
	// the one the mocks stand in for.
	Node        string
	Connections []flow.Connection
	// Mocks are the mocks known; Try names those to probe.
	Mocks []flow.Mock
	Try   []string
	// Input is the context the step is tested in (the trigger payload).
	Input StepInput
	// Runner holds the runner's other options (secrets, environment);
	// its connections, observers and Resolve are the probe's own.
	Runner Options
	// Server holds the mock server's options (secrets of mocks that
	// require auth).
	Server mock.Options
}

// MockPorts tests the probe's node on its own once per mock in Try, with
// the same request building and branching as a run (TestStep), and returns
// the port each mock makes it leave by ("" when the step ended without
// one). The mocks are served by a private server on 127.0.0.1, stopped
// before MockPorts returns, so the shared mock server's call counts (status
// sequences) and request history are untouched, and no observer sees the
// tests: they are not runs.
func MockPorts(ctx context.Context, p MockProbe) (map[string]string, error) {
	n := p.Flow.Node(p.Node)
	if n == nil || n.Kind != flow.KindCall || n.Call == nil {
		return nil, fmt.Errorf("node %q is not a call node of flow %q", p.Node, p.Flow.Name)
	}
	conn := n.Call.Connection
	if conn == "" {
		return nil, fmt.Errorf("node %q chooses its connection with an expression: no mock can be proposed for it", p.Node)
	}
	srv := mock.New(p.Server)
	if err := srv.SetMocks(p.Mocks); err != nil {
		return nil, fmt.Errorf("serve the mocks to test node %q: %w", p.Node, err)
	}
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("serve the mocks to test node %q: %w", p.Node, err)
	}
	defer srv.Stop(context.WithoutCancel(ctx))
	opts := p.Runner
	opts.Observers = nil
	opts.Resolve = func(c flow.Connection) (string, bool) {
		if !c.UseMock || c.Mock == "" {
			return "", false
		}
		return srv.BaseURL(c.Mock), true
	}
	out := map[string]string{}
	for _, name := range p.Try {
		conns := make([]flow.Connection, len(p.Connections))
		copy(conns, p.Connections)
		for i := range conns {
			if conns[i].Name == conn {
				conns[i].UseMock, conns[i].Mock = true, name
			}
		}
		opts.Connections = conns
		plan, err := CompileStep(p.Flow, p.Node, conns)
		if err != nil {
			return nil, err
		}
		r := NewRunner(opts)
		res, err := r.TestStep(ctx, plan, p.Node, p.Input)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("test node %q against mock %q: %w", p.Node, name, err)
		}
		out[name] = res.Step.Port
	}
	return out, nil
}
