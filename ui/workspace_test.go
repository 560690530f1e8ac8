package ui

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/clock/clocktest"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// wsHarness is a window with a runner that records runs and a sender that
// records nothing, as the app has them, on a database in a temporary
// directory.
type wsHarness struct {
	*runHarness
	bin    *httptest.Server
	sender *engine.Runner
}

// newWSHarness opens a window whose stored connection "bin" has the
// address of a go-httpbin server.
func newWSHarness(t *testing.T) *wsHarness {
	t.Helper()
	bin := httptest.NewServer(httpbin.New())
	t.Cleanup(bin.Close)
	dir := t.TempDir()
	h := &harness{t: t, fa: test.NewTempApp(t), dbPath: filepath.Join(dir, "flowbench.db")}
	h.db = openStore(t, h.dbPath)
	conn := flow.Connection{Name: "bin", Kind: flow.ConnCustom, BaseURL: bin.URL + "/anything", Auth: flow.Auth{Type: flow.AuthNone}}
	if err := h.db.SaveConnection(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	w := &wsHarness{runHarness: &runHarness{harness: h}, bin: bin}
	w.open()
	return w
}

// open (re)creates the window on h.db with a new engine and sender.
func (w *wsHarness) open() {
	h := w.harness
	w.rec = h.db.NewRecorder(storage.RecorderOptions{})
	w.eng = engine.NewRunner(engine.Options{Secrets: h.db, Observers: []engine.Observer{w.rec}, Clock: clocktest.Instant()})
	w.sender = engine.NewRunner(engine.Options{Secrets: h.db, Clock: clocktest.Instant()})
	eng, sender, rec := w.eng, w.sender, w.rec
	h.t.Cleanup(func() { eng.Close(); sender.Close(); rec.Close() })
	h.queue, h.clock = &uiQueue{}, &manualClock{}
	lr := &LocalRunner{Engine: w.eng, Connections: h.db.ListConnections, Flush: w.rec.Flush}
	a, err := New(h.fa, Options{Store: h.db, History: h.db, Do: h.queue.do, AfterFunc: h.clock.after, Runner: lr,
		Sender: &LocalRunner{Engine: w.sender, Connections: h.db.ListConnections}})
	if err != nil {
		h.t.Fatal(err)
	}
	h.app, h.w = a, a.Window()
	h.w.Resize(fyne.NewSize(1400, 900))
	h.w.Show()
	h.t.Cleanup(h.w.Close)
}

// sendTab presses Ctrl+Enter and waits for the tab's response.
func (w *wsHarness) sendTab(t *requestTab) *storage.SentRequest {
	w.t.Helper()
	t.last = nil
	w.shortcut(sendShortcut)
	w.settle("the response", func() bool { return t.last != nil || strings.HasPrefix(t.status.Text, "Not sent") })
	if t.last == nil {
		w.t.Fatalf("not sent: %s", t.status.Text)
	}
	return t.last
}

// echoed is what go-httpbin's /anything says it received.
type echoed struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Args    map[string][]string `json:"args"`
	Headers map[string][]string `json:"headers"`
	Data    string              `json:"data"`
}

func echoOf(t *testing.T, r *storage.SentRequest) echoed {
	t.Helper()
	x := r.Response()
	if x == nil || x.Status != 200 {
		t.Fatalf("the send got %+v; want a 200 from httpbin", r)
	}
	var e echoed
	if err := json.Unmarshal([]byte(x.ResponseBody), &e); err != nil {
		t.Fatalf("httpbin's answer %q: %v", x.ResponseBody, err)
	}
	return e
}

