package ui

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/flowbench/flowbench/flow"
)

// TestExportWritesTheFlowsGUID: an exported flow carries its stored GUID id
// (so runs of the file have the app's flow.id and chatBotId), a flow never
// saved gets a GUID too, and an import of the file is still a new flow.
func TestExportWritesTheFlowsGUID(t *testing.T) {
	h := newHarness(t)
	if err := h.app.ImportFlow(mustExample(t)); err != nil {
		t.Fatal(err)
	}
	stored := h.app.FlowID()
	if _, err := uuid.Parse(stored); err != nil {
		t.Fatalf("the stored flow's id %q is not a GUID", stored)
	}
	data, err := h.app.ExportFlow()
	if err != nil {
		t.Fatal(err)
	}
	f, err := flow.DecodeFlow(data)
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != stored || f.Version != 0 {
		t.Fatalf("exported id %q version %d, want %q and no version", f.ID, f.Version, stored)
	}
	if err := h.app.ImportFlow(data); err != nil {
		t.Fatal(err)
	}
	if h.app.FlowID() == stored {
		t.Fatal("importing the exported file replaced the flow it came from")
	}

	h.app.NewFlow()
	data, err = h.app.ExportFlow()
	if err != nil {
		t.Fatal(err)
	}
	if f, err = flow.DecodeFlow(data); err != nil {
		t.Fatal(err)
	}
	if _, err := uuid.Parse(f.ID); err != nil {
		t.Fatalf("a new flow exported with id %q, want a GUID", f.ID)
	}
}

// TestConnectionFormKeepsNamedRequests: saving a connection through its
// form keeps the named requests it holds (the form does not edit them yet).
func TestConnectionFormKeepsNamedRequests(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	conn := flow.Connection{Name: "crm", Kind: flow.ConnCustom, BaseURL: "https://api.example.com", Auth: flow.Auth{Type: flow.AuthNone},
		Requests: []flow.NamedRequest{{Name: "lookupTier", Params: []string{"chatId"}, Method: "POST", URI: `"/v1/tier"`}}}
	if err := h.db.SaveConnection(ctx, conn); err != nil {
		t.Fatal(err)
	}
	stored, err := h.db.Connection(ctx, "crm")
	if err != nil || len(stored.Requests) != 1 {
		t.Fatalf("the store did not keep the request: %v %+v", err, stored)
	}
	f := newConnForm(h.app, *stored, false)
	f.baseURL.SetText("https://api2.example.com")
	if err := f.save(); err != nil {
		t.Fatal(err)
	}
	after, err := h.db.Connection(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	if after.BaseURL != "https://api2.example.com" || len(after.Requests) != 1 || after.Requests[0].Name != "lookupTier" {
		t.Fatalf("after saving the form: %+v", after)
	}
}
