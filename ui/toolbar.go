package ui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
	fbcanvas "github.com/flowbench/flowbench/ui/canvas"
)

// toolbar is the row along the top: flow picker, save, undo, redo, run,
// stop, zoom and theme.
type toolbar struct {
	a          *App
	flowPicker *widget.Select
	pickerIDs  []string
	save       *tipButton
	undo, redo *tipButton
	run, stop  *tipButton
	activity   *widget.Activity // turns while a run goes on
	envSel     *widget.Select
	themeSel   *widget.Select
	row        *overflowRow
	box        fyne.CanvasObject
	syncing    bool
	// shown is what the pickers show, so that an update that changes
	// nothing there (every keystroke updates the toolbar) costs nothing:
	// a Select laid out again shapes its text anew.
	shown struct {
		flows    []string
		flow     int
		envs     []string
		env      string
		hasFlows bool
	}
}

func newToolbar(a *App) *toolbar {
	t := &toolbar{a: a}
	tips := a.tips
	t.flowPicker = widget.NewSelect(nil, func(string) {
		if t.syncing {
			return
		}
		i := t.flowPicker.SelectedIndex()
		if i < 0 || i >= len(t.pickerIDs) || t.pickerIDs[i] == a.flowID {
			return
		}
		id := t.pickerIDs[i]
		a.confirmLeave(func() {
			if err := a.Open(id); err != nil {
				a.showError(err)
			}
		})
		t.syncPicker()
	})
	t.flowPicker.PlaceHolder = "Open a flow…"
	t.save = newTipButton("Save", theme.DocumentSaveIcon(), tips, "Save a new version of this flow (Ctrl+S)", a.saveInteractive)
	t.undo = newTipButton("", theme.ContentUndoIcon(), tips, "Undo (Ctrl+Z)", a.Undo)
	t.redo = newTipButton("", theme.ContentRedoIcon(), tips, "Redo (Ctrl+Shift+Z)", a.Redo)
	sep := func() overflowItem { return plainItem(widget.NewSeparator()) }
	items := []overflowItem{
		selectItem(container.NewGridWrap(fyne.NewSize(240, t.flowPicker.MinSize().Height), t.flowPicker), "Open flow", t.flowPicker),
		buttonItem(t.save, "Save"), sep(), buttonItem(t.undo, "Undo"), buttonItem(t.redo, "Redo"), sep(),
	}
	if a.opts.Runner != nil {
		t.run = newTipButton("Run", theme.MediaPlayIcon(), tips, "Run this flow on the local engine with a trigger payload", a.runInteractive)
		t.stop = newTipButton("Stop", theme.MediaStopIcon(), tips, "Stop the run in progress", a.StopRun)
		t.activity = widget.NewActivity()
		t.activity.Hide()
		t.envSel = widget.NewSelect(nil, func(s string) {
			if !t.syncing {
				a.envs.pick(s)
			}
		})
		envEdit := newTipButton("", theme.SettingsIcon(), tips, "Edit the environments (named sets of variables, env in expressions)", a.editEnvironments)
		items = append(items, buttonItem(t.run, "Run"), buttonItem(t.stop, "Stop"), plainItem(t.activity), sep(),
			plainItem(widget.NewLabel("Env")), selectItem(container.NewGridWrap(fyne.NewSize(140, t.envSel.MinSize().Height), t.envSel), "Environment", t.envSel),
			buttonItem(envEdit, "Edit environments…"), sep())
	}
	items = append(items,
		buttonItem(newTipButton("Tidy", theme.GridIcon(), tips, "Tidy the layout: layers from left to right (Ctrl+Shift+L)", a.Tidy), "Tidy layout"),
		buttonItem(newTipButton("", theme.ZoomOutIcon(), tips, "Zoom out (-, or Ctrl+scroll)", a.cv.ZoomOut), "Zoom out"),
		buttonItem(newTipButton("", theme.ZoomInIcon(), tips, "Zoom in (+, or Ctrl+scroll)", a.cv.ZoomIn), "Zoom in"),
		buttonItem(newTipButton("", theme.ViewFullScreenIcon(), tips, "Fit the flow to the window", a.fitFlow), "Fit to window"),
	)
	t.themeSel = widget.NewSelect([]string{themeSystem, themeLight, themeDark}, func(s string) {
		if !t.syncing {
			a.SetTheme(s)
		}
	})
	t.syncing = true
	t.themeSel.SetSelected(a.themeChoice())
	t.syncing = false
	items = append(items, sep(), plainItem(widget.NewLabel("Theme")), selectItem(t.themeSel, "Theme", t.themeSel))
	// below its width the row hides what does not fit behind a "more"
	// button (issue 13 item 4: at 1000 px "Theme" was drawn over the zoom
	// buttons, and the row forced the window wider than the screen)
	t.row = newOverflowRow(items...)
	t.box = container.NewVBox(t.row, widget.NewSeparator())
	return t
}

