package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/ui/editor"
)

// requestTab is one open request of the workspace: its editor over its
// response, split half and half.
type requestTab struct {
	w    *workspace
	item *container.TabItem

	conn    *widget.Select
	method  *widget.Select
	prefix  *widget.Label
	uri     *uriEntry
	query   *wsPairs
	headers *wsPairs
	body    *widget.Entry
	sendBtn *widget.Button
	saveBtn *widget.Button
	// saveMenu is what Save offers.
	saveMenu *fyne.Menu
	status   *widget.Label
	resp     *responseView
	split    *container.Split
	parts    *container.AppTabs

	// params are the params of the saved request the tab holds (none for
	// others); argFields hold their arguments, in the Arguments tab.
	params    []string
	argFields map[string]*exprField
	argsBox   *fyne.Container
	argsTab   *container.TabItem

	// node is the call node of the open flow the tab came from ("" none).
	node string
	// savedAs names the saved request the tab was last saved as.
	savedAs string
	// baseline is the draft as last opened or saved, for the unsaved mark.
	baseline reqDraft
	loading  bool
	cancel   context.CancelFunc
	// last is the last send's record, shown below; sentDraft the fields it
	// was sent with (the history keeps it: closing loses nothing).
	last      *storage.SentRequest
	sentDraft *reqDraft
}

func newRequestTab(w *workspace, d reqDraft) *requestTab {
	t := &requestTab{w: w}
	t.conn = widget.NewSelect(nil, func(string) { t.changed() })
	t.method = widget.NewSelect(httpMethods, func(string) { t.changed() })
	t.prefix = widget.NewLabel("")
	t.prefix.TextStyle = fyne.TextStyle{Monospace: true}
	t.uri = newURIEntry()
	t.uri.onPaste = func(text string) bool {
		if !isCurlCommand(text) {
			return false
		}
		if err := t.w.importCurl(t, text); err != nil {
			t.note(err.Error())
		}
		return true
	}
	t.uri.OnChanged = func(string) { t.changed() }
	t.uri.OnSubmitted = func(string) { t.send() }
	t.query = newWSPairs("Query parameter", func() { t.changed() })
	t.headers = newWSPairs("Header", func() { t.changed() })
	t.body = widget.NewMultiLineEntry()
	t.body.TextStyle = fyne.TextStyle{Monospace: true}
	t.body.Wrapping = fyne.TextWrapOff
	t.body.SetMinRowsVisible(4)
	t.body.SetPlaceHolder(`{"text": "a JSON body is sent as typed"}`)
	t.body.OnChanged = func(string) { t.changed() }
	t.sendBtn = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), t.sendOrCancel)
	t.sendBtn.Importance = widget.HighImportance
	t.status = widget.NewLabel("Ctrl+Enter sends from any field.")
	t.status.Wrapping = fyne.TextWrapWord
	t.status.Truncation = fyne.TextTruncateOff
	t.resp = newResponseView(w.a.shell())
	t.resp.OnUseInExpression = func(path string) { w.a.useInExpression(t.resp, path) }

	// Save offers Save to flow and Save as request… from the request's
	// line, so the editor half keeps its height for the pairs and body.
	t.saveMenu = fyne.NewMenu("",
		fyne.NewMenuItem("Save to flow (a call node)", t.saveToFlow),
		fyne.NewMenuItem("Save as request…", t.saveAsRequestInteractive))
	var save *widget.Button
	save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() {
		c := fyne.CurrentApp().Driver().CanvasForObject(save)
		if c == nil {
			return
		}
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(save)
		widget.ShowPopUpMenuAtPosition(t.saveMenu, c, pos.AddXY(0, save.Size().Height))
	})
	t.saveBtn = save
	line := container.NewBorder(nil, nil,
		container.NewHBox(t.conn, t.method), container.NewHBox(t.sendBtn, save),
		container.NewBorder(nil, nil, t.prefix, nil, t.uri))
	t.argsBox = container.NewVBox()
	t.argsTab = container.NewTabItem("Arguments", t.argsBox)
	t.parts = container.NewAppTabs(
		container.NewTabItem("Query", t.query.object()),
		container.NewTabItem("Headers", t.headers.object()),
		container.NewTabItem("Body", t.body),
	)
	editorPart := container.NewBorder(line, nil, nil, nil, container.NewVScroll(t.parts))
	// Both halves scroll rather than ask for their full height: the split
	// must not make the window taller (at 1024x640 the response view
	// alone asked for more than half of it).
	respPart := container.NewVScroll(container.NewBorder(t.status, nil, nil, nil, t.resp.Object()))
	t.split = container.NewVSplit(editorPart, respPart)
	t.split.Offset = 0.4 // the response gets at least half
	t.item = container.NewTabItem("", t.split)
	t.load(d)
	t.markSaved()
	return t
}

