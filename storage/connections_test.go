package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

const canary = "canary-secret-7f3a9c1e/+=?&"

// canaryForms are the ways a leaked value could be spelled in a file.
func canaryForms(v string) map[string]string {
	return map[string]string{
		"plain":          v,
		"base64":         base64.StdEncoding.EncodeToString([]byte(v)),
		"base64 raw url": base64.RawURLEncoding.EncodeToString([]byte(v)),
		"hex":            hex.EncodeToString([]byte(v)),
		"HEX":            strings.ToUpper(hex.EncodeToString([]byte(v))),
		"query-escaped":  url.QueryEscape(v),
		"path-escaped":   url.PathEscape(v),
		// A prefix catches a value split across pages or re-encoded partway.
		"plain prefix": v[:14],
	}
}

// scanFiles fails when any file of the database holds v in any form.
func scanFiles(t *testing.T, path, v string) {
	t.Helper()
	scanned := 0
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		data, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		scanned++
		for form, s := range canaryForms(v) {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds the secret (%s form)", filepath.Base(path+suffix), form)
			}
		}
	}
	if scanned == 0 {
		t.Fatal("no database file to scan")
	}
}

func crmConnection() flow.Connection {
	return flow.Connection{
		Name: "crm", Kind: flow.ConnCustom, BaseURL: "https://api.example.com",
		Auth: flow.Auth{Type: flow.AuthAPIKey, In: flow.APIKeyHeader, Name: "x-api-key", Value: &flow.SecretRef{Literal: canary}},
	}
}

func TestConnectionSecretsSealed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flowbench.db")
	db := openAt(t, path, testSealer(t, 1))
	ctx := context.Background()
	c := crmConnection()
	c.Auth.Password = &flow.SecretRef{Literal: canary + "-pw"} // a second field
	if err := db.SaveConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.Auth.Value.Literal != canary || c.Auth.Value.Secret != "" {
		t.Fatalf("SaveConnection changed the caller's connection: %+v", c.Auth.Value)
	}
	var doc string
	if err := db.r.QueryRow("SELECT doc FROM connections WHERE name = 'crm'").Scan(&doc); err != nil {
		t.Fatal(err)
	}
	for form, s := range canaryForms(canary) {
		if strings.Contains(doc, s) {
			t.Errorf("stored JSON holds the secret (%s form): %s", form, doc)
		}
	}
	got, err := db.Connection(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	want := crmConnection()
	want.Auth.Value = &flow.SecretRef{Secret: "conn/crm/value"}
	want.Auth.Password = &flow.SecretRef{Secret: "conn/crm/password"}
	mustEqual(t, "stored connection", got, &want)
	for name, value := range map[string]string{"conn/crm/value": canary, "conn/crm/password": canary + "-pw"} {
		if v, err := db.SecretValue(ctx, name); err != nil || v != value {
			t.Fatalf("SecretValue(%s) = %q, %v", name, v, err)
		}
	}
	scanFiles(t, path, canary)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	scanFiles(t, path, canary) // after the WAL is checkpointed into the file
}

func TestConnectionLifecycle(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	if err := db.SaveConnection(ctx, crmConnection()); err != nil {
		t.Fatal(err)
	}
	// A connection whose name extends "crm" must not lose its secrets when
	// crm is renamed or deleted.
	nested := crmConnection()
	nested.Name = "crm/eu"
	if err := db.SaveConnection(ctx, nested); err != nil {
		t.Fatal(err)
	}
	secrets := func() []string {
		names, err := db.ListSecrets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return names
	}

	t.Run("resave with a reference drops the stale secret", func(t *testing.T) {
		c := crmConnection()
		c.Auth.Value = &flow.SecretRef{Literal: "v2"}
		c.Auth.Token = &flow.SecretRef{Literal: "tok"}
		if err := db.SaveConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "secrets", secrets(), []string{"conn/crm/eu/value", "conn/crm/token", "conn/crm/value"})
		// Saving the stored form again (references) keeps the values.
		stored, _ := db.Connection(ctx, "crm")
		stored.Auth.Token = &flow.SecretRef{Env: "CRM_TOKEN"}
		if err := db.SaveConnection(ctx, *stored); err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "secrets", secrets(), []string{"conn/crm/eu/value", "conn/crm/value"})
		if v, _ := db.SecretValue(ctx, "conn/crm/value"); v != "v2" {
			t.Fatalf("value = %q, want v2", v)
		}
	})
	t.Run("rename", func(t *testing.T) {
		if err := db.RenameConnection(ctx, "crm", "crm-eu"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Connection(ctx, "crm"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("old name after rename = %v, want ErrNotFound", err)
		}
		got, err := db.Connection(ctx, "crm-eu")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "crm-eu" || got.Auth.Value.Secret != "conn/crm-eu/value" || got.Auth.Token.Env != "CRM_TOKEN" {
			t.Fatalf("renamed connection = %+v / %+v", got, got.Auth)
		}
		if v, err := db.SecretValue(ctx, "conn/crm-eu/value"); err != nil || v != "v2" {
			t.Fatalf("moved secret = %q, %v", v, err)
		}
		mustEqual(t, "secrets", secrets(), []string{"conn/crm-eu/value", "conn/crm/eu/value"})
	})
	t.Run("rename onto a taken name", func(t *testing.T) {
		err := db.RenameConnection(ctx, "crm-eu", "crm/eu")
		if err == nil || !strings.Contains(err.Error(), "exists already") {
			t.Fatalf("rename onto crm/eu = %v, want an error saying it exists", err)
		}
	})
	t.Run("list", func(t *testing.T) {
		list, err := db.ListConnections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Name != "crm-eu" || list[1].Name != "crm/eu" {
			t.Fatalf("ListConnections = %+v", list)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := db.DeleteConnection(ctx, "crm-eu"); err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "secrets", secrets(), []string{"conn/crm/eu/value"})
		if _, err := db.Connection(ctx, "crm-eu"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete = %v, want ErrNotFound", err)
		}
	})
}

func TestConnectionsWithoutKey(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "flowbench.db"), nil)
	ctx := context.Background()
	if err := db.SaveConnection(ctx, crmConnection()); !errors.Is(err, ErrNoKey) {
		t.Fatalf("literal secret without a key = %v, want ErrNoKey", err)
	}
	c := crmConnection()
	c.Auth.Value = &flow.SecretRef{Env: "CRM_API_KEY"}
	if err := db.SaveConnection(ctx, c); err != nil {
		t.Fatalf("a connection with only env references needs no key: %v", err)
	}
	if err := db.RenameConnection(ctx, "crm", "crm2"); err != nil {
		t.Fatalf("renaming a connection without sealed secrets needs no key: %v", err)
	}
}
