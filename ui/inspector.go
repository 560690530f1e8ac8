package ui

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// inspector is the right column: the form of what is selected (a node, a
// connector, a connection) or, with nothing selected, of the flow itself.
//
// Every change a form makes goes through editor.Edit, so it can be undone.
// The form is rebuilt when the selection changes or the document changes
// from elsewhere (undo, redo, the canvas), but not for its own edits: the
// entry being typed in keeps its focus.
type inspector struct {
	a       *App
	title   *widget.Label
	content *fyne.Container
	scroll  *container.Scroll
	wheel   *wheelScroll // the scroll, with the wheel working over the fields
	box     fyne.CanvasObject
	// footer holds what stays visible under the scrolled form (the
	// connection form's Save and Test connection); empty for other forms.
	footer *fyne.Container

	own    int    // > 0 while one of the form's own edits is applied
	typing int    // > 0 while a text field's keystroke is applied (see typed)
	node   string // the node whose form is shown, "" for none

	// fields and entries index the current form's inputs by field path
	// ("call.uri", "title"), so tests find them as a person finds them by
	// their labels.
	fields  map[string]*exprField
	entries map[string]*widget.Entry

	conn *connForm // the connection form, when one is shown

	// checked keeps each node's expression problems for revalidate, and
	// validated the flow's problems.
	checked   exprProblemCache
	validated validationCache
}

// validate is flow.Validate of the open document, checking again only the
// fields of the nodes edited since the last call when that is enough.
func (in *inspector) validate() flow.Problems { return in.validated.validate(in.a.ed) }

// exprProblems is expressionProblems of the open document against conns,
// checking again only the nodes edited since the last call.
func (in *inspector) exprProblems(conns []flow.Connection) flow.Problems {
	return in.checked.problems(in.a.checker, in.a.ed, conns)
}

func newInspector(a *App) *inspector {
	in := &inspector{a: a}
	in.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	in.title.Truncation = fyne.TextTruncateEllipsis
	in.content = container.NewStack()
	in.wheel = newWheelScroll(container.NewPadded(in.content), in.ownWheel)
	in.scroll = in.wheel.scroll
	in.footer = container.NewVBox()
	in.box = container.NewBorder(container.NewVBox(in.title, widget.NewSeparator()), in.footer, nil, nil, in.wheel.object)
	return in
}

func (in *inspector) object() fyne.CanvasObject { return in.box }

// showSelection shows the form of what the editor has selected, from its
// top: the offset of the form before would leave a shorter one blank.
func (in *inspector) showSelection() {
	in.conn = nil
	in.a.connView.selectName("")
	in.rebuild()
	in.scroll.ScrollToTop()
}

// docChanged follows an edit made elsewhere.
func (in *inspector) docChanged() {
	if in.own > 0 || in.conn != nil {
		return
	}
	in.rebuild()
}

// showConnection shows the form of a connection (isNew: not stored yet).
func (in *inspector) showConnection(c flow.Connection, isNew bool) {
	in.conn = newConnForm(in.a, c, isNew)
	in.node = ""
	if isNew {
		in.title.SetText("New connection")
	} else {
		in.title.SetText("Connection " + c.Name)
		in.a.connView.selectName(c.Name)
	}
	in.setContent(in.conn.box)
	in.footer.Objects = []fyne.CanvasObject{widget.NewSeparator(), in.conn.footer}
	in.footer.Refresh()
	in.scroll.ScrollToTop()
}

func (in *inspector) setContent(o fyne.CanvasObject) {
	if len(in.footer.Objects) > 0 {
		in.footer.Objects = nil
		in.footer.Refresh()
	}
	in.content.Objects = []fyne.CanvasObject{o}
	in.content.Refresh()
	in.wheel.relayout()
}

// ownWheel are the form's multi-line editors: the wheel over them scrolls
// their text, not the form.
func (in *inspector) ownWheel() []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, f := range in.fields {
		if f.entry.MultiLine {
			out = append(out, f.entry)
		}
	}
	for _, e := range in.entries {
		if e.MultiLine {
			out = append(out, e)
		}
	}
	return out
}

