package ui

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/engine/auth"
	"github.com/flowbench/flowbench/flow"
)

// responseView shows one HTTP exchange as an API client does: a bar with
// the status (in colour), time and size, and the tabs Body (JSON as a
// foldable tree with search, copy and "Use in expression"; other text as
// text), Raw (the body as received), Headers, Timeline (every attempt's
// wait, DNS, connect, TLS, first byte and total) and Request (as sent,
// with Copy as cURL). Values the engine redacted because they held a
// connection's secret are marked as such. The step pane (response.go)
// and the request workspace embed it:
//
//	v := newResponseView(a.shell())
//	v.PathRoot = "steps.lookup.body"           // what copied paths start with
//	v.OnUseInExpression = func(path string) {} // insert path into the last focused expression field
//	box.Add(v.Object())                        // give it room: it scrolls inside
//	v.Show(&step.Exchanges[i], step.Exchanges) // on the UI goroutine
//	v.Clear()
//
// A 5 MiB JSON body is shown without freezing the window: the tree
// indexes the top level and each member when it is opened, the Raw tab
// shows the first 16 KiB until asked for all of it (then a virtualized
// list of lines), and search goes through the text, indexing only the
// members on the way to a match.
type responseView struct {
	sh shell
	// OnUseInExpression, when set, receives the CEL path of the JSON value
	// picked in the Body tab (PathRoot + ".a.b", `["odd key"]`, "[0]"):
	// the embedder inserts it into the expression field last focused.
	// "Use in expression" is hidden while it is nil.
	OnUseInExpression func(path string)
	// PathRoot is what paths start with; "body" when empty. The step pane
	// sets "steps.<node id>.body", as an expression in a later step
	// reads it.
	PathRoot string

	x        *flow.Exchange
	attempts []flow.Exchange
	ix       *jsonIndex
	selected int // the tree's selected node, -1 for none

	root      *fyne.Container
	statusBar *fyne.Container
	tabs      *container.AppTabs
	bodyBox   *fyne.Container
	rawBox    *fyne.Container
	headerBox *fyne.Container
	timeBox   *fyne.Container
	reqBox    *fyne.Container

	tree       *widget.Tree
	search     *widget.Entry
	searchInfo *widget.Label
	searchFrom int
	copyValue  *widget.Button
	copyPath   *widget.Button
	useExpr    *widget.Button

	// copied is the last text put on the clipboard; timeline the rows of
	// the Timeline tab, one per attempt; for tests.
	copied   string
	timeline []string
}

// rawCap is how much of a body the Raw and Request tabs show before "Show
// all": a text object of a few hundred KiB takes the UI goroutine seconds
// to lay out.
const rawCap = bigText

func newResponseView(sh shell) *responseView {
	v := &responseView{sh: sh, selected: -1}
	v.statusBar = container.NewStack()
	v.bodyBox = container.NewStack()
	v.rawBox = container.NewStack()
	v.headerBox = container.NewStack()
	v.timeBox = container.NewStack()
	v.reqBox = container.NewStack()
	v.tree = widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID {
			if v.ix == nil {
				return nil
			}
			if id == "" {
				return []string{"0"}
			}
			return v.ix.childIDs(id)
		},
		func(id widget.TreeNodeID) bool {
			return id == "" || v.ix != nil && v.ix.isBranch(id)
		},
		func(bool) fyne.CanvasObject { return newJSONRow(v) },
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			r := o.(*jsonRow)
			r.id = id
			v.updateRow(id, &r.RichText)
		},
	)
	v.tree.OnSelected = func(id widget.TreeNodeID) {
		v.selected = -1
		if v.ix != nil {
			_, v.selected = v.ix.node(id)
		}
		v.updateActions()
	}
	v.tree.OnUnselected = func(widget.TreeNodeID) { v.selected = -1; v.updateActions() }
	v.search = widget.NewEntry()
	v.search.SetPlaceHolder("Search the body (Enter: next)")
	v.search.OnChanged = func(string) { v.searchFrom = 0 }
	v.search.OnSubmitted = func(string) { v.findNext() }
	v.searchInfo = widget.NewLabel("")
	v.searchInfo.Truncation = fyne.TextTruncateEllipsis
	v.copyValue = widget.NewButtonWithIcon("Copy value", theme.ContentCopyIcon(), func() {
		if v.ix != nil && v.selected >= 0 {
			v.copy(v.ix.value(v.selected), "Copied the value of "+v.ix.path(v.pathRoot(), v.selected)+".")
		}
	})
	v.copyPath = widget.NewButton("Copy path", func() {
		if v.ix != nil && v.selected >= 0 {
			p := v.ix.path(v.pathRoot(), v.selected)
			v.copy(p, "Copied the path "+p+".")
		}
	})
	v.useExpr = widget.NewButtonWithIcon("Use in expression", theme.ContentAddIcon(), func() {
		if v.ix != nil && v.selected >= 0 && v.OnUseInExpression != nil {
			v.OnUseInExpression(v.ix.path(v.pathRoot(), v.selected))
		}
	})
	v.tabs = container.NewAppTabs(
		container.NewTabItem("Body", v.bodyBox),
		container.NewTabItem("Raw", v.rawBox),
		container.NewTabItem("Headers", v.headerBox),
		container.NewTabItem("Timeline", v.timeBox),
		container.NewTabItem("Request", v.reqBox),
	)
	v.root = container.NewBorder(v.statusBar, nil, nil, nil, v.tabs)
	v.Clear()
	return v
}

