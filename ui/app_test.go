package ui

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// Card geometry of ui/canvas, in flow units at scale 1: output port i of a
// card at p is at p + (200, 52 + 20i + 10); the input dot at p + (0, 20).
// The test presses where a person would, so it needs these points.
func portPoint(n *flow.Node, i int) flow.Position {
	return flow.Position{X: n.Position.X + 200, Y: n.Position.Y + 52 + 20*float64(i) + 10}
}

func cardPoint(n *flow.Node) flow.Position {
	return flow.Position{X: n.Position.X + 100, Y: n.Position.Y + 26}
}

// screen turns a flow position into an absolute position on the window.
func (h *harness) screen(p flow.Position) fyne.Position {
	origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(h.app.cv)
	return origin.Add(h.app.cv.View().ToScreen(p))
}

// dragFlow drags on the window from one flow position to another.
func (h *harness) dragFlow(from, to flow.Position) {
	a, b := h.screen(from), h.screen(to)
	test.Drag(h.w.Canvas(), a, b.X-a.X, b.Y-a.Y)
}

func (h *harness) node(id string) *flow.Node {
	h.t.Helper()
	n := h.app.ed.Flow().Node(id)
	if n == nil {
		h.t.Fatalf("the flow has no node %q; it has %+v", id, h.app.ed.Flow().Nodes)
	}
	return n
}

// sameDocument compares two flows as documents: the store's id and version
// are bookkeeping, not content.
func sameDocument(t *testing.T, got, want *flow.Flow) {
	t.Helper()
	g, w := editor.Clone(got), editor.Clone(want)
	g.ID, g.Version, w.ID, w.Version = "", 0, "", 0
	if !reflect.DeepEqual(g, w) {
		gb, _ := flow.EncodeFlow(g)
		wb, _ := flow.EncodeFlow(w)
		t.Fatalf("documents differ:\n got: %s\nwant: %s", gb, wb)
	}
}

func TestBuildFlowByTappingAndDraggingThenSaveAndReload(t *testing.T) {
	h := newHarness(t)
	ed := h.app.ed
	ctrl := fyne.KeyModifierShortcutDefault

	t.Run("palette adds start, call and end", func(t *testing.T) {
		for _, name := range []string{"Start", "Call", "End"} {
			test.Tap(h.tipButtonNamed(name))
		}
		for _, id := range []string{"start", "call", "end"} {
			h.node(id)
		}
		if got := ed.Selection().Node; got != "end" {
			t.Errorf("the node added last should be selected, got %q", got)
		}
	})

	t.Run("drag cards apart", func(t *testing.T) {
		moves := []struct {
			id   string
			dest flow.Position
		}{
			{"start", flow.Position{X: 40, Y: 200}},
			{"call", flow.Position{X: 340, Y: 200}},
			{"end", flow.Position{X: 640, Y: 200}},
		}
		for _, m := range moves {
			n := h.node(m.id)
			grab := cardPoint(n)
			to := flow.Position{X: grab.X + m.dest.X - n.Position.X, Y: grab.Y + m.dest.Y - n.Position.Y}
			h.app.cv.FitToWindow()
			h.dragFlow(grab, to)
			if got := h.node(m.id).Position; got != m.dest {
				t.Errorf("%s: dragged to %+v, want %+v", m.id, got, m.dest)
			}
		}
	})

	t.Run("drag from ports to cards connects them", func(t *testing.T) {
		h.dragFlow(portPoint(h.node("start"), 0), cardPoint(h.node("call")))
		h.dragFlow(portPoint(h.node("call"), 0), cardPoint(h.node("end")))
		want := []flow.Edge{{From: "start", To: "call"}, {From: "call", To: "end"}}
		if got := ed.Flow().Edges; !reflect.DeepEqual(got, want) {
			t.Fatalf("edges = %+v, want %+v", got, want)
		}
	})

	t.Run("tap the call and type its URI in the form", func(t *testing.T) {
		test.TapCanvas(h.w.Canvas(), h.screen(cardPoint(h.node("call"))))
		if got := ed.Selection().Node; got != "call" {
			t.Fatalf("tapping the call card selected %q", got)
		}
		uri := h.app.inspector.fields["call.uri"]
		if uri == nil {
			t.Fatal("the call form has no URI field")
		}
		test.Type(uri.entry, `/v1/tier`) // a new URI field is in Text mode
		if got := h.node("call").Call.URI; got != `"/v1/tier"` {
			t.Fatalf("URI = %q", got)
		}
		if uri.Error() != "" {
			t.Errorf("a valid URI shows an error: %s", uri.Error())
		}
		if !strings.HasPrefix(h.w.Title(), "*") {
			t.Errorf("title %q has no dirty marker", h.w.Title())
		}
	})

	t.Run("undo and redo with the keyboard", func(t *testing.T) {
		// The URI was typed in one go: one Ctrl+Z undoes the typing, not
		// its last character.
		h.shortcut(&fyne.ShortcutUndo{})
		if got := h.node("call").Call.URI; got != "" {
			t.Fatalf("after Ctrl+Z the URI is %q, want the typing undone", got)
		}
		if got := h.app.inspector.fields["call.uri"].entry.Text; got != "" {
			t.Errorf("the form shows %q after undo", got)
		}
		h.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: ctrl | fyne.KeyModifierShift})
		if got := h.node("call").Call.URI; got != `"/v1/tier"` {
			t.Fatalf("after Ctrl+Shift+Z the URI is %q", got)
		}
	})

	t.Run("Ctrl+S saves and the store gives the same document back", func(t *testing.T) {
		// the call needs a connection to be a complete call
		if err := h.db.SaveConnection(context.Background(), flow.Connection{Name: "crm", Kind: flow.ConnCustom,
			BaseURL: "https://api.example.com", Auth: flow.Auth{Type: flow.AuthNone}}); err != nil {
			t.Fatal(err)
		}
		h.app.refreshConnections()
		h.app.inspector.rebuild()
		var connSel bool
		walk(h.app.inspector.box, func(o fyne.CanvasObject) {
			if sel, ok := o.(*widget.Select); ok && !connSel && slices.Contains(sel.Options, "crm") {
				sel.SetSelected("crm")
				connSel = true
			}
		})
		if !connSel {
			t.Fatal("the call form offers no connection picker with crm")
		}
		h.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: ctrl})
		if ed.Dirty() || strings.HasPrefix(h.w.Title(), "*") {
			t.Fatalf("still dirty after Ctrl+S (title %q); console:\n%s", h.w.Title(), h.consoleText())
		}
		id := h.app.FlowID()
		if id == "" {
			t.Fatal("no flow id after saving")
		}
		want := editor.Clone(ed.Flow())

		// a new launch on the same SQLite file opens the same document
		h.db.Close()
		h.db = openStore(t, h.dbPath)
		stored, err := h.db.Flow(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		sameDocument(t, stored, want)
		h.open()
		if h.app.FlowID() != id {
			t.Fatalf("the new window opened %q, want %q", h.app.FlowID(), id)
		}
		sameDocument(t, h.app.ed.Flow(), want)
		if h.app.ed.Dirty() {
			t.Error("a freshly opened flow is dirty")
		}
	})

	t.Run("deleting a node removes its connectors", func(t *testing.T) {
		ed := h.app.ed
		test.TapCanvas(h.w.Canvas(), h.screen(cardPoint(h.node("call"))))
		h.app.cv.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
		if ed.Flow().Node("call") != nil {
			t.Fatal("the call node is still there")
		}
		if len(ed.Flow().Edges) != 0 {
			t.Fatalf("connectors left behind: %+v", ed.Flow().Edges)
		}
		h.shortcut(&fyne.ShortcutUndo{})
		if ed.Flow().Node("call") == nil || len(ed.Flow().Edges) != 2 {
			t.Fatalf("undo did not bring the node and its connectors back: %+v", ed.Flow())
		}
	})
}

