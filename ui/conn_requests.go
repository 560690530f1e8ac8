package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

// The connection form's named requests (issue 16): the requests defined
// once on a connection (cloud functions) that call nodes use by name. Each
// is listed with Test, Edit and Delete; Add request and Add chatbot request
// open the request form. A stored connection keeps a request as soon as its
// form is applied (as an API client keeps a saved request); a new
// connection keeps its requests with the connection's Save.

// requestsSection is the form's list of named requests and its buttons.
func (f *connForm) requestsSection() fyne.CanvasObject {
	f.reqBox = container.NewVBox()
	f.listRequests()
	add := widget.NewButtonWithIcon("Add request", theme.ContentAddIcon(), func() { f.editRequest(-1, flow.NamedRequest{Method: "GET", URI: `"/"`}) })
	chat := widget.NewButtonWithIcon("Add chatbot request", theme.MailReplyIcon(), f.addChatbotRequest)
	for _, b := range []*widget.Button{add, chat} {
		b.Importance = widget.LowImportance
	}
	hint := widget.NewLabel("Requests defined once here are picked by name in call nodes (connection → request), with their arguments.")
	hint.Wrapping = fyne.TextWrapWord
	return container.NewVBox(widget.NewSeparator(),
		widget.NewLabelWithStyle("Named requests", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint, f.reqBox, container.NewHBox(add, chat))
}

// listRequests fills the list: name, method and URI, the description, and
// Test, Edit and Delete beside each.
func (f *connForm) listRequests() {
	f.reqBox.Objects = nil
	if len(f.requests) == 0 {
		l := widget.NewLabelWithStyle("None yet.", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		f.reqBox.Add(l)
	}
	for i, r := range f.requests {
		title := widget.NewLabelWithStyle(requestTitle(r), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Truncation = fyne.TextTruncateEllipsis
		lines := []fyne.CanvasObject{title}
		if r.Description != "" {
			d := widget.NewLabel(r.Description)
			d.Wrapping = fyne.TextWrapWord
			lines = append(lines, d)
		}
		test := widget.NewButtonWithIcon("Test", theme.MediaPlayIcon(), func() { f.testRequest(i) })
		edit := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() { f.editRequest(i, f.requests[i]) })
		del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { f.deleteRequest(i) })
		for _, b := range []*widget.Button{edit, del} {
			b.Importance = widget.LowImportance
		}
		// the buttons keep their height beside a long description
		f.reqBox.Add(container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(test, edit, del)), container.NewVBox(lines...)))
	}
	f.reqBox.Refresh()
}

// requestTitle is "name · POST /v1/tier/[[chatId]]".
func requestTitle(r flow.NamedRequest) string {
	return fmt.Sprintf("%s · %s %s", r.Name, orDefault(r.Method, "GET"), shownExpr(r.URI, r.Params))
}

// shownExpr is an expression as a person reads it: the text of one the
// app wrote from Text mode (flow.ExprToText, [[name]] for params), else
// the CEL itself.
func shownExpr(expr string, params []string) string {
	if t, ok := flow.ExprToText(expr, params); ok {
		return t
	}
	return expr
}

// setRequests replaces the form's requests and, for a stored connection,
// stores them at once with the stored connection (its other fields as
// stored: the form's unsaved edits stay in the form).
func (f *connForm) setRequests(rs []flow.NamedRequest) error {
	if !f.isNew {
		a := f.a
		stored, err := a.opts.Store.Connection(a.ctx, f.orig.Name)
		if err != nil {
			return fmt.Errorf("read connection %q: %w", f.orig.Name, err)
		}
		stored.Requests = rs
		if ps := flow.CheckConnection(*stored); ps.HasErrors() {
			for _, p := range ps {
				if p.Severity == flow.SeverityError && strings.HasPrefix(p.Field, "requests") {
					return fmt.Errorf("connection %q, %s: %s", f.orig.Name, p.Field, p.Message)
				}
			}
		}
		if err := a.opts.Store.SaveConnection(a.ctx, *stored); err != nil {
			return fmt.Errorf("save the requests of connection %q: %w", f.orig.Name, err)
		}
		f.orig.Requests = slices.Clone(rs)
		a.refreshConnections()
		a.revalidate()
	}
	f.requests = slices.Clone(rs)
	f.listRequests()
	return nil
}

