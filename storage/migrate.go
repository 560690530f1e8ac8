package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// migrationFiles are the schema changes, numbered from 1 with no gaps
// (0001_init.sql, 0002_....sql). PRAGMA user_version records how many have
// been applied; a released migration is never edited, only followed by a new one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order, checking that they
// are numbered 1..N without gaps or duplicates.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration file %s: name it NNNN_what.sql with NNNN its number from 1", base)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d; migrations are numbered 1..N without gaps", m.name, i+1)
		}
	}
	return ms, nil
}

// schemaVersion reads PRAGMA user_version.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// migrate applies every migration newer than the file's user_version, each
// in its own transaction together with the user_version bump, so a crash
// leaves the file at a whole version.
func migrate(ctx context.Context, w *sql.DB) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	have, err := schemaVersion(ctx, w)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > len(ms) {
		return fmt.Errorf("the file has schema version %d but this Flowbench knows only %d: it was written by a newer Flowbench; use that version or another database file", have, len(ms))
	}
	for _, m := range ms[have:] {
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
		// Another process may have migrated while this one waited for the lock.
		cur, err := schemaVersion(ctx, tx)
		if err == nil && cur >= m.version {
			tx.Rollback()
			continue
		}
		if err == nil {
			_, err = tx.ExecContext(ctx, m.sql)
		}
		if err == nil {
			// PRAGMA takes no bound parameters; the value is our own integer.
			_, err = tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(m.version))
		}
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
	}
	return nil
}
