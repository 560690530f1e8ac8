package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// connectionsView is the sidebar's list of connections. Selecting one shows
// its form in the inspector.
type connectionsView struct {
	shell
	deps connectionsDeps
	list *itemList[flow.Connection]
	box  fyne.CanvasObject
}

// connectionsDeps are what the Connections view asks of the window.
type connectionsDeps struct {
	// edit opens a connection's form (isNew: not stored yet); editing
	// names the stored connection whose form is open, if any.
	edit    func(c flow.Connection, isNew bool)
	editing func() (string, bool)
	// show brings the view to the front; askDelete deletes a connection
	// after asking.
	show      func()
	askDelete func(name string)
}

func newConnectionsView(sh shell, deps connectionsDeps) *connectionsView {
	v := &connectionsView{shell: sh, deps: deps}
	v.list = newItemList(connectionRow)
	v.list.OnSelected = func(_ int, c flow.Connection) { deps.edit(c, false) }
	actions, _ := actionGrid(sh.tips, 2,
		action{"Add", theme.ContentAddIcon(), "Add a connection", v.add},
		action{"Copy", theme.ContentCopyIcon(), "Duplicate the selected connection (without its sealed secrets)", v.duplicate},
		action{"Delete", theme.DeleteIcon(), "Delete the selected connection", v.deleteSelected},
	)
	v.box = sidePane(nil, v.list.object(), actions)
	return v
}

func (v *connectionsView) object() fyne.CanvasObject { return v.box }

// connectionRow is a connection's row in the list: its name, auth type and
// how many named requests it defines.
func connectionRow(c *flow.Connection) string {
	switch n := len(c.Requests); n {
	case 0:
		return fmt.Sprintf("%s  (%s)", c.Name, c.Auth.Type)
	case 1:
		return fmt.Sprintf("%s  (%s) · 1 request", c.Name, c.Auth.Type)
	default:
		return fmt.Sprintf("%s  (%s) · %d requests", c.Name, c.Auth.Type, n)
	}
}

func (v *connectionsView) setConnections(cs []flow.Connection) {
	v.list.set(cs)
	if name, ok := v.deps.editing(); ok {
		v.selectName(name)
	}
}

// selectName highlights the named connection without opening it again.
func (v *connectionsView) selectName(name string) {
	v.list.selectWhere(func(c *flow.Connection) bool { return c.Name == name })
}

// taken reports whether a connection is called name.
func (v *connectionsView) taken(name string) bool {
	return takenIn(v.list.items, func(c *flow.Connection) string { return c.Name })(name)
}

// selected is the connection whose form the inspector shows, if any.
func (v *connectionsView) selected() (flow.Connection, bool) {
	name, ok := v.deps.editing()
	if !ok {
		return flow.Connection{}, false
	}
	for _, c := range v.list.items {
		if c.Name == name {
			return c, true
		}
	}
	return flow.Connection{}, false
}

// manageConnection is the gear beside a call's connection: the
// Connections view, with that connection selected and its form open.
func (a *App) manageConnection(name string) {
	a.sidebar.showNamed("Connections")
	for _, c := range a.connView.list.items {
		if c.Name == name {
			a.inspector.showConnection(c, false)
			return
		}
	}
}

func (v *connectionsView) add() {
	v.deps.show()
	v.list.unselect()
	v.deps.edit(flow.Connection{
		Name: uniqueName("connection", nameSep, v.taken), Kind: flow.ConnCustom, BaseURL: "https://",
		Auth: flow.Auth{Type: flow.AuthNone},
	}, true)
}