// deleteRequest removes request i after asking, naming the flows of the
// open document that call it.
func (f *connForm) deleteRequest(i int) {
	if i < 0 || i >= len(f.requests) {
		return
	}
	name := f.requests[i].Name
	msg := fmt.Sprintf("Delete request %q of connection %q?", name, f.orig.Name)
	if n := requestUsers(f.a.ed.Flow(), f.orig.Name, name); len(n) > 0 {
		msg += fmt.Sprintf(" The open flow's node(s) %s call it and will report a missing request.", strings.Join(n, ", "))
	}
	showConfirm("Delete request", msg, "Delete", func(ok bool) {
		if ok {
			f.removeRequest(name)
		}
	}, f.a.w)
}

// removeRequest deletes the request called name.
func (f *connForm) removeRequest(name string) {
	rs := slices.DeleteFunc(slices.Clone(f.requests), func(r flow.NamedRequest) bool { return r.Name == name })
	if err := f.setRequests(rs); err != nil {
		f.a.showError(err)
		return
	}
	f.a.console.log(fmt.Sprintf("Deleted request %q of connection %q.", name, f.orig.Name))
}

// requestUsers lists the ids of f's call nodes that use request req of
// connection conn.
func requestUsers(f *flow.Flow, conn, req string) []string {
	var out []string
	for _, n := range f.Nodes {
		if n.Call != nil && n.Call.Connection == conn && n.Call.Request == req {
			out = append(out, n.ID)
		}
	}
	return out
}

// requestForm edits one named request: name, description, params, method,
// URI, query, headers, body, branches and return value.
type requestForm struct {
	f     *connForm
	index int // the request edited, -1 for a new one

	name, description, params, branches *widget.Entry
	method                              *widget.Select
	uri, body, returnValue              *exprField
	query, headers                      *pairRows
	errLabel                            *widget.Label
	box                                 fyne.CanvasObject
	dlg                                 dialog.Dialog
}

// editRequest opens the request form on r (i: its index, -1 for a new
// request).
func (f *connForm) editRequest(i int, r flow.NamedRequest) {
	rf := f.newRequestForm(i, r)
	f.reqForm = rf
	title := "New request of " + orDefault(f.orig.Name, "the connection")
	if i >= 0 {
		title = fmt.Sprintf("Request %s of %s", r.Name, f.orig.Name)
	}
	scroll := container.NewVScroll(rf.box)
	d := dialog.NewCustomWithoutButtons(title, scroll, f.a.w)
	save := widget.NewButtonWithIcon("Save request", theme.DocumentSaveIcon(), func() {
		if rf.submit() == nil {
			d.Hide()
		}
	})
	save.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), save})
	rf.dlg = d
	size := f.a.w.Canvas().Size()
	d.Resize(fyne.NewSize(min(640, size.Width-40), min(560, size.Height-60)))
	showDialog(d, f.a.w)
}

