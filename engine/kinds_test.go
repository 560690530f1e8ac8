package engine

import (
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// TestEngineKindsComplete walks flow.Kinds: every kind can execute, and a
// kind whose nodes have expressions compiles them.
func TestEngineKindsComplete(t *testing.T) {
	for _, k := range flow.Kinds {
		kr, ok := kindRuns[k]
		if !ok || kr.execute == nil {
			t.Errorf("kind %q has no execute function in kindRuns", k)
			continue
		}
		spec, _ := flow.Spec(k)
		n := spec.NewNode("n", flow.Position{})
		if len(flow.NodeExpressions(&n)) > 0 && kr.compile == nil {
			t.Errorf("kind %q has expressions but no compile function", k)
		}
	}
	if len(kindRuns) != len(flow.Kinds) {
		t.Errorf("kindRuns has %d kinds, flow.Kinds %d", len(kindRuns), len(flow.Kinds))
	}
}
