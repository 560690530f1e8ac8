package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
)

// mocksView is the sidebar's Mocks view: the stored mocks, the switch that
// serves them on 127.0.0.1, and the actions on them (add, edit, duplicate,
// delete, import, export, the chatbot preset).
type mocksView struct {
	shell
	srv       *mock.Server
	mockStore MockStore
	// conns lists the stored connections (which use each mock);
	// resetConnections makes them resolve again once the server moved.
	conns            func() []flow.Connection
	resetConnections func()
	list             *itemList[flow.Mock]
	box              fyne.CanvasObject

	server  *serverSwitch // "Serve mocks"
	status  *widget.Label
	usePort *widget.Button
	freeAt  string // the address the last busy-port error offered

	edit, dup, del *tipButton
	editor         *mockEditor // the open editor dialog, nil when none
}

func newMocksView(sh shell, srv *mock.Server, store MockStore, addr string, conns func() []flow.Connection, resetConnections func()) *mocksView {
	v := &mocksView{shell: sh, srv: srv, mockStore: store, conns: conns, resetConnections: resetConnections}
	v.list = newItemList(func(m *flow.Mock) string { return mockRow(m, v.usedBy(m.Name)) })
	v.list.OnSelected = func(int, flow.Mock) { v.updateButtons() }
	v.list.OnUnselected = v.updateButtons

	v.server = newServerSwitch("Serve mocks", orDefault(addr, mock.DefaultAddr), v.start, func(ctx context.Context) error {
		err := srv.Stop(ctx)
		v.resetConnections()
		return err
	}, srv.URL)
	v.server.toggled = v.setServing
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	v.usePort = widget.NewButton("Use the free port", func() {
		v.server.addr.SetText(v.freeAt)
		v.usePort.Hide()
		v.setServing(true)
	})
	v.usePort.Hide()

	// The list's own buttons say what they do, as the Flows view's do (a
	// row of bare icons left newcomers guessing; issue 13, smaller).
	row, bs := actionGrid(sh.tips, 2,
		action{"New", theme.ContentAddIcon(), "Add a mock", func() {
			v.openEditor(flow.Mock{Name: uniqueName("mock", urlSep, v.taken), Routes: []flow.MockRoute{{Method: "GET", Path: "/", Status: 200, Body: `{"ok": true}`}}}, true)
		}},
		action{"Edit", theme.DocumentCreateIcon(), "Edit the selected mock", func() {
			if m, ok := v.list.selected(); ok {
				v.openEditor(m, false)
			}
		}},
		action{"Copy", theme.ContentCopyIcon(), "Duplicate the selected mock", v.duplicate},
		action{"Delete", theme.DeleteIcon(), "Delete the selected mock", v.deleteSelected},
	)
	for _, b := range bs {
		b.Importance = widget.MediumImportance
	}
	v.edit, v.dup, v.del = bs[1], bs[2], bs[3]
	preset := widget.NewButtonWithIcon("Chatbot preset", theme.MailReplyIcon(), v.chatbotPresetInteractive)
	imp := widget.NewButtonWithIcon("Import", theme.FolderOpenIcon(), v.importInteractive)
	exp := widget.NewButtonWithIcon("Export", theme.DocumentSaveIcon(), v.exportInteractive)

	top := container.NewVBox(
		v.server.box, v.usePort, v.status, widget.NewSeparator())
	bottom := container.NewVBox(
		row,
		preset,
		container.NewGridWithColumns(2, imp, exp))
	v.box = sidePane(top, v.list.object(), bottom)
	v.updateButtons()
	v.syncStatus()
	return v
}

func (v *mocksView) object() fyne.CanvasObject { return v.box }

// mockRow is a mock's line: its name, routes and the connections using it.
func mockRow(m *flow.Mock, users []string) string {
	s := fmt.Sprintf("%s  (%d routes)", m.Name, len(m.Routes))
	if m.Auth != nil && m.Auth.Type != "" && m.Auth.Type != flow.AuthNone {
		s += "  requires " + string(m.Auth.Type)
	}
	if len(users) > 0 {
		s += "  ← " + strings.Join(users, ", ")
	}
	return s
}

