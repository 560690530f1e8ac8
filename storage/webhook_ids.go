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
// migration 0005's webhook_ids table).
type webhookSweep struct {
	mu    sync.Mutex
	swept time.Time
}

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
	err = db.r.QueryRowContext(ctx,
		`SELECT run_id, status FROM webhook_ids WHERE path = ? AND webhook_id = ? AND expires_at >= ?`,
		path, id, unixNano(now)).Scan(&runID, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("look up webhook-id %q of %s: %w", id, path, err)
	}
	return runID, status, true, nil
}

// RememberWebhook records that the delivery id on path started runID, until
// expires, and (at most once a minute) forgets the rows that expired before
// now. A first record wins: remembering an id again keeps the first run.
func (db *DB) RememberWebhook(ctx context.Context, path, id, runID, status string, now, expires time.Time) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remember webhook-id %q of %s: %w", id, path, err)
	}
	defer tx.Rollback()
	if db.webhooks.due(now) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_ids WHERE expires_at < ?`, unixNano(now)); err != nil {
			return fmt.Errorf("remember webhook-id %q of %s: %w", id, path, err)
		}
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO webhook_ids(path, webhook_id, run_id, status, expires_at) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT(path, webhook_id) DO NOTHING`,
		path, id, runID, status, unixNano(expires)); err != nil {
		return fmt.Errorf("remember webhook-id %q of %s: %w", id, path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("remember webhook-id %q of %s: %w", id, path, err)
	}
	return nil
}