// Issue 14: Send needs no flow and no start node; a full URL needs no
// connection. The send goes to the request history, not to the runs.
func TestWorkspaceSendsWithNoFlowOpen(t *testing.T) {
	h := newWSHarness(t)
	h.app.NewFlow()
	h.shortcut(viewShortcut(6)) // Ctrl+7
	if !h.app.work.visible || h.app.work.main.Visible() == false || h.app.inspSplit.Visible() {
		t.Fatal("Ctrl+7 did not show the workspace in the main area")
	}
	tab := h.app.work.current()
	tab.conn.SetSelected(noConnection)
	tab.method.SetSelected("POST")
	tab.uri.SetText(h.bin.URL + "/anything/v1/orders")
	tab.query.rows[0].key.SetText("page")
	tab.query.rows[0].value.SetText("2 of 3")
	tab.headers.rows[0].key.SetText("X-Trace")
	tab.headers.rows[0].value.SetText(`a "quoted" value`)
	tab.body.SetText(`{"sku": "A-1", "qty": 2}`)
	r := h.sendTab(tab)
	e := echoOf(t, r)
	if e.Method != "POST" || !strings.HasSuffix(e.URL, "/anything/v1/orders?page=2+of+3") ||
		e.Args["page"][0] != "2 of 3" || e.Headers["X-Trace"][0] != `a "quoted" value` || e.Data != `{"sku": "A-1", "qty": 2}` {
		t.Fatalf("httpbin received %+v", e)
	}
	if tab.resp.x == nil || tab.resp.x.Status != 200 || tab.status.Text != "" {
		t.Fatalf("the response view shows %+v; the note above it %q", tab.resp.x, tab.status.Text)
	}
	h.settle("the history", func() bool { return len(h.app.work.items) == 1 })
	got := h.app.work.items[0]
	if got.Method != "POST" || got.Status != 200 || got.Connection != "" || !strings.Contains(got.URL, "/anything/v1/orders") {
		t.Fatalf("history entry %+v", got)
	}
	if err := h.rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if runs, _, err := h.db.ListRuns(context.Background(), storage.RunQuery{}); err != nil || len(runs) != 0 {
		t.Fatalf("the send is listed as runs: %+v, %v", runs, err)
	}
}

// Issue 14: the history survives a restart, and an entry reopens as it
// was written.
func TestWorkspaceHistorySurvivesRestart(t *testing.T) {
	h := newWSHarness(t)
	h.shortcut(viewShortcut(6))
	tab := h.app.work.current()
	tab.conn.SetSelected("bin")
	tab.uri.SetText("/v1/orders/42")
	h.sendTab(tab)
	h.settle("the history", func() bool { return len(h.app.work.items) == 1 })

	h.db = openStore(t, h.dbPath) // a new launch on the same file
	h.open()
	h.shortcut(viewShortcut(6))
	w := h.app.work
	if len(w.items) != 1 || w.items[0].Connection != "bin" || w.items[0].Status != 200 {
		t.Fatalf("after a restart the history holds %+v; want the one send", w.items)
	}
	w.search.SetText("orders 2xx")
	if len(w.items) != 1 {
		t.Fatalf("searching \"orders 2xx\" lists %d", len(w.items))
	}
	w.search.SetText("404")
	if len(w.items) != 0 {
		t.Fatalf("searching \"404\" lists %d", len(w.items))
	}
	w.search.SetText("")
	w.list.Select(0)
	re := w.current()
	if d := re.draft(); d.Connection != "bin" || d.URI != "/v1/orders/42" || d.Method != "GET" {
		t.Fatalf("the history entry reopened as %+v", d)
	}
	if re.last == nil || re.resp.x == nil || re.resp.x.Status != 200 {
		t.Fatalf("the reopened entry shows %+v", re.resp.x)
	}
}

