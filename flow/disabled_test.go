package flow

import (
	"strings"
	"testing"
)

// Issue 15: "disabled": true on a node reads and writes back; false is
// not written.
func TestDisabledField(t *testing.T) {
	src := `{"format": "flowbench/v1", "name": "d", "nodes": [
		{"id": "start", "kind": "start", "trigger": {"type": "manual"}},
		{"id": "s", "kind": "set", "disabled": true, "assign": [{"name": "x", "value": "1"}]},
		{"id": "e", "kind": "end"}], "edges": [{"from": "start", "to": "s"}, {"from": "s", "to": "e"}]}`
	f, err := DecodeFlow([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Node("s").Disabled || f.Node("e").Disabled {
		t.Fatalf("disabled: s %v, e %v", f.Node("s").Disabled, f.Node("e").Disabled)
	}
	if ps := Validate(f); ps.HasErrors() {
		t.Fatal(ps)
	}
	out, err := EncodeFlow(f)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(out), `"disabled": true`) != 1 || strings.Contains(string(out), `"disabled": false`) {
		t.Fatalf("encoded:\n%s", out)
	}
	for _, tt := range []struct {
		n    Node
		want string
	}{
		{Node{Kind: KindSet}, PortNext},
		{Node{Kind: KindCall, Call: &Call{Branches: []string{"a"}}}, PortDefault},
		{Node{Kind: KindCall}, PortNext},
		{Node{Kind: KindDecision, Cases: []Case{{Port: "yes"}}}, PortDefault},
		{Node{Kind: KindEnd}, ""},
	} {
		if got := tt.n.PassPort(); got != tt.want {
			t.Errorf("%s PassPort %q, want %q", tt.n.Kind, got, tt.want)
		}
	}
}
