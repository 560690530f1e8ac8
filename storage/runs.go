package storage

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	// SkipTests leaves out the one-step runs of a node's Test (trigger
	// "test"), which are not runs of the flow.
	SkipTests bool
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

// finishRunSQL writes what finishing changes in a run whose row holds its
// start snapshot (see sameStart).
const finishRunSQL = `UPDATE runs SET status = ?, outcome = ?, finished_at = ?, duration_ms = ?, error = ? WHERE id = ?`

// finishArgs are the finishRunSQL arguments for r.
func finishArgs(r *flow.Run) []any {
	return []any{string(r.Status), r.Outcome, unixNano(r.FinishedAt), r.DurationMs, r.Error, r.ID}
}

// sameStart reports whether two snapshots of a run differ at most in the
// fields finishRunSQL writes.
func sameStart(a, b *flow.Run) bool {
	return a.ID == b.ID && a.FlowID == b.FlowID && a.FlowName == b.FlowName && a.FlowVersion == b.FlowVersion &&
		a.Trigger == b.Trigger && bytes.Equal(a.Input, b.Input) && a.Env == b.Env &&
		a.StartedAt.Equal(b.StartedAt) && a.ParentRunID == b.ParentRunID
}

// placeholderRunSQL creates a run row for steps whose RunStarted was never
// seen (a recorder attached mid-run), so the steps are kept.
const placeholderRunSQL = `INSERT OR IGNORE INTO runs(id, status, started_at) VALUES(?, 'running', ?)`

// insertStepBatchSQL writes the steps one commit holds for one run. A batch
// written again (the same run and first step) replaces the earlier one.
const insertStepBatchSQL = `INSERT INTO step_batches(run_id, first_seq, last_seq, steps) VALUES(?, ?, ?, ?)
	ON CONFLICT(run_id, first_seq) DO UPDATE SET last_seq = excluded.last_seq, steps = excluded.steps`

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

// maxKeptBatchBuffer is the largest JSON buffer a stepBatch keeps between
// batches; common batches need some tens of kilobytes.
const maxKeptBatchBuffer = 4 << 20

// stepBatch encodes the steps of one run that one commit writes, reusing its
// buffer from one batch to the next: the recorder's writer keeps one. The
// zero value is ready to use; it is not safe for concurrent use.
type stepBatch struct {
	buf  []byte
	args [4]any
}

// of returns the insertStepBatchSQL arguments for steps, which must be
// non-empty and of run runID. They are valid until the next call: the JSON
// points into the reused buffer, which the driver copies when it binds it.
// A step whose return value cannot be encoded fails the whole batch, with an
// error naming the step.
func (a *stepBatch) of(runID string, steps []*flow.Step) ([]any, error) {
	if cap(a.buf) > maxKeptBatchBuffer {
		a.buf = nil // one huge batch should not pin its buffer for good
	}
	b := append(a.buf[:0], '[')
	first, last := steps[0].Seq, steps[0].Seq
	for i, s := range steps {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendStep(b, s); err != nil {
			a.buf = b
			return nil, fmt.Errorf("step %d (node %q): encode its return value: %w", s.Seq, s.Node, err)
		}
		first, last = min(first, s.Seq), max(last, s.Seq)
	}
	b = append(b, ']')
	a.buf = b
	// Integers go in as int64, the driver's own type, which database/sql
	// passes through instead of converting by reflection.
	a.args = [...]any{runID, int64(first), int64(last), bufString(b)}
	return a.args[:], nil
}

// bufString returns the bytes of b as a string without copying them, for
// arguments bound to a statement before b is written again. The sqlite
// driver copies a string into its own memory when it binds it (bindText),
// and database/sql keeps no argument past the call, so the string is never
// read after b changes. The JSON is bound as a string, not []byte, to stay
// TEXT: SQLite's json functions would take a BLOB for JSONB.
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