func (f *connForm) newRequestForm(i int, r flow.NamedRequest) *requestForm {
	rf := &requestForm{f: f, index: i}
	line := func(text, ph string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(text)
		e.SetPlaceHolder(ph)
		return e
	}
	rf.name = line(r.Name, "lookupTier (call nodes choose it by this name)")
	rf.description = line(r.Description, "what it does, shown where it is picked")
	rf.params = line(strings.Join(r.Params, ", "), "chatId, tier (read as params.chatId)")
	rf.branches = line(strings.Join(r.Branches, ", "), "vip, standard (the ports of the nodes that call it)")
	rf.method = widget.NewSelect(methods, nil)
	rf.method.SetSelected(orDefault(r.Method, "GET"))
	names := func() []string {
		out := []string{"params"}
		for _, p := range splitList(rf.params.Text) {
			out = append(out, "params."+p)
		}
		return append(out, contextNames(f.a.ed.Flow())...)
	}
	params := func() []string { return splitList(rf.params.Text) }
	checker := newParamsChecker(f.a.checker, params)
	// what is sent starts in Text mode, where [[name]] is params.name
	text := []exprOption{withModes(true), withParams(params)}
	rf.uri = newExprField(checker, r.URI, false, true, false, names, nil, text...)
	rf.body = newExprField(checker, r.Body, true, true, false, names, nil, text...)
	rf.returnValue = newExprField(checker, r.ReturnValue, false, true, false, names, nil, withModes(false), withParams(params))
	rf.query = newPairRows(checker, names, r.Query, text)
	rf.headers = newPairRows(checker, names, r.Headers, text)
	rf.errLabel = errorLabel()
	rf.box = container.NewVBox(
		row("Name", rf.name), row("Description", rf.description),
		row("Parameters (comma separated; params.NAME in its expressions)", rf.params),
		row("Method", rf.method),
		row("URI (CEL, relative to the connection's base URL)", rf.uri.box),
		row("Query parameters (key and value, CEL)", rf.query.box),
		row("Headers (key and value, CEL)", rf.headers.box),
		row("Body (CEL; a JSON literal is valid)", rf.body.box),
		row("Branch options (comma separated)", rf.branches),
		row("Return value (CEL; empty: body.returnValue)", rf.returnValue.box),
		rf.errLabel)
	return rf
}

// request is the request the form describes.
func (rf *requestForm) request() flow.NamedRequest {
	return flow.NamedRequest{
		Name:        strings.TrimSpace(rf.name.Text),
		Description: strings.TrimSpace(rf.description.Text),
		Params:      splitList(rf.params.Text),
		Method:      rf.method.Selected,
		URI:         strings.TrimSpace(rf.uri.Expr()),
		Query:       rf.query.pairs(),
		Headers:     rf.headers.pairs(),
		Body:        strings.TrimSpace(rf.body.Expr()),
		Branches:    splitList(rf.branches.Text),
		ReturnValue: strings.TrimSpace(rf.returnValue.Expr()),
	}
}

// submit checks the request (flow's rules for a connection's requests, a
// name no other request has, expressions that compile) and keeps it; the
// error is shown in the form.
func (rf *requestForm) submit() error {
	err := rf.apply()
	if err != nil {
		setError(rf.errLabel, err.Error())
	} else {
		setError(rf.errLabel, "")
	}
	return err
}

func (rf *requestForm) apply() error {
	r := rf.request()
	f := rf.f
	rs := slices.Clone(f.requests)
	if rf.index >= 0 && rf.index < len(rs) {
		rs[rf.index] = r
	} else {
		rf.index = len(rs)
		rs = append(rs, r)
	}
	at := fmt.Sprintf("requests[%d]", rf.index)
	for _, p := range flow.CheckConnection(flow.Connection{Name: f.orig.Name, Kind: flow.ConnCustom, BaseURL: "https://x", Auth: flow.Auth{Type: flow.AuthNone}, Requests: rs}) {
		if p.Severity == flow.SeverityError && strings.HasPrefix(p.Field, at) {
			return fmt.Errorf("%s: %s", strings.TrimPrefix(p.Field, at+"."), p.Message)
		}
	}
	for _, x := range []struct {
		what string
		f    *exprField
	}{{"uri", rf.uri}, {"body", rf.body}, {"returnValue", rf.returnValue}} {
		if msg := x.f.Error(); msg != "" {
			return fmt.Errorf("%s: %s", x.what, msg)
		}
	}
	for _, x := range []struct {
		what string
		p    *pairRows
	}{{"query", rf.query}, {"headers", rf.headers}} {
		if msg := x.p.problem(x.what); msg != "" {
			return fmt.Errorf("%s", msg)
		}
	}
	if err := f.setRequests(rs); err != nil {
		return err
	}
	f.a.console.log(fmt.Sprintf("Kept request %q of connection %q.", r.Name, orDefault(f.orig.Name, strings.TrimSpace(f.name.Text))))
	return nil
}