func TestBadExpressionShowsItsErrorUnderTheField(t *testing.T) {
	h := newHarness(t)
	h.app.AddNode(flow.KindCall)
	cases := []struct {
		name, field, text string
		want              string // in the message under the field; "" for none
	}{
		{"unclosed call", "call.uri", `"/v1/" + string(`, "line 1, column"},
		{"unknown name", "call.returnValue", `nosuch.thing`, "line 1, column 1"},
		{"second line", "call.body", "{\"a\": 1,\n \"b\": }", "line 2, column"},
		{"valid", "call.uri", `"/v1/tier/" + trigger.id`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := h.app.inspector.fields[c.field]
			if f == nil {
				t.Fatalf("no field %s in the form", c.field)
			}
			f.entry.SetText("")
			f.setTextMode(false) // these are expressions (Text mode: TestTextModeErrorsNameTheHole)
			test.Type(f.entry, c.text)
			got := f.Error()
			if c.want == "" {
				if got != "" {
					t.Fatalf("a valid expression shows %q", got)
				}
				return
			}
			if !strings.Contains(got, c.want) {
				t.Fatalf("under %s: %q, want it to contain %q", c.field, got, c.want)
			}
			if !f.errLabel.Visible() {
				t.Fatal("the error label is hidden")
			}
			// the same problem is listed in the console, naming node and field
			if !strings.Contains(h.consoleText(), c.field) {
				t.Fatalf("the console does not list the problem of %s:\n%s", c.field, h.consoleText())
			}
		})
	}
}

func TestCompletionsOfferContextNames(t *testing.T) {
	h := newHarness(t)
	if err := h.app.ImportFlow(mustExample(t)); err != nil {
		t.Fatal(err)
	}
	h.app.ed.Select(editor.Selection{Node: "prep", Edge: -1})
	f := h.app.inspector.fields["assign[0].value"]
	if f == nil {
		t.Fatal("the set form has no value field")
	}
	var menu *fyne.Menu
	f.showMenu = func(m *fyne.Menu) { menu = m }
	f.entry.SetText("steps.look")
	f.entry.CursorRow, f.entry.CursorColumn = 0, len("steps.look")
	f.entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeySpace, Modifier: fyne.KeyModifierControl})
	if menu == nil {
		t.Fatal("Ctrl+Space offered nothing")
	}
	var labels []string
	for _, it := range menu.Items {
		labels = append(labels, it.Label)
	}
	if !slices.Contains(labels, "steps.lookup.body") || !slices.Contains(labels, "steps.lookup.returnValue") {
		t.Fatalf("completions %v lack steps.lookup.body and .returnValue", labels)
	}
	for _, l := range labels {
		if !strings.HasPrefix(l, "steps.look") {
			t.Errorf("completion %q does not complete steps.look", l)
		}
	}
	for _, it := range menu.Items {
		if it.Label == "steps.lookup.body" {
			it.Action()
		}
	}
	if got := f.entry.Text; got != "steps.lookup.body" {
		t.Fatalf("choosing a completion gave %q", got)
	}
	if got := h.app.ed.Flow().Node("prep").Assign[0].Value; got != "steps.lookup.body" {
		t.Fatalf("the document holds %q", got)
	}
}
