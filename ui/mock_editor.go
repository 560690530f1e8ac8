package ui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// mockEditor is the dialog that edits one mock: its name, its auth
// requirement, and its routes (one list, the selected route's form beside
// it). It edits a copy; Save checks the mock with all the others (route
// collisions, methods, statuses, CEL bodies) and stores it, or keeps the
// dialog open with the problems under the form.
type mockEditor struct {
	v     *mocksView
	m     flow.Mock
	old   string
	cur   int
	dlg   dialog.Dialog
	quiet bool // set while a route is loaded into the form

	name   *dialogEntry
	routes *widget.List
	errL   *widget.Label

	method                            *widget.Select
	path, status, delay               *dialogEntry
	headers, body                     *dialogEntry
	bodyErr, statusErr, delayErr      *widget.Label
	failEvery, failStatus, sequence   *dialogEntry
	drip                              *dialogEntry
	timeout, malformed                *widget.Check
	faultErr                          *widget.Label
	form                              *fyne.Container
	authType, apiIn                   *widget.Select
	apiName, username                 *dialogEntry
	apiValue, password, token, secret *secretField
	authGroups                        map[flow.AuthType]*fyne.Container
}

// mockAuthTypes are the schemes a mock can require.
var mockAuthTypes = []string{string(flow.AuthNone), string(flow.AuthAPIKey), string(flow.AuthBearer), string(flow.AuthBasic), string(flow.AuthWebhook)}

// openEditor shows the editor of m; isNew means it is not stored yet.
func (v *mocksView) openEditor(m flow.Mock, isNew bool) *mockEditor {
	e := &mockEditor{v: v, m: cloneMock(m)}
	if !isNew {
		e.old = m.Name
	}
	e.build()
	e.dlg = dialog.NewCustomWithoutButtons("Mock "+m.Name, e.content(), v.win)
	e.dlg.Resize(fyne.NewSize(900, 680))
	showDialog(e.dlg, v.win)
	v.editor = e
	return e
}

