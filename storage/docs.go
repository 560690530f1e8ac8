package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Connections and mocks are stored the same way: one JSON document per name,
// in a table with columns name and doc. These read them for both.

// decodeDoc decodes the document stored under name; what names its kind in
// errors ("connection", "mock").
func decodeDoc[T any](what, name, body string) (*T, error) {
	v := new(T)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		return nil, fmt.Errorf("stored %s %q cannot be read: %w", what, name, err)
	}
	return v, nil
}

// saveDoc seals the literal secrets of doc (secrets point into it) in home,
// deleting those it no longer uses, and stores doc under name in table, in
// one transaction; what names its kind in errors.
func (db *DB) saveDoc(ctx context.Context, table, what, name string, home secretHome, secrets []docSecret, doc any) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := db.sealTx(ctx, tx, home, secrets, true); err != nil {
			return err
		}
		return putDocTx(ctx, tx, table, name, doc, db.now())
	})
	if err != nil {
		return fmt.Errorf("save %s %q: %w", what, name, err)
	}
	return nil
}

// putDocTx stores doc as JSON under name in table within tx, replacing the
// document stored there. table is one of this package's constants.
func putDocTx(ctx context.Context, tx *sql.Tx, table, name string, doc any, now time.Time) error {
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO `+table+`(name, doc, updated_at) VALUES(?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
		name, string(body), unixNano(now))
	return err
}

// readDoc returns the document stored under name in table; an unknown name
// is an error wrapping ErrNotFound. table is one of this package's constants.
func readDoc[T any](ctx context.Context, db *DB, table, what, name string) (*T, error) {
	var body string
	err := db.r.QueryRowContext(ctx, "SELECT doc FROM "+table+" WHERE name = ?", name).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s %q: %w", what, name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %q: %w", what, name, err)
	}
	return decodeDoc[T](what, name, body)
}

// listDocs returns every document in table, by name.
func listDocs[T any](ctx context.Context, db *DB, table, what string) ([]T, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT name, doc FROM "+table+" ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var name, body string
		if err := rows.Scan(&name, &body); err != nil {
			return nil, fmt.Errorf("list %ss: %w", what, err)
		}
		v, err := decodeDoc[T](what, name, body)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %ss: %w", what, err)
	}
	return out, nil
}

// deleteDoc removes the document whose key column holds name in table and
// the secrets in home; an unknown name is an error wrapping ErrNotFound.
func (db *DB) deleteDoc(ctx context.Context, table, key, what, name string, home secretHome) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE "+key+" = ?", name)
		if err != nil {
			return fmt.Errorf("delete %s %q: %w", what, name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("delete %s %q: %w", what, name, ErrNotFound)
		}
		if err := home.deleteTx(ctx, tx); err != nil {
			return fmt.Errorf("delete the secrets of %s %q: %w", what, name, err)
		}
		return nil
	})
}
