package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// TestTextModeRoundTripEveryFieldKind (issue 14): every kind of field a
// call sends is typed in Text mode, saved, and opens again in Text mode with
// the same text after a new launch; the file holds the Text-mode CEL.
func TestTextModeRoundTripEveryFieldKind(t *testing.T) {
	h := newHarness(t)
	if err := h.db.SaveConnection(context.Background(), flow.Connection{Name: "bin", Kind: flow.ConnCustom,
		BaseURL: "http://127.0.0.1", Auth: flow.Auth{Type: flow.AuthNone}}); err != nil {
		t.Fatal(err)
	}
	h.app.refreshConnections()
	f := callFlow("")
	f.Nodes[1].Call.Query = []flow.Pair{{}}
	f.Nodes[1].Call.Headers = []flow.Pair{{}}
	h.app.load(f)
	h.app.ed.Select(editor.Selection{Node: "call", Edge: -1})
	body := "{\n  \"chatId\": \"{{ trigger.chatId }}\",\n  \"note\": \"say \\\"hi\\\" — ünïcode\"\n}"
	typed := map[string]string{
		"call.uri":              "/v1/orders/{{ vars.orderId }}?chat=[[chatId]]",
		"call.query[0].key":     "environment",
		"call.query[0].value":   "{{env.name}}",
		"call.headers[0].key":   "X-Trace",
		"call.headers[0].value": `Bearer {{ steps.login.body.token }} {{ "{{" }}`,
		"call.body":             body,
	}
	want := map[string]string{
		"call.uri":              `"/v1/orders/" + string( vars.orderId ) + "?chat=" + string(vars.chatId)`,
		"call.query[0].key":     `"environment"`,
		"call.query[0].value":   `string(env.name)`,
		"call.headers[0].key":   `"X-Trace"`,
		"call.headers[0].value": `"Bearer " + string( steps.login.body.token ) + " " + string( "{{" )`,
		"call.body":             `"{\n  \"chatId\": \"" + string( trigger.chatId ) + "\",\n  \"note\": \"say \\\"hi\\\" — ünïcode\"\n}"`,
	}
	stored := func(c *flow.Call) map[string]string {
		return map[string]string{
			"call.uri": c.URI, "call.query[0].key": c.Query[0].Key, "call.query[0].value": c.Query[0].Value,
			"call.headers[0].key": c.Headers[0].Key, "call.headers[0].value": c.Headers[0].Value, "call.body": c.Body,
		}
	}
	for path, text := range typed {
		fld := h.app.inspector.fields[path]
		if fld == nil {
			t.Fatalf("no field %s", path)
		}
		if !fld.TextMode() {
			t.Fatalf("%s: an empty field of what a call sends starts in Expression mode", path)
		}
		fld.entry.SetText(text)
		if msg := fld.Error(); msg != "" {
			t.Errorf("%s: %q shows %q", path, text, msg)
		}
	}
	for path, got := range stored(h.app.ed.Flow().Node("call").Call) {
		if got != want[path] {
			t.Errorf("%s holds %q\nwant %q", path, got, want[path])
		}
	}
	if hint := h.app.inspector.fields["call.uri"].hintLabel; !hint.Visible() || hint.Text != "[[chatId]] is vars.chatId" {
		t.Errorf("the URI's placeholder hint: %q (shown %v)", hint.Text, hint.Visible())
	}

	h.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault})
	id := h.app.FlowID()
	if id == "" || h.app.ed.Dirty() {
		t.Fatalf("not saved (id %q); console:\n%s", id, h.consoleText())
	}
	h.db.Close()
	h.db = openStore(t, h.dbPath)
	h.open()
	if h.app.FlowID() != id {
		t.Fatalf("the new window opened %q, want %q", h.app.FlowID(), id)
	}
	for path, got := range stored(h.app.ed.Flow().Node("call").Call) {
		if got != want[path] {
			t.Errorf("after reload %s holds %q", path, got)
		}
	}
	h.app.ed.Select(editor.Selection{Node: "call", Edge: -1})
	for path, text := range typed {
		fld := h.app.inspector.fields[path]
		if fld == nil || !fld.TextMode() || fld.entry.Text != text {
			t.Errorf("%s reopens as %q (Text mode %v), want the text %q", path, fld.entry.Text, fld.TextMode(), text)
		}
	}
}

