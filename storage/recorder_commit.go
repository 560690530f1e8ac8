package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// commitMemory is how long a commit nobody has waited for yet is remembered
// (at least; at most twice as long): a waiter asks right after its run
// returns, so a minute is ample, and runs nobody waits for (event-bus runs)
// are forgotten.
const commitMemory = time.Minute

// DefaultCommitPatience is how long CommitWaiter.Wait waits for a run's
// commit to be announced before it flushes the recorder and reads the
// database to decide.
const DefaultCommitPatience = 2 * time.Second

// commitGather is how long a finished run's final record may wait for the
// runs finishing after it, so that they share one commit, while other runs
// are in flight. A run finishing alone is committed at once.
const commitGather = 2 * time.Millisecond

// CommitWaiter lets a caller wait until one run's records are committed, so
// that an answer naming the run (a webhook's 200) is never sent before the
// run is durable. It wraps a Recorder as the runner's observer: a run's
// final record makes the recorder write within a couple of milliseconds
// instead of letting the batch fill (at once when no other run is in
// flight), so the runs finishing together share one commit (group commit).
// It is also the webhook server's store of delivery ids (engine's
// WebhookIDStore): an id announced with ExpectWebhook is written with its
// run's final record, in the same transaction.
//
// Create it with NewCommitWaiter, pass its Committed method as the
// recorder's RecorderOptions.OnCommit, then Attach the recorder.
type CommitWaiter struct {
	rec      *Recorder
	db       *DB
	patience time.Duration
	gather   time.Duration

	mu       sync.Mutex
	waiters  map[string]chan struct{}
	cur, old map[string]struct{} // committed, not yet waited for
	rotated  time.Time
	active   int                   // runs started and not finished
	expect   map[string]webhookRow // by run: the delivery it answers
}

// NewCommitWaiter returns a waiter; patience is how long Wait trusts the
// commit announcement before checking the database (0 means
// DefaultCommitPatience).
func NewCommitWaiter(patience time.Duration) *CommitWaiter {
	if patience <= 0 {
		patience = DefaultCommitPatience
	}
	return &CommitWaiter{
		patience: patience,
		gather:   commitGather,
		waiters:  map[string]chan struct{}{},
		expect:   map[string]webhookRow{},
		cur:      map[string]struct{}{},
		old:      map[string]struct{}{},
		rotated:  time.Now(),
	}
}

// Attach sets the recorder whose commits are announced to c (the one built
// with OnCommit: c.Committed).
func (c *CommitWaiter) Attach(r *Recorder) {
	c.mu.Lock()
	c.rec, c.db = r, r.db
	c.mu.Unlock()
}

// Observe passes ev to the recorder; a run's final record carries the
// delivery id expected with it, and asks the writer to commit soon (nudge).
func (c *CommitWaiter) Observe(ev flow.RunEvent) {
	rec, ok := recordOf(ev)
	if !ok {
		return
	}
	switch rec.kind {
	case recRun:
		c.mu.Lock()
		c.active++
		c.mu.Unlock()
	case recRunFinished:
		c.mu.Lock()
		c.active = max(c.active-1, 0)
		if row, ok := c.expect[rec.runID]; ok {
			rec.hook = &row
			delete(c.expect, rec.runID)
		}
		c.mu.Unlock()
	}
	c.rec.queue(rec)
	if rec.kind == recRunFinished {
		c.nudge()
	}
}

// nudge asks the writer to commit what is queued: at once when no run is in
// flight (none could join the commit), else within the gather time, so the
// runs finishing meanwhile share the commit instead of forcing one each.
func (c *CommitWaiter) nudge() {
	c.mu.Lock()
	busy := c.active > 0
	c.mu.Unlock()
	if !busy || c.gather <= 0 {
		c.rec.hurry()
		return
	}
	c.rec.hurryBy(time.Now().Add(c.gather))
}

// ExpectWebhook announces that the run runID, about to start, answers the
// signed delivery id on path: its id is remembered, until expires, in the
// transaction that commits the run's final record, with the run's final
// status, so Wait covers both and the id is kept exactly when the run is.
// Call forget when the run does not start after all.
func (c *CommitWaiter) ExpectWebhook(path, id, runID string, now, expires time.Time) (forget func()) {
	c.mu.Lock()
	c.expect[runID] = webhookRow{path: path, id: id, now: now, expires: expires}
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		delete(c.expect, runID)
		c.mu.Unlock()
	}
}

