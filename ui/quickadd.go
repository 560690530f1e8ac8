package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	fbcanvas "github.com/flowbench/flowbench/ui/canvas"
	"github.com/flowbench/flowbench/ui/editor"
)

// quickItem is one choice of quick-add: a node kind, or a preset (the
// chatbot call, a connection's named request).
type quickItem struct {
	label  string
	detail string
	icon   fyne.Resource
	node   flow.Node
	// after runs once the node is added (the chatbot preset asks for its
	// connection and branches).
	after func(id string)
	words string // what the filter matches, lower case
}

// quickItems lists every kind (from flow.Kinds) and the presets: the
// chatbot call and each named request of each connection.
func (a *App) quickItems() []quickItem {
	var items []quickItem
	for _, k := range flow.Kinds {
		s, _ := flow.Spec(k)
		items = append(items, quickItem{label: s.Title, detail: s.Help, icon: fbcanvas.KindIcon(k),
			node: editor.NewNode("", k, flow.Position{})})
	}
	call := editor.NewNode("", flow.KindCall, flow.Position{})
	call.Title = "Chatbot call"
	items = append(items, quickItem{label: "Chatbot call", detail: "A call of the chatbot cloud-function contract: pick its connection and branches",
		icon: fbcanvas.KindIcon(flow.KindCall), node: call, after: func(id string) {
			if a.inspector != nil {
				a.inspector.chatbotPresetInteractive(id)
			}
		}})
	for _, c := range a.conns {
		for _, r := range c.Requests {
			n := editor.NewNode("", flow.KindCall, flow.Position{})
			n.Title = r.Name
			args := map[string]string{}
			for _, p := range r.Params {
				args[p] = strconv.Quote("")
			}
			if len(args) == 0 {
				args = nil
			}
			n.Call = &flow.Call{Connection: c.Name, Request: r.Name, Args: args, Branches: slices.Clone(r.Branches)}
			detail := r.Description
			if detail == "" {
				detail = "The request " + r.Name + " of connection " + c.Name
			}
			items = append(items, quickItem{label: c.Name + ": " + r.Name, detail: detail,
				icon: fbcanvas.KindIcon(flow.KindCall), node: n})
		}
	}
	for i := range items {
		it := &items[i]
		it.words = strings.ToLower(it.label + " " + string(it.node.Kind) + " " + it.detail)
	}
	return items
}

