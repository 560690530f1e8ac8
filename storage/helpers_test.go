package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage/secret"
)

// testSealer returns a sealer whose 32-byte key is seed repeated.
func testSealer(t testing.TB, seed byte) *secret.Sealer {
	t.Helper()
	s, err := secret.NewSealer(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatalf("NewSealer: %v", err)
	}
	return s
}

// openAt opens the database at path, closing it when the test ends.
func openAt(t testing.TB, path string, s *secret.Sealer) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, Options{Sealer: s})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openTemp opens a fresh keyed database in a temporary directory.
func openTemp(t testing.TB) *DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "flowbench.db"), testSealer(t, 1))
}

// baseTime is a fixed instant built with time.Unix, so values read back
// (also built with time.Unix) compare equal with reflect.DeepEqual.
var baseTime = time.Unix(1_750_000_000, 123_456_789)

// sampleRun builds a finished run of n steps; call steps carry exchanges
// with headers, bodies and a retry, so every column is exercised.
func sampleRun(id string, n int, start time.Time) (flow.Run, []flow.Step) {
	run := flow.Run{
		ID: id, FlowID: "flow-1", FlowName: "Chatbot VIP routing", FlowVersion: 3,
		Status: flow.StatusSucceeded, Outcome: "routed", Trigger: "event:chat.opened",
		Input: json.RawMessage(`{"chatId":"c-42"}`), Env: "dev",
		StartedAt: start, FinishedAt: start.Add(time.Duration(n) * time.Millisecond),
		DurationMs: int64(n), ParentRunID: "parent-" + id,
	}
	steps := make([]flow.Step, n)
	for i := range steps {
		st := flow.Step{
			RunID: id, Seq: i + 1, Node: fmt.Sprintf("n%03d", i), Kind: flow.KindSet,
			Title: fmt.Sprintf("Step %d", i), Status: flow.StatusSucceeded, Port: flow.PortNext,
			StartedAt: start.Add(time.Duration(i) * time.Millisecond), DurationMs: 1,
		}
		switch i % 4 {
		case 1:
			st.Kind, st.HTTPStatus, st.Attempts, st.Port = flow.KindCall, 200, 2, "vip"
			st.ReturnValue = "vip"
			st.Exchanges = []flow.Exchange{
				{Attempt: 1, TaskGUID: "g-1", Method: "POST", URL: "http://127.0.0.1/v1/tier?x=1",
					RequestHeaders: map[string][]string{"Authorization": {"[redacted]"}, "Content-Type": {"application/json"}},
					RequestBody:    `{"chatId":"c-42"}`, Status: 503, ResponseBody: "busy", ResponseSize: 4, DurationMs: 3, Error: "503 Service Unavailable"},
				{Attempt: 2, Method: "POST", URL: "http://127.0.0.1/v1/tier?x=1", Status: 200,
					ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}},
					ResponseBody:    `{"returnValue":"vip"}`, ResponseSize: 21, Truncated: true, DurationMs: 2, WaitMs: 100},
			}
		case 2:
			st.Kind, st.Decision, st.Port = flow.KindDecision, "vars.amount > 1000 was true", "yes"
			st.ReturnValue = map[string]any{"amount": 1200.5, "tags": []any{"a", "b"}, "ok": true}
		case 3:
			st.Status, st.Error, st.Port = flow.StatusFailed, "connection \"crm\": dial tcp: connection refused", flow.PortFailure
		}
		steps[i] = st
	}
	return run, steps
}

// runEvents is the event sequence an engine emits for run and its steps.
func runEvents(run flow.Run, steps []flow.Step) []flow.RunEvent {
	started := run
	started.Status, started.Outcome, started.FinishedAt, started.DurationMs = flow.StatusRunning, "", time.Time{}, 0
	evs := []flow.RunEvent{{Kind: flow.EventRunStarted, RunID: run.ID, At: run.StartedAt, Run: &started}}
	for i := range steps {
		st := &steps[i]
		running := *st
		running.Status, running.Exchanges = flow.StatusRunning, nil
		evs = append(evs, flow.RunEvent{Kind: flow.EventStepStarted, RunID: run.ID, Step: &running})
		for j := range st.Exchanges {
			evs = append(evs,
				flow.RunEvent{Kind: flow.EventRequestSent, RunID: run.ID, Step: &running, Exchange: &st.Exchanges[j]},
				flow.RunEvent{Kind: flow.EventResponseReceived, RunID: run.ID, Step: &running, Exchange: &st.Exchanges[j]})
		}
		if st.Port != "" {
			evs = append(evs, flow.RunEvent{Kind: flow.EventBranchTaken, RunID: run.ID, Step: st, Edge: &flow.Edge{From: st.Node, Port: st.Port}})
		}
		evs = append(evs, flow.RunEvent{Kind: flow.EventStepFinished, RunID: run.ID, Step: st})
	}
	fin := run
	evs = append(evs, flow.RunEvent{Kind: flow.EventRunFinished, RunID: run.ID, At: run.FinishedAt, Run: &fin})
	return evs
}

// mustEqual fails with both values as JSON when got differs from want.
func mustEqual(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("%s differs:\ngot  %s\nwant %s", what, g, w)
	}
}