// SeenWebhook is DB.SeenWebhook of the attached recorder's database.
func (c *CommitWaiter) SeenWebhook(ctx context.Context, path, id string, now time.Time) (runID, status string, found bool, err error) {
	return c.db.SeenWebhook(ctx, path, id, now)
}

// RememberWebhook is DB.RememberWebhook of the attached recorder's
// database, for a delivery not announced with ExpectWebhook.
func (c *CommitWaiter) RememberWebhook(ctx context.Context, path, id, runID, status string, now, expires time.Time) error {
	return c.db.RememberWebhook(ctx, path, id, runID, status, now, expires)
}

// Wants reports the kinds the recorder writes.
func (c *CommitWaiter) Wants(kind flow.EventKind) bool { return c.rec.Wants(kind) }

// Committed is the recorder's OnCommit: runID's final record is committed.
func (c *CommitWaiter) Committed(runID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.waiters[runID]; ok {
		close(ch)
		delete(c.waiters, runID)
		return
	}
	if time.Since(c.rotated) > commitMemory {
		c.old, c.cur = c.cur, map[string]struct{}{}
		c.rotated = time.Now()
	}
	c.cur[runID] = struct{}{}
}

// ErrRunNotCommitted is wrapped by Wait when a run's records could not be
// committed.
var ErrRunNotCommitted = errors.New("the run's record was not committed")

// Wait returns nil once runID's final record is committed. When no commit is
// announced within the patience, it flushes the recorder and reads the run's
// row: a finished run there is committed; otherwise the error wraps
// ErrRunNotCommitted and names the run and the write error, if one is known.
func (c *CommitWaiter) Wait(ctx context.Context, runID string) error {
	c.mu.Lock()
	if _, ok := c.cur[runID]; ok {
		delete(c.cur, runID)
		c.mu.Unlock()
		return nil
	}
	if _, ok := c.old[runID]; ok {
		delete(c.old, runID)
		c.mu.Unlock()
		return nil
	}
	ch, ok := c.waiters[runID]
	if !ok {
		ch = make(chan struct{})
		c.waiters[runID] = ch
	}
	rec := c.rec
	c.mu.Unlock()
	// The final record may already sit in the queue: write it soon.
	c.nudge()
	t := time.NewTimer(c.patience)
	defer t.Stop()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		c.forget(runID, ch)
		return fmt.Errorf("run %s: %w: %v", runID, ErrRunNotCommitted, ctx.Err())
	case <-t.C:
	}
	flushErr := rec.Flush(ctx)
	c.forget(runID, ch)
	select {
	case <-ch:
		return nil
	default:
	}
	finished, err := c.db.runFinished(ctx, runID)
	if err == nil && finished {
		return nil
	}
	if err == nil {
		err = flushErr
	}
	if err == nil {
		err = errors.New("it is missing or still marked running")
	}
	return fmt.Errorf("run %s: %w: %v", runID, ErrRunNotCommitted, err)
}

func (c *CommitWaiter) forget(runID string, ch chan struct{}) {
	c.mu.Lock()
	if c.waiters[runID] == ch {
		delete(c.waiters, runID)
	}
	c.mu.Unlock()
}

// hurry asks the writer to commit what is queued without waiting for the
// batch to fill.
func (r *Recorder) hurry() {
	r.mu.Lock()
	if len(r.pending) > 0 {
		r.urgent = true
	}
	r.mu.Unlock()
	r.signal()
}

// hurryBy asks the writer to commit what is queued by at, at the latest.
func (r *Recorder) hurryBy(at time.Time) {
	r.mu.Lock()
	wake := len(r.pending) > 0 && (r.due.IsZero() || at.Before(r.due))
	if wake {
		r.due = at
	}
	r.mu.Unlock()
	if wake {
		r.signal()
	}
}

// runFinished reports whether the run's row exists with a final status.
func (db *DB) runFinished(ctx context.Context, id string) (bool, error) {
	var status string
	err := db.r.QueryRowContext(ctx, `SELECT status FROM runs WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return status != string(flow.StatusRunning), nil
}
