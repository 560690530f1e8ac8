package editor

import "slices"

// SelectNodes selects the nodes ids (those the document has, each once):
// nothing for none, the node itself for one, all of them for more, the last
// being Selection().Node. Listeners hear one ChangeSelection when the
// selection changed.
func (e *Editor) SelectNodes(ids []string) {
	var keep []string
	set := make(map[string]bool, len(ids))
	have := e.nodeIndex()
	for _, id := range ids {
		if _, ok := have[id]; ok && !set[id] {
			set[id] = true
			keep = append(keep, id)
		}
	}
	switch len(keep) {
	case 0:
		e.Select(None)
		return
	case 1:
		e.Select(Selection{Node: keep[0], Edge: -1})
		return
	}
	if e.multi != nil && slices.Equal(keep, e.multiList) {
		return
	}
	e.multi, e.multiList = set, keep
	e.sel = Selection{Node: keep[len(keep)-1], Edge: -1}
	e.notify(Change{Kind: ChangeSelection})
}

// ToggleNode adds the node to the selection, or takes it out when it is
// in it (Shift- or Ctrl-click). A selected connector is dropped.
func (e *Editor) ToggleNode(id string) {
	ids := e.SelectedNodes()
	if i := slices.Index(ids, id); i >= 0 {
		ids = slices.Delete(ids, i, i+1)
	} else {
		ids = append(ids, id)
	}
	e.SelectNodes(ids)
}

// SelectAll selects every node of the document.
func (e *Editor) SelectAll() {
	ids := make([]string, len(e.doc.Nodes))
	for i := range e.doc.Nodes {
		ids[i] = e.doc.Nodes[i].ID
	}
	e.SelectNodes(ids)
}

// SelectedNodes returns the ids of the selected nodes in the order they
// were selected: none, one, or several. The caller owns the slice.
func (e *Editor) SelectedNodes() []string {
	if e.multi != nil {
		return slices.Clone(e.multiList)
	}
	if e.sel.Node != "" {
		return []string{e.sel.Node}
	}
	return nil
}

// IsSelected reports whether the node with that id is selected.
func (e *Editor) IsSelected(id string) bool {
	if e.multi != nil {
		return e.multi[id]
	}
	return id != "" && e.sel.Node == id
}

// dropGoneFromMulti takes the nodes the document no longer has out of a
// selection of several and reports whether it changed.
func (e *Editor) dropGoneFromMulti() bool {
	have := e.nodeIndex()
	keep := slices.DeleteFunc(slices.Clone(e.multiList), func(id string) bool { _, ok := have[id]; return !ok })
	if len(keep) == len(e.multiList) {
		return false
	}
	switch len(keep) {
	case 0:
		e.multi, e.multiList, e.sel = nil, nil, None
	case 1:
		e.multi, e.multiList, e.sel = nil, nil, Selection{Node: keep[0], Edge: -1}
	default:
		e.multiList = keep
		e.multi = make(map[string]bool, len(keep))
		for _, id := range keep {
			e.multi[id] = true
		}
		e.sel = Selection{Node: keep[len(keep)-1], Edge: -1}
	}
	return true
}

// nodeIndex maps each node id of the document to its index.
func (e *Editor) nodeIndex() map[string]int {
	m := make(map[string]int, len(e.doc.Nodes))
	for i := range e.doc.Nodes {
		m[e.doc.Nodes[i].ID] = i
	}
	return m
}