// duplicate opens the form of a copy of the selected connection. Sealed
// secrets are not copied: the copy would share stored values the original
// owns (and deletes with it), so the person enters them again.
func (v *connectionsView) duplicate() {
	c, ok := v.selected()
	if !ok {
		v.logError("Select a connection to duplicate first.")
		return
	}
	cp := c
	cp.Name = copyName(c.Name, nameSep, v.taken)
	cp.Auth.Scopes = append([]string(nil), c.Auth.Scopes...)
	for _, p := range []**flow.SecretRef{&cp.Auth.Value, &cp.Auth.ClientSecret, &cp.Auth.SecretAccessKey,
		&cp.Auth.SessionToken, &cp.Auth.Password, &cp.Auth.Token} {
		if *p != nil && (*p).Env != "" {
			ref := **p
			*p = &ref
		} else {
			*p = nil
		}
	}
	v.deps.edit(cp, true)
	v.log(fmt.Sprintf("Copy of %q: enter its sealed secrets again, then save.", c.Name))
}

func (v *connectionsView) deleteSelected() {
	c, ok := v.selected()
	if !ok {
		v.logError("Select a connection to delete first.")
		return
	}
	v.deps.askDelete(c.Name)
}

// AskDeleteConnection asks before deleting the named connection, naming
// every flow that calls through it (stored ones, and the open one when its
// unsaved edits use it), then deletes it if the person agrees.
func (a *App) AskDeleteConnection(name string) {
	users, err := a.opts.Store.FlowsUsingConnection(a.ctx, name)
	if err != nil {
		a.showError(fmt.Errorf("find the flows that use connection %q: %w", name, err))
		return
	}
	var names []string
	for _, s := range users {
		names = append(names, fmt.Sprintf("%q", s.Name))
	}
	if usesConnection(a.ed.Flow(), name) && !containsID(users, a.flowID) {
		names = append(names, fmt.Sprintf("%q (open, unsaved)", a.ed.Flow().Name))
	}
	msg := fmt.Sprintf("Delete connection %q and its sealed secrets? No flow uses it.", name)
	if len(names) > 0 {
		msg = fmt.Sprintf("Delete connection %q and its sealed secrets? It is used by %d flow(s): %s. Their calls will fail until you pick another connection.",
			name, len(names), strings.Join(names, ", "))
	}
	showConfirm("Delete connection", msg, "Delete", func(ok bool) {
		if !ok {
			return
		}
		if err := a.opts.Store.DeleteConnection(a.ctx, name); err != nil {
			a.showError(fmt.Errorf("delete connection %q: %w", name, err))
			return
		}
		a.console.log(fmt.Sprintf("Deleted connection %q.", name))
		if f := a.inspector.conn; f != nil && f.orig.Name == name {
			a.inspector.showSelection()
		}
		a.refreshConnections()
		a.revalidate()
	}, a.w)
}

func usesConnection(f *flow.Flow, name string) bool {
	for _, n := range f.Nodes {
		if n.Call != nil && n.Call.Connection == name {
			return true
		}
		if n.Call != nil && n.Call.ConnectionByExpr() {
			// a literal set of names is known; any other expression may give it
			if names, ok := flow.LiteralNames(n.Call.ConnectionExpr); !ok || slices.Contains(names, name) {
				return true
			}
		}
	}
	return false
}

func containsID(s []storage.FlowSummary, id string) bool {
	for _, x := range s {
		if x.ID == id && id != "" {
			return true
		}
	}
	return false
}

// secretField edits one secret of a connection: a sealed value typed in a
// password entry, or the name of an environment variable. A stored sealed
// value is never shown; a marker says it is there.
type secretField struct {
	source *widget.Select
	value  *widget.Entry
	env    *widget.Entry
	marker *widget.Label
	orig   *flow.SecretRef
	box    *fyne.Container
	// onChange, when set, is called when the person changes the field.
	onChange func()
}

const (
	secretSealed = "Sealed value"
	secretEnv    = "Environment variable"
)

