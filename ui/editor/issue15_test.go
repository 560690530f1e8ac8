package editor

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

func TestRewriteStepRefs(t *testing.T) {
	ren := map[string]string{"lookup": "tier", "a": "b-2"}
	tests := []struct{ in, want string }{
		{`steps.lookup.body.x`, `steps.tier.body.x`},
		{`steps["lookup"].status == 200`, `steps["tier"].status == 200`},
		{`steps['lookup'].status`, `steps["tier"].status`},
		{`has(steps.lookup.body.returnValue) ? steps.lookup.body.returnValue : null`, `has(steps.tier.body.returnValue) ? steps.tier.body.returnValue : null`},
		{`has(steps.lookup)`, `has(steps.tier)`},
		{`"steps.lookup" + vars.lookup`, `"steps.lookup" + vars.lookup`},         // a string and a variable are not references
		{`vars.steps.lookup`, `vars.steps.lookup`},                               // not the steps context
		{`"é" + string(steps.lookup.status)`, `"é" + string(steps.tier.status)`}, // offsets are runes
		{`steps.a.body + steps.lookupx.body`, `steps["b-2"].body + steps.lookupx.body`},
		{`[1, 2].map(x, steps.lookup.body[x])`, `[1, 2].map(x, steps.tier.body[x])`},
		{`steps.lookup.`, `steps.lookup.`}, // does not parse: unchanged
	}
	for _, tt := range tests {
		got, _ := RewriteStepRefs(tt.in, ren)
		if got != tt.want {
			t.Errorf("RewriteStepRefs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// everyExprNode has every expression field of every kind, each naming
// steps.old, so a new expression field is checked by TestRenameNode.
func everyExprFlow() *flow.Flow {
	ref := `steps.old.body`
	return &flow.Flow{Format: flow.Format, Name: "All", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerManual}},
		{ID: "old", Kind: flow.KindCall, Call: &flow.Call{Connection: "c", Method: "GET", URI: ref, Body: ref, ReturnValue: ref,
			Query: []flow.Pair{{Key: `"k"`, Value: ref}}, Headers: []flow.Pair{{Key: `"h"`, Value: ref}},
			Request: "r", Args: map[string]string{"id": ref}}},
		{ID: "dec", Kind: flow.KindDecision, Cases: []flow.Case{{Port: "yes", When: ref + ` == 1`}}},
		{ID: "set", Kind: flow.KindSet, Assign: []flow.Assignment{{Name: "v", Value: ref}}},
		{ID: "emit", Kind: flow.KindEmit, Event: "e", Payload: ref},
		{ID: "wait", Kind: flow.KindDelay, Duration: `duration(string(steps.old.status) + "s")`},
		{ID: "end", Kind: flow.KindEnd},
	}, Edges: []flow.Edge{{From: "start", To: "old"}, {From: "old", To: "dec"}, {From: "dec", Port: "yes", To: "old"}}}
}

func TestRenameNode(t *testing.T) {
	e := New(everyExprFlow())
	e.Select(Selection{Node: "old", Edge: -1})
	before := Clone(e.Flow())
	if err := e.RenameNode("old", "new-id"); err != nil {
		t.Fatal(err)
	}
	f := e.Flow()
	if f.Node("old") != nil || f.Node("new-id") == nil {
		t.Fatal("the node was not renamed")
	}
	for i := range f.Nodes {
		for _, x := range flow.NodeExpressions(&f.Nodes[i]) {
			if strings.Contains(x.Source, "steps.old") || x.Source != "" && strings.Contains(x.Source, "steps") && !strings.Contains(x.Source, `steps["new-id"]`) {
				t.Errorf("node %s field %s still reads %q", f.Nodes[i].ID, x.Field, x.Source)
			}
		}
	}
	if got := f.Node("new-id").Call.URI; got != `steps["new-id"].body` {
		t.Errorf("uri %q", got)
	}
	want := []flow.Edge{{From: "start", To: "new-id"}, {From: "new-id", To: "dec"}, {From: "dec", Port: "yes", To: "new-id"}}
	if !reflect.DeepEqual(f.Edges, want) {
		t.Fatalf("edges %+v, want %+v", f.Edges, want)
	}
	if e.Selection().Node != "new-id" {
		t.Fatalf("selection %+v, want the renamed node", e.Selection())
	}
	if !e.Undo() || !reflect.DeepEqual(e.Flow(), before) || e.CanUndo() {
		t.Fatal("the rename is not exactly one undo step")
	}
	if !e.Redo() || e.Flow().Node("new-id") == nil {
		t.Fatal("redo did not rename again")
	}
	for _, tt := range []struct{ id, msg string }{
		{"dec", `the flow already has a node "dec"; choose another id`},
		{"has space", `"has space" is not a valid id; use letters, digits, _ and - only`},
		{"", `"" is not a valid id`},
	} {
		err := e.RenameNode("new-id", tt.id)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("rename to %q: %v, want %q", tt.id, err, tt.msg)
		}
	}
	if e.UndoLabel() != "Rename old to new-id" {
		t.Fatalf("a refused rename recorded an edit: %q", e.UndoLabel())
	}
}

