package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// saveConnections stores connections with no auth under those names.
func saveConnections(t *testing.T, h *harness, names ...string) {
	t.Helper()
	for _, name := range names {
		if err := h.db.SaveConnection(context.Background(), flow.Connection{Name: name, Kind: flow.ConnCustom,
			BaseURL: "https://api.example.com", Auth: flow.Auth{Type: flow.AuthNone}}); err != nil {
			t.Fatal(err)
		}
	}
	h.app.refreshConnections()
}

// TestConnectionNameIsCheckedAtTheField (issue 13, item 15): emptying a
// stored connection's name says so under the name as it is typed, the
// placeholder names no other connection, and the message goes once the
// name is typed again: above Save too.
func TestConnectionNameIsCheckedAtTheField(t *testing.T) {
	h := newHarness(t)
	saveConnections(t, h, "crm", "billing")
	h.app.manageConnection("billing")
	f := h.app.inspector.conn
	if f == nil || f.orig.Name != "billing" {
		t.Fatal("the billing connection's form is not open")
	}
	if msg, _ := fieldMessage(f, "name"); msg != "" {
		t.Fatalf("a stored connection's name shows %q", msg)
	}
	for _, c := range h.app.conns {
		if strings.Contains(f.name.PlaceHolder, c.Name) {
			t.Errorf("the name's placeholder %q shows connection %q", f.name.PlaceHolder, c.Name)
		}
	}
	test.Type(f.name, "") // focus
	f.name.SetText("")
	msg, isErr := fieldMessage(f, "name")
	if !isErr || !strings.Contains(msg, "Give the connection a name") {
		t.Fatalf("an empty name shows %q (error %v) under the field", msg, isErr)
	}
	if err := f.save(); err == nil || !f.saveErr.Visible() {
		t.Fatalf("a connection with no name was saved (error %v)", err)
	}
	f.name.SetText("crm")
	if msg, _ := fieldMessage(f, "name"); !strings.Contains(msg, `"crm" exists already`) {
		t.Fatalf("another connection's name shows %q", msg)
	}
	f.name.SetText("billing-eu")
	if msg, _ := fieldMessage(f, "name"); msg != "" {
		t.Fatalf("a good name still shows %q", msg)
	}
	if f.saveErr.Visible() {
		t.Fatalf("the message above Save stays after the fix: %q", f.saveErr.Text)
	}
	if err := f.save(); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.Connection(context.Background(), "billing-eu"); err != nil {
		t.Fatalf("the renamed connection is not stored: %v", err)
	}
}

// TestNewConnectionShowsProblemsAsFieldsAreFilled: a new connection's form
// shows no problem before anything is typed, a field's problem once it is
// edited, and every problem when Save is pressed.
func TestNewConnectionShowsProblemsAsFieldsAreFilled(t *testing.T) {
	h := newHarness(t)
	saveConnections(t, h, "connection")
	test.Tap(h.tipButtonNamed("Add"))
	f := h.app.inspector.conn
	if f.name.Text != "connection 2" {
		t.Errorf("a new connection beside %q is called %q, want %q", "connection", f.name.Text, "connection 2")
	}
	f.authType.SetSelected(string(flow.AuthBearer))
	for key := range f.msgs {
		if msg, _ := fieldMessage(f, key); msg != "" {
			t.Errorf("before anything is typed, field %s shows %q", key, msg)
		}
	}
	f.timeout.SetText("soon")
	if msg, _ := fieldMessage(f, "timeout"); !strings.Contains(msg, `"soon" is not a duration`) {
		t.Errorf("timeout shows %q", msg)
	}
	if err := f.save(); err == nil {
		t.Fatal("saved with a bad base URL, timeout and no token")
	}
	if msg, _ := fieldMessage(f, "baseURL"); !strings.Contains(msg, "not an absolute http(s) URL") {
		t.Errorf("after Save, base URL shows %q", msg)
	}
	if msg, _ := fieldMessage(f, "auth.token"); !strings.Contains(msg, "bearer auth needs a token") {
		t.Errorf("after Save, token shows %q", msg)
	}
}

