package ui

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// newTestResponseView puts a response view in a 1024x640 test window.
func newTestResponseView(t *testing.T) (*responseView, fyne.Window, *[]string) {
	t.Helper()
	test.NewTempApp(t)
	var logged []string
	w := test.NewWindow(nil)
	v := newResponseView(shell{win: w, log: func(s string) { logged = append(logged, s) }, logError: func(string) {}, showError: func(err error) { t.Errorf("error shown: %v", err) }})
	w.SetContent(v.Object())
	w.Resize(fyne.NewSize(1024, 640))
	t.Cleanup(w.Close)
	return v, w, &logged
}

const sampleBody = `{"order": {"id": "A-1", "items": [{"sku": "x1", "qty": 2}, {"sku": "y2", "qty": 1}],
 "weird key": {"a.b": true, "in": null, "ünï": "v"}, "note": "Ship to Ada"}, "total": 12.5}`

func sampleExchange() *flow.Exchange {
	return &flow.Exchange{Attempt: 1, Method: "POST", URL: "https://api.example.com/v1/orders?key=[redacted]", Status: 200,
		RequestHeaders:  map[string][]string{"Authorization": {"Bearer [redacted]"}, "Content-Type": {"application/json"}},
		RequestBody:     `{"q": 1}`,
		ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}, "X-Echo": {"[redacted]"}, "X-Plain": {"[redacted] literally"}},
		ResponseBody:    sampleBody, ResponseSize: int64(len(sampleBody)), DurationMs: 42,
		Redacted: &flow.Redaction{Connection: "crm", Fields: []string{"requestHeaders.Authorization", "responseHeaders.X-Echo", "url"}},
	}
}

// nodeAt returns the node of the index whose path is p.
func nodeAt(t *testing.T, v *responseView, p string) int {
	t.Helper()
	// open the way there as a person unfolding it would
	var walk func(id string) int
	walk = func(id string) int {
		_, i := v.ix.node(id)
		if v.ix.path(v.pathRoot(), i) == p {
			return i
		}
		if !strings.HasPrefix(p, v.ix.path(v.pathRoot(), i)) || !v.ix.isBranch(id) {
			return -1
		}
		for _, c := range v.ix.childIDs(id) {
			if j := walk(c); j >= 0 {
				return j
			}
		}
		return -1
	}
	i := walk("0")
	if i < 0 {
		t.Fatalf("no node at %s", p)
	}
	return i
}

func TestResponseViewFoldsTheTree(t *testing.T) {
	v, _, _ := newTestResponseView(t)
	v.Show(sampleExchange(), nil)
	if v.ix == nil {
		t.Fatal("the JSON body has no tree")
	}
	if !v.tree.IsBranchOpen("0") {
		t.Fatal("the top level is not open")
	}
	top := v.ix.childIDs("0")
	if len(top) != 2 {
		t.Fatalf("top level has %d members, want 2", len(top))
	}
	// Only the top level is indexed until a member is opened.
	if got := len(v.ix.nodes); got != 3 {
		t.Fatalf("%d nodes indexed before opening anything, want 3", got)
	}
	order := top[0]
	if v.ix.label(nodeAtID(v, order)) != "order" || v.ix.preview(nodeAtID(v, order)) != "{ … }" {
		t.Fatalf("first member %q %q", v.ix.label(nodeAtID(v, order)), v.ix.preview(nodeAtID(v, order)))
	}
	v.tree.OpenBranch(order)
	kids := v.ix.childIDs(order)
	var labels []string
	for _, k := range kids {
		labels = append(labels, v.ix.label(nodeAtID(v, k)))
	}
	if !slices.Equal(labels, []string{"id", "items", "weird key", "note"}) {
		t.Fatalf("order's members %v", labels)
	}
	if v.ix.preview(nodeAtID(v, order)) != "{ 4 }" {
		t.Errorf("opened object preview %q", v.ix.preview(nodeAtID(v, order)))
	}
	v.tree.CloseBranch(order)
	if v.tree.IsBranchOpen(order) {
		t.Fatal("the member did not fold")
	}
}

func nodeAtID(v *responseView, id string) int {
	_, i := v.ix.node(id)
	return i
}