// load fills the fields with d.
func (t *requestTab) load(d reqDraft) {
	t.loading = true
	t.fillConnections(d.Connection)
	t.method.SetSelected(d.Method)
	t.uri.SetText(d.URI)
	t.query.set(d.Query)
	t.headers.set(d.Headers)
	t.body.SetText(d.Body)
	t.setArgs(d.Params, d.Args)
	t.loading = false
	t.changed()
}

// setArgs shows one argument field per param of a saved request (Text or
// Expression mode, as the call form's; CEL in the flow's context), in the
// Arguments tab, first; without params the tab is not shown.
func (t *requestTab) setArgs(params []string, args map[string]string) {
	t.params = slices.Clone(params)
	t.argFields = map[string]*exprField{}
	t.argsBox.Objects = nil
	a := t.w.a
	for _, p := range params {
		f := newExprField(a.checker, args[p], false, false, false, a.inspector.names, func(string) { t.changed() }, withModes(true))
		f.entry.SetPlaceHolder("the value of params." + p)
		t.argFields[p] = f
		label := widget.NewLabelWithStyle(p, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.argsBox.Add(container.NewBorder(nil, nil, label, nil, f.box))
	}
	t.argsBox.Refresh()
	has := slices.Contains(t.parts.Items, t.argsTab)
	switch {
	case len(params) > 0 && !has:
		t.parts.Items = slices.Insert(t.parts.Items, 0, t.argsTab)
		t.parts.Refresh()
		t.parts.Select(t.argsTab)
	case len(params) == 0 && has:
		t.parts.Remove(t.argsTab)
	}
}

// fillConnections offers the stored connections, selecting name.
func (t *requestTab) fillConnections(name string) {
	opts := []string{noConnection}
	for _, c := range t.w.a.conns {
		opts = append(opts, c.Name)
	}
	if name != "" && !slices.Contains(opts, name) {
		opts = append(opts, name) // a connection since deleted: still shown
	}
	t.conn.Options = opts
	if name == "" {
		name = noConnection
	}
	t.conn.SetSelected(name)
}

// connectionsChanged keeps the select's choice while its options change.
func (t *requestTab) connectionsChanged() {
	was := t.loading
	t.loading = true
	t.fillConnections(t.draft().Connection)
	t.loading = was
	t.changed()
}

// draft reads the fields.
func (t *requestTab) draft() reqDraft {
	d := reqDraft{Method: t.method.Selected, URI: t.uri.Text, Query: t.query.pairs(), Headers: t.headers.pairs(), Body: t.body.Text}
	if c := t.conn.Selected; c != noConnection {
		d.Connection = c
	}
	if len(t.params) > 0 {
		d.Params = slices.Clone(t.params)
		d.Args = map[string]string{}
		for _, p := range t.params {
			if f := t.argFields[p]; f != nil && f.entry.Text != "" {
				d.Args[p] = f.Expr()
			} else {
				d.Args[p] = ""
			}
		}
	}
	if d.Method == "" {
		d.Method = "GET"
	}
	return d
}

// changed follows an edit: the base URL prefix, the title and its
// unsaved mark.
func (t *requestTab) changed() {
	if t.loading || t.item == nil {
		return
	}
	d := t.draft()
	if d.Connection == "" {
		t.prefix.SetText("")
		t.prefix.Hide()
		t.uri.SetPlaceHolder("https://api.example.com/v1/orders — or paste a curl command")
	} else {
		t.prefix.SetText(baseURLOf(t.w.a.conns, d.Connection))
		t.prefix.Show()
		t.uri.SetPlaceHolder("/v1/orders/{{ vars.orderId }}")
	}
	title := d.title()
	if !d.equal(t.baseline) {
		title = "● " + title
	}
	if t.item.Text != title {
		t.item.Text = title
		t.w.tabs.Refresh()
	}
}

// markSaved makes the fields as they are the tab's saved state.
func (t *requestTab) markSaved() {
	t.baseline = t.draft()
	t.changed()
}

// dirty reports whether the fields changed since they were opened or saved.
func (t *requestTab) dirty() bool { return !t.draft().equal(t.baseline) }

// sendOrCancel is the Send button: Cancel while a send is under way.
func (t *requestTab) sendOrCancel() {
	if t.cancel != nil {
		t.cancel()
		return
	}
	t.send()
}

// send sends the request as the fields hold it and shows the response.
func (t *requestTab) send() {
	if t.cancel != nil {
		return
	}
	w, a := t.w, t.w.a
	l := w.sender()
	if l == nil || l.Engine == nil {
		t.note("This window has no engine to send with.")
		return
	}
	d := t.draft()
	call, err := d.call()
	if err != nil {
		t.note("Not sent: " + err.Error())
		return
	}
	kept := *call // what the history reopens: the connection as chosen
	var doc *flow.Flow
	if t.node != "" && a.ed.Flow().Node(t.node) != nil {
		doc = editor.Clone(a.ed.Flow())
		doc.ID, doc.Version = a.flowOrDocID(), a.flowVersion // an unsaved flow sends under its GUID too
	}
	conns, err := w.sendConnections(l)
	if err != nil {
		t.note("Not sent: " + err.Error())
		return
	}
	in := a.stepInput()
	ctx, cancel := context.WithCancel(a.ctx)
	t.cancel = cancel
	t.sendBtn.SetText("Cancel")
	t.sendBtn.SetIcon(theme.CancelIcon())
	t.note("Sending…")
	started := time.Now()
	node := t.node
	go func() {
		res, err := w.sendCall(ctx, l, conns, doc, node, bound(call), d.URI, in)
		a.opts.Do(func() {
			cancel()
			t.cancel = nil
			t.sendBtn.SetText("Send")
			t.sendBtn.SetIcon(theme.MailSendIcon())
			if err != nil {
				t.note("Not sent: " + err.Error())
				t.resp.Clear()
				return
			}
			if node != "" && res.Context != nil {
				a.testCtx[node] = res.Context
			}
			r := storage.SentRequest{At: started, Source: "workspace", Connection: d.Connection,
				DurationMs: res.Step.DurationMs, Error: res.Step.Error, Attempts: res.Step.Exchanges, Call: &kept}
			if x := r.Response(); x != nil {
				r.Method, r.URL, r.Status = x.Method, x.URL, x.Status
			}
			t.showSent(&r)
			t.sentDraft = &d
			w.record(r)
		})
	}()
}

// note shows text above the response; nothing hides the line.
func (t *requestTab) note(text string) {
	t.status.SetText(text)
	if text == "" {
		t.status.Hide()
	} else {
		t.status.Show()
	}
}

// showSent shows a send's response (the response view has its status,
// time and size) and, above it, why no response came or the attempts.
func (t *requestTab) showSent(r *storage.SentRequest) {
	t.last = r
	x := r.Response()
	if x == nil {
		t.note("No request was sent: " + r.Error)
		t.resp.Clear()
		return
	}
	var notes []string
	if n := len(r.Attempts); n > 1 {
		notes = append(notes, fmt.Sprintf("%d attempts in %s (see Timeline).", n, elapsed(r.DurationMs)))
	}
	if r.Error != "" {
		notes = append(notes, r.Error)
	}
	t.note(strings.Join(notes, "\n"))
	t.resp.Show(x, r.Attempts)
}

// saveToFlow adds the request as a call node to the open flow, in free
// space, as one undoable edit.
func (t *requestTab) saveToFlow() {
	a := t.w.a
	d := t.draft()
	call, err := d.call()
	if err != nil {
		a.showError(fmt.Errorf("save to flow: %w", err))
		return
	}
	call = bound(call) // the node sends the arguments as given here
	if call.Connection == "" {
		base, rest, err := splitFullURL(d.URI)
		if err != nil {
			a.showError(err)
			return
		}
		var conn *flow.Connection
		for i := range a.conns {
			if b := baseURLOf(a.conns, a.conns[i].Name); b != "" && strings.HasPrefix(base+rest, b) {
				if u, ok := relativeTo(b, base+rest); ok {
					conn, rest = &a.conns[i], u
					break
				}
			}
		}
		if conn == nil {
			a.showError(fmt.Errorf("a call node goes through a connection, and none has the base URL %s: create one in Connections (Ctrl+2), choose it here, then Save to flow", base))
			return
		}
		uri, err := textExpr(rest)
		if err != nil {
			a.showError(fmt.Errorf("save to flow: URI: %w", err))
			return
		}
		call.Connection, call.URI = conn.Name, uri
	}
	id := a.ed.NewNodeID(flow.KindCall)
	n := editor.NewNode(id, flow.KindCall, a.cv.FreeSpot(flow.KindCall))
	n.Call, n.Title = call, d.title()
	if err := a.ed.Edit("Add call "+id+" from the request workspace", func(f *flow.Flow) error {
		f.Nodes = append(f.Nodes, n)
		return nil
	}); err != nil {
		a.showError(err)
		return
	}
	t.node = id
	t.markSaved()
	a.console.log(fmt.Sprintf("Added call node %s (%s) to the flow.", id, d.title()))
}

// relativeTo returns the part of full below base, cut at a whole path
// segment.
func relativeTo(base, full string) (string, bool) {
	rest, ok := strings.CutPrefix(full, base)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/") && !strings.HasPrefix(rest, "?")) {
		return "", false
	}
	if rest == "" || strings.HasPrefix(rest, "?") {
		rest = "/" + rest
	}
	return rest, true
}

