package ui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/auth"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// The request workspace is the sidebar view "Send" (Ctrl+7): an API client
// on the flow engine. While it is shown, the main area holds tabs of
// requests, each an editor (connection, method, URI, query and header
// pairs, body, Send) over its response; the sidebar holds the request
// history and the connections' saved requests. A Send needs no flow: the
// request is compiled as a one-node flow (engine.CompileStep) and run on its
// own (TestStep) by Options.Sender, an engine with no recorder, so sends go
// to the request history and never to the runs.

// sendView is the workspace's name in the sidebar and the Go menu (the
// "Requests" view is the inspector of requests mocks received).
const sendView = "Send"

// noConnection is the connection select's first choice: the URI is a full URL.
const noConnection = "(none: full URL)"

// httpMethods are the methods the method select offers.
var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// RequestHistory keeps what the workspace sent; *storage.DB satisfies it.
// Without one (a Store that is not one) the history lives in memory.
type RequestHistory interface {
	RecordRequest(ctx context.Context, r storage.SentRequest) (int64, error)
	ListRequests(ctx context.Context, q storage.RequestQuery) ([]storage.SentRequest, error)
	GetRequest(ctx context.Context, id int64) (*storage.SentRequest, error)
}

// workspace is the request workspace: its tabs in the main area and its
// history in the sidebar.
type workspace struct {
	a     *App
	store RequestHistory // nil: the history is kept in memory only

	tabs *container.DocTabs
	open []*requestTab
	main fyne.CanvasObject // the main area while the view is shown
	side fyne.CanvasObject // the sidebar's part

	search  *widget.Entry
	list    *widget.List
	items   []storage.SentRequest
	memory  []storage.SentRequest // the history without a store, newest first
	saved   *widget.List
	named   [][2]string // connection, request name of every saved request
	visible bool

	// urlConns are the connections made for full URLs, by base URL: every
	// send gives the engine all of them, so one send never drops the
	// connection another is using.
	mu       sync.Mutex
	urlConns map[string]flow.Connection
}

func newWorkspace(a *App) *workspace {
	w := &workspace{a: a, urlConns: map[string]flow.Connection{}}
	if s, ok := a.opts.Store.(RequestHistory); ok {
		w.store = s
	}
	w.tabs = container.NewDocTabs()
	w.tabs.CreateTab = func() *container.TabItem { return w.newTab(nil).item }
	w.tabs.CloseIntercept = w.askClose
	w.main = w.tabs
	w.newTab(nil)

	w.search = widget.NewEntry()
	w.search.SetPlaceHolder("Search: URL, method, status, body…")
	w.search.OnChanged = func(string) { w.reload() }
	w.list = widget.NewList(func() int { return len(w.items) }, func() fyne.CanvasObject {
		// two lines, so a narrow sidebar still shows the URL
		m := widget.NewLabel("DELETE")
		m.TextStyle = fyne.TextStyle{Bold: true}
		u := widget.NewLabel("https://example.test/path")
		u.Truncation = fyne.TextTruncateEllipsis
		u.TextStyle = fyne.TextStyle{Monospace: true}
		return container.NewVBox(container.NewHBox(m, widget.NewLabel("200 · 00:00:00")), u)
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i >= len(w.items) {
			return
		}
		r := w.items[i]
		c := o.(*fyne.Container)
		top := c.Objects[0].(*fyne.Container)
		top.Objects[0].(*widget.Label).SetText(r.Method)
		status := "no response"
		if r.Status != 0 {
			status = fmt.Sprint(r.Status)
		}
		top.Objects[1].(*widget.Label).SetText(status + " · " + r.At.Local().Format("Jan 2 15:04:05"))
		c.Objects[1].(*widget.Label).SetText(historyURL(r.URL))
	})
	w.list.OnSelected = func(i widget.ListItemID) {
		if i < len(w.items) {
			w.openSent(w.items[i])
		}
		w.list.UnselectAll()
	}
	w.saved = widget.NewList(func() int { return len(w.named) }, func() fyne.CanvasObject {
		return widget.NewLabel("connection › request")
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i < len(w.named) {
			o.(*widget.Label).SetText(w.named[i][0] + " › " + w.named[i][1])
		}
	})
	w.saved.OnSelected = func(i widget.ListItemID) {
		if i < len(w.named) {
			w.openNamed(w.named[i][0], w.named[i][1])
		}
		w.saved.UnselectAll()
	}
	newTab := widget.NewButtonWithIcon("New request", theme.ContentAddIcon(), func() { w.newTab(nil) })
	history := container.NewBorder(w.search, nil, nil, nil, w.list)
	parts := container.NewAppTabs(container.NewTabItem("History", history), container.NewTabItem("Saved", w.saved))
	// the view scrolls, as every sidebar view does, rather than ask the
	// window for its height
	w.side = container.NewVScroll(container.NewBorder(newTab, nil, nil, nil, parts))
	w.reload()
	return w
}

