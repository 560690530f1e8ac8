package storage

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// branchRun is a run of flow "f" version ver that goes start → lookup and
// leaves lookup by port, then ends; its steps start at start.
func branchRun(id, flowID string, ver int, port string, start time.Time) (flow.Run, []flow.Step) {
	run := flow.Run{ID: id, FlowID: flowID, FlowName: "F", FlowVersion: ver, Status: flow.StatusSucceeded,
		Trigger: "manual", StartedAt: start, FinishedAt: start.Add(3 * time.Millisecond)}
	steps := []flow.Step{
		{RunID: id, Seq: 1, Node: "start", Kind: flow.KindStart, Status: flow.StatusSucceeded, Port: flow.PortNext, StartedAt: start},
		{RunID: id, Seq: 2, Node: "lookup", Kind: flow.KindCall, Status: flow.StatusSucceeded, Port: port, StartedAt: start.Add(time.Millisecond)},
		{RunID: id, Seq: 3, Node: "end-" + port, Kind: flow.KindEnd, Status: flow.StatusSucceeded, StartedAt: start.Add(2 * time.Millisecond)},
	}
	return run, steps
}

// recordAll records the runs through a Recorder and flushes it.
func recordAll(t *testing.T, db *DB, opts RecorderOptions, runs ...func() (flow.Run, []flow.Step)) {
	t.Helper()
	rec := db.NewRecorder(opts)
	for _, mk := range runs {
		run, steps := mk()
		for _, ev := range runEvents(run, steps) {
			rec.Observe(ev)
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatalf("record: %v", err)
	}
}

func br(id, flowID string, ver int, port string, start time.Time) func() (flow.Run, []flow.Step) {
	return func() (flow.Run, []flow.Step) { return branchRun(id, flowID, ver, port, start) }
}

// coverageOf reads PortCoverage as "node/port": taken.
func coverageOf(t *testing.T, db *DB, flowID string, ver int, since time.Time) map[string]int {
	t.Helper()
	cov, err := db.PortCoverage(context.Background(), flowID, ver, since)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for k, u := range cov {
		out[k.Node+"/"+k.Port] = u.Taken
	}
	return out
}

// recount is the coverage the stored steps give, computed from the steps
// view: what port_coverage must always equal.
func recount(t *testing.T, db *DB, flowID string, ver int) map[string]int {
	t.Helper()
	rows, err := db.r.Query(`SELECT s.node, s.port, count(*) FROM steps s JOIN runs r ON r.id = s.run_id
		WHERE r.flow_id = ? AND r.flow_version = ? AND r.trigger_info <> 'test' AND s.port <> '' GROUP BY 1, 2`, flowID, ver)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var n, p string
		var c int
		rows.Scan(&n, &p, &c)
		out[n+"/"+p] = c
	}
	return out
}

func TestPortCoverageMarksExactlyTheTakenPorts(t *testing.T) {
	db := openTemp(t)
	// Batches of 4 records split runs over several commits.
	for _, batch := range []int{0, 4} {
		t.Run(fmt.Sprintf("batch %d", batch), func(t *testing.T) {
			flowID := fmt.Sprintf("f-%d", batch)
			recordAll(t, db, RecorderOptions{BatchSize: batch},
				br(flowID+"-r1", flowID, 2, "vip", baseTime),
				br(flowID+"-r2", flowID, 2, "vip", baseTime.Add(time.Hour)),
				br(flowID+"-r3", flowID, 2, "failure", baseTime.Add(2*time.Hour)),
				br(flowID+"-r4", flowID, 1, "standard", baseTime), // another version
				br(flowID+"-r5", "", 0, "default", baseTime),      // no flow id: not counted
			)
			// A node's Test is not a run of the flow.
			test := func() (flow.Run, []flow.Step) {
				r, s := branchRun(flowID+"-t", flowID, 2, "standard", baseTime)
				r.Trigger = "test"
				return r, s[1:2]
			}
			recordAll(t, db, RecorderOptions{}, test)
			want := map[string]int{"start/next": 3, "lookup/vip": 2, "lookup/failure": 1}
			mustEqual(t, "coverage of version 2", coverageOf(t, db, flowID, 2, time.Time{}), want)
			mustEqual(t, "recount of version 2", recount(t, db, flowID, 2), want)
			mustEqual(t, "coverage of version 1", coverageOf(t, db, flowID, 1, time.Time{}), map[string]int{"start/next": 1, "lookup/standard": 1})
			cov, _ := db.PortCoverage(context.Background(), flowID, 2, time.Time{})
			u := cov[NodePort{"lookup", "vip"}]
			if !u.First.Equal(baseTime.Add(time.Millisecond)) || !u.Last.Equal(baseTime.Add(time.Hour+time.Millisecond)) {
				t.Errorf("lookup/vip first %v last %v; want the starts of its two steps", u.First, u.Last)
			}
		})
	}
}