func TestResponseViewPathsAndCopy(t *testing.T) {
	v, _, logged := newTestResponseView(t)
	var used []string
	v.OnUseInExpression = func(p string) { used = append(used, p) }
	v.PathRoot = "steps.lookup.body"
	v.Show(sampleExchange(), nil)
	cb := fyne.CurrentApp().Clipboard()
	for _, tc := range []struct{ path, value string }{
		{`steps.lookup.body.order.id`, "A-1"},
		{`steps.lookup.body.order.items[1].sku`, "y2"},
		{`steps.lookup.body.order.items[0].qty`, "2"},
		{`steps.lookup.body.order["weird key"]["a.b"]`, "true"},
		{`steps.lookup.body.order["weird key"]["in"]`, "null"},
		{`steps.lookup.body.order["weird key"]["ünï"]`, "v"},
		{`steps.lookup.body.total`, "12.5"},
		{`steps.lookup.body.order.items[1]`, "{\n  \"sku\": \"y2\",\n  \"qty\": 1\n}"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			i := nodeAt(t, v, tc.path)
			v.tree.Select(nodeID(i))
			test.Tap(v.copyValue)
			if got := cb.Content(); got != tc.value {
				t.Errorf("Copy value put %q on the clipboard, want %q", got, tc.value)
			}
			test.Tap(v.copyPath)
			if got := cb.Content(); got != tc.path {
				t.Errorf("Copy path put %q, want %q", got, tc.path)
			}
			n := len(used)
			test.Tap(v.useExpr)
			if len(used) != n+1 || used[n] != tc.path {
				t.Errorf("Use in expression called back with %v, want %q", used[n:], tc.path)
			}
		})
	}
	if len(*logged) == 0 || !strings.HasPrefix((*logged)[len(*logged)-1], "Copied the path ") {
		t.Errorf("the console was not told: %v", *logged)
	}
	t.Run("an array at the top", func(t *testing.T) {
		v.PathRoot = ""
		v.Show(&flow.Exchange{Status: 200, ResponseBody: `[{"a": [10, {"b c": 1}]}]`, ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}}}, nil)
		i := nodeAt(t, v, `body[0].a[1]["b c"]`)
		v.tree.Select(nodeID(i))
		test.Tap(v.useExpr)
		if got := used[len(used)-1]; got != `body[0].a[1]["b c"]` {
			t.Errorf("path %q", got)
		}
	})
}

// TestResponseViewRowMenu: a right click on a row selects its value and
// offers the same actions as the buttons.
func TestResponseViewRowMenu(t *testing.T) {
	v, w, _ := newTestResponseView(t)
	var used []string
	v.OnUseInExpression = func(p string) { used = append(used, p) }
	v.Show(sampleExchange(), nil)
	row := v.tree.CreateNode(false).(*jsonRow)
	total := v.ix.childIDs("0")[1]
	v.tree.UpdateNode(total, false, row)
	test.NewWindow(row) // the row needs a canvas for its menu
	row.TappedSecondary(&fyne.PointEvent{})
	if v.selected != nodeAtID(v, total) {
		t.Fatalf("right click selected %d", v.selected)
	}
	m := v.rowMenu()
	var labels []string
	for _, it := range m.Items {
		labels = append(labels, it.Label)
	}
	if !slices.Equal(labels, []string{"Copy value", "Copy path", "Use in expression"}) {
		t.Fatalf("menu %v", labels)
	}
	m.Items[0].Action()
	if got := fyne.CurrentApp().Clipboard().Content(); got != "12.5" {
		t.Errorf("Copy value from the menu copied %q", got)
	}
	m.Items[2].Action()
	if !slices.Equal(used, []string{"body.total"}) {
		t.Errorf("Use in expression from the menu: %v", used)
	}
	_ = w
}

func TestResponseViewUseInExpressionHiddenWithoutCallback(t *testing.T) {
	v, _, _ := newTestResponseView(t)
	v.Show(sampleExchange(), nil)
	found := false
	walk(v.bodyBox, func(o fyne.CanvasObject) {
		if o == v.useExpr {
			found = true
		}
	})
	if found {
		t.Error("Use in expression is offered with nothing to insert into")
	}
	if !v.copyValue.Disabled() {
		t.Error("Copy value is enabled with nothing selected")
	}
}

