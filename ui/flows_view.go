package ui

import (
	"fmt"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// flowsView is the sidebar's list of stored flows with the actions on them:
// new, rename, duplicate, delete, import, export and version history.
type flowsView struct {
	shell
	store FlowStore
	docs  flowDocs
	// items are the stored flows as last listed: the list's rows.
	items []storage.FlowSummary
	list  *itemList[storage.FlowSummary]
	box   fyne.CanvasObject
}

// flowDocs is what the Flows view asks of the window: which flow is open,
// and the actions on documents (documents.go). *App is one.
type flowDocs interface {
	FlowID() string
	flowName() string
	// confirmLeave runs then once the open document may be replaced.
	confirmLeave(then func())
	Open(id string) error
	NewFlow()
	RenameFlow(name string) error
	DuplicateFlow() error
	DeleteFlow() error
	ImportFlow(data []byte) error
	ExportFlow() ([]byte, error)
	RestoreVersion(version int) error
	// flowsListed tells the window the stored flows were listed again
	// (the toolbar's picker, the triggers).
	flowsListed()
}

func newFlowsView(sh shell, store FlowStore, docs flowDocs) *flowsView {
	v := &flowsView{shell: sh, store: store, docs: docs}
	v.list = newItemList(func(s *storage.FlowSummary) string { return fmt.Sprintf("%s  (v%d)", s.Name, s.Version) })
	v.list.OnSelected = func(_ int, s storage.FlowSummary) {
		if s.ID == docs.FlowID() {
			return
		}
		docs.confirmLeave(func() {
			if err := docs.Open(s.ID); err != nil {
				v.showError(err)
			}
		})
		v.markOpen(docs.FlowID())
	}
	actions, _ := actionGrid(sh.tips, 2,
		action{"New", theme.ContentAddIcon(), "Start a new, empty flow", func() { docs.confirmLeave(docs.NewFlow) }},
		action{"Rename", theme.DocumentCreateIcon(), "Rename the open flow", v.renameDialog},
		action{"Copy", theme.ContentCopyIcon(), "Save a copy of the open flow (Duplicate)", v.duplicate},
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
	items, err := v.store.ListFlows(v.ctx)
	if err != nil {
		v.logError("Could not list the flows: " + err.Error())
		return
	}
	v.items = items
	v.list.set(items)
	v.markOpen(v.docs.FlowID())
	v.docs.flowsListed()
}

// markOpen highlights the open flow in the list.
func (v *flowsView) markOpen(id string) {
	v.list.selectWhere(func(s *storage.FlowSummary) bool { return s.ID == id })
}

// nameTaken reports whether a stored flow is called name.
func (v *flowsView) nameTaken(name string) bool {
	return takenIn(v.items, func(s *storage.FlowSummary) string { return s.Name })(name)
}

// renameDialog asks for a new name for the open flow. The rename is an
// edit (it can be undone) and is saved at once.
func (v *flowsView) renameDialog() {
	entry := newDialogLine()
	entry.SetText(v.docs.flowName())
	showForm("Rename flow", "Rename", []*widget.FormItem{widget.NewFormItem("Name", entry)}, func(ok bool) {
		if ok {
			if err := v.docs.RenameFlow(entry.Text); err != nil {
				v.showError(err)
			}
		}
	}, v.win)
}

// duplicate saves a copy of the open document as a new flow and opens it.
func (v *flowsView) duplicate() {
	if err := v.docs.DuplicateFlow(); err != nil {
		v.showError(err)
	}
}

// deleteDialog asks before deleting the open flow.
func (v *flowsView) deleteDialog() {
	if v.docs.FlowID() == "" {
		v.docs.confirmLeave(v.docs.NewFlow)
		return
	}
	name := v.docs.flowName()
	showConfirm("Delete flow", fmt.Sprintf("Delete %q and all its versions? Its past runs stay in the run history. This cannot be undone.", name),
		"Delete", func(ok bool) {
			if ok {
				if err := v.docs.DeleteFlow(); err != nil {
					v.showError(err)
				}
			}
		}, v.win)
}

// importDialog picks a flow file and imports it.
func (v *flowsView) importDialog() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			v.showError(err)
			return
		}
		if r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, flow.MaxFlowFileBytes+1)) // DecodeFlow refuses more than the cap
		if err != nil {
			v.showError(fmt.Errorf("read %s: %w", r.URI().Name(), err))
			return
		}
		v.docs.confirmLeave(func() {
			if err := v.docs.ImportFlow(data); err != nil {
				v.showError(err)
			}
		})
	}, v.win)
	d.SetFilter(fstorage.NewExtensionFileFilter([]string{".json"}))
	showDialog(d, v.win)
}

// exportDialog writes the open flow to a file the person picks.
func (v *flowsView) exportDialog() {
	data, err := v.docs.ExportFlow()
	if err != nil {
		v.showError(err)
		return
	}
	name := v.docs.flowName()
	saveFileDialog(v.win, fileNameFor(name)+".flow.json", "export", writeBytes(data),
		func(path string) { v.log(fmt.Sprintf("Exported %q to %s.", name, path)) }, v.showError)
}

// historyDialog lists the stored versions of the open flow; restoring one
// is an edit of the open document (undoable), saved as a new version.
func (v *flowsView) historyDialog() {
	id, name := v.docs.FlowID(), v.docs.flowName()
	if id == "" {
		showDialog(dialog.NewInformation("Version history", "This flow has not been saved yet, so it has no versions.", v.win), v.win)
		return
	}
	versions, err := v.store.FlowVersions(v.ctx, id)
	if err != nil {
		v.showError(fmt.Errorf("list the versions of %q: %w", name, err))
		return
	}
	list := newItemList(func(fv *storage.FlowVersion) string {
		return fmt.Sprintf("v%d  %s  %s", fv.Version, fv.SavedAt.Local().Format("2006-01-02 15:04"), fv.Name)
	})
	list.set(versions)
	d := dialog.NewCustomConfirm("Versions of "+name, "Restore", "Close",
		container.NewGridWrap(fyne.NewSize(460, 260), list.object()), func(ok bool) {
			if fv, picked := list.selected(); ok && picked {
				if err := v.docs.RestoreVersion(fv.Version); err != nil {
					v.showError(err)
				}
			}
		}, v.win)
	showDialog(d, v.win)
}
