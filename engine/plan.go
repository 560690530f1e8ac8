package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// Plan is a flow made ready to run: the graph checked and every expression
// compiled once. A Plan is immutable and may be run many times, concurrently.
type Plan struct {
	Flow *flow.Flow
	// Warnings holds the validation warnings (unreachable nodes, dead ends).
	Warnings flow.Problems

	start *step
	steps map[string]*step
	vars  []compiledAssign // flow variables, in name order
	// readsSteps is set when an expression of the flow refers to steps;
	// when none does, a run does not build the step contexts.
	readsSteps bool
	// stateLimit bounds the size of a run's vars (limits.stateBytes).
	stateLimit int64
	// maxSteps is the step limit of a run when the runner sets none:
	// max(DefaultMaxSteps, StepsPerNode × nodes).
	maxSteps int
}

// step is one node of a plan with its expressions compiled and its ports resolved.
type step struct {
	node  *flow.Node
	next  map[string]*step // port -> target
	edges map[string]int   // port -> index into Flow.Edges

	// call
	// conn is call.connection when an expression chooses the connection
	// (flow.Call.ConnectionExpr); nil for a connection named in the file.
	conn                   *expr.Program
	uri, body, returnValue *expr.Program
	query, headers         []compiledPair
	// readsAttempt is set when the request's expressions may read
	// run.attempt, so each attempt builds the request anew.
	readsAttempt bool
	// decision
	cases []compiledCase
	// set
	assign []compiledAssign
	// emit
	payload *expr.Program
	// delay
	duration *expr.Program
}

type compiledPair struct{ key, value *expr.Program }

// readsAttempt reports whether any expression of a call's request refers to
// run and mentions attempt (a conservative test: a false positive only
// rebuilds the request on a retry).
func readsAttempt(s *step) bool {
	progs := []*expr.Program{s.uri, s.body}
	for _, pr := range append(append([]compiledPair(nil), s.query...), s.headers...) {
		progs = append(progs, pr.key, pr.value)
	}
	for _, p := range progs {
		if p != nil && p.Reads(expr.NameRun) && strings.Contains(p.Source(), "attempt") {
			return true
		}
	}
	return false
}

type compiledCase struct {
	port string
	when *expr.Program
}
type compiledAssign struct {
	name  string
	value *expr.Program
}

var defaultEnv = sync.OnceValues(func() (*expr.Env, error) { return expr.NewEnv(expr.Options{}) })

// Compile validates f and compiles every expression in it. When conns is not
// nil, each call's connection must be among them. The error, when not nil, is
// a flow.Problems listing every problem found (validation and expressions);
// warnings alone do not stop compilation and are kept in Plan.Warnings.
func Compile(f *flow.Flow, conns []flow.Connection) (*Plan, error) {
	env, err := defaultEnv()
	if err != nil {
		return nil, err
	}
	return CompileWith(env, f, conns)
}

// CompileWith is Compile with a given expression environment.
func CompileWith(env *expr.Env, f *flow.Flow, conns []flow.Connection) (*Plan, error) {
	if f == nil {
		return nil, flow.Problems{{Severity: flow.SeverityError, Message: "no flow given"}}
	}
	problems := flow.Validate(f)
	problems = append(problems, flow.ValidateLimits(f)...)
	if conns != nil {
		problems = append(problems, flow.ValidateRequests(f, conns)...)
	}
	c := newCompiler(env, conns)

	p := &Plan{Flow: f, steps: make(map[string]*step, len(f.Nodes))}
	p.vars = c.variables(f)
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if _, dup := p.steps[n.ID]; dup || n.ID == "" {
			continue // reported by Validate
		}
		s := &step{node: resolveRequest(n, conns), next: map[string]*step{}, edges: map[string]int{}}
		p.steps[n.ID] = s
		if spec, ok := flow.Spec(n.Kind); ok && !spec.HasInput && p.start == nil {
			p.start = s
		}
		c.node = n.ID
		c.compileNode(s)
	}
	for i, e := range f.Edges {
		from, to := p.steps[e.From], p.steps[e.To]
		if from == nil || to == nil {
			continue // reported by Validate
		}
		if _, taken := from.next[e.PortName()]; !taken {
			from.next[e.PortName()] = to
			from.edges[e.PortName()] = i
		}
	}

	if err := c.finish(p, problems); err != nil {
		return nil, err
	}
	if p.start == nil {
		return nil, flow.Problems{{Severity: flow.SeverityError, Field: "nodes", Message: "the flow has no start node; add one"}}
	}
	return p, nil
}

// newCompiler compiles in env; when conns is not nil, a call's connection
// must be among them.
func newCompiler(env *expr.Env, conns []flow.Connection) *compiler {
	c := &compiler{env: env}
	if conns != nil {
		c.conns = make(map[string]bool, len(conns))
		for _, cn := range conns {
			c.conns[cn.Name] = true
		}
	}
	return c
}

// variables compiles the flow's variables, in name order.
func (c *compiler) variables(f *flow.Flow) []compiledAssign {
	names := make([]string, 0, len(f.Variables))
	for name := range f.Variables {
		names = append(names, name)
	}
	sort.Strings(names)
	var vars []compiledAssign
	for _, name := range names {
		if prg := c.compile("", "variables."+name, f.Variables[name]); prg != nil {
			vars = append(vars, compiledAssign{name: name, value: prg})
		}
	}
	return vars
}

// finish adds the compiler's problems to those given and returns them as
// the error when any is an error; otherwise it completes p, keeping the
// warnings.
func (c *compiler) finish(p *Plan, problems flow.Problems) error {
	problems = append(problems, c.problems...)
	var errs, warns flow.Problems
	for _, pr := range problems {
		if pr.Severity == flow.SeverityError {
			errs = append(errs, pr)
		} else {
			warns = append(warns, pr)
		}
	}
	if len(errs) > 0 {
		return append(errs, warns...)
	}
	p.Warnings = warns
	p.readsSteps = c.readsSteps
	p.stateLimit = p.Flow.StateBudget()
	p.maxSteps = max(DefaultMaxSteps, StepsPerNode*len(p.Flow.Nodes))
	return nil
}

type compiler struct {
	env  *expr.Env
	node string
	// conns holds the names of the known connections; nil means any name.
	conns      map[string]bool
	problems   flow.Problems
	readsSteps bool // an expression compiled so far refers to steps
}

// compile compiles one expression, recording a problem naming the node, the
// field and the line and column when it does not compile.
func (c *compiler) compile(node, field, src string) *expr.Program {
	prg, err := c.env.Compile(src)
	if err != nil {
		msg := err.Error()
		var e *expr.Error
		if errors.As(err, &e) {
			msg = e.Message
			if e.Line > 0 {
				msg = fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
			}
		}
		c.problems = append(c.problems, flow.Problem{Severity: flow.SeverityError, Node: node, Field: field,
			Message: "expression does not compile: " + msg})
		return nil
	}
	c.readsSteps = c.readsSteps || prg.Reads(expr.NameSteps)
	return prg
}

// CheckExpression compiles one expression with the default environment and
// returns its error (an *expr.Error with line and column) or nil. Editors call
// it as the user types.
func CheckExpression(src string) error {
	env, err := defaultEnv()
	if err != nil {
		return err
	}
	return env.Check(src)
}
