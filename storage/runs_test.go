package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

var (
	pagingFlows    = []string{"flow-a", "flow-b", "flow-c"}
	pagingStatuses = []flow.Status{flow.StatusSucceeded, flow.StatusFailed, flow.StatusStopped, flow.StatusRunning}
)

// insertRuns writes n runs in one transaction, straight through SQL: run i
// belongs to pagingFlows[i%3], has pagingStatuses[i%4], and starts at
// baseTime + i/3 seconds, so runs share start times and the ID decides their
// order. IDs are a permutation of i, so insertion order is not ID order.
func insertRuns(t testing.TB, db *DB, n int) {
	t.Helper()
	ctx := context.Background()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, upsertRunSQL)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range n {
			r := flow.Run{
				ID: fmt.Sprintf("run-%06d", (i*7919)%n), FlowID: pagingFlows[i%3], FlowName: "Paging",
				Status: pagingStatuses[i%4], StartedAt: baseTime.Add(time.Duration(i/3) * time.Second),
			}
			if _, err := st.ExecContext(ctx, runArgs(&r)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert %d runs: %v", n, err)
	}
}

// before reports whether a sorts after b in ListRuns order (newest first).
func before(a, b flow.Run) bool {
	if !a.StartedAt.Equal(b.StartedAt) {
		return a.StartedAt.After(b.StartedAt)
	}
	return a.ID > b.ID
}

