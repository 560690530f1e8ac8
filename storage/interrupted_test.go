package storage

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

const ownerChildEnv = "FLOWBENCH_OWNER_CHILD"

// TestHelperOwnerChild records one run that stays running: its start and
// three steps, the last written after it prints "before <ns>", then prints
// "ready <ns>" and waits (at most 30 s) to be killed.
func TestHelperOwnerChild(t *testing.T) {
	spec := os.Getenv(ownerChildEnv)
	if spec == "" {
		t.Skip("run by TestFaultKilledRunIsInterrupted")
	}
	path, id, _ := strings.Cut(spec, "|")
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	rec := db.NewRecorder(RecorderOptions{})
	run, steps := sampleRun(id, 3, time.Now())
	evs := runEvents(run, steps)
	evs = evs[:len(evs)-1] // never finishes
	last := len(evs) - 1   // the last StepFinished
	for _, ev := range evs[:last] {
		rec.Observe(ev)
	}
	if err := rec.Flush(context.Background()); err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	time.Sleep(20 * time.Millisecond)
	fmt.Printf("before %d\n", time.Now().UnixNano())
	rec.Observe(evs[last])
	if err := rec.Flush(context.Background()); err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Printf("ready %d\n", time.Now().UnixNano())
	time.Sleep(30 * time.Second)
	os.Exit(0)
}

// startOwnerChild starts a child recording run id into path and returns
// once the child's run is committed, with the window its last record was
// written in.
func startOwnerChild(t *testing.T, path, id string) (cmd *exec.Cmd, before, ready int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	cmd = exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperOwnerChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), ownerChildEnv+"="+path+"|"+id)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); cancel() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "before" {
			before, _ = strconv.ParseInt(f[1], 10, 64)
		} else if len(f) == 2 && f[0] == "ready" {
			ready, _ = strconv.ParseInt(f[1], 10, 64)
			return cmd, before, ready
		} else {
			t.Fatalf("child %s: %s", id, sc.Text())
		}
	}
	t.Fatalf("child %s ended before its run was recorded", id)
	return
}

// TestFaultKilledRunIsInterrupted: a process SIGKILLed mid-run leaves its
// run running; the next open marks it interrupted, finished when its last
// record was written, while the running run of a live second process is
// left alone. Five rounds on one file, each checked with integrity_check.
func TestFaultKilledRunIsInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "flowbench.db")
	for round := range 5 {
		killedID, liveID := fmt.Sprintf("killed-%d", round), fmt.Sprintf("live-%d", round)
		victim, before, ready := startOwnerChild(t, path, killedID)
		live, _, _ := startOwnerChild(t, path, liveID)
		if err := victim.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		victim.Wait()

		db, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		var check string
		if err := db.r.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
		}
		run, steps, err := db.Run(context.Background(), killedID)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		fin := run.FinishedAt.UnixNano()
		if run.Status != flow.StatusInterrupted || len(steps) != 3 || fin < before || fin > ready ||
			!strings.Contains(run.Error, "process recording this run ended") {
			t.Fatalf("round %d: killed run is %s with %d steps, finished %d (last record written in [%d, %d]), error %q; want interrupted, 3 steps, finished in that window",
				round, run.Status, len(steps), fin, before, ready, run.Error)
		}
		if want := (fin - run.StartedAt.UnixNano()) / 1e6; run.DurationMs != want {
			t.Errorf("round %d: duration %d ms, want %d", round, run.DurationMs, want)
		}
		other, _, err := db.Run(context.Background(), liveID)
		if err != nil || other.Status != flow.StatusRunning {
			t.Fatalf("round %d: the live process's run is %v (%v), want running", round, other.Status, err)
		}
		db.Close()
		live.Process.Kill()
		live.Wait()
	}
	// The live children are gone now too: their runs are interrupted.
	db := openAt(t, path, nil)
	n, err := db.CountRuns(context.Background(), RunQuery{Status: flow.StatusInterrupted})
	if err != nil || n != 10 {
		t.Fatalf("%d interrupted runs (%v), want 10", n, err)
	}
}

// TestFaultCleanCloseLeavesNoOwner: a recorder that closes deletes its
// owner row, and its finished runs stay as they were.
func TestFaultCleanCloseLeavesNoOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flowbench.db")
	db := openAt(t, path, nil)
	rec := db.NewRecorder(RecorderOptions{})
	run, steps := sampleRun("done", 2, baseTime)
	for _, ev := range runEvents(run, steps) {
		rec.Observe(ev)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	var owners int
	if err := db.r.QueryRow(`SELECT count(*) FROM run_owners`).Scan(&owners); err != nil || owners != 0 {
		t.Fatalf("%d owner rows (%v) after Close, want 0", owners, err)
	}
	db.Close()
	db2 := openAt(t, path, nil)
	got, _, err := db2.Run(context.Background(), "done")
	if err != nil || got.Status != flow.StatusSucceeded {
		t.Fatalf("finished run is %v (%v) after reopen", got, err)
	}
}
