package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// heartbeatInterval is how often a recorder refreshes its owner row.
const heartbeatInterval = 5 * time.Second

// staleOwnerAfter is how old a heartbeat may be before its owner counts as
// gone, whatever host it is on.
const staleOwnerAfter = 6 * heartbeatInterval

// interruptedError is the error text of a run marked interrupted.
const interruptedError = "the process recording this run ended before the run did (killed, crashed or powered off); its record ends at its last step written"

// reconcileSQL marks the running runs whose owner is gone as interrupted,
// finished when their last record was written. ?1 is this host, ?2 the
// owner ids found dead on this host (a JSON array), ?3 the stale-heartbeat
// limit in Unix nanoseconds, ?4 the error text.
const reconcileSQL = `UPDATE runs SET status = 'interrupted', error = ?4,
	finished_at = CASE WHEN recorded_at > 0 THEN recorded_at ELSE started_at END,
	duration_ms = MAX(0, (CASE WHEN recorded_at > 0 THEN recorded_at ELSE started_at END) - started_at) / 1000000
WHERE status = 'running' AND owner_id <> '' AND owner_id IN (
	SELECT r.owner_id FROM runs r LEFT JOIN run_owners o ON o.id = r.owner_id
	WHERE r.status = 'running' AND (o.id IS NULL OR o.heartbeat_at < ?3
		OR (o.host = ?1 AND o.id IN (SELECT value FROM json_each(?2)))))`

// reconcileRuns marks the runs no live process owns as interrupted and
// deletes the owner rows of processes that are gone.
func (db *DB) reconcileRuns(ctx context.Context) error {
	host := hostName()
	rows, err := db.w.QueryContext(ctx, `SELECT id, pid FROM run_owners WHERE host = ?`, host)
	if err != nil {
		return fmt.Errorf("database %s: find the processes recording runs: %w", db.path, err)
	}
	var dead []string
	for rows.Next() {
		var id string
		var pid int
		if err := rows.Scan(&id, &pid); err != nil {
			rows.Close()
			return fmt.Errorf("database %s: read the processes recording runs: %w", db.path, err)
		}
		if pid != os.Getpid() && !processAlive(pid) {
			dead = append(dead, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("database %s: read the processes recording runs: %w", db.path, err)
	}
	deadJSON, err := json.Marshal(append([]string{}, dead...))
	if err != nil {
		return err
	}
	stale := unixNano(time.Now().Add(-staleOwnerAfter))
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, reconcileSQL, host, string(deadJSON), stale, interruptedError); err != nil {
			return fmt.Errorf("database %s: mark the runs of ended processes interrupted: %w", db.path, err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM run_owners WHERE heartbeat_at < ?2
			OR (host = ?1 AND id IN (SELECT value FROM json_each(?3)))`, host, stale, string(deadJSON))
		if err != nil {
			return fmt.Errorf("database %s: forget ended processes: %w", db.path, err)
		}
		return nil
	})
}

// hostName names this machine in owner rows.
func hostName() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	return h
}

// newOwnerID returns a random owner id.
func newOwnerID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// owner is a recorder's row in run_owners, kept fresh by a heartbeat.
type owner struct {
	db   *DB
	id   string
	stop chan struct{}
	done chan struct{}
}

// register writes the owner row and starts its heartbeat.
func (db *DB) newOwner(ctx context.Context) (*owner, error) {
	o := &owner{db: db, id: newOwnerID(), stop: make(chan struct{}), done: make(chan struct{})}
	now := unixNano(time.Now())
	if _, err := db.w.ExecContext(ctx, `INSERT INTO run_owners(id, pid, host, started_at, heartbeat_at) VALUES(?, ?, ?, ?, ?)`,
		o.id, os.Getpid(), hostName(), now, now); err != nil {
		return nil, fmt.Errorf("record runs: register this process in database %s: %w", db.path, err)
	}
	go o.beat()
	return o, nil
}

func (o *owner) beat() {
	defer close(o.done)
	t := time.NewTicker(heartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-o.stop:
			return
		case <-t.C:
			// A failed beat is retried at the next tick; past
			// staleOwnerAfter the runs may be marked interrupted and
			// their finish then corrects them.
			o.db.w.ExecContext(context.Background(), `UPDATE run_owners SET heartbeat_at = ? WHERE id = ?`, unixNano(time.Now()), o.id)
		}
	}
}

// close stops the heartbeat and deletes the owner row: runs it still has
// running are interrupted at the next open.
func (o *owner) close() {
	close(o.stop)
	<-o.done
	o.db.w.ExecContext(context.Background(), `DELETE FROM run_owners WHERE id = ?`, o.id)
}

// stampRunsSQL gives the running runs of a commit (?3, a JSON array of ids)
// their owner (?1) and the time of their last record (?2).
const stampRunsSQL = `UPDATE runs SET owner_id = ?1, recorded_at = ?2
	WHERE id IN (SELECT value FROM json_each(?3)) AND status = 'running'`
