package storage

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

func TestRecorderRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps int
		opts  RecorderOptions
	}{
		{"100 steps, default batching", 100, RecorderOptions{}},
		{"100 steps, batches of 3", 100, RecorderOptions{BatchSize: 3}},
		{"no steps", 0, RecorderOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTemp(t)
			var committed []string
			var mu sync.Mutex
			tc.opts.OnCommit = func(id string) { mu.Lock(); committed = append(committed, id); mu.Unlock() }
			rec := db.NewRecorder(tc.opts)
			run, steps := sampleRun("run-1", tc.steps, baseTime)
			raised := flow.RaisedEvent{Name: "tier.looked_up", Payload: []byte(`{"tier":"vip"}`), Node: "n001", At: baseTime.Add(time.Second)}
			evs := runEvents(run, steps)
			evs = append(evs[:len(evs)-1], flow.RunEvent{Kind: flow.EventRaised, RunID: run.ID, Raised: &raised}, evs[len(evs)-1])
			for _, ev := range evs {
				rec.Observe(ev)
			}
			if err := rec.Flush(context.Background()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			gotRun, gotSteps, err := db.Run(context.Background(), run.ID)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			mustEqual(t, "run", *gotRun, run)
			if len(gotSteps) != len(steps) {
				t.Fatalf("read %d steps, want %d", len(gotSteps), len(steps))
			}
			for i := range steps {
				mustEqual(t, fmt.Sprintf("step %d", i+1), gotSteps[i], steps[i])
			}
			events, err := db.Events(context.Background(), 10)
			if err != nil {
				t.Fatalf("Events: %v", err)
			}
			raised.RunID = run.ID // filled in from the run event
			mustEqual(t, "events", events, []flow.RaisedEvent{raised})
			if err := rec.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			mustEqual(t, "OnCommit calls", committed, []string{run.ID})
		})
	}
}

// TestRecorderStepsWithoutRunStarted covers a recorder attached mid-run: the
// steps are kept under a placeholder run that RunFinished then completes.
func TestRecorderStepsWithoutRunStarted(t *testing.T) {
	db := openTemp(t)
	rec := db.NewRecorder(RecorderOptions{})
	run, steps := sampleRun("late", 5, baseTime)
	for _, ev := range runEvents(run, steps)[1:] {
		rec.Observe(ev)
	}
	if err := rec.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got, gotSteps, err := db.Run(context.Background(), "late")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	mustEqual(t, "run", *got, run)
	mustEqual(t, "steps", gotSteps, steps)
}

// TestRecorderFinishedOnlyWithSteps watches from a second connection while
// runs are recorded in small batches: a run that no longer shows "running"
// must already show all its steps.
func TestRecorderFinishedOnlyWithSteps(t *testing.T) {
	const runs, stepsPerRun = 40, 25
	path := filepath.Join(t.TempDir(), "flowbench.db")
	db := openAt(t, path, testSealer(t, 1))
	watcher, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()

	rec := db.NewRecorder(RecorderOptions{BatchSize: 7, FlushInterval: time.Millisecond})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range runs {
			run, steps := sampleRun(fmt.Sprintf("run-%03d", i), stepsPerRun, baseTime.Add(time.Duration(i)*time.Second))
			for _, ev := range runEvents(run, steps) {
				rec.Observe(ev)
			}
			time.Sleep(200 * time.Microsecond) // let batches interleave with the watcher
		}
	}()
	checks, sawFinished := 0, 0
	deadline := time.Now().Add(20 * time.Second)
	for watching := true; watching; {
		select {
		case <-done:
			if err := rec.Flush(context.Background()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			watching = false // one last look below, after everything is committed
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("recording did not finish within 20s")
		}
		// One statement is one snapshot: status and step count agree in time.
		rows, err := watcher.Query(`SELECT r.id, r.status, (SELECT count(*) FROM steps s WHERE s.run_id = r.id) FROM runs r`)
		if err != nil {
			t.Fatalf("watch: %v", err)
		}
		for rows.Next() {
			var id, status string
			var n int
			if err := rows.Scan(&id, &status, &n); err != nil {
				t.Fatal(err)
			}
			if status != string(flow.StatusRunning) {
				sawFinished++
				if n != stepsPerRun {
					t.Errorf("run %s shows status %s with only %d of %d steps", id, status, n, stepsPerRun)
				}
			}
		}
		rows.Close()
		checks++
	}
	if err := rec.Close(); err != nil {
		t.Fatalf("recorder: %v", err)
	}
	if sawFinished < runs {
		t.Fatalf("saw %d finished runs over %d checks, want at least %d", sawFinished, checks, runs)
	}
	t.Logf("%d checks, %d finished-run observations", checks, sawFinished)
}