func newSecretField(orig *flow.SecretRef) *secretField {
	s := &secretField{orig: orig}
	s.value = widget.NewPasswordEntry()
	s.env = widget.NewEntry()
	s.env.SetPlaceHolder("VARIABLE_NAME")
	s.marker = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	s.source = widget.NewSelect([]string{secretSealed, secretEnv}, func(string) { s.sync(); s.changed() })
	s.value.OnChanged = func(string) { s.changed() }
	s.env.OnChanged = func(string) { s.changed() }
	if orig != nil && orig.Env != "" {
		s.env.SetText(orig.Env)
		s.source.SetSelected(secretEnv)
	} else {
		s.source.SetSelected(secretSealed)
	}
	if orig != nil && orig.Secret != "" {
		s.marker.SetText("🔒 sealed — leave empty to keep it, type to replace it")
		s.value.SetPlaceHolder("sealed")
	} else {
		s.value.SetPlaceHolder("value (sealed when saved)")
	}
	s.box = container.NewVBox(s.source, s.value, s.env, s.marker)
	s.sync()
	return s
}

func (s *secretField) changed() {
	if s.onChange != nil {
		s.onChange()
	}
}

func (s *secretField) sync() {
	if s.source.Selected == secretEnv {
		s.value.Hide()
		s.marker.Hide()
		s.env.Show()
	} else {
		s.env.Hide()
		s.value.Show()
		if s.marker.Text != "" {
			s.marker.Show()
		}
	}
}

// ref returns the reference to store: an env name, a new literal (sealed by
// the store on save), the unchanged sealed reference, or nil when unset.
func (s *secretField) ref() *flow.SecretRef {
	if s.source.Selected == secretEnv {
		if n := strings.TrimSpace(s.env.Text); n != "" {
			return &flow.SecretRef{Env: n}
		}
		return nil
	}
	if s.value.Text != "" {
		return &flow.SecretRef{Literal: s.value.Text}
	}
	if s.orig != nil && s.orig.Secret != "" {
		return &flow.SecretRef{Secret: s.orig.Secret}
	}
	return nil
}

// connForm is the inspector's form for one connection. It edits a copy;
// Save writes it to the store. Every field says what is wrong with it
// under it as the person types, with flow.CheckConnection's words (the
// rules the engine and validate apply), so a problem shows where it is and
// goes away when it is fixed.
type connForm struct {
	a     *App
	orig  flow.Connection
	isNew bool

	name, baseURL, region, timeout *widget.Entry
	kind, authType                 *widget.Select
	verifyTLS                      *widget.Check
	saveErr                        *widget.Label

	apiIn                      *widget.Select
	apiName                    *widget.Entry
	apiValue                   *secretField
	clientID, scopes, tokenURL *widget.Entry
	refreshURL                 *widget.Entry
	authStyle                  *widget.Select
	clientSecret               *secretField
	accessKey, service         *widget.Entry
	secretKey, sessionToken    *secretField
	signBody                   *widget.Check
	username                   *widget.Entry
	password, token            *secretField
	groups                     map[flow.AuthType]*fyne.Container
	baseURLRow, regionRow      *fyne.Container
	useMock                    *widget.Check       // the "use mock" switch
	mockPick                   *widget.SelectEntry // the mock it sends calls to
	box                        *fyne.Container
	// footer stays under the scrolled form (the inspector pins it): the
	// message of a refused save, Save, Test connection and its outcome.
	footer  *fyne.Container
	testBtn *widget.Button
	testOut *widget.Label
	// requests are the connection's named requests as the form edits
	// them; reqBox lists them (conn_requests.go).
	requests []flow.NamedRequest
	reqBox   *fyne.Container
	// reqForm is the request form last opened and argEntries the
	// argument fields of the last request Test, for tests to fill in.
	reqForm    *requestForm
	argEntries []*dialogEntry

	// msgs is the label under each field, keyed by the field's name in
	// flow.Problem.Field (name, baseURL, auth.clientId).
	msgs   map[string]*widget.Label
	labels map[string]string // each field's label, by the same key
	// edited are the fields the person changed: a new connection's
	// problems show field by field as it is filled in, all of them once
	// Save was pressed; a stored connection's show at once.
	edited  map[string]bool
	showAll bool
	ready   bool // the form is built: changes are the person's
}

var authTypes = []string{string(flow.AuthNone), string(flow.AuthAPIKey), string(flow.AuthOAuth2), string(flow.AuthSigV4), string(flow.AuthBasic), string(flow.AuthBearer)}

