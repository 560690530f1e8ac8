package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// Recorder defaults: a 100-step run fits one transaction, and a lone event
// waits at most a frame before it is committed.
const (
	defaultBatchSize     = 256
	defaultFlushInterval = 20 * time.Millisecond
	// maxPending bounds the queue: past it Observe waits for the writer, so a
	// stalled disk slows runs down instead of exhausting memory.
	maxPending = 64 << 10
)

// RecorderOptions tune a Recorder. The zero value is ready to use.
type RecorderOptions struct {
	// BatchSize is how many records one transaction takes at most; a batch
	// this full is written without waiting for FlushInterval. Zero means 256.
	BatchSize int
	// FlushInterval is how long records may wait for company before a
	// smaller batch is written. Zero means 20ms.
	FlushInterval time.Duration
	// OnCommit, when set, is called with a run's ID once its final record
	// (RunFinished), and so all its steps, is committed. It runs on the
	// recorder's writer goroutine: keep it short, and do not call Flush or
	// Close from it.
	OnCommit func(runID string)
}

// Recorder writes the runs it observes to the database: it satisfies the
// engine's Observer interface. Observe only queues; a writer goroutine
// commits the queue in batches, one transaction each, in the order events
// arrived, so a run is marked finished in the same transaction as its last
// steps or a later one, never before them.
//
// Only what the history needs is written: RunStarted and RunFinished store
// the run snapshot, StepFinished the whole step with its exchanges (already
// redacted by the engine), EventRaised an event row. Request, response and
// branch events are not written; the finished step holds them.
//
// A Recorder is safe for concurrent use; events of different runs may
// interleave. Close it (or the DB) to stop it.
type Recorder struct {
	db       *DB
	batch    int
	interval time.Duration
	onCommit func(string)

	mu       sync.Mutex
	space    *sync.Cond // signalled when the queue shrinks or closes
	pending  []record
	queued   uint64        // records ever queued
	written  uint64        // records the writer has finished with
	progress chan struct{} // closed and replaced whenever written grows
	urgent   bool          // a Flush or Close wants the queue written now
	due      time.Time     // a waiter wants the queue written by then (zero: none)
	closing  bool
	err      error
	lost     map[string]*LostRun // runs with a record that was not written
	lostIDs  []string            // lost's keys in the order first lost

	wake      chan struct{} // capacity 1: "look at the queue"
	done      chan struct{}
	closeOnce sync.Once

	// Owned by the writer goroutine.
	known   map[string]*flow.Run // runs whose row exists in this recorder's view: the snapshot it holds
	names   map[string]string    // flow names of the unfinished runs seen, to name lost runs
	stmts   recorderStmts
	buf     []record
	enc     stepBatch
	cov     coverageBatch           // the ports a transaction's steps took (coverage.go)
	held    map[string]bool         // runs whose row this recorder made a placeholder: their steps' ports are counted with their row
	wrote   map[string]*flow.Run    // the run snapshots a transaction wrote, by run
	byRun   map[string][]*flow.Step // a transaction's steps, by run
	runList []string                // byRun's keys in the order first seen
	owner   *owner                  // this recorder's run_owners row, made at its first write
	touched []string                // a transaction's unfinished run ids
}

// recordKind says which statement a record needs.
type recordKind uint8

const (
	recRun recordKind = iota + 1
	recRunFinished
	recStep
	recEvent
)

// record is one queued write: a snapshot the engine handed over (observers
// own what they receive, so no copy is needed).
type record struct {
	kind  recordKind
	runID string
	run   *flow.Run
	step  *flow.Step
	event *flow.RaisedEvent
	hook  *webhookRow // on a run's final record: the delivery it answers
}

// recorderStmts are prepared once on the writer connection.
type recorderStmts struct {
	run, finish, placeholder, steps, event, stamp, hook, coverage, newCoverage, runCoverage *sql.Stmt
}

