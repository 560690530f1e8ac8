package storage

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestFaultRecorderNamesLostRuns: when the database refuses writes (the
// writer is made query-only, which stops root too), Flush reports the error
// and Lost names each run whose record is missing, with its flow's name;
// runs written before the fault are not named.
func TestFaultRecorderNamesLostRuns(t *testing.T) {
	db := openTemp(t)
	rec := db.NewRecorder(RecorderOptions{})
	good, goodSteps := sampleRun("run-ok", 2, baseTime)
	for _, ev := range runEvents(good, goodSteps) {
		rec.Observe(ev)
	}
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatalf("Flush before the fault: %v", err)
	}
	if _, err := db.w.Exec(`PRAGMA query_only = 1`); err != nil {
		t.Fatal(err)
	}
	bad, badSteps := sampleRun("run-lost", 3, baseTime)
	bad.FlowName = "Refunds"
	for _, ev := range runEvents(bad, badSteps) {
		rec.Observe(ev)
	}
	err := rec.Flush(context.Background())
	if err == nil {
		t.Fatal("Flush returned nil although nothing could be written")
	}
	lost := rec.Lost()
	if len(lost) != 1 || lost[0].ID != "run-lost" || lost[0].FlowName != "Refunds" || !strings.Contains(lost[0].Err, "readonly") {
		t.Fatalf("Lost() = %+v, want only run-lost of flow Refunds with a read-only error", lost)
	}
	if _, err := db.w.Exec(`PRAGMA query_only = 0`); err != nil {
		t.Fatal(err)
	}
	// Observed after Close: dropped, and so lost too.
	rec.Close()
	late, _ := sampleRun("run-late", 0, baseTime)
	rec.Observe(runEvents(late, nil)[0])
	if lost := rec.Lost(); len(lost) != 2 || lost[1].ID != "run-late" {
		t.Fatalf("a run observed after Close is not named lost: %+v", lost)
	}
}

// TestFaultDatabaseFileModes: the database, WAL and SHM files are 0600
// after a write, also when an older version left them 0644.
func TestFaultDatabaseFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	check := func(path string) {
		t.Helper()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if m := fi.Mode().Perm(); m != 0o600 {
				t.Errorf("%s has mode %o, want 600", p, m)
			}
		}
	}
	write := func(db *DB, id string) {
		t.Helper()
		rec := db.NewRecorder(RecorderOptions{})
		run, steps := sampleRun(id, 1, baseTime)
		for _, ev := range runEvents(run, steps) {
			rec.Observe(ev)
		}
		if err := rec.Close(); err != nil {
			t.Fatal(err)
		}
	}
	old := umask(0o022)
	defer umask(old)

	path := filepath.Join(t.TempDir(), "flowbench.db")
	db := openAt(t, path, testSealer(t, 1))
	write(db, "run-1")
	check(path)

	// Files an older version created 0644, still open in another process
	// (so the WAL and SHM stay): reopening tightens them.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db2 := openAt(t, path, testSealer(t, 1))
	write(db2, "run-2")
	check(path)
}