// usedBy names the connections whose mock switch points at name.
func (v *mocksView) usedBy(name string) []string {
	var out []string
	for _, c := range v.conns() {
		if c.UseMock && c.Mock == name {
			out = append(out, c.Name)
		}
	}
	return out
}

// taken reports whether a mock is called name.
func (v *mocksView) taken(name string) bool {
	return takenIn(v.list.items, func(m *flow.Mock) string { return m.Name })(name)
}

func (v *mocksView) updateButtons() {
	_, ok := v.list.selected()
	setEnabled(&v.edit.Button, ok)
	setEnabled(&v.dup.Button, ok)
	setEnabled(&v.del.Button, ok)
}

// names lists the stored mocks' names, for the connection form's picker.
func (v *mocksView) names() []string {
	out := make([]string, len(v.list.items))
	for i, m := range v.list.items {
		out[i] = m.Name
	}
	return out
}

// reload reads the stored mocks and serves them.
func (v *mocksView) reload() {
	ms, err := v.mockStore.ListMocks(v.ctx)
	if err != nil {
		v.logError("Could not list the mocks: " + err.Error())
		return
	}
	v.list.set(ms)
	v.updateButtons()
	if err := v.srv.SetMocks(ms); err != nil {
		v.logError("The stored mocks could not be served: " + err.Error())
	}
	v.syncStatus()
}

// store saves m (replacing the mock named old, when renamed) after checking
// it with every other mock the way the server will, so a route collision
// or a bad body is refused before anything is stored.
func (v *mocksView) store(m flow.Mock, old string) error {
	all := []flow.Mock{m}
	for _, o := range v.list.items {
		if o.Name != m.Name && o.Name != old {
			all = append(all, o)
		}
	}
	if ps := flow.ValidateMocks(all); ps.HasErrors() {
		return fmt.Errorf("mock %q cannot be saved:\n%w", m.Name, ps)
	}
	if err := checkMockBodies(m); err != nil {
		return err
	}
	if err := v.mockStore.SaveMock(v.ctx, m); err != nil {
		return err
	}
	if old != "" && old != m.Name {
		if err := v.mockStore.DeleteMock(v.ctx, old); err != nil {
			return fmt.Errorf("mock %q was saved but the old %q could not be removed: %w", m.Name, old, err)
		}
	}
	v.reload()
	v.selectName(m.Name)
	return nil
}

// checkMockBodies compiles m's route bodies as the server will, on a
// server of its own that never serves.
func checkMockBodies(m flow.Mock) error {
	if err := mock.New(mock.Options{}).SetMocks([]flow.Mock{withoutAuth(m)}); err != nil {
		return fmt.Errorf("mock %q cannot be saved:\n%w", m.Name, err)
	}
	return nil
}

// withoutAuth is m without its auth requirement: checking bodies must not
// need its secrets.
func withoutAuth(m flow.Mock) flow.Mock {
	m.Auth = nil
	return m
}

func (v *mocksView) selectName(name string) {
	v.list.selectWhere(func(m *flow.Mock) bool { return m.Name == name })
	v.updateButtons()
}

// duplicate stores a copy of the selected mock under a new name.
func (v *mocksView) duplicate() {
	m, ok := v.list.selected()
	if !ok {
		return
	}
	c := cloneMock(m)
	c.Name = copyName(m.Name, urlSep, v.taken)
	if err := v.store(c, ""); err != nil {
		v.showError(err)
		return
	}
	v.log(fmt.Sprintf("Duplicated mock %q as %q.", m.Name, c.Name))
}

// cloneMock copies m deeply enough that editing the copy's routes leaves
// m alone.
func cloneMock(m flow.Mock) flow.Mock {
	c := m
	c.Routes = make([]flow.MockRoute, len(m.Routes))
	for i, r := range m.Routes {
		if r.Headers != nil {
			h := make(map[string]string, len(r.Headers))
			for k, val := range r.Headers {
				h[k] = val
			}
			r.Headers = h
		}
		if r.Faults != nil {
			f := *r.Faults
			f.Sequence = append([]int(nil), f.Sequence...)
			r.Faults = &f
		}
		c.Routes[i] = r
	}
	if m.Auth != nil {
		a := *m.Auth
		c.Auth = &a
	}
	return c
}