// Issue 14: a call node's Test opens the workspace on its request and
// sends it, also when other nodes of the flow are broken.
func TestWorkspaceTestsACallNodeOfABrokenFlow(t *testing.T) {
	h := newWSHarness(t)
	h.app.load(&flow.Flow{Name: "Half drawn", Nodes: []flow.Node{
		{ID: "lookup", Kind: flow.KindCall, Call: &flow.Call{Connection: "bin", Method: "PUT", URI: `"/v1/tier/" + vars.tier`,
			Headers: []flow.Pair{{Key: `"X-Chat"`, Value: `trigger.chatId`}}, Body: `{"vip": true}`}},
		{ID: "broken", Kind: flow.KindCall, Position: flow.Position{X: 300}, Call: &flow.Call{URI: `"/x`}},
	}, Variables: map[string]string{"tier": `"gold"`}})
	h.app.lastInput = json.RawMessage(`{"chatId": "c-42"}`)
	h.app.TestInWorkspace("lookup")
	if !h.app.work.visible {
		t.Fatal("Test did not show the workspace")
	}
	tab := h.app.work.current()
	if tab.node != "lookup" || tab.uri.Text != `{{ "/v1/tier/" + vars.tier }}` || tab.method.Selected != "PUT" {
		t.Fatalf("the tab holds node %q, %s %q", tab.node, tab.method.Selected, tab.uri.Text)
	}
	h.settle("the response", func() bool { return tab.last != nil || strings.HasPrefix(tab.status.Text, "Not sent") })
	e := echoOf(t, tab.last)
	if e.Method != "PUT" || !strings.HasSuffix(e.URL, "/anything/v1/tier/gold") || e.Headers["X-Chat"][0] != "c-42" || e.Data != `{"vip": true}` {
		t.Fatalf("httpbin received %+v", e)
	}
	if tab.resp.x == nil || tab.resp.x.Status != 200 || tab.resp.PathRoot != "steps.lookup.body" {
		t.Fatalf("the response view shows %+v with paths from %q", tab.resp.x, tab.resp.PathRoot)
	}
	if _, ok := h.app.testCtx["lookup"]; !ok {
		t.Fatal("the send did not feed steps.lookup to the completions")
	}
}

// Tabs: Ctrl+T opens one, its title is the method and the last path
// segment, marked while unsaved; closing drops it.
func TestWorkspaceTabs(t *testing.T) {
	h := newWSHarness(t)
	w := h.app.work
	before := len(w.open)
	h.shortcut(newTabShortcut)
	if len(w.open) != before+1 || !w.visible {
		t.Fatalf("Ctrl+T: %d tabs (was %d), workspace shown %v", len(w.open), before, w.visible)
	}
	tab := w.current()
	if tab.item.Text != "GET new request" {
		t.Fatalf("a new tab's title %q", tab.item.Text)
	}
	tab.method.SetSelected("DELETE")
	tab.uri.SetText("https://api.example.test/v1/orders/ord_1?force=true")
	if tab.item.Text != "● DELETE ord_1" {
		t.Fatalf("title %q; want the unsaved mark, the method and the last segment", tab.item.Text)
	}
	w.closeTab(tab)
	if len(w.open) != before || w.current() == tab {
		t.Fatalf("after closing: %d tabs", len(w.open))
	}
	h.shortcut(viewShortcut(0))
	if w.visible || !h.app.inspSplit.Visible() || w.main.Visible() {
		t.Fatal("Ctrl+1 did not bring the canvas back")
	}
}

