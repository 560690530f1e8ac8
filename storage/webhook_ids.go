package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// webhookSweep spaces the deletions of expired webhook-ids (the rows of
// migration 0005's webhook_ids table), and holds the look-up every signed
// delivery makes, prepared once.
type webhookSweep struct {
	mu    sync.Mutex
	swept time.Time

	prepare sync.Once
	seen    *sql.Stmt
	seenErr error
}

const seenWebhookSQL = `SELECT run_id, status FROM webhook_ids WHERE path = ? AND webhook_id = ? AND expires_at >= ?`

// webhookSweepEvery spaces the deletions of expired webhook-ids.
const webhookSweepEvery = time.Minute

// due reports whether expired rows should be deleted now.
func (e *webhookSweep) due(now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if now.Sub(e.swept) < webhookSweepEvery && !now.Before(e.swept) {
		return false
	}
	e.swept = now
	return true
}

// SeenWebhook looks up a webhook delivery already answered: the run the
// first delivery of id on path started, and that run's status. A row past
// its expiry is not found.
func (db *DB) SeenWebhook(ctx context.Context, path, id string, now time.Time) (runID, status string, found bool, err error) {
	db.webhooks.prepare.Do(func() {
		db.webhooks.seen, db.webhooks.seenErr = db.r.PrepareContext(context.WithoutCancel(ctx), seenWebhookSQL)
	})
	if db.webhooks.seenErr != nil {
		return "", "", false, fmt.Errorf("look up webhook-id %q of %s: %w", id, path, db.webhooks.seenErr)
	}
	err = db.webhooks.seen.QueryRowContext(ctx, path, id, unixNano(now)).Scan(&runID, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("look up webhook-id %q of %s: %w", id, path, err)
	}
	return runID, status, true, nil
}

// insertWebhookSQL remembers a delivery's id; a first record wins.
const insertWebhookSQL = `INSERT INTO webhook_ids(path, webhook_id, run_id, status, expires_at) VALUES (?, ?, ?, ?, ?)
	ON CONFLICT(path, webhook_id) DO NOTHING`

// sweepWebhooksSQL forgets the ids that expired before ?.
const sweepWebhooksSQL = `DELETE FROM webhook_ids WHERE expires_at < ?`

// webhookRow is a delivery's id to remember with its run.
type webhookRow struct {
	path, id     string
	now, expires time.Time
}

// rememberTx writes row for runID within tx, with insert when it is
// prepared (else insertWebhookSQL), and, at most once a minute, deletes the
// rows that expired before row.now. Callers name the id in errors.
func (db *DB) rememberTx(ctx context.Context, tx *sql.Tx, insert *sql.Stmt, row webhookRow, runID, status string) error {
	if db.webhooks.due(row.now) {
		if _, err := tx.ExecContext(ctx, sweepWebhooksSQL, unixNano(row.now)); err != nil {
			return err
		}
	}
	args := []any{row.path, row.id, runID, status, unixNano(row.expires)}
	var err error
	if insert != nil {
		_, err = tx.StmtContext(ctx, insert).ExecContext(ctx, args...)
	} else {
		_, err = tx.ExecContext(ctx, insertWebhookSQL, args...)
	}
	return err
}

// RememberWebhook records, in a transaction of its own, that the delivery
// id on path started runID, until expires, and (at most once a minute)
// forgets the rows that expired before now. A first record wins:
// remembering an id again keeps the first run. serve remembers ids with
// their runs' records instead (CommitWaiter.ExpectWebhook).
func (db *DB) RememberWebhook(ctx context.Context, path, id, runID, status string, now, expires time.Time) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		return db.rememberTx(ctx, tx, nil, webhookRow{path: path, id: id, now: now, expires: expires}, runID, status)
	})
	if err != nil {
		return fmt.Errorf("remember webhook-id %q of %s: %w", id, path, err)
	}
	return nil
}

// writeHooks remembers, within the recorder's transaction tx, the delivery
// each final record in recs answers, with the run's final status.
func (r *Recorder) writeHooks(ctx context.Context, tx *sql.Tx, recs []record) error {
	for _, rec := range recs {
		if rec.hook != nil {
			if err := r.db.rememberTx(ctx, tx, r.stmts.hook, *rec.hook, rec.runID, string(rec.run.Status)); err != nil {
				return fmt.Errorf("record run %q: remember webhook-id %q of %s: %w", rec.runID, rec.hook.id, rec.hook.path, err)
			}
		}
	}
	return nil
}