// NewRecorder starts a recorder writing to db. Close it when done; DB.Close
// closes any recorder still open.
func (db *DB) NewRecorder(opts RecorderOptions) *Recorder {
	r := &Recorder{
		db:       db,
		batch:    opts.BatchSize,
		interval: opts.FlushInterval,
		onCommit: opts.OnCommit,
		progress: make(chan struct{}),
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		known:    map[string]*flow.Run{},
		byRun:    map[string][]*flow.Step{},
	}
	if r.batch <= 0 {
		r.batch = defaultBatchSize
	}
	if r.interval <= 0 {
		r.interval = defaultFlushInterval
	}
	r.space = sync.NewCond(&r.mu)
	db.mu.Lock()
	if db.closed {
		r.closing = true
		r.err = errors.New("record runs: the database is closed")
	} else {
		db.recorders[r] = struct{}{}
	}
	db.mu.Unlock()
	go r.loop()
	return r
}

// Observe queues what ev needs written and returns; it waits only when the
// queue is full. Events observed after Close are dropped.
func (r *Recorder) Observe(ev flow.RunEvent) {
	if rec, ok := recordOf(ev); ok {
		r.queue(rec)
	}
}

// recordOf is the record ev needs written, if any.
func recordOf(ev flow.RunEvent) (record, bool) {
	var rec record
	switch ev.Kind {
	case flow.EventRunStarted, flow.EventRunFinished:
		if ev.Run == nil {
			return rec, false
		}
		rec = record{kind: recRun, runID: ev.Run.ID, run: ev.Run}
		if ev.Kind == flow.EventRunFinished {
			rec.kind = recRunFinished
		}
	case flow.EventStepFinished:
		if ev.Step == nil {
			return rec, false
		}
		rec = record{kind: recStep, runID: ev.Step.RunID, step: ev.Step}
	case flow.EventRaised:
		if ev.Raised == nil {
			return rec, false
		}
		rec = record{kind: recEvent, event: ev.Raised}
	default:
		return rec, false
	}
	if rec.runID == "" {
		rec.runID = ev.RunID
	}
	return rec, true
}

// queue adds rec to the queue, waiting while the queue is full.
func (r *Recorder) queue(rec record) {
	r.mu.Lock()
	for len(r.pending) >= maxPending && !r.closing {
		r.space.Wait()
	}
	if r.closing {
		if rec.runID != "" {
			r.loseLocked(rec, errors.New("the recorder was closed before this record arrived"))
		}
		r.mu.Unlock()
		return
	}
	r.pending = append(r.pending, rec)
	r.queued++
	n := len(r.pending)
	r.mu.Unlock()
	if n == 1 || n >= r.batch {
		r.signal()
	}
}

func (r *Recorder) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Flush waits until everything observed before it was called is committed
// (or ctx ends), and returns the recorder's first write error, if any.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	target := r.queued
	for r.written < target {
		ch := r.progress
		r.urgent = true
		r.mu.Unlock()
		r.signal()
		select {
		case <-ch:
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		r.mu.Lock()
		if r.written < target && isClosed(r.done) {
			break // the writer stopped early; Err says why
		}
	}
	err := r.err
	r.mu.Unlock()
	return err
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Close writes everything queued, stops the writer and returns the first
// write error, if any. It is safe to call more than once.
func (r *Recorder) Close() error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.closing = true
		r.space.Broadcast()
		r.mu.Unlock()
		r.signal()
		<-r.done
		r.db.mu.Lock()
		delete(r.db.recorders, r)
		r.db.mu.Unlock()
	})
	return r.Err()
}

// LostRun names a run at least one of whose records (its row, a step or an
// event it raised) could not be written: its record in the database is
// missing or incomplete.
type LostRun struct {
	ID       string
	FlowName string // empty when no record of the run carried it
	Err      string // the first error that lost one of its records
}

// Lost returns the runs with a record that could not be written, in the
// order their first record was lost. Call it after Flush or Close for the
// full list.
func (r *Recorder) Lost() []LostRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]LostRun, 0, len(r.lostIDs))
	for _, id := range r.lostIDs {
		out = append(out, *r.lost[id])
	}
	return out
}

// loseLocked notes that rec could not be written; r.mu is held.
func (r *Recorder) loseLocked(rec record, err error) {
	if r.lost == nil {
		r.lost = map[string]*LostRun{}
	}
	l := r.lost[rec.runID]
	if l == nil {
		l = &LostRun{ID: rec.runID, Err: err.Error()}
		r.lost[rec.runID] = l
		r.lostIDs = append(r.lostIDs, rec.runID)
	}
	if l.FlowName == "" && rec.run != nil {
		l.FlowName = rec.run.FlowName
	}
}