// "Save to flow" adds the request as a call node in free space, one undo
// step; "Save as request" keeps it on its connection.
func TestWorkspaceSaves(t *testing.T) {
	h := newWSHarness(t)
	h.app.load(callFlow(`"/json"`))
	h.shortcut(newTabShortcut)
	tab := h.app.work.current()
	tab.conn.SetSelected("bin")
	tab.method.SetSelected("POST")
	tab.uri.SetText("/v1/orders")
	tab.headers.rows[0].key.SetText("Idempotency-Key")
	tab.headers.rows[0].value.SetText("k-{{ uuid() }}")
	tab.body.SetText(`{"sku": "A-1"}`)
	nodes := len(h.app.ed.Flow().Nodes)
	tab.saveToFlow()
	f := h.app.ed.Flow()
	if len(f.Nodes) != nodes+1 {
		t.Fatalf("Save to flow: %d nodes, want %d", len(f.Nodes), nodes+1)
	}
	n := f.Nodes[len(f.Nodes)-1]
	want := flow.Call{Connection: "bin", Method: "POST", URI: `"/v1/orders"`, Body: mustExpr(t, `{"sku": "A-1"}`),
		Headers: []flow.Pair{{Key: `"Idempotency-Key"`, Value: mustExpr(t, "k-{{ uuid() }}")}}}
	if n.Kind != flow.KindCall || n.ID != "call2" || n.Call.Connection != want.Connection || n.Call.Method != want.Method ||
		n.Call.URI != want.URI || n.Call.Body != want.Body || len(n.Call.Headers) != 1 || n.Call.Headers[0] != want.Headers[0] {
		t.Fatalf("the new node %+v call %+v; want %+v", n, n.Call, want)
	}
	for _, o := range f.Nodes[:len(f.Nodes)-1] {
		if o.Position == n.Position {
			t.Fatalf("the new node sits on %s", o.ID)
		}
	}
	if tab.dirty() || strings.HasPrefix(tab.item.Text, "●") {
		t.Fatalf("after saving the tab is still marked: %q", tab.item.Text)
	}
	h.app.Undo()
	if len(h.app.ed.Flow().Nodes) != nodes {
		t.Fatal("one Undo did not remove the added node")
	}

	if err := tab.saveAsRequest("createOrder"); err != nil {
		t.Fatal(err)
	}
	c, err := h.db.Connection(context.Background(), "bin")
	if err != nil {
		t.Fatal(err)
	}
	r := c.Request("createOrder")
	if r == nil || r.Method != "POST" || r.URI != `"/v1/orders"` || r.Body != mustExpr(t, `{"sku": "A-1"}`) || len(r.Headers) != 1 {
		t.Fatalf("the saved request %+v", r)
	}
	w := h.app.work
	if len(w.named) != 1 || w.named[0] != [2]string{"bin", "createOrder"} {
		t.Fatalf("the Saved list %v", w.named)
	}
	w.saved.Select(0)
	if d := w.current().draft(); d.URI != "/v1/orders" || d.Method != "POST" || d.Body != `{"sku": "A-1"}` || d.Headers[0].Value != "k-{{ uuid() }}" {
		t.Fatalf("the saved request reopened as %+v", d)
	}
}

// Ctrl+Enter is on the menu, so it sends from a field that has the focus
// (the driver gives a focused entry every shortcut the menu lacks).
func TestWorkspaceCtrlEnterIsOnTheMenu(t *testing.T) {
	h := newWSHarness(t)
	h.shortcut(viewShortcut(6))
	tab := h.app.work.current()
	tab.conn.SetSelected("bin")
	tab.uri.SetText("/ping")
	var send *fyne.MenuItem
	for _, m := range h.app.mainMenu().Items {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == sendShortcut.ShortcutName() {
				send = it
			}
		}
	}
	if send == nil {
		t.Fatal("no menu item carries Ctrl+Enter")
	}
	h.w.Canvas().Focus(tab.body)
	send.Action()
	h.settle("the response", func() bool { return tab.last != nil || strings.HasPrefix(tab.status.Text, "Not sent") })
	if e := echoOf(t, tab.last); !strings.HasSuffix(e.URL, "/anything/ping") {
		t.Fatalf("httpbin received %+v", e)
	}
}