// rebuild makes the form for the current selection from the document.
func (in *inspector) rebuild() {
	in.fields = map[string]*exprField{}
	in.entries = map[string]*widget.Entry{}
	ed := in.a.ed
	sel := ed.Selection()
	in.node = ""
	switch {
	case sel.Node != "" && ed.Flow().Node(sel.Node) != nil:
		n := ed.Flow().Node(sel.Node)
		in.node = n.ID
		in.title.SetText(fmt.Sprintf("%s node · %s", kindTitle(n.Kind), n.ID))
		in.setContent(in.nodeForm(n))
	case sel.Edge >= 0 && sel.Edge < len(ed.Flow().Edges):
		e := ed.Flow().Edges[sel.Edge]
		in.title.SetText("Connector")
		in.setContent(in.edgeForm(e))
	default:
		in.title.SetText("Flow")
		in.setContent(in.flowForm())
	}
}

// edit applies one change of the form as an undoable edit; a keystroke (see
// typed) joins the keystrokes before it in one undo step.
func (in *inspector) edit(label string, fn func(f *flow.Flow) error) {
	in.editNodes(label, nil, fn)
}

// editNodes is edit for a change of the fields of the nodes ids, which the
// canvas then redraws alone.
func (in *inspector) editNodes(label string, ids []string, fn func(f *flow.Flow) error) {
	in.own++
	defer func() { in.own-- }()
	apply := in.a.ed.EditNodes
	if in.typing > 0 {
		apply = in.a.ed.EditTypingNodes
	}
	if err := apply(label, ids, fn); err != nil {
		in.a.console.logError(err.Error())
	}
}

// typed wraps a text field's OnChanged: the edits it makes are keystrokes,
// which Undo reverts a typing run at a time rather than a letter at a time.
func (in *inspector) typed(onChange func(string)) func(string) {
	if onChange == nil {
		return nil
	}
	return func(s string) {
		in.typing++
		defer func() { in.typing-- }()
		onChange(s)
	}
}

// editNode applies fn to the node with that id as one undoable edit.
func (in *inspector) editNode(id, label string, fn func(n *flow.Node)) {
	in.editNodes(label+" of "+id, []string{id}, func(f *flow.Flow) error {
		n := f.Node(id)
		if n == nil {
			return fmt.Errorf("the node %q is gone (deleted or undone); select another", id)
		}
		fn(n)
		return nil
	})
}

// structural applies an edit that changes the form's shape (a row added or
// removed) and rebuilds the form.
func (in *inspector) structural(id, label string, fn func(n *flow.Node)) {
	in.editNode(id, label, fn)
	in.rebuild()
}

// exprField makes an expression field registered under path.
func (in *inspector) exprField(path, src string, multiLine, optional bool, onChange func(string)) *exprField {
	f := newExprField(in.a.checker, src, multiLine, optional, false, in.names, in.typed(onChange), withModes(textModeDefault(path)))
	in.hint(f, path)
	in.fields[path] = f
	return f
}

// cellField makes a compact expression field (a table cell) registered
// under path.
func (in *inspector) cellField(path, src string, onChange func(string)) *exprField {
	f := newExprField(in.a.checker, src, false, false, true, in.names, in.typed(onChange), withModes(textModeDefault(path)))
	in.hint(f, path)
	in.fields[path] = f
	return f
}

// hint gives a field the example of what it takes, as its placeholder and
// as the words under it while it is required and empty: a condition for a
// decision's case, a quoted name for a header, not the URI example of a
// call.
func (in *inspector) hint(f *exprField, path string) {
	var example, empty string
	switch {
	case strings.HasSuffix(path, ".when"):
		example = `steps.lookup.returnValue == "vip"`
		empty = "A condition is required here, for example " + example + " or trigger.tier != \"gold\"."
	case strings.HasSuffix(path, ".key"):
		example = `"X-Trace"`
		empty = "A name is required here, quoted as a string: " + example + "."
	case strings.HasSuffix(path, ".value"), strings.HasPrefix(path, "variables."):
		example = `"abc" or trigger.chatId`
		empty = "A value is required here (CEL), for example " + example + "."
	default:
		return
	}
	f.entry.SetPlaceHolder(example)
	f.emptyHint = empty
	f.check()
}

// names lists the completions offered in expression fields: the context
// names of the flow, env.NAME of the picked environment, and the fields
// earlier tests found (steps.<id>.body.tier), so a person maps real field
// names. completionsFor offers each once.
func (in *inspector) names() []string {
	names := append(contextNames(in.a.ed.Flow()), in.a.testNames()...)
	if in.a.envs != nil {
		for _, k := range slices.Sorted(maps.Keys(in.a.envs.vars(in.a.envs.current()))) {
			names = append(names, "env."+k)
		}
	}
	return names
}

// entry makes a plain entry registered under path.
func (in *inspector) entry(path, text, placeholder string, onChange func(string)) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(text)
	e.SetPlaceHolder(placeholder)
	e.OnChanged = in.typed(onChange)
	in.entries[path] = e
	return e
}

// edgeForm describes the selected connector and offers to delete it.
func (in *inspector) edgeForm(e flow.Edge) fyne.CanvasObject {
	del := widget.NewButtonWithIcon("Delete connector", theme.DeleteIcon(), func() {
		if err := in.a.ed.DeleteSelection(); err != nil {
			in.a.console.logError(err.Error())
		}
	})
	del.Importance = widget.DangerImportance
	desc := widget.NewLabel(fmt.Sprintf("From %s, port %q, to %s.", e.From, e.PortName(), e.To))
	desc.Wrapping = fyne.TextWrapWord
	return container.NewVBox(desc, del)
}

// flowForm edits the flow's name, description and variables.
func (in *inspector) flowForm() fyne.CanvasObject {
	f := in.a.ed.Flow()
	name := in.entry("name", f.Name, "Flow name", func(s string) {
		in.edit("Rename flow", func(f *flow.Flow) error { f.Name = s; return nil })
	})
	desc := widget.NewMultiLineEntry()
	desc.Wrapping = fyne.TextWrapWord
	desc.SetText(f.Description)
	desc.SetMinRowsVisible(3)
	desc.OnChanged = in.typed(func(s string) {
		in.edit("Edit description", func(f *flow.Flow) error { f.Description = s; return nil })
	})
	in.entries["description"] = desc

	vars := container.NewVBox()
	for _, k := range sortedKeys(f.Variables) {
		cur := k
		nameE := widget.NewEntry()
		nameE.SetText(k)
		val := in.cellField("variables."+k, f.Variables[k], func(s string) {
			in.edit("Edit variable "+cur, func(f *flow.Flow) error { f.Variables[cur] = s; return nil })
		})
		nameE.OnChanged = func(s string) {
			if s == "" || s == cur {
				return
			}
			if _, taken := in.a.ed.Flow().Variables[s]; taken {
				return
			}
			old := cur
			in.edit("Rename variable "+old, func(f *flow.Flow) error {
				f.Variables[s] = f.Variables[old]
				delete(f.Variables, old)
				return nil
			})
			cur = s
		}
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			in.edit("Remove variable "+cur, func(f *flow.Flow) error { delete(f.Variables, cur); return nil })
			in.rebuild()
		})
		vars.Add(container.NewBorder(nil, nil, nil, remove, container.NewGridWithColumns(2, nameE, val.box)))
	}
	add := widget.NewButtonWithIcon("Add variable", theme.ContentAddIcon(), func() {
		in.edit("Add variable", func(f *flow.Flow) error {
			if f.Variables == nil {
				f.Variables = map[string]string{}
			}
			f.Variables[uniqueKey(f.Variables, "var")] = `""`
			return nil
		})
		in.rebuild()
	})
	hint := widget.NewLabel("Select a node or connector on the canvas to edit it. Right-click the canvas, or use the Add row above it, to add nodes.")
	hint.Wrapping = fyne.TextWrapWord
	return container.NewVBox(
		panelRow("Name", name),
		panelRow("Description", desc),
		panelRow("Variables (name and initial value, CEL)", vars), add,
		widget.NewSeparator(), hint,
	)
}

// uniqueKey names a new variable by the one rule (editor.UniqueName).
func uniqueKey(m map[string]string, base string) string {
	return uniqueName(base, idSep, func(k string) bool { _, ok := m[k]; return ok })
}

// panelRow is row for the properties panel: its bold title wraps, so a
// long one ("Completion event (one the project's flows raise or listen
// to, or a new one)") never widens the panel past its place, which
// squeezed the canvas to half its width when a call was selected at
// 1024x640.
func panelRow(label string, o fyne.CanvasObject) *fyne.Container {
	l := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return container.NewVBox(l, o)
}