// Err returns the first error met writing records, or nil. A record that
// fails is skipped; the ones around it are still written.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// loop is the writer goroutine: it waits for records, lets a batch fill for
// up to the flush interval, and writes it.
func (r *Recorder) loop() {
	defer close(r.done)
	defer func() {
		if r.owner != nil {
			r.owner.close()
		}
	}()
	defer r.stmts.close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		r.mu.Lock()
		n, hurry, closing := len(r.pending), r.urgent, r.closing
		r.mu.Unlock()
		if n == 0 {
			if closing {
				return
			}
			<-r.wake
			continue
		}
		if n < r.batch && !hurry && !closing {
			// Let the batch fill for the flush interval, or until a waiter's
			// due time (CommitWaiter), whichever comes first.
			deadline := time.Now().Add(r.interval)
			for {
				r.mu.Lock()
				ready := len(r.pending) >= r.batch || r.urgent || r.closing
				until := deadline
				if !r.due.IsZero() && r.due.Before(until) {
					until = r.due
				}
				r.mu.Unlock()
				wait := time.Until(until)
				if ready || wait <= 0 {
					break
				}
				timer.Reset(wait)
				select {
				case <-timer.C:
				case <-r.wake:
					timer.Stop()
				}
			}
		}
		r.mu.Lock()
		k := min(len(r.pending), r.batch)
		r.buf = append(r.buf[:0], r.pending[:k]...)
		rest := copy(r.pending, r.pending[k:])
		clear(r.pending[rest:])
		r.pending = r.pending[:rest]
		if rest == 0 {
			r.urgent = false
			r.due = time.Time{}
		}
		r.space.Broadcast()
		r.mu.Unlock()

		finished, err := r.write(r.buf)
		clear(r.buf)

		r.mu.Lock()
		r.written += uint64(k)
		if err != nil && r.err == nil {
			r.err = err
		}
		close(r.progress)
		r.progress = make(chan struct{})
		r.mu.Unlock()
		if r.onCommit != nil {
			for _, id := range finished {
				r.onCommit(id)
			}
		}
	}
}

// write commits recs in one transaction and returns the IDs of the runs
// finished by them. When the batch fails it writes the records one by one,
// so a bad record costs only itself, and returns the first error.
func (r *Recorder) write(recs []record) ([]string, error) {
	ctx := context.Background()
	if r.names == nil {
		r.names = map[string]string{}
	}
	for _, rec := range recs {
		if rec.run != nil {
			if rec.kind == recRunFinished {
				defer delete(r.names, rec.runID)
			} else {
				r.names[rec.runID] = rec.run.FlowName
			}
		}
	}
	if err := r.writeTx(ctx, recs); err == nil {
		return finishedRuns(recs), nil
	}
	// The rollback undid rows these maps believe exist.
	clear(r.known)
	clear(r.held)
	r.cov.forget()
	var first error
	var finished []string
	for i := range recs {
		if err := r.writeTx(ctx, recs[i:i+1]); err != nil {
			r.cov.forget()
			if first == nil {
				first = err
			}
			r.lose(recs[i], err)
			continue
		}
		finished = append(finished, finishedRuns(recs[i:i+1])...)
	}
	return finished, first
}

// lose notes that rec could not be written. A record without a run (an
// event raised outside one) is named by nothing and only counts in Err.
func (r *Recorder) lose(rec record, err error) {
	if rec.runID == "" {
		return
	}
	if rec.run == nil && r.names[rec.runID] != "" {
		rec.run = &flow.Run{ID: rec.runID, FlowName: r.names[rec.runID]}
	}
	r.mu.Lock()
	r.loseLocked(rec, err)
	r.mu.Unlock()
}

func finishedRuns(recs []record) []string {
	var ids []string
	for _, rec := range recs {
		if rec.kind == recRunFinished {
			ids = append(ids, rec.runID)
		}
	}
	return ids
}

