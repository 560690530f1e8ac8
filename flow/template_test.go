package flow

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The shape written for each kind of expression field a call has
// (NodeExpressions: uri, query and header keys and values, body; saveTo is a
// name, not an expression), and for the text edge cases.
func TestTextToExprTable(t *testing.T) {
	for _, tc := range []struct {
		field, text string
		params      []string
		want        string
	}{
		{"empty", "", nil, ""},
		{"call.uri", "/v1/orders", nil, `"/v1/orders"`},
		{"call.uri", "/v1/orders/{{ vars.orderId }}?x=[[chatId]]", nil, `"/v1/orders/" + string( vars.orderId ) + "?x=" + string(vars.chatId)`},
		{"call.uri (request param)", "/v1/orders/[[chatId]]", []string{"chatId"}, `"/v1/orders/" + string(params.chatId)`},
		{"call.query[0].key", "environment", nil, `"environment"`},
		{"call.query[0].value", "{{env.name}}", nil, `string(env.name)`},
		{"call.headers[0].key", "X-Trace", nil, `"X-Trace"`},
		{"call.headers[0].value", "Bearer {{ steps.login.body.token }}", nil, `"Bearer " + string( steps.login.body.token )`},
		{"call.body (JSON pasted)", "{\n  \"chatId\": \"{{ trigger.chatId }}\",\n  \"tier\": \"gold\"\n}", nil,
			`"{\n  \"chatId\": \"" + string( trigger.chatId ) + "\",\n  \"tier\": \"gold\"\n}"`},
		{"backslash and tab", "a\\b\tc", nil, `"a\\b\tc"`},
		{"control and unicode", "é\x01€ 😀\u2028", nil, "\"é\\u0001€ 😀\u2028\""},
		{"two holes, no text", "{{a}}{{ b }}", nil, `string(a) + string( b )`},
		{"hole like a placeholder", "{{vars.x}}", nil, `string((vars.x))`},
		{"hole like a placeholder, in parens", "{{(vars.x)}}", nil, `string(((vars.x)))`},
		{"literal {{ through a hole", `{{ "{{" }}x`, nil, `string( "{{" ) + "x"`},
		{"[[ not a name", "[[1,2],[3]]", nil, `"[[1,2],[3]]"`},
		{"}} alone is text", "a}}b", nil, `"a}}b"`},
		{"hole with a map", `{{ {"a": 1}["a"] }}`, nil, `string( {"a": 1}["a"] )`},
	} {
		got, err := TextToExpr(tc.text, tc.params)
		if err != nil || got != tc.want {
			t.Errorf("%s: TextToExpr(%q) = %q, %v; want %q", tc.field, tc.text, got, err, tc.want)
			continue
		}
		back, ok := ExprToText(got, tc.params)
		if !ok || back != tc.text {
			t.Errorf("%s: ExprToText(%q) = %q, %v; want %q", tc.field, got, back, ok, tc.text)
		}
	}
}

// Hand-written CEL is not text: it opens in Expression mode.
func TestExprToTextRefusesHandWrittenCEL(t *testing.T) {
	for _, e := range []string{
		`"/items/" + trigger.chatId`,
		`vars.x`,
		`{"chatId": trigger.chatId}`,
		`steps.lookup.returnValue == "vip"`,
		`""`,
		`"a" + "b"`,
		`'single'`,
		`"a\x41"`,
		`string(vars.x) + 1`,
		`string(vars.x`,
		`string()`,
		`string( )`,
		`string(params.x)`, // params.x, but no request declares x
		`"a{{b"`,
		`"[[x]]"`,
		`string(a) +`,
		`r"raw"`,
		`"x" + string(}})`,
	} {
		if text, ok := ExprToText(e, nil); ok {
			t.Errorf("ExprToText(%q) = %q, true; want Expression mode", e, text)
		}
	}
	if _, ok := ExprToText(`string(vars.chatId)`, []string{"chatId"}); ok {
		t.Error("string(vars.chatId) read as text where [[chatId]] means params.chatId")
	}
}

