package flow

import (
	"reflect"
	"slices"
	"testing"
)

// TestKindSpecsComplete walks Kinds: each has a spec with a title, help and
// checks, the titles are distinct, and the only kinds without an input or
// ports are the start and the end.
func TestKindSpecsComplete(t *testing.T) {
	if len(Kinds) == 0 {
		t.Fatal("Kinds is empty")
	}
	titles := map[string]NodeKind{}
	for _, k := range Kinds {
		s, ok := Spec(k)
		if !ok {
			t.Fatalf("kind %q has no spec", k)
		}
		if s.Kind != k || s.Title == "" || s.Help == "" {
			t.Errorf("spec of %q: kind %q, title %q, help %q", k, s.Kind, s.Title, s.Help)
		}
		if other, dup := titles[s.Title]; dup {
			t.Errorf("kinds %q and %q share the title %q", other, k, s.Title)
		}
		titles[s.Title] = k
		if n := s.NewNode("x", Position{X: 1, Y: 2}); n.Kind != k || n.ID != "x" || n.Title != s.Title || n.Position != (Position{X: 1, Y: 2}) {
			t.Errorf("NewNode of %q = %+v", k, n)
		}
		if s.HasInput != (k != KindStart) {
			t.Errorf("kind %q: HasInput = %v", k, s.HasInput)
		}
		if (s.ports == nil) != (k == KindEnd) {
			t.Errorf("kind %q: has ports = %v", k, s.ports != nil)
		}
	}
	if _, ok := Spec("loop"); ok {
		t.Error(`Spec("loop") found a spec`)
	}
	// Every kind-specific field of Node belongs to exactly one kind.
	for _, f := range nodeFields {
		if _, ok := fieldOwner[f.name]; !ok {
			t.Errorf("field %q belongs to no kind", f.name)
		}
	}
	if len(fieldOwner) != len(nodeFields) {
		t.Errorf("kinds list %d fields, Node has %d kind-specific fields", len(fieldOwner), len(nodeFields))
	}
}

// TestDefaultNodesAreValid: each kind's new node, joined start → node → end,
// has no error but what a person must still fill in.
func TestDefaultNodesAreValid(t *testing.T) {
	want := map[NodeKind][]string{
		KindCall:     {"call.connection"},
		KindDecision: {"cases[0].when"},
		KindSet:      {"assign"},
		KindEmit:     {"event"},
	}
	for _, k := range Kinds {
		if k == KindStart || k == KindEnd {
			continue
		}
		s, _ := Spec(k)
		n := s.NewNode("n", Position{})
		f := &Flow{Format: Format, Name: "f", Nodes: []Node{{ID: "s", Kind: KindStart}, n, {ID: "e", Kind: KindEnd}},
			Edges: []Edge{{From: "s", To: "n"}}}
		for _, p := range n.Ports() {
			f.Edges = append(f.Edges, Edge{From: "n", Port: p, To: "e"})
		}
		var got []string
		for _, p := range Validate(f) {
			if p.Severity == SeverityError {
				got = append(got, p.Field)
			}
		}
		if !slices.Equal(got, want[k]) {
			t.Errorf("new %s node: error fields %v, want %v (%v)", k, got, want[k], Validate(f))
		}
	}
}

func TestNodeExpressions(t *testing.T) {
	call := &Node{ID: "c", Kind: KindCall, Call: &Call{URI: `"/a"`, Query: []Pair{{Key: `"q"`, Value: "vars.q"}},
		Headers: []Pair{{Key: `"h"`, Value: `"v"`}}, Body: "{}", ReturnValue: "body.x"},
		// Fields of another kind never run, so they are not listed.
		Payload: "ignored", Cases: []Case{{Port: "p", When: "ignored"}}}
	want := []NodeExpr{
		{Field: "call.uri", Source: `"/a"`, Optional: true},
		{Field: "call.query[0].key", Source: `"q"`},
		{Field: "call.query[0].value", Source: "vars.q"},
		{Field: "call.headers[0].key", Source: `"h"`},
		{Field: "call.headers[0].value", Source: `"v"`},
		{Field: "call.body", Source: "{}", Optional: true},
		{Field: "call.returnValue", Source: "body.x", Optional: true},
	}
	if got := NodeExpressions(call); !reflect.DeepEqual(got, want) {
		t.Errorf("call: got %+v\nwant %+v", got, want)
	}
	for _, c := range []struct {
		n    Node
		want []NodeExpr
	}{
		{Node{Kind: KindDecision, Cases: []Case{{Port: "a", When: "x"}, {Port: "b", When: "y"}}},
			[]NodeExpr{{Field: "cases[0].when", Source: "x"}, {Field: "cases[1].when", Source: "y"}}},
		{Node{Kind: KindSet, Assign: []Assignment{{Name: "a", Value: "1"}}}, []NodeExpr{{Field: "assign[0].value", Source: "1"}}},
		{Node{Kind: KindEmit, Event: "e"}, []NodeExpr{{Field: "payload", Optional: true}}},
		{Node{Kind: KindStart}, nil},
		{Node{Kind: KindEnd, Outcome: "done"}, nil},
		{Node{Kind: KindCall}, nil},
		{Node{Kind: "loop", Payload: "x"}, nil},
	} {
		if got := NodeExpressions(&c.n); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.n.Kind, got, c.want)
		}
	}
}