// TestGearOpensTheCallsConnection (issue 13, item 16): the gear beside a
// call's connection opens the Connections view with that connection
// selected and its form open.
func TestGearOpensTheCallsConnection(t *testing.T) {
	h := newHarness(t)
	saveConnections(t, h, "crm", "billing", "zendesk")
	id := h.app.AddNode(flow.KindCall)
	if err := h.app.ed.Edit("pick", func(f *flow.Flow) error { f.Node(id).Call.Connection = "billing"; return nil }); err != nil {
		t.Fatal(err)
	}
	h.app.selectProblemNode(id)
	var gear *widget.Button
	walk(h.app.inspector.object(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Icon == theme.SettingsIcon() && b.Visible() {
			gear = b
		}
	})
	if gear == nil {
		t.Fatal("no gear in the call form")
	}
	test.Tap(gear)
	s := h.app.sidebar
	if s.names[s.current] != "Connections" {
		t.Fatalf("the gear shows the %s view", s.names[s.current])
	}
	if c, ok := h.app.connView.list.selected(); !ok || c.Name != "billing" {
		t.Fatalf("the Connections view has %q selected (%v), want billing", c.Name, ok)
	}
	if f := h.app.inspector.conn; f == nil || f.orig.Name != "billing" {
		t.Fatal("the billing connection's form is not open")
	}
}

func TestDeletingAConnectionUsedByFlowsAsksAndNamesThem(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, name := range []string{"crm", "spare"} {
		if err := h.db.SaveConnection(ctx, flow.Connection{Name: name, Kind: flow.ConnCustom,
			BaseURL: "https://api.example.com", Auth: flow.Auth{Type: flow.AuthNone}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.app.ImportFlow(mustExample(t)); err != nil {
		t.Fatal(err)
	}
	h.app.refreshConnections()

	cases := []struct {
		name, conn, answer string
		wantText           []string
		wantGone           bool
	}{
		{"cancel keeps it", "crm", "Cancel", []string{`"crm"`, `"Chatbot VIP routing"`, "1 flow"}, false},
		{"delete removes it", "crm", "Delete", []string{`"Chatbot VIP routing"`}, true},
		{"unused says so", "spare", "Delete", []string{"No flow uses it"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h.app.AskDeleteConnection(c.conn)
			text := h.overlayText()
			for _, w := range c.wantText {
				if !strings.Contains(text, w) {
					t.Errorf("the question does not say %s:\n%s", w, text)
				}
			}
			test.Tap(h.overlayButton(c.answer))
			_, err := h.db.Connection(ctx, c.conn)
			if gone := err != nil; gone != c.wantGone {
				t.Fatalf("after %s the connection is gone=%v, want %v (err %v)", c.answer, gone, c.wantGone, err)
			}
		})
	}
}

func TestConnectionFormSealsSecretsAndChecksTheBaseURL(t *testing.T) {
	h := newHarness(t)
	const canary = "canary-9f8e7d6c5b4a"
	test.Tap(h.tipButtonNamed("Add"))
	f := h.app.inspector.conn
	if f == nil || !f.isNew {
		t.Fatal("Add did not open a new connection form")
	}
	f.name.SetText("crm")
	urls := []struct {
		url  string
		want string
	}{
		{"http://api.example.com", "plain http"},
		{"api.example.com", "not an absolute http(s) URL"},
		{"http://127.0.0.1:8080", ""},
		{"https://api.example.com", ""},
	}
	for _, u := range urls {
		t.Run("base URL "+u.url, func(t *testing.T) {
			f.baseURL.SetText(u.url)
			got, _ := fieldMessage(f, "baseURL")
			if (u.want == "") != (got == "") || !strings.Contains(got, u.want) {
				t.Fatalf("error %q, want one containing %q", got, u.want)
			}
		})
	}
	f.authType.SetSelected(string(flow.AuthAPIKey))
	f.apiName.SetText("x-api-key")
	f.apiValue.value.SetText(canary)
	if err := f.save(); err != nil {
		t.Fatal(err)
	}
	stored, err := h.db.Connection(context.Background(), "crm")
	if err != nil {
		t.Fatal(err)
	}
	if stored.Auth.Value == nil || stored.Auth.Value.Secret == "" || stored.Auth.Value.Literal != "" {
		t.Fatalf("the key was not sealed: %+v", stored.Auth.Value)
	}
	g := h.app.inspector.conn
	if g == nil || g.isNew {
		t.Fatal("after saving, the form should show the stored connection")
	}
	if g.apiValue.value.Text != "" || !g.apiValue.marker.Visible() || !strings.Contains(g.apiValue.marker.Text, "sealed") {
		t.Fatalf("the saved key should show only a sealed marker; entry %q, marker %q", g.apiValue.value.Text, g.apiValue.marker.Text)
	}
	if strings.Contains(h.consoleText(), canary) || strings.Contains(test.RenderObjectToMarkup(h.w.Content()), canary) {
		t.Fatal("the secret value is shown somewhere in the window")
	}
	// saving again without typing keeps the sealed value
	if err := g.save(); err != nil {
		t.Fatal(err)
	}
	again, _ := h.db.Connection(context.Background(), "crm")
	if again.Auth.Value == nil || again.Auth.Value.Secret != stored.Auth.Value.Secret {
		t.Fatalf("saving without typing lost the sealed key: %+v", again.Auth.Value)
	}
}
