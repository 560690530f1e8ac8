package ui

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/ui/editor"
)

// flowsView is the sidebar's list of stored flows with the actions on them:
// new, rename, duplicate, delete, import, export and version history.
type flowsView struct {
	a *App
	// items are the stored flows as last listed: the list's rows.
	items []storage.FlowSummary
	list  *itemList[storage.FlowSummary]
	box   fyne.CanvasObject
}

func newFlowsView(a *App) *flowsView {
	v := &flowsView{a: a}
	v.list = newItemList(func(s *storage.FlowSummary) string { return fmt.Sprintf("%s  (v%d)", s.Name, s.Version) })
	v.list.OnSelected = func(_ int, s storage.FlowSummary) {
		if s.ID == a.flowID {
			return
		}
		a.confirmLeave(func() {
			if err := a.Open(s.ID); err != nil {
				a.showError(err)
			}
		})
		v.markOpen(a.flowID)
	}
	actions, _ := actionGrid(a.tips, 2,
		action{"New", theme.ContentAddIcon(), "Start a new, empty flow", func() { a.confirmLeave(a.NewFlow) }},
		action{"Rename", theme.DocumentCreateIcon(), "Rename the open flow", v.renameDialog},
		action{"Duplicate", theme.ContentCopyIcon(), "Save a copy of the open flow", v.duplicate},
		action{"Delete", theme.DeleteIcon(), "Delete the open flow and its versions", v.deleteDialog},
		action{"Import", theme.FolderOpenIcon(), "Import a .flow.json file", v.importDialog},
		action{"Export", theme.DownloadIcon(), "Export the open flow to a .flow.json file", v.exportDialog},
		action{"History", theme.HistoryIcon(), "Earlier versions of the open flow", v.historyDialog},
	)
	v.box = sidePane(nil, v.list.object(), actions)
	return v
}

func (v *flowsView) object() fyne.CanvasObject { return v.box }

// reload lists the stored flows again.
func (v *flowsView) reload() {
	items, err := v.a.opts.Store.ListFlows(v.a.ctx)
	if err != nil {
		v.a.console.logError("Could not list the flows: " + err.Error())
		return
	}
	v.items = items
	v.list.set(items)
	v.markOpen(v.a.flowID)
	if v.a.bar != nil {
		v.a.bar.syncPicker()
	}
	v.a.reloadTriggers()
}

// markOpen highlights the open flow in the list.
func (v *flowsView) markOpen(id string) {
	v.list.selectWhere(func(s *storage.FlowSummary) bool { return s.ID == id })
}

// renameDialog asks for a new name for the open flow. The rename is an
// edit (it can be undone) and is saved at once.
func (v *flowsView) renameDialog() {
	a := v.a
	entry := widget.NewEntry()
	entry.SetText(a.ed.Flow().Name)
	showForm("Rename flow", "Rename", []*widget.FormItem{widget.NewFormItem("Name", entry)}, func(ok bool) {
		if ok {
			if err := a.RenameFlow(entry.Text); err != nil {
				a.showError(err)
			}
		}
	}, a.w)
}

// RenameFlow renames the open flow and saves it.
func (a *App) RenameFlow(name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("a flow needs a name; type one")
	}
	if err := a.ed.Edit("Rename flow", func(f *flow.Flow) error { f.Name = name; return nil }); err != nil {
		return err
	}
	return a.Save()
}

// duplicate saves a copy of the open document as a new flow and opens it.
func (v *flowsView) duplicate() {
	if err := v.a.DuplicateFlow(); err != nil {
		v.a.showError(err)
	}
}

// DuplicateFlow saves a copy of the open document (with its unsaved edits)
// under "<name> copy" as a new flow and opens the copy. The original keeps
// its unsaved edits in its draft.
func (a *App) DuplicateFlow() error {
	cp := editor.Clone(a.ed.Flow())
	cp.ID, cp.Version = "", 0
	cp.Name = copyName(strings.TrimSpace(cp.Name), nameSep, takenIn(a.flows.items, func(s *storage.FlowSummary) string { return s.Name }))
	if _, err := a.opts.Store.SaveFlow(a.ctx, cp); err != nil {
		return fmt.Errorf("duplicate flow %q: %w", a.ed.Flow().Name, err)
	}
	a.flushDraft()
	a.load(cp)
	a.flows.reload()
	a.console.log(fmt.Sprintf("Saved a copy as %q.", cp.Name))
	return nil
}

// deleteDialog asks before deleting the open flow.
func (v *flowsView) deleteDialog() {
	a := v.a
	if a.flowID == "" {
		a.confirmLeave(a.NewFlow)
		return
	}
	name := a.ed.Flow().Name
	showConfirm("Delete flow", fmt.Sprintf("Delete %q and all its versions? Its past runs stay in the run history. This cannot be undone.", name),
		"Delete", func(ok bool) {
			if ok {
				if err := a.DeleteFlow(); err != nil {
					a.showError(err)
				}
			}
		}, a.w)
}

// DeleteFlow deletes the open flow from the store (with its draft) and
// opens an empty flow.
func (a *App) DeleteFlow() error {
	if a.flowID == "" {
		a.NewFlow()
		return nil
	}
	name := a.ed.Flow().Name
	if err := a.opts.Store.DeleteFlow(a.ctx, a.flowID); err != nil {
		return fmt.Errorf("delete flow %q: %w", name, err)
	}
	a.stopDraftTimer()
	a.removeDraft(a.draftPath())
	a.load(nil)
	a.flows.reload()
	a.console.log(fmt.Sprintf("Deleted %q.", name))
	return nil
}