// filterQuick keeps the items every word of the query is found in, those
// whose label starts with the query first.
func filterQuick(items []quickItem, query string) []quickItem {
	q := strings.Fields(strings.ToLower(query))
	var first, rest []quickItem
	for _, it := range items {
		ok := true
		for _, w := range q {
			if !strings.Contains(it.words, w) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if len(q) > 0 && strings.HasPrefix(strings.ToLower(it.label), q[0]) {
			first = append(first, it)
		} else {
			rest = append(rest, it)
		}
	}
	return append(first, rest...)
}

// quickEntry is the search line of quick-add: the arrows move through the
// list, Enter adds the highlighted choice, Escape closes.
type quickEntry struct {
	widget.Entry
	onKey func(*fyne.KeyEvent) bool
}

func (e *quickEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.onKey != nil && e.onKey(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

// AcceptsTab keeps Tab in the search line (it picks, as Enter does).
func (e *quickEntry) AcceptsTab() bool { return true }

// quickAdd is the open quick-add popup.
type quickAdd struct {
	a       *App
	req     fbcanvas.QuickAdd
	items   []quickItem
	shown   []quickItem
	sel     int
	entry   *quickEntry
	list    *widget.List
	detail  *widget.Label
	popup   *widget.PopUp
	picked  bool
	onClose func()
}

// showQuickAdd opens the quick-add popup for req over the canvas: type to
// filter, Enter (or a click) adds the choice where req says, connected.
func (a *App) showQuickAdd(req fbcanvas.QuickAdd) *quickAdd {
	q := &quickAdd{a: a, req: req, items: a.quickItems()}
	if req.From != "" {
		// what follows a node has an input: no start
		q.items = slices.DeleteFunc(q.items, func(it quickItem) bool { return !flow.HasInput(it.node.Kind) })
	}
	q.shown = q.items
	q.entry = &quickEntry{}
	q.entry.ExtendBaseWidget(q.entry)
	q.entry.SetPlaceHolder("Search nodes and presets")
	if req.From != "" {
		port := req.Port
		if port == "" {
			port = editor.FreePort(a.ed.Flow(), req.From)
		}
		q.entry.SetPlaceHolder("Add after " + req.From + "." + port)
	}
	q.entry.OnChanged = func(s string) {
		q.shown = filterQuick(q.items, s)
		q.sel = 0
		q.highlight()
	}
	q.entry.OnSubmitted = func(string) { q.pick(q.sel) }
	q.entry.onKey = func(ev *fyne.KeyEvent) bool {
		switch ev.Name {
		case fyne.KeyDown:
			q.move(1)
		case fyne.KeyUp:
			q.move(-1)
		case fyne.KeyEscape:
			q.close()
		case fyne.KeyTab:
			q.pick(q.sel)
		default:
			return false
		}
		return true
	}
	detail := widget.NewLabel("")
	detail.Wrapping = fyne.TextWrapWord
	detail.Importance = widget.LowImportance
	q.detail = detail
	// rows are buttons: a click adds, the arrows highlight
	q.list = widget.NewList(func() int { return len(q.shown) },
		func() fyne.CanvasObject {
			b := widget.NewButtonWithIcon("title", theme.ContentAddIcon(), nil)
			b.Alignment = widget.ButtonAlignLeading
			return b
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(q.shown) {
				return
			}
			b := o.(*widget.Button)
			b.SetText(q.shown[i].label)
			b.SetIcon(q.shown[i].icon)
			b.OnTapped = func() { q.pick(i) }
			imp := widget.LowImportance
			if i == q.sel {
				imp = widget.HighImportance
			}
			if b.Importance != imp {
				b.Importance = imp
				b.Refresh()
			}
		})
	box := container.NewBorder(q.entry, detail, nil, nil, container.NewGridWrap(fyne.NewSize(300, 260), q.list))
	cv := a.w.Canvas()
	q.popup = widget.NewPopUp(box, cv)
	at := a.cv.Position()
	if d := fyne.CurrentApp().Driver(); d != nil {
		at = d.AbsolutePositionForObject(a.cv)
	}
	pos := at.Add(req.Screen)
	size := box.MinSize()
	// keep it inside the window
	ws := cv.Size()
	pos.X = max(0, min(pos.X, ws.Width-size.Width))
	pos.Y = max(0, min(pos.Y, ws.Height-size.Height))
	q.popup.ShowAtPosition(pos)
	q.highlight()
	cv.Focus(q.entry)
	return q
}

func (q *quickAdd) move(d int) {
	if len(q.shown) == 0 {
		return
	}
	q.sel = (q.sel + d + len(q.shown)) % len(q.shown)
	q.highlight()
}

// highlight shows the choice Enter would add and what it is.
func (q *quickAdd) highlight() {
	q.list.Refresh()
	if q.sel < len(q.shown) {
		q.list.ScrollTo(q.sel)
		q.detail.SetText(q.shown[q.sel].detail)
	} else {
		q.detail.SetText("Nothing matches; try a kind: call, decision, set…")
	}
}

// pick adds the choice i as the request says and closes the popup.
func (q *quickAdd) pick(i int) {
	if q.picked || i < 0 || i >= len(q.shown) {
		return
	}
	q.picked = true
	it := q.shown[i]
	q.close()
	id, err := q.a.cv.AddQuick(it.node, q.req)
	if err != nil {
		q.a.console.logError(err.Error())
		return
	}
	if it.after != nil {
		it.after(id)
	}
}

func (q *quickAdd) close() {
	q.popup.Hide()
	if q.onClose != nil {
		q.onClose()
	}
	q.a.w.Canvas().Focus(q.a.cv)
}

// renameNodeInteractive asks for node id's new id, then renames it with
// every connector and every expression reading steps.<id> (one undo step);
// a taken or invalid id is refused with the editor's message.
func (a *App) renameNodeInteractive(id string) {
	if a.ed.Flow().Node(id) == nil {
		return
	}
	line := newDialogLine()
	line.SetText(id)
	showForm("Rename node "+id, "Rename", []*widget.FormItem{
		widget.NewFormItem("New id", line),
		widget.NewFormItem("", widget.NewLabel("Expressions reading steps."+id+" and the connectors follow.")),
	}, func(ok bool) {
		if ok {
			if err := a.ed.RenameNode(id, strings.TrimSpace(line.Text)); err != nil {
				a.showError(err)
			}
		}
	}, a.w)
}

// testStepFromMenu tests node id alone (the canvas menu's Test this step):
// a call is sent on its own; other kinds run only within the flow.
func (a *App) testStepFromMenu(id string) {
	n := a.ed.Flow().Node(id)
	if n == nil {
		return
	}
	if n.Kind != flow.KindCall {
		a.console.logError(fmt.Sprintf("test step: node %s is a %s node; only a call can be tested on its own: run the flow to see it work", id, n.Kind))
		return
	}
	a.ed.Select(editor.Selection{Node: id, Edge: -1})
	a.TestNode(id)
}

// wireCanvas connects the canvas's quick-add, rename, test and tidy to
// the window: its shortcuts, the quick-add popup, fyne's animations.
func (a *App) wireCanvas() {
	a.cv.OnQuickAdd = func(req fbcanvas.QuickAdd) { a.showQuickAdd(req) }
	a.cv.OnRename = a.renameNodeInteractive
	a.cv.OnTestStep = a.testStepFromMenu
	a.cv.Animate = func(d time.Duration, step func(float32)) {
		an := fyne.NewAnimation(d, step)
		an.Curve = fyne.AnimationLinear
		an.Start()
	}
	a.cv.Pulse = func(step func(float32)) func() {
		an := fyne.NewAnimation(700*time.Millisecond, step)
		an.Curve = fyne.AnimationEaseInOut
		an.AutoReverse = true
		an.RepeatCount = fyne.AnimationRepeatForever
		an.Start()
		return an.Stop
	}
	a.cv.AddShortcuts(a.w.Canvas())
}
