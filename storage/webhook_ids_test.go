package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFaultWebhookIDsSurviveRestart: a remembered webhook-id is found after
// the file is closed and reopened, a second remember keeps the first run,
// and a record past its expiry is neither found nor kept.
func TestFaultWebhookIDsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hooks.db")
	now := time.Unix(1_700_000_000, 0)
	db := openAt(t, path, nil)
	if _, _, found, err := db.SeenWebhook(ctx, "/hooks/a", "msg_1", now); err != nil || found {
		t.Fatalf("unseen id: found=%v err=%v", found, err)
	}
	if err := db.RememberWebhook(ctx, "/hooks/a", "msg_1", "run-1", "succeeded", now, now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.RememberWebhook(ctx, "/hooks/a", "msg_1", "run-2", "failed", now, now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.RememberWebhook(ctx, "/hooks/a", "msg_old", "run-0", "succeeded", now.Add(-time.Hour), now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openAt(t, path, nil)
	defer db.Close()
	run, status, found, err := db.SeenWebhook(ctx, "/hooks/a", "msg_1", now.Add(time.Minute))
	if err != nil || !found || run != "run-1" || status != "succeeded" {
		t.Fatalf("after reopening: run %q status %q found %v err %v; want run-1 succeeded", run, status, found, err)
	}
	if _, _, found, _ := db.SeenWebhook(ctx, "/hooks/b", "msg_1", now); found {
		t.Fatal("an id is remembered per path")
	}
	if _, _, found, _ := db.SeenWebhook(ctx, "/hooks/a", "msg_old", now); found {
		t.Fatal("an expired id was found")
	}
	if _, _, found, _ := db.SeenWebhook(ctx, "/hooks/a", "msg_1", now.Add(6*time.Minute)); found {
		t.Fatal("msg_1 was found past its expiry")
	}
	// A later remember sweeps what expired.
	if err := db.RememberWebhook(ctx, "/hooks/a", "msg_2", "run-3", "succeeded", now.Add(time.Hour), now.Add(time.Hour+5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM webhook_ids").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d rows after the sweep (%v), want 1", n, err)
	}
}

// TestFaultCommitWaiter: Wait returns once the run's final record is
// committed (and the row says so); for a run whose records never reach the
// database it returns ErrRunNotCommitted naming the run, after the patience.
func TestFaultCommitWaiter(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	cw := NewCommitWaiter(200 * time.Millisecond)
	rec := db.NewRecorder(RecorderOptions{OnCommit: cw.Committed, FlushInterval: time.Hour})
	cw.Attach(rec)
	defer rec.Close()
	run, steps := sampleRun("run-ok", 3, time.Unix(1_700_000_000, 0))
	for _, ev := range runEvents(run, steps) {
		cw.Observe(ev)
	}
	// The flush interval is an hour: only the final record's hurry commits it.
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := cw.Wait(wctx, "run-ok"); err != nil {
		t.Fatal(err)
	}
	if finished, err := db.runFinished(ctx, "run-ok"); err != nil || !finished {
		t.Fatalf("after Wait the row is not finished: %v %v", finished, err)
	}
	if time.Since(start) >= 200*time.Millisecond {
		t.Errorf("Wait fell back to its patience instead of hearing of the commit")
	}
	err := cw.Wait(wctx, "run-never")
	if !errors.Is(err, ErrRunNotCommitted) || !strings.Contains(err.Error(), "run run-never") {
		t.Fatalf("a run never recorded: %v; want ErrRunNotCommitted naming it", err)
	}
}
