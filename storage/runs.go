package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"github.com/flowbench/flowbench/flow"
)

// Run history paging limits: a page is small enough to render at once, and
// ListRuns never loads more than maxRunPage rows whatever the caller asks.
const (
	defaultRunPage = 50
	maxRunPage     = 1000
	// deleteBatch bounds one DeleteRunsBefore transaction, so a recorder
	// sharing the writer waits for a short transaction, not the whole purge.
	deleteBatch = 500
)

// RunQuery selects runs for ListRuns and CountRuns. Zero fields select all.
type RunQuery struct {
	// FlowID keeps only runs of that flow.
	FlowID string
	// Status keeps only runs in that state.
	Status flow.Status
	// Before continues a listing after the cursor ListRuns returned.
	Before *RunCursor
	// Limit is the page size: 50 when zero, at most 1000.
	Limit int
}

// RunCursor marks where a page of ListRuns ended: the next page holds the
// runs strictly older than (StartedAt, ID).
type RunCursor struct {
	StartedAt time.Time
	ID        string
}

// runColumns are the runs columns in the order scanRun reads them.
const runColumns = "id, flow_id, flow_name, flow_version, status, outcome, trigger_info, input, env, started_at, finished_at, duration_ms, error, parent_run_id"

// upsertRunSQL writes a whole run snapshot; a snapshot arriving for a run
// already stored (RunFinished after RunStarted) replaces its fields in place,
// never deleting the row (which would cascade to its steps).
const upsertRunSQL = `INSERT INTO runs(` + runColumns + `) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT(id) DO UPDATE SET flow_id = excluded.flow_id, flow_name = excluded.flow_name,
		flow_version = excluded.flow_version, status = excluded.status, outcome = excluded.outcome,
		trigger_info = excluded.trigger_info, input = excluded.input, env = excluded.env,
		started_at = excluded.started_at, finished_at = excluded.finished_at,
		duration_ms = excluded.duration_ms, error = excluded.error, parent_run_id = excluded.parent_run_id`

// placeholderRunSQL creates a run row for steps whose RunStarted was never
// seen (a recorder attached mid-run), so the steps are kept.
const placeholderRunSQL = `INSERT OR IGNORE INTO runs(id, status, started_at) VALUES(?, 'running', ?)`

// stepColumns are the steps columns in the order scanStep reads them.
const stepColumns = "run_id, seq, node, kind, title, status, port, http_status, return_value, decision, attempts, started_at, duration_ms, error, exchanges"

// upsertStepSQL writes a whole step snapshot.
const upsertStepSQL = `INSERT INTO steps(` + stepColumns + `) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT(run_id, seq) DO UPDATE SET node = excluded.node, kind = excluded.kind, title = excluded.title,
		status = excluded.status, port = excluded.port, http_status = excluded.http_status,
		return_value = excluded.return_value, decision = excluded.decision, attempts = excluded.attempts,
		started_at = excluded.started_at, duration_ms = excluded.duration_ms, error = excluded.error,
		exchanges = excluded.exchanges`

// insertEventSQL logs one raised event.
const insertEventSQL = `INSERT INTO events(name, payload, run_id, node, at) VALUES(?, ?, ?, ?, ?)`

