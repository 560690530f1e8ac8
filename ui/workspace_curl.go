package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/curl"
	"github.com/flowbench/flowbench/flow"
)

// uriEntry is the workspace's URI field: pasting a curl command into it
// imports the command into the tab instead of pasting its text.
type uriEntry struct {
	widget.Entry
	// onPaste is offered the pasted text; true means it took it.
	onPaste func(text string) bool
}

func newURIEntry() *uriEntry {
	e := &uriEntry{}
	e.Wrapping = fyne.TextWrapOff
	e.TextStyle = fyne.TextStyle{Monospace: true}
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut takes a pasted curl command.
func (e *uriEntry) TypedShortcut(s fyne.Shortcut) {
	if p, ok := s.(*fyne.ShortcutPaste); ok && p.Clipboard != nil && e.onPaste != nil {
		if e.onPaste(p.Clipboard.Content()) {
			return
		}
	}
	e.Entry.TypedShortcut(s)
}

// isCurlCommand reports whether text is a curl command rather than a URI.
func isCurlCommand(text string) bool {
	t := strings.TrimSpace(text)
	return strings.HasPrefix(t, "curl ") || strings.HasPrefix(t, "curl\t") || strings.HasPrefix(t, "curl\\\n")
}

// importCurl fills t with the request of the curl command cmd (curl.Parse,
// curl.ToRequest): the connection whose base URL the URL lies under, or the
// full URL. The command's credentials never go into a field: with a
// connection they become its sealed secrets; without one, a connection for
// the URL's host is offered to hold them. What the request cannot carry is
// listed in the status line.
func (w *workspace) importCurl(t *requestTab, cmd string) error {
	c, err := curl.Parse(cmd)
	if err != nil {
		return fmt.Errorf("import cURL: %w", err)
	}
	a := w.a
	im := curl.ToRequest(c, a.conns)
	call := im.Call()
	t.load(reqDraftOf(&call))
	var notes []string
	for _, n := range im.Unmapped {
		notes = append(notes, n.Arg+" ("+n.Reason+")")
	}
	say := func(msg string) {
		if len(notes) > 0 {
			msg += "\nNot imported: " + strings.Join(notes, "; ")
		}
		t.note(msg)
	}
	credentials := im.Auth != nil && len(im.Secrets) > 0
	switch {
	case im.Connection != "" && (credentials || im.Insecure):
		conn, err := a.opts.Store.Connection(a.ctx, im.Connection)
		if err != nil {
			return fmt.Errorf("import cURL: %w", err)
		}
		im.ApplyAuth(conn)
		if err := a.opts.Store.SaveConnection(a.ctx, *conn); err != nil {
			return fmt.Errorf("import cURL: keep the command's credentials on connection %q: %w", conn.Name, err)
		}
		a.refreshConnections()
		say(fmt.Sprintf("Imported on connection %q; the command's credentials are sealed as its secrets.", conn.Name))
	case im.Connection != "":
		say(fmt.Sprintf("Imported on connection %q.", im.Connection))
	case im.NewConnection != nil && credentials:
		say("Imported with the full URL; the command's credentials are not kept until a connection holds them.")
		w.offerConnection(t, cmd, im)
	default:
		say("Imported with the full URL: no connection has its base URL (create one in Connections to save it as a request).")
	}
	return nil
}

// offerConnection asks to create the connection im proposes, with the
// command's credentials sealed as its secrets, and then imports cmd again
// onto it.
func (w *workspace) offerConnection(t *requestTab, cmd string, im *curl.Import) {
	a := w.a
	nc := *im.NewConnection
	nc.Name = freeConnectionName(a.conns, nc.Name)
	msg := fmt.Sprintf("No connection has the base URL %s.\nCreate the connection %q (%s auth), with the command's credentials sealed as its secrets?", nc.BaseURL, nc.Name, nc.Auth.Type)
	d := dialog.NewConfirm("Create a connection?", msg, func(ok bool) {
		if !ok {
			return
		}
		im.ApplyAuth(&nc)
		if err := a.opts.Store.SaveConnection(a.ctx, nc); err != nil {
			a.showError(fmt.Errorf("create connection %q: %w", nc.Name, err))
			return
		}
		a.refreshConnections()
		if err := w.importCurl(t, cmd); err != nil {
			a.showError(err)
		}
	}, a.w)
	showDialog(d, a.w)
}

// freeConnectionName is name, or name-2, name-3… when a connection has it.
func freeConnectionName(conns []flow.Connection, name string) string {
	taken := func(n string) bool {
		for _, c := range conns {
			if c.Name == n {
				return true
			}
		}
		return false
	}
	out := name
	for i := 2; taken(out) && i < 1000; i++ {
		out = fmt.Sprintf("%s-%d", name, i)
	}
	return out
}

// importCurlDialog is File > Import cURL…: a box for the command, imported
// into a new tab of the workspace.
func (a *App) importCurlDialog() {
	box := newDialogText()
	box.TextStyle = fyne.TextStyle{Monospace: true}
	box.SetMinRowsVisible(6)
	box.SetPlaceHolder("curl https://api.example.com/v1/orders -H 'Accept: application/json'")
	d := dialog.NewCustomConfirm("Import cURL", "Import", "Cancel", box, func(ok bool) {
		if !ok || strings.TrimSpace(box.Text) == "" {
			return
		}
		a.sidebar.showNamed(sendView)
		t := a.work.current()
		if t == nil || t.dirty() || t.draft().URI != "" {
			t = a.work.newTab(nil)
		}
		if err := a.work.importCurl(t, box.Text); err != nil {
			a.showError(err)
		}
	}, a.w)
	d.Resize(fyne.NewSize(640, 320))
	showDialog(d, a.w)
}