// Object is the view, to place in a container that gives it room.
func (v *responseView) Object() fyne.CanvasObject { return v.root }

// Clear shows nothing but a hint.
func (v *responseView) Clear() {
	v.x, v.attempts, v.ix, v.selected = nil, nil, nil, -1
	v.tree.UnselectAll()
	v.tree.CloseAllBranches()
	v.timeline = nil
	v.statusBar.Objects = []fyne.CanvasObject{wrapLabel("No response yet: send a request, or select a step.")}
	v.statusBar.Refresh()
	for _, b := range []*fyne.Container{v.bodyBox, v.rawBox, v.headerBox, v.timeBox, v.reqBox} {
		b.Objects = nil
		b.Refresh()
	}
	v.tabs.Hide()
}

// Show shows exchange x, one of attempts (all the attempts of its step,
// for the Timeline; nil for x alone). Call it on the UI goroutine.
func (v *responseView) Show(x *flow.Exchange, attempts []flow.Exchange) {
	if len(attempts) == 0 {
		attempts = []flow.Exchange{*x}
	}
	v.x, v.attempts, v.selected, v.searchFrom = x, attempts, -1, 0
	v.searchInfo.SetText("")
	// The tree forgets the last body's open members and selection before
	// it reads this one, whose IDs mean other members.
	v.ix = nil
	v.tree.UnselectAll()
	v.tree.CloseAllBranches()
	v.showStatus()
	v.showBody()
	v.showRaw()
	v.headerBox.Objects = []fyne.CanvasObject{v.headersTable(x.ResponseHeaders, "responseHeaders")}
	v.headerBox.Refresh()
	v.showTimeline()
	v.showRequest()
	if !v.tabs.Visible() {
		// Hidden, the tabs were given no room: lay them out anew.
		v.tabs.Show()
		v.root.Refresh()
	}
	v.updateActions()
}

func (v *responseView) pathRoot() string {
	if v.PathRoot == "" {
		return "body"
	}
	return v.PathRoot
}

// redactedText is what stands for a value the engine redacted.
func (v *responseView) redactedText() string {
	if v.x != nil && v.x.Redacted != nil && v.x.Redacted.Connection != "" {
		return "‹redacted: secret of connection " + v.x.Redacted.Connection + "›"
	}
	return "‹redacted: credential›"
}

// unredact replaces the engine's marker in a value of field by words that
// say what happened, when the exchange says field was redacted; ok
// reports whether it did.
func (v *responseView) unredact(field, s string) (string, bool) {
	if v.x == nil || !v.x.IsRedacted(field) || !strings.Contains(s, auth.Marker) {
		return s, false
	}
	return strings.ReplaceAll(s, auth.Marker, v.redactedText()), true
}

