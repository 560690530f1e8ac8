package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flowbench/flowbench/flow"
)

// SentRequestsKept is how many sent requests the request history keeps:
// RecordRequest deletes older ones beyond the newest SentRequestsKept.
const SentRequestsKept = 1000

// SentBodyBytes caps each body an attempt of a sent request keeps, as the
// engine caps what a step record keeps of a body (256 KiB): a longer
// response body is cut and its attempt marked Truncated.
const SentBodyBytes = 256 << 10

// SentRequest is one request sent from the request workspace or with
// `flowbench send --db`, as the request history keeps it (migration 0006's
// sent_requests table). It is not a run: ListRuns never returns it.
//
// Attempts are the engine's exchanges, one per HTTP attempt, already
// redacted (a connection's secrets never reach them); the last is the one
// whose response the sender showed. Method, URL, Status and Error, when
// left empty, are taken from the last attempt by RecordRequest.
type SentRequest struct {
	// ID is the history's own number, set by RecordRequest; newer requests
	// have larger IDs.
	ID int64 `json:"id,omitempty"`
	// At is when the request was sent.
	At time.Time `json:"at"`
	// Source says what sent it: "workspace" (the window) or "cli".
	Source string `json:"source,omitempty"`
	// Connection names the connection the request used; "" for a full URL.
	Connection string `json:"connection,omitempty"`
	Method     string `json:"method"`
	// URL is the URL as sent (the connection's base URL joined with the URI
	// and the query).
	URL string `json:"url"`
	// Status is the final response's HTTP status; 0 when none arrived.
	Status     int   `json:"status,omitempty"`
	DurationMs int64 `json:"durationMs"`
	// Error says why no usable response arrived (a refused connection, a
	// body over the limit), redacted.
	Error    string          `json:"error,omitempty"`
	Attempts []flow.Exchange `json:"attempts,omitempty"`
	// Call is the request as the sender wrote it (the fields of a call node:
	// the URI relative to the connection, query and header pairs, body, as
	// expressions), so a history entry reopens as it was written; nil when
	// the sender kept none.
	Call *flow.Call `json:"call,omitempty"`
}

// Response returns the last attempt, whose response the sender showed; nil
// when no attempt was made.
func (r *SentRequest) Response() *flow.Exchange {
	if len(r.Attempts) == 0 {
		return nil
	}
	return &r.Attempts[len(r.Attempts)-1]
}

// RequestQuery selects requests of the history, newest first.
type RequestQuery struct {
	// Text searches: every word of it must occur (ignoring ASCII case) in
	// the method, the URL, the connection's name, the error, or the last
	// attempt's request or response body, or be the status ("404") or its
	// class ("4xx").
	Text string
	// Method, Connection and Status, when set, must equal the request's
	// (the method ignoring case).
	Method     string
	Connection string
	Status     int
	// BeforeID pages: only requests older than this ID (0 means from the
	// newest).
	BeforeID int64
	// Limit bounds the answer; 0 or less means 100, and at most
	// SentRequestsKept are returned.
	Limit int
}

// statusClass is a word such as "4xx", which searches a class of statuses.
var statusClass = regexp.MustCompile(`^[1-5][xX][xX]$`)

// likeEscaper escapes LIKE's wildcards and its escape character '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// RecordRequest keeps one sent request in the history and returns its ID.
// It is stored as given but for its bodies, each cut at SentBodyBytes: the
// sender (the engine) has already redacted secrets. Requests beyond the
// newest SentRequestsKept are deleted in the same transaction.
func (db *DB) RecordRequest(ctx context.Context, r SentRequest) (int64, error) {
	return db.recordRequest(ctx, r, SentRequestsKept)
}