// rawOrNil stores empty JSON as NULL.
func rawOrNil(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// runArgs are the upsertRunSQL arguments for r.
func runArgs(r *flow.Run) []any {
	return []any{r.ID, r.FlowID, r.FlowName, r.FlowVersion, string(r.Status), r.Outcome, r.Trigger,
		rawOrNil(r.Input), r.Env, unixNano(r.StartedAt), unixNano(r.FinishedAt), r.DurationMs, r.Error, r.ParentRunID}
}

// maxKeptArgsBuffer is the largest JSON buffer a stepArgs keeps between
// steps; common steps need a few kilobytes.
const maxKeptArgsBuffer = 1 << 20

// stepArgs builds upsertStepSQL arguments, reusing its buffers from one
// step to the next: the recorder's writer keeps one. The zero value is ready
// to use; it is not safe for concurrent use.
type stepArgs struct {
	buf  []byte
	args [15]any
}

// of returns the upsertStepSQL arguments for s of run runID. They are valid
// until the next call: the JSON columns point into the reused buffer, which
// the driver copies when it binds them.
func (a *stepArgs) of(runID string, s *flow.Step) ([]any, error) {
	if cap(a.buf) > maxKeptArgsBuffer {
		a.buf = nil // one huge step should not pin its buffer for good
	}
	b := a.buf[:0]
	var err error
	if s.ReturnValue != nil {
		if b, err = appendValue(b, s.ReturnValue, 0); err != nil {
			return nil, fmt.Errorf("step %d (node %q): encode its return value: %w", s.Seq, s.Node, err)
		}
	}
	rvEnd := len(b)
	if len(s.Exchanges) > 0 {
		b = appendExchanges(b, s.Exchanges)
	}
	a.buf = b
	var rv, ex any
	if s.ReturnValue != nil {
		rv = bufString(b[:rvEnd])
	}
	if len(s.Exchanges) > 0 {
		ex = bufString(b[rvEnd:])
	}
	// Integers go in as int64, the driver's own type, which database/sql
	// passes through instead of converting by reflection.
	a.args = [...]any{runID, int64(s.Seq), s.Node, string(s.Kind), s.Title, string(s.Status), s.Port, int64(s.HTTPStatus), rv,
		s.Decision, int64(s.Attempts), unixNano(s.StartedAt), s.DurationMs, s.Error, ex}
	return a.args[:], nil
}

// bufString returns the bytes of b as a string without copying them, for
// arguments bound to a statement before b is written again. The sqlite
// driver copies a string into its own memory when it binds it (bindText),
// and database/sql keeps no argument past the call, so the string is never
// read after b changes. The JSON columns are bound as strings, not []byte,
// to stay TEXT: a BLOB would read the same through scanStep but is JSONB
// to SQLite's json functions.
func bufString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// eventArgs are the insertEventSQL arguments for e, raised in run runID.
func eventArgs(runID string, e *flow.RaisedEvent) []any {
	if e.RunID != "" {
		runID = e.RunID
	}
	return []any{e.Name, rawOrNil(e.Payload), runID, e.Node, unixNano(e.At)}
}

type scanner interface{ Scan(dest ...any) error }

func scanRun(s scanner) (flow.Run, error) {
	var r flow.Run
	var status string
	var input []byte
	var started, finished int64
	err := s.Scan(&r.ID, &r.FlowID, &r.FlowName, &r.FlowVersion, &status, &r.Outcome, &r.Trigger, &input,
		&r.Env, &started, &finished, &r.DurationMs, &r.Error, &r.ParentRunID)
	if err != nil {
		return r, err
	}
	r.Status = flow.Status(status)
	if len(input) > 0 {
		r.Input = json.RawMessage(input)
	}
	r.StartedAt, r.FinishedAt = fromUnixNano(started), fromUnixNano(finished)
	return r, nil
}

func scanStep(s scanner) (flow.Step, error) {
	var st flow.Step
	var kind, status string
	var rv, ex sql.NullString
	var started int64
	err := s.Scan(&st.RunID, &st.Seq, &st.Node, &kind, &st.Title, &status, &st.Port, &st.HTTPStatus, &rv,
		&st.Decision, &st.Attempts, &started, &st.DurationMs, &st.Error, &ex)
	if err != nil {
		return st, err
	}
	st.Kind, st.Status, st.StartedAt = flow.NodeKind(kind), flow.Status(status), fromUnixNano(started)
	if rv.Valid {
		if err := json.Unmarshal([]byte(rv.String), &st.ReturnValue); err != nil {
			return st, fmt.Errorf("step %d: stored return value cannot be read: %w", st.Seq, err)
		}
	}
	if ex.Valid {
		if err := json.Unmarshal([]byte(ex.String), &st.Exchanges); err != nil {
			return st, fmt.Errorf("step %d: stored exchanges cannot be read: %w", st.Seq, err)
		}
	}
	return st, nil
}

// runFilter builds the WHERE clause shared by ListRuns and CountRuns. The
// cursor is a row-value comparison, which SQLite answers with a range scan of
// the (…, started_at, id) indexes rather than by skipping rows.
func runFilter(q RunQuery) (string, []any) {
	var conds []string
	var args []any
	if q.FlowID != "" {
		conds = append(conds, "flow_id = ?")
		args = append(args, q.FlowID)
	}
	if q.Status != "" {
		conds = append(conds, "status = ?")
		args = append(args, string(q.Status))
	}
	if q.Before != nil {
		conds = append(conds, "(started_at, id) < (?, ?)")
		args = append(args, unixNano(q.Before.StartedAt), q.Before.ID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// listRunsSQL is the ListRuns query for q, fetching one row past the page to
// learn whether another page follows.
func listRunsSQL(q RunQuery) (string, []any, int) {
	limit := q.Limit
	if limit <= 0 {
		limit = defaultRunPage
	}
	limit = min(limit, maxRunPage)
	where, args := runFilter(q)
	return "SELECT " + runColumns + " FROM runs" + where + " ORDER BY started_at DESC, id DESC LIMIT ?",
		append(args, limit+1), limit
}

// ListRuns returns one page of runs, newest first, and the cursor of the
// next page (nil after the last page). Paging is by key, so the cost of a
// page does not grow with the number of runs before it.
func (db *DB) ListRuns(ctx context.Context, q RunQuery) ([]flow.Run, *RunCursor, error) {
	query, args, limit := listRunsSQL(q)
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	runs := make([]flow.Run, 0, min(limit, 64))
	more := false
	for rows.Next() {
		if len(runs) == limit {
			more = true
			break
		}
		r, err := scanRun(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("list runs: %w", err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list runs: %w", err)
	}
	var next *RunCursor
	if more {
		last := runs[len(runs)-1]
		next = &RunCursor{StartedAt: last.StartedAt, ID: last.ID}
	}
	return runs, next, nil
}

// CountRuns counts the runs q selects (its Limit is ignored).
func (db *DB) CountRuns(ctx context.Context, q RunQuery) (int, error) {
	where, args := runFilter(q)
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM runs"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count runs: %w", err)
	}
	return n, nil
}

// Run returns a run and its steps in order, exchanges included, read as one
// snapshot. An unknown run is an error wrapping ErrNotFound.
func (db *DB) Run(ctx context.Context, id string) (*flow.Run, []flow.Step, error) {
	var run flow.Run
	var steps []flow.Step
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		run, err = scanRun(tx.QueryRowContext(ctx, "SELECT "+runColumns+" FROM runs WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+stepColumns+" FROM steps WHERE run_id = ? ORDER BY seq", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			st, err := scanStep(rows)
			if err != nil {
				return err
			}
			steps = append(steps, st)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("run %q: %w", id, err)
	}
	return &run, steps, nil
}

// DeleteRun removes a run with its steps and the events it raised. An
// unknown run is an error wrapping ErrNotFound.
func (db *DB) DeleteRun(ctx context.Context, id string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		n, err := deleteRunsTx(ctx, tx, []any{id})
		if err != nil {
			return fmt.Errorf("delete run %q: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("delete run %q: %w", id, ErrNotFound)
		}
		return nil
	})
}

// deleteRunsTx deletes the runs with the given ids and their events; steps
// go by cascade.
func deleteRunsTx(ctx context.Context, tx *sql.Tx, ids []any) (int, error) {
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
	if _, err := tx.ExecContext(ctx, "DELETE FROM events WHERE run_id IN "+in, ids...); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM runs WHERE id IN "+in, ids...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteRunsBefore removes every run that started before t, with its steps
// and events, and returns how many runs went. It works in short
// transactions, so recording continues while a large history is purged.
func (db *DB) DeleteRunsBefore(ctx context.Context, t time.Time) (int, error) {
	total := 0
	for {
		var n int
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, "SELECT id FROM runs WHERE started_at < ? ORDER BY started_at LIMIT ?", unixNano(t), deleteBatch)
			if err != nil {
				return err
			}
			var ids []any
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(ids) == 0 {
				return nil
			}
			n, err = deleteRunsTx(ctx, tx, ids)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("delete runs started before %s: %w", t.Format(time.RFC3339), err)
		}
		total += n
		if n < deleteBatch {
			return total, nil
		}
	}
}

// Events returns the most recently raised events, newest first: at most
// limit of them (100 when limit is not positive).
func (db *DB) Events(ctx context.Context, limit int) ([]flow.RaisedEvent, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, "SELECT name, payload, run_id, node, at FROM events ORDER BY at DESC, id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []flow.RaisedEvent
	for rows.Next() {
		var e flow.RaisedEvent
		var payload []byte
		var at int64
		if err := rows.Scan(&e.Name, &payload, &e.RunID, &e.Node, &at); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		if len(payload) > 0 {
			e.Payload = json.RawMessage(payload)
		}
		e.At = fromUnixNano(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
