package ui

import (
	"encoding/json"
	"strings"

	"github.com/flowbench/flowbench/flow"
)

// The request workspace's fields hold text, sent as typed, with {{ CEL }}
// holes: textExpr turns a field's text into the CEL expression a call node
// holds, and exprText turns a node's expression back into the text the
// field shows. A text that is one hole and nothing else, "{{ e }}", is the
// expression e itself (its value sent as the engine sends any value: a map
// body as JSON), so any expression opens in the workspace and sends and
// saves unchanged.

// textExpr returns the CEL expression that gives text (flow.TextToExpr,
// Text mode); the error says which hole is wrong and where.
func textExpr(text string) (string, error) { return textExprIn(text, nil) }

// textExprIn is textExpr in a saved request's tab: [[name]] is params.name
// for its params (flow.TextToExpr's rule).
func textExprIn(text string, params []string) (string, error) {
	if e, ok := wholeHole(text); ok {
		return e, nil
	}
	return flow.TextToExpr(text, params)
}

// exprTextIn returns the text a field shows for the expression src; in a
// saved request's tab, params.name shows as [[name]] for its params.
func exprTextIn(src string, params []string) string {
	if strings.TrimSpace(src) == "" {
		return ""
	}
	if t, ok := flow.ExprToText(src, params); ok {
		if _, hole := wholeHole(t); !hole {
			return t
		}
	}
	return "{{ " + src + " }}"
}

// wholeHole reports whether text is one {{ }} hole and nothing else, and
// returns the expression inside.
func wholeHole(text string) (string, bool) {
	t := strings.TrimSpace(text)
	inner, ok := strings.CutPrefix(t, "{{")
	if !ok {
		return "", false
	}
	inner, ok = strings.CutSuffix(inner, "}}")
	if !ok || strings.Contains(inner, "{{") || strings.TrimSpace(inner) == "" {
		return "", false
	}
	return strings.TrimSpace(inner), true
}

// wsBodyText is exprText for a body: a body written as a JSON literal
// (valid CEL, which the engine sends as JSON) shows as that JSON, sent as
// typed.
func wsBodyText(src string, params []string) string {
	s := strings.TrimSpace(src)
	if (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) && json.Valid([]byte(s)) {
		return src
	}
	return exprTextIn(src, params)
}
