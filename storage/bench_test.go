package storage

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// BenchmarkRecordRun100 records a 100-step run through a Recorder (every
// event observed, then Flush) and, as the baseline in the same loop, writes
// the same rows by hand in one transaction. "ratio" is recorder time over
// hand time: what batching off the critical path costs (target ≤ 1.3).
func BenchmarkRecordRun100(b *testing.B) {
	db := openTemp(b)
	ctx := context.Background()
	rec := db.NewRecorder(RecorderOptions{})
	defer rec.Close()
	var recTime, handTime time.Duration
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		run, steps := sampleRun(fmt.Sprintf("rec-%d", i), 100, baseTime.Add(time.Duration(i)*time.Second))
		evs := runEvents(run, steps)
		hrun, hsteps := sampleRun(fmt.Sprintf("hand-%d", i), 100, baseTime.Add(time.Duration(i)*time.Second))
		b.StartTimer()

		t0 := time.Now()
		for _, ev := range evs {
			rec.Observe(ev)
		}
		if err := rec.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		recTime += time.Since(t0)

		t1 := time.Now()
		if err := writeRunByHand(ctx, db, &hrun, hsteps); err != nil {
			b.Fatal(err)
		}
		handTime += time.Since(t1)
	}
	b.ReportMetric(float64(recTime)/float64(handTime), "ratio")
	b.ReportMetric(float64(recTime.Microseconds())/float64(b.N), "recorder-µs/run")
	b.ReportMetric(float64(handTime.Microseconds())/float64(b.N), "hand-µs/run")
}

// writeRunByHand is the baseline: the run's rows in one transaction with
// statements prepared in it, and nothing else.
func writeRunByHand(ctx context.Context, db *DB, run *flow.Run, steps []flow.Step) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		started := *run
		started.Status = flow.StatusRunning
		if _, err := tx.ExecContext(ctx, upsertRunSQL, runArgs(&started)...); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, upsertStepSQL)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range steps {
			args, err := stepArgs(run.ID, &steps[i])
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, upsertRunSQL, runArgs(run)...)
		return err
	})
}
