package ui

// Expression fields, and how to make a Text-mode field.
//
// newExprField makes a field holding one CEL expression of the document. By
// default it edits the CEL itself, as it always did. Give it the option
// withModes(textByDefault) and it gets a Text/Expression toggle beside it
// (n8n's Fixed/Expression): in Text mode the person types what is sent,
// with {{ CEL }} holes and [[name]] placeholders, and the field converts
// with flow.TextToExpr / flow.ExprToText (the one rule, flow/template.go):
//
//	f := newExprField(checker, c.URI, false, true, false, names, onChange,
//		withModes(true),                // Text mode for a new, empty field
//		withParams(func() []string { return req.Params })) // [[x]] is params.x
//
// Whatever the mode, onChange hears the CEL to store, and f.Expr() returns
// it (read f.Expr(), never f.entry.Text, which holds the text in Text mode).
// A field whose CEL is in the app's text shape opens in Text mode; any other
// opens in Expression mode. textByDefault says which mode an empty field
// starts in: Text for what is sent (uri, query and header pairs, body),
// Expression for conditions and values (textModeDefault names them for the
// inspector's field paths). f.InsertExpression(path) puts a path at the
// cursor, as {{ path }} in Text mode.

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
	// focused is called when the entry gains focus.
	focused func()
}

// lastExprField is the expression field that last had the focus (on the UI
// goroutine): "Use in expression" in the response view inserts there.
var lastExprField *exprField