// TestRecorderConcurrentRuns records 16 runs at once, through two database
// handles on the same file (as the GUI and the CLI would), while readers page
// through the history: no write may fail, SQLITE_BUSY least of all.
func TestRecorderConcurrentRuns(t *testing.T) {
	const workers, stepsPerRun, runsEach = 16, 30, 3
	path := filepath.Join(t.TempDir(), "flowbench.db")
	dbs := []*DB{openAt(t, path, testSealer(t, 1)), openAt(t, path, testSealer(t, 1))}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4*workers)
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for i := range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for n := 0; n < 10_000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := dbs[i].ListRuns(ctx, RunQuery{Limit: 20}); err != nil {
					errs <- fmt.Errorf("reader: %w", err)
					return
				}
			}
		}()
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := dbs[w%2].NewRecorder(RecorderOptions{BatchSize: 8, FlushInterval: time.Millisecond})
			for i := range runsEach {
				run, steps := sampleRun(fmt.Sprintf("w%02d-r%d", w, i), stepsPerRun, baseTime.Add(time.Duration(w*runsEach+i)*time.Second))
				for _, ev := range runEvents(run, steps) {
					rec.Observe(ev)
				}
			}
			if err := rec.Close(); err != nil {
				errs <- fmt.Errorf("worker %d: %w", w, err)
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "locked") {
			t.Errorf("busy error: %v", err)
		} else {
			t.Errorf("%v", err)
		}
	}
	n, err := dbs[0].CountRuns(ctx, RunQuery{Status: flow.StatusSucceeded})
	if err != nil || n != workers*runsEach {
		t.Fatalf("CountRuns = %d, %v; want %d", n, err, workers*runsEach)
	}
	var steps int
	if err := dbs[0].r.QueryRow("SELECT count(*) FROM steps").Scan(&steps); err != nil || steps != workers*runsEach*stepsPerRun {
		t.Fatalf("%d steps stored (%v), want %d", steps, err, workers*runsEach*stepsPerRun)
	}
}

func TestRecorderAfterClose(t *testing.T) {
	db := openTemp(t)
	rec := db.NewRecorder(RecorderOptions{})
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	run, steps := sampleRun("after", 2, baseTime)
	for _, ev := range runEvents(run, steps) {
		rec.Observe(ev) // dropped, and must not block
	}
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatalf("Flush after Close: %v", err)
	}
	if _, _, err := db.Run(context.Background(), "after"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Run after Close = %v, want ErrNotFound", err)
	}
	// DB.Close stops recorders still open, writing what they queued.
	rec2 := db.NewRecorder(RecorderOptions{FlushInterval: time.Hour})
	for _, ev := range runEvents(run, steps) {
		rec2.Observe(ev)
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatalf("DB.Close: %v", err)
	}
	db2 := openAt(t, path, testSealer(t, 1))
	if _, got, err := db2.Run(context.Background(), "after"); err != nil || len(got) != 2 {
		t.Fatalf("after DB.Close: %d steps, %v; want 2", len(got), err)
	}
}

const childEnv = "FLOWBENCH_RECORDER_CHILD_DB"

// TestHelperRecorderChild is not a test on its own: TestRecorderCrashSafety
// runs the test binary again with it selected and childEnv set. It records
// runs in a loop and prints each run ID once its final record is committed.
func TestHelperRecorderChild(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("run by TestRecorderCrashSafety")
	}
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	rec := db.NewRecorder(RecorderOptions{BatchSize: 16, OnCommit: func(id string) {
		fmt.Fprintf(os.Stdout, "committed %s\n", id)
	}})
	// Bounded in count and time: the parent kills it long before either.
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; i < 1_000_000 && time.Now().Before(deadline); i++ {
		run, steps := sampleRun(fmt.Sprintf("crash-%06d", i), 10, time.Now())
		for _, ev := range runEvents(run, steps) {
			rec.Observe(ev)
		}
		if i%50 == 49 {
			rec.Flush(context.Background())
		}
	}
	os.Exit(0)
}

