package ui

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// exprChecker compiles expressions and remembers the verdict per source
// text: the whole flow is checked after every keystroke, and only the
// expression being typed is new, so a 300-node flow stays responsive.
type exprChecker struct {
	env   *expr.Env
	cache map[string]string
	// params, when set, are the params of the named request whose
	// expressions are checked: params.<name> is in scope (paramsScope).
	params func() []string
}

// maxCheckCache bounds the remembered verdicts; past it the cache restarts.
const maxCheckCache = 20_000

func newExprChecker(env *expr.Env) *exprChecker {
	return &exprChecker{env: env, cache: map[string]string{}}
}

// check returns what is wrong with src in words, "" when it compiles (or is
// empty and optional).
func (c *exprChecker) check(src string, optional bool) string {
	if strings.TrimSpace(src) == "" {
		if optional {
			return ""
		}
		return "An expression is required here (a string literal is quoted: \"/v1/tier\")."
	}
	key := src
	if c.params != nil {
		key = paramsScope(c.params(), src)
	}
	if msg, ok := c.cache[key]; ok {
		return msg
	}
	err := c.env.Check(key)
	if ee := (*expr.Error)(nil); c.params != nil && errors.As(err, &ee) && ee.Line > 1 {
		e := *ee
		e.Line-- // paramsScope puts src on its second line
		err = &e
	}
	msg := describeExprError(err)
	if len(c.cache) >= maxCheckCache {
		clear(c.cache)
	}
	c.cache[key] = msg
	return msg
}

// expressionProblems compiles every expression of f and reports those that
// do not compile, with the node, the field (named as the engine names it)
// and the line and column, and the calls through connections that do not
// exist. It is the window's check when no engine compiler is injected.
func expressionProblems(c *exprChecker, f *flow.Flow, conns []flow.Connection) flow.Problems {
	var ps flow.Problems
	check := func(node, field, src string, optional bool) {
		if optional && strings.TrimSpace(src) == "" {
			return
		}
		if msg := c.check(src, false); msg != "" {
			ps = append(ps, flow.Problem{Severity: flow.SeverityError, Node: node, Field: field,
				Message: "expression does not compile: " + msg})
		}
	}
	names := make([]string, 0, len(f.Variables))
	for name := range f.Variables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		check("", "variables."+name, f.Variables[name], false)
	}
	known := map[string]bool{}
	for _, cn := range conns {
		known[cn.Name] = true
	}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if n.Kind == flow.KindCall && n.Call != nil && conns != nil && n.Call.Connection != "" && !known[n.Call.Connection] {
			ps = append(ps, flow.Problem{Severity: flow.SeverityError, Node: n.ID, Field: "call.connection",
				Message: fmt.Sprintf("no connection named %q; add it under Connections or pick another", n.Call.Connection)})
		}
		if n.Kind == flow.KindCall && n.Call != nil && conns != nil && n.Call.ConnectionExpr != "" {
			// A literal set of names is checked as the engine checks it.
			names, _ := flow.LiteralNames(n.Call.ConnectionExpr)
			for _, name := range names {
				if !known[name] {
					ps = append(ps, flow.Problem{Severity: flow.SeverityError, Node: n.ID, Field: "call.connection",
						Message: fmt.Sprintf("the expression may give %q, which is no connection; add it under Connections or change the expression", name)})
				}
			}
		}
		for _, e := range flow.NodeExpressions(n) {
			check(n.ID, e.Field, e.Source, e.Optional)
		}
	}
	return ps
}