// recordRequest is RecordRequest keeping the newest keep requests.
func (db *DB) recordRequest(ctx context.Context, r SentRequest, keep int) (int64, error) {
	r.ID = 0
	r.Attempts = append([]flow.Exchange(nil), r.Attempts...)
	for i := range r.Attempts {
		x := &r.Attempts[i]
		x.RequestBody, _ = capText(x.RequestBody, SentBodyBytes)
		var cut bool
		if x.ResponseBody, cut = capText(x.ResponseBody, SentBodyBytes); cut {
			x.Truncated = true
		}
	}
	if last := r.Response(); last != nil {
		if r.Method == "" {
			r.Method = last.Method
		}
		if r.URL == "" {
			r.URL = last.URL
		}
		if r.Status == 0 {
			r.Status = last.Status
		}
		if r.Error == "" {
			r.Error = last.Error
		}
	}
	if r.At.IsZero() {
		r.At = db.now()
	}
	doc, err := json.Marshal(&r)
	if err != nil {
		return 0, fmt.Errorf("record the request %s %s: %w", r.Method, r.URL, err)
	}
	var id int64
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sent_requests(at, source, connection, method, url, status, duration_ms, error, doc)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			unixNano(r.At), r.Source, r.Connection, r.Method, r.URL, r.Status, r.DurationMs, r.Error, string(doc))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sent_requests WHERE id <= (SELECT id FROM sent_requests ORDER BY id DESC LIMIT 1 OFFSET ?)`, max(keep, 1))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("record the request %s %s in the request history: %w", r.Method, r.URL, err)
	}
	return id, nil
}

// capText cuts s to at most n bytes, at a character boundary, and reports
// whether it cut.
func capText(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	s = s[:n]
	// A character cut in two leaves at most UTFMax-1 bytes of it.
	for range utf8.UTFMax - 1 {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size != 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s, true
}

// ListRequests returns the requests of the history that q selects, newest
// first, each with its ID.
func (db *DB) ListRequests(ctx context.Context, q RequestQuery) ([]SentRequest, error) {
	var where []string
	var args []any
	if q.Method != "" {
		where = append(where, "method = ? COLLATE NOCASE")
		args = append(args, q.Method)
	}
	if q.Connection != "" {
		where = append(where, "connection = ?")
		args = append(args, q.Connection)
	}
	if q.Status != 0 {
		where = append(where, "status = ?")
		args = append(args, q.Status)
	}
	if q.BeforeID > 0 {
		where = append(where, "id < ?")
		args = append(args, q.BeforeID)
	}
	for _, w := range strings.Fields(q.Text) {
		like := "%" + likeEscaper.Replace(w) + "%"
		cond := `(method LIKE ? ESCAPE '\' OR url LIKE ? ESCAPE '\' OR connection LIKE ? ESCAPE '\' OR error LIKE ? ESCAPE '\'
			OR coalesce(doc ->> '$.attempts[#-1].requestBody', '') LIKE ? ESCAPE '\'
			OR coalesce(doc ->> '$.attempts[#-1].responseBody', '') LIKE ? ESCAPE '\'`
		args = append(args, like, like, like, like, like, like)
		if n, err := strconv.Atoi(w); err == nil {
			cond += " OR status = ?"
			args = append(args, n)
		} else if statusClass.MatchString(w) {
			lo := int(w[0]-'0') * 100
			cond += " OR status BETWEEN ? AND ?"
			args = append(args, lo, lo+99)
		}
		where = append(where, cond+")")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, SentRequestsKept)
	query := "SELECT id, doc FROM sent_requests"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list the request history: %w", err)
	}
	defer rows.Close()
	var out []SentRequest
	for rows.Next() {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("list the request history: %w", err)
		}
		r, err := decodeSent(id, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list the request history: %w", err)
	}
	return out, nil
}

// decodeSent reads the stored document of request id.
func decodeSent(id int64, doc string) (*SentRequest, error) {
	var r SentRequest
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		return nil, fmt.Errorf("request %d of the request history cannot be read: %w", id, err)
	}
	r.ID = id
	return &r, nil
}

// GetRequest returns the request id of the history; the error wraps
// ErrNotFound when there is none (it was pruned or deleted).
func (db *DB) GetRequest(ctx context.Context, id int64) (*SentRequest, error) {
	var doc string
	err := db.r.QueryRowContext(ctx, "SELECT doc FROM sent_requests WHERE id = ?", id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("request %d of the request history: %w (the history keeps the newest %d)", id, ErrNotFound, SentRequestsKept)
	}
	if err != nil {
		return nil, fmt.Errorf("read request %d of the request history: %w", id, err)
	}
	return decodeSent(id, doc)
}

// DeleteRequest deletes the request id from the history; deleting one that
// is not there is not an error.
func (db *DB) DeleteRequest(ctx context.Context, id int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sent_requests WHERE id = ?", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete request %d of the request history: %w", id, err)
	}
	return nil
}

// ClearRequests deletes the whole request history.
func (db *DB) ClearRequests(ctx context.Context) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sent_requests")
		return err
	})
	if err != nil {
		return fmt.Errorf("clear the request history: %w", err)
	}
	return nil
}
