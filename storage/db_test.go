package storage

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMigrations(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatalf("migrations: %v", err)
	}
	path := filepath.Join(t.TempDir(), "nested", "dir", "flowbench.db")
	tables := func(db *DB) string {
		rows, err := db.r.Query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			names = append(names, n)
		}
		return strings.Join(names, ",")
	}
	var first string
	for _, tc := range []string{"from zero", "reopen is idempotent", "reopen again"} {
		t.Run(tc, func(t *testing.T) {
			db, err := Open(context.Background(), path, Options{Sealer: testSealer(t, 1)})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			v, err := schemaVersion(context.Background(), db.r)
			if err != nil || v != len(ms) {
				t.Fatalf("user_version = %d, %v; want %d (the number of migrations)", v, err, len(ms))
			}
			got := tables(db)
			if first == "" {
				first = got
			} else if got != first {
				t.Fatalf("tables changed on reopen: %s, was %s", got, first)
			}
			for _, want := range []string{"connections", "events", "flow_versions", "flows", "meta", "runs", "secrets", "steps", "tokens"} {
				if !strings.Contains(","+got+",", ","+want+",") {
					t.Errorf("table %s missing: %s", want, got)
				}
			}
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flowbench.db")
	db := openAt(t, path, nil)
	if _, err := db.w.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(context.Background(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer Flowbench") {
		t.Fatalf("Open of a newer file = %v, want an error about a newer Flowbench", err)
	}
}

// TestPragmas checks that every connection, in both pools, got its pragmas
// from the DSN.
func TestPragmas(t *testing.T) {
	// A path with characters a URI must escape.
	path := filepath.Join(t.TempDir(), "my flows?#%", "flowbench.db")
	db := openAt(t, path, nil)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the file is not where asked: %v", err)
	}
	for _, tc := range []struct {
		name     string
		pool     *sql.DB
		pragma   string
		want     string
		readOnly bool
	}{
		{"writer journal_mode", db.w, "journal_mode", "wal", false},
		{"writer synchronous", db.w, "synchronous", "1", false},
		{"writer foreign_keys", db.w, "foreign_keys", "1", false},
		{"writer busy_timeout", db.w, "busy_timeout", "10000", false},
		{"writer query_only", db.w, "query_only", "0", false},
		{"reader journal_mode", db.r, "journal_mode", "wal", true},
		{"reader busy_timeout", db.r, "busy_timeout", "10000", true},
		{"reader foreign_keys", db.r, "foreign_keys", "1", true},
		{"reader query_only", db.r, "query_only", "1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Hold several reader connections at once so more than one is checked.
			conns := []*sql.Conn{}
			for range 3 {
				c, err := tc.pool.Conn(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
				if tc.pool == db.w {
					break
				}
			}
			for i, c := range conns {
				var got string
				if err := c.QueryRowContext(context.Background(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, tc.pragma, got, tc.want)
				}
			}
			for _, c := range conns {
				c.Close()
			}
		})
	}
	if _, err := db.r.Exec("DELETE FROM runs"); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg-test")
	t.Setenv("HOME", "/tmp/home-test")
	p, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := os.UserConfigDir()
	if want := filepath.Join(dir, "flowbench", "flowbench.db"); p != want {
		t.Fatalf("DefaultPath = %s, want %s", p, want)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		path func(t *testing.T) string
		want string
	}{
		{"no path", func(t *testing.T) string { return "" }, "no path"},
		{"directory cannot be made", func(t *testing.T) string {
			f := filepath.Join(t.TempDir(), "file")
			os.WriteFile(f, nil, 0o600)
			return filepath.Join(f, "sub", "flowbench.db")
		}, "create the directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.path(t), Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestNotFoundErrors(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func() error
		id   string
	}{
		{"Flow", func() error { _, err := db.Flow(ctx, "nope"); return err }, "nope"},
		{"FlowVersionDoc", func() error { _, err := db.FlowVersionDoc(ctx, "nope", 2); return err }, "nope"},
		{"FlowVersions", func() error { _, err := db.FlowVersions(ctx, "nope"); return err }, "nope"},
		{"DeleteFlow", func() error { return db.DeleteFlow(ctx, "nope") }, "nope"},
		{"Connection", func() error { _, err := db.Connection(ctx, "crm"); return err }, "crm"},
		{"DeleteConnection", func() error { return db.DeleteConnection(ctx, "crm") }, "crm"},
		{"RenameConnection", func() error { return db.RenameConnection(ctx, "crm", "crm2") }, "crm"},
		{"SecretValue", func() error { _, err := db.SecretValue(ctx, "api-key"); return err }, "api-key"},
		{"DeleteSecret", func() error { return db.DeleteSecret(ctx, "api-key") }, "api-key"},
		{"LoadToken", func() error { _, err := db.LoadToken(ctx, "tok"); return err }, "tok"},
		{"Run", func() error { _, _, err := db.Run(ctx, "r-1"); return err }, "r-1"},
		{"DeleteRun", func() error { return db.DeleteRun(ctx, "r-1") }, "r-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
			if !strings.Contains(err.Error(), tc.id) {
				t.Fatalf("error %q does not name %q", err, tc.id)
			}
		})
	}
}