func newConnForm(a *App, c flow.Connection, isNew bool) *connForm {
	f := &connForm{a: a, orig: c, isNew: isNew, msgs: map[string]*widget.Label{}, labels: map[string]string{}, edited: map[string]bool{}, showAll: !isNew,
		requests: slices.Clone(c.Requests)}
	entry := func(key, s, ph string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(s)
		e.SetPlaceHolder(ph)
		e.OnChanged = func(string) { f.changed(key) }
		return e
	}
	sel := func(key string, opts []string, then func()) *widget.Select {
		return widget.NewSelect(opts, func(string) {
			if then != nil {
				then()
			}
			f.changed(key)
		})
	}
	secret := func(key string, ref *flow.SecretRef) *secretField {
		s := newSecretField(ref)
		s.onChange = func() { f.changed(key) }
		return s
	}
	f.name = entry("name", c.Name, "a name calls refer to it by")
	f.baseURL = entry("baseURL", c.BaseURL, "https://api.example.com")
	f.region = entry("region", c.Region, "eu-central-1")
	f.timeout = entry("timeout", "", "30s")
	if c.Timeout > 0 {
		f.timeout.SetText(c.Timeout.D().String())
	}
	f.saveErr = errorLabel()
	f.verifyTLS = widget.NewCheck("Verify TLS certificates", nil)
	f.verifyTLS.SetChecked(c.TLSVerified())
	var mockNames []string
	if a.mocks != nil {
		mockNames = a.mocks.names()
	}
	f.mockPick = widget.NewSelectEntry(mockNames)
	f.mockPick.SetPlaceHolder("the mock that stands in, e.g. chatbot-vip")
	f.mockPick.SetText(c.Mock)
	f.mockPick.OnChanged = func(string) { f.changed("mock") }
	f.useMock = widget.NewCheck("Use mock (send calls to the mock instead of the base URL)", func(bool) { f.changed("mock") })
	f.useMock.SetChecked(c.UseMock)

	au := c.Auth
	f.apiIn = sel("auth.in", []string{flow.APIKeyHeader, flow.APIKeyQuery}, nil)
	f.apiIn.SetSelected(orDefault(au.In, flow.APIKeyHeader))
	f.apiName = entry("auth.name", au.Name, "x-api-key")
	f.apiValue = secret("auth.value", au.Value)
	f.clientID = entry("auth.clientId", au.ClientID, "client id")
	f.clientSecret = secret("auth.clientSecret", au.ClientSecret)
	f.scopes = entry("auth.scopes", strings.Join(au.Scopes, " "), "scope1 scope2")
	f.tokenURL = entry("auth.tokenURL", au.TokenURL, "https://auth.example.com/oauth2/token")
	f.refreshURL = entry("auth.refreshURL", au.RefreshURL, "optional")
	f.authStyle = sel("auth.authStyle", []string{"header", "body"}, nil)
	f.authStyle.SetSelected(orDefault(au.AuthStyle, "header"))
	f.accessKey = entry("auth.accessKeyId", au.AccessKeyID, "AKIA…")
	f.secretKey = secret("auth.secretAccessKey", au.SecretAccessKey)
	f.sessionToken = secret("auth.sessionToken", au.SessionToken)
	f.service = entry("auth.service", au.Service, "execute-api, lambda… (derived for Amazon Connect)")
	f.signBody = widget.NewCheck("Sign the body's hash (X-Amz-Content-Sha256, for S3-style services)", func(bool) { f.changed("auth.signBody") })
	f.signBody.SetChecked(au.SignBody)
	f.username = entry("auth.username", au.Username, "user")
	f.password = secret("auth.password", au.Password)
	f.token = secret("auth.token", au.Token)

	row := f.field
	f.groups = map[flow.AuthType]*fyne.Container{
		flow.AuthNone:   container.NewVBox(),
		flow.AuthAPIKey: container.NewVBox(row("auth.in", "Location", f.apiIn), row("auth.name", "Name", f.apiName), row("auth.value", "Value", f.apiValue.box)),
		flow.AuthOAuth2: container.NewVBox(row("auth.clientId", "Client ID", f.clientID), row("auth.clientSecret", "Client secret", f.clientSecret.box),
			row("auth.scopes", "Scopes (space separated)", f.scopes), row("auth.tokenURL", "Token URL", f.tokenURL), row("auth.refreshURL", "Refresh URL", f.refreshURL),
			row("auth.authStyle", "Client authentication", f.authStyle)),
		flow.AuthSigV4: container.NewVBox(row("auth.accessKeyId", "Access key ID", f.accessKey), row("auth.secretAccessKey", "Secret access key", f.secretKey.box),
			row("auth.sessionToken", "Session token", f.sessionToken.box), row("auth.service", "Service", f.service), f.signBody),
		flow.AuthBasic:  container.NewVBox(row("auth.username", "Username", f.username), row("auth.password", "Password", f.password.box)),
		flow.AuthBearer: container.NewVBox(row("auth.token", "Token", f.token.box)),
	}
	f.authType = sel("auth.type", authTypes, f.syncRows)
	f.kind = sel("kind", []string{string(flow.ConnCustom), string(flow.ConnAmazonConnect)}, f.syncRows)
	f.baseURLRow = row("baseURL", "Base URL", f.baseURL)
	f.regionRow = row("region", "Region", f.region)

	var groupObjs []fyne.CanvasObject
	for _, t := range authTypes {
		groupObjs = append(groupObjs, f.groups[flow.AuthType(t)])
	}
	save := widget.NewButtonWithIcon("Save connection", theme.DocumentSaveIcon(), func() { _ = f.save() })
	save.Importance = widget.HighImportance
	f.testBtn = widget.NewButtonWithIcon("Test connection", theme.MediaPlayIcon(), f.testConnection)
	f.testOut = widget.NewLabel("")
	f.testOut.Wrapping = fyne.TextWrapWord
	f.testOut.Hide()
	f.footer = container.NewVBox(f.saveErr, container.NewHBox(save, f.testBtn), f.testOut)
	f.box = container.NewVBox(
		row("name", "Name", f.name),
		row("kind", "Kind", f.kind),
		f.baseURLRow, f.regionRow,
		row("auth.type", "Authentication", f.authType),
		container.NewVBox(groupObjs...),
		f.verifyTLS,
		row("timeout", "Timeout", f.timeout),
		f.useMock,
		row("mock", "Mock", f.mockPick),
		f.requestsSection(),
	)
	f.kind.SetSelected(orDefault(string(c.Kind), string(flow.ConnCustom)))
	f.authType.SetSelected(orDefault(string(au.Type), string(flow.AuthNone)))
	f.syncRows()
	f.ready = true
	f.check()
	return f
}