// The call form's Test opens the node's request in the workspace and sends
// it there.
func TestCallFormTestOpensTheWorkspace(t *testing.T) {
	h := newWSHarness(t)
	h.app.load(callFlow(`"/json"`))
	h.app.selectProblemNode("call")
	var test *widget.Button
	walk(h.app.inspector.box, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Test in Send" {
			test = b
		}
	})
	if test == nil {
		t.Fatal("no Test in Send button in the call form")
	}
	test.OnTapped()
	tab := h.app.work.current()
	if !h.app.work.visible || tab.node != "call" || tab.uri.Text != "/json" {
		t.Fatalf("Test: workspace shown %v, tab of node %q with URI %q", h.app.work.visible, tab.node, tab.uri.Text)
	}
	h.settle("the response", func() bool { return tab.last != nil || strings.HasPrefix(tab.status.Text, "Not sent") })
	if e := echoOf(t, tab.last); !strings.HasSuffix(e.URL, "/anything/json") {
		t.Fatalf("httpbin received %+v", e)
	}
}

func mustExpr(t *testing.T, text string) string {
	t.Helper()
	e, err := textExpr(text)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A field's text is sent as typed; a wrong hole is named with its field
// and place, and nothing is sent.
func TestWorkspaceNamesAWrongHole(t *testing.T) {
	h := newWSHarness(t)
	h.shortcut(viewShortcut(6))
	tab := h.app.work.current()
	tab.conn.SetSelected("bin")
	tab.uri.SetText("/v1/{{ vars. }}")
	h.shortcut(sendShortcut)
	h.queue.drain()
	if !strings.HasPrefix(tab.status.Text, "Not sent: URI: hole 1 (column 5): ") || tab.cancel != nil {
		t.Fatalf("status %q", tab.status.Text)
	}
	tab.uri.SetText(`/v1/notes/{{ "a b" }}?q="x"`)
	tab.headers.rows[0].key.SetText("X-Note")
	tab.headers.rows[0].value.SetText(`it's "quoted" {{ 1 + 1 }}`)
	r := h.sendTab(tab)
	if e := echoOf(t, r); !strings.HasSuffix(e.URL, `/anything/v1/notes/a%20b?q=%22x%22`) || e.Headers["X-Note"][0] != `it's "quoted" 2` {
		t.Fatalf("httpbin received %+v", e)
	}
}

// paste pastes text into e as Ctrl+V does.
func paste(h *wsHarness, e fyne.Shortcutable, text string) {
	cb := h.fa.Clipboard()
	cb.SetContent(text)
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: cb})
}

// Issue 14: a curl command pasted into the URI field becomes the request,
// on the connection its URL lies under; its credentials become that
// connection's sealed secrets, never a field; what cannot be mapped is
// listed.
func TestWorkspaceImportsAPastedCurlCommand(t *testing.T) {
	h := newWSHarness(t)
	h.shortcut(viewShortcut(6))
	tab := h.app.work.current()
	cmd := `curl -X POST '` + h.bin.URL + `/anything/v1/orders?expand=items' \
  -H 'Content-Type: application/json' -u alice:s3cret \
  --data-raw $'{"sku":"A-1","note":"it\'s"}' -o out.json`
	paste(h, tab.uri, cmd)
	d := tab.draft()
	if d.Connection != "bin" || d.Method != "POST" || d.URI != "/v1/orders" || d.Body != `{"sku":"A-1","note":"it's"}` ||
		len(d.Query) != 1 || d.Query[0] != (flow.Pair{Key: "expand", Value: "items"}) ||
		len(d.Headers) != 1 || d.Headers[0] != (flow.Pair{Key: "Content-Type", Value: "application/json"}) {
		t.Fatalf("the pasted command became %+v", d)
	}
	if !strings.Contains(tab.status.Text, "-o") {
		t.Fatalf("the status line does not list -o as not imported: %q", tab.status.Text)
	}
	c, err := h.db.Connection(context.Background(), "bin")
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth.Type != flow.AuthBasic || c.Auth.Username != "alice" || c.Auth.Password == nil || c.Auth.Password.Secret == "" || c.Auth.Password.Literal != "" {
		t.Fatalf("the connection's auth after the import: %+v", c.Auth)
	}
	r := h.sendTab(tab)
	e := echoOf(t, r)
	if e.Headers["Authorization"][0] != "Basic [redacted]" || // the echo of the sealed password, redacted
		e.Data != `{"sku":"A-1","note":"it's"}` || e.Args["expand"][0] != "items" {
		t.Fatalf("httpbin received %+v", e)
	}
	doc, _ := json.Marshal(r)
	if strings.Contains(string(doc), "s3cret") || strings.Contains(string(doc), "YWxpY2U6czNjcmV0") {
		t.Fatalf("the history record holds the password: %s", doc)
	}
}

