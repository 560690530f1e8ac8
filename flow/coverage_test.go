package flow_test

import (
	"reflect"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

func TestCoverageListsEveryPortInReadingOrder(t *testing.T) {
	f := &flow.Flow{
		Nodes: []flow.Node{
			{ID: "orphan", Kind: flow.KindSet, Position: flow.Position{X: 0, Y: 0}},
			{ID: "done", Kind: flow.KindEnd, Position: flow.Position{X: 600, Y: 0}},
			{ID: "low", Kind: flow.KindSet, Position: flow.Position{X: 400, Y: 300}},
			{ID: "high", Kind: flow.KindSet, Position: flow.Position{X: 400, Y: 100}},
			{ID: "lookup", Kind: flow.KindCall, Position: flow.Position{X: 200, Y: 200},
				Call: &flow.Call{Connection: "c", Branches: []string{"vip", "standard"}}},
			{ID: "start", Kind: flow.KindStart, Position: flow.Position{X: 0, Y: 200}},
		},
		Edges: []flow.Edge{
			{From: "start", To: "lookup"},
			{From: "lookup", Port: "standard", To: "low"},
			{From: "lookup", Port: "vip", To: "high"},
			{From: "high", To: "done"},
			{From: "low", To: "done"},
		},
	}
	taken := map[[2]string]int{{"start", "next"}: 5, {"lookup", "standard"}: 3, {"lookup", "failure"}: 2, {"low", "next"}: 3,
		{"lookup", "gone"}: 9} // a port the flow no longer has is not listed
	cov := f.Coverage(func(node, port string) int { return taken[[2]string{node, port}] })
	want := []flow.PortCoverage{
		{"start", "next", 5},
		{"lookup", "vip", 0}, {"lookup", "standard", 3}, {"lookup", "default", 0}, {"lookup", "failure", 2},
		{"high", "next", 0}, // depth 2, higher on the canvas than low
		{"low", "next", 3},
		// done is an end: no ports; orphan is unreachable: last
		{"orphan", "next", 0},
	}
	if !reflect.DeepEqual(cov, want) {
		t.Fatalf("Coverage =\n%v\nwant\n%v", cov, want)
	}
	never := flow.NeverTaken(cov)
	wantNever := []flow.PortCoverage{{"lookup", "vip", 0}, {"lookup", "default", 0}, {"high", "next", 0}, {"orphan", "next", 0}}
	if !reflect.DeepEqual(never, wantNever) {
		t.Fatalf("NeverTaken =\n%v\nwant\n%v", never, wantNever)
	}
}
