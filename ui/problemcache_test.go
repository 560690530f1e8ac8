package ui

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// TestExprProblemCacheMatchesAFullCheck: after any sequence of edits (of
// one node's fields, of several, undo, redo, a deleted node, other
// connections) the cached problems are those a check of the whole flow
// finds.
func TestExprProblemCacheMatchesAFullCheck(t *testing.T) {
	env, err := expr.NewEnv(expr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := newExprChecker(env)
	ed := editor.New(callsFlow(40))
	var pc exprProblemCache
	crm := []flow.Connection{{Name: "crm"}}
	conns := crm
	rnd := rand.New(rand.NewPCG(1, 2))
	sources := []string{`"/ok"`, `"/broken`, `vars.tier + "x"`, `nope.x`, ``}
	for step := range 300 {
		id := fmt.Sprintf("n%d", 1+rnd.IntN(38))
		switch rnd.IntN(8) {
		case 0:
			ed.Undo()
		case 1:
			ed.Redo()
		case 2:
			ed.Edit("Edit two", func(f *flow.Flow) error {
				for _, n := range []*flow.Node{f.Node(id), f.Node("n2")} {
					if n != nil && n.Call != nil {
						n.Call.Body = sources[rnd.IntN(len(sources))]
					}
				}
				return nil
			})
		case 3:
			conns = [][]flow.Connection{crm, nil, {}}[rnd.IntN(3)]
		case 4:
			if step%50 == 4 {
				ed.Edit("Delete", func(f *flow.Flow) error {
					for i := range f.Nodes {
						if f.Nodes[i].ID == id {
							f.Nodes = append(f.Nodes[:i], f.Nodes[i+1:]...)
							break
						}
					}
					return nil
				})
			}
		default:
			src := sources[rnd.IntN(len(sources))]
			conn := []string{"crm", "gone"}[rnd.IntN(2)]
			ed.EditTypingNodes("Edit URI", []string{id}, func(f *flow.Flow) error {
				if n := f.Node(id); n != nil && n.Call != nil {
					n.Call.URI, n.Call.Connection = src, conn
				} else if n != nil && n.Kind == flow.KindDecision {
					n.Cases[0].When = src
				}
				return nil
			})
		}
		got := pc.problems(c, ed, conns)
		want := expressionProblems(c, ed.Flow(), conns)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: the cache says\n%v\nand a full check\n%v", step, got, want)
		}
	}
}

// TestValidationCacheMatchesValidate: after any sequence of edits (fields
// of one node that make and clear problems, a new port, undo, redo, a
// deleted connector) the cached validation is flow.Validate's.
func TestValidationCacheMatchesValidate(t *testing.T) {
	ed := editor.New(callsFlow(40))
	var vc validationCache
	rnd := rand.New(rand.NewPCG(3, 4))
	for step := range 400 {
		id := fmt.Sprintf("n%d", 1+rnd.IntN(38))
		switch rnd.IntN(10) {
		case 0:
			ed.Undo()
		case 1:
			ed.Redo()
		case 2:
			if step%40 == 2 {
				ed.Edit("Delete connector", func(f *flow.Flow) error { f.Edges = f.Edges[1:]; return nil })
			}
		case 3:
			ed.EditNodes("Add branch", []string{id}, func(f *flow.Flow) error {
				if n := f.Node(id); n.Call != nil {
					n.Call.Branches = append(n.Call.Branches, fmt.Sprintf("b%d", step))
				}
				return nil
			})
		default:
			method := []string{"POST", "GET", "FETCH", ""}[rnd.IntN(4)]
			outcome := []string{"", "", "stray"}[rnd.IntN(3)]
			ed.EditTypingNodes("Edit method", []string{id}, func(f *flow.Flow) error {
				n := f.Node(id)
				if n.Call != nil {
					n.Call.Method = method
				}
				n.Outcome = outcome
				return nil
			})
		}
		got := vc.validate(ed)
		if want := flow.Validate(ed.Flow()); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("step %d: the cache says\n%v\nand Validate\n%v", step, got, want)
		}
	}
	t.Logf("%d of 400 validations checked the whole flow", vc.full)
	if vc.full > 250 {
		t.Fatalf("%d of 400 validations checked the whole flow", vc.full)
	}
}