// TestNodeSecrets lists the secrets of every kind's fields, also those a
// node of another kind carries (they are written to the file all the same),
// pointing into the node.
func TestNodeSecrets(t *testing.T) {
	n := &Node{ID: "c", Kind: KindCall,
		Trigger: &Trigger{Type: TriggerWebhook, Path: "/x", Secret: &SecretRef{Literal: "whsec_a"}},
		Call:    &Call{Connection: "x", Signing: &Signing{Secret: SecretRef{Env: "SIGN"}}}}
	got := NodeSecrets(n)
	if len(got) != 2 || got[0].Field != "trigger.secret" || got[0].Ref != n.Trigger.Secret ||
		got[1].Field != "call.signing.secret" || got[1].Ref != &n.Call.Signing.Secret {
		t.Fatalf("NodeSecrets = %+v", got)
	}
	*got[0].Ref = SecretRef{Secret: "sealed"}
	if n.Trigger.Secret.Secret != "sealed" {
		t.Error("the reference does not point into the node")
	}
	if got := NodeSecrets(&Node{Kind: KindCall, Call: &Call{}}); len(got) != 0 {
		t.Errorf("a call with no signing: %+v", got)
	}
}

// TestEncodeRefusesMisplacedLiteralSecret: a literal secret in a trigger
// block left on a call node is still refused, naming node and field.
func TestEncodeRefusesMisplacedLiteralSecret(t *testing.T) {
	f := &Flow{Format: Format, Name: "f", Nodes: []Node{{ID: "c", Kind: KindCall, Call: &Call{Connection: "x"},
		Trigger: &Trigger{Type: TriggerWebhook, Secret: &SecretRef{Literal: "whsec_a"}}}}}
	_, err := EncodeFlow(f)
	if err == nil || err.Error() != `node "c", field trigger.secret: `+ErrLiteralSecret.Error() {
		t.Fatalf("EncodeFlow: %v", err)
	}
}

// TestCloneNodeSharesNothing: editing every slice and pointer of a clone
// leaves the original as it was.
func TestCloneNodeSharesNothing(t *testing.T) {
	orig := Node{ID: "n", Kind: KindCall,
		Trigger: &Trigger{Events: []string{"a"}, Secret: &SecretRef{Secret: "s"}},
		Call: &Call{Query: []Pair{{Key: "k"}}, Headers: []Pair{{Key: "h"}}, Branches: []string{"b"},
			Retry: &Retry{MaxAttempts: 2}, Signing: &Signing{Secret: SecretRef{Secret: "g"}}},
		Cases: []Case{{Port: "p"}}, Assign: []Assignment{{Name: "a"}}}
	c := CloneNode(orig)
	c.Trigger.Events[0], c.Trigger.Secret.Secret = "x", "x"
	c.Call.Query[0].Key, c.Call.Headers[0].Key, c.Call.Branches[0] = "x", "x", "x"
	c.Call.Retry.MaxAttempts, c.Call.Signing.Secret.Secret = 9, "x"
	c.Cases[0].Port, c.Assign[0].Name = "x", "x"
	if orig.Trigger.Events[0] != "a" || orig.Trigger.Secret.Secret != "s" || orig.Call.Query[0].Key != "k" ||
		orig.Call.Headers[0].Key != "h" || orig.Call.Branches[0] != "b" || orig.Call.Retry.MaxAttempts != 2 ||
		orig.Call.Signing.Secret.Secret != "g" || orig.Cases[0].Port != "p" || orig.Assign[0].Name != "a" {
		t.Errorf("the clone shares state with the original: %+v", orig)
	}
}
