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

// CommitWaiter lets a caller wait until one run's records are committed, so
// that an answer naming the run (a webhook's 200) is never sent before the
// run is durable. It wraps a Recorder as the runner's observer: a run's
// final record makes the recorder write at once instead of letting the batch
// fill, and concurrent runs still share transactions (the single writer
// commits whatever is queued when it gets to it).
//
// Create it with NewCommitWaiter, pass its Committed method as the
// recorder's RecorderOptions.OnCommit, then Attach the recorder.
type CommitWaiter struct {
	rec      *Recorder
	db       *DB
	patience time.Duration

	mu       sync.Mutex
	waiters  map[string]chan struct{}
	cur, old map[string]struct{} // committed, not yet waited for
	rotated  time.Time
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
		waiters:  map[string]chan struct{}{},
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

// Observe passes ev to the recorder; a run's final record asks the writer
// to commit now.
func (c *CommitWaiter) Observe(ev flow.RunEvent) {
	c.rec.Observe(ev)
	if ev.Kind == flow.EventRunFinished {
		c.rec.hurry()
	}
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
	// The final record may already sit in the queue: write it now.
	rec.hurry()
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
