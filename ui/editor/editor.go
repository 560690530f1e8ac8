// Package editor holds the state of the flow editor as plain Go: the flow
// document, the selection, the undo and redo history, the dirty flag and the
// validation problems shown on nodes. Widgets render it and tests drive it
// without a display; it imports nothing of Fyne's.
//
// An Editor is not safe for concurrent use: call it from the UI goroutine
// (in the app, background work reaches it through fyne.Do).
package editor

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// maxHistory bounds the undo stack so a long session does not keep every
// version of a large flow in memory.
const maxHistory = 200

// typingPause ends a run of keystrokes: keystrokes in one field closer
// together than this are one undo step (see EditTyping).
const typingPause = 2 * time.Second

// Selection is what the person has selected on the canvas: a node, an edge,
// or nothing. At most one of Node and Edge is set.
type Selection struct {
	// Node is the id of the selected node, "" when none.
	Node string
	// Edge is an index into Flow().Edges, -1 when no edge is selected.
	Edge int
}

// None is the empty selection.
var None = Selection{Edge: -1}

// IsZero reports whether nothing is selected.
func (s Selection) IsZero() bool { return s.Node == "" && s.Edge < 0 }

// ChangeKind says what changed in a Change.
type ChangeKind int

// The kinds of change listeners hear about.
const (
	// ChangeDoc: the document changed (an edit, an undo, a redo or a load).
	ChangeDoc ChangeKind = iota + 1
	// ChangeSelection: the selection changed.
	ChangeSelection
	// ChangeProblems: the validation problems changed.
	ChangeProblems
)

// String names the kind, for test output.
func (k ChangeKind) String() string {
	switch k {
	case ChangeDoc:
		return "doc"
	case ChangeSelection:
		return "selection"
	case ChangeProblems:
		return "problems"
	}
	return fmt.Sprintf("ChangeKind(%d)", int(k))
}

// Change tells a listener what happened.
type Change struct {
	Kind ChangeKind
	// Label names the edit ("Move node", "Undo Move node"), for ChangeDoc.
	Label string
	// Nodes lists the ids of the nodes an edit touched when the editor knows
	// them (MoveNode), so a renderer can update only those; empty means "any".
	Nodes []string
}

type snapshot struct {
	label string
	doc   *flow.Flow
	gen   uint64
}

// Editor is the editing session of one flow document. The zero value is not
// usable; call New.
type Editor struct {
	doc      *flow.Flow
	gen      uint64 // identifies the document state, restored by undo
	nextGen  uint64
	savedGen uint64
	undo     []snapshot
	redo     []snapshot
	sel      Selection
	// multi holds every selected node when more than one is (sel.Node is
	// then the last one added); nil otherwise.
	multi     map[string]bool
	multiList []string // multi's ids in the order they were selected
	problems  flow.Problems
	listeners []func(Change)
	// typing is the run of keystrokes EditTyping may extend: its label, the
	// time of its last keystroke and the document state that one made.
	typing struct {
		label string
		at    time.Time
		gen   uint64
	}
	now func() time.Time // time.Now; tests set their own
	// epoch changes with every change that may touch any node (a load, an
	// undo, an edit that names no nodes); revs[id] with every edit that
	// names node id. Together they are the node's NodeStamp.
	epoch, lastRev uint64
	revs           map[string]uint64
}

// cloneFor copies f for an edit of the nodes ids: those deep, the others
// by value, sharing their slices and pointers with f, which no edit
// changes in place (an edit of them copies them first). Cloning a large
// flow for every keystroke would cost per node of the flow. nil ids copies
// all deep.
func cloneFor(f *flow.Flow, ids []string) *flow.Flow {
	if ids == nil {
		return Clone(f)
	}
	c := *f
	c.Variables = maps.Clone(f.Variables)
	c.Nodes = slices.Clone(f.Nodes)
	c.Edges = slices.Clone(f.Edges)
	if c.Edges == nil {
		c.Edges = []flow.Edge{}
	}
	for i := range c.Nodes {
		if slices.Contains(ids, c.Nodes[i].ID) {
			c.Nodes[i] = flow.CloneNode(f.Nodes[i])
		}
	}
	return &c
}

// NodeStamp identifies a state of one node of the document: an edit that
// may change the node changes its stamp, so a cache of what was worked out
// from the node (its problems) stays valid while the stamp is the same.
type NodeStamp struct{ epoch, rev uint64 }

// Epoch changes whenever an edit may have changed anything besides the
// fields of the nodes it named (EditNodes): the connectors, the variables,
// which nodes there are. A cache of the whole document keeps while it holds.
func (e *Editor) Epoch() uint64 { return e.epoch }

