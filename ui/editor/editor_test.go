package editor

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// sample is a small flow: start -> lookup (call with branches) -> done.
func sample() *flow.Flow {
	return &flow.Flow{
		Format: flow.Format,
		Name:   "Sample",
		Nodes: []flow.Node{
			{ID: "start", Kind: flow.KindStart, Position: flow.Position{X: 0, Y: 0}, Trigger: &flow.Trigger{Type: flow.TriggerManual}},
			{ID: "lookup", Kind: flow.KindCall, Position: flow.Position{X: 200, Y: 0}, Call: &flow.Call{
				Connection: "crm", Method: "POST", URI: `"/v1/tier"`, Branches: []string{"vip"},
				Signing: &flow.Signing{Secret: flow.SecretRef{Literal: "s3cret"}},
			}},
			{ID: "done", Kind: flow.KindEnd, Position: flow.Position{X: 400, Y: 0}},
		},
		Edges: []flow.Edge{
			{From: "start", To: "lookup"},
			{From: "lookup", Port: "vip", To: "done"},
			{From: "lookup", Port: "failure", To: "done"},
		},
	}
}

type recorder struct{ kinds []ChangeKind }

func (r *recorder) listen(c Change) { r.kinds = append(r.kinds, c.Kind) }

func TestNewCopiesTheDocument(t *testing.T) {
	orig := sample()
	e := New(orig)
	if err := e.Edit("rename", func(f *flow.Flow) error {
		f.Name = "Changed"
		f.Node("lookup").Call.Branches[0] = "gold"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if orig.Name != "Sample" || orig.Node("lookup").Call.Branches[0] != "vip" {
		t.Fatalf("editing changed the caller's flow: %+v", orig)
	}
	if !reflect.DeepEqual(Clone(orig), sample()) {
		t.Fatal("Clone does not reproduce the flow")
	}
	if got := Clone(orig).Node("lookup").Call.Signing.Secret.Literal; got != "s3cret" {
		t.Fatalf("Clone lost a literal secret: %q", got)
	}
}

func TestEditUndoRedoDirty(t *testing.T) {
	rename := func(name string) func(*flow.Flow) error {
		return func(f *flow.Flow) error { f.Name = name; return nil }
	}
	fail := func(f *flow.Flow) error {
		f.Name = "half-applied"
		f.Nodes = nil
		return errFake
	}
	type step struct {
		op        string // edit:NAME, fail, undo, redo, save
		wantName  string
		wantDirty bool
		wantUndo  bool
		wantRedo  bool
		wantOK    bool // result of undo/redo
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"edit makes dirty and undoable", []step{
			{op: "edit:A", wantName: "A", wantDirty: true, wantUndo: true},
		}},
		{"undo returns to clean", []step{
			{op: "edit:A", wantName: "A", wantDirty: true, wantUndo: true},
			{op: "undo", wantName: "Sample", wantRedo: true, wantOK: true},
			{op: "redo", wantName: "A", wantDirty: true, wantUndo: true, wantOK: true},
		}},
		{"undo with empty history does nothing", []step{
			{op: "undo", wantName: "Sample"},
			{op: "redo", wantName: "Sample"},
		}},
		{"failed edit changes nothing", []step{
			{op: "fail", wantName: "Sample"},
			{op: "edit:A", wantName: "A", wantDirty: true, wantUndo: true},
			{op: "fail", wantName: "A", wantDirty: true, wantUndo: true},
		}},
		{"new edit drops redo", []step{
			{op: "edit:A", wantName: "A", wantDirty: true, wantUndo: true},
			{op: "undo", wantName: "Sample", wantRedo: true, wantOK: true},
			{op: "edit:B", wantName: "B", wantDirty: true, wantUndo: true},
		}},
		{"save then undo is dirty, redo is clean", []step{
			{op: "edit:A", wantName: "A", wantDirty: true, wantUndo: true},
			{op: "save", wantName: "A", wantUndo: true},
			{op: "undo", wantName: "Sample", wantDirty: true, wantRedo: true, wantOK: true},
			{op: "redo", wantName: "A", wantUndo: true, wantOK: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(sample())
			for i, s := range tt.steps {
				var ok bool
				switch {
				case strings.HasPrefix(s.op, "edit:"):
					if err := e.Edit("Rename", rename(strings.TrimPrefix(s.op, "edit:"))); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				case s.op == "fail":
					before := Clone(e.Flow())
					if err := e.Edit("Broken", fail); err != errFake {
						t.Fatalf("step %d: Edit returned %v, want the function's error", i, err)
					}
					if !reflect.DeepEqual(before, e.Flow()) {
						t.Fatalf("step %d: a failed edit changed the document", i)
					}
				case s.op == "undo":
					ok = e.Undo()
				case s.op == "redo":
					ok = e.Redo()
				case s.op == "save":
					e.MarkSaved()
				}
				if got := e.Flow().Name; got != s.wantName {
					t.Errorf("step %d (%s): name %q, want %q", i, s.op, got, s.wantName)
				}
				if got := e.Dirty(); got != s.wantDirty {
					t.Errorf("step %d (%s): Dirty %v, want %v", i, s.op, got, s.wantDirty)
				}
				if got := e.CanUndo(); got != s.wantUndo {
					t.Errorf("step %d (%s): CanUndo %v, want %v", i, s.op, got, s.wantUndo)
				}
				if got := e.CanRedo(); got != s.wantRedo {
					t.Errorf("step %d (%s): CanRedo %v, want %v", i, s.op, got, s.wantRedo)
				}
				if (s.op == "undo" || s.op == "redo") && ok != s.wantOK {
					t.Errorf("step %d (%s): returned %v, want %v", i, s.op, ok, s.wantOK)
				}
			}
		})
	}
}

type fakeErr struct{}

func (fakeErr) Error() string { return "fake" }

var errFake error = fakeErr{}

func TestHistoryIsBounded(t *testing.T) {
	e := New(sample())
	for i := 0; i < maxHistory+50; i++ {
		if err := e.MoveNode("start", flow.Position{X: float64(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for e.Undo() {
		n++
		if n > maxHistory+100 {
			t.Fatal("undo never ends")
		}
	}
	if n != maxHistory {
		t.Fatalf("undid %d steps, want %d", n, maxHistory)
	}
	if got := e.Flow().Node("start").Position.X; got != 50 {
		t.Fatalf("oldest kept state has X=%v, want 50", got)
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name      string
		sel       Selection
		want      Selection
		wantEvent bool
	}{
		{"node", Selection{Node: "lookup", Edge: -1}, Selection{Node: "lookup", Edge: -1}, true},
		{"node wins over edge", Selection{Node: "lookup", Edge: 1}, Selection{Node: "lookup", Edge: -1}, true},
		{"edge", Selection{Edge: 2}, Selection{Edge: 2}, true},
		{"unknown node selects nothing", Selection{Node: "nope", Edge: -1}, None, false},
		{"edge out of range selects nothing", Selection{Edge: 3}, None, false},
		{"none", None, None, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(sample())
			var r recorder
			e.AddListener(r.listen)
			e.Select(tt.sel)
			if got := e.Selection(); got != tt.want {
				t.Fatalf("Selection() = %+v, want %+v", got, tt.want)
			}
			if got := len(r.kinds) == 1 && r.kinds[0] == ChangeSelection; got != tt.wantEvent {
				t.Fatalf("events %v, want a selection event: %v", r.kinds, tt.wantEvent)
			}
			e.Select(tt.sel)
			if len(r.kinds) > 1 {
				t.Fatalf("selecting the same thing again notified: %v", r.kinds)
			}
		})
	}
}

func TestAddNode(t *testing.T) {
	tests := []struct {
		name     string
		kind     flow.NodeKind
		wantID   string
		wantErr  string
		wantPort []string
	}{
		{"first call takes a numbered id", flow.KindCall, "call", "", []string{"next", "failure"}},
		{"second start", flow.KindStart, "start2", "", []string{"next"}},
		{"decision", flow.KindDecision, "decision", "", []string{"yes", "default"}},
		{"end", flow.KindEnd, "end", "", nil},
		{"unknown kind", flow.NodeKind("loop"), "", "unknown node kind", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(sample())
			id, err := e.AddNode(tt.kind, flow.Position{X: 10, Y: 20})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if e.CanUndo() || len(e.Flow().Nodes) != 3 {
					t.Fatal("a failed AddNode changed the document")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if id != tt.wantID {
				t.Fatalf("id %q, want %q", id, tt.wantID)
			}
			n := e.Flow().Node(id)
			if n == nil || n.Kind != tt.kind || n.Position != (flow.Position{X: 10, Y: 20}) {
				t.Fatalf("node %+v", n)
			}
			if !reflect.DeepEqual(n.Ports(), tt.wantPort) {
				t.Fatalf("ports %v, want %v", n.Ports(), tt.wantPort)
			}
			if e.Selection().Node != id {
				t.Fatalf("new node not selected: %+v", e.Selection())
			}
			e.Undo()
			if e.Flow().Node(id) != nil || e.Selection() != None {
				t.Fatal("undo did not remove the node and its selection")
			}
		})
	}
}

func TestNewNodeIDSkipsTaken(t *testing.T) {
	e := New(sample())
	for _, want := range []string{"set", "set2", "set3"} {
		id, err := e.AddNode(flow.KindSet, flow.Position{})
		if err != nil || id != want {
			t.Fatalf("AddNode = %q, %v; want %q", id, err, want)
		}
	}
}

func TestMoveNode(t *testing.T) {
	tests := []struct {
		name     string
		id       string
		pos      flow.Position
		wantErr  bool
		wantUndo bool
	}{
		{"moves", "lookup", flow.Position{X: 5, Y: 6}, false, true},
		{"same place records nothing", "lookup", flow.Position{X: 200, Y: 0}, false, false},
		{"unknown node", "nope", flow.Position{}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(sample())
			var changes []Change
			e.AddListener(func(c Change) { changes = append(changes, c) })
			err := e.MoveNode(tt.id, tt.pos)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if e.CanUndo() != tt.wantUndo {
				t.Fatalf("CanUndo %v, want %v", e.CanUndo(), tt.wantUndo)
			}
			if tt.wantUndo {
				if got := e.Flow().Node(tt.id).Position; got != tt.pos {
					t.Fatalf("position %v", got)
				}
				if len(changes) != 1 || !reflect.DeepEqual(changes[0].Nodes, []string{tt.id}) {
					t.Fatalf("changes %+v, want one naming the node", changes)
				}
			}
		})
	}
}

func TestConnect(t *testing.T) {
	tests := []struct {
		name      string
		from      string
		port      string
		to        string
		wantErr   string
		wantEdges []flow.Edge
	}{
		{"new branch edge", "lookup", "default", "start2", "", nil},
		{"next is stored without a port", "set", "next", "done", "", []flow.Edge{
			{From: "start", To: "lookup"}, {From: "lookup", Port: "vip", To: "done"},
			{From: "lookup", Port: "failure", To: "done"}, {From: "set", To: "done"}}},
		{"empty port means next", "set", "", "done", "", []flow.Edge{
			{From: "start", To: "lookup"}, {From: "lookup", Port: "vip", To: "done"},
			{From: "lookup", Port: "failure", To: "done"}, {From: "set", To: "done"}}},
		{"port already used is redirected", "lookup", "vip", "set", "", []flow.Edge{
			{From: "start", To: "lookup"}, {From: "lookup", Port: "vip", To: "set"},
			{From: "lookup", Port: "failure", To: "done"}}},
		{"unknown port", "lookup", "gold", "done", `no port "gold"`, nil},
		{"end has no ports", "done", "next", "lookup", `no port "next"`, nil},
		{"unknown source", "nope", "next", "done", `no node "nope"`, nil},
		{"unknown target", "lookup", "default", "nope", `no node "nope"`, nil},
		{"self", "set", "next", "set", "cannot lead to itself", nil},
		{"into a start", "set", "next", "start", "start node", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sample()
			f.Nodes = append(f.Nodes,
				flow.Node{ID: "set", Kind: flow.KindSet},
				flow.Node{ID: "start2", Kind: flow.KindSet})
			e := New(f)
			before := Clone(e.Flow())
			err := e.Connect(tt.from, tt.port, tt.to)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if !reflect.DeepEqual(before, e.Flow()) || e.CanUndo() {
					t.Fatal("a failed Connect changed the document")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantEdges != nil && !reflect.DeepEqual(e.Flow().Edges, tt.wantEdges) {
				t.Fatalf("edges %+v, want %+v", e.Flow().Edges, tt.wantEdges)
			}
			sel := e.Selection()
			if sel.Edge < 0 {
				t.Fatalf("the new edge is not selected: %+v", sel)
			}
			got := e.Flow().Edges[sel.Edge]
			if got.From != tt.from || got.To != tt.to {
				t.Fatalf("selected edge %+v", got)
			}
			if err := e.Connect(tt.from, tt.port, tt.to); err != nil {
				t.Fatal(err)
			}
			e.Undo()
			if !reflect.DeepEqual(before, e.Flow()) {
				t.Fatal("connecting the same edge twice recorded two edits")
			}
		})
	}
}

func TestDeleteSelection(t *testing.T) {
	tests := []struct {
		name      string
		sel       Selection
		wantNodes []string
		wantEdges []flow.Edge
	}{
		{"node removes its edges", Selection{Node: "lookup", Edge: -1}, []string{"start", "done"}, []flow.Edge{}},
		{"end node removes incoming edges", Selection{Node: "done", Edge: -1}, []string{"start", "lookup"},
			[]flow.Edge{{From: "start", To: "lookup"}}},
		{"edge", Selection{Edge: 1}, []string{"start", "lookup", "done"}, []flow.Edge{
			{From: "start", To: "lookup"}, {From: "lookup", Port: "failure", To: "done"}}},
		{"nothing selected", None, []string{"start", "lookup", "done"}, sample().Edges},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(sample())
			e.Select(tt.sel)
			if err := e.DeleteSelection(); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, n := range e.Flow().Nodes {
				ids = append(ids, n.ID)
			}
			if !reflect.DeepEqual(ids, tt.wantNodes) {
				t.Fatalf("nodes %v, want %v", ids, tt.wantNodes)
			}
			if !reflect.DeepEqual(e.Flow().Edges, tt.wantEdges) {
				t.Fatalf("edges %+v, want %+v", e.Flow().Edges, tt.wantEdges)
			}
			if e.Selection() != None {
				t.Fatalf("selection %+v after delete", e.Selection())
			}
			if tt.sel.IsZero() {
				if e.CanUndo() {
					t.Fatal("deleting nothing recorded an edit")
				}
				return
			}
			e.Undo()
			if !reflect.DeepEqual(e.Flow(), sample()) {
				t.Fatal("undo did not restore the deleted items")
			}
		})
	}
}

func TestUndoDropsStaleSelection(t *testing.T) {
	e := New(sample())
	if err := e.Connect("lookup", "default", "done"); err != nil {
		t.Fatal(err)
	}
	var r recorder
	e.AddListener(r.listen)
	e.Undo()
	if e.Selection() != None {
		t.Fatalf("selection %+v points past the edges after undo", e.Selection())
	}
	if !reflect.DeepEqual(r.kinds, []ChangeKind{ChangeDoc, ChangeSelection}) {
		t.Fatalf("events %v", r.kinds)
	}
}

func TestProblems(t *testing.T) {
	e := New(sample())
	var r recorder
	e.AddListener(r.listen)
	p := flow.Problems{
		{Severity: flow.SeverityError, Node: "lookup", Field: "call.uri", Message: "bad"},
		{Severity: flow.SeverityError, Field: "nodes", Message: "flow-wide"},
	}
	e.SetProblems(p)
	p[0].Message = "mutated"
	if got := e.NodeProblems("lookup"); len(got) != 1 || got[0].Message != "bad" {
		t.Fatalf("NodeProblems = %+v", got)
	}
	if got := e.NodeProblems("done"); len(got) != 0 {
		t.Fatalf("NodeProblems(done) = %+v", got)
	}
	if len(e.Problems()) != 2 || !reflect.DeepEqual(r.kinds, []ChangeKind{ChangeProblems}) {
		t.Fatalf("problems %v events %v", e.Problems(), r.kinds)
	}
}

func TestLoadForgetsHistory(t *testing.T) {
	e := New(sample())
	_ = e.MoveNode("start", flow.Position{X: 1})
	e.Select(Selection{Node: "start", Edge: -1})
	var r recorder
	e.AddListener(r.listen)
	other := &flow.Flow{Name: "Other"}
	e.Load(other)
	if e.CanUndo() || e.Dirty() || e.Selection() != None || e.Flow().Name != "Other" || e.Flow().Format != flow.Format {
		t.Fatalf("after Load: undo %v dirty %v sel %+v flow %+v", e.CanUndo(), e.Dirty(), e.Selection(), e.Flow())
	}
	if !reflect.DeepEqual(r.kinds, []ChangeKind{ChangeDoc, ChangeSelection}) {
		t.Fatalf("events %v", r.kinds)
	}
}

// TestEditTypingIsOneUndoStep: keystrokes in one field make one undo step
// until the person pauses, edits something else, or undoes; a failed
// keystroke changes nothing.
func TestEditTypingIsOneUndoStep(t *testing.T) {
	clock := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	newEd := func() *Editor {
		e := New(&flow.Flow{Format: flow.Format, Name: "Old"})
		e.now = func() time.Time { return clock }
		return e
	}
	// typeText types text into the name field, or the description for that
	// label, a keystroke every 150 ms.
	typeText := func(e *Editor, label, text string) {
		for i := 1; i <= len(text); i++ {
			clock = clock.Add(150 * time.Millisecond)
			err := e.EditTyping(label, func(f *flow.Flow) error {
				if label == "Edit description" {
					f.Description = text[:i]
				} else {
					f.Name = text[:i]
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Run("one run of keystrokes, one undo", func(t *testing.T) {
		e := newEd()
		typeText(e, "Rename flow", "Support")
		if e.Flow().Name != "Support" || e.UndoLabel() != "Rename flow" {
			t.Fatalf("name %q, undo %q", e.Flow().Name, e.UndoLabel())
		}
		if !e.Undo() || e.Flow().Name != "Old" || e.CanUndo() {
			t.Fatalf("after one undo: name %q, can undo %v; want Old and nothing left", e.Flow().Name, e.CanUndo())
		}
		if !e.Redo() || e.Flow().Name != "Support" {
			t.Fatalf("redo gave %q", e.Flow().Name)
		}
	})
	t.Run("a pause starts a new step", func(t *testing.T) {
		e := newEd()
		typeText(e, "Rename flow", "Sup")
		clock = clock.Add(typingPause)
		typeText(e, "Rename flow", "Support")
		mustUndoTo(t, e, "Sup")
	})
	t.Run("another field, an edit or an undo between", func(t *testing.T) {
		e := newEd()
		typeText(e, "Rename flow", "Ab")
		typeText(e, "Edit description", "x") // another label
		typeText(e, "Rename flow", "Abc")
		if err := e.Edit("Add variable", func(f *flow.Flow) error { f.Variables = map[string]string{"v": "1"}; return nil }); err != nil {
			t.Fatal(err)
		}
		typeText(e, "Rename flow", "Abcd")
		var names []string
		for e.Undo() {
			names = append(names, e.Flow().Name)
		}
		if got := strings.Join(names, ","); got != "Abc,Abc,Ab,Ab,Old" {
			t.Fatalf("undo steps went through %s, want Abc,Abc,Ab,Ab,Old", got)
		}
		e.Redo()
		typeText(e, "Rename flow", "Z") // after an undo/redo: a new step
		mustUndoTo(t, e, "Ab")
	})
	t.Run("a failed keystroke changes nothing", func(t *testing.T) {
		e := newEd()
		typeText(e, "Rename flow", "Ab")
		gen := e.gen
		err := e.EditTyping("Rename flow", func(f *flow.Flow) error { f.Name = "broken"; return errFake })
		if err == nil || e.Flow().Name != "Ab" || e.gen != gen {
			t.Fatalf("failed keystroke: err %v, name %q", err, e.Flow().Name)
		}
	})
}

// mustUndoTo undoes one step and checks the flow's name is then want.
func mustUndoTo(t *testing.T, e *Editor, want string) {
	t.Helper()
	if !e.Undo() || e.Flow().Name != want {
		t.Fatalf("one undo gave the name %q, want %q", e.Flow().Name, want)
	}
}

// TestEditNodesStampsAndUndo: an edit naming its node changes that node's
// stamp only, tells listeners which node, and undoes exactly; an undo or
// an edit naming nothing changes every stamp.
func TestEditNodesStampsAndUndo(t *testing.T) {
	e := New(sample())
	var changes []Change
	e.AddListener(func(c Change) { changes = append(changes, c) })
	start, lookup := e.NodeStamp("start"), e.NodeStamp("lookup")
	if err := e.EditTypingNodes("Edit URI", []string{"lookup"}, func(f *flow.Flow) error {
		f.Node("lookup").Call.URI = `"/v2/tier"`
		f.Node("lookup").Call.Branches[0] = "gold"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if e.NodeStamp("start") != start || e.NodeStamp("lookup") == lookup {
		t.Fatal("an edit of lookup should change lookup's stamp and no other")
	}
	if c := changes[len(changes)-1]; c.Kind != ChangeDoc || len(c.Nodes) != 1 || c.Nodes[0] != "lookup" {
		t.Fatalf("listeners heard %+v, want a doc change of lookup", c)
	}
	edited := e.Flow()
	if !e.Undo() {
		t.Fatal("nothing to undo")
	}
	if c := e.Flow().Node("lookup").Call; c.URI != `"/v1/tier"` || c.Branches[0] != "vip" {
		t.Fatalf("undo restored %q %v", c.URI, c.Branches)
	}
	if c := edited.Node("lookup").Call; c.URI != `"/v2/tier"` || c.Branches[0] != "gold" {
		t.Fatalf("the edited version changed under undo: %q %v", c.URI, c.Branches)
	}
	if e.NodeStamp("start") == start {
		t.Fatal("an undo should change every stamp")
	}
	before := e.NodeStamp("done")
	if err := e.Edit("Rename", func(f *flow.Flow) error { f.Name = "x"; return nil }); err != nil {
		t.Fatal(err)
	}
	if e.NodeStamp("done") == before {
		t.Fatal("an edit naming no node should change every stamp")
	}
}