func TestTextErrorsNameTheHole(t *testing.T) {
	for _, tc := range []struct {
		text string
		want TextError
		cel  string
	}{
		{"/v1/{{ vars.a }}/{{ vars. }}", TextError{Hole: 2, Line: 1, Column: 18}, "Syntax error"},
		{"ab\ncd {{ x", TextError{Hole: 1, Line: 2, Column: 4}, ""},
		{"é{{ }}", TextError{Hole: 1, Line: 1, Column: 2}, ""},
		{"{{ a // note }}", TextError{}, "Syntax error"},
	} {
		_, err := TextToExpr(tc.text, nil)
		var te *TextError
		if !errors.As(err, &te) {
			t.Errorf("%q: got %v, want a *TextError", tc.text, err)
			continue
		}
		if te.Hole != tc.want.Hole || te.Line != tc.want.Line || te.Column != tc.want.Column {
			t.Errorf("%q: hole %d line %d column %d, want %d %d %d (%v)", tc.text, te.Hole, te.Line, te.Column, tc.want.Hole, tc.want.Line, tc.want.Column, err)
		}
		if tc.cel != "" && !strings.Contains(te.CEL, tc.cel) {
			t.Errorf("%q: CEL's message %q lacks %q", tc.text, te.CEL, tc.cel)
		}
	}
	_, err := TextToExpr("/v1/{{ vars.a }}/{{ vars. }}", nil)
	if msg := err.Error(); !strings.HasPrefix(msg, "hole 2 (column 18): the CEL in the hole does not parse:\nERROR: <input>:1:8: Syntax error") {
		t.Errorf("message:\n%s", msg)
	}
}

func TestParseTextPlaceholders(t *testing.T) {
	parts, err := ParseText("id=[[chatId]]&org=[[orgId]]", []string{"chatId"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range parts {
		if p.Kind == TextPlaceholder {
			got = append(got, p.Text+"="+p.Target)
		}
	}
	if want := []string{"chatId=params.chatId", "orgId=vars.orgId"}; !slices.Equal(got, want) {
		t.Errorf("placeholders %v, want %v", got, want)
	}
}

func TestTextTooLongForAnExpression(t *testing.T) {
	_, err := TextToExpr(strings.Repeat("a", 70_000), nil)
	if err == nil || err.Error() != "the text makes an expression of 70002 characters, more than the 65536 an expression may hold; shorten it, or build the value in a set node" {
		t.Errorf("a 70,000-character body: %v", err)
	}
}

func TestTextToExprLooseKeepsWhatWasTyped(t *testing.T) {
	if got, want := TextToExprLoose("/v1/{{ vars.a", nil), `"/v1/" + string( vars.a)`; got != want {
		t.Errorf("loose = %q, want %q", got, want)
	}
	if got, want := TextToExprLoose("/v1/{{ vars.a }}", nil), `"/v1/" + string( vars.a )`; got != want {
		t.Errorf("loose of a right text = %q, want %q", got, want)
	}
}

func TestLiteralNames(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
		ok   bool
	}{
		{`"crm"`, []string{"crm"}, true},
		{`vars.eu ? "crm-eu" : "crm-us"`, []string{"crm-eu", "crm-us"}, true},
		{`a ? "x" : (b ? "y" : "x")`, []string{"x", "y"}, true},
		{`vars.conn`, nil, false},
		{`a ? "x" : vars.y`, nil, false},
		{`"crm-" + vars.region`, nil, false},
		{`a ? 1 : "x"`, nil, false},
	} {
		got, ok := LiteralNames(tc.src)
		if ok != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("LiteralNames(%q) = %v, %v; want %v, %v", tc.src, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzTextRoundTrip: Text→expr→Text gives the text back, and what comes out
// parses as CEL; expr→Text→expr gives the expression back.
func FuzzTextRoundTrip(f *testing.F) {
	for _, s := range []string{"", "/v1/orders/{{ vars.orderId }}?x=[[chatId]]", "{{vars.x}}", `{{ "{{" }}`,
		"{\"a\": \"{{ trigger.b }}\"}\n", "[[a]][[b]]", "{{ a }}{{b}}", "\\\"\x00\x7f", "{{ (vars.x) }}"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, withParams bool) {
		var params []string
		if withParams {
			params = []string{"chatId", "a", "x"}
		}
		e, err := TextToExpr(text, params)
		if err != nil {
			if !utf8.ValidString(text) {
				return
			}
			var te *TextError
			if !errors.As(err, &te) {
				t.Fatalf("TextToExpr(%q): %v is not a *TextError", text, err)
			}
			return
		}
		if e != "" && celSyntax(e) != "" {
			t.Fatalf("TextToExpr(%q) = %q does not parse: %s", text, e, celSyntax(e))
		}
		back, ok := ExprToText(e, params)
		if !ok || back != text {
			t.Fatalf("ExprToText(TextToExpr(%q) = %q) = %q, %v", text, e, back, ok)
		}
		// The other way, from an arbitrary expression.
		if t2, ok := ExprToText(text, params); ok {
			if e2, err := TextToExpr(t2, params); err != nil || e2 != text {
				t.Fatalf("TextToExpr(ExprToText(%q) = %q) = %q, %v", text, t2, e2, err)
			}
		}
	})
}