// showStatus fills the bar: status, time, size, truncation, redaction,
// and the body's actions.
func (v *responseView) showStatus() {
	x := v.x
	status := widget.NewLabelWithStyle(statusLine(x), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	switch {
	case x.Status >= 400 || x.Status == 0:
		status.Importance = widget.DangerImportance
	case x.Status >= 300:
		status.Importance = widget.WarningImportance
	default:
		status.Importance = widget.SuccessImportance
	}
	// the status gives way (an ellipsis) before the bar widens its
	// column: two response views side by side fit a 1024-px window
	status.Truncation = fyne.TextTruncateEllipsis
	var objs []fyne.CanvasObject
	if x.Truncated {
		l := widget.NewLabelWithStyle("truncated", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		l.Importance = widget.WarningImportance
		objs = append(objs, l)
	}
	if x.Redacted != nil {
		l := widget.NewLabelWithStyle("secrets redacted", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		l.Importance = widget.WarningImportance
		objs = append(objs, l)
	}
	objs = append(objs,
		widget.NewButtonWithIcon("Copy as cURL", theme.ContentCopyIcon(), v.copyCurl),
		widget.NewButtonWithIcon("Save body…", theme.DocumentSaveIcon(), v.saveBodyDialog))
	v.statusBar.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, container.NewHBox(objs...), status)}
	v.statusBar.Refresh()
}

// showBody fills the Body tab: a tree for JSON, else what bodyObject
// shows (text, or what a binary body is).
func (v *responseView) showBody() {
	x := v.x
	info := classifyBodyQuick(x.ResponseBody, headerValue(x.ResponseHeaders, "Content-Type"), x.ResponseSize, x.Truncated)
	var notes []fyne.CanvasObject
	for _, n := range info.notes {
		l := widget.NewLabelWithStyle(n, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Importance = widget.WarningImportance
		l.Wrapping = fyne.TextWrapWord
		notes = append(notes, l)
	}
	if x.IsRedacted("responseBody") {
		l := widget.NewLabelWithStyle("Values shown as "+v.redactedText()+" held that secret; the engine redacted them from the record.", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		l.Importance = widget.WarningImportance
		l.Wrapping = fyne.TextWrapWord
		notes = append(notes, l)
	}
	var content fyne.CanvasObject
	if info.json {
		if ix, err := newJSONIndex(x.ResponseBody); err == nil {
			v.ix = ix
			v.tree.ScrollToTop()
			v.tree.OpenBranch("0")
			actions := []fyne.CanvasObject{v.copyValue, v.copyPath}
			if v.OnUseInExpression != nil {
				actions = append(actions, v.useExpr)
			}
			find := widget.NewButtonWithIcon("", theme.SearchIcon(), v.findNext)
			bar := container.NewBorder(nil, nil, nil, find, v.search)
			acts := container.NewBorder(nil, nil, container.NewHBox(actions...), nil, v.searchInfo)
			content = container.NewBorder(container.NewVBox(append(notes, bar, acts)...), nil, nil, nil, v.tree)
		}
	}
	if content == nil {
		content = container.NewBorder(container.NewVBox(notes...), nil, nil, nil, v.textObject(x.ResponseBody, "responseBody", info.binary))
	}
	v.bodyBox.Objects = []fyne.CanvasObject{content}
	v.bodyBox.Refresh()
}

// quickInfo is what the Body tab needs to know of a body, found without
// reading all of it twice.
type quickInfo struct {
	json, binary bool
	notes        []string
}

// classifyBodyQuick is classifyBody's notes and kind without indenting
// the document: a JSON-looking body is tried as JSON by the tree itself.
func classifyBodyQuick(body, ctype string, size int64, truncated bool) quickInfo {
	var q quickInfo
	if len(body) <= rawCap || truncated {
		info := classifyBody(body, ctype, size, truncated)
		q.notes, q.json, q.binary = info.notes, info.kind == bodyJSON, info.kind == bodyBinary
		return q
	}
	// A large body: binary or not by its type and first bytes, JSON by
	// its first character (the index checks the rest).
	head := classifyBody(body[:rawCap], ctype, size, false)
	q.binary = head.kind == bodyBinary
	q.notes = head.notes
	q.json = !q.binary && looksLikeJSON(body[:rawCap])
	return q
}

// textObject shows text (a body) as a virtualized list of selectable
// lines, the first rawCap bytes until "Show all" is pressed, with
// redaction marked when field was redacted. One text object holding a
// long line takes the UI goroutine minutes to wrap; a list lays out only
// the lines in view.
func (v *responseView) textObject(text, field string, binary bool) fyne.CanvasObject {
	if binary {
		return widget.NewLabel(fmt.Sprintf("Binary body: %s. It is not shown as text; save it to a file.", byteSize(int64(len(text)))))
	}
	if text == "" {
		return widget.NewLabel("(empty body)")
	}
	shown, more := text, false
	if len(shown) > rawCap {
		cut := rawCap
		for cut > 0 && !utf8Start(shown[cut]) {
			cut--
		}
		shown, more = shown[:cut], true
	}
	shown, red := v.unredact(field, shown)
	list := selectableLines(shown, red)
	if !more {
		return list
	}
	box := container.NewStack()
	note := widget.NewLabel(fmt.Sprintf("Showing the first %s of %s.", byteSize(int64(len(shown))), byteSize(int64(len(text)))))
	all := widget.NewButton("Show all", nil)
	all.OnTapped = func() {
		full, red := v.unredact(field, text)
		box.Objects = []fyne.CanvasObject{container.NewBorder(nil, widget.NewLabel(fmt.Sprintf("All %s.", byteSize(int64(len(text))))), nil, nil, selectableLines(full, red))}
		box.Refresh()
	}
	box.Objects = []fyne.CanvasObject{container.NewBorder(nil, container.NewHBox(note, all), nil, nil, list)}
	return box
}

// selectableLines is text in a virtualized list of monospace lines of at
// most lineWidth characters, each selectable; warn colours them (a
// redacted value is in them).
func selectableLines(text string, warn bool) *widget.List {
	var lines []string
	for l := range strings.SplitSeq(text, "\n") {
		for utf8.RuneCountInString(l) > lineWidth {
			cut := 0
			for n := 0; n < lineWidth; n++ {
				_, size := utf8.DecodeRuneInString(l[cut:])
				cut += size
			}
			lines = append(lines, l[:cut])
			l = l[cut:]
		}
		lines = append(lines, strings.TrimSuffix(l, "\r"))
	}
	return widget.NewList(
		func() int { return len(lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.TextStyle = fyne.TextStyle{Monospace: true}
			l.Selectable = true
			if warn {
				l.Importance = widget.WarningImportance
			}
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(lines[i]) })
}

// showRaw fills the Raw tab with the body as received.
func (v *responseView) showRaw() {
	x := v.x
	info := classifyBodyQuick(x.ResponseBody, headerValue(x.ResponseHeaders, "Content-Type"), x.ResponseSize, x.Truncated)
	copyAll := widget.NewButtonWithIcon("Copy body", theme.ContentCopyIcon(), func() {
		v.copy(x.ResponseBody, fmt.Sprintf("Copied the body (%s).", byteSize(int64(len(x.ResponseBody)))))
	})
	v.rawBox.Objects = []fyne.CanvasObject{container.NewBorder(container.NewHBox(copyAll), nil, nil, nil, v.textObject(x.ResponseBody, "responseBody", info.binary))}
	v.rawBox.Refresh()
}

// updateRow fills a tree row: the member's name or position, and its
// value, coloured as JSON is elsewhere.
func (v *responseView) updateRow(id string, rt *widget.RichText) {
	if v.ix == nil {
		return
	}
	_, i := v.ix.node(id)
	if i < 0 {
		return
	}
	key, sep, val := rt.Segments[0].(*widget.TextSegment), rt.Segments[1].(*widget.TextSegment), rt.Segments[2].(*widget.TextSegment)
	key.Text, sep.Text = v.ix.label(i), ": "
	if v.ix.nodes[i].parent >= 0 && v.ix.nodes[i].index < 0 {
		key.Text = jsonQuote(key.Text)
	}
	val.Text = v.ix.preview(i)
	val.Style = monoStyle(jsonColor(v.ix.nodes[i].kind))
	if s, red := v.unredact("responseBody", val.Text); red {
		val.Text = s
		val.Style = monoStyle(theme.ColorNameWarning)
	}
	rt.Refresh()
}

// jsonRow is a tree row: the member's name and value, with a menu on a
// right click (Copy value, Copy path, Use in expression) for its value.
type jsonRow struct {
	widget.RichText
	v  *responseView
	id string
}

func newJSONRow(v *responseView) *jsonRow {
	r := &jsonRow{v: v}
	r.Segments = []widget.RichTextSegment{&widget.TextSegment{Style: monoStyle(colorKey)}, &widget.TextSegment{Style: monoStyle(colorPunct)}, &widget.TextSegment{Style: monoStyle(colorPunct)}}
	r.ExtendBaseWidget(r)
	return r
}

// Tapped selects the row. The desktop driver gives a click to the topmost
// object under the pointer that takes any tap, and a row takes right
// clicks, so a left click on it never reaches the tree's own row (the test
// driver's does): without this a click selected nothing and Copy value
// stayed disabled in the real window.
func (r *jsonRow) Tapped(*fyne.PointEvent) {
	if r.v.ix != nil && r.id != "" {
		r.v.tree.Select(r.id)
	}
}

// TappedSecondary selects the row's value and offers what can be done
// with it.
func (r *jsonRow) TappedSecondary(ev *fyne.PointEvent) {
	v := r.v
	if v.ix == nil || r.id == "" {
		return
	}
	v.tree.Select(r.id)
	c := fyne.CurrentApp().Driver().CanvasForObject(r)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(v.rowMenu(), c, ev.AbsolutePosition)
}

// rowMenu is what the selected value's menu offers.
func (v *responseView) rowMenu() *fyne.Menu {
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Copy value", v.copyValue.OnTapped),
		fyne.NewMenuItem("Copy path", v.copyPath.OnTapped),
	}
	if v.OnUseInExpression != nil {
		items = append(items, fyne.NewMenuItem("Use in expression", v.useExpr.OnTapped))
	}
	return fyne.NewMenu("", items...)
}

func jsonQuote(s string) string { return fmt.Sprintf("%q", s) }

func jsonColor(kind byte) fyne.ThemeColorName {
	switch kind {
	case '"':
		return colorString
	case '0':
		return colorNumber
	case 't', 'f', 'n':
		return colorLit
	}
	return colorPunct
}

// updateActions enables the buttons that act on the selected value.
func (v *responseView) updateActions() {
	for _, b := range []*widget.Button{v.copyValue, v.copyPath, v.useExpr} {
		if v.ix != nil && v.selected >= 0 {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// findNext selects the next value whose text holds the search (ignoring
// case), opening the members around it, and wraps to the top at the end.
func (v *responseView) findNext() {
	q := v.search.Text
	if v.ix == nil || q == "" {
		return
	}
	i, next := v.ix.find(q, v.searchFrom)
	if i < 0 && v.searchFrom > 0 {
		i, next = v.ix.find(q, 0)
	}
	if i < 0 {
		v.searchInfo.SetText("no match")
		v.searchFrom = 0
		return
	}
	v.searchFrom = next
	for _, id := range v.ix.ancestors(i) {
		if !v.tree.IsBranchOpen(id) {
			v.tree.OpenBranch(id)
		}
	}
	id := nodeID(i)
	v.tree.Select(id)
	v.tree.ScrollTo(id)
	v.searchInfo.SetText(v.ix.path(v.pathRoot(), i))
}

// copy puts text on the clipboard and says so in the console.
func (v *responseView) copy(text, msg string) {
	v.copied = text
	fyne.CurrentApp().Clipboard().SetContent(text)
	if v.sh.log != nil {
		v.sh.log(msg)
	}
}

// headersTable lists headers (sorted by name, one row a value) in a
// table; selecting a cell copies its text. field is "requestHeaders" or
// "responseHeaders", to mark redacted values.
func (v *responseView) headersTable(h map[string][]string, field string) fyne.CanvasObject {
	type row struct {
		name, value string // as recorded
		shown       string // with redaction in words
		redacted    bool
	}
	var rows []row
	for _, k := range sortedHeaderNames(h) {
		for _, val := range h[k] {
			shown, red := v.unredact(field+"."+k, val)
			rows = append(rows, row{k, val, shown, red})
		}
	}
	if len(rows) == 0 {
		return widget.NewLabel("(no headers)")
	}
	t := widget.NewTable(
		func() (int, int) { return len(rows), 2 },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			r := rows[id.Row]
			l.Importance, l.TextStyle = widget.MediumImportance, fyne.TextStyle{}
			if id.Col == 0 {
				l.TextStyle.Bold = true
				l.SetText(r.name)
				return
			}
			if r.redacted {
				l.Importance, l.TextStyle.Italic = widget.WarningImportance, true
			}
			l.SetText(r.shown)
		})
	t.SetColumnWidth(0, 220)
	t.SetColumnWidth(1, 640)
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row < 0 || id.Row >= len(rows) {
			return
		}
		r := rows[id.Row]
		if id.Col == 0 {
			v.copy(r.name, "Copied the header name "+r.name+".")
		} else {
			// A redacted value is copied as recorded: the marker, never a secret.
			v.copy(r.value, "Copied the value of the "+r.name+" header.")
		}
		t.UnselectAll()
	}
	var all strings.Builder
	for _, r := range rows {
		all.WriteString(r.name + ": " + r.value + "\n")
	}
	copyAll := widget.NewButtonWithIcon("Copy all", theme.ContentCopyIcon(), func() {
		v.copy(all.String(), fmt.Sprintf("Copied %d headers.", len(rows)))
	})
	hint := widget.NewLabel("Select a cell to copy it.")
	hint.Importance = widget.LowImportance
	return container.NewBorder(container.NewHBox(copyAll, hint), nil, nil, nil, t)
}

// showRequest fills the Request tab: the request as sent.
func (v *responseView) showRequest() {
	x := v.x
	u, red := v.unredact("url", x.URL)
	line := widget.NewLabel(x.Method + " " + u)
	line.Selectable = true
	line.Wrapping = fyne.TextWrapBreak
	line.TextStyle = fyne.TextStyle{Monospace: true}
	if red {
		line.Importance = widget.WarningImportance
	}
	rb, _ := v.unredact("requestBody", x.RequestBody)
	body := container.NewVScroll(bodyObject(rb, headerValue(x.RequestHeaders, "Content-Type"), int64(len(x.RequestBody)), false))
	top := line // Copy as cURL is in the status bar
	split := container.NewVSplit(v.headersTable(x.RequestHeaders, "requestHeaders"),
		container.NewBorder(widget.NewLabelWithStyle("Body", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, body))
	v.reqBox.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, split)}
	v.reqBox.Refresh()
}

// copyCurl copies the request as a cURL command.
func (v *responseView) copyCurl() {
	if v.x != nil {
		v.copy(curlCommand(v.x), "Copied the request as a cURL command; secrets are $VARIABLE placeholders.")
	}
}

// saveBodyDialog asks where to save the response body, and saves it.
func (v *responseView) saveBodyDialog() {
	if v.x == nil || v.sh.win == nil {
		return
	}
	x := v.x
	saveFileDialog(v.sh.win, bodyFileName(x), "save the body", v.saveBody, func(path string) {
		msg := fmt.Sprintf("Saved the body (%s) to %s.", byteSize(int64(len(x.ResponseBody))), path)
		if x.Truncated {
			msg += " It is the recorded part only: the response was truncated."
		}
		if v.sh.log != nil {
			v.sh.log(msg)
		}
	}, v.sh.showError)
}

// saveBody writes the response body, exactly as recorded, to w.
func (v *responseView) saveBody(w io.Writer) error {
	if v.x == nil {
		return nil
	}
	_, err := io.WriteString(w, v.x.ResponseBody)
	return err
}

// bodyFileName proposes a file name from the URL's last segment and the
// body's type.
func bodyFileName(x *flow.Exchange) string {
	name := "response"
	u := x.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.LastIndexByte(u, '/'); i >= 0 && i+1 < len(u) && !strings.Contains(u[i+1:], ":") {
		name = u[i+1:]
	}
	if strings.Contains(name, ".") {
		return name
	}
	ct := headerValue(x.ResponseHeaders, "Content-Type")
	switch {
	case strings.Contains(ct, "json"):
		return name + ".json"
	case strings.Contains(ct, "xml"):
		return name + ".xml"
	case strings.HasPrefix(ct, "text/html"):
		return name + ".html"
	case strings.HasPrefix(ct, "text/"):
		return name + ".txt"
	}
	return name
}

// text is everything the view shows, tab by tab (the tree's values as far
// as they are open), one item a line: for tests and people reading logs.
func (v *responseView) text() string {
	if v.x == nil {
		return ""
	}
	x := v.x
	var b strings.Builder
	b.WriteString(statusLine(x) + "\n")
	for _, k := range sortedHeaderNames(x.ResponseHeaders) {
		for _, val := range x.ResponseHeaders[k] {
			shown, _ := v.unredact("responseHeaders."+k, val)
			b.WriteString(k + ": " + shown + "\n")
		}
	}
	info := classifyBody(x.ResponseBody, headerValue(x.ResponseHeaders, "Content-Type"), x.ResponseSize, x.Truncated)
	for _, n := range info.notes {
		b.WriteString(n + "\n")
	}
	body, _ := v.unredact("responseBody", info.text)
	b.WriteString(body + "\n")
	for _, l := range v.timeline {
		b.WriteString(l + "\n")
	}
	b.WriteString(x.Method + " " + x.URL + "\n")
	return b.String()
}

// statusText is the HTTP status in words, for the timeline.
func statusText(x *flow.Exchange) string {
	if x.Status == 0 {
		return "no response"
	}
	return fmt.Sprintf("HTTP %d %s", x.Status, http.StatusText(x.Status))
}
