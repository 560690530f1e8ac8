package ui

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/flow"
)

// buttonIn finds the visible button with that label below o.
func buttonIn(o fyne.CanvasObject, label string) *widget.Button {
	var found *widget.Button
	walk(o, func(x fyne.CanvasObject) {
		if b, ok := x.(*widget.Button); ok && b.Text == label && found == nil {
			found = b
		}
	})
	return found
}

// TestConnectionFormSaveStaysVisible (issue 14): Save connection and Test
// connection sit in the inspector's footer, outside the scrolled form, so
// a long form (OAuth 2.0, named requests) never hides them; another form
// leaves the footer empty.
func TestConnectionFormSaveStaysVisible(t *testing.T) {
	h := newHarness(t)
	saveConnections(t, h, "crm")
	h.w.Resize(fyne.NewSize(1024, 640))
	h.app.manageConnection("crm")
	in := h.app.inspector
	in.conn.authType.SetSelected(string(flow.AuthOAuth2))
	for _, label := range []string{"Save connection", "Test connection"} {
		if buttonIn(in.footer, label) == nil {
			t.Errorf("%q is not in the inspector's fixed footer", label)
		}
		if buttonIn(in.scroll.Content, label) != nil {
			t.Errorf("%q is inside the scrolled form", label)
		}
	}
	if in.scroll.Content.MinSize().Height <= in.scroll.Size().Height {
		t.Fatalf("the OAuth form (%v high) fits its scroll (%v): the test proves nothing", in.scroll.Content.MinSize().Height, in.scroll.Size().Height)
	}
	in.showSelection()
	if len(in.footer.Objects) != 0 {
		t.Fatal("the flow's form keeps the connection's footer")
	}
}

// TestConnectionFormTestButton (issue 14): Test connection probes the
// connection as typed (its secret not saved yet) and shows the outcome
// under the button; a refused credential says so, without the secret.
func TestConnectionFormTestButton(t *testing.T) {
	bin := httptest.NewServer(httpbin.New())
	defer bin.Close()
	h := newRunHarness(t, bin.URL)
	if err := h.db.SaveConnection(context.Background(), flow.Connection{Name: "bin", Kind: flow.ConnCustom, BaseURL: bin.URL + "/bearer",
		Auth: flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Env: "NOT_SET_ANYWHERE_4711"}}}); err != nil {
		t.Fatal(err)
	}
	h.app.refreshConnections()
	h.app.manageConnection("bin")
	f := h.app.inspector.conn
	f.token.source.SetSelected(secretSealed)
	f.token.value.SetText("typed-token-0815")
	test.Tap(buttonIn(h.app.inspector.footer, "Test connection"))
	h.settle("the probe", func() bool {
		return strings.HasPrefix(f.testOut.Text, "✓") || strings.HasPrefix(f.testOut.Text, "✗")
	})
	if want := "✓ GET " + bin.URL + "/bearer → 200 in "; !strings.HasPrefix(f.testOut.Text, want) || !strings.Contains(f.testOut.Text, "TLS: none (plain http)") {
		t.Fatalf("the outcome reads %q, want it to start %q", f.testOut.Text, want)
	}
	if !f.testOut.Visible() || f.testOut.Importance != widget.SuccessImportance {
		t.Fatal("the outcome is not shown as a success")
	}
	f.baseURL.SetText(bin.URL + "/status/401")
	test.Tap(f.testBtn)
	h.settle("the second probe", func() bool { return strings.HasPrefix(f.testOut.Text, "✗") })
	if !strings.Contains(f.testOut.Text, `connection "bin": the server refused the credentials (401 Unauthorized)`) || f.testOut.Importance != widget.DangerImportance {
		t.Fatalf("a refused probe reads %q", f.testOut.Text)
	}
	for _, s := range []string{f.testOut.Text, h.consoleText()} {
		if strings.Contains(s, "typed-token-0815") {
			t.Fatal("the typed token is shown")
		}
	}
	if c, _ := h.db.Connection(context.Background(), "bin"); c.Auth.Token.Env != "NOT_SET_ANYWHERE_4711" {
		t.Fatal("testing saved the connection")
	}
}

