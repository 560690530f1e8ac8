package ui

import (
	"testing"
)

// TestDuplicateNamesFollowTheOneRule: duplicating a flow twice gives
// "<name> copy" and then "<name> copy 2", as a connection or a mock copy
// is named, not two flows called alike.
func TestDuplicateNamesFollowTheOneRule(t *testing.T) {
	h := newHarness(t)
	if err := h.app.RenameFlow("Billing"); err != nil {
		t.Fatal(err)
	}
	var names []string
	for range 2 {
		for _, s := range h.app.flows.items {
			if s.Name == "Billing" {
				if err := h.app.Open(s.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := h.app.DuplicateFlow(); err != nil {
			t.Fatal(err)
		}
		names = append(names, h.app.flowName())
	}
	if names[0] != "Billing copy" || names[1] != "Billing copy 2" {
		t.Fatalf("copies are named %q, want %q then %q", names, "Billing copy", "Billing copy 2")
	}
	if sel, ok := h.app.flows.list.selected(); !ok || sel.Name != "Billing copy 2" {
		t.Fatalf("the Flows view marks %q (%v), want the open copy", sel.Name, ok)
	}
}