func TestResponseViewSearch(t *testing.T) {
	v, _, _ := newTestResponseView(t)
	v.Show(sampleExchange(), nil)
	v.search.SetText("SKU")
	v.search.OnSubmitted(v.search.Text)
	want := []string{"body.order.items[0].sku", "body.order.items[1].sku", "body.order.items[0].sku"}
	for k, w := range want {
		if k > 0 {
			v.findNext()
		}
		if v.selected < 0 {
			t.Fatalf("search %d selected nothing", k)
		}
		if got := v.ix.path("body", v.selected); got != w {
			t.Fatalf("search %d selected %s, want %s", k, got, w)
		}
		for _, a := range v.ix.ancestors(v.selected) {
			if !v.tree.IsBranchOpen(a) {
				t.Errorf("search %d: %s is not open", k, a)
			}
		}
	}
	if v.searchInfo.Text != "body.order.items[0].sku" {
		t.Errorf("search info %q", v.searchInfo.Text)
	}
	// A value, not just a key; case ignored.
	v.search.SetText("ship to ADA")
	v.findNext()
	if got := v.ix.path("body", v.selected); got != "body.order.note" {
		t.Errorf("value search selected %s", got)
	}
	v.search.SetText("nowhere")
	v.findNext()
	if v.searchInfo.Text != "no match" {
		t.Errorf("no match says %q", v.searchInfo.Text)
	}
}

func TestResponseViewHeadersTable(t *testing.T) {
	v, _, _ := newTestResponseView(t)
	v.Show(sampleExchange(), nil)
	table := findTable(t, v.headerBox)
	rows, cols := table.Length()
	if rows != 3 || cols != 2 {
		t.Fatalf("table %dx%d, want 3x2", rows, cols)
	}
	cell := func(r, c int) *widget.Label {
		o := table.CreateCell()
		table.UpdateCell(widget.TableCellID{Row: r, Col: c}, o)
		return o.(*widget.Label)
	}
	if cell(0, 0).Text != "Content-Type" || cell(0, 1).Text != "application/json" {
		t.Errorf("row 0: %q %q", cell(0, 0).Text, cell(0, 1).Text)
	}
	// X-Echo was redacted for the connection: said in words, in its own style.
	red := cell(1, 1)
	if red.Text != "‹redacted: secret of connection crm›" || !red.TextStyle.Italic || red.Importance != widget.WarningImportance {
		t.Errorf("redacted header shown as %q italic=%v importance=%v", red.Text, red.TextStyle.Italic, red.Importance)
	}
	// X-Plain holds the marker's text but was not redacted: shown as received.
	if plain := cell(2, 1); plain.Text != "[redacted] literally" || plain.TextStyle.Italic {
		t.Errorf("unredacted header shown as %q", plain.Text)
	}
	table.Select(widget.TableCellID{Row: 0, Col: 1})
	if got := fyne.CurrentApp().Clipboard().Content(); got != "application/json" {
		t.Errorf("selecting a value copied %q", got)
	}
	table.Select(widget.TableCellID{Row: 1, Col: 1})
	if got := fyne.CurrentApp().Clipboard().Content(); got != "[redacted]" {
		t.Errorf("a redacted value copies as recorded, got %q", got)
	}
	table.Select(widget.TableCellID{Row: 2, Col: 0})
	if got := fyne.CurrentApp().Clipboard().Content(); got != "X-Plain" {
		t.Errorf("selecting a name copied %q", got)
	}
}

func TestResponseViewMarksRedactedRequest(t *testing.T) {
	v, _, _ := newTestResponseView(t)
	v.Show(sampleExchange(), nil)
	texts := tableTexts(t, v.reqBox)
	walk(v.reqBox, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	})
	all := strings.Join(texts, "\n")
	for _, want := range []string{
		"POST https://api.example.com/v1/orders?key=‹redacted: secret of connection crm›",
		"Bearer ‹redacted: secret of connection crm›",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the Request tab lacks %q:\n%s", want, all)
		}
	}
	// The body's marker says so too when the body was redacted.
	x := sampleExchange()
	x.ResponseBody = `{"token": "[redacted]", "other": "[redacted]x"}`
	x.Redacted.Fields = append(x.Redacted.Fields, "responseBody")
	v.Show(x, nil)
	rt := &v.tree.CreateNode(false).(*jsonRow).RichText
	v.updateRow(v.ix.childIDs("0")[0], rt)
	if got := rt.Segments[2].(*widget.TextSegment); got.Text != `"‹redacted: secret of connection crm›"` || got.Style.ColorName != theme.ColorNameWarning {
		t.Errorf("redacted body value shown as %q", got.Text)
	}
	if !bodyNoteShown(v) {
		t.Error("the Body tab does not say values were redacted")
	}
}