// TestNamedRequestsOfAConnection (issue 16): the connection form lists its
// named requests; Add request keeps one on the stored connection, Edit
// changes it, Test asks for its args and runs it through the engine's
// single-step path (the step pane shows what arrived), Delete removes it.
func TestNamedRequestsOfAConnection(t *testing.T) {
	bin := httptest.NewServer(httpbin.New())
	defer bin.Close()
	h := newRunHarness(t, bin.URL, binConn)
	h.app.manageConnection("bin")
	f := h.app.inspector.conn
	test.Tap(buttonIn(f.box, "Add request"))
	rf := f.reqForm
	if rf == nil || h.w.Canvas().Overlays().Top() == nil {
		t.Fatal("Add request opened no form")
	}
	rf.name.SetText("echo")
	rf.description.SetText("Echoes the chat")
	rf.params.SetText("chatId, n")
	rf.method.SetSelected("POST")
	if !rf.uri.TextMode() || !rf.body.TextMode() {
		t.Fatal("the URI and body of a new request do not start in Text mode")
	}
	rf.uri.entry.SetText("/anything/[[chatId]]") // Text mode: [[chatId]] is params.chatId
	rf.headers.add(flow.Pair{Key: `"X-Chat"`, Value: `params.chatId`})
	rf.body.setTextMode(false)
	rf.body.entry.SetText(`{"n": params.n}`)
	test.Tap(h.overlayButton("Save request"))
	if rf.errLabel.Visible() {
		t.Fatalf("the request was refused: %s", rf.errLabel.Text)
	}
	stored, _ := h.db.Connection(context.Background(), "bin")
	uri, err := flow.TextToExpr("/anything/[[chatId]]", []string{"chatId", "n"})
	if err != nil || !strings.Contains(uri, "params.chatId") {
		t.Fatalf("Text mode gives %q (%v)", uri, err)
	}
	want := flow.NamedRequest{Name: "echo", Description: "Echoes the chat", Params: []string{"chatId", "n"}, Method: "POST",
		URI: uri, Headers: []flow.Pair{{Key: `"X-Chat"`, Value: "params.chatId"}}, Body: `{"n": params.n}`}
	if len(stored.Requests) != 1 || !jsonEqual(stored.Requests[0], want) {
		t.Fatalf("stored requests %+v, want %+v", stored.Requests, want)
	}
	if row := connectionRow(&h.app.conns[0]); row != "bin  (none) · 1 request" {
		t.Fatalf("the Connections list shows %q", row)
	}
	if !strings.Contains(labelsIn(f.reqBox), `echo · POST /anything/[[chatId]]`) || !strings.Contains(labelsIn(f.reqBox), "Echoes the chat") {
		t.Fatalf("the list shows %q", labelsIn(f.reqBox))
	}

	// A second request with the same name is refused, naming the field.
	test.Tap(buttonIn(f.box, "Add request"))
	f.reqForm.name.SetText("echo")
	test.Tap(h.overlayButton("Save request"))
	if msg := f.reqForm.errLabel.Text; !strings.Contains(msg, `name: request "echo" is defined twice`) {
		t.Fatalf("a duplicate name shows %q", msg)
	}
	test.Tap(h.overlayButton("Cancel"))

	// Edit: the description changes in the store.
	test.Tap(iconButtonBeside(f.reqBox, 0, 1))
	f.reqForm.description.SetText("Echoes the chat back")
	test.Tap(h.overlayButton("Save request"))
	if stored, _ := h.db.Connection(context.Background(), "bin"); stored.Requests[0].Description != "Echoes the chat back" {
		t.Fatalf("the edit was not stored: %+v", stored.Requests)
	}

	// Test: args by name, sent through the engine.
	test.Tap(buttonIn(f.reqBox, "Test"))
	if len(f.argEntries) != 2 {
		t.Fatalf("the args dialog has %d fields, want 2", len(f.argEntries))
	}
	f.argEntries[0].SetText("c-42")
	f.argEntries[1].SetText("7")
	test.Tap(h.overlayButton("Test"))
	h.settle("the request's test", func() bool { return h.app.pane.step != nil })
	s := h.app.pane.step
	if s.Status != flow.StatusSucceeded || len(s.Exchanges) != 1 {
		t.Fatalf("step %+v; console:\n%s", s, h.consoleText())
	}
	var echo struct {
		URL     string              `json:"url"`
		Headers map[string][]string `json:"headers"`
		JSON    map[string]any      `json:"json"`
	}
	if err := json.Unmarshal([]byte(s.Exchanges[0].ResponseBody), &echo); err != nil {
		t.Fatalf("the echo %q: %v", s.Exchanges[0].ResponseBody, err)
	}
	if !strings.HasSuffix(echo.URL, "/anything/c-42") || !slices.Equal(echo.Headers["X-Chat"], []string{"c-42"}) || echo.JSON["n"] != float64(7) {
		t.Fatalf("httpbin received %+v", echo)
	}

	// Delete, after asking.
	test.Tap(iconButtonBeside(f.reqBox, 0, 2))
	test.Tap(h.overlayButton("Delete"))
	if stored, _ := h.db.Connection(context.Background(), "bin"); len(stored.Requests) != 0 {
		t.Fatalf("the request is still stored: %+v", stored.Requests)
	}
	if !strings.Contains(labelsIn(f.reqBox), "None yet.") {
		t.Fatalf("the list shows %q", labelsIn(f.reqBox))
	}
}

// jsonEqual compares two values by their JSON.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// labelsIn joins the texts of the labels below o.
func labelsIn(o fyne.CanvasObject) string {
	var parts []string
	walk(o, func(x fyne.CanvasObject) {
		if l, ok := x.(*widget.Label); ok {
			parts = append(parts, l.Text)
		}
	})
	return strings.Join(parts, "\n")
}

// iconButtonBeside is the k-th button (0: Test, 1: Edit, 2: Delete) of row
// i of a list of requests.
func iconButtonBeside(list *fyne.Container, i, k int) *widget.Button {
	var bs []*widget.Button
	walk(list.Objects[i], func(x fyne.CanvasObject) {
		if b, ok := x.(*widget.Button); ok {
			bs = append(bs, b)
		}
	})
	return bs[k]
}
