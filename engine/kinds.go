package engine

import (
	"fmt"
	"strings"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// kindRun is how the engine compiles and executes one node kind. Every kind
// of flow.Kinds has one (TestEngineKindsComplete).
type kindRun struct {
	// compile builds the step from the node and its expressions, compiled
	// by field path (flow.NodeExpressions; an optional expression left empty
	// is absent). It may record problems on c.
	compile func(c *compiler, s *step, progs map[string]*expr.Program)
	// execute runs the step; rec is its record, which a kind may fill in
	// further (a call's request and response, a delay's wait).
	execute func(x *execution, s *step, rec *flow.Step) stepResult
	// ownsStepCtx says execute sets steps.<id> itself (a call, with its
	// response); otherwise the step's status, error and duration are set.
	ownsStepCtx bool
}

// kindRuns is the table of kinds; it is filled by init because executing a
// call can start runs (events) that look it up again.
var kindRuns map[flow.NodeKind]kindRun

func init() { kindRuns = kindRunTable() }

func kindRunTable() map[flow.NodeKind]kindRun {
	return map[flow.NodeKind]kindRun{
		flow.KindStart: {
			execute: func(*execution, *step, *flow.Step) stepResult {
				return stepResult{status: flow.StatusSucceeded, port: flow.PortNext}
			},
		},
		flow.KindCall: {
			compile:     compileCall,
			execute:     (*execution).call,
			ownsStepCtx: true,
		},
		flow.KindDecision: {
			compile: func(c *compiler, s *step, progs map[string]*expr.Program) {
				for j, cs := range s.node.Cases {
					if prg := progs[fmt.Sprintf("cases[%d].when", j)]; prg != nil {
						s.cases = append(s.cases, compiledCase{port: cs.Port, when: prg})
					}
				}
			},
			execute: func(x *execution, s *step, _ *flow.Step) stepResult { return x.decide(s) },
		},
		flow.KindSet: {
			compile: func(c *compiler, s *step, progs map[string]*expr.Program) {
				for j, a := range s.node.Assign {
					if prg := progs[fmt.Sprintf("assign[%d].value", j)]; prg != nil {
						s.assign = append(s.assign, compiledAssign{name: a.Name, value: prg})
					}
				}
			},
			execute: func(x *execution, s *step, _ *flow.Step) stepResult { return x.assign(s) },
		},
		flow.KindEmit: {
			compile: func(c *compiler, s *step, progs map[string]*expr.Program) { s.payload = progs["payload"] },
			execute: func(x *execution, s *step, _ *flow.Step) stepResult { return x.emit(s) },
		},
		flow.KindDelay: delayRun,
		flow.KindEnd: {
			execute: func(_ *execution, s *step, _ *flow.Step) stepResult {
				return stepResult{status: flow.StatusSucceeded, end: true, outcome: s.node.Outcome}
			},
		},
	}
}

// compileCall checks a call's connection against the known ones and builds
// its request from the compiled expressions.
func compileCall(c *compiler, s *step, progs map[string]*expr.Program) {
	cl := s.node.Call
	if cl == nil {
		return // reported by Validate
	}
	if c.conns != nil && cl.Connection != "" && !c.conns[cl.Connection] {
		c.problems = append(c.problems, flow.Problem{Severity: flow.SeverityError, Node: s.node.ID, Field: "call.connection",
			Message: fmt.Sprintf("no connection named %q; add it under Connections or pass a connections file that defines it", cl.Connection)})
	}
	s.conn = progs["call.connection"]
	if c.conns != nil && cl.ConnectionExpr != "" {
		// A literal set of names (a name, or c ? "a" : "b") is checked
		// now; any other expression only when it runs.
		names, _ := flow.LiteralNames(cl.ConnectionExpr)
		for _, name := range names {
			if !c.conns[name] {
				c.problems = append(c.problems, flow.Problem{Severity: flow.SeverityError, Node: s.node.ID, Field: "call.connection",
					Message: fmt.Sprintf("the expression may give %q, which is no connection; add it under Connections or pass a connections file that defines it (known: %s)", name, knownConnections(c.conns))})
			}
		}
	}
	s.uri = progs["call.uri"]
	s.query = compiledPairs(progs, "call.query", len(cl.Query))
	s.headers = compiledPairs(progs, "call.headers", len(cl.Headers))
	s.body = progs["call.body"]
	s.readsAttempt = readsAttempt(s)
	s.returnValue = progs["call.returnValue"]
}

// compiledPairs collects the n compiled key/value pairs under field; a pair
// that did not compile is left out (its problem is recorded).
func compiledPairs(progs map[string]*expr.Program, field string, n int) []compiledPair {
	out := make([]compiledPair, 0, n)
	for i := range n {
		k, v := progs[fmt.Sprintf("%s[%d].key", field, i)], progs[fmt.Sprintf("%s[%d].value", field, i)]
		if k != nil && v != nil {
			out = append(out, compiledPair{key: k, value: v})
		}
	}
	return out
}

// compileNode compiles the expressions of n (flow.NodeExpressions) by field
// path and builds its step with the kind's compile function.
func (c *compiler) compileNode(s *step) {
	n := s.node
	kr, ok := kindRuns[n.Kind]
	if !ok || kr.compile == nil {
		return // an unknown kind is reported by Validate
	}
	exprs := flow.NodeExpressions(n)
	progs := make(map[string]*expr.Program, len(exprs))
	for _, e := range exprs {
		if e.Optional && strings.TrimSpace(e.Source) == "" {
			continue
		}
		if prg := c.compile(n.ID, e.Field, e.Source); prg != nil {
			progs[e.Field] = prg
		}
	}
	kr.compile(c, s, progs)
}