// storedStep is how a step is stored inside a step batch: flow.Step without
// its run ID, its start time in Unix nanoseconds, and empty fields left out.
// appendStep writes it without reflection; TestAppendStep holds the two to
// the same bytes, and TestStoredStepFields fails when flow.Step gains a
// field that is not stored.
type storedStep struct {
	Seq         int             `json:"seq"`
	Node        string          `json:"node"`
	Kind        flow.NodeKind   `json:"kind,omitempty"`
	Title       string          `json:"title,omitempty"`
	Status      flow.Status     `json:"status"`
	Port        string          `json:"port,omitempty"`
	HTTPStatus  int             `json:"httpStatus,omitempty"`
	ReturnValue any             `json:"returnValue,omitempty"`
	Decision    string          `json:"decision,omitempty"`
	Attempts    int             `json:"attempts,omitempty"`
	StartedAt   int64           `json:"startedAt,omitempty"`
	DurationMs  int64           `json:"durationMs,omitempty"`
	PausedMs    int64           `json:"pausedMs,omitempty"`
	Error       string          `json:"error,omitempty"`
	Exchanges   []flow.Exchange `json:"exchanges,omitempty"`
}

// toStored is s as it is stored.
func toStored(s *flow.Step) storedStep {
	return storedStep{Seq: s.Seq, Node: s.Node, Kind: s.Kind, Title: s.Title, Status: s.Status, Port: s.Port,
		HTTPStatus: s.HTTPStatus, ReturnValue: s.ReturnValue, Decision: s.Decision, Attempts: s.Attempts,
		StartedAt: unixNano(s.StartedAt), DurationMs: s.DurationMs, PausedMs: s.PausedMs, Error: s.Error, Exchanges: s.Exchanges}
}

// step is the flow.Step of run runID that st stores.
func (st *storedStep) step(runID string) flow.Step {
	return flow.Step{RunID: runID, Seq: st.Seq, Node: st.Node, Kind: st.Kind, Title: st.Title, Status: st.Status,
		Port: st.Port, HTTPStatus: st.HTTPStatus, ReturnValue: st.ReturnValue, Decision: st.Decision,
		Attempts: st.Attempts, StartedAt: fromUnixNano(st.StartedAt), DurationMs: st.DurationMs, PausedMs: st.PausedMs, Error: st.Error,
		Exchanges: st.Exchanges}
}

// readSteps reads the step batches of run runID in order. Should one step
// have been stored twice, the batch written for the later first step wins.
func readSteps(ctx context.Context, tx *sql.Tx, runID string) ([]flow.Step, error) {
	rows, err := tx.QueryContext(ctx, "SELECT first_seq, steps FROM step_batches WHERE run_id = ? ORDER BY first_seq", runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var steps []flow.Step
	for rows.Next() {
		var first int
		var raw sql.RawBytes
		if err := rows.Scan(&first, &raw); err != nil {
			return nil, err
		}
		var batch []storedStep // fresh: decoding into old elements would keep their fields
		if err := json.Unmarshal(raw, &batch); err != nil {
			return nil, fmt.Errorf("the steps stored from step %d cannot be read: %w", first, err)
		}
		for i := range batch {
			steps = append(steps, batch[i].step(runID))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Batches come in seq order and do not overlap; a stable sort keeps a
	// step stored twice in write order, and only its last copy is kept.
	if !slices.IsSortedFunc(steps, func(a, b flow.Step) int { return cmp.Compare(a.Seq, b.Seq) }) {
		slices.SortStableFunc(steps, func(a, b flow.Step) int { return cmp.Compare(a.Seq, b.Seq) })
	}
	out := steps[:0]
	for i := range steps {
		if i+1 < len(steps) && steps[i+1].Seq == steps[i].Seq {
			continue
		}
		out = append(out, steps[i])
	}
	return out, nil
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
	if q.SkipTests {
		conds = append(conds, "trigger_info <> 'test'")
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
		steps, err = readSteps(ctx, tx, id)
		return err
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
// go by cascade, and the branch coverage of the flow versions they ran is
// recounted from the runs left.
func deleteRunsTx(ctx context.Context, tx *sql.Tx, ids []any) (int, error) {
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
	versions, err := versionsOfRunsTx(ctx, tx, in, ids)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM events WHERE run_id IN "+in, ids...); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM runs WHERE id IN "+in, ids...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(n), recountCoverageTx(ctx, tx, versions)
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