// NodeStamp returns the stamp of the node with that id.
func (e *Editor) NodeStamp(id string) NodeStamp { return NodeStamp{e.epoch, e.revs[id]} }

// touched records a change of the nodes ids, or of any node for nil.
func (e *Editor) touched(ids []string) {
	if ids == nil {
		e.epoch++
		e.revs = nil
		return
	}
	if e.revs == nil {
		e.revs = map[string]uint64{}
	}
	for _, id := range ids {
		e.lastRev++
		e.revs[id] = e.lastRev
	}
}

// New starts an editing session on a deep copy of f, so the caller's value is
// never changed. A nil f starts an empty flow. The new session is not dirty.
func New(f *flow.Flow) *Editor {
	e := &Editor{sel: None, now: time.Now}
	e.load(f)
	return e
}

func (e *Editor) load(f *flow.Flow) {
	if f == nil {
		f = &flow.Flow{Format: flow.Format, Name: "Untitled flow"}
	}
	e.doc = Clone(f)
	if e.doc.Format == "" {
		e.doc.Format = flow.Format
	}
	e.nextGen++
	e.gen = e.nextGen
	e.savedGen = e.gen
	e.undo, e.redo = nil, nil
	e.sel = None
	e.multi, e.multiList = nil, nil
	e.touched(nil)
}

// LabelLoad is the Label of the ChangeDoc a Load makes: another document,
// not an edit of this one.
const LabelLoad = "Load"

// Load replaces the document with a deep copy of f and forgets the history:
// opening another flow is not an edit that can be undone. Listeners hear a
// ChangeDoc and, if something was selected, a ChangeSelection.
func (e *Editor) Load(f *flow.Flow) {
	hadSel := !e.sel.IsZero()
	e.load(f)
	e.notify(Change{Kind: ChangeDoc, Label: LabelLoad})
	if hadSel {
		e.notify(Change{Kind: ChangeSelection})
	}
}

// Flow returns the current document. Callers must not mutate it: every change
// goes through Edit, so it can be undone and listeners hear of it.
func (e *Editor) Flow() *flow.Flow { return e.doc }

// AddListener registers fn to be called after every change, on the goroutine
// that made it. Listeners must not be added from inside a listener.
func (e *Editor) AddListener(fn func(Change)) { e.listeners = append(e.listeners, fn) }

func (e *Editor) notify(c Change) {
	for _, fn := range e.listeners {
		fn(c)
	}
}

// Edit applies fn to a copy of the document. When fn returns nil the copy
// becomes the document, the previous one is kept for Undo (under label), the
// redo history is dropped and listeners hear a ChangeDoc. When fn returns an
// error the document is left exactly as it was and the error is returned.
func (e *Editor) Edit(label string, fn func(f *flow.Flow) error) error {
	return e.edit(label, nil, fn)
}

// EditNodes is Edit for a change of the fields of the nodes ids (not of
// the connectors): listeners hear which nodes, so a renderer redraws those
// only. fn gets a copy of the document in which only those nodes are deep
// copies, the others are shared with the undo history: it must change
// nothing else. A nil ids is Edit.
func (e *Editor) EditNodes(label string, ids []string, fn func(f *flow.Flow) error) error {
	return e.edit(label, ids, fn)
}

func (e *Editor) edit(label string, nodes []string, fn func(f *flow.Flow) error) error {
	next := cloneFor(e.doc, nodes)
	if err := fn(next); err != nil {
		return err
	}
	e.undo = append(e.undo, snapshot{label: label, doc: e.doc, gen: e.gen})
	if len(e.undo) > maxHistory {
		e.undo = append(e.undo[:0:0], e.undo[len(e.undo)-maxHistory:]...)
	}
	e.redo = nil
	e.doc = next
	e.nextGen++
	e.gen = e.nextGen
	e.touched(nodes)
	e.afterDocChange(Change{Kind: ChangeDoc, Label: label, Nodes: nodes})
	return nil
}

// EditTyping is Edit for one keystroke in a text field, labelled by the
// field. Keystrokes with the same label, each less than typingPause after
// the one before and with nothing edited, undone, redone or loaded between
// them, are one undo step, which restores the text as it was before the
// first of them: typing a name and pressing Undo once gives the old name
// back, not the name less its last letter.
func (e *Editor) EditTyping(label string, fn func(f *flow.Flow) error) error {
	return e.EditTypingNodes(label, nil, fn)
}

