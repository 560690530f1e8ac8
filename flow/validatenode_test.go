package flow

import (
	"slices"
	"testing"
)

// TestValidateNodeFieldsIsValidatesPart: the problems ValidateNodeFields
// finds for each node are those Validate reports for the node's fields,
// in the same order and consecutive.
func TestValidateNodeFieldsIsValidatesPart(t *testing.T) {
	f := &Flow{Format: Format, Name: "N", Nodes: []Node{
		{ID: "start", Kind: KindStart, Trigger: &Trigger{Type: TriggerEvent}},
		{ID: "c", Kind: KindCall, Call: &Call{Method: "FETCH"}, Outcome: "x"},
		{ID: "ok", Kind: KindEnd},
	}, Edges: []Edge{{From: "start", To: "c"}}}
	all := Validate(f)
	for i := range f.Nodes {
		ps := ValidateNodeFields(f, i)
		for _, p := range ps {
			if p.Node != f.Nodes[i].ID {
				t.Errorf("node %s: problem of another node %+v", f.Nodes[i].ID, p)
			}
		}
		if len(ps) > 0 && !containsRun(all, ps) {
			t.Errorf("node %s: %v is not a run of Validate's %v", f.Nodes[i].ID, ps, all)
		}
	}
	if len(ValidateNodeFields(f, 1)) < 2 {
		t.Fatalf("the call with a bad method and an end's outcome has %v", ValidateNodeFields(f, 1))
	}
}

func containsRun(all, run Problems) bool {
	for i := 0; i+len(run) <= len(all); i++ {
		if slices.Equal(all[i:i+len(run)], run) {
			return true
		}
	}
	return false
}