func TestMultiSelection(t *testing.T) {
	e := New(sample())
	var sels int
	e.AddListener(func(c Change) {
		if c.Kind == ChangeSelection {
			sels++
		}
	})
	e.SelectNodes([]string{"start", "lookup", "ghost", "start"})
	if got := e.SelectedNodes(); !slices.Equal(got, []string{"start", "lookup"}) || e.Selection().Node != "lookup" || sels != 1 {
		t.Fatalf("selected %v (primary %q, %d notices)", got, e.Selection().Node, sels)
	}
	e.ToggleNode("done")
	e.ToggleNode("start")
	if got := e.SelectedNodes(); !slices.Equal(got, []string{"lookup", "done"}) || !e.IsSelected("done") || e.IsSelected("start") {
		t.Fatalf("after toggles %v", got)
	}
	// a move of the selection is one step
	if err := e.MoveNodes(e.SelectedNodes(), 10, 5); err != nil {
		t.Fatal(err)
	}
	if p := e.Flow().Node("done").Position; p != (flow.Position{X: 410, Y: 5}) {
		t.Fatalf("done at %v", p)
	}
	if p := e.Flow().Node("lookup").Position; p != (flow.Position{X: 210, Y: 5}) {
		t.Fatalf("lookup at %v", p)
	}
	e.Undo()
	if e.Flow().Node("lookup").Position != (flow.Position{X: 200}) || e.Flow().Node("done").Position != (flow.Position{X: 400}) || e.CanUndo() {
		t.Fatal("the group move is not one undo step")
	}
	e.SelectAll()
	if len(e.SelectedNodes()) != 3 {
		t.Fatalf("select all: %v", e.SelectedNodes())
	}
	e.ToggleNode("start")
	if err := e.DeleteSelection(); err != nil {
		t.Fatal(err)
	}
	if len(e.Flow().Nodes) != 1 || len(e.Flow().Edges) != 0 || len(e.SelectedNodes()) != 0 {
		t.Fatalf("after deleting two: %d nodes %d edges, selected %v", len(e.Flow().Nodes), len(e.Flow().Edges), e.SelectedNodes())
	}
	if e.UndoLabel() != "Delete 2 nodes" || !e.Undo() || len(e.Flow().Nodes) != 3 || len(e.Flow().Edges) != 3 || e.CanUndo() {
		t.Fatal("the group delete is not one undo step")
	}
	e.Select(Selection{Node: "done", Edge: -1})
	if got := e.SelectedNodes(); !slices.Equal(got, []string{"done"}) {
		t.Fatalf("a plain select leaves %v", got)
	}
}

func TestAddNodeFrom(t *testing.T) {
	e := New(sample())
	// lookup's ports: vip, default, failure; vip and failure lead to done
	id, err := e.AddNodeFrom(flow.KindSet, flow.Position{X: 500, Y: 100}, "lookup", "")
	if err != nil {
		t.Fatal(err)
	}
	if id != "set" || e.Selection().Node != "set" {
		t.Fatalf("id %q, selection %+v", id, e.Selection())
	}
	if last := e.Flow().Edges[len(e.Flow().Edges)-1]; last != (flow.Edge{From: "lookup", Port: "default", To: "set"}) {
		t.Fatalf("new edge %+v, want from lookup's first free port, default", last)
	}
	if !e.Undo() || len(e.Flow().Nodes) != 3 || len(e.Flow().Edges) != 3 || e.CanUndo() {
		t.Fatal("add-and-connect is not one undo step")
	}
	// a port in use is redirected
	if _, err := e.AddNodeFrom(flow.KindEnd, flow.Position{}, "start", flow.PortNext); err != nil {
		t.Fatal(err)
	}
	if e.Flow().Edges[0] != (flow.Edge{From: "start", To: "end"}) || len(e.Flow().Edges) != 3 {
		t.Fatalf("edges %+v", e.Flow().Edges)
	}
	if _, err := e.AddNodeFrom(flow.KindStart, flow.Position{}, "lookup", ""); err == nil || !strings.Contains(err.Error(), "has no input") {
		t.Fatalf("a start after a node: %v", err)
	}
	if _, err := e.AddNodeFrom(flow.KindSet, flow.Position{}, "lookup", "gold"); err == nil || !strings.Contains(err.Error(), `no port "gold"`) {
		t.Fatalf("a missing port: %v", err)
	}
}