func TestPortCoverageSince(t *testing.T) {
	db := openTemp(t)
	recordAll(t, db, RecorderOptions{},
		br("r1", "f", 1, "vip", baseTime),
		br("r2", "f", 1, "standard", baseTime.Add(time.Hour)))
	got := coverageOf(t, db, "f", 1, baseTime.Add(30*time.Minute))
	mustEqual(t, "taken since half an hour later", got, map[string]int{"start/next": 2, "lookup/standard": 1})
	// since is inclusive: the step of lookup in r2 started at +1h+1ms.
	got = coverageOf(t, db, "f", 1, baseTime.Add(time.Hour+time.Millisecond))
	mustEqual(t, "taken since the last lookup", got, map[string]int{"lookup/standard": 1})
	got = coverageOf(t, db, "f", 1, baseTime.Add(2*time.Hour))
	mustEqual(t, "taken since later", got, map[string]int{})
}

func TestPortCoverageFollowsDeletion(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	recordAll(t, db, RecorderOptions{},
		br("r1", "f", 1, "vip", baseTime),
		br("r2", "f", 1, "standard", baseTime.Add(time.Hour)),
		br("r3", "f", 1, "vip", baseTime.Add(2*time.Hour)),
		br("g1", "g", 4, "failure", baseTime))
	if err := db.DeleteRun(ctx, "r2"); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "after DeleteRun", coverageOf(t, db, "f", 1, time.Time{}), map[string]int{"start/next": 2, "lookup/vip": 2})
	// first_at is recounted too: r1 was the first vip.
	if err := db.DeleteRun(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	cov, _ := db.PortCoverage(ctx, "f", 1, time.Time{})
	if u := cov[NodePort{"lookup", "vip"}]; u.Taken != 1 || !u.First.Equal(baseTime.Add(2*time.Hour+time.Millisecond)) {
		t.Errorf("lookup/vip after deleting r1: %+v; want taken once, first at r3's step", u)
	}
	n, err := db.DeleteRunsBefore(ctx, baseTime.Add(3*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("DeleteRunsBefore = %d, %v; want 2 runs", n, err)
	}
	mustEqual(t, "f after DeleteRunsBefore", coverageOf(t, db, "f", 1, time.Time{}), map[string]int{})
	mustEqual(t, "g after DeleteRunsBefore", coverageOf(t, db, "g", 4, time.Time{}), map[string]int{})
	var rows int
	db.r.QueryRow("SELECT count(*) FROM port_coverage").Scan(&rows)
	if rows != 0 {
		t.Errorf("port_coverage keeps %d rows with no run left", rows)
	}
}

// TestPortCoverageOfStepsBeforeTheirRun: steps recorded under a
// placeholder row (a recorder attached mid-run) count once their run's row
// says its flow.
func TestPortCoverageOfStepsBeforeTheirRun(t *testing.T) {
	db := openTemp(t)
	run, steps := branchRun("late", "f", 1, "vip", baseTime)
	rec := db.NewRecorder(RecorderOptions{})
	for _, ev := range runEvents(run, steps)[1:] { // no RunStarted
		rec.Observe(ev)
		if ev.Kind == flow.EventStepFinished && ev.Step.Seq == 2 {
			if err := rec.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"start/next": 1, "lookup/vip": 1}
	mustEqual(t, "coverage", coverageOf(t, db, "f", 1, time.Time{}), want)
	mustEqual(t, "recount", recount(t, db, "f", 1), want)
}

// TestMigratePortCoverage opens a file of schema 6 holding runs and checks
// that migration 0007 counts their ports.
func TestMigratePortCoverage(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "flowbench.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 7 || ms[6].name != "0007_port_coverage.sql" {
		t.Fatalf("migration 7 is %v; this test builds a file of schema 6", ms[6].name)
	}
	old, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:6] {
		if _, err := old.ExecContext(ctx, m.sql); err != nil {
			t.Fatalf("migration %s: %v", m.name, err)
		}
	}
	if _, err := old.ExecContext(ctx, "PRAGMA user_version = 6"); err != nil {
		t.Fatal(err)
	}
	var enc stepBatch
	for i, port := range []string{"vip", "vip", "standard", "failure"} {
		run, steps := branchRun(fmt.Sprintf("old-%d", i), "f", 3, port, baseTime.Add(time.Duration(i)*time.Hour))
		if i == 3 {
			run.Trigger = "test"
		}
		if _, err := old.ExecContext(ctx, upsertRunSQL, runArgs(&run)...); err != nil {
			t.Fatal(err)
		}
		ptrs := []*flow.Step{&steps[0], &steps[1], &steps[2]}
		args, err := enc.of(run.ID, ptrs)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.ExecContext(ctx, insertStepBatchSQL, args...); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	db := openAt(t, path, testSealer(t, 1))
	want := map[string]int{"start/next": 3, "lookup/vip": 2, "lookup/standard": 1}
	mustEqual(t, "coverage after the migration", coverageOf(t, db, "f", 3, time.Time{}), want)
	cov, _ := db.PortCoverage(ctx, "f", 3, time.Time{})
	if u := cov[NodePort{"lookup", "standard"}]; !u.Last.Equal(baseTime.Add(2*time.Hour + time.Millisecond)) {
		t.Errorf("lookup/standard last taken %v; want its step's start", u.Last)
	}
	// The recorder goes on from the counts the migration made.
	recordAll(t, db, RecorderOptions{}, br("new", "f", 3, "standard", baseTime.Add(5*time.Hour)))
	want["start/next"]++
	want["lookup/standard"]++
	mustEqual(t, "coverage after a new run", coverageOf(t, db, "f", 3, time.Time{}), want)
	mustEqual(t, "keys", slices.Sorted(maps.Keys(recount(t, db, "f", 3))), slices.Sorted(maps.Keys(want)))
}

// TestPortCoverageWithOtherWriters: two recorders (as two processes would)
// and run deletions change one flow version's row in turn; each recorder
// merges into the row as stored, not the one it last wrote.
func TestPortCoverageWithOtherWriters(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	a, b := db.NewRecorder(RecorderOptions{}), db.NewRecorder(RecorderOptions{})
	defer a.Close()
	defer b.Close()
	record := func(rec *Recorder, id, port string, at time.Time) {
		t.Helper()
		run, steps := branchRun(id, "f", 1, port, at)
		for _, ev := range runEvents(run, steps) {
			rec.Observe(ev)
		}
		if err := rec.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	record(a, "a1", "vip", baseTime)
	record(b, "b1", "standard", baseTime.Add(time.Minute))
	record(a, "a2", "vip", baseTime.Add(2*time.Minute))
	if err := db.DeleteRun(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	record(a, "a3", "failure", baseTime.Add(3*time.Minute))
	record(b, "b2", "standard", baseTime.Add(4*time.Minute))
	want := map[string]int{"start/next": 4, "lookup/vip": 1, "lookup/standard": 2, "lookup/failure": 1}
	mustEqual(t, "coverage", coverageOf(t, db, "f", 1, time.Time{}), want)
	mustEqual(t, "recount", recount(t, db, "f", 1), want)
}

// TestPortCoverageAfterABadRecord: a batch that fails is written again
// record by record; the ports of the records kept count once, and the
// recorder's rows in memory follow what was committed.
func TestPortCoverageAfterABadRecord(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	rec := db.NewRecorder(RecorderOptions{})
	defer rec.Close()
	observe := func(run flow.Run, steps []flow.Step) {
		for _, ev := range runEvents(run, steps) {
			rec.Observe(ev)
		}
	}
	observe(branchRun("ok1", "f", 1, "vip", baseTime))
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	run, steps := branchRun("bad", "f", 1, "standard", baseTime.Add(time.Minute))
	steps[1].ReturnValue = math.Inf(1) // JSON has no infinity: this step is lost
	observe(run, steps)
	observe(branchRun("ok2", "f", 1, "vip", baseTime.Add(2*time.Minute)))
	if err := rec.Flush(ctx); err == nil {
		t.Fatal("the bad step was written")
	}
	observe(branchRun("ok3", "f", 1, "failure", baseTime.Add(3*time.Minute)))
	if err := rec.Flush(ctx); err == nil {
		t.Fatal("Flush forgot the earlier error")
	}
	want := map[string]int{"start/next": 4, "lookup/vip": 2, "lookup/failure": 1}
	mustEqual(t, "coverage", coverageOf(t, db, "f", 1, time.Time{}), want)
	mustEqual(t, "recount", recount(t, db, "f", 1), want)
}