// writeTx writes recs in one immediate transaction on the writer connection.
func (r *Recorder) writeTx(ctx context.Context, recs []record) error {
	if err := r.stmts.prepare(ctx, r.db.w); err != nil {
		return fmt.Errorf("record runs: %w", err)
	}
	if r.owner == nil {
		o, err := r.db.newOwner(ctx)
		if err != nil {
			return err
		}
		r.owner = o
	}
	tx, err := r.db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record runs: %w", err)
	}
	run, finish := tx.StmtContext(ctx, r.stmts.run), tx.StmtContext(ctx, r.stmts.finish)
	placeholder := tx.StmtContext(ctx, r.stmts.placeholder)
	stepBatch, event := tx.StmtContext(ctx, r.stmts.steps), tx.StmtContext(ctx, r.stmts.event)
	// Steps are gathered by run and written after the loop, one row per run
	// (see migration 0003): its run row exists by then, written earlier in
	// this transaction, in an earlier one, or as a placeholder.
	defer r.clearSteps()
	// A run that starts and finishes within this batch is written once, with
	// its final snapshot, where it starts: both writes land in this one
	// transaction, so no reader can tell, and the run's row and its indexes
	// are written once instead of twice.
	var finalAt map[string]int
	for i := range recs {
		if recs[i].kind == recRunFinished {
			if finalAt == nil {
				finalAt = map[string]int{}
			}
			finalAt[recs[i].runID] = i
		}
	}
	var early map[int]bool // finished records already written at their start
	for i, rec := range recs {
		var err error
		switch rec.kind {
		case recRun, recRunFinished:
			if early[i] {
				delete(r.known, rec.runID)
				continue
			}
			snap := rec.run
			if j, ok := finalAt[rec.runID]; ok && rec.kind == recRun && j > i {
				if early == nil {
					early = map[int]bool{}
				}
				early[j] = true
				snap = recs[j].run
			}
			if snap.ID == "" {
				cp := *snap
				cp.ID = rec.runID
				snap = &cp
			}
			// A run finishing whose row holds its start snapshot needs only
			// the fields a finish changes: an upsert would rewrite the row
			// and every index of runs, this touches the status indexes.
			done := false
			if start := r.known[rec.runID]; rec.kind == recRunFinished && start != nil && sameStart(start, snap) {
				var res sql.Result
				if res, err = finish.ExecContext(ctx, finishArgs(snap)...); err == nil {
					n, _ := res.RowsAffected()
					done = n == 1 // else the row went (a run deleted while running)
				}
			}
			if err == nil && !done {
				_, err = run.ExecContext(ctx, runArgs(snap)...)
				if err == nil && r.held[rec.runID] {
					// The steps stored under the placeholder were not
					// counted: the row had no flow then.
					delete(r.held, rec.runID)
					_, err = tx.StmtContext(ctx, r.stmts.runCoverage).ExecContext(ctx, rec.runID)
				}
			}
			if err == nil {
				if r.wrote == nil {
					r.wrote = map[string]*flow.Run{}
				}
				r.wrote[rec.runID] = snap
				if rec.kind == recRun {
					r.known[rec.runID] = snap
				} else {
					delete(r.known, rec.runID)
				}
			}
		case recStep:
			if len(r.byRun[rec.runID]) == 0 {
				r.runList = append(r.runList, rec.runID)
				if r.known[rec.runID] == nil {
					var res sql.Result
					if res, err = placeholder.ExecContext(ctx, rec.runID, unixNano(rec.step.StartedAt)); err == nil {
						if n, _ := res.RowsAffected(); n == 1 {
							if r.held == nil {
								r.held = map[string]bool{}
							}
							r.held[rec.runID] = true
						}
					}
				}
			}
			r.byRun[rec.runID] = append(r.byRun[rec.runID], rec.step)
		case recEvent:
			_, err = event.ExecContext(ctx, eventArgs(rec.runID, rec.event)...)
		}
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("record run %q: %w", rec.runID, err)
		}
	}
	r.cov.reset()
	for _, id := range r.runList {
		args, err := r.enc.of(id, r.byRun[id])
		if err == nil {
			_, err = stepBatch.ExecContext(ctx, args...)
		}
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("record run %q: %w", id, err)
		}
		if !r.held[id] {
			if err := r.countPorts(ctx, tx, id); err != nil {
				tx.Rollback()
				return fmt.Errorf("record run %q: %w", id, err)
			}
		}
	}
	// The ports they took, one statement per flow version (branch
	// coverage, coverage.go).
	if len(r.cov.flows) > 0 {
		if err := r.cov.write(ctx, tx, tx.StmtContext(ctx, r.stmts.coverage), tx.StmtContext(ctx, r.stmts.newCoverage)); err != nil {
			tx.Rollback()
			return fmt.Errorf("record runs: count the ports their steps took: %w", err)
		}
	}
	// A webhook delivery's id is remembered with its run's final record, in
	// the same transaction: the id is kept exactly when the run is.
	if err := r.writeHooks(ctx, tx, recs); err != nil {
		tx.Rollback()
		return err
	}
	// Stamp the runs still running with their owner and the time of their
	// last record, for the runs a dead process leaves behind (owners.go).
	r.touched = r.touched[:0]
	for _, rec := range recs {
		if rec.runID != "" && rec.kind != recRunFinished {
			r.touched = append(r.touched, rec.runID)
		}
	}
	if len(r.touched) > 0 {
		ids, err := json.Marshal(r.touched)
		if err == nil {
			_, err = tx.StmtContext(ctx, r.stmts.stamp).ExecContext(ctx, r.owner.id, unixNano(time.Now()), string(ids))
		}
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("record runs: stamp their owner: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record runs: commit: %w", err)
	}
	// A finished run needs no placeholder check any more; forget it so the
	// map stays as small as the number of runs in flight.
	for _, rec := range recs {
		if rec.kind == recRunFinished {
			delete(r.known, rec.runID)
			delete(r.held, rec.runID)
		}
	}
	return nil
}