func (e *mockEditor) build() {
	e.name = newDialogLine()
	e.name.SetText(e.m.Name)
	e.errL = errorLabel()

	e.routes = widget.NewList(
		func() int { return len(e.m.Routes) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(e.m.Routes) {
				r := e.m.Routes[id]
				o.(*widget.Label).SetText(r.Describe())
			}
		})
	e.routes.OnSelected = func(id widget.ListItemID) { e.load(id) }

	e.method = widget.NewSelect(flow.Methods, func(s string) { e.set(func(r *flow.MockRoute) { r.Method = s }) })
	e.path = newDialogLine()
	e.path.SetPlaceHolder("/chatbot/step or /orders/{id}")
	e.path.OnChanged = func(s string) { e.set(func(r *flow.MockRoute) { r.Path = s }) }
	e.statusErr = errorLabel()
	e.status = newDialogLine()
	e.status.SetPlaceHolder("200")
	e.status.OnChanged = func(s string) {
		n, msg := parseStatus(s)
		setError(e.statusErr, msg)
		if msg == "" {
			e.set(func(r *flow.MockRoute) { r.Status = n })
		}
	}
	e.headers = newDialogText()
	e.headers.SetPlaceHolder("Content-Type: application/json")
	e.headers.SetMinRowsVisible(2)
	e.headers.OnChanged = func(s string) { e.set(func(r *flow.MockRoute) { r.Headers = parseHeaders(s) }) }
	e.bodyErr = errorLabel()
	e.body = newDialogText()
	e.body.SetPlaceHolder(`{"returnValue": request.body.chatId.startsWith("vip") ? "vip" : "standard"}`)
	e.body.SetMinRowsVisible(4)
	e.body.OnChanged = func(s string) {
		e.set(func(r *flow.MockRoute) { r.Body = s })
		setError(e.bodyErr, bodyProblem(s))
	}
	e.delayErr = errorLabel()
	e.delay = newDialogLine()
	e.delay.SetPlaceHolder("0s")
	e.delay.OnChanged = func(s string) {
		d, msg := parseDuration(s, "delay")
		setError(e.delayErr, msg)
		if msg == "" {
			e.set(func(r *flow.MockRoute) { r.Delay = d })
		}
	}

	e.faultErr = errorLabel()
	e.failEvery = newDialogLine()
	e.failEvery.SetPlaceHolder("N (0: never)")
	e.failStatus = newDialogLine()
	e.failStatus.SetPlaceHolder("500")
	e.sequence = newDialogLine()
	e.sequence.SetPlaceHolder("503, 503, 200")
	e.drip = newDialogLine()
	e.drip.SetPlaceHolder("0s")
	e.timeout = widget.NewCheck("Never answer (timeout)", nil)
	e.malformed = widget.NewCheck("Malformed body", nil)
	for _, en := range []*dialogEntry{e.failEvery, e.failStatus, e.sequence, e.drip} {
		en.OnChanged = func(string) { e.syncFaults() }
	}
	e.timeout.OnChanged = func(bool) { e.syncFaults() }
	e.malformed.OnChanged = func(bool) { e.syncFaults() }

	e.buildAuth()
	e.form = container.NewVBox(
		row("Method", e.method),
		row("Path ({name} matches one segment, bound to params.name)", e.path),
		row("Status", container.NewVBox(e.status, e.statusErr)),
		row("Headers (one Name: value a line)", e.headers),
		row("Body (CEL over request and params; a JSON literal is valid)", container.NewVBox(e.body, e.bodyErr)),
		row("Delay", container.NewVBox(e.delay, e.delayErr)),
		widget.NewLabelWithStyle("Faults", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewGridWithColumns(2, row("Fail every Nth call", e.failEvery), row("with status", e.failStatus)),
		row("Status sequence (first calls; the last repeats)", e.sequence),
		row("Slow drip of the body over", e.drip),
		container.NewGridWithColumns(2, e.timeout, e.malformed),
		e.faultErr,
	)
	if len(e.m.Routes) > 0 {
		e.routes.Select(0)
	} else {
		e.cur = -1
		e.form.Hide()
	}
}

func (e *mockEditor) content() fyne.CanvasObject {
	add := widget.NewButtonWithIcon("Add route", theme.ContentAddIcon(), e.addRoute)
	del := widget.NewButtonWithIcon("Remove route", theme.ContentRemoveIcon(), e.removeRoute)
	left := container.NewBorder(widget.NewLabelWithStyle("Routes", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(add, del), nil, nil, e.routes)
	split := container.NewHSplit(left, container.NewVScroll(e.form))
	split.Offset = 0.3
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() {
		if err := e.save(); err != nil {
			setError(e.errL, err.Error())
		}
	})
	save.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { e.close() })
	top := container.NewVBox(row("Name (the first path segment of its URL)", e.name), e.authBox(), widget.NewSeparator())
	bottom := container.NewVBox(e.errL, container.NewHBox(layoutSpacer(), cancel, save))
	return container.NewBorder(top, bottom, nil, nil, split)
}

func (e *mockEditor) close() {
	e.dlg.Hide()
	if e.v.editor == e {
		e.v.editor = nil
	}
}

// set applies fn to the route shown, unless the form is being loaded.
func (e *mockEditor) set(fn func(r *flow.MockRoute)) {
	if e.quiet || e.cur < 0 || e.cur >= len(e.m.Routes) {
		return
	}
	fn(&e.m.Routes[e.cur])
	e.routes.RefreshItem(e.cur)
}