// field is a labelled field with the line that says what is wrong with it.
func (f *connForm) field(key, label string, o fyne.CanvasObject) *fyne.Container {
	msg := errorLabel()
	f.msgs[key], f.labels[key] = msg, label
	return container.NewVBox(widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), o, msg)
}

// changed is every field's OnChanged: the field was edited, so its
// problems show from now on, and every field is checked again.
func (f *connForm) changed(key string) {
	if !f.ready {
		return
	}
	f.edited[key] = true
	f.check()
}

// syncRows shows the rows the kind and auth type use: the base URL for a
// custom connection, the region for Amazon Connect and for SigV4 (the
// signature is scoped to a region), the auth type's own fields.
func (f *connForm) syncRows() {
	connect := f.kind.Selected == string(flow.ConnAmazonConnect)
	setShown(f.baseURLRow, !connect)
	setShown(f.regionRow, connect || f.authType.Selected == string(flow.AuthSigV4))
	for t, g := range f.groups {
		setShown(g, string(t) == f.authType.Selected)
	}
}

func setShown(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// check shows each field's first problem under it (an error before a
// warning) and clears the message above Save once no error is left.
func (f *connForm) check() flow.Problems {
	_, ps := f.connection()
	for key, l := range f.msgs {
		msg, imp := "", widget.DangerImportance
		if f.showAll || f.edited[key] {
			for _, sev := range []flow.Severity{flow.SeverityError, flow.SeverityWarning} {
				if p, ok := firstProblem(ps, key, sev); ok {
					msg = p.Message
					if sev == flow.SeverityWarning {
						imp = widget.WarningImportance
					}
					break
				}
			}
		}
		if l.Importance != imp {
			l.Importance = imp
			l.Refresh()
		}
		setError(l, msg)
	}
	if !ps.HasErrors() {
		setError(f.saveErr, "")
	}
	return ps
}

func firstProblem(ps flow.Problems, field string, sev flow.Severity) (flow.Problem, bool) {
	for _, p := range ps {
		if p.Field == field && p.Severity == sev {
			return p, true
		}
	}
	return flow.Problem{}, false
}

// connection builds the connection the form describes and what is wrong
// with it: flow.CheckConnection's problems, and what only the form knows
// (an empty or taken name, a timeout that is not a duration).
func (f *connForm) connection() (flow.Connection, flow.Problems) {
	c := flow.Connection{
		Name: strings.TrimSpace(f.name.Text),
		Kind: flow.ConnectionKind(f.kind.Selected),
		Auth: flow.Auth{Type: flow.AuthType(f.authType.Selected)},
	}
	var ps flow.Problems
	bad := func(field, format string, args ...any) {
		ps = append(ps, flow.Problem{Severity: flow.SeverityError, Connection: c.Name, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case c.Name == "":
		bad("name", "Give the connection a name: calls refer to it by name.")
	case (f.isNew || c.Name != f.orig.Name) && f.a.connView.taken(c.Name):
		bad("name", "A connection named %q exists already; choose another name.", c.Name)
	}
	if c.Kind == flow.ConnAmazonConnect || c.Auth.Type == flow.AuthSigV4 {
		c.Region = strings.TrimSpace(f.region.Text)
	}
	if c.Kind != flow.ConnAmazonConnect {
		c.BaseURL = strings.TrimSpace(f.baseURL.Text)
	}
	c.Mock, c.UseMock = strings.TrimSpace(f.mockPick.Text), f.useMock.Checked
	c.Requests = slices.Clone(f.requests)
	if !f.verifyTLS.Checked {
		off := false
		c.VerifyTLS = &off
	}
	if s := strings.TrimSpace(f.timeout.Text); s != "" {
		if d, err := time.ParseDuration(s); err != nil {
			bad("timeout", "%q is not a duration; write it as 30s or 1m.", s)
		} else {
			c.Timeout = flow.Duration(d)
		}
	}
	a := &c.Auth
	switch a.Type {
	case flow.AuthAPIKey:
		a.In, a.Name, a.Value = f.apiIn.Selected, strings.TrimSpace(f.apiName.Text), f.apiValue.ref()
	case flow.AuthOAuth2:
		a.ClientID, a.ClientSecret = strings.TrimSpace(f.clientID.Text), f.clientSecret.ref()
		a.Scopes = strings.Fields(strings.ReplaceAll(f.scopes.Text, ",", " "))
		a.TokenURL, a.RefreshURL = strings.TrimSpace(f.tokenURL.Text), strings.TrimSpace(f.refreshURL.Text)
		a.AuthStyle = f.authStyle.Selected
	case flow.AuthSigV4:
		a.AccessKeyID, a.SecretAccessKey = strings.TrimSpace(f.accessKey.Text), f.secretKey.ref()
		a.SessionToken, a.Service = f.sessionToken.ref(), strings.TrimSpace(f.service.Text)
		a.SignBody = f.signBody.Checked
	case flow.AuthBasic:
		a.Username, a.Password = strings.TrimSpace(f.username.Text), f.password.ref()
	case flow.AuthBearer:
		a.Token = f.token.ref()
	}
	return c, append(ps, flow.CheckConnection(c)...)
}

// save writes the connection, renaming the stored one first when the name
// changed, then shows it again as stored: typed secrets are now sealed and
// shown only as a marker. A connection with errors is not saved: every
// field shows its problem, and the error, shown above Save, names them all.
func (f *connForm) save() error {
	err := f.store()
	if err != nil {
		setError(f.saveErr, err.Error())
	}
	return err
}

func (f *connForm) store() error {
	f.showAll = true
	ps := f.check()
	c, _ := f.connection()
	if ps.HasErrors() {
		var lines []string
		for _, p := range ps {
			if p.Severity == flow.SeverityError {
				lines = append(lines, orDefault(f.labels[p.Field], p.Field)+": "+p.Message)
			}
		}
		return fmt.Errorf("connection %q cannot be saved yet:\n• %s", c.Name, strings.Join(lines, "\n• "))
	}
	a := f.a
	if !f.isNew && c.Name != f.orig.Name {
		if err := a.opts.Store.RenameConnection(a.ctx, f.orig.Name, c.Name); err != nil {
			return fmt.Errorf("rename connection %q to %q: %w", f.orig.Name, c.Name, err)
		}
		if users, err := a.opts.Store.FlowsUsingConnection(a.ctx, f.orig.Name); err == nil && len(users) > 0 {
			a.console.logError(fmt.Sprintf("%d flow(s) still call connection %q; pick %q in their call nodes.", len(users), f.orig.Name, c.Name))
		}
	} else if f.isNew {
		if _, err := a.opts.Store.Connection(a.ctx, c.Name); err == nil {
			return fmt.Errorf("a connection named %q exists already; choose another name", c.Name)
		}
	}
	if err := a.opts.Store.SaveConnection(a.ctx, c); err != nil {
		return fmt.Errorf("save connection %q: %w", c.Name, err)
	}
	stored, err := a.opts.Store.Connection(a.ctx, c.Name)
	if err != nil {
		return fmt.Errorf("read back connection %q: %w", c.Name, err)
	}
	a.console.log(fmt.Sprintf("Saved connection %q.", c.Name))
	a.refreshConnections()
	a.revalidate()
	a.inspector.showConnection(*stored, false)
	return nil
}

func row(label string, o fyne.CanvasObject) *fyne.Container {
	return container.NewVBox(widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), o)
}

func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

func setError(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// testConnection probes the connection as the form describes it (typed
// secrets included, before they are saved) with engine.ProbeConnection, and
// shows the outcome under the button: the token fetched, the probe's status
// and time, the server's certificate, or what failed.
func (f *connForm) testConnection() {
	c, ps := f.connection()
	if ps.HasErrors() {
		f.showAll = true
		f.check()
		f.showTest(widget.DangerImportance, "Fix the fields marked above first; the connection cannot be tested as it is.")
		return
	}
	a := f.a
	opts := engine.ProbeOptions{}
	if src, ok := a.opts.Store.(engine.SecretSource); ok {
		opts.Secrets = src
	}
	if a.opts.Mocks != nil {
		opts.Resolve = MockResolver(a.opts.Mocks)
	}
	f.testBtn.Disable()
	f.showTest(widget.MediumImportance, fmt.Sprintf("Testing connection %q…", c.Name))
	go func() {
		res := engine.ProbeConnection(a.ctx, c, opts)
		a.opts.Do(func() {
			f.testBtn.Enable()
			if res.OK {
				f.showTest(widget.SuccessImportance, "✓ "+res.String())
				a.console.log(fmt.Sprintf("Connection %q: %s", c.Name, res.String()))
			} else {
				f.showTest(widget.DangerImportance, "✗ "+res.String())
				a.console.logError(fmt.Sprintf("Connection %q: %s", c.Name, res.String()))
			}
		})
	}()
}

// showTest shows a test's outcome (or that it runs) under Test connection.
func (f *connForm) showTest(imp widget.Importance, msg string) {
	f.testOut.Importance = imp
	f.testOut.SetText(msg)
	f.testOut.Show()
}