// countPorts gathers the ports a transaction's steps of run id took, for
// the flow version the run's latest snapshot names (written in this
// transaction or held since its start); a run this recorder holds no
// snapshot of (its row was written before a failed batch) is read.
func (r *Recorder) countPorts(ctx context.Context, tx *sql.Tx, id string) error {
	run := r.wrote[id]
	if run == nil {
		run = r.known[id]
	}
	fv, start, ok := counted(run)
	if run == nil {
		var run flow.Run
		var started int64
		err := tx.QueryRowContext(ctx, runFlowSQL, id).Scan(&run.FlowID, &run.FlowVersion, &run.Trigger, &started)
		if err != nil {
			return fmt.Errorf("read its flow to count the ports its steps took: %w", err)
		}
		fv, _, ok = counted(&run)
		start = started
	}
	if ok {
		r.cov.add(fv, start, r.byRun[id])
	}
	return nil
}

// clearSteps empties the by-run step lists for the next transaction.
func (r *Recorder) clearSteps() {
	for _, id := range r.runList {
		delete(r.byRun, id)
	}
	clear(r.wrote)
	r.runList = r.runList[:0]
}

func (s *recorderStmts) prepare(ctx context.Context, w *sql.DB) error {
	if s.run != nil {
		return nil
	}
	var errs []error
	prep := func(q string) *sql.Stmt {
		st, err := w.PrepareContext(ctx, q)
		errs = append(errs, err)
		return st
	}
	*s = recorderStmts{
		run:         prep(upsertRunSQL),
		finish:      prep(finishRunSQL),
		placeholder: prep(placeholderRunSQL),
		steps:       prep(insertStepBatchSQL),
		event:       prep(insertEventSQL),
		stamp:       prep(stampRunsSQL),
		hook:        prep(insertWebhookSQL),
		coverage:    prep(updateCoverageSQL),
		newCoverage: prep(insertCoverageSQL),
		runCoverage: prep(addRunCoverageSQL),
	}
	if err := errors.Join(errs...); err != nil {
		s.close()
		return err
	}
	return nil
}

func (s *recorderStmts) close() {
	for _, st := range []*sql.Stmt{s.run, s.finish, s.placeholder, s.steps, s.event, s.stamp, s.hook, s.coverage, s.newCoverage, s.runCoverage} {
		if st != nil {
			st.Close()
		}
	}
	*s = recorderStmts{}
}