// EditTypingNodes is EditTyping for a keystroke in a field of the nodes
// ids, which listeners hear of as EditNodes tells them.
func (e *Editor) EditTypingNodes(label string, ids []string, fn func(f *flow.Flow) error) error {
	now := e.now()
	t := &e.typing
	if t.label != label || t.gen != e.gen || len(e.undo) == 0 || now.Sub(t.at) >= typingPause {
		if err := e.edit(label, ids, fn); err != nil {
			return err
		}
		t.label, t.at, t.gen = label, now, e.gen
		return nil
	}
	next := cloneFor(e.doc, ids)
	if err := fn(next); err != nil {
		return err
	}
	// The undo entry of the run's first keystroke stays on top and keeps
	// the document from before the run; redo was dropped by that keystroke.
	e.doc = next
	e.nextGen++
	e.gen = e.nextGen
	e.touched(ids)
	t.at, t.gen = now, e.gen
	e.afterDocChange(Change{Kind: ChangeDoc, Label: label, Nodes: ids})
	return nil
}

// afterDocChange drops a selection the new document no longer has, then
// notifies.
func (e *Editor) afterDocChange(c Change) {
	selGone := false
	if e.multi != nil {
		selGone = e.dropGoneFromMulti()
	} else {
		if e.sel.Node != "" && e.doc.Node(e.sel.Node) == nil {
			selGone = true
		}
		if e.sel.Edge >= len(e.doc.Edges) {
			selGone = true
		}
		if selGone {
			e.sel = None
		}
	}
	e.notify(c)
	if selGone {
		e.notify(Change{Kind: ChangeSelection})
	}
}

// Undo restores the document as it was before the last edit and reports
// whether there was one to undo.
func (e *Editor) Undo() bool {
	if len(e.undo) == 0 {
		return false
	}
	s := e.undo[len(e.undo)-1]
	e.undo = e.undo[:len(e.undo)-1]
	e.redo = append(e.redo, snapshot{label: s.label, doc: e.doc, gen: e.gen})
	e.doc, e.gen = s.doc, s.gen
	e.touched(nil)
	e.afterDocChange(Change{Kind: ChangeDoc, Label: "Undo " + s.label})
	return true
}

// Redo applies again the last undone edit and reports whether there was one.
func (e *Editor) Redo() bool {
	if len(e.redo) == 0 {
		return false
	}
	s := e.redo[len(e.redo)-1]
	e.redo = e.redo[:len(e.redo)-1]
	e.undo = append(e.undo, snapshot{label: s.label, doc: e.doc, gen: e.gen})
	e.doc, e.gen = s.doc, s.gen
	e.touched(nil)
	e.afterDocChange(Change{Kind: ChangeDoc, Label: "Redo " + s.label})
	return true
}

// CanUndo reports whether Undo would do something.
func (e *Editor) CanUndo() bool { return len(e.undo) > 0 }

// CanRedo reports whether Redo would do something.
func (e *Editor) CanRedo() bool { return len(e.redo) > 0 }

// UndoLabel names the edit Undo would revert ("" when none), for a tooltip.
func (e *Editor) UndoLabel() string {
	if len(e.undo) == 0 {
		return ""
	}
	return e.undo[len(e.undo)-1].label
}

// RedoLabel names the edit Redo would apply ("" when none).
func (e *Editor) RedoLabel() string {
	if len(e.redo) == 0 {
		return ""
	}
	return e.redo[len(e.redo)-1].label
}

// Selection returns what is selected.
func (e *Editor) Selection() Selection { return e.sel }

// Select changes the selection. A node id the document does not have, or an
// edge index out of range, selects nothing. Listeners hear a ChangeSelection
// only when the selection actually changed.
func (e *Editor) Select(s Selection) {
	if s.Node != "" {
		if e.doc.Node(s.Node) == nil {
			s = None
		} else {
			s.Edge = -1
		}
	} else if s.Edge < 0 || s.Edge >= len(e.doc.Edges) {
		s = None
	}
	if s == e.sel && e.multi == nil {
		return
	}
	e.sel = s
	e.multi, e.multiList = nil, nil
	e.notify(Change{Kind: ChangeSelection})
}

// Dirty reports whether the document differs from the last saved (or loaded)
// one. Undoing back to the saved state makes it clean again.
func (e *Editor) Dirty() bool { return e.gen != e.savedGen }

// MarkSaved records the current document as saved.
func (e *Editor) MarkSaved() { e.savedGen = e.gen }

// SetProblems replaces the validation problems shown on nodes and notifies
// listeners with a ChangeProblems.
func (e *Editor) SetProblems(p flow.Problems) {
	e.problems = append(flow.Problems(nil), p...)
	e.notify(Change{Kind: ChangeProblems})
}

// Problems returns the validation problems last set. Callers must not mutate
// the result.
func (e *Editor) Problems() flow.Problems { return e.problems }

// NodeProblems returns the problems that belong to the node with that id.
func (e *Editor) NodeProblems(id string) []flow.Problem {
	var out []flow.Problem
	for _, p := range e.problems {
		if p.Node == id {
			out = append(out, p)
		}
	}
	return out
}