// With no connection for its URL, a command with credentials offers one
// that holds them; File > Import cURL… imports into a new tab.
func TestWorkspaceImportOffersAConnection(t *testing.T) {
	h := newWSHarness(t)
	other := httptest.NewServer(httpbin.New())
	defer other.Close()
	h.app.importCurlDialog()
	box := h.overlayEntry()
	box.SetText(`curl ` + other.URL + `/bearer -H 'Authorization: Bearer tok-123'`)
	h.overlayButton("Import").OnTapped()
	if !strings.Contains(h.overlayText(), "Create the connection") {
		t.Fatalf("no connection offered; the dialog says:\n%s", h.overlayText())
	}
	h.overlayButton("Yes").OnTapped()
	tab := h.app.work.current()
	d := tab.draft()
	if d.Connection != "127.0.0.1" || d.URI != "/bearer" || len(d.Headers) != 0 {
		t.Fatalf("after creating the connection the tab holds %+v", d)
	}
	c, err := h.db.Connection(context.Background(), "127.0.0.1")
	if err != nil || c.Auth.Type != flow.AuthBearer || c.Auth.Token == nil || c.Auth.Token.Secret == "" {
		t.Fatalf("the new connection %+v, %v", c, err)
	}
	if r := h.sendTab(tab); r.Status != 200 {
		t.Fatalf("GET /bearer with the sealed token: %d %s; status line %q; %+v", r.Status, r.Error, tab.status.Text, r.Attempts)
	}
}

// overlayEntry is the first entry of the topmost dialog.
func (h *harness) overlayEntry() *dialogEntry {
	h.t.Helper()
	var found *dialogEntry
	walk(h.w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if e, ok := o.(*dialogEntry); ok && found == nil {
			found = e
		}
	})
	if found == nil {
		h.t.Fatal("no entry in the dialog")
	}
	return found
}

// A send goes where the picked environment sends the connection, as the
// window's runs do.
func TestWorkspaceSendFollowsThePickedEnvironment(t *testing.T) {
	h := newWSHarness(t)
	if err := h.app.importEnvironments(strings.NewReader(strings.Replace(teamEnvironments, "http://BASE", h.bin.URL+"/anything/prod", 1)), "team.environments.json"); err != nil {
		t.Fatal(err)
	}
	h.app.envs.pick("prod")
	h.shortcut(viewShortcut(6))
	tab := h.app.work.current()
	tab.conn.SetSelected("bin")
	tab.uri.SetText("/orders")
	if e := echoOf(t, h.sendTab(tab)); !strings.HasSuffix(e.URL, "/anything/prod/orders") {
		t.Fatalf("with prod picked the send went to %s", e.URL)
	}
	h.app.envs.pick("staging")
	if e := echoOf(t, h.sendTab(tab)); !strings.HasSuffix(e.URL, "/anything/orders") {
		t.Fatalf("with staging picked the send went to %s", e.URL)
	}
}

func TestHistoryURLShowsThePathFirst(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.example.test:8443/v1/orders?page=2": "/v1/orders?page=2 — api.example.test:8443",
		"http://127.0.0.1:9":                             "/ — 127.0.0.1:9",
		"not a url":                                      "not a url",
	} {
		if got := historyURL(in); got != want {
			t.Errorf("historyURL(%q) = %q; want %q", in, got, want)
		}
	}
}