// deleteSelected deletes the selected mock after asking, naming the
// connections that point at it.
func (v *mocksView) deleteSelected() {
	m, ok := v.list.selected()
	if !ok {
		return
	}
	msg := fmt.Sprintf("Delete mock %q?", m.Name)
	if users := v.usedBy(m.Name); len(users) > 0 {
		msg = fmt.Sprintf("Delete mock %q? The connections %s use it: their calls will fail until you pick another mock or turn \"use mock\" off.", m.Name, strings.Join(users, ", "))
	}
	showConfirm("Delete mock", msg, "Delete", func(ok bool) {
		if ok {
			v.deleteMock(m.Name)
		}
	}, v.win)
}

func (v *mocksView) deleteMock(name string) {
	if err := v.mockStore.DeleteMock(v.ctx, name); err != nil {
		v.showError(fmt.Errorf("delete mock %q: %w", name, err))
		return
	}
	v.log(fmt.Sprintf("Deleted mock %q.", name))
	v.reload()
}

// startAtLaunch serves the stored mocks when the window opens. A taken
// port is not worth a dialog at launch: the free port offered is used and
// the console says so.
func (v *mocksView) startAtLaunch() {
	err := v.start(strings.TrimSpace(v.server.addr.Text))
	var busy *mock.PortInUseError
	if errors.As(err, &busy) && busy.Free > 0 {
		alt := fmt.Sprintf("%s:%d", busy.Host, busy.Free)
		v.log(fmt.Sprintf("Port %d is taken; serving mocks on %d instead.", busy.Port, busy.Free))
		v.server.addr.SetText(alt)
		err = v.start(alt)
	}
	if err != nil {
		v.logError("The mocks could not be served: " + err.Error() + "; pick another address in the Mocks view.")
	}
	v.syncStatus()
}

// start serves the mocks at addr and makes every connection resolve again
// (a connection's client holds the URL it was made with).
func (v *mocksView) start(addr string) error {
	if err := v.srv.Start(context.Background(), addr); err != nil {
		return err
	}
	v.resetConnections()
	v.log("Serving mocks on " + v.srv.URL() + ".")
	slog.Info("serving mocks", "url", v.srv.URL()) // the app's log too: scripts/journeys.sh reads the address
	return nil
}

// setServing is the "Serve mocks" switch. A busy port is reported with
// the free one the server offers, a button away.
func (v *mocksView) setServing(on bool) {
	v.usePort.Hide()
	err := v.server.set(on)
	var busy *mock.PortInUseError
	switch {
	case !on:
		if err != nil {
			v.logError("Stop the mock server: " + err.Error())
		}
		v.log("Stopped serving mocks; connections with \"use mock\" on will fail until they are served again.")
	case err != nil:
		if errors.As(err, &busy) && busy.Free > 0 {
			v.freeAt = fmt.Sprintf("%s:%d", busy.Host, busy.Free)
			v.usePort.SetText("Use port " + fmt.Sprint(busy.Free))
			v.usePort.Show()
		}
		v.logError("Mocks: " + err.Error())
	}
	v.syncStatus()
}

// syncStatus shows whether the server runs, where, and the switch's state.
func (v *mocksView) syncStatus() {
	url := v.srv.URL()
	v.server.sync()
	if url == "" {
		v.status.SetText(fmt.Sprintf("Stopped. %d mocks stored.", len(v.list.items)))
		return
	}
	v.status.SetText(fmt.Sprintf("Serving %d mocks at %s/<mock name>.", len(v.list.items), url))
}