func TestCopyPasteBetweenFlows(t *testing.T) {
	src := New(sample())
	src.Edit("ref", func(f *flow.Flow) error {
		f.Node("done").Outcome = "x"
		f.Nodes = append(f.Nodes, flow.Node{ID: "note", Kind: flow.KindSet, Position: flow.Position{X: 200, Y: 200},
			Assign: []flow.Assignment{{Name: "tier", Value: `steps.lookup.body.tier + steps.start.x`}}})
		f.Edges = append(f.Edges, flow.Edge{From: "lookup", Port: "default", To: "note"})
		return nil
	})
	frag := src.Fragment([]string{"lookup", "note", "ghost"})
	frag.Node("lookup").Call.Signing = nil // a literal secret is not copied as text
	data, err := flow.EncodeFlow(frag)
	if err != nil {
		t.Fatal(err)
	}
	if len(frag.Edges) != 1 || frag.Edges[0] != (flow.Edge{From: "lookup", Port: "default", To: "note"}) {
		t.Fatalf("fragment edges %+v: only those among the copied nodes", frag.Edges)
	}
	dst := New(sample()) // has a lookup already
	parsed, err := ParseFragment(data)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := dst.Paste(parsed, flow.Position{X: 1000, Y: 500})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{"lookup2", "note"}) || !slices.Equal(dst.SelectedNodes(), ids) {
		t.Fatalf("pasted %v, selected %v", ids, dst.SelectedNodes())
	}
	f := dst.Flow()
	if p := f.Node("lookup2").Position; p != (flow.Position{X: 1000, Y: 500}) {
		t.Fatalf("lookup2 at %v", p)
	}
	if p := f.Node("note").Position; p != (flow.Position{X: 1000, Y: 700}) {
		t.Fatalf("note at %v", p)
	}
	if got := f.Node("note").Assign[0].Value; got != `steps.lookup2.body.tier + steps.start.x` {
		t.Fatalf("pasted expression %q", got)
	}
	if last := f.Edges[len(f.Edges)-1]; last != (flow.Edge{From: "lookup2", Port: "default", To: "note"}) || len(f.Edges) != 4 {
		t.Fatalf("edges %+v", f.Edges)
	}
	if dst.UndoLabel() != "Paste 2 nodes" || !dst.Undo() || len(dst.Flow().Nodes) != 3 || dst.CanUndo() {
		t.Fatal("paste is not one undo step")
	}
	if !dst.Redo() || dst.Flow().Node("lookup2") == nil {
		t.Fatal("redo did not paste again")
	}
}

func TestParseFragment(t *testing.T) {
	node := `{"id": "greet", "kind": "set", "assign": [{"name": "x", "value": "1"}]}`
	tests := []struct {
		name, text string
		ids        []string
		err        string
	}{
		{"flow file", `{"format": "flowbench/v1", "name": "f", "nodes": [` + node + `], "edges": []}`, []string{"greet"}, ""},
		{"nodes and edges of a file", `{"nodes": [` + node + `, {"id": "e", "kind": "end"}], "edges": [{"from": "greet", "to": "e"}]}`, []string{"greet", "e"}, ""},
		{"a list of nodes", `[` + node + `]`, []string{"greet"}, ""},
		{"one node", node, []string{"greet"}, ""},
		{"plain text", `hello`, nil, "holds text, not flow JSON"},
		{"empty", `  `, nil, "the clipboard is empty"},
		{"other JSON", `{"a": 1}`, nil, "neither a flow, nor nodes"},
		{"unknown field", `{"id": "x", "kind": "set", "colour": 1}`, nil, "colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFragment([]byte(tt.text))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, n := range f.Nodes {
				ids = append(ids, n.ID)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Fatalf("ids %v", ids)
			}
		})
	}
}

func TestSetPositionsOneStep(t *testing.T) {
	e := New(sample())
	var nodes []string
	e.AddListener(func(c Change) {
		if c.Kind == ChangeDoc {
			nodes = c.Nodes
		}
	})
	err := e.SetPositions("Tidy", map[string]flow.Position{"start": {X: 0, Y: 0}, "lookup": {X: 1, Y: 2}, "done": {X: 3, Y: 4}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(nodes, []string{"done", "lookup"}) {
		t.Fatalf("listeners heard of %v, want the two moved nodes", nodes)
	}
	if !e.Undo() || e.CanUndo() || e.Flow().Node("done").Position != (flow.Position{X: 400}) {
		t.Fatal("SetPositions is not one undo step")
	}
}

func ExampleRewriteStepRefs() {
	out, _ := RewriteStepRefs(`steps.lookup.body.tier == "gold" && has(steps["lookup"].headers)`, map[string]string{"lookup": "tier"})
	fmt.Println(out)
	// Output: steps.tier.body.tier == "gold" && has(steps["tier"].headers)
}