// pairRows edits key/value expression pairs in the request form: a row
// each, with Remove, and Add.
type pairRows struct {
	checker *exprChecker
	names   func() []string
	opts    []exprOption // the cells' (Text mode, params)
	rows    []*pairRow
	list    *fyne.Container
	box     *fyne.Container
}

type pairRow struct {
	key, value *exprField
	obj        fyne.CanvasObject
}

func newPairRows(checker *exprChecker, names func() []string, ps []flow.Pair, opts []exprOption) *pairRows {
	p := &pairRows{checker: checker, names: names, opts: opts, list: container.NewVBox()}
	for _, x := range ps {
		p.add(x)
	}
	add := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), func() { p.add(flow.Pair{}) })
	add.Importance = widget.LowImportance
	p.box = container.NewVBox(p.list, container.NewHBox(add))
	return p
}

func (p *pairRows) add(x flow.Pair) {
	r := &pairRow{
		key:   newExprField(p.checker, x.Key, false, false, true, p.names, nil, p.opts...),
		value: newExprField(p.checker, x.Value, false, false, true, p.names, nil, p.opts...),
	}
	rm := widget.NewButtonWithIcon("", theme.DeleteIcon(), nil)
	rm.Importance = widget.LowImportance
	r.obj = container.NewBorder(nil, nil, nil, rm, container.NewGridWithColumns(2, r.key.box, r.value.box))
	rm.OnTapped = func() {
		p.rows = slices.DeleteFunc(p.rows, func(x *pairRow) bool { return x == r })
		p.list.Remove(r.obj)
	}
	p.rows = append(p.rows, r)
	p.list.Add(r.obj)
}

// pairs are the rows that are not empty.
func (p *pairRows) pairs() []flow.Pair {
	var out []flow.Pair
	for _, r := range p.rows {
		if strings.TrimSpace(r.key.entry.Text) != "" || strings.TrimSpace(r.value.entry.Text) != "" {
			out = append(out, flow.Pair{Key: strings.TrimSpace(r.key.Expr()), Value: strings.TrimSpace(r.value.Expr())})
		}
	}
	return out
}

// problem names the first row whose key or value is missing or does not
// compile.
func (p *pairRows) problem(what string) string {
	i := 0
	for _, r := range p.rows {
		k, v := strings.TrimSpace(r.key.entry.Text), strings.TrimSpace(r.value.entry.Text)
		if k == "" && v == "" {
			continue
		}
		switch {
		case k == "":
			return fmt.Sprintf("%s[%d].key: a name is required, such as X-Trace", what, i)
		case v == "":
			return fmt.Sprintf("%s[%d].value: a value is required, such as [[chatId]]", what, i)
		case r.key.Error() != "":
			return fmt.Sprintf("%s[%d].key: %s", what, i, r.key.Error())
		case r.value.Error() != "":
			return fmt.Sprintf("%s[%d].value: %s", what, i, r.value.Error())
		}
		i++
	}
	return ""
}

// addChatbotRequest opens the request form on the chatbot contract as a
// named request template: the step-execution payload with the step's name
// and id as params (stepName, stepId), branching on returnValue.
func (f *connForm) addChatbotRequest() {
	taken := func(s string) bool {
		return slices.ContainsFunc(f.requests, func(r flow.NamedRequest) bool { return r.Name == s })
	}
	f.editRequest(-1, chatbotRequest(uniqueName("chatbot", nameSep, taken), "", flow.ChatBotLiveChat, []string{"vip", "standard"}))
}