func TestListRunsPaging(t *testing.T) {
	const total = 100_000
	if testing.Short() {
		t.Skip("inserts 100,000 runs")
	}
	db := openTemp(t)
	t0 := time.Now()
	insertRuns(t, db, total)
	t.Logf("inserted %d runs in %v", total, time.Since(t0))
	ctx := context.Background()

	// expected counts each filter should find, from the insertion rule.
	expect := func(flowID string, status flow.Status) int {
		n := 0
		for i := range total {
			if (flowID == "" || pagingFlows[i%3] == flowID) && (status == "" || pagingStatuses[i%4] == status) {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name   string
		flowID string
		status flow.Status
		limit  int
	}{
		{"all, pages of 1000", "", "", 1000},
		{"one flow, pages of 777", "flow-b", "", 777},
		{"one status, pages of 500", "", flow.StatusFailed, 500},
		{"flow and status, default page", "flow-c", flow.StatusRunning, 0},
		{"limit above the cap", "flow-a", flow.StatusSucceeded, 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := expect(tc.flowID, tc.status)
			q := RunQuery{FlowID: tc.flowID, Status: tc.status, Limit: tc.limit}
			if n, err := db.CountRuns(ctx, q); err != nil || n != want {
				t.Fatalf("CountRuns = %d, %v; want %d", n, err, want)
			}
			page := tc.limit
			if page <= 0 {
				page = defaultRunPage
			}
			page = min(page, maxRunPage)
			seen := make(map[string]bool, want)
			var prev *flow.Run
			pages := 0
			for cursor := (*RunCursor)(nil); ; {
				q.Before = cursor
				runs, next, err := db.ListRuns(ctx, q)
				if err != nil {
					t.Fatalf("page %d: %v", pages, err)
				}
				pages++
				if pages > total {
					t.Fatal("paging does not end")
				}
				if next != nil && len(runs) != page {
					t.Fatalf("page %d has %d runs, want %d", pages, len(runs), page)
				}
				if next == nil && (len(runs) == 0 || len(runs) > page) && want > 0 {
					t.Fatalf("last page has %d runs", len(runs))
				}
				for i := range runs {
					r := runs[i]
					if seen[r.ID] {
						t.Fatalf("run %s listed twice", r.ID)
					}
					seen[r.ID] = true
					if (tc.flowID != "" && r.FlowID != tc.flowID) || (tc.status != "" && r.Status != tc.status) {
						t.Fatalf("run %s (%s, %s) does not match the filter", r.ID, r.FlowID, r.Status)
					}
					if prev != nil && !before(*prev, r) {
						t.Fatalf("run %s (%v) listed after %s (%v): not newest first", r.ID, r.StartedAt, prev.ID, prev.StartedAt)
					}
					prev = &runs[i]
				}
				if next == nil {
					break
				}
				if last := runs[len(runs)-1]; next.ID != last.ID || !next.StartedAt.Equal(last.StartedAt) {
					t.Fatalf("cursor %+v is not the last run of the page", next)
				}
				cursor = next
			}
			if len(seen) != want {
				t.Fatalf("visited %d runs, want %d", len(seen), want)
			}
			if wantPages := (want + page - 1) / page; pages != wantPages {
				t.Fatalf("%d pages, want %d", pages, wantPages)
			}
		})
	}
}

// TestListRunsUsesIndex checks the query plans: every listing is a walk of an
// index in order, never a scan and sort of the whole table.
func TestListRunsUsesIndex(t *testing.T) {
	db := openTemp(t)
	insertRuns(t, db, 2000)
	if _, err := db.w.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	cur := &RunCursor{StartedAt: baseTime.Add(100 * time.Second), ID: "run-000500"}
	for _, tc := range []struct {
		name string
		q    RunQuery
	}{
		{"all", RunQuery{}},
		{"all with cursor", RunQuery{Before: cur}},
		{"flow with cursor", RunQuery{FlowID: "flow-a", Before: cur}},
		{"status with cursor", RunQuery{Status: flow.StatusFailed, Before: cur}},
		{"flow and status with cursor", RunQuery{FlowID: "flow-a", Status: flow.StatusFailed, Before: cur}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query, args, _ := listRunsSQL(tc.q)
			rows, err := db.r.Query("EXPLAIN QUERY PLAN "+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			p := strings.Join(plan, "; ")
			if !strings.Contains(p, "USING INDEX runs_by_") || strings.Contains(p, "TEMP B-TREE") {
				t.Fatalf("plan does not walk an index in order: %s", p)
			}
			if tc.q.Before != nil && !strings.Contains(p, "<") {
				t.Fatalf("plan does not seek to the cursor: %s", p)
			}
			t.Log(p)
		})
	}
}

func TestDeleteRuns(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	rec := db.NewRecorder(RecorderOptions{})
	for i := range 1200 {
		run, steps := sampleRun(fmt.Sprintf("r%04d", i), 2, baseTime.Add(time.Duration(i)*time.Minute))
		evs := runEvents(run, steps)
		raised := flow.RaisedEvent{Name: "done", At: run.FinishedAt}
		evs = append(evs, flow.RunEvent{Kind: flow.EventRaised, RunID: run.ID, Raised: &raised})
		for _, ev := range evs {
			rec.Observe(ev)
		}
	}
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(table string) int {
		var n int
		db.r.QueryRow("SELECT count(*) FROM " + table).Scan(&n)
		return n
	}
	if err := db.DeleteRun(ctx, "r0005"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Run(ctx, "r0005"); err == nil {
		t.Fatal("deleted run still readable")
	}
	// 1100 runs started before minute 1100; r0005 is already gone.
	n, err := db.DeleteRunsBefore(ctx, baseTime.Add(1100*time.Minute))
	if err != nil || n != 1099 {
		t.Fatalf("DeleteRunsBefore = %d, %v; want 1099", n, err)
	}
	for _, tc := range []struct {
		table string
		want  int
	}{{"runs", 100}, {"steps", 200}, {"events", 100}} {
		if got := count(tc.table); got != tc.want {
			t.Errorf("%s: %d rows left, want %d", tc.table, got, tc.want)
		}
	}
	events, err := db.Events(ctx, 5)
	if err != nil || len(events) != 5 || events[0].RunID != "r1199" {
		t.Fatalf("Events = %+v, %v; want the 5 newest, r1199 first", events, err)
	}
}

func TestListRunsSkipTests(t *testing.T) {
	db := openTemp(t)
	rec := db.NewRecorder(RecorderOptions{})
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, trig := range []string{"manual", "test", "webhook"} {
		r := flow.Run{ID: fmt.Sprintf("r%d", i), FlowName: "F", Trigger: trig, Status: flow.StatusSucceeded, StartedAt: at.Add(time.Duration(i) * time.Second)}
		rec.Observe(flow.RunEvent{Kind: flow.EventRunFinished, RunID: r.ID, Run: &r})
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	runs, _, err := db.ListRuns(ctx, RunQuery{SkipTests: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != "r2" || runs[1].ID != "r0" {
		t.Fatalf("SkipTests listed %v", runs)
	}
	if n, err := db.CountRuns(ctx, RunQuery{SkipTests: true}); err != nil || n != 2 {
		t.Fatalf("SkipTests counted %d, %v", n, err)
	}
	if n, _ := db.CountRuns(ctx, RunQuery{}); n != 3 {
		t.Fatalf("all runs: %d", n)
	}
}