// load shows route i in the form.
func (e *mockEditor) load(i int) {
	if i < 0 || i >= len(e.m.Routes) {
		return
	}
	e.cur = i
	r := e.m.Routes[i]
	e.quiet = true
	defer func() { e.quiet = false }()
	e.method.SetSelected(orDefault(strings.ToUpper(r.Method), "GET"))
	e.path.SetText(r.Path)
	e.status.SetText(intText(r.Status))
	e.headers.SetText(formatHeaders(r.Headers))
	e.body.SetText(r.Body)
	setError(e.bodyErr, bodyProblem(r.Body))
	e.delay.SetText(durationText(r.Delay))
	f := flow.MockFaults{}
	if r.Faults != nil {
		f = *r.Faults
	}
	e.failEvery.SetText(intText(f.FailEvery))
	e.failStatus.SetText(intText(f.FailStatus))
	e.sequence.SetText(joinInts(f.Sequence))
	e.drip.SetText(durationText(f.Drip))
	e.timeout.SetChecked(f.Timeout)
	e.malformed.SetChecked(f.Malformed)
	setError(e.statusErr, "")
	setError(e.delayErr, "")
	setError(e.faultErr, "")
	e.form.Show()
}

// syncFaults reads the fault fields into the route shown.
func (e *mockEditor) syncFaults() {
	if e.quiet {
		return
	}
	f := flow.MockFaults{Timeout: e.timeout.Checked, Malformed: e.malformed.Checked}
	var msgs []string
	var err error
	if s := strings.TrimSpace(e.failEvery.Text); s != "" {
		if f.FailEvery, err = strconv.Atoi(s); err != nil || f.FailEvery < 0 {
			msgs = append(msgs, fmt.Sprintf("Fail every: %q is not a count; write a whole number such as 3.", s))
		}
	}
	if s := strings.TrimSpace(e.failStatus.Text); s != "" {
		var msg string
		if f.FailStatus, msg = parseStatus(s); msg != "" {
			msgs = append(msgs, "Fail status: "+msg)
		}
	}
	for _, s := range splitList(e.sequence.Text) {
		n, msg := parseStatus(s)
		if msg != "" {
			msgs = append(msgs, "Status sequence: "+msg)
			break
		}
		f.Sequence = append(f.Sequence, n)
	}
	d, msg := parseDuration(e.drip.Text, "drip")
	if msg != "" {
		msgs = append(msgs, msg)
	}
	f.Drip = d
	setError(e.faultErr, strings.Join(msgs, "\n"))
	if len(msgs) > 0 {
		return
	}
	e.set(func(r *flow.MockRoute) {
		if f.FailEvery == 0 && f.FailStatus == 0 && len(f.Sequence) == 0 && !f.Timeout && f.Drip == 0 && !f.Malformed {
			r.Faults = nil
		} else {
			r.Faults = &f
		}
	})
}

func (e *mockEditor) addRoute() {
	e.m.Routes = append(e.m.Routes, flow.MockRoute{Method: "GET", Path: "/", Status: 200})
	e.routes.Refresh()
	e.routes.Select(len(e.m.Routes) - 1)
}

func (e *mockEditor) removeRoute() {
	if e.cur < 0 || e.cur >= len(e.m.Routes) {
		return
	}
	e.m.Routes = append(e.m.Routes[:e.cur], e.m.Routes[e.cur+1:]...)
	e.routes.UnselectAll()
	e.routes.Refresh()
	if len(e.m.Routes) == 0 {
		e.cur = -1
		e.form.Hide()
		return
	}
	e.routes.Select(min(e.cur, len(e.m.Routes)-1))
}

// save stores the mock, or says what keeps it from being stored.
func (e *mockEditor) save() error {
	if msg := strings.TrimSpace(e.statusErr.Text + e.delayErr.Text + e.faultErr.Text); msg != "" {
		return fmt.Errorf("mock %q: fix the route's fields first: %s", e.name.Text, msg)
	}
	e.m.Name = strings.TrimSpace(e.name.Text)
	e.m.Auth = e.auth()
	if err := e.v.store(e.m, e.old); err != nil {
		return err
	}
	e.v.log(fmt.Sprintf("Saved mock %q.", e.m.Name))
	e.close()
	return nil
}