// setShown swaps the main area between the canvas and the workspace.
func (w *workspace) setShown(on bool) {
	w.visible = on
	if on {
		w.a.inspSplit.Hide()
		w.main.Show()
		w.reload()
	} else {
		w.main.Hide()
		w.a.inspSplit.Show()
	}
}

// setConnections refreshes every tab's connection select and the saved
// requests.
func (w *workspace) setConnections(conns []flow.Connection) {
	w.named = w.named[:0]
	for _, c := range conns {
		for _, r := range c.Requests {
			w.named = append(w.named, [2]string{c.Name, r.Name})
		}
	}
	w.saved.Refresh()
	for _, t := range w.open {
		t.connectionsChanged()
	}
}

// reload lists the history the search selects.
func (w *workspace) reload() {
	q := storage.RequestQuery{Text: w.search.Text, Limit: 200}
	if w.store == nil {
		w.items = w.items[:0]
		for _, r := range w.memory {
			if matchesSent(r, q.Text) {
				w.items = append(w.items, r)
			}
		}
		w.list.Refresh()
		return
	}
	items, err := w.store.ListRequests(w.a.ctx, q)
	if err != nil {
		w.a.console.logError(err.Error())
		return
	}
	w.items = items
	w.list.Refresh()
}

// historyURL is a URL as the history lists it: the path and query first,
// so a narrow sidebar still shows them, then the host.
func historyURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p + " — " + u.Host
}

// matchesSent is the history search without a store: every word in the
// method, URL or status.
func matchesSent(r storage.SentRequest, text string) bool {
	hay := strings.ToLower(r.Method + " " + r.URL + " " + fmt.Sprint(r.Status) + " " + r.Connection)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// current is the tab shown, nil when none is open.
func (w *workspace) current() *requestTab {
	sel := w.tabs.Selected()
	for _, t := range w.open {
		if t.item == sel {
			return t
		}
	}
	return nil
}

// forget drops the tab of a closed item.
func (w *workspace) forget(it *container.TabItem) {
	for i, t := range w.open {
		if t.item == it {
			if t.cancel != nil {
				t.cancel()
			}
			w.open = slices.Delete(w.open, i, i+1)
			return
		}
	}
}

// askClose is a tab's close button: a tab with edits not saved (to the
// flow or as a request) or sent asks first.
func (w *workspace) askClose(it *container.TabItem) {
	var t *requestTab
	for _, o := range w.open {
		if o.item == it {
			t = o
		}
	}
	if t == nil || !t.dirty() || t.sentDraft != nil && t.draft().equal(*t.sentDraft) {
		w.tabs.Remove(it)
		w.forget(it)
		return
	}
	d := dialog.NewConfirm("Close "+strings.TrimPrefix(it.Text, "● ")+"?",
		"Its edits are neither saved nor sent, and closing loses them.", func(ok bool) {
			if ok {
				w.closeTab(t)
			}
		}, w.a.w)
	d.SetConfirmText("Close")
	d.SetDismissText("Keep")
	showDialog(d, w.a.w)
}

// closeTab closes t as its tab's close button does.
func (w *workspace) closeTab(t *requestTab) {
	w.tabs.Remove(t.item)
	w.forget(t.item)
}

// newTab opens a tab holding d (an empty GET when nil) and shows it.
func (w *workspace) newTab(d *reqDraft) *requestTab {
	if d == nil {
		d = &reqDraft{Method: "GET"}
	}
	t := newRequestTab(w, *d)
	w.open = append(w.open, t)
	w.tabs.Append(t.item)
	w.tabs.Select(t.item)
	return t
}

// openSent opens a history entry in a new tab, with its response.
func (w *workspace) openSent(r storage.SentRequest) {
	d := reqDraft{Connection: r.Connection, Method: r.Method, URI: r.URL}
	if r.Call != nil {
		d = reqDraftOf(r.Call)
	}
	t := w.newTab(&d)
	t.showSent(&r)
}

// openNamed opens the saved request name of connection conn in a new tab.
func (w *workspace) openNamed(conn, name string) {
	for _, c := range w.a.conns {
		if c.Name != conn {
			continue
		}
		if r := c.Request(name); r != nil {
			d := reqDraftIn(&flow.Call{Connection: conn, Method: r.Method, URI: r.URI, Query: r.Query, Headers: r.Headers, Body: r.Body}, r.Params)
			t := w.newTab(&d)
			t.savedAs = name
			t.markSaved()
			return
		}
	}
	w.a.console.logError(fmt.Sprintf("The connection %q has no saved request %q any more.", conn, name))
}

// OpenNode opens the call node id of the open flow in the workspace (its
// tab when one is open already) and shows the workspace. Sends from that
// tab run in the flow's context: its variables, the last trigger payload
// and what earlier tests put in steps.<id>.
func (a *App) OpenNode(id string) *requestTab {
	n := a.ed.Flow().Node(id)
	if n == nil || n.Kind != flow.KindCall || n.Call == nil {
		return nil
	}
	w := a.work
	a.sidebar.showNamed(sendView)
	for _, t := range w.open {
		if t.node == id {
			w.tabs.Select(t.item)
			return t
		}
	}
	call := n.Call
	if call.Request != "" {
		for _, c := range a.conns {
			if c.Name == call.Connection {
				call = flow.ResolveCall(call, c.Request(call.Request))
			}
		}
	}
	d := reqDraftOf(call)
	t := w.newTab(&d)
	t.node = id
	t.resp.PathRoot = "steps." + id + ".body" // what a later step reads
	t.markSaved()
	return t
}

// TestInWorkspace opens the call node id in the workspace and sends it: a
// call form's Test.
func (a *App) TestInWorkspace(id string) {
	if t := a.OpenNode(id); t != nil {
		t.send()
	}
}

// reqDraft is a request as the workspace's fields hold it: text, sent as
// typed. A saved request's tab has its Params, whose [[name]] the text
// reads, and an argument (CEL) for each.
type reqDraft struct {
	Connection string
	Method     string
	URI        string
	Query      []flow.Pair
	Headers    []flow.Pair
	Body       string
	Params     []string
	Args       map[string]string
}

// reqDraftOf shows a call's expressions as the workspace's text. A call
// with args (a saved request's send, kept in the history) reads them as
// its params.
func reqDraftOf(c *flow.Call) reqDraft {
	return reqDraftIn(c, slices.Sorted(maps.Keys(c.Args)))
}

// reqDraftIn is reqDraftOf with the params of a saved request.
func reqDraftIn(c *flow.Call, params []string) reqDraft {
	d := reqDraft{Connection: c.Connection, Method: c.Method, URI: exprTextIn(c.URI, params), Body: wsBodyText(c.Body, params)}
	if d.Method == "" {
		d.Method = "GET"
	}
	for _, p := range c.Query {
		d.Query = append(d.Query, flow.Pair{Key: exprTextIn(p.Key, params), Value: exprTextIn(p.Value, params)})
	}
	for _, p := range c.Headers {
		d.Headers = append(d.Headers, flow.Pair{Key: exprTextIn(p.Key, params), Value: exprTextIn(p.Value, params)})
	}
	if len(params) > 0 {
		d.Params = slices.Clone(params)
		d.Args = map[string]string{}
		for _, p := range params {
			d.Args[p] = c.Args[p]
		}
	}
	return d
}

// call is the call node the draft sends (its connection "" for a full URL).
// Empty pairs are left out. The error names the field whose text cannot be
// made into an expression, and the hole.
func (d reqDraft) call() (*flow.Call, error) {
	var errs []string
	expr := func(field, text string) string {
		e, err := textExprIn(text, d.Params)
		if err != nil {
			errs = append(errs, field+": "+err.Error())
		}
		return e
	}
	c := &flow.Call{Connection: d.Connection, Method: d.Method, URI: expr("URI", d.URI)}
	if strings.TrimSpace(d.Body) != "" {
		c.Body = expr("body", d.Body) // a JSON body is sent as typed
	}
	for i, p := range d.Query {
		if p.Key != "" || p.Value != "" {
			c.Query = append(c.Query, flow.Pair{Key: expr(fmt.Sprintf("query %d name", i+1), p.Key), Value: expr(fmt.Sprintf("query %d value", i+1), p.Value)})
		}
	}
	for i, p := range d.Headers {
		if p.Key != "" || p.Value != "" {
			c.Headers = append(c.Headers, flow.Pair{Key: expr(fmt.Sprintf("header %d name", i+1), p.Key), Value: expr(fmt.Sprintf("header %d value", i+1), p.Value)})
		}
	}
	for _, p := range d.Params {
		if strings.TrimSpace(d.Args[p]) == "" {
			errs = append(errs, fmt.Sprintf("argument %s: give it a value (the request reads it as params.%s)", p, p))
		}
	}
	if len(d.Params) > 0 {
		c.Args = maps.Clone(d.Args)
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return c, nil
}

// bound is the call as the engine sends it: the expressions that read
// params bound to the args (flow.ResolveCall, as a call node naming a
// request is).
func bound(c *flow.Call) *flow.Call {
	if len(c.Args) == 0 {
		return c
	}
	out := flow.ResolveCall(c, nil)
	out.Args = nil
	return out
}

// equal reports whether two drafts send the same request.
func (d reqDraft) equal(o reqDraft) bool {
	return d.Connection == o.Connection && d.Method == o.Method && d.URI == o.URI && d.Body == o.Body &&
		slices.Equal(d.Query, o.Query) && slices.Equal(d.Headers, o.Headers) &&
		slices.Equal(d.Params, o.Params) && maps.Equal(d.Args, o.Args)
}

// title is a tab's title: the method and the last segment of the path.
func (d reqDraft) title() string {
	u := d.URI
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		u = p.Path
	}
	seg := path.Base("/" + strings.Trim(u, "/"))
	if seg == "/" || seg == "." {
		seg = "/"
	}
	if d.URI == "" {
		seg = "new request"
	}
	return d.Method + " " + seg
}

// splitFullURL splits the text of a full URL into its base (scheme, host
// and port), which must be literal, and the rest, the path and query.
func splitFullURL(text string) (base, rest string, err error) {
	t := strings.TrimSpace(text)
	scheme, after, ok := strings.Cut(t, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return "", "", fmt.Errorf("URI: %q is not a full http(s) URL; give one such as https://api.example.com/v1/orders, or choose a connection and give the path", text)
	}
	host, rest := after, "/"
	if i := strings.IndexAny(after, "/?#"); i >= 0 {
		host, rest = after[:i], after[i:]
		if !strings.HasPrefix(rest, "/") {
			rest = "/" + rest
		}
	}
	if host == "" || strings.Contains(host, "{{") {
		return "", "", fmt.Errorf("URI: the host of %q must be written out; choose a connection to take the host from it", text)
	}
	u, err := url.Parse(scheme + "://" + host)
	if err != nil || u.Host == "" {
		return "", "", fmt.Errorf("URI: %q has no valid host: %v", text, err)
	}
	return scheme + "://" + host, rest, nil
}

// sender is the runner sends go through: Options.Sender, else the window's
// runner when it is a LocalRunner.
func (w *workspace) sender() *LocalRunner {
	if w.a.opts.Sender != nil {
		return w.a.opts.Sender
	}
	if l, ok := w.a.opts.Runner.(*LocalRunner); ok {
		return l
	}
	return nil
}

// sendConnections are the connections a send may use: the stored ones
// with the picked environment's overrides, as the window's runs see them.
func (w *workspace) sendConnections(l *LocalRunner) ([]flow.Connection, error) {
	conns := slices.Clone(w.a.conns)
	if l.Overrides != nil {
		return l.Overrides(conns)
	}
	return w.a.environmentConnections(conns)
}

// sendCall sends call through conns: node, when not "", is the node of doc it stands for
// (compiled in its flow, with the flow's variables); else call is compiled
// as a one-node flow. A call with no connection goes to the full URL its
// URI text holds.
func (w *workspace) sendCall(ctx context.Context, l *LocalRunner, conns []flow.Connection, doc *flow.Flow, node string, call *flow.Call, uriText string, in engine.StepInput) (*engine.StepResult, error) {
	if call.Connection == "" {
		base, rest, err := splitFullURL(uriText)
		if err != nil {
			return nil, err
		}
		c := flow.Connection{Name: "url " + base, Kind: flow.ConnCustom, BaseURL: base, Auth: flow.Auth{Type: flow.AuthNone}}
		w.mu.Lock()
		w.urlConns[base] = c
		w.mu.Unlock()
		uri, err := textExpr(rest)
		if err != nil {
			return nil, fmt.Errorf("URI: %w", err)
		}
		call.Connection, call.URI = c.Name, uri
	}
	w.mu.Lock()
	for _, c := range w.urlConns {
		conns = append(conns, c)
	}
	l.Engine.SetConnections(conns)
	w.mu.Unlock()
	var n *flow.Node
	if node != "" && doc != nil {
		n = doc.Node(node)
	}
	if n == nil || n.Call == nil {
		res, err := l.Engine.Send(ctx, *call, in)
		if err != nil {
			return nil, describeSendProblems(err, engine.SendNodeID)
		}
		return res, nil
	}
	// The node's own retry, signing, timeouts and branches apply, and the
	// flow's variables: it is tested as a step of its flow.
	keep := *n.Call
	c := *call
	c.Retry, c.Signing, c.Timeout, c.Deadline, c.ReturnValue = keep.Retry, keep.Signing, keep.Timeout, keep.Deadline, keep.ReturnValue
	c.Branches, c.SaveTo, c.CompletionEvent = keep.Branches, keep.SaveTo, keep.CompletionEvent
	n.Call = &c
	plan, err := engine.CompileStep(doc, node, conns)
	if err != nil {
		return nil, describeSendProblems(err, node)
	}
	return l.Engine.TestStep(ctx, plan, node, in)
}

// describeSendProblems says a compile error of the sent node in the words
// of the workspace: the field, not the node.
func describeSendProblems(err error, id string) error {
	var ps flow.Problems
	if !errors.As(err, &ps) {
		return err
	}
	var lines []string
	for _, p := range ps {
		if p.Severity != flow.SeverityError || (p.Node != "" && p.Node != id) {
			continue
		}
		field := strings.TrimPrefix(p.Field, "call.")
		if field == "" {
			lines = append(lines, p.Message)
		} else {
			lines = append(lines, field+": "+p.Message)
		}
	}
	if len(lines) == 0 {
		return err
	}
	return errors.New(strings.Join(lines, "\n"))
}

// baseURLOf is what the URI is relative to on the named connection.
func baseURLOf(conns []flow.Connection, name string) string {
	for _, c := range conns {
		if c.Name == name {
			if b, err := auth.BaseURL(c); err == nil {
				return strings.TrimRight(b, "/")
			}
			return c.BaseURL
		}
	}
	return ""
}

// stepInput is the context a send runs in: the last trigger payload, the
// picked environment and what earlier tests put in steps.<id>.
func (a *App) stepInput() engine.StepInput {
	steps := map[string]any{}
	for k, v := range a.testCtx {
		steps[k] = v
	}
	return engine.StepInput{Trigger: a.lastInput, Env: a.envs.vars(a.envs.current()), Steps: steps}
}

// record keeps a send in the history (off the UI goroutine) and then
// refreshes the history list on it.
func (w *workspace) record(r storage.SentRequest) {
	if w.store == nil {
		w.memory = slices.Insert(w.memory, 0, r)
		if len(w.memory) > storage.SentRequestsKept {
			w.memory = w.memory[:storage.SentRequestsKept]
		}
		w.reload()
		return
	}
	go func() {
		_, err := w.store.RecordRequest(context.WithoutCancel(w.a.ctx), r)
		w.a.opts.Do(func() {
			if err != nil {
				w.a.console.logError(err.Error())
			}
			w.reload()
		})
	}()
}

// elapsed formats a duration in ms for the status line.
func elapsed(ms int64) string {
	if ms >= 10_000 {
		return fmt.Sprintf("%.1f s", float64(ms)/1000)
	}
	return fmt.Sprintf("%d ms", ms)
}

// sendShortcut is Ctrl+Enter: Send in the workspace, Test on the canvas.
var sendShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}

// sendKeypadShortcut is Ctrl+Enter on the keypad, which the desktop driver
// names KeyEnter: it does what sendShortcut does.
var sendKeypadShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyEnter, Modifier: fyne.KeyModifierShortcutDefault}

// newTabShortcut is Ctrl+T: a new request tab.
var newTabShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierShortcutDefault}

// sendOrTest is Ctrl+Enter: while the workspace is shown it sends the
// request of the tab shown; elsewhere it tests the selected call node.
func (a *App) sendOrTest() {
	if a.work.visible {
		if t := a.work.current(); t != nil {
			t.send()
		}
		return
	}
	if a.opts.Runner != nil {
		a.TestSelected()
	}
}

// newRequestTab is Ctrl+T: it shows the workspace with a new, empty tab.
func (a *App) newRequestTab() {
	a.sidebar.showNamed(sendView)
	a.work.newTab(nil)
}
