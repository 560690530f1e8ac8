package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/flowbench/flowbench/flow"
	"github.com/google/uuid"
)

// FlowSummary describes a stored flow's latest version, for lists.
type FlowSummary struct {
	ID, Name, Description string
	Version               int
	UpdatedAt             time.Time
}

// FlowVersion describes one saved version of a flow.
type FlowVersion struct {
	Version int
	SavedAt time.Time
	Name    string
}

// SaveFlow stores f as a new version of its flow and returns the version
// number, which it also sets in f.Version. An empty f.ID is assigned a new
// UUID (set in f.ID); an ID not yet stored starts a new flow under that ID.
// Literal secrets in the flow (a webhook trigger's secret, a call's signing
// secret) are sealed at once under "flow/<id>/<node>/<field>" and replaced in
// f by a reference, so the stored document never holds a value.
func (db *DB) SaveFlow(ctx context.Context, f *flow.Flow) (int, error) {
	if f == nil {
		return 0, errors.New("save flow: no flow given")
	}
	if f.ID == "" {
		f.ID = uuid.NewString()
	}
	now := db.now()
	var version int
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := db.sealFlowSecrets(ctx, tx, f); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM flow_versions WHERE flow_id = ?", f.ID).Scan(&version); err != nil {
			return err
		}
		doc := *f
		doc.Version = version
		if doc.Format == "" {
			doc.Format = flow.Format
		}
		body, err := json.Marshal(&doc)
		if err != nil {
			return fmt.Errorf("encode flow %q: %w", f.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO flows(id, name, description, version, created_at, updated_at)
			VALUES(?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description,
				version = excluded.version, updated_at = excluded.updated_at`,
			f.ID, f.Name, f.Description, version, unixNano(now), unixNano(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO flow_versions(flow_id, version, name, saved_at, doc) VALUES(?, ?, ?, ?, ?)",
			f.ID, version, f.Name, unixNano(now), string(body)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM flow_connections WHERE flow_id = ?", f.ID); err != nil {
			return err
		}
		for _, name := range connectionsOf(f) {
			if _, err := tx.ExecContext(ctx, "INSERT INTO flow_connections(connection, flow_id) VALUES(?, ?)", name, f.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save flow %q: %w", f.Name, err)
	}
	f.Version = version
	return version, nil
}

// sealFlowSecrets moves the literal secrets of f into the sealed store,
// under "flow/<id>/<node>/<field>". Stale ones are kept: the flow's older
// versions may still refer to them.
func (db *DB) sealFlowSecrets(ctx context.Context, tx *sql.Tx, f *flow.Flow) error {
	var secrets []docSecret
	for i := range f.Nodes {
		n := &f.Nodes[i]
		for _, s := range flow.NodeSecrets(n) {
			secrets = append(secrets, docSecret{path: n.ID + "/" + s.Field, where: fmt.Sprintf("node %q, field %s", n.ID, s.Field), ref: s.Ref})
		}
	}
	return db.sealTx(ctx, tx, flowHome(f.ID), secrets, false)
}

// connectionsOf lists the connections f's call nodes use, sorted, once each.
func connectionsOf(f *flow.Flow) []string {
	seen := map[string]bool{}
	var names []string
	for _, n := range f.Nodes {
		if n.Call != nil && n.Call.Connection != "" && !seen[n.Call.Connection] {
			seen[n.Call.Connection] = true
			names = append(names, n.Call.Connection)
		}
	}
	sort.Strings(names)
	return names
}

// Flow returns the latest version of the flow with that ID, or an error
// wrapping ErrNotFound.
func (db *DB) Flow(ctx context.Context, id string) (*flow.Flow, error) {
	var body string
	err := db.r.QueryRowContext(ctx, `SELECT v.doc FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.version
		WHERE f.id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("flow %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read flow %q: %w", id, err)
	}
	return decodeFlowDoc(id, body)
}

// FlowVersionDoc returns one saved version of a flow (to show or restore it:
// saving it again appends it as the newest version).
func (db *DB) FlowVersionDoc(ctx context.Context, id string, version int) (*flow.Flow, error) {
	var body string
	err := db.r.QueryRowContext(ctx, "SELECT doc FROM flow_versions WHERE flow_id = ? AND version = ?", id, version).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("flow %q version %d: %w", id, version, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read flow %q version %d: %w", id, version, err)
	}
	return decodeFlowDoc(id, body)
}

func decodeFlowDoc(id, body string) (*flow.Flow, error) {
	f := new(flow.Flow)
	if err := json.Unmarshal([]byte(body), f); err != nil {
		return nil, fmt.Errorf("stored flow %q cannot be read: %w", id, err)
	}
	return f, nil
}

// FlowVersions lists the saved versions of a flow, newest first; an unknown
// flow is an error wrapping ErrNotFound.
func (db *DB) FlowVersions(ctx context.Context, id string) ([]FlowVersion, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT version, saved_at, name FROM flow_versions WHERE flow_id = ? ORDER BY version DESC", id)
	if err != nil {
		return nil, fmt.Errorf("list versions of flow %q: %w", id, err)
	}
	defer rows.Close()
	var vs []FlowVersion
	for rows.Next() {
		var v FlowVersion
		var at int64
		if err := rows.Scan(&v.Version, &at, &v.Name); err != nil {
			return nil, fmt.Errorf("list versions of flow %q: %w", id, err)
		}
		v.SavedAt = fromUnixNano(at)
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list versions of flow %q: %w", id, err)
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("flow %q: %w", id, ErrNotFound)
	}
	return vs, nil
}

// ListFlows summarises every stored flow, by name.
func (db *DB) ListFlows(ctx context.Context) ([]FlowSummary, error) {
	return db.flowSummaries(ctx, "SELECT id, name, description, version, updated_at FROM flows ORDER BY name COLLATE NOCASE, id")
}

// FlowsUsingConnection summarises the flows whose latest version calls the
// named connection, by name.
func (db *DB) FlowsUsingConnection(ctx context.Context, name string) ([]FlowSummary, error) {
	return db.flowSummaries(ctx, `SELECT f.id, f.name, f.description, f.version, f.updated_at
		FROM flow_connections c JOIN flows f ON f.id = c.flow_id
		WHERE c.connection = ? ORDER BY f.name COLLATE NOCASE, f.id`, name)
}

func (db *DB) flowSummaries(ctx context.Context, query string, args ...any) ([]FlowSummary, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list flows: %w", err)
	}
	defer rows.Close()
	var out []FlowSummary
	for rows.Next() {
		var s FlowSummary
		var at int64
		if err := rows.Scan(&s.ID, &s.Name, &s.Description, &s.Version, &at); err != nil {
			return nil, fmt.Errorf("list flows: %w", err)
		}
		s.UpdatedAt = fromUnixNano(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteFlow removes a flow with all its versions and the secrets sealed
// from it. Its past runs stay in the history. An unknown flow is an error
// wrapping ErrNotFound.
func (db *DB) DeleteFlow(ctx context.Context, id string) error {
	return db.deleteDoc(ctx, "flows", "id", "flow", id, flowHome(id))
}

// RunFlow is the flow document run ran: the version it ran when that is
// stored, else the flow's newest version; nil (no error) for a run of a
// flow file or of a flow deleted since.
func (db *DB) RunFlow(ctx context.Context, run *flow.Run) (*flow.Flow, error) {
	if run.FlowID == "" {
		return nil, nil
	}
	var f *flow.Flow
	var err error
	if run.FlowVersion > 0 {
		f, err = db.FlowVersionDoc(ctx, run.FlowID, run.FlowVersion)
	}
	if run.FlowVersion == 0 || errors.Is(err, ErrNotFound) {
		f, err = db.Flow(ctx, run.FlowID)
	}
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return f, err
}
