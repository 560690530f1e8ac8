package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/flowbench/flowbench/flow"
)

// SaveMock stores m, replacing a stored mock of the same name. The mock is
// validated first (flow.ValidateMocks; errors refuse it, as a flow.Problems).
// Literal secret values of its auth are sealed at once under
// "mock/<name>/<field>" and replaced by references, so the stored JSON never
// holds a value; secrets sealed for fields that no longer use them are
// deleted. The caller's m is not modified.
func (db *DB) SaveMock(ctx context.Context, m flow.Mock) error {
	var problems flow.Problems
	for _, p := range flow.ValidateMocks([]flow.Mock{m}) {
		if p.Severity == flow.SeverityError {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("save mock %q: %w", m.Name, problems)
	}
	var secrets []docSecret
	if m.Auth != nil {
		a := *m.Auth
		ownRefs(&a)
		m.Auth = &a
		secrets = authSecrets(a.Secrets())
	}
	return db.saveDoc(ctx, "mocks", "mock", m.Name, mockHome(m.Name), secrets, &m)
}

// Mock returns the stored mock with that name, its secret fields as
// references; an unknown name is an error wrapping ErrNotFound.
func (db *DB) Mock(ctx context.Context, name string) (*flow.Mock, error) {
	return readDoc[flow.Mock](ctx, db, "mocks", "mock", name)
}

// ListMocks returns every stored mock, by name, ready for the mock server's
// SetMocks or an export with flow.EncodeMocks.
func (db *DB) ListMocks(ctx context.Context) ([]flow.Mock, error) {
	return listDocs[flow.Mock](ctx, db, "mocks", "mock")
}

// DeleteMock removes the named mock and the secrets sealed for it
// ("mock/<name>/..."). Connections that name it are left as they are. An
// unknown name is an error wrapping ErrNotFound. The requests it received
// stay in the history.
func (db *DB) DeleteMock(ctx context.Context, name string) error {
	return db.deleteDoc(ctx, "mocks", "name", "mock", name, mockHome(name))
}

// RecordReceived keeps one received request in the history. The record is
// stored as given: the mock server has already redacted its credentials.
// Its ID is replaced by the history's own (servers number from 1 each time
// they start), returned here.
func (db *DB) RecordReceived(ctx context.Context, r flow.ReceivedRequest) (int64, error) {
	var id int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		r.ID = 0
		body, err := json.Marshal(&r)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO received_requests(at, mock, method, path, status, doc) VALUES(?, ?, ?, ?, ?, ?)`,
			unixNano(r.Time), r.Mock, r.Method, r.Path, r.Status, string(body))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("record the request %s %s: %w", r.Method, r.Path, err)
	}
	return id, nil
}

// ListReceived returns the newest received requests first, at most limit of
// them (limit <= 0 means 100), each with its history ID.
func (db *DB) ListReceived(ctx context.Context, limit int) ([]flow.ReceivedRequest, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, "SELECT id, doc FROM received_requests ORDER BY at DESC, id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("list received requests: %w", err)
	}
	defer rows.Close()
	var out []flow.ReceivedRequest
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, fmt.Errorf("list received requests: %w", err)
		}
		var r flow.ReceivedRequest
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, fmt.Errorf("received request %d cannot be read: %w", id, err)
		}
		r.ID = id
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list received requests: %w", err)
	}
	return out, nil
}

// PruneReceived deletes all but the newest keep received requests, so the
// history stays bounded; it returns how many were deleted.
func (db *DB) PruneReceived(ctx context.Context, keep int) (int64, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM received_requests WHERE id NOT IN
			(SELECT id FROM received_requests ORDER BY at DESC, id DESC LIMIT ?)`, max(keep, 0))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune received requests: %w", err)
	}
	return n, nil
}
