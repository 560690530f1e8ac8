package assets

import (
	"testing"

	"github.com/flowbench/flowbench/flow"
)

func TestDemoMocksAreValid(t *testing.T) {
	mf, err := flow.DecodeMocks(DemoMocksFile())
	if err != nil {
		t.Fatal(err)
	}
	if ps := flow.ValidateMocks(mf.Mocks); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	cf, err := ExampleConnections()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range mf.Mocks {
		names[m.Name] = true
	}
	for _, c := range cf.Connections {
		if c.UseMock && !names[c.Mock] {
			t.Errorf("connection %q uses mock %q, which the demo mocks file does not define", c.Name, c.Mock)
		}
	}
}
