// Package storage keeps everything Flowbench remembers in one SQLite file:
// flows with their version history, connections, sealed secrets, the OAuth
// token cache, and the record of every run (runs, steps with their HTTP
// exchanges, raised events).
//
// The file is opened twice: one writer connection (every write goes through
// it, so writers queue in Go instead of meeting SQLITE_BUSY) and a read-only
// pool (WAL lets readers run beside the writer). Pragmas travel in the DSN so
// every pooled connection gets them. Run records arrive through a Recorder,
// which batches them off the run's critical path.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/flowbench/flowbench/storage/secret"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// ErrNotFound is wrapped by every lookup that finds nothing; the wrapping
// error names what was looked for.
var ErrNotFound = errors.New("not found")

// ErrNoKey is wrapped by secret operations on a database opened without a
// Sealer: there is no master key to seal or open secrets with.
var ErrNoKey = errors.New("no master key is loaded, so secrets cannot be sealed or read; set FLOWBENCH_MASTER_KEY or store a key in the OS keychain")

// ErrCorruptSecret is wrapped when a sealed secret fails its integrity check
// although the master key is right: the row was altered outside Flowbench.
var ErrCorruptSecret = errors.New("sealed secret failed its integrity check")

// busyTimeoutMs bounds how long a connection waits for another process (a
// second Flowbench, the CLI) holding the write lock before SQLITE_BUSY.
const busyTimeoutMs = 10000

// maxReaders is the size of the read pool: the UI, the CLI and tests read a
// few things at once, and each pooled connection costs a page cache.
const maxReaders = 4

// Options configure Open. The zero value opens a database that cannot touch
// secrets and uses the real clock.
type Options struct {
	// Sealer seals and opens secret values. Nil means secret operations
	// return an error wrapping ErrNoKey.
	Sealer *secret.Sealer
	// KeySource says where Sealer's key came from (secret.KeySource's
	// String, naming the key file's path); errors about secrets that do not
	// open name it.
	KeySource string
	// Now gives the time stamped on saved flows, connections and secrets;
	// nil means time.Now.
	Now func() time.Time
}

// DB is an open Flowbench database. Its methods are safe for concurrent use.
type DB struct {
	path   string
	w      *sql.DB // one connection: every write
	r      *sql.DB // read-only pool
	sealer *secret.Sealer
	keySrc string // where the key came from, for errors; "" when unknown
	now    func() time.Time

	webhooks webhookSweep

	mu        sync.Mutex
	recorders map[*Recorder]struct{}
	closed    bool
}

// DefaultPath returns where the application keeps its database:
// os.UserConfigDir()/flowbench/flowbench.db. The directory may not exist yet;
// Open creates it.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user configuration directory for the Flowbench database: %w", err)
	}
	return filepath.Join(dir, "flowbench", "flowbench.db"), nil
}

// dsn builds the connection string: a SQLite URI (so the path may hold any
// character) carrying the pragmas every connection of the pool must have.
func dsn(path string, readOnly bool) string {
	p := filepath.ToSlash(path)
	if runtime.GOOS == "windows" && len(p) > 1 && p[1] == ':' {
		p = "/" + p // file:/C:/... is the URI form of a drive path
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMs))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// journal_mode is persistent in the file; the writer sets it so a
		// fresh file is WAL before its first table exists.
		q.Add("_pragma", "journal_mode(WAL)")
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction
		// never fails half-way on a lock upgrade another process holds.
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating it and its directory when missing) the database at
// path and brings its schema up to date. With a Sealer it first verifies the
// key against the check value stored by the first keyed open — a different
// key fails with an error wrapping secret.ErrWrongKey before anything is
// changed — and then checks that every sealed secret still opens, failing
// with ErrCorruptSecret naming the first that does not.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: no path given; use storage.DefaultPath for the usual place")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the directory for database %s: %w", path, err)
	}
	if err := ensurePrivate(path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{path: path, w: w, sealer: opts.Sealer, keySrc: opts.KeySource, now: opts.Now, recorders: map[*Recorder]struct{}{}}
	if db.now == nil {
		db.now = time.Now
	}
	fail := func(err error) (*DB, error) {
		w.Close()
		if db.r != nil {
			db.r.Close()
		}
		return nil, err
	}
	if err := w.PingContext(ctx); err != nil {
		return fail(fmt.Errorf("open database %s: %w", path, err))
	}
	// The key is checked before migrating, so a wrong key changes nothing.
	if err := db.verifyKey(ctx); err != nil {
		return fail(err)
	}
	if err := migrate(ctx, w); err != nil {
		return fail(fmt.Errorf("database %s: %w", path, err))
	}
	if err := db.storeKeyCheck(ctx); err != nil {
		return fail(err)
	}
	if err := db.reconcileRuns(ctx); err != nil {
		return fail(err)
	}
	db.r, err = sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return fail(fmt.Errorf("open database %s for reading: %w", path, err))
	}
	db.r.SetMaxOpenConns(maxReaders)
	db.r.SetMaxIdleConns(maxReaders)
	if err := db.r.PingContext(ctx); err != nil {
		return fail(fmt.Errorf("open database %s for reading: %w", path, err))
	}
	if err := db.checkSecrets(ctx); err != nil {
		return fail(err)
	}
	// The WAL and SHM files exist now; SQLite gives them the database
	// file's mode, but ones left by an older version may be looser.
	if err := tightenModes(path); err != nil {
		return fail(err)
	}
	return db, nil
}

// privateMode is the mode of the database and its WAL and SHM files: runs
// hold response bodies, so only the owner may read them.
const privateMode = 0o600

// ensurePrivate creates the database file 0600 when it is missing (SQLite
// would create it 0644) and tightens the modes of the files already there.
func ensurePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	if err == nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("create database %s: %w", path, err)
		}
		return nil
	}
	if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return tightenModes(path)
}

// tightenModes removes group and other permissions from the database, WAL
// and SHM files that exist and are looser than 0600. Only regular files are
// touched, so a symlinked or special path is left to its owner.
func tightenModes(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Lstat(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("check the permissions of %s: %w", p, err)
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, fi.Mode().Perm()&^0o077); err != nil {
			return fmt.Errorf("make %s readable by its owner only (it holds run records): %w; run chmod 600 on it", p, err)
		}
	}
	return nil
}

// Path returns the file the database lives in.
func (db *DB) Path() string { return db.path }

// Close stops any recorder still open (flushing what it holds), then closes
// the database. It is safe to call more than once.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	recs := make([]*Recorder, 0, len(db.recorders))
	for r := range db.recorders {
		recs = append(recs, r)
	}
	db.mu.Unlock()
	var errs []error
	for _, r := range recs {
		if err := r.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	errs = append(errs, db.w.Close())
	return errors.Join(errs...)
}

// writeTx runs fn in one immediate transaction on the writer connection and
// commits it when fn returns nil.
func (db *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// readTx runs fn in one read transaction, so what it reads is one snapshot.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// unixNano stores a time as nanoseconds since the epoch; the zero time is 0,
// so "not set" survives a round trip and sorts first.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromUnixNano is the inverse of unixNano.
func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