// TestModeToggleConverts: Text → Expression shows the CEL and leaves the
// document as it was; Expression → Text is refused with a message for
// hand-written CEL, and works for CEL in the text shape.
func TestModeToggleConverts(t *testing.T) {
	h := newHarness(t)
	h.app.load(callFlow(`"/items/" + trigger.chatId`))
	h.app.ed.Select(editor.Selection{Node: "call", Edge: -1})
	uri := h.app.inspector.fields["call.uri"]
	if uri.TextMode() || uri.entry.Text != `"/items/" + trigger.chatId` {
		t.Fatalf("hand-written CEL opens as %q (Text mode %v)", uri.entry.Text, uri.TextMode())
	}
	test.Tap(uri.toggle.text) // Text
	if uri.TextMode() || uri.toggle.isText || !uri.hintLabel.Visible() || !strings.Contains(uri.hintLabel.Text, "stays an expression") {
		t.Fatalf("switching hand-written CEL to Text: mode %v, toggle %v, message %q", uri.TextMode(), uri.toggle.isText, uri.hintLabel.Text)
	}
	if got := h.app.ed.Flow().Node("call").Call.URI; got != `"/items/" + trigger.chatId` {
		t.Fatalf("the refused switch changed the URI to %q", got)
	}
	uri.entry.SetText(`"/items/" + string(trigger.chatId)`)
	test.Tap(uri.toggle.text)
	if !uri.TextMode() || uri.entry.Text != "/items/{{trigger.chatId}}" || uri.hintLabel.Visible() {
		t.Fatalf("CEL in the text shape switches to %q (Text mode %v, hint %q)", uri.entry.Text, uri.TextMode(), uri.hintLabel.Text)
	}
	before := h.app.ed.Flow().Node("call").Call.URI
	test.Tap(uri.toggle.expr)
	if uri.TextMode() || uri.entry.Text != `"/items/" + string(trigger.chatId)` || h.app.ed.Flow().Node("call").Call.URI != before {
		t.Fatalf("Text → Expression shows %q, URI %q", uri.entry.Text, h.app.ed.Flow().Node("call").Call.URI)
	}
	// A condition starts in Expression mode; a compact cell's toggle is
	// one button naming the mode.
	h.app.ed.Select(editor.Selection{Node: "call", Edge: -1})
	if ret := h.app.inspector.fields["call.returnValue"]; ret.TextMode() {
		t.Error("an empty return value starts in Text mode")
	}
}

// TestTextModeErrorsNameTheHole: a mistake in Text mode says which hole and
// where, with CEL's message beneath; the document keeps what was typed.
func TestTextModeErrorsNameTheHole(t *testing.T) {
	h := newHarness(t)
	h.app.load(callFlow(""))
	h.app.ed.Select(editor.Selection{Node: "call", Edge: -1})
	uri := h.app.inspector.fields["call.uri"]
	for _, tc := range []struct{ text, want string }{
		{"/v1/{{ vars.a }}/{{ vars. }}", "hole 2 (column 18): the CEL in the hole does not parse:\nERROR: <input>:1:8: Syntax error"},
		{"/v1/{{ nosuch.x }}", "hole 1 (column 5): line 1, column 2: undeclared reference to 'nosuch'"},
		{"/v1/{{ vars.a", "hole 1 (column 5): the hole is not closed"},
	} {
		uri.entry.SetText(tc.text)
		if got := uri.Error(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%q shows\n%q\nwant it to start with\n%q", tc.text, got, tc.want)
		}
	}
	if got := h.app.ed.Flow().Node("call").Call.URI; got != `"/v1/" + string( vars.a)` {
		t.Errorf("the document holds %q for the unclosed hole", got)
	}
}

