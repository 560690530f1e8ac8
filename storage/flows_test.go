package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
	"github.com/google/uuid"
)

func sampleFlow(name string, conns ...string) *flow.Flow {
	f := &flow.Flow{
		Format: flow.Format, Name: name, Description: "routes chats",
		Variables: map[string]string{"greeting": `"Hello"`},
		Nodes:     []flow.Node{{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerManual}}},
	}
	prev := "start"
	for i, c := range conns {
		id := "call" + string(rune('a'+i))
		f.Nodes = append(f.Nodes, flow.Node{ID: id, Kind: flow.KindCall, Position: flow.Position{X: float64(100 * i), Y: 20},
			Call: &flow.Call{Connection: c, Method: "POST", URI: `"/v1/tier"`, Timeout: flow.Duration(30 * time.Second)}})
		f.Edges = append(f.Edges, flow.Edge{From: prev, To: id})
		prev = id
	}
	return f
}

func TestFlowVersions(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	clock := baseTime
	db.now = func() time.Time { clock = clock.Add(time.Minute); return clock }

	f := sampleFlow("Routing", "crm")
	v, err := db.SaveFlow(ctx, f)
	if err != nil || v != 1 || f.Version != 1 {
		t.Fatalf("first SaveFlow = %d, %v (f.Version %d); want 1", v, err, f.Version)
	}
	if _, err := uuid.Parse(f.ID); err != nil {
		t.Fatalf("assigned ID %q is not a UUID: %v", f.ID, err)
	}
	v1 := *f
	f2 := sampleFlow("Routing v2", "crm", "billing")
	f2.ID = f.ID
	if v, err := db.SaveFlow(ctx, f2); err != nil || v != 2 {
		t.Fatalf("second SaveFlow = %d, %v; want 2", v, err)
	}

	t.Run("latest", func(t *testing.T) {
		got, err := db.Flow(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "latest flow", got, f2)
	})
	t.Run("versions newest first", func(t *testing.T) {
		vs, err := db.FlowVersions(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "versions", vs, []FlowVersion{
			{Version: 2, SavedAt: baseTime.Add(2 * time.Minute), Name: "Routing v2"},
			{Version: 1, SavedAt: baseTime.Add(time.Minute), Name: "Routing"},
		})
	})
	t.Run("restore an old version", func(t *testing.T) {
		old, err := db.FlowVersionDoc(ctx, f.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "version 1", old, &v1)
		if v, err := db.SaveFlow(ctx, old); err != nil || v != 3 {
			t.Fatalf("restoring SaveFlow = %d, %v; want 3", v, err)
		}
		got, _ := db.Flow(ctx, f.ID)
		want := v1
		want.Version = 3
		mustEqual(t, "restored flow", got, &want)
	})
	t.Run("list and connection users", func(t *testing.T) {
		other := sampleFlow("Another", "billing")
		if _, err := db.SaveFlow(ctx, other); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListFlows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "ListFlows", list, []FlowSummary{
			{ID: other.ID, Name: "Another", Description: "routes chats", Version: 1, UpdatedAt: baseTime.Add(4 * time.Minute)},
			{ID: f.ID, Name: "Routing", Description: "routes chats", Version: 3, UpdatedAt: baseTime.Add(3 * time.Minute)},
		})
		for _, tc := range []struct {
			conn string
			want []string
		}{
			// The restored version 3 no longer calls billing.
			{"billing", []string{other.ID}},
			{"crm", []string{f.ID}},
			{"unused", nil},
		} {
			users, err := db.FlowsUsingConnection(ctx, tc.conn)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, u := range users {
				ids = append(ids, u.ID)
			}
			mustEqual(t, "FlowsUsingConnection("+tc.conn+")", ids, tc.want)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := db.DeleteFlow(ctx, f.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Flow(ctx, f.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Flow after delete = %v, want ErrNotFound", err)
		}
		if _, err := db.FlowVersionDoc(ctx, f.ID, 1); !errors.Is(err, ErrNotFound) {
			t.Fatalf("old version after delete = %v, want ErrNotFound", err)
		}
		users, _ := db.FlowsUsingConnection(ctx, "crm")
		if len(users) != 0 {
			t.Fatalf("deleted flow still listed as using crm: %v", users)
		}
		list, _ := db.ListFlows(ctx)
		if len(list) != 1 {
			t.Fatalf("ListFlows after delete has %d flows, want 1", len(list))
		}
	})
}

func TestSaveFlowKeepsGivenID(t *testing.T) {
	db := openTemp(t)
	f := sampleFlow("Imported")
	f.ID = "imported-flow"
	if _, err := db.SaveFlow(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if f.ID != "imported-flow" {
		t.Fatalf("ID changed to %q", f.ID)
	}
	if _, err := db.Flow(context.Background(), "imported-flow"); err != nil {
		t.Fatal(err)
	}
}

// TestSaveFlowSealsLiteralSecrets: a flow imported with a literal signing
// secret is stored with a reference, and deleting the flow deletes the secret.
func TestSaveFlowSealsLiteralSecrets(t *testing.T) {
	const canary = "flow-canary-5b1e0c"
	db := openTemp(t)
	ctx := context.Background()
	f := sampleFlow("Signed", "crm")
	f.Nodes[1].Call.Signing = &flow.Signing{Secret: flow.SecretRef{Literal: canary}}
	f.Nodes[0].Trigger = &flow.Trigger{Type: flow.TriggerWebhook, Path: "/hook", Secret: &flow.SecretRef{Literal: canary + "-hook"}}
	if _, err := db.SaveFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		ref   flow.SecretRef
		value string
	}{
		{"signing", f.Nodes[1].Call.Signing.Secret, canary},
		{"webhook", *f.Nodes[0].Trigger.Secret, canary + "-hook"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ref.Literal != "" || !strings.HasPrefix(tc.ref.Secret, "flow/"+f.ID+"/") {
				t.Fatalf("ref after save = %+v, want a flow/%s/... secret", tc.ref, f.ID)
			}
			if v, err := db.SecretValue(ctx, tc.ref.Secret); err != nil || v != tc.value {
				t.Fatalf("SecretValue = %q, %v", v, err)
			}
		})
	}
	var doc string
	db.r.QueryRow("SELECT doc FROM flow_versions").Scan(&doc)
	if strings.Contains(doc, canary) {
		t.Fatalf("stored flow holds the secret: %s", doc)
	}
	if err := db.DeleteFlow(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if names, _ := db.ListSecrets(ctx); len(names) != 0 {
		t.Fatalf("secrets left after DeleteFlow: %v", names)
	}
}