// testRequest asks for request i's arguments, then tests it.
func (f *connForm) testRequest(i int) {
	if i < 0 || i >= len(f.requests) {
		return
	}
	r := f.requests[i]
	if f.isNew {
		f.showTest(widget.DangerImportance, fmt.Sprintf("Save the connection first: request %q is tested through the saved connection.", r.Name))
		return
	}
	conn := f.orig
	if len(r.Params) == 0 {
		f.a.testNamedRequest(conn, r, nil)
		return
	}
	entries := make([]*dialogEntry, len(r.Params))
	var items []*widget.FormItem
	for j, p := range r.Params {
		e := newDialogLine()
		e.SetPlaceHolder("text, or JSON (42, true, {\"a\": 1})")
		entries[j] = e
		items = append(items, widget.NewFormItem(p, e))
	}
	f.argEntries = entries
	showForm(fmt.Sprintf("Test %s", r.Name), "Test", items, func(ok bool) {
		if !ok {
			return
		}
		args := map[string]string{}
		for j, p := range r.Params {
			args[p] = entries[j].Text
		}
		f.a.testNamedRequest(conn, r, args)
	}, f.a.w)
}

// argExpr is a test argument as CEL: typed JSON (a number, true, an
// object) as that value, anything else as the text typed.
func argExpr(s string) string {
	if json.Valid([]byte(s)) && strings.TrimSpace(s) != "" {
		return s
	}
	return strconv.Quote(s)
}

// testNamedRequest runs request req of connection conn on its own with
// args (param name → the value typed: JSON, else text), through the
// engine's single-step path (engine.CompileStep and Runner.TestStep, as a
// call node's Test): a one-node flow whose call uses the request by name,
// in the picked environment. The step shows in the step pane and the
// console. It is the one entry point of a request's Test, so it can be
// sent to the request workspace instead.
func (a *App) testNamedRequest(conn flow.Connection, req flow.NamedRequest, args map[string]string) {
	if a.opts.Runner == nil {
		a.console.logError("Requests cannot be tested here: no runner.")
		return
	}
	cargs := map[string]string{}
	for k, v := range args {
		cargs[k] = argExpr(v)
	}
	call := &flow.Call{Connection: conn.Name, Request: req.Name, Args: cargs}
	resolved := flow.ResolveCall(call, &req)
	resolved.Request, resolved.Args = "", nil // the request as it stands in the form, which may not be stored yet
	doc := &flow.Flow{Format: flow.Format, Name: fmt.Sprintf("Request %s of %s", req.Name, conn.Name),
		Nodes: []flow.Node{{ID: "request", Kind: flow.KindCall, Title: req.Name, Call: resolved}}}
	in := engine.StepInput{Env: a.envs.vars(a.envs.current())}
	a.console.log(fmt.Sprintf("Testing request %s of connection %s…", req.Name, conn.Name))
	go func() {
		res, err := a.opts.Runner.TestStep(a.ctx, doc, "request", in)
		a.opts.Do(func() {
			if err != nil {
				a.console.logError(fmt.Sprintf("Test of request %s of connection %s could not run: %v", req.Name, conn.Name, err))
				return
			}
			s := res.Step
			a.console.push(stepLine(&s))
			a.console.commit()
			a.showStep(&s)
		})
	}()
}

// paramsScope is src with params.<name> in scope for each of params, as
// the engine binds a named request's args (cel.bind), src on the second
// line so an error's column is src's own.
func paramsScope(params []string, src string) string {
	var b strings.Builder
	b.WriteString("cel.bind(params, {")
	for i, p := range params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(p) + ": dyn(null)")
	}
	b.WriteString("},\n")
	b.WriteString(src)
	b.WriteString("\n)")
	return b.String()
}

// newParamsChecker checks a named request's expressions with its params
// (read from the form as typed) in scope.
func newParamsChecker(base *exprChecker, params func() []string) *exprChecker {
	return &exprChecker{env: base.env, cache: map[string]string{}, params: params}
}
