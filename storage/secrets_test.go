package storage

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/storage/secret"
)

func TestSecrets(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct{ name, value string }{
		{"api-key", "k-123"},
		{"conn/crm/value", "v"},
		{"unicode ☃", "välue with spaces\nand lines"},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := db.PutSecret(ctx, tc.name, tc.value); err != nil {
				t.Fatal(err)
			}
			if got, err := db.SecretValue(ctx, tc.name); err != nil || got != tc.value {
				t.Fatalf("SecretValue = %q, %v; want %q", got, err, tc.value)
			}
		})
	}
	if err := db.PutSecret(ctx, "api-key", "k-456"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.SecretValue(ctx, "api-key"); got != "k-456" {
		t.Fatalf("replaced value = %q", got)
	}
	if err := db.SaveToken(ctx, "crm", []byte(`{"access_token":"t"}`)); err != nil {
		t.Fatal(err)
	}
	names, err := db.ListSecrets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "ListSecrets (tokens are not listed)", names, []string{"api-key", "conn/crm/value", "empty", "unicode ☃"})
	if err := db.DeleteSecret(ctx, "api-key"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SecretValue(ctx, "api-key"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete = %v, want ErrNotFound", err)
	}
	if err := db.PutSecret(ctx, "", "x"); err == nil {
		t.Fatal("a secret without a name was accepted")
	}
}

func TestTokens(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	tok := []byte(`{"access_token":"at-1","expiry":"2030-01-01T00:00:00Z"}`)
	if err := db.SaveToken(ctx, "crm|scope", tok); err != nil {
		t.Fatal(err)
	}
	got, err := db.LoadToken(ctx, "crm|scope")
	if err != nil || string(got) != string(tok) {
		t.Fatalf("LoadToken = %s, %v", got, err)
	}
	var sealed []byte
	db.r.QueryRow("SELECT sealed FROM tokens").Scan(&sealed)
	if strings.Contains(string(sealed), "at-1") {
		t.Fatal("token stored in the clear")
	}
	if err := db.SaveToken(ctx, "crm|scope", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadToken(ctx, "crm|scope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LoadToken after clearing = %v, want ErrNotFound", err)
	}
}

func TestSecretsWithoutKey(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "flowbench.db"), nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"PutSecret", func() error { return db.PutSecret(ctx, "a", "b") }},
		{"SecretValue", func() error { _, err := db.SecretValue(ctx, "a"); return err }},
		{"SaveToken", func() error { return db.SaveToken(ctx, "a", []byte("t")) }},
		{"LoadToken", func() error { _, err := db.LoadToken(ctx, "a"); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, ErrNoKey) {
				t.Fatalf("err = %v, want ErrNoKey", err)
			}
		})
	}
}

func TestOpenWrongKey(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first *secret.Sealer // the first open; nil opens without a key
	}{
		{"created with another key", testSealer(t, 1)},
		{"key check stored by a later keyed open", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "flowbench.db")
			db := openAt(t, path, tc.first)
			db.Close()
			if tc.first == nil {
				openAt(t, path, testSealer(t, 1)).Close()
			}
			_, err := Open(context.Background(), path, Options{Sealer: testSealer(t, 2)})
			if !errors.Is(err, secret.ErrWrongKey) {
				t.Fatalf("Open with another key = %v, want ErrWrongKey", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			// The right key still opens it: the failed open changed nothing.
			openAt(t, path, testSealer(t, 1))
		})
	}
}

func TestOpenTamperedSecret(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper string
	}{
		{"flipped bit", ""},
		{"swapped rows", "UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE name = 'other') WHERE name = 'api-key'"},
		{"truncated", "UPDATE secrets SET sealed = x'01' WHERE name = 'api-key'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "flowbench.db")
			db := openAt(t, path, testSealer(t, 1))
			ctx := context.Background()
			if err := db.PutSecret(ctx, "api-key", "k-123"); err != nil {
				t.Fatal(err)
			}
			if err := db.PutSecret(ctx, "other", "o-456"); err != nil {
				t.Fatal(err)
			}
			db.Close()
			raw, err := sql.Open("sqlite", dsn(path, false))
			if err != nil {
				t.Fatal(err)
			}
			if tc.tamper == "" {
				flipBit(t, raw, "SELECT sealed FROM secrets WHERE name = 'api-key'", "UPDATE secrets SET sealed = ? WHERE name = 'api-key'")
			} else if res, err := raw.Exec(tc.tamper); err != nil {
				t.Fatal(err)
			} else if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("tampering changed %d rows", n)
			}
			raw.Close()
			_, err = Open(ctx, path, Options{Sealer: testSealer(t, 1)})
			if !errors.Is(err, ErrCorruptSecret) || !strings.Contains(err.Error(), `"api-key"`) {
				t.Fatalf("Open after tampering = %v, want ErrCorruptSecret naming api-key", err)
			}
			if strings.Contains(err.Error(), "k-123") || strings.Contains(err.Error(), "o-456") {
				t.Fatalf("error reveals a value: %v", err)
			}
		})
	}
}

func TestOpenTamperedKeyCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flowbench.db")
	openAt(t, path, testSealer(t, 1)).Close()
	raw, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	flipBit(t, raw, "SELECT value FROM meta WHERE key = 'key_check'", "UPDATE meta SET value = ? WHERE key = 'key_check'")
	raw.Close()
	if _, err := Open(context.Background(), path, Options{Sealer: testSealer(t, 1)}); !errors.Is(err, secret.ErrWrongKey) {
		t.Fatalf("Open with an altered key check = %v, want ErrWrongKey", err)
	}
}

// flipBit reads one blob with get, flips a bit in its ciphertext and writes
// it back with set.
func flipBit(t *testing.T, raw *sql.DB, get, set string) {
	t.Helper()
	var b []byte
	if err := raw.QueryRow(get).Scan(&b); err != nil || len(b) < 30 {
		t.Fatalf("read blob to tamper with: %d bytes, %v", len(b), err)
	}
	b[20] ^= 0x01
	if _, err := raw.Exec(set, b); err != nil {
		t.Fatal(err)
	}
}
