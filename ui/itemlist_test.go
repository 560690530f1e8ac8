package ui

import (
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// TestUniqueNameIsOneRule: every new or copied name follows one rule, the
// base while it is free, then the base numbered from 2 with the separator
// its grammar allows.
func TestUniqueNameIsOneRule(t *testing.T) {
	set := func(names ...string) func(string) bool {
		return func(s string) bool {
			for _, n := range names {
				if n == s {
					return true
				}
			}
			return false
		}
	}
	for _, c := range []struct {
		base, sep string
		taken     []string
		want      string
	}{
		{"connection", nameSep, nil, "connection"},
		{"connection", nameSep, []string{"connection"}, "connection 2"},
		{"connection", nameSep, []string{"connection", "connection 2", "connection 4"}, "connection 3"},
		{"mock", urlSep, []string{"mock"}, "mock-2"},
		{"call", idSep, []string{"call", "call2"}, "call3"},
	} {
		if got := uniqueName(c.base, c.sep, set(c.taken...)); got != c.want {
			t.Errorf("uniqueName(%q, %q, %v) = %q, want %q", c.base, c.sep, c.taken, got, c.want)
		}
	}
	if got := copyName("crm", nameSep, set("crm copy")); got != "crm copy 2" {
		t.Errorf("copy of crm beside crm copy: %q, want %q", got, "crm copy 2")
	}
	if got := copyName("chatbot", urlSep, set()); got != "chatbot-copy" {
		t.Errorf("copy of mock chatbot: %q, want %q", got, "chatbot-copy")
	}
}

// TestNewVariablesAndPortsFollowTheOneRule: the flow form's new variable
// and the decision's and call's new ports are named by the same rule.
func TestNewVariablesAndPortsFollowTheOneRule(t *testing.T) {
	if got := uniqueKey(map[string]string{"var": "1"}, "var"); got != "var2" {
		t.Errorf("a variable beside var is %q, want var2", got)
	}
	n := &flow.Node{ID: "route", Kind: flow.KindDecision, Cases: []flow.Case{{Port: "case", When: "true"}}}
	if got := uniquePort(n, "case"); got != "case2" {
		t.Errorf("a case beside case is %q, want case2", got)
	}
	n.Cases = nil
	if got := uniquePort(n, "case"); got != "case" {
		t.Errorf("the first case is %q, want case", got)
	}
}
