package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// viewKeys are the sidebar views in the order of their shortcuts: Ctrl+1
// is Flows, Ctrl+2 Connections and so on. A view the window leaves out
// (no history store, no mock server) keeps its number, unused.
var viewKeys = []struct {
	key  fyne.KeyName
	view string
}{
	{fyne.Key1, "Flows"},
	{fyne.Key2, "Connections"},
	{fyne.Key3, "Runs"},
	{fyne.Key4, "Events"},
	{fyne.Key5, "Mocks"},
	{fyne.Key6, "Requests"},
	{fyne.Key7, sendView},
}

// keyHelp is every keyboard shortcut of the window, as the Help menu and
// the README list them. Ctrl is Cmd on macOS.
var keyHelp = [][2]string{
	{"Ctrl+1 … Ctrl+7", "Show Flows, Connections, Runs, Events, Mocks, Requests, Send (the request workspace)"},
	{"Ctrl+N", "New flow"},
	{"F5, Ctrl+R", "Run the flow again with the Run dialog's last choice (payload, mocks, environment)"},
	{"Space, Right arrow", "Next step of a run paused at a breakpoint (on the canvas); its card pulses while it waits"},
	{"F5 (while paused)", "Continue the paused run to its end (breakpoints aside)"},
	{"Ctrl+B", "Branch coverage: colour each port by whether runs of the saved version took it, list the ones never taken"},
	{"F11", "Presenter mode: full screen, the flow large, the latest step and decision over it; F11 or Escape leaves it"},
	{"Ctrl+Q", "Quit (asks first when edits would be lost)"},
	{"Ctrl+S", "Save the flow"},
	{"Ctrl+Z", "Undo"},
	{"Ctrl+Shift+Z, Ctrl+Y", "Redo"},
	{"Ctrl+Enter", "Send the request (in Send, from any field; either Enter key, the keypad's too); test the selected call (on the canvas)"},
	{"Ctrl+T", "New request tab (in Send)"},
	{"Ctrl+Space", "Complete an expression (in an expression field)"},
	{"Delete, Backspace", "Delete the selection (on the canvas)"},
	{"Arrow keys", "Move the selection (on the canvas)"},
	{"Escape", "Clear the selection (on the canvas); close the comparison of two runs"},
	{"Tab, Ctrl+K", "Quick-add: search the node kinds and presets, Enter adds one after the selection or at the pointer (on the canvas)"},
	{"Shift+click, Ctrl+click", "Add a card to the selection, or take it out"},
	{"Shift+drag", "Select the cards in a rectangle"},
	{"Ctrl+A", "Select every node (on the canvas)"},
	{"Ctrl+C, Ctrl+X, Ctrl+V", "Copy, cut, paste the selected nodes as flow JSON (on the canvas)"},
	{"Ctrl+D", "Duplicate the selected nodes (on the canvas)"},
	{"Ctrl+Shift+L", "Tidy the layout"},
	{"Ctrl+wheel", "Zoom the canvas"},
}

// newFlowShortcut is Ctrl+N (Cmd+N on macOS).
var newFlowShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}

// quitShortcut is Ctrl+Q (Cmd+Q on macOS).
var quitShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}

// viewShortcut is Ctrl+digit for the i-th view of viewKeys.
func viewShortcut(i int) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: viewKeys[i].key, Modifier: fyne.KeyModifierShortcutDefault}
}

// addViewShortcuts registers Ctrl+1 … Ctrl+7, Ctrl+N and Ctrl+Q on the window's
// canvas (the menu carries them too, see goMenu and the File menu).
func (a *App) addViewShortcuts() {
	c := a.w.Canvas()
	for i := range viewKeys {
		view := viewKeys[i].view
		c.AddShortcut(viewShortcut(i), func(fyne.Shortcut) { a.sidebar.showNamed(view) })
	}
	c.AddShortcut(newFlowShortcut, func(fyne.Shortcut) { a.confirmLeave(a.NewFlow) })
	c.AddShortcut(quitShortcut, func(fyne.Shortcut) { a.Quit() })
	c.AddShortcut(rerunShortcut, func(fyne.Shortcut) { a.RunAgain() })
	c.AddShortcut(coverageShortcut, func(fyne.Shortcut) { a.cov.toggle() })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { _ = a.compareKey(ev) || a.runKey(ev) })
	a.cv.OnKey = func(ev *fyne.KeyEvent) bool { return a.compareKey(ev) || a.runKey(ev) }
}

// goMenu lists the sidebar's views with their shortcuts.
func (a *App) goMenu() *fyne.Menu {
	var items []*fyne.MenuItem
	for i := range viewKeys {
		view := viewKeys[i].view
		it := fyne.NewMenuItem(view, func() { a.sidebar.showNamed(view) })
		it.Shortcut = viewShortcut(i)
		items = append(items, it)
	}
	return fyne.NewMenu("Go", items...)
}

// helpMenu offers the list of keyboard shortcuts.
func (a *App) helpMenu() *fyne.Menu {
	return fyne.NewMenu("Help", fyne.NewMenuItem("Keyboard shortcuts", a.showShortcuts))
}

// showShortcuts opens a dialog that lists keyHelp.
func (a *App) showShortcuts() {
	grid := container.NewGridWithColumns(2)
	for _, k := range keyHelp {
		key := widget.NewLabel(k[0])
		key.TextStyle = fyne.TextStyle{Bold: true}
		grid.Add(key)
		grid.Add(widget.NewLabel(k[1]))
	}
	d := dialog.NewCustom("Keyboard shortcuts", "Close", container.NewVScroll(grid), a.w)
	d.Resize(fyne.NewSize(620, 480))
	showDialog(d, a.w)
}
