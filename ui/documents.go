package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// The window's actions on flow documents besides open and save (app.go):
// rename, duplicate, delete, import, export, restore a version. The Flows
// view, the menu and tests call them.

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

// DuplicateFlow saves a copy of the open document (with its unsaved edits)
// under "<name> copy" as a new flow and opens the copy. The original keeps
// its unsaved edits in its draft.
func (a *App) DuplicateFlow() error {
	cp := editor.Clone(a.ed.Flow())
	cp.ID, cp.Version = "", 0
	cp.Name = copyName(strings.TrimSpace(cp.Name), nameSep, a.flows.nameTaken)
	if _, err := a.opts.Store.SaveFlow(a.ctx, cp); err != nil {
		return fmt.Errorf("duplicate flow %q: %w", a.ed.Flow().Name, err)
	}
	a.flushDraft()
	a.load(cp)
	a.flows.reload()
	a.console.log(fmt.Sprintf("Saved a copy as %q.", cp.Name))
	return nil
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
	a.offerTidy()
	for _, p := range ps {
		a.console.log("Imported with a warning: " + p.String())
	}
	return nil
}

// ExportFlow encodes the open document as a flow file: with the flow's GUID
// id (a new one for a flow never saved), so runs of the file have the app's
// flow.id, and without the store's version. An import ignores the id.
func (a *App) ExportFlow() ([]byte, error) {
	f := editor.Clone(a.ed.Flow())
	f.ID, f.Version = a.flowOrDocID(), 0
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