// FocusGained remembers the field as the last focused one.
func (e *exprEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.focused != nil {
		e.focused()
	}
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

	// The Text/Expression modes (withModes): textMode says the entry holds
	// text; toggle switches; hintLabel says what each [[name]] means, or why
	// the field stays an expression.
	modes     bool
	textMode  bool
	toggle    *modeToggle
	hintLabel *widget.Label
	params    func() []string
	onChange  func(string)
	// switching is set while a mode switch rewrites the entry: the
	// document's expression does not change, so onChange is not called.
	switching bool
	// exprPlaceholder is the entry's placeholder in Expression mode (the
	// form's), shownPlaceholder the one last shown.
	exprPlaceholder, shownPlaceholder string

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
//
// Options (withModes, withParams) add to this; without them the field is
// the plain CEL field it always was.
func newExprField(checker *exprChecker, src string, multiLine, optional, compact bool, names func() []string, onChange func(string), opts ...exprOption) *exprField {
	f := &exprField{checker: checker, optional: optional, names: names, onChange: onChange}
	textByDefault := false
	for _, o := range opts {
		o(f, &textByDefault)
	}
	f.entry = newExprEntry(multiLine)
	shown := src
	if f.modes {
		if src == "" {
			f.textMode = textByDefault
		} else if text, ok := flow.ExprToText(src, f.paramNames()); ok {
			f.textMode, shown = true, text
		}
	}
	f.entry.SetText(shown)
	f.entry.complete = f.showCompletions
	f.entry.focused = func() { lastExprField = f }
	f.errLabel = widget.NewLabel("")
	f.errLabel.Importance = widget.DangerImportance
	f.errLabel.Wrapping = fyne.TextWrapWord
	f.errLabel.TextStyle = fyne.TextStyle{Monospace: true}
	f.hintLabel = widget.NewLabel("")
	f.hintLabel.Importance = widget.LowImportance
	f.hintLabel.Wrapping = fyne.TextWrapWord
	f.hintLabel.Hide()
	f.button = widget.NewButtonWithIcon("", theme.ListIcon(), f.showCompletions)
	f.button.Importance = widget.LowImportance
	var side fyne.CanvasObject = f.button
	if f.modes {
		f.toggle = newModeToggle(compact && !multiLine, f.textMode, f.setTextMode)
		side = container.NewHBox(f.toggle.object, f.button)
	}
	f.box = container.NewVBox(container.NewBorder(nil, nil, nil, side, f.entry), f.errLabel, f.hintLabel)
	if !multiLine && compact {
		// narrow table cells keep Ctrl+Space but drop the button
		row := fyne.CanvasObject(f.entry)
		if f.modes {
			row = container.NewBorder(nil, nil, nil, f.toggle.object, f.entry)
		}
		f.box = container.NewVBox(row, f.errLabel, f.hintLabel)
	}
	f.check()
	f.entry.OnChanged = func(s string) {
		f.check()
		if f.onChange != nil && !f.switching {
			f.onChange(f.Expr())
		}
	}
	return f
}

// exprOption configures an expression field (newExprField's options).
type exprOption func(f *exprField, textByDefault *bool)

// withModes gives the field its Text/Expression toggle; an empty field
// starts in Text mode when textByDefault is set.
func withModes(textByDefault bool) exprOption {
	return func(f *exprField, d *bool) { f.modes, *d = true, textByDefault }
}

// withParams names the parameters of the named request whose field this
// is: in Text mode, [[name]] means params.name for them, vars.name for any
// other name.
func withParams(params func() []string) exprOption {
	return func(f *exprField, _ *bool) { f.params = params }
}

// textModeDefault says whether an empty inspector field at this path starts
// in Text mode: what a call sends (call.uri, call.body, the keys and values
// of call.query and call.headers) does; conditions, values, arguments, the
// connection expression, the return value, durations and payloads start as
// expressions.
func textModeDefault(path string) bool {
	switch {
	case path == "call.uri", path == "call.body":
		return true
	case strings.HasPrefix(path, "call.query["), strings.HasPrefix(path, "call.headers["):
		return strings.HasSuffix(path, "].key") || strings.HasSuffix(path, "].value")
	}
	return false
}

func (f *exprField) paramNames() []string {
	if f.params == nil {
		return nil
	}
	return f.params()
}

// Expr returns the CEL expression the field holds for the document: the
// entry's text in Expression mode, the text made into CEL in Text mode (as
// typed even when a hole has a mistake: the problem shows under the field
// and on the node).
func (f *exprField) Expr() string {
	if !f.textMode {
		return f.entry.Text
	}
	return flow.TextToExprLoose(f.entry.Text, f.paramNames())
}

// TextMode reports whether the field is in Text mode.
func (f *exprField) TextMode() bool { return f.textMode }

// setTextMode switches the field's mode, converting what it shows; it
// reports whether the switch happened. Text to Expression always works (it
// shows the CEL); Expression to Text only when the expression is in the
// app's text shape (flow.ExprToText), else the field says why and stays.
func (f *exprField) setTextMode(text bool) bool {
	if !f.modes || text == f.textMode {
		return text == f.textMode
	}
	var shown string
	if text {
		t, ok := flow.ExprToText(f.entry.Text, f.paramNames())
		if !ok {
			f.hintLabel.Importance = widget.WarningImportance
			f.hintLabel.SetText("This expression is not plain text with {{ }} holes, so it stays an expression. " +
				"Text mode holds what is sent as typed, such as /v1/orders/{{ vars.orderId }}; clear the field to start again in Text mode.")
			f.hintLabel.Show()
			f.toggle.set(false)
			return false
		}
		shown = t
	} else {
		shown = f.Expr()
	}
	f.textMode = text
	f.switching = true
	f.entry.SetText(shown)
	f.switching = false
	f.toggle.set(text)
	f.check()
	return true
}

// InsertExpression puts a CEL path (steps.lookup.body.tier) at the cursor:
// as it is in Expression mode or inside a {{ }} hole, as {{ path }} in the
// text of a Text-mode field.
func (f *exprField) InsertExpression(path string) {
	r := []rune(f.entry.Text)
	at := offsetOf(r, f.entry.CursorRow, f.entry.CursorColumn)
	if f.textMode && !insideHole(string(r[:at])) {
		path = "{{ " + path + " }}"
	}
	f.insert(path, at, at)
}

// insideHole reports whether text (up to the cursor) ends inside an open
// {{ hole.
func insideHole(before string) bool {
	open := strings.LastIndex(before, "{{")
	return open >= 0 && !strings.Contains(before[open+2:], "}}")
}

// modeToggle is the small segmented Text | Expression switch beside a
// field; a compact one (a table cell) is one button naming the mode.
type modeToggle struct {
	text, expr *widget.Button
	object     fyne.CanvasObject
	compact    bool
	isText     bool
}

func newModeToggle(compact, isText bool, choose func(text bool) bool) *modeToggle {
	t := &modeToggle{compact: compact}
	if compact {
		t.text = widget.NewButton("", func() { choose(!t.isText) })
		t.object = t.text
	} else {
		t.text = widget.NewButton("Text", func() { choose(true) })
		t.expr = widget.NewButton("Expr", func() { choose(false) })
		t.object = container.NewHBox(t.text, t.expr)
	}
	t.set(isText)
	return t
}

// set shows the mode as chosen.
func (t *modeToggle) set(isText bool) {
	t.isText = isText
	if t.compact {
		// "Aa": text as typed; "fx": an expression.
		if isText {
			t.text.SetText("Aa")
		} else {
			t.text.SetText("fx")
		}
		return
	}
	t.text.Importance, t.expr.Importance = widget.LowImportance, widget.LowImportance
	if isText {
		t.text.Importance = widget.HighImportance
	} else {
		t.expr.Importance = widget.HighImportance
	}
	t.text.Refresh()
	t.expr.Refresh()
}

// check compiles the text and shows or hides the error line.
func (f *exprField) check() {
	f.syncPlaceholder()
	var msg string
	if f.textMode {
		msg = f.checkText()
	} else {
		msg = f.checker.check(f.entry.Text, f.optional)
		if f.emptyHint != "" && !f.optional && strings.TrimSpace(f.entry.Text) == "" {
			msg = f.emptyHint
		}
		if f.modes {
			f.hintLabel.Hide()
		}
	}
	f.errLabel.SetText(msg)
	if msg == "" {
		f.errLabel.Hide()
	} else {
		f.errLabel.Show()
	}
}

// syncPlaceholder shows the example in the entry in the field's mode: a
// quoted example ("X-Trace") is shown as text (X-Trace) in Text mode.
func (f *exprField) syncPlaceholder() {
	if !f.modes {
		return
	}
	if ph := f.entry.PlaceHolder; ph != f.shownPlaceholder {
		f.exprPlaceholder = ph // set by the form since the last check
	}
	f.shownPlaceholder = f.textPlaceholder()
	if f.entry.PlaceHolder != f.shownPlaceholder {
		f.entry.SetPlaceHolder(f.shownPlaceholder)
	}
}

// textPlaceholder is the entry's placeholder for the current mode.
func (f *exprField) textPlaceholder() string {
	if !f.textMode {
		return f.exprPlaceholder
	}
	if t, ok := flow.ExprToText(f.exprPlaceholder, nil); ok {
		return t
	}
	if f.exprPlaceholder == "" {
		return ""
	}
	return "text, or {{ trigger.chatId }}"
}

// checkText checks a Text-mode field: each hole closed and parsing
// (flow.ParseText), then each hole's CEL compiled, its problem said with the
// hole's number and place. The hint under the field says what each
// [[name]] placeholder means.
func (f *exprField) checkText() string {
	text := f.entry.Text
	if text == "" {
		f.hintLabel.Hide()
		if f.optional {
			return ""
		}
		return "A value is required here: type the text to send; {{ … }} holds CEL, as in /v1/orders/{{ vars.orderId }}."
	}
	parts, err := flow.ParseText(text, f.paramNames())
	if err != nil {
		f.hintLabel.Hide()
		return err.Error()
	}
	var hints []string
	seen := map[string]bool{}
	msg := ""
	for _, p := range parts {
		switch p.Kind {
		case flow.TextPlaceholder:
			if !seen[p.Text] {
				seen[p.Text] = true
				hints = append(hints, fmt.Sprintf("[[%s]] is %s", p.Text, p.Target))
			}
		case flow.TextHole:
			if msg != "" {
				continue
			}
			if m := f.checker.check(p.Text, false); m != "" {
				where := fmt.Sprintf("column %d", p.Column)
				if p.Line > 1 {
					where = fmt.Sprintf("line %d, column %d", p.Line, p.Column)
				}
				msg = fmt.Sprintf("hole %d (%s): %s", p.Hole, where, m)
			}
		}
	}
	f.hintLabel.Importance = widget.LowImportance
	if len(hints) == 0 {
		f.hintLabel.Hide()
	} else {
		f.hintLabel.SetText(strings.Join(hints, " · "))
		f.hintLabel.Show()
	}
	return msg
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
		menuItems = append(menuItems, fyne.NewMenuItem(it, func() {
			if f.textMode && !insideHole(string([]rune(f.entry.Text)[:start])) {
				it = "{{ " + it + " }}"
			}
			f.insert(it, start, end)
		}))
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
