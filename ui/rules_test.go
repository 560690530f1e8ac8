package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// TestVariableNamesFollowFlowsRule: the form refuses what flow.IsIdentifier
// refuses, CEL's reserved words included (vars.in would not compile).
func TestVariableNamesFollowFlowsRule(t *testing.T) {
	for _, s := range []string{"in", "if", "null", "true", "var", "2x", "a-b"} {
		if checkIdentifier(s) == "" {
			t.Errorf("%q is accepted as a variable name; flow.IsIdentifier(%q) = %v", s, s, flow.IsIdentifier(s))
		}
	}
	for _, s := range []string{"", "tier", "_x", "index", "if2"} {
		if msg := checkIdentifier(s); msg != "" {
			t.Errorf("%q is refused: %s", s, msg)
		}
	}
}

// fieldMessage is what the connection form shows under a field, with
// whether it is an error (else a warning), "" when it shows nothing.
func fieldMessage(f *connForm, key string) (string, bool) {
	l := f.msgs[key]
	if l == nil || !l.Visible() {
		return "", false
	}
	return l.Text, l.Importance == widget.DangerImportance
}

// TestBaseURLFollowsFlowsRule: the connection form applies
// flow.CheckConnection: plain http to another machine is a warning (the
// connection saves), *.localhost is local, a URL that is not absolute is an
// error that stops Save.
func TestBaseURLFollowsFlowsRule(t *testing.T) {
	h := newHarness(t)
	test.Tap(h.tipButtonNamed("Add"))
	f := h.app.inspector.conn
	f.name.SetText("billing")
	for _, c := range []struct {
		url      string
		want     string // "" for no message
		isError  bool
		saves    bool
		storedAs string
	}{
		{"http://api.example.com", "plain http to another machine", false, true, "http://api.example.com"},
		{"http://mock.localhost:8080", "", false, true, "http://mock.localhost:8080"},
		{"http://127.0.0.1:9000", "", false, true, "http://127.0.0.1:9000"},
		{"api.example.com", "not an absolute http(s) URL", true, false, ""},
	} {
		f := h.app.inspector.conn
		f.baseURL.SetText(c.url)
		got, isErr := fieldMessage(f, "baseURL")
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) || (got != "" && isErr != c.isError) {
			t.Errorf("base URL %s: message %q (error %v), want one containing %q (error %v)", c.url, got, isErr, c.want, c.isError)
		}
		err := f.save()
		if (err == nil) != c.saves {
			t.Errorf("base URL %s: save error %v, want saved %v", c.url, err, c.saves)
		}
		if c.saves {
			stored, err := h.db.Connection(context.Background(), "billing")
			if err != nil || stored.BaseURL != c.storedAs {
				t.Errorf("base URL %s: stored %+v, %v", c.url, stored, err)
			}
		}
	}
}