func bodyNoteShown(v *responseView) bool {
	found := false
	walk(v.bodyBox, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "held that secret; the engine redacted them") {
			found = true
		}
	})
	return found
}

func TestResponseViewTimelineRowPerAttempt(t *testing.T) {
	v, _, _ := newTestResponseView(t)
	attempts := []flow.Exchange{
		{Attempt: 1, Status: 503, DurationMs: 30, Error: "HTTP 503",
			Timing: &flow.Timing{DNSStartUs: 10, DNSDoneUs: 1210, ConnectStartUs: 1300, ConnectDoneUs: 1800, TLSStartUs: 1900, TLSDoneUs: 6000, WroteUs: 6100, FirstByteUs: 25000, TotalUs: 30000}},
		{Attempt: 2, Status: 200, WaitMs: 400, DurationMs: 12,
			Timing: &flow.Timing{WroteUs: 100, FirstByteUs: 11000, TotalUs: 12000, Reused: true}},
		{Attempt: 3, Status: 0, WaitMs: 800, Error: "the run was stopped"},
	}
	v.Show(&attempts[1], attempts)
	want := []string{
		"#1 · HTTP 503 Service Unavailable · DNS 1.2 ms · connect 0.5 ms · TLS 4.1 ms · server 19 ms · first byte at 25 ms · total 30 ms",
		"#2 · HTTP 200 OK · waited 400 ms before · server 11 ms · first byte at 11 ms · total 12 ms · kept-alive connection",
		"#3 · no response · waited 800 ms before · took 0 ms · no timing recorded",
	}
	if !slices.Equal(v.timeline, want) {
		t.Fatalf("timeline rows:\n%s\nwant:\n%s", strings.Join(v.timeline, "\n"), strings.Join(want, "\n"))
	}
	bars := 0
	walk(v.timeBox, func(o fyne.CanvasObject) {
		if c, ok := o.(*fyne.Container); ok {
			if _, ok := c.Layout.(*barLayout); ok {
				bars++
			}
		}
	})
	if bars != 2 {
		t.Errorf("%d bars, want one per timed attempt (2)", bars)
	}
}

func TestResponseViewSavesTheBodyExactly(t *testing.T) {
	v, _, _ := newTestResponseView(t)
	x := sampleExchange()
	x.ResponseBody = "line one\r\nline two \xff with a stray byte\n"
	v.Show(x, nil)
	var buf bytes.Buffer
	if err := v.saveBody(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.String() != x.ResponseBody {
		t.Fatalf("saved %q, want %q", buf.String(), x.ResponseBody)
	}
	if got := bodyFileName(x); got != "orders.json" {
		t.Errorf("proposed file name %q", got)
	}
}

func TestResponseViewLargeRawShowsAPrefix(t *testing.T) {
	v, _, _ := newTestResponseView(t)
	body := `{"rows": [` + strings.Repeat(`{"id": 12345, "name": "row"},`, 4000) + `{"id": 0}]}`
	v.Show(&flow.Exchange{Status: 200, ResponseBody: body, ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}}}, nil)
	lines := func() int {
		var list *widget.List
		walk(v.rawBox, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.List); ok {
				list = l
			}
		})
		if list == nil {
			t.Fatal("the Raw tab has no list of lines")
		}
		return list.Length()
	}
	var all *widget.Button
	walk(v.rawBox, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Show all" {
			all = b
		}
	})
	if all == nil {
		t.Fatal("no Show all for a large body")
	}
	// One line of 116 KiB: the first 16 KiB, broken every lineWidth characters.
	if got, want := lines(), rawCap/lineWidth+1; got != want {
		t.Fatalf("the Raw tab shows %d lines before Show all, want %d", got, want)
	}
	test.Tap(all)
	if got, want := lines(), (len(body)+lineWidth-1)/lineWidth; got != want {
		t.Fatalf("Show all shows %d lines, want %d", got, want)
	}
}