// saveAsRequestInteractive asks for a name and keeps the request on its
// connection.
func (t *requestTab) saveAsRequestInteractive() {
	a := t.w.a
	d := t.draft()
	if d.Connection == "" {
		a.showError(fmt.Errorf("a saved request lives on its connection: choose one (or create one in Connections, Ctrl+2) before Save as request"))
		return
	}
	name := newDialogLine()
	name.SetText(t.savedAs)
	name.SetPlaceHolder("lookupOrder")
	showForm("Save as request on "+d.Connection, "Save", []*widget.FormItem{widget.NewFormItem("Name", name)}, func(ok bool) {
		if ok {
			if err := t.saveAsRequest(strings.TrimSpace(name.Text)); err != nil {
				a.showError(err)
			}
		}
	}, a.w)
}

// saveAsRequest keeps the request as the named request name of its
// connection, replacing one of that name.
func (t *requestTab) saveAsRequest(name string) error {
	a := t.w.a
	d := t.draft()
	if name == "" {
		return fmt.Errorf("save as request: give the request a name")
	}
	c, err := a.opts.Store.Connection(a.ctx, d.Connection)
	if err != nil {
		return fmt.Errorf("save as request %q: %w", name, err)
	}
	call, err := d.call()
	if err != nil {
		return fmt.Errorf("save as request %q: %w", name, err)
	}
	// the request keeps its params: its fields read them, and the
	// arguments given here are the tab's, not the request's
	r := flow.NamedRequest{Name: name, Params: slices.Clone(d.Params), Method: call.Method, URI: call.URI, Query: call.Query, Headers: call.Headers, Body: call.Body}
	if old := c.Request(name); old != nil {
		r.Description, r.Branches, r.ReturnValue = old.Description, old.Branches, old.ReturnValue
		if len(r.Params) == 0 {
			r.Params = old.Params
		}
		*old = r
	} else {
		c.Requests = append(c.Requests, r)
	}
	if err := a.opts.Store.SaveConnection(a.ctx, *c); err != nil {
		return fmt.Errorf("save as request %q on connection %q: %w", name, d.Connection, err)
	}
	t.savedAs = name
	t.markSaved()
	a.refreshConnections()
	a.console.log(fmt.Sprintf("Saved the request %q on connection %q.", name, d.Connection))
	return nil
}