func (t *toolbar) object() fyne.CanvasObject { return t.box }

// update enables what can be used now and names the edit undo would revert.
func (t *toolbar) update() {
	ed := t.a.ed
	setEnabled(&t.undo.Button, ed.CanUndo())
	setEnabled(&t.redo.Button, ed.CanRedo())
	t.undo.Tip = "Undo (Ctrl+Z)"
	if l := ed.UndoLabel(); l != "" {
		t.undo.Tip = "Undo " + l + " (Ctrl+Z)"
	}
	t.redo.Tip = "Redo (Ctrl+Shift+Z)"
	if l := ed.RedoLabel(); l != "" {
		t.redo.Tip = "Redo " + l + " (Ctrl+Shift+Z)"
	}
	setEnabled(&t.save.Button, ed.Dirty() || t.a.flowID == "")
	if t.run != nil {
		setEnabled(&t.run.Button, !t.a.running)
		setEnabled(&t.stop.Button, t.a.running)
		if t.a.running {
			t.activity.Show()
			t.activity.Start()
		} else {
			t.activity.Stop()
			t.activity.Hide()
		}
		t.syncEnvs()
	}
	t.syncPicker()
}

// syncEnvs lists the environments and shows the picked one.
func (t *toolbar) syncEnvs() {
	opts := append([]string{noEnvironment}, t.a.envs.names()...)
	cur := orDefault(t.a.envs.current(), noEnvironment)
	if slices.Equal(opts, t.shown.envs) && cur == t.shown.env && t.envSel.Selected == cur {
		return
	}
	t.shown.envs, t.shown.env = opts, cur
	t.syncing = true
	defer func() { t.syncing = false }()
	t.envSel.SetOptions(opts)
	t.envSel.SetSelected(cur)
}

// syncPicker lists the stored flows and shows the open one.
func (t *toolbar) syncPicker() {
	items := t.a.flows.items
	names := make([]string, len(items))
	t.pickerIDs = make([]string, len(items))
	sel := -1
	for i, s := range items {
		names[i] = s.Name
		if countName(items, s.Name) > 1 {
			names[i] = fmt.Sprintf("%s (%s)", s.Name, shortID(s.ID))
		}
		t.pickerIDs[i] = s.ID
		if s.ID == t.a.flowID {
			sel = i
		}
	}
	if t.shown.hasFlows && slices.Equal(names, t.shown.flows) && sel == t.shown.flow && t.flowPicker.SelectedIndex() == sel {
		return
	}
	t.shown.flows, t.shown.flow, t.shown.hasFlows = names, sel, true
	t.syncing = true
	t.flowPicker.SetOptions(names)
	if sel >= 0 {
		t.flowPicker.SetSelectedIndex(sel)
	} else {
		t.flowPicker.ClearSelected()
	}
	t.syncing = false
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// newPalette is the row above the canvas that adds each node kind in the
// middle of the view (the canvas's right-click menu adds at the pointer).
func newPalette(a *App) fyne.CanvasObject {
	// the row opens with its search (a magnifier: quick-add, as Tab and
	// Ctrl+K on the canvas), then a button per kind
	items := []overflowItem{buttonItem(newTipButton("", theme.SearchIcon(), a.tips, "Search the node kinds and presets to add (Tab or Ctrl+K on the canvas)", a.cv.OpenQuickAdd), "Search nodes…")}
	for _, k := range flow.Kinds {
		b := newTipButton(kindTitle(k), fbcanvas.KindIcon(k), a.tips, kindTip(k), func() { a.AddNode(k) })
		items = append(items, buttonItem(b, fbcanvas.AddLabel(k)))
	}
	// the kinds that do not fit the canvas's width wait behind "more"
	return newOverflowRow(items...)
}

// AddNode adds a node of that kind in free space next to the selected
// node, or near the middle of the view, never on another card, selects it
// and pans it into view.
func (a *App) AddNode(k flow.NodeKind) string {
	id, err := a.ed.AddNode(k, a.cv.FreeSpot(k))
	if err != nil {
		a.console.logError(err.Error())
		return id
	}
	a.cv.Reveal(id)
	return id
}

// countName counts the stored flows called name, so the picker can tell
// namesakes apart by id.
func countName(items []storage.FlowSummary, name string) int {
	n := 0
	for _, s := range items {
		if s.Name == name {
			n++
		}
	}
	return n
}
