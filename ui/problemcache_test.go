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