// buildAuth makes the fields of every scheme; the chosen one is shown.
func (e *mockEditor) buildAuth() {
	a := flow.MockAuth{Type: flow.AuthNone}
	if e.m.Auth != nil {
		a = *e.m.Auth
	}
	e.apiIn = widget.NewSelect([]string{"header", "query"}, nil)
	e.apiIn.SetSelected(orDefault(a.In, "header"))
	e.apiName = newDialogLine()
	e.apiName.SetText(a.Name)
	e.apiName.SetPlaceHolder("x-api-key")
	e.apiValue = newSecretField(a.Value)
	e.username = newDialogLine()
	e.username.SetText(a.Username)
	e.password = newSecretField(a.Password)
	e.token = newSecretField(a.Token)
	e.secret = newSecretField(a.Secret)
	e.authGroups = map[flow.AuthType]*fyne.Container{
		flow.AuthAPIKey:  container.NewVBox(row("In", e.apiIn), row("Name", e.apiName), row("Expected key", e.apiValue.box)),
		flow.AuthBearer:  container.NewVBox(row("Expected token", e.token.box)),
		flow.AuthBasic:   container.NewVBox(row("Username", e.username), row("Expected password", e.password.box)),
		flow.AuthWebhook: container.NewVBox(row("Standard Webhooks secret (whsec_...)", e.secret.box)),
	}
	e.authType = widget.NewSelect(mockAuthTypes, func(s string) {
		for t, g := range e.authGroups {
			if string(t) == s {
				g.Show()
			} else {
				g.Hide()
			}
		}
	})
	e.authType.SetSelected(orDefault(string(a.Type), string(flow.AuthNone)))
}

func (e *mockEditor) authBox() fyne.CanvasObject {
	objs := []fyne.CanvasObject{row("Requires (answered 401 when missing)", e.authType)}
	for _, t := range mockAuthTypes {
		if g := e.authGroups[flow.AuthType(t)]; g != nil {
			objs = append(objs, g)
		}
	}
	return container.NewVBox(objs...)
}

// auth is the auth requirement the form describes, nil for none.
func (e *mockEditor) auth() *flow.MockAuth {
	t := flow.AuthType(e.authType.Selected)
	switch t {
	case flow.AuthAPIKey:
		return &flow.MockAuth{Type: t, In: e.apiIn.Selected, Name: strings.TrimSpace(e.apiName.Text), Value: e.apiValue.ref()}
	case flow.AuthBearer:
		return &flow.MockAuth{Type: t, Token: e.token.ref()}
	case flow.AuthBasic:
		return &flow.MockAuth{Type: t, Username: strings.TrimSpace(e.username.Text), Password: e.password.ref()}
	case flow.AuthWebhook:
		return &flow.MockAuth{Type: t, Secret: e.secret.ref()}
	}
	return nil
}

// bodyProblem compiles a route body as the mock server will and says what
// is wrong, "" when it compiles.
func bodyProblem(body string) string {
	if strings.TrimSpace(body) == "" {
		return ""
	}
	err := checkMockBodies(flow.Mock{Name: "check", Routes: []flow.MockRoute{{Method: "GET", Path: "/", Body: body}}})
	if err == nil {
		return ""
	}
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, "\n"); ok {
		msg = after
	}
	return msg
}

func parseStatus(s string) (int, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0, fmt.Sprintf("%q is not an HTTP status; write a number from 100 to 599, such as 200 or 503.", s)
	}
	return n, ""
}

func parseDuration(s, what string) (flow.Duration, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ""
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Sprintf("The %s %q is not a duration; write it as 250ms, 2s or 1m.", what, s)
	}
	return flow.Duration(d), ""
}

func parseHeaders(s string) map[string]string {
	var out map[string]string
	for _, line := range strings.Split(s, "\n") {
		k, val, ok := strings.Cut(line, ":")
		if k = strings.TrimSpace(k); !ok || k == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = strings.TrimSpace(val)
	}
	return out
}

func formatHeaders(h map[string]string) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + ": " + h[k]
	}
	return strings.Join(lines, "\n")
}

func intText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

func durationText(d flow.Duration) string {
	if d == 0 {
		return ""
	}
	return time.Duration(d).String()
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }
