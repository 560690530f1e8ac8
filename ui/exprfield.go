package ui

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// exprEntry is an entry for a CEL expression: Ctrl+Space offers the context
// names that complete the word before the cursor.
type exprEntry struct {
	widget.Entry
	complete func()
}

func newExprEntry(multiLine bool) *exprEntry {
	e := &exprEntry{}
	e.MultiLine = multiLine
	e.TextStyle = fyne.TextStyle{Monospace: true}
	if multiLine {
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(4)
	}
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut adds Ctrl+Space (completions) to the entry's shortcuts.
func (e *exprEntry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok && cs.KeyName == fyne.KeySpace && cs.Modifier == fyne.KeyModifierControl {
		if e.complete != nil {
			e.complete()
		}
		return
	}
	e.Entry.TypedShortcut(s)
}

// exprField is a CEL expression entry with its compile error shown under it
// as the person types ("line 1, column 7: …"), and a button listing the
// context names that complete the word at the cursor.
type exprField struct {
	entry    *exprEntry
	errLabel *widget.Label
	button   *widget.Button
	box      *fyne.Container

	checker  *exprChecker
	optional bool
	names    func() []string
	// emptyHint replaces the checker's words for an empty required field:
	// an example of what this field takes.
	emptyHint string
	// showMenu pops up the completions; tests replace it to read them.
	showMenu func(m *fyne.Menu)
}

// newExprField returns a field holding src. An optional field may be empty;
// a required one says so when it is. A compact field (a cell of a key/value
// table) has no completion button; Ctrl+Space still completes. onChange hears every change of the
// text, valid or not: the document keeps what the person typed and the
// problem is shown on the node until it is fixed.
func newExprField(checker *exprChecker, src string, multiLine, optional, compact bool, names func() []string, onChange func(string)) *exprField {
	f := &exprField{checker: checker, optional: optional, names: names}
	f.entry = newExprEntry(multiLine)
	f.entry.SetText(src)
	f.entry.complete = f.showCompletions
	f.errLabel = widget.NewLabel("")
	f.errLabel.Importance = widget.DangerImportance
	f.errLabel.Wrapping = fyne.TextWrapWord
	f.errLabel.TextStyle = fyne.TextStyle{Monospace: true}
	f.button = widget.NewButtonWithIcon("", theme.ListIcon(), f.showCompletions)
	f.button.Importance = widget.LowImportance
	f.box = container.NewVBox(container.NewBorder(nil, nil, nil, f.button, f.entry), f.errLabel)
	if !multiLine && compact {
		// narrow table cells keep Ctrl+Space but drop the button
		f.box = container.NewVBox(f.entry, f.errLabel)
	}
	f.check()
	f.entry.OnChanged = func(s string) {
		f.check()
		if onChange != nil {
			onChange(s)
		}
	}
	return f
}

// check compiles the text and shows or hides the error line.
func (f *exprField) check() {
	msg := f.checker.check(f.entry.Text, f.optional)
	if f.emptyHint != "" && !f.optional && strings.TrimSpace(f.entry.Text) == "" {
		msg = f.emptyHint
	}
	f.errLabel.SetText(msg)
	if msg == "" {
		f.errLabel.Hide()
	} else {
		f.errLabel.Show()
	}
}

// Error returns the problem shown under the field, "" when there is none.
func (f *exprField) Error() string {
	if !f.errLabel.Visible() {
		return ""
	}
	return f.errLabel.Text
}

func describeExprError(err error) string {
	if err == nil {
		return ""
	}
	var ee *expr.Error
	if errors.As(err, &ee) && ee.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %s", ee.Line, ee.Column, ee.Message)
	}
	return err.Error()
}

