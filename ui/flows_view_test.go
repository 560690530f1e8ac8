package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
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

func mustExample(t *testing.T) []byte {
	t.Helper()
	data, err := assets.ExampleFlowFile("chatbot-vip-routing.flow.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestImportingABrokenFlowShowsEveryProblemAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	if err := h.app.ImportFlow(mustExample(t)); err != nil {
		t.Fatal(err)
	}
	h.app.ed.Edit("unsaved edit", func(f *flow.Flow) error { f.Description = "edited"; return nil })
	before := editor.Clone(h.app.ed.Flow())
	ctx := context.Background()
	listBefore, _ := h.db.ListFlows(ctx)

	cases := []struct {
		name string
		file string
		want []string // each must appear in the error and in the dialog
	}{
		{"unknown fields", `{"format": "flowbench/v1", "name": "x", "nodes": [{"id": "s", "kind": "start", "colour": 1,
			"trigger": {"type": "manual", "evnts": []}}], "edges": []}`, []string{"colour", "evnts"}},
		{"broken graph", `{"format": "flowbench/v1", "name": "x",
			"nodes": [{"id": "a", "kind": "call", "call": {"connection": "c", "method": "FETCH"}}],
			"edges": [{"from": "a", "to": "nowhere"}]}`, []string{"start", "FETCH", "nowhere"}},
		{"bad expression", `{"format": "flowbench/v1", "name": "x",
			"nodes": [{"id": "s", "kind": "start", "trigger": {"type": "manual"}},
			          {"id": "d", "kind": "decision", "cases": [{"port": "yes", "when": "vars.a >"}]},
			          {"id": "e", "kind": "end"}],
			"edges": [{"from": "s", "to": "d"}, {"from": "d", "port": "yes", "to": "e"}, {"from": "d", "port": "default", "to": "e"}]}`,
			[]string{"cases[0].when", "line 1, column"}},
		{"not JSON", `{"format": "flowbench/v1", "name": `, []string{"line"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := h.app.ImportFlow([]byte(c.file))
			if err == nil {
				t.Fatal("a broken file was imported")
			}
			h.app.showError(err)
			dialogText := h.overlayText()
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not mention %q:\n%v", w, err)
				}
				if !strings.Contains(dialogText, w) {
					t.Errorf("the dialog does not show %q:\n%s", w, dialogText)
				}
			}
			h.overlayButton("Close").OnTapped()
			sameDocument(t, h.app.ed.Flow(), before)
			if !h.app.ed.Dirty() {
				t.Error("the open flow's unsaved edit was lost")
			}
			listAfter, _ := h.db.ListFlows(ctx)
			if len(listAfter) != len(listBefore) {
				t.Fatalf("the store went from %d to %d flows", len(listBefore), len(listAfter))
			}
		})
	}
}