// TestRecorderCrashSafety kills a recording process with SIGKILL and checks
// that the file is intact and every run reported committed is there whole:
// ten rounds, each killing the writer after a different number of commits.
func TestRecorderCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	for round := range 10 {
		t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
			crashRound(t, 20+20*round)
		})
	}
}

// crashRound is one round of TestRecorderCrashSafety: SIGKILL once the child
// has reported want runs committed.
func crashRound(t *testing.T, want int) {
	path := filepath.Join(t.TempDir(), "flowbench.db")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperRecorderChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var ids []string
	sc := bufio.NewScanner(out)
	for len(ids) < want && sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
			ids = append(ids, id)
		} else {
			t.Logf("child: %s", sc.Text())
		}
	}
	// SIGKILL: no deferred function, no Close, no checkpoint runs.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v", err)
	}
	cmd.Wait()
	if len(ids) < want {
		t.Fatalf("child reported %d committed runs before it stopped, want %d", len(ids), want)
	}
	db := openAt(t, path, nil)
	var check string
	if err := db.r.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	for _, id := range ids {
		run, steps, err := db.Run(context.Background(), id)
		if err != nil {
			t.Fatalf("run %s was reported committed but: %v", id, err)
		}
		if run.Status != flow.StatusSucceeded || len(steps) != 10 {
			t.Fatalf("run %s: status %s with %d steps, want succeeded with 10", id, run.Status, len(steps))
		}
	}
	total, _ := db.CountRuns(context.Background(), RunQuery{})
	t.Logf("%d runs reported committed before SIGKILL, %d rows found after", len(ids), total)
}

// TestRecorderBadRecord: a step that cannot be stored costs only itself; the
// error names the run and the node, and Flush and Close report it.
func TestRecorderBadRecord(t *testing.T) {
	db := openTemp(t)
	rec := db.NewRecorder(RecorderOptions{})
	run, steps := sampleRun("bad", 6, baseTime)
	steps[2].ReturnValue = math.Inf(1) // JSON has no infinity
	for _, ev := range runEvents(run, steps) {
		rec.Observe(ev)
	}
	err := rec.Flush(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"bad"`) || !strings.Contains(err.Error(), `"n002"`) {
		t.Fatalf("Flush = %v, want an error naming run bad and node n002", err)
	}
	if cerr := rec.Close(); cerr == nil || cerr.Error() != err.Error() {
		t.Fatalf("Close = %v, want the same first error", cerr)
	}
	got, gotSteps, err := db.Run(context.Background(), "bad")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != flow.StatusSucceeded || len(gotSteps) != 5 {
		t.Fatalf("run %s with %d steps stored, want succeeded with the 5 good steps", got.Status, len(gotSteps))
	}
}

// TestRecorderFinishSpansBatches: a run whose start and finish land in
// different commits ends with its final snapshot stored, whether only the
// finishing fields changed (the narrow update), others changed too (the
// whole row is written), or the row was deleted while the run went on (it
// is written again, as before).
func TestRecorderFinishSpansBatches(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	rec := db.NewRecorder(RecorderOptions{})
	defer rec.Close()
	for _, tc := range []struct {
		name   string
		change func(*flow.Run)
		delete bool
	}{
		{name: "finish fields only"},
		{name: "start fields changed too", change: func(r *flow.Run) {
			r.FlowName, r.Input, r.Env, r.Trigger = "renamed", json.RawMessage(`{"late":true}`), "staging", "event:x"
		}},
		{name: "row deleted while running", delete: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, steps := sampleRun("span-"+strings.ReplaceAll(tc.name, " ", "-"), 4, baseTime)
			evs := runEvents(run, steps)
			last := len(evs) - 1
			for _, ev := range evs[:last] {
				rec.Observe(ev)
			}
			if err := rec.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			got, _, err := db.Run(ctx, run.ID)
			if err != nil || got.Status != flow.StatusRunning {
				t.Fatalf("before its finish the run reads %v, %v; want running", got, err)
			}
			if tc.delete {
				if err := db.DeleteRun(ctx, run.ID); err != nil {
					t.Fatal(err)
				}
			}
			if tc.change != nil {
				tc.change(&run)
				evs[last].Run = &run
			}
			rec.Observe(evs[last])
			if err := rec.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			got, gotSteps, err := db.Run(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "stored run", *got, run)
			if tc.delete {
				steps = nil // they went with the row
			}
			mustEqual(t, "stored steps", gotSteps, steps)
		})
	}
}