func findTable(t *testing.T, box fyne.CanvasObject) *widget.Table {
	t.Helper()
	var table *widget.Table
	walk(box, func(o fyne.CanvasObject) {
		if tb, ok := o.(*widget.Table); ok {
			table = tb
		}
	})
	if table == nil {
		t.Fatal("no headers table")
	}
	return table
}

// tableTexts is every cell of the table in box, as shown.
func tableTexts(t *testing.T, box fyne.CanvasObject) []string {
	table := findTable(t, box)
	rows, cols := table.Length()
	var out []string
	for r := range rows {
		for c := range cols {
			o := table.CreateCell()
			table.UpdateCell(widget.TableCellID{Row: r, Col: c}, o)
			out = append(out, o.(*widget.Label).Text)
		}
	}
	return out
}

// TestStepPaneUseInExpression: in the console's step pane, "Use in
// expression" puts the value's path into the expression field that last
// had the focus, as a {{ }} hole in a Text-mode field; with none focused it
// copies the path.
func TestStepPaneUseInExpression(t *testing.T) {
	h := newHarness(t)
	lastExprField = nil
	s := &flow.Step{Seq: 2, Node: "lookup", Kind: flow.KindCall, Status: flow.StatusSucceeded, Exchanges: []flow.Exchange{*sampleExchange()}}
	h.app.pane.show(s)
	v := h.app.pane.view
	i := nodeAt(t, v, `steps.lookup.body.order.items[1].sku`)
	v.tree.Select(nodeID(i))
	test.Tap(v.useExpr)
	if got := fyne.CurrentApp().Clipboard().Content(); got != "steps.lookup.body.order.items[1].sku" {
		t.Fatalf("with no field focused the path was not copied: %q", got)
	}
	f := newExprField(h.app.checker, "", false, true, false, func() []string { return nil }, nil, withModes(true))
	w := test.NewWindow(f.box)
	defer w.Close()
	w.Canvas().Focus(f.entry)
	test.Type(f.entry, "Order item ")
	w.Canvas().Unfocus()
	test.Tap(v.useExpr)
	if f.entry.Text != "Order item {{ steps.lookup.body.order.items[1].sku }}" {
		t.Fatalf("the field holds %q", f.entry.Text)
	}
	if w.Canvas().Focused() != f.entry {
		t.Error("the field did not get the focus back")
	}
}

// TestResponseViewRowSelectsOnAClick: a left click on a JSON row selects
// it and enables Copy value. The click goes where the desktop driver sends
// it: to the topmost object under the pointer that takes any tap, right
// clicks included (glfw's processMouseClicked), which is the row itself
// and not the tree's row around it that the test driver's Tap finds.
func TestResponseViewRowSelectsOnAClick(t *testing.T) {
	v, w, _ := newTestResponseView(t)
	v.Show(sampleExchange(), nil)
	if !v.copyValue.Disabled() {
		t.Fatal("Copy value is enabled with nothing selected")
	}
	var row *jsonRow
	walk(w.Content(), func(o fyne.CanvasObject) {
		if r, ok := o.(*jsonRow); ok && row == nil && r.Visible() && r.id != "" {
			row = r
		}
	})
	if row == nil {
		t.Fatal("the tree shows no row")
	}
	d := fyne.CurrentApp().Driver()
	at := d.AbsolutePositionForObject(row).AddXY(row.Size().Width/2, row.Size().Height/2)
	// the topmost visible object under the pointer that takes a tap of any
	// kind: the last one in drawing order
	var hit fyne.CanvasObject
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		p, sz := d.AbsolutePositionForObject(o), o.Size()
		if at.X >= p.X && at.Y >= p.Y && at.X < p.X+sz.Width && at.Y < p.Y+sz.Height {
			switch o.(type) {
			case fyne.Tappable, fyne.SecondaryTappable, fyne.DoubleTappable, fyne.Focusable, desktop.Mouseable:
				hit = o
			}
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				visit(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				visit(c)
			}
		}
	}
	visit(w.Content())
	tap, ok := hit.(fyne.Tappable)
	if !ok {
		t.Fatalf("a click on the row %q goes to %T, which takes no left click", row.id, hit)
	}
	tap.Tapped(&fyne.PointEvent{})
	if _, want := v.ix.node(row.id); v.selected != want || v.copyValue.Disabled() {
		t.Fatalf("after a click on row %q: selected %d (want %d), Copy value disabled %v", row.id, v.selected, want, v.copyValue.Disabled())
	}
}
