package ui

import (
	"fmt"
	"net"
	"net/url"
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
	if msg, ok := c.cache[src]; ok {
		return msg
	}
	msg := describeExprError(c.env.Check(src))
	if len(c.cache) >= maxCheckCache {
		clear(c.cache)
	}
	c.cache[src] = msg
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
		switch n.Kind {
		case flow.KindCall:
			if n.Call == nil {
				continue
			}
			if conns != nil && n.Call.Connection != "" && !known[n.Call.Connection] {
				ps = append(ps, flow.Problem{Severity: flow.SeverityError, Node: n.ID, Field: "call.connection",
					Message: fmt.Sprintf("no connection named %q; add it under Connections or pick another", n.Call.Connection)})
			}
			check(n.ID, "call.uri", n.Call.URI, true)
			for j, p := range n.Call.Query {
				check(n.ID, fmt.Sprintf("call.query[%d].key", j), p.Key, false)
				check(n.ID, fmt.Sprintf("call.query[%d].value", j), p.Value, false)
			}
			for j, p := range n.Call.Headers {
				check(n.ID, fmt.Sprintf("call.headers[%d].key", j), p.Key, false)
				check(n.ID, fmt.Sprintf("call.headers[%d].value", j), p.Value, false)
			}
			check(n.ID, "call.body", n.Call.Body, true)
			check(n.ID, "call.returnValue", n.Call.ReturnValue, true)
		case flow.KindDecision:
			for j, c := range n.Cases {
				check(n.ID, fmt.Sprintf("cases[%d].when", j), c.When, false)
			}
		case flow.KindSet:
			for j, a := range n.Assign {
				check(n.ID, fmt.Sprintf("assign[%d].value", j), a.Value, false)
			}
		case flow.KindEmit:
			check(n.ID, "payload", n.Payload, true)
		}
	}
	return ps
}

// checkBaseURL says what is wrong with a custom connection's base URL, ""
// when nothing is: it must be an absolute https URL, except that http is
// accepted for loopback hosts (a mock or a local service), where nothing
// crosses the network.
func checkBaseURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "A base URL is required, for example https://api.example.com."
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Sprintf("%q is not an absolute URL; write it as https://host/path.", s)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Sprintf("%q is not https: secrets would cross the network in clear. Use https://, or http:// only for localhost.", s)
	}
	return ""
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
