package storage

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// commitRig is a CommitWaiter over a recorder whose flush interval is an
// hour, so only the waiter's nudges commit; commits lists the runs whose
// final records were committed, in order.
type commitRig struct {
	db  *DB
	cw  *CommitWaiter
	rec *Recorder

	mu      sync.Mutex
	commits []string
}

func newCommitRig(t *testing.T, gather time.Duration) *commitRig {
	g := &commitRig{db: openTemp(t), cw: NewCommitWaiter(10 * time.Second)}
	g.cw.gather = gather
	g.rec = g.db.NewRecorder(RecorderOptions{FlushInterval: time.Hour, OnCommit: func(id string) {
		g.mu.Lock()
		g.commits = append(g.commits, id)
		g.mu.Unlock()
		g.cw.Committed(id)
	}})
	g.cw.Attach(g.rec)
	t.Cleanup(func() { g.rec.Close() })
	return g
}

func (g *commitRig) committed() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.commits...)
}

// wait waits for the runs' commits, at most 5 s: less than the waiter's
// patience, so only a commit the waiter heard of counts.
func (g *commitRig) wait(t *testing.T, ids ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, id := range ids {
		if err := g.cw.Wait(ctx, id); err != nil {
			t.Fatalf("Wait(%s): %v", id, err)
		}
	}
}

// TestCommitWaiterGroupsFinishingRuns: a run that finishes while another is
// in flight joins the next commit instead of forcing one of its own; the
// last run in flight to finish commits at once, both runs together. (Before
// group commit every final record forced its own commit.)
func TestCommitWaiterGroupsFinishingRuns(t *testing.T) {
	g := newCommitRig(t, time.Hour)
	t0 := time.Unix(1_700_000_000, 0)
	a, aSteps := sampleRun("run-a", 3, t0)
	b, bSteps := sampleRun("run-b", 3, t0)
	evA, evB := runEvents(a, aSteps), runEvents(b, bSteps)
	g.cw.Observe(evA[0])
	g.cw.Observe(evB[0])
	for _, ev := range evA[1:] {
		g.cw.Observe(ev)
	}
	// run-b is in flight and the gather time is an hour: nothing is due.
	time.Sleep(100 * time.Millisecond)
	if got := g.committed(); len(got) != 0 {
		t.Fatalf("committed %v while run-b was in flight; want run-a to wait for company", got)
	}
	for _, ev := range evB[1:] {
		g.cw.Observe(ev)
	}
	g.wait(t, "run-a", "run-b")
	mustEqual(t, "commits", g.committed(), []string{"run-a", "run-b"})
	var rows int
	if err := g.db.r.QueryRow("SELECT count(*) FROM runs WHERE status = 'succeeded'").Scan(&rows); err != nil || rows != 2 {
		t.Fatalf("%d finished runs stored (%v), want 2", rows, err)
	}
}

// TestCommitWaiterGatherTime: with another run still in flight, a finished
// run is committed within the gather time, without waiting for the batch
// to fill or the flush interval (an hour here).
func TestCommitWaiterGatherTime(t *testing.T) {
	g := newCommitRig(t, 20*time.Millisecond)
	t0 := time.Unix(1_700_000_000, 0)
	a, aSteps := sampleRun("run-a", 3, t0)
	b, _ := sampleRun("run-b", 3, t0)
	g.cw.Observe(runEvents(b, nil)[0]) // run-b starts and never ends
	for _, ev := range runEvents(a, aSteps) {
		g.cw.Observe(ev)
	}
	g.wait(t, "run-a")
	mustEqual(t, "commits", g.committed(), []string{"run-a"})
}

// TestCommitWaiterRemembersWebhookWithRun: a delivery id announced with
// ExpectWebhook is written with its run's final record (and that run's final
// status), so it is found as soon as Wait returns; an announcement forgotten
// before its run ends is not written.
func TestCommitWaiterRemembersWebhookWithRun(t *testing.T) {
	ctx := context.Background()
	g := newCommitRig(t, time.Millisecond)
	now := time.Unix(1_700_000_000, 0)
	ok, okSteps := sampleRun("run-ok", 2, now)
	failed, failedSteps := sampleRun("run-failed", 2, now)
	failed.Status = flow.StatusFailed
	gone, goneSteps := sampleRun("run-gone", 2, now)
	defer g.cw.ExpectWebhook("/hooks/a", "msg_1", "run-ok", now, now.Add(5*time.Minute))()
	defer g.cw.ExpectWebhook("/hooks/a", "msg_2", "run-failed", now, now.Add(5*time.Minute))()
	g.cw.ExpectWebhook("/hooks/a", "msg_3", "run-gone", now, now.Add(5*time.Minute))()
	for _, r := range []struct {
		run   flow.Run
		steps []flow.Step
	}{{ok, okSteps}, {failed, failedSteps}, {gone, goneSteps}} {
		for _, ev := range runEvents(r.run, r.steps) {
			g.cw.Observe(ev)
		}
	}
	g.wait(t, "run-ok", "run-failed", "run-gone")
	for _, c := range []struct{ id, run, status string }{
		{"msg_1", "run-ok", "succeeded"}, {"msg_2", "run-failed", "failed"},
	} {
		run, status, found, err := g.cw.SeenWebhook(ctx, "/hooks/a", c.id, now.Add(time.Minute))
		if err != nil || !found || run != c.run || status != c.status {
			t.Fatalf("%s: run %q status %q found %v err %v; want %s %s", c.id, run, status, found, err, c.run, c.status)
		}
	}
	if _, _, found, err := g.cw.SeenWebhook(ctx, "/hooks/a", "msg_3", now); found || err != nil {
		t.Fatalf("a forgotten announcement was written (found %v, err %v)", found, err)
	}
	if n := len(g.cw.expect); n != 0 {
		t.Fatalf("%d announcements kept after their runs ended", n)
	}
}