// wsPairs edits key/value pairs of text: a row per pair, and Add.
type wsPairs struct {
	what     string
	box      *fyne.Container
	rows     []*wsPairRow
	onChange func()
}

type wsPairRow struct {
	key, value *widget.Entry
	obj        fyne.CanvasObject
}

func newWSPairs(what string, onChange func()) *wsPairs {
	p := &wsPairs{what: what, box: container.NewVBox(), onChange: onChange}
	p.set(nil)
	return p
}

func (p *wsPairs) object() fyne.CanvasObject { return p.box }

// set shows pairs, and one empty row to type into.
func (p *wsPairs) set(pairs []flow.Pair) {
	p.rows = nil
	for _, pr := range pairs {
		p.addRow(pr)
	}
	p.addRow(flow.Pair{})
	p.layout()
}

func (p *wsPairs) addRow(pr flow.Pair) *wsPairRow {
	r := &wsPairRow{key: widget.NewEntry(), value: widget.NewEntry()}
	r.key.SetPlaceHolder(p.what + " name")
	r.value.SetPlaceHolder("value")
	r.key.SetText(pr.Key)
	r.value.SetText(pr.Value)
	changed := func(string) {
		// typing into the last row adds an empty one below it
		if p.rows[len(p.rows)-1] == r && (r.key.Text != "" || r.value.Text != "") {
			p.addRow(flow.Pair{})
			p.layout()
		}
		p.onChange()
	}
	r.key.OnChanged, r.value.OnChanged = changed, changed
	del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		if i := slices.Index(p.rows, r); i >= 0 && i < len(p.rows)-1 {
			p.rows = slices.Delete(p.rows, i, i+1)
			p.layout()
			p.onChange()
		}
	})
	del.Importance = widget.LowImportance
	r.obj = container.NewBorder(nil, nil, nil, del, container.NewGridWithColumns(2, r.key, r.value))
	p.rows = append(p.rows, r)
	return r
}

func (p *wsPairs) layout() {
	objs := make([]fyne.CanvasObject, len(p.rows))
	for i, r := range p.rows {
		objs[i] = r.obj
	}
	p.box.Objects = objs
	p.box.Refresh()
}

// pairs are the rows with a key or a value.
func (p *wsPairs) pairs() []flow.Pair {
	var out []flow.Pair
	for _, r := range p.rows {
		if r.key.Text != "" || r.value.Text != "" {
			out = append(out, flow.Pair{Key: r.key.Text, Value: r.value.Text})
		}
	}
	return out
}