// importDialog picks a flow file and imports it.
func (v *flowsView) importDialog() {
	a := v.a
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			a.showError(err)
			return
		}
		if r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, flow.MaxFlowFileBytes+1)) // DecodeFlow refuses more than the cap
		if err != nil {
			a.showError(fmt.Errorf("read %s: %w", r.URI().Name(), err))
			return
		}
		a.confirmLeave(func() {
			if err := a.ImportFlow(data); err != nil {
				a.showError(err)
			}
		})
	}, a.w)
	d.SetFilter(fstorage.NewExtensionFileFilter([]string{".json"}))
	showDialog(d, a.w)
}

// ImportFlow decodes a flow file (docs/flow-format.md), checks it, stores it as
// a new flow and opens it. A file that does not decode, breaks a rule of
// the format or holds an expression that does not compile is refused with
// every problem, and nothing changes: not the store, not the open flow.
func (a *App) ImportFlow(data []byte) error {
	f, err := flow.DecodeFlow(data)
	if err != nil {
		return err
	}
	ps := mergeProblems(flow.Validate(f), expressionProblems(a.checker, f, nil))
	if ps.HasErrors() {
		return ps
	}
	f.ID, f.Version = "", 0
	if _, err := a.opts.Store.SaveFlow(a.ctx, f); err != nil {
		return fmt.Errorf("import flow %q: %w", f.Name, err)
	}
	a.flushDraft()
	a.load(f)
	a.flows.reload()
	a.console.log(fmt.Sprintf("Imported %q.", f.Name))
	for _, p := range ps {
		a.console.log("Imported with a warning: " + p.String())
	}
	return nil
}

// exportDialog writes the open flow to a file the person picks.
func (v *flowsView) exportDialog() {
	a := v.a
	data, err := a.ExportFlow()
	if err != nil {
		a.showError(err)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			a.showError(err)
			return
		}
		if w == nil {
			return
		}
		_, werr := w.Write(data)
		cerr := w.Close()
		if werr == nil {
			werr = cerr
		}
		if werr != nil {
			a.showError(fmt.Errorf("export to %s: %w", w.URI().Path(), werr))
			return
		}
		a.console.log(fmt.Sprintf("Exported %q to %s.", a.ed.Flow().Name, w.URI().Path()))
	}, a.w)
	d.SetFileName(fileNameFor(a.ed.Flow().Name) + ".flow.json")
	showDialog(d, a.w)
}

// ExportFlow encodes the open document as a flow file: without the store's
// id and version, so the file is the same wherever it is imported.
func (a *App) ExportFlow() ([]byte, error) {
	f := editor.Clone(a.ed.Flow())
	f.ID, f.Version = "", 0
	data, err := flow.EncodeFlow(f)
	if err != nil {
		return nil, fmt.Errorf("export flow %q: %w", f.Name, err)
	}
	return data, nil
}

// fileNameFor turns a flow name into a file name: lower case, dashes.
func fileNameFor(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" {
		s = "flow"
	}
	return filepath.Base(s)
}

// historyDialog lists the stored versions of the open flow; restoring one
// is an edit of the open document (undoable), saved as a new version.
func (v *flowsView) historyDialog() {
	a := v.a
	if a.flowID == "" {
		showDialog(dialog.NewInformation("Version history", "This flow has not been saved yet, so it has no versions.", a.w), a.w)
		return
	}
	versions, err := a.opts.Store.FlowVersions(a.ctx, a.flowID)
	if err != nil {
		a.showError(fmt.Errorf("list the versions of %q: %w", a.ed.Flow().Name, err))
		return
	}
	selected := -1
	list := widget.NewList(
		func() int { return len(versions) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			fv := versions[id]
			o.(*widget.Label).SetText(fmt.Sprintf("v%d  %s  %s", fv.Version, fv.SavedAt.Local().Format("2006-01-02 15:04"), fv.Name))
		})
	list.OnSelected = func(id widget.ListItemID) { selected = id }
	scroll := container.NewStack(list)
	d := dialog.NewCustomConfirm("Versions of "+a.ed.Flow().Name, "Restore", "Close",
		container.NewGridWrap(fyne.NewSize(460, 260), scroll), func(ok bool) {
			if ok && selected >= 0 && selected < len(versions) {
				if err := a.RestoreVersion(versions[selected].Version); err != nil {
					a.showError(err)
				}
			}
		}, a.w)
	showDialog(d, a.w)
}

// RestoreVersion replaces the open document with a stored version of it, as
// one undoable edit; saving makes it the newest version.
func (a *App) RestoreVersion(version int) error {
	old, err := a.opts.Store.FlowVersionDoc(a.ctx, a.flowID, version)
	if err != nil {
		return fmt.Errorf("restore version %d of %q: %w", version, a.ed.Flow().Name, err)
	}
	err = a.ed.Edit(fmt.Sprintf("Restore version %d", version), func(f *flow.Flow) error {
		id, v := f.ID, f.Version
		*f = *editor.Clone(old)
		f.ID, f.Version = id, v
		return nil
	})
	if err == nil {
		a.console.log(fmt.Sprintf("Restored version %d; save to keep it as the newest version.", version))
	}
	return err
}