// chatbotPresetInteractive asks for a name and what the chatbot answers
// (a fixed returnValue or a CEL rule over the payload) and stores the
// preset mock.
func (v *mocksView) chatbotPresetInteractive() {
	name := newDialogLine()
	name.SetText(uniqueName("chatbot", urlSep, v.taken))
	mode := widget.NewRadioGroup([]string{presetValue, presetRule}, nil)
	mode.SetSelected(presetValue)
	value := newDialogLine()
	value.SetText("vip")
	value.SetPlaceHolder(`the returnValue, e.g. vip`)
	errL := errorLabel()
	value.OnChanged = func(s string) {
		if mode.Selected == presetRule {
			setError(errL, errText(checkMockBodies(mock.ChatbotRulePreset("check", s))))
		}
	}
	mode.OnChanged = func(s string) {
		if s == presetRule {
			value.SetText(`has(request.body.chatId) && request.body.chatId.startsWith("vip") ? "vip" : "standard"`)
		} else {
			value.SetText("vip")
			setError(errL, "")
		}
	}
	items := []*widget.FormItem{
		widget.NewFormItem("Name", name),
		widget.NewFormItem("Answer", mode),
		widget.NewFormItem("Value or rule", container.NewVBox(value, errL)),
	}
	showForm("Chatbot mock preset", "Add", items, func(ok bool) {
		if !ok {
			return
		}
		if err := v.addChatbotPreset(strings.TrimSpace(name.Text), mode.Selected == presetRule, value.Text); err != nil {
			v.showError(err)
		}
	}, v.win)
}

const (
	presetValue = "A fixed returnValue"
	presetRule  = "A CEL rule over the payload"
)

// addChatbotPreset stores a mock answering the chatbot contract with value
// (or, with rule, the CEL expression's result).
func (v *mocksView) addChatbotPreset(name string, rule bool, value string) error {
	m := mock.ChatbotPreset(name, value)
	if rule {
		m = mock.ChatbotRulePreset(name, value)
	}
	if err := v.store(m, ""); err != nil {
		return err
	}
	v.log(fmt.Sprintf("Added chatbot mock %q; point a connection at it with \"use mock\" and call POST %s.", name, mock.ChatbotPath))
	return nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// importMocks stores every mock of a mocks file, replacing stored mocks of
// the same names; the file is checked whole first, so a bad file stores
// nothing.
func (v *mocksView) importMocks(data []byte, from string) error {
	mf, err := flow.DecodeMocks(data)
	if err != nil {
		return fmt.Errorf("import %s: %w", from, err)
	}
	incoming := map[string]bool{}
	all := append([]flow.Mock(nil), mf.Mocks...)
	for _, m := range mf.Mocks {
		incoming[m.Name] = true
	}
	for _, m := range v.list.items {
		if !incoming[m.Name] {
			all = append(all, m)
		}
	}
	if ps := flow.ValidateMocks(all); ps.HasErrors() {
		return fmt.Errorf("import %s: nothing was imported:\n%w", from, ps)
	}
	for _, m := range mf.Mocks {
		if err := checkMockBodies(m); err != nil {
			return fmt.Errorf("import %s: nothing was imported: %w", from, err)
		}
	}
	for _, m := range mf.Mocks {
		if err := v.mockStore.SaveMock(v.ctx, m); err != nil {
			v.reload()
			return fmt.Errorf("import %s: mock %q: %w", from, m.Name, err)
		}
	}
	v.reload()
	v.log(fmt.Sprintf("Imported %d mocks from %s.", len(mf.Mocks), from))
	return nil
}

// exportMocks is the stored mocks as a mocks file (secrets stay references).
func (v *mocksView) exportMocks() ([]byte, error) {
	return flow.EncodeMocks(&flow.MocksFile{Format: flow.Format, Mocks: v.list.items})
}

func (v *mocksView) importInteractive() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, flow.MaxMocksFileBytes+1)) // DecodeMocks refuses more than the cap
		if err == nil {
			err = v.importMocks(data, r.URI().Name())
		}
		if err != nil {
			v.showError(err)
		}
	}, v.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	showDialog(d, v.win)
}

func (v *mocksView) exportInteractive() {
	data, err := v.exportMocks()
	if err != nil {
		v.showError(fmt.Errorf("export the mocks: %w", err))
		return
	}
	n := len(v.list.items)
	saveFileDialog(v.win, "flowbench.mocks.json", "export the mocks", writeBytes(data),
		func(path string) { v.log(fmt.Sprintf("Exported %d mocks to %s.", n, path)) }, v.showError)
}