// TestCompletionInTextMode: a completion chosen in the text of a Text-mode
// field goes in as a hole; inside a hole, as the name.
func TestCompletionInTextMode(t *testing.T) {
	h := newHarness(t)
	h.app.load(callFlow(""))
	h.app.ed.Select(editor.Selection{Node: "call", Edge: -1})
	uri := h.app.inspector.fields["call.uri"]
	var menu *fyne.Menu
	uri.showMenu = func(m *fyne.Menu) { menu = m }
	pick := func(text, item string) string {
		t.Helper()
		uri.entry.SetText(text)
		uri.entry.CursorRow, uri.entry.CursorColumn = 0, len([]rune(text))
		uri.showCompletions()
		for _, it := range menu.Items {
			if it.Label == item {
				it.Action()
				return uri.entry.Text
			}
		}
		t.Fatalf("%q: no completion %q", text, item)
		return ""
	}
	if got := pick("/v1/trig", "trigger"); got != "/v1/{{ trigger }}" {
		t.Errorf("outside a hole: %q", got)
	}
	if got := pick("/v1/{{ trig", "trigger"); got != "/v1/{{ trigger" {
		t.Errorf("inside a hole: %q", got)
	}
	uri.entry.SetText("/v1/")
	uri.entry.CursorRow, uri.entry.CursorColumn = 0, 4
	uri.InsertExpression("steps.lookup.body.id")
	if got := uri.entry.Text; got != "/v1/{{ steps.lookup.body.id }}" {
		t.Errorf("InsertExpression in Text mode: %q", got)
	}
}

// TestTextModeFieldOfANamedRequest: in a field of a named request,
// [[name]] is params.name for the request's parameters and vars.name for
// any other; the hint under the field says so, and the CEL reopens as text.
func TestTextModeFieldOfANamedRequest(t *testing.T) {
	h := newHarness(t)
	var got string
	params := []string{"chatId"}
	f := newExprField(h.app.checker, "", false, true, false, func() []string { return nil }, func(s string) { got = s },
		withModes(true), withParams(func() []string { return params }))
	test.Type(f.entry, "/v1/[[chatId]]/[[orgId]]")
	if want := `"/v1/" + string(params.chatId) + "/" + string(vars.orgId)`; got != want || f.Expr() != want {
		t.Fatalf("stored %q (Expr %q), want %q", got, f.Expr(), want)
	}
	if f.hintLabel.Text != "[[chatId]] is params.chatId · [[orgId]] is vars.orgId" || !f.hintLabel.Visible() {
		t.Errorf("hint %q", f.hintLabel.Text)
	}
	again := newExprField(h.app.checker, got, false, true, false, func() []string { return nil }, nil,
		withModes(false), withParams(func() []string { return params }))
	if !again.TextMode() || again.entry.Text != "/v1/[[chatId]]/[[orgId]]" {
		t.Errorf("reopens as %q (Text mode %v)", again.entry.Text, again.TextMode())
	}
	// Without the options the field is the CEL field it always was.
	plain := newExprField(h.app.checker, `"/v1"`, false, true, false, func() []string { return nil }, nil)
	if plain.TextMode() || plain.toggle != nil || plain.entry.Text != `"/v1"` || plain.Expr() != `"/v1"` {
		t.Errorf("a field without options: %q, Text mode %v", plain.entry.Text, plain.TextMode())
	}
}

// TestWindowChecksConnectionExpressionNames: the window's own check names
// each literal connection name of a connection expression that is no
// connection, as the engine's compilation does.
func TestWindowChecksConnectionExpressionNames(t *testing.T) {
	h := newHarness(t)
	f := callFlow(`"/x"`)
	f.Nodes[1].Call.SetConnRef(flow.ConnRef{Expr: `trigger.eu ? "bin" : "apac"`})
	ps := expressionProblems(h.app.checker, f, []flow.Connection{binConn})
	if len(ps) != 1 || ps[0].Node != "call" || ps[0].Field != "call.connection" ||
		ps[0].Message != `the expression may give "apac", which is no connection; add it under Connections or change the expression` {
		t.Fatalf("problems: %v", ps)
	}
}
