package storage

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// sealedDoc is one document type saved through the shared sealing path:
// save stores a document named name whose secret field is ref and returns
// the field as the caller's document holds it after the save; load reads
// the stored document's field back; table and key find its stored JSON.
type sealedDoc struct {
	kind, field string // the secret's name is kind/<document>/field
	other       string // a second document's name extending "a" (mock names hold no "/")
	table, key  string
	save        func(name string, ref *flow.SecretRef) (*flow.SecretRef, error)
	load        func(name string) (*flow.SecretRef, error)
	del         func(ctx context.Context, name string) error
}

// storedRef reads a document with get and returns its secret field.
func storedRef[T any](ctx context.Context, get func(context.Context, string) (*T, error), field func(*T) *flow.SecretRef) func(string) (*flow.SecretRef, error) {
	return func(name string) (*flow.SecretRef, error) {
		v, err := get(ctx, name)
		if err != nil {
			return nil, err
		}
		return field(v), nil
	}
}

func sealedDocs(ctx context.Context, db *DB) []sealedDoc {
	return []sealedDoc{{
		kind: "conn", field: "token", other: "a/b", table: "connections", key: "name",
		save: func(name string, ref *flow.SecretRef) (*flow.SecretRef, error) {
			c := flow.Connection{Name: name, Kind: flow.ConnCustom, BaseURL: "https://api.example.com",
				Auth: flow.Auth{Type: flow.AuthBearer, Token: ref}}
			return c.Auth.Token, db.SaveConnection(ctx, c)
		},
		load: storedRef(ctx, db.Connection, func(c *flow.Connection) *flow.SecretRef { return c.Auth.Token }),
		del:  db.DeleteConnection,
	}, {
		kind: "mock", field: "token", other: "a.b", table: "mocks", key: "name",
		save: func(name string, ref *flow.SecretRef) (*flow.SecretRef, error) {
			m := sampleMock(name)
			m.Auth = &flow.MockAuth{Type: flow.AuthBearer, Token: ref}
			return m.Auth.Token, db.SaveMock(ctx, m)
		},
		load: storedRef(ctx, db.Mock, func(m *flow.Mock) *flow.SecretRef { return m.Auth.Token }),
		del:  db.DeleteMock,
	}, {
		kind: "flow", field: "start/trigger.secret", other: "a/b", table: "flow_versions", key: "flow_id",
		save: func(id string, ref *flow.SecretRef) (*flow.SecretRef, error) {
			f := sampleFlow("Hooked " + id)
			f.ID = id
			f.Nodes[0].Trigger = &flow.Trigger{Type: flow.TriggerWebhook, Path: "/hook", Secret: ref}
			_, err := db.SaveFlow(ctx, f)
			return f.Nodes[0].Trigger.Secret, err
		},
		load: storedRef(ctx, db.Flow, func(f *flow.Flow) *flow.SecretRef { return f.Nodes[0].Trigger.Secret }),
		del:  db.DeleteFlow,
	}}
}

// TestSealingSharedByDocuments: a literal secret in a connection, a mock and
// a flow's webhook trigger is sealed under "<kind>/<document>/<path>",
// replaced by that reference in the stored document, and resolves to the
// literal again. Deleting a document deletes its secrets and no other's,
// even those of a document whose name extends its own ("a" and "a/b"): the
// flow's case failed when DeleteFlow deleted every name under "flow/a/".
func TestSealingSharedByDocuments(t *testing.T) {
	ctx := context.Background()
	for i, kind := range []string{"conn", "mock", "flow"} {
		t.Run(kind, func(t *testing.T) {
			db := openTemp(t)
			d := sealedDocs(ctx, db)[i]
			const lit = "sealing-canary-3d9f"
			for _, name := range []string{"a", d.other} {
				ref := &flow.SecretRef{Literal: lit + name}
				held, err := d.save(name, ref)
				if err != nil {
					t.Fatal(err)
				}
				want := flow.SecretRef{Secret: d.kind + "/" + name + "/" + d.field}
				// Connections and mocks are passed by value and left as they
				// were; SaveFlow seals the caller's flow in place.
				if d.kind != "flow" && *held != (flow.SecretRef{Literal: lit + name}) || d.kind == "flow" && *held != want {
					t.Fatalf("%s %q: the caller's reference after save = %+v", d.kind, name, *held)
				}
				if got, err := d.load(name); err != nil || *got != want {
					t.Fatalf("%s %q: stored reference = %+v, %v; want %+v", d.kind, name, got, err, want)
				}
				var doc string
				db.r.QueryRow("SELECT doc FROM "+d.table+" WHERE "+d.key+" = ?", name).Scan(&doc)
				if doc == "" || strings.Contains(doc, lit) {
					t.Fatalf("%s %q: stored document %q is missing or holds the secret", d.kind, name, doc)
				}
				v, err := Resolver{DB: db}.Resolve(ctx, want)
				if err != nil || v != lit+name {
					t.Fatalf("%s %q: the reference resolves to %q, %v; want the literal", d.kind, name, v, err)
				}
			}
			if err := d.del(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			names, err := db.ListSecrets(ctx)
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "secrets left after deleting "+d.kind+" a", names, []string{d.kind + "/" + d.other + "/" + d.field})
			if v, err := db.SecretValue(ctx, d.kind+"/"+d.other+"/"+d.field); err != nil || v != lit+d.other {
				t.Fatalf("the other document's secret = %q, %v", v, err)
			}
		})
	}
}

// TestSealingRefusesPathOutsideHome: a flow node whose id holds "/" cannot
// seal its literal secret (it would fall outside the flow's secrets, left
// behind when the flow is deleted): the save fails naming the node and the
// field, and nothing is stored.
func TestSealingRefusesPathOutsideHome(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	f := sampleFlow("Odd ids")
	f.ID = "odd"
	f.Nodes[0].ID = "a/b"
	f.Nodes[0].Trigger = &flow.Trigger{Type: flow.TriggerWebhook, Path: "/hook", Secret: &flow.SecretRef{Literal: "odd-canary"}}
	_, err := db.SaveFlow(ctx, f)
	if err == nil || !strings.Contains(err.Error(), `node "a/b", field trigger.secret`) || !strings.Contains(err.Error(), "letters, digits, _ and -") {
		t.Fatalf("SaveFlow = %v; want an error naming node a/b and its field", err)
	}
	if strings.Contains(err.Error(), "odd-canary") {
		t.Fatalf("the error shows the secret: %v", err)
	}
	if names, _ := db.ListSecrets(ctx); len(names) != 0 {
		t.Fatalf("secrets stored: %v", names)
	}
	if _, err := db.Flow(ctx, "odd"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the flow was stored: %v", err)
	}
}