// Closing a tab whose edits are neither saved nor sent asks first; a sent
// one closes at once (the history keeps it).
func TestWorkspaceAsksBeforeClosingEdits(t *testing.T) {
	h := newWSHarness(t)
	h.shortcut(newTabShortcut)
	w := h.app.work
	tab := w.current()
	tab.conn.SetSelected("bin")
	tab.uri.SetText("/draft")
	n := len(w.open)
	w.askClose(tab.item)
	if len(w.open) != n || !strings.Contains(h.overlayText(), "neither saved nor sent") {
		t.Fatalf("closing unsent edits: %d tabs (was %d), dialog %q", len(w.open), n, h.overlayText())
	}
	h.overlayButton("Keep").OnTapped()
	if len(w.open) != n {
		t.Fatal("Keep closed the tab")
	}
	h.sendTab(tab)
	w.askClose(tab.item)
	if len(w.open) != n-1 || h.w.Canvas().Overlays().Top() != nil {
		t.Fatalf("closing a sent tab: %d tabs (was %d), dialog %q", len(w.open), n, h.overlayText())
	}
}

// The workspace never makes the window taller: at 1024x640 the window has
// 592 points of height, and a response shown must not ask for more.
func TestWorkspaceFitsA1024x640Window(t *testing.T) {
	h := newWSHarness(t)
	h.w.Resize(fyne.NewSize(1024, 592))
	h.shortcut(viewShortcut(6))
	tab := h.app.work.current()
	tab.conn.SetSelected("bin")
	tab.uri.SetText("/v1/orders")
	h.sendTab(tab)
	if m := h.w.Content().MinSize(); m.Height > 592 || m.Width > 1024 {
		t.Fatalf("with a response shown the window asks for %v; the 1024x640 screen gives 1024x592", m)
	}
	if got := h.app.work.list.Size().Height; got < listRoom {
		t.Fatalf("the history list gets %v px; want at least %v", got, float32(listRoom))
	}
}

// The request's Save button offers both saves.
func TestWorkspaceSaveButtonOffersBothSaves(t *testing.T) {
	h := newWSHarness(t)
	h.shortcut(viewShortcut(6))
	tab := h.app.work.current()
	tab.saveBtn.OnTapped()
	if h.w.Canvas().Overlays().Top() == nil {
		t.Fatal("Save showed no menu")
	}
	var labels []string
	for _, it := range tab.saveMenu.Items {
		labels = append(labels, it.Label)
	}
	if strings.Join(labels, ", ") != "Save to flow (a call node), Save as request…" {
		t.Fatalf("the Save menu offers %v", labels)
	}
}

