package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

func TestMigrations(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatalf("migrations: %v", err)
	}
	path := filepath.Join(t.TempDir(), "nested", "dir", "flowbench.db")
	tables := func(db *DB) string {
		rows, err := db.r.Query("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name")
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
			for _, want := range []string{"connections", "events", "flow_versions", "flows", "meta", "runs", "secrets", "step_batches", "steps", "tokens"} {
				if !strings.Contains(","+got+",", ","+want+",") {
					t.Errorf("table or view %s missing: %s", want, got)
				}
			}
		})
	}
}

// TestMigrateStepsToBatches opens a file of schema 2, whose steps table
// holds one row per step, and checks that migration 0003 moves every step
// into step_batches unchanged, and that the steps view reads them back as the
// table did.
func TestMigrateStepsToBatches(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "flowbench.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:2] {
		if _, err := old.ExecContext(ctx, m.sql); err != nil {
			t.Fatalf("migration %s: %v", m.name, err)
		}
	}
	if _, err := old.ExecContext(ctx, "PRAGMA user_version = 2"); err != nil {
		t.Fatal(err)
	}
	// Runs as schema 2 stored them: a steps row per step, JSON columns
	// written by json.Marshal, NULL where a step had no value.
	type stored struct {
		run   flow.Run
		steps []flow.Step
	}
	var runs []stored
	for i, mk := range []func(string, int, time.Time) (flow.Run, []flow.Step){sampleRun, callRun} {
		run, steps := mk(fmt.Sprintf("old-%d", i), 12, baseTime.Add(time.Duration(i)*time.Minute))
		runs = append(runs, stored{run, steps})
		if _, err := old.ExecContext(ctx, upsertRunSQL, runArgs(&run)...); err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			var rv, ex any
			if s.ReturnValue != nil {
				b, _ := json.Marshal(s.ReturnValue)
				rv = string(b)
			}
			if len(s.Exchanges) > 0 {
				b, _ := json.Marshal(s.Exchanges)
				ex = string(b)
			}
			_, err := old.ExecContext(ctx, `INSERT INTO steps(run_id, seq, node, kind, title, status, port, http_status,
				return_value, decision, attempts, started_at, duration_ms, error, exchanges) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				run.ID, s.Seq, s.Node, string(s.Kind), s.Title, string(s.Status), s.Port, s.HTTPStatus, rv,
				s.Decision, s.Attempts, unixNano(s.StartedAt), s.DurationMs, s.Error, ex)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	// What the steps table answered before the migration.
	viewQuery := `SELECT run_id, seq, node, kind, title, status, port, http_status, coalesce(return_value, 'none'),
		decision, attempts, started_at, duration_ms, error, coalesce(json(exchanges), 'none') FROM steps ORDER BY run_id, seq`
	readView := func(q interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}) [][]any {
		rows, err := q.QueryContext(ctx, viewQuery)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][]any
		for rows.Next() {
			vals := make([]any, 15)
			ptrs := make([]any, 15)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			// Compare JSON columns by meaning: the view's JSON is minified.
			for _, i := range []int{8, 14} {
				if s, ok := vals[i].(string); ok && s != "none" {
					var v any
					if err := json.Unmarshal([]byte(s), &v); err != nil {
						t.Fatalf("column %d: %v", i, err)
					}
					vals[i] = v
				}
			}
			out = append(out, vals)
		}
		return out
	}
	before := readView(old)
	old.Close()
	if len(before) != 24 {
		t.Fatalf("schema 2 holds %d steps, want 24", len(before))
	}

	db := openAt(t, path, testSealer(t, 1))
	for _, r := range runs {
		run, steps, err := db.Run(ctx, r.run.ID)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "run "+r.run.ID, *run, r.run)
		mustEqual(t, "steps of "+r.run.ID, steps, r.steps)
	}
	mustEqual(t, "the steps view after migration", readView(db.r), before)
	var batches int
	if err := db.r.QueryRow("SELECT count(*) FROM step_batches").Scan(&batches); err != nil || batches != 24 {
		t.Fatalf("%d step batches, %v; want one per migrated step", batches, err)
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
