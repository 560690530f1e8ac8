package integration

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the driver storage uses, registered as "sqlite"

	"github.com/flowbench/flowbench/engine"
)

// handRecorder is the floor of BenchmarkConcurrentRuns: the least a program
// can do to keep what Flowbench keeps of a run, written by hand with the same
// SQLite driver in the same WAL, synchronous=NORMAL mode. Each raw run sends
// one row per run holding its exchanges as JSON to a writer goroutine, which
// commits handBatch runs per transaction into two tables with no secondary
// index. It writes less than the recorder does (no run history indexes, no
// run snapshot before the run ends), so the throughput it allows is an upper
// bound for any recorded engine.
type handRecorder struct {
	db   *sql.DB
	rows chan handRow
	done chan error
}

type handRow struct {
	id       string
	at       int64
	exchange string
}

// handBatch is how many runs one hand transaction commits: about what the
// recorder's batches hold in this benchmark.
const handBatch = 12

func newHandRecorder(b *testing.B) *handRecorder {
	path := filepath.Join(b.TempDir(), "floor.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE runs(id TEXT PRIMARY KEY, status TEXT NOT NULL, started_at INTEGER NOT NULL);
		CREATE TABLE steps(run_id TEXT NOT NULL REFERENCES runs(id), first_seq INTEGER NOT NULL, steps TEXT NOT NULL,
			PRIMARY KEY(run_id, first_seq))`); err != nil {
		b.Fatal(err)
	}
	return &handRecorder{db: db}
}

// start begins a round; finish waits until every row sent is committed.
func (h *handRecorder) start() {
	h.rows, h.done = make(chan handRow, 256), make(chan error, 1)
	go func() {
		ctx := context.Background()
		pending := make([]handRow, 0, handBatch)
		commit := func() error {
			tx, err := h.db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			for _, r := range pending {
				if _, err := tx.Exec(`INSERT INTO runs VALUES(?, 'succeeded', ?)`, r.id, r.at); err != nil {
					tx.Rollback()
					return err
				}
				if _, err := tx.Exec(`INSERT INTO steps VALUES(?, 2, ?)`, r.id, r.exchange); err != nil {
					tx.Rollback()
					return err
				}
			}
			pending = pending[:0]
			return tx.Commit()
		}
		var err error
		for r := range h.rows {
			pending = append(pending, r)
			if len(pending) == handBatch && err == nil {
				err = commit()
			}
		}
		if len(pending) > 0 && err == nil {
			err = commit()
		}
		h.done <- err
	}()
}

func (h *handRecorder) finish(b *testing.B) {
	close(h.rows)
	if err := <-h.done; err != nil {
		b.Fatal(err)
	}
}

// rawRecordedLoop is rawLoop keeping each exchange as the recorder does (URL,
// headers both ways, status, body, timing) in one JSON array per run, and
// handing it to h.
func rawRecordedLoop(b *testing.B, h *handRecorder, client *http.Client, base string, n int, buf []byte) []byte {
	runID := uuid.NewString()
	at := time.Now().UnixNano()
	buf = append(buf[:0], '[')
	for i := 0; i < n; i++ {
		url := fmt.Sprintf("%s/items/acme/%d", base, i)
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("X-Request-Tag", "run-"+runID)
		id := uuid.NewString()
		req.Header.Set(engine.HeaderTaskGUID, id)
		req.Header.Set(engine.HeaderIdempotencyKey, id)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(resp.Status, err)
		}
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"seq":`...)
		buf = strconv.AppendInt(buf, int64(i+2), 10)
		buf = append(buf, `,"node":"get`...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, `","kind":"call","status":"succeeded","port":"next","httpStatus":200,"attempts":1,"startedAt":`...)
		buf = strconv.AppendInt(buf, t0.UnixNano(), 10)
		buf = append(buf, `,"exchanges":[{"attempt":1,"taskGuid":`...)
		buf = strconv.AppendQuote(buf, id)
		buf = append(buf, `,"method":"GET","url":`...)
		buf = strconv.AppendQuote(buf, url)
		buf = append(buf, `,"requestHeaders":`...)
		buf = appendHandHeader(buf, req.Header)
		buf = append(buf, `,"status":200,"responseHeaders":`...)
		buf = appendHandHeader(buf, resp.Header)
		buf = append(buf, `,"responseBody":`...)
		buf = strconv.AppendQuote(buf, string(body))
		buf = append(buf, `}]}`...)
	}
	buf = append(buf, ']')
	h.rows <- handRow{id: runID, at: at, exchange: string(buf)}
	return buf
}

func appendHandHeader(buf []byte, h http.Header) []byte {
	buf = append(buf, '{')
	first := true
	for k, vs := range h {
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = strconv.AppendQuote(buf, k)
		buf = append(buf, ':', '[')
		for j, v := range vs {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendQuote(buf, v)
		}
		buf = append(buf, ']')
	}
	return append(buf, '}')
}
