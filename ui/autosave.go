package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// A draft holds the unsaved edits of one flow on disk, written a moment
// after the last edit and removed on save, so a crash or a kill loses at
// most AutosaveDelay of work. Drafts live beside the database, not in it:
// they are not versions, and writing one must never fail a save.
type draft struct {
	// FlowID is the stored flow the edits apply to; "" for a flow never saved.
	FlowID string `json:"flowId,omitempty"`
	// BaseVersion is the stored version the edits started from.
	BaseVersion int        `json:"baseVersion,omitempty"`
	WrittenAt   time.Time  `json:"writtenAt"`
	Flow        *flow.Flow `json:"flow"`
}

const draftSuffix = ".draft.json"

// draftPath is the file the open document's draft goes to, "" when autosave
// is off.
func (a *App) draftPath() string {
	if a.opts.DraftDir == "" {
		return ""
	}
	name := a.flowID
	if name == "" {
		name = "unsaved"
	}
	return filepath.Join(a.opts.DraftDir, name+draftSuffix)
}

// scheduleDraft (re)starts the autosave timer after an edit. A clean
// document needs no draft: undoing back to the saved state removes it.
func (a *App) scheduleDraft() {
	if a.opts.DraftDir == "" {
		return
	}
	a.stopDraftTimer()
	if !a.ed.Dirty() {
		a.removeDraft(a.draftPath())
		return
	}
	a.draftStop = a.opts.AfterFunc(a.opts.AutosaveDelay, func() { a.opts.Do(a.writeDraft) })
}

func (a *App) stopDraftTimer() {
	if a.draftStop != nil {
		a.draftStop()
		a.draftStop = nil
	}
}

// flushDraft writes the draft now when there are unsaved edits: before the
// window closes or another flow is opened.
func (a *App) flushDraft() {
	a.stopDraftTimer()
	if a.opts.DraftDir != "" && a.ed.Dirty() {
		a.writeDraft()
	}
}

// writeDraft writes the open document's draft atomically (a temporary file
// renamed over the old one), so a crash during the write keeps the previous
// draft whole.
func (a *App) writeDraft() {
	a.draftStop = nil
	path := a.draftPath()
	if path == "" || !a.ed.Dirty() {
		return
	}
	data, err := json.MarshalIndent(draft{
		FlowID: a.flowID, BaseVersion: a.flowVersion, WrittenAt: time.Now(), Flow: a.ed.Flow(),
	}, "", "  ")
	if err == nil {
		err = writeFileAtomic(path, data)
	}
	if err != nil {
		a.console.logError(fmt.Sprintf("Could not write the autosave draft %s: %v. Save with Ctrl+S to keep your edits.", path, err))
	}
}

func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".draft-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return werr
	}
	return os.Rename(tmp.Name(), path)
}

func (a *App) removeDraft(path string) {
	if path == "" {
		return
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		a.console.logError(fmt.Sprintf("Could not remove the old draft %s: %v", path, err))
	}
}

func readDraft(path string) (*draft, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d draft
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("draft %s is damaged (%v); it was left in place", path, err)
	}
	if d.Flow == nil {
		return nil, fmt.Errorf("draft %s holds no flow; it was left in place", path)
	}
	return &d, nil
}

// recoverDraft opens the newest draft left in DraftDir, if any, and reports
// whether it did. The stored flow is loaded first and the draft applied as
// one edit, so Undo goes back to what was stored.
func (a *App) recoverDraft() bool {
	if a.opts.DraftDir == "" {
		return false
	}
	entries, err := os.ReadDir(a.opts.DraftDir)
	if err != nil {
		return false
	}
	var newest *draft
	var newestPath string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), draftSuffix) {
			continue
		}
		p := filepath.Join(a.opts.DraftDir, e.Name())
		d, err := readDraft(p)
		if err != nil {
			a.console.logError(err.Error())
			continue
		}
		if newest == nil || d.WrittenAt.After(newest.WrittenAt) {
			newest, newestPath = d, p
		}
	}
	if newest == nil {
		return false
	}
	if newest.FlowID != "" {
		f, err := a.opts.Store.Flow(a.ctx, newest.FlowID)
		if err != nil {
			a.console.logError(fmt.Sprintf("Found unsaved edits (%s) of a flow the store no longer has (%v); opening them as a new flow.", newestPath, err))
			a.load(nil)
		} else {
			a.load(f)
		}
	} else {
		a.load(nil)
	}
	a.applyDraft(newest, newestPath)
	return true
}

// applyDraft replaces the open document with the draft's as one undoable
// edit, and says so in the console.
func (a *App) applyDraft(d *draft, path string) {
	err := a.ed.Edit("Recover unsaved edits", func(f *flow.Flow) error {
		id, v := f.ID, f.Version
		*f = *d.Flow
		f.ID, f.Version = id, v
		return nil
	})
	if err != nil {
		a.console.logError(fmt.Sprintf("Could not apply the draft %s: %v", path, err))
		return
	}
	a.console.log(fmt.Sprintf("Recovered unsaved edits of %q written %s. Save (Ctrl+S) to keep them, or Undo to go back to the stored version.",
		d.Flow.Name, d.WrittenAt.Local().Format("2006-01-02 15:04:05")))
}

// openDraftFor applies the draft of the stored flow id, if one exists: the
// edits left when another flow was opened, or by a crash.
func (a *App) openDraftFor(id string) {
	if a.opts.DraftDir == "" || id == "" {
		return
	}
	path := filepath.Join(a.opts.DraftDir, id+draftSuffix)
	d, err := readDraft(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			a.console.logError(err.Error())
		}
		return
	}
	a.applyDraft(d, path)
}