// showCompletions pops up the context names that continue the word at
// the cursor by one segment (the roots for an empty word); choosing one
// replaces the word. When nothing matches, the menu says so.
func (f *exprField) showCompletions() {
	word, start, end := wordAtCursor(f.entry)
	items := completionsFor(f.names(), word)
	var menuItems []*fyne.MenuItem
	for _, it := range items {
		menuItems = append(menuItems, fyne.NewMenuItem(it, func() { f.insert(it, start, end) }))
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem(fmt.Sprintf("No name starts with %q (try vars, trigger, env, flow, run or steps)", word), nil)
		none.Disabled = true
		menuItems = append(menuItems, none)
	}
	m := fyne.NewMenu("", menuItems...)
	if f.showMenu != nil {
		f.showMenu(m)
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(f.entry)
	if c == nil {
		return
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.entry)
	widget.ShowPopUpMenuAtPosition(m, c, pos.AddXY(0, f.entry.Size().Height))
}

// insert replaces the runes [start, end) of the text with s and puts the
// cursor after it.
func (f *exprField) insert(s string, start, end int) {
	r := []rune(f.entry.Text)
	if start > len(r) {
		start = len(r)
	}
	if end > len(r) {
		end = len(r)
	}
	text := string(r[:start]) + s + string(r[end:])
	f.entry.SetText(text)
	row, col := rowCol([]rune(text), start+len([]rune(s)))
	f.entry.CursorRow, f.entry.CursorColumn = row, col
	f.entry.Refresh()
	if c := fyne.CurrentApp().Driver().CanvasForObject(f.entry); c != nil {
		c.Focus(f.entry)
	}
}

// wordAtCursor returns the dotted name being typed before the cursor and
// its rune range.
func wordAtCursor(e *exprEntry) (word string, start, end int) {
	r := []rune(e.Text)
	end = offsetOf(r, e.CursorRow, e.CursorColumn)
	start = end
	for start > 0 && isNameRune(r[start-1]) {
		start--
	}
	return string(r[start:end]), start, end
}

func isNameRune(c rune) bool {
	return c == '_' || c == '.' || unicode.IsLetter(c) || unicode.IsDigit(c)
}

// offsetOf turns an entry's row and column into a rune offset.
func offsetOf(r []rune, row, col int) int {
	i := 0
	for ; i < len(r) && row > 0; i++ {
		if r[i] == '\n' {
			row--
		}
	}
	for ; i < len(r) && col > 0 && r[i] != '\n'; i++ {
		col--
	}
	return i
}

func rowCol(r []rune, off int) (row, col int) {
	for i := 0; i < off && i < len(r); i++ {
		if r[i] == '\n' {
			row++
			col = 0
		} else {
			col++
		}
	}
	return row, col
}

// completionsFor returns what continues word by one segment among names,
// each once, sorted: the roots (vars, steps, trigger…) for an empty word,
// "steps.call" for "steps.c", "steps.call.body" for "steps.call.". One
// segment at a time keeps every root and every node reachable without a
// cap on a long list. When one name alone continues word, the segment
// after it follows it: "steps.look" offers steps.lookup and its fields.
func completionsFor(names []string, word string) []string {
	out := nextSegments(names, word)
	if len(out) == 1 {
		out = append(out, nextSegments(names, out[0]+".")...)
	}
	return out
}

// nextSegments is completionsFor without the look ahead.
func nextSegments(names []string, word string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !strings.HasPrefix(n, word) || n == word {
			continue
		}
		c, rest := n, n[len(word):]
		skip := 0
		if rest[0] == '.' { // "steps" continues as "steps.call"
			skip = 1
		}
		if i := strings.IndexByte(rest[skip:], '.'); i >= 0 {
			c = n[:len(word)+skip+i] // up to the next dot
		}
		if c != word && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// contextNames lists what an expression of f can refer to: the flow's
// variables and saved values, each step's fields, and the other context
// roots of docs/architecture.md.
func contextNames(f *flow.Flow) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, n := range expr.Names {
		add(n)
	}
	add("run.id")
	add("run.startedAt")
	add("run.attempt")
	add("flow.id")
	add("flow.name")
	add("flow.version")
	for name := range f.Variables {
		add("vars." + name)
	}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if n.Call != nil && n.Call.SaveTo != "" {
			add("vars." + n.Call.SaveTo)
		}
		for _, as := range n.Assign {
			if as.Name != "" {
				add("vars." + as.Name)
			}
		}
		if n.Kind == flow.KindStart || n.Kind == flow.KindEnd {
			continue
		}
		for _, fld := range []string{"status", "headers", "body", "returnValue", "durationMs", "error"} {
			add("steps." + n.ID + "." + fld)
		}
	}
	return out
}