// A saved request's params get an argument field each in its tab (Text
// mode: typed as sent); the send binds them as a call node's args are
// bound, the history keeps them, and Save as request keeps the params.
func TestWorkspaceSavedRequestTakesArguments(t *testing.T) {
	h := newWSHarness(t)
	ctx := context.Background()
	c, err := h.db.Connection(ctx, "bin")
	if err != nil {
		t.Fatal(err)
	}
	params := []string{"orderId", "tier"}
	uri, err := flow.TextToExpr("/orders/[[orderId]]", params)
	if err != nil {
		t.Fatal(err)
	}
	c.Requests = append(c.Requests, flow.NamedRequest{Name: "lookupOrder", Params: params, Method: "GET", URI: uri,
		Query: []flow.Pair{{Key: `"tier"`, Value: "params.tier"}}})
	if err := h.db.SaveConnection(ctx, *c); err != nil {
		t.Fatal(err)
	}
	h.app.refreshConnections()
	h.shortcut(viewShortcut(6))
	h.app.work.saved.Select(0)
	tab := h.app.work.current()
	if tab.uri.Text != "/orders/[[orderId]]" || len(tab.argFields) != 2 || tab.parts.Selected() != tab.argsTab {
		t.Fatalf("the saved request opened with URI %q, %d argument fields, tab %q shown", tab.uri.Text, len(tab.argFields), tab.parts.Selected().Text)
	}
	if tab.dirty() {
		t.Fatal("a saved request just opened is marked as edited")
	}
	tab.send()
	h.settle("the refusal", func() bool { return strings.HasPrefix(tab.status.Text, "Not sent") })
	if !strings.Contains(tab.status.Text, "argument orderId") || tab.last != nil {
		t.Fatalf("sent with no arguments; status %q", tab.status.Text)
	}
	tab.argFields["orderId"].entry.SetText("A-7")
	tab.argFields["tier"].setTextMode(false)
	tab.argFields["tier"].entry.SetText(`"go" + "ld"`)
	if !tab.dirty() {
		t.Fatal("typing an argument did not mark the tab")
	}
	r := h.sendTab(tab)
	e := echoOf(t, r)
	if !strings.HasSuffix(e.URL, "/anything/orders/A-7?tier=gold") {
		t.Fatalf("httpbin received %s", e.URL)
	}
	if r.Call == nil || r.Call.Args["orderId"] != `"A-7"` || r.Call.Args["tier"] != `"go" + "ld"` || r.Call.URI != uri {
		t.Fatalf("the history keeps the call %+v", r.Call)
	}
	// reopened from the history: the same fields and arguments
	h.settle("the history", func() bool { return len(h.app.work.items) == 1 })
	h.app.work.openSent(h.app.work.items[0])
	again := h.app.work.current()
	if again == tab || !again.draft().equal(tab.draft()) {
		t.Fatalf("the history reopened %+v; want %+v", again.draft(), tab.draft())
	}
	if err := again.saveAsRequest("lookupOrder2"); err != nil {
		t.Fatal(err)
	}
	c, err = h.db.Connection(ctx, "bin")
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Request("lookupOrder2"); s == nil || !slices.Equal(s.Params, []string{"orderId", "tier"}) || s.URI != uri || s.Query[0].Value != "params.tier" {
		t.Fatalf("Save as request kept %+v", s)
	}
}

// desktopShortcut delivers s as Fyne's desktop driver does
// (glfw window.triggersShortcut): the main menu's item with that shortcut
// first, else the focused widget when it takes shortcuts (an entry then
// keeps it), else the window canvas's shortcuts.
func (h *harness) desktopShortcut(s fyne.Shortcut) {
	for _, m := range h.w.MainMenu().Items {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == s.ShortcutName() && it.Action != nil {
				it.Action()
				return
			}
		}
	}
	if f, ok := h.w.Canvas().Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	h.shortcut(s)
}

// Ctrl+Enter sends from a field and with nothing focused, by the main
// Enter (KeyReturn) and by the keypad's (KeyEnter), delivered as the real
// window delivers them: the keypad's was kept by a focused entry.
func TestWorkspaceCtrlEnterSendsFromAnywhere(t *testing.T) {
	h := newWSHarness(t)
	h.shortcut(viewShortcut(6))
	tab := h.app.work.current()
	tab.conn.SetSelected("bin")
	tab.uri.SetText("/ping")
	for _, key := range []*desktop.CustomShortcut{sendShortcut, sendKeypadShortcut} {
		for _, focus := range []fyne.Focusable{nil, tab.body, tab.uri} {
			tab.last = nil
			h.w.Canvas().Unfocus()
			if focus != nil {
				h.w.Canvas().Focus(focus)
			}
			h.desktopShortcut(key)
			h.settle("the response", func() bool { return tab.last != nil || strings.HasPrefix(tab.status.Text, "Not sent") })
			if tab.last == nil {
				t.Fatalf("Ctrl+%s with %T focused did not send (status %q)", key.KeyName, focus, tab.status.Text)
			}
		}
	}
}
