package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// addShortcuts registers the editing keys on the window's canvas; the main
// menu carries the same shortcuts, which the desktop driver prefers even
// while an entry has the focus. The driver reports Ctrl+Z as ShortcutUndo
// and Ctrl+Y as ShortcutRedo, and Ctrl+Shift+Z as a custom shortcut.
func (a *App) addShortcuts() {
	c := a.w.Canvas()
	mod := fyne.KeyModifierShortcutDefault
	c.AddShortcut(&fyne.ShortcutUndo{}, func(fyne.Shortcut) { a.Undo() })
	c.AddShortcut(&fyne.ShortcutRedo{}, func(fyne.Shortcut) { a.Redo() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: mod | fyne.KeyModifierShift}, func(fyne.Shortcut) { a.Redo() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: mod}, func(fyne.Shortcut) { a.saveInteractive() })
	a.addViewShortcuts()
	c.AddShortcut(sendShortcut, func(fyne.Shortcut) { a.sendOrTest() })
	c.AddShortcut(sendKeypadShortcut, func(fyne.Shortcut) { a.sendOrTest() })
	c.AddShortcut(newTabShortcut, func(fyne.Shortcut) { a.newRequestTab() })
}

// mainMenu is the window's menu bar.
func (a *App) mainMenu() *fyne.MainMenu {
	mod := fyne.KeyModifierShortcutDefault
	item := func(label string, sc fyne.Shortcut, fn func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, fn)
		it.Shortcut = sc
		return it
	}
	file := fyne.NewMenu("File",
		item("New flow", newFlowShortcut, func() { a.confirmLeave(a.NewFlow) }),
		item("Save", &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: mod}, a.saveInteractive),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Import flow file…", a.flows.importDialog),
		fyne.NewMenuItem("Export flow file…", a.flows.exportDialog),
		fyne.NewMenuItem("Import demo pack…", a.importDemoPackDialog),
		fyne.NewMenuItem("Export demo pack…", a.exportDemoPackDialog),
		fyne.NewMenuItem("Version history…", a.flows.historyDialog),
		fyne.NewMenuItem("Import cURL…", a.importCurlDialog),
		fyne.NewMenuItemSeparator(),
		quitItem(a.Quit),
	)
	edit := fyne.NewMenu("Edit",
		item("Undo", &fyne.ShortcutUndo{}, a.Undo),
		item("Redo", &desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: mod | fyne.KeyModifierShift}, a.Redo),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Delete selection", func() {
			if err := a.ed.DeleteSelection(); err != nil {
				a.console.logError(err.Error())
			}
		}),
	)
	view := fyne.NewMenu("View",
		fyne.NewMenuItem("Zoom in", a.cv.ZoomIn),
		fyne.NewMenuItem("Zoom out", a.cv.ZoomOut),
		fyne.NewMenuItem("Fit to window", a.fitFlow),
		a.presenterItem(),
		a.cov.item,
		fyne.NewMenuItem("Compare runs…", a.compareRunsDialog),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Light theme", func() { a.SetTheme(themeLight) }),
		fyne.NewMenuItem("Dark theme", func() { a.SetTheme(themeDark) }),
		fyne.NewMenuItem("Follow the system theme", func() { a.SetTheme(themeSystem) }),
	)
	// The menu carries Ctrl+Enter so that it sends from any field: the
	// driver gives a focused entry the shortcuts the menu does not have.
	// The keypad's Enter is another key (KeyEnter, the main one KeyReturn),
	// so it has its own item (last: the items above keep their places).
	request := fyne.NewMenu("Request",
		item("Send (Test the selected call on the canvas)", sendShortcut, a.sendOrTest),
		item("New request tab", newTabShortcut, a.newRequestTab),
		fyne.NewMenuItem("Import cURL…", a.importCurlDialog),
		item("Send (keypad Enter)", sendKeypadShortcut, a.sendOrTest),
	)
	return fyne.NewMainMenu(file, edit, view, request, a.goMenu(), a.helpMenu())
}

// quitItem is File > Quit (Ctrl+Q): marked IsQuit, so Fyne does not add its
// own Quit, which would end the app without keeping the draft.
func quitItem(quit func()) *fyne.MenuItem {
	it := fyne.NewMenuItem("Quit", quit)
	it.IsQuit = true
	it.Shortcut = quitShortcut
	return it
}
