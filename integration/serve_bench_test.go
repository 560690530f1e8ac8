package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/webhook"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// webhookServe is what `flowbench serve` builds for webhooks: a runner
// recording through a recorder, and a webhook server; commit says whether
// answers wait for the run's commit (serve's behaviour) or are written as
// soon as the run ends (the old behaviour, kept as the baseline).
type webhookServe struct {
	db     *storage.DB
	rec    *storage.Recorder
	runner *engine.Runner
	hooks  *engine.WebhookServer
}

func startWebhookServe(tb testing.TB, db *storage.DB, commit bool, f *flow.Flow, conns []flow.Connection, getenv func(string) string) *webhookServe {
	tb.Helper()
	s := &webhookServe{db: db}
	cw := storage.NewCommitWaiter(0)
	s.rec = db.NewRecorder(storage.RecorderOptions{OnCommit: cw.Committed})
	cw.Attach(s.rec)
	var obs engine.Observer = s.rec
	opts := engine.WebhookOptions{MaxConcurrent: 64}
	if commit {
		obs = cw
		opts.Commit = func(ctx context.Context, run *flow.Run) error { return cw.Wait(ctx, run.ID) }
		opts.IDs = db
	}
	s.runner = engine.NewRunner(engine.Options{Connections: conns, Observers: []engine.Observer{obs}, Getenv: getenv})
	plan, err := engine.Compile(f, conns)
	if err != nil {
		tb.Fatal(err)
	}
	s.hooks = engine.NewWebhookServer(s.runner, opts)
	if err := s.hooks.SetPlans([]*engine.Plan{plan}); err != nil {
		tb.Fatal(err)
	}
	if err := s.hooks.Start("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	return s
}

func (s *webhookServe) stop() {
	s.hooks.Stop(context.Background())
	s.runner.Close()
	s.rec.Close()
}

func webhookLinearFlow(steps int, secret *flow.SecretRef) *flow.Flow {
	f := linearGETFlow(steps)
	f.Nodes[0].Trigger = &flow.Trigger{Type: flow.TriggerWebhook, Path: "/hooks/linear", Secret: secret}
	return f
}

// BenchmarkServeWebhookCommit: 16 concurrent clients post to a 20-step
// webhook flow, once with answers written after the run's commit (serve
// today) and once with answers written when the run ends (before this
// issue), in the same iteration. "commit-ratio" is the throughput of the
// first over the second (target ≥ 0.9); the req/s of both are reported.
func BenchmarkServeWebhookCommit(b *testing.B) { benchServeWebhook(b, false) }

// BenchmarkServeWebhookCommitSigned is BenchmarkServeWebhookCommit with
// Standard Webhooks signatures, each request a new webhook-id: the
// committing server also persists every id (the baseline keeps them in
// memory), so "commit-ratio" includes what replay protection costs.
func BenchmarkServeWebhookCommitSigned(b *testing.B) { benchServeWebhook(b, true) }

func benchServeWebhook(b *testing.B, signed bool) {
	const clients, perClient, steps = 16, 8, 20
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	api := newCountingServer(b)
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: api.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	var ref *flow.SecretRef
	if signed {
		ref = &flow.SecretRef{Env: "HOOK"}
	}
	f := webhookLinearFlow(steps, ref)
	getenv := func(string) string { return secret }
	committed := startWebhookServe(b, openTestDB(b), true, f, conns, getenv)
	defer committed.stop()
	early := startWebhookServe(b, openTestDB(b), false, f, conns, getenv)
	defer early.stop()
	var ids atomic.Int64
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	var failed atomic.Int64
	round := func(url string) time.Duration {
		t0 := time.Now()
		var wg sync.WaitGroup
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range perClient {
					body := []byte(`{"n": 1}`)
					req, _ := http.NewRequest("POST", url+"/hooks/linear", bytes.NewReader(body))
					if signed {
						webhook.SetHeaders(req.Header, secret, fmt.Sprintf("msg_%d", ids.Add(1)), time.Now(), body)
					}
					resp, err := client.Do(req)
					if err != nil {
						failed.Add(1)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(t0)
	}
	// The early server answers before its records are written, so its
	// recorder is still committing when its last answer goes out. That work
	// is its own: timing stops once its records are committed (earlyTime),
	// or else it would run, and be charged, during the next committed
	// round. earlyAnswers stops at the last answer, for comparison.
	earlyRound := func() (paid, answered time.Duration) {
		t0 := time.Now()
		answered = round(early.hooks.URL())
		if err := early.rec.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0), answered
	}
	var commitTime, earlyTime, earlyAnswers time.Duration
	n := 0
	for b.Loop() {
		// Alternate which goes first so neither always gets the warm cache.
		if n%2 == 0 {
			commitTime += round(committed.hooks.URL())
			paid, answered := earlyRound()
			earlyTime, earlyAnswers = earlyTime+paid, earlyAnswers+answered
		} else {
			paid, answered := earlyRound()
			earlyTime, earlyAnswers = earlyTime+paid, earlyAnswers+answered
			commitTime += round(committed.hooks.URL())
		}
		n++
	}
	if failed.Load() > 0 {
		b.Fatalf("%d webhook requests failed", failed.Load())
	}
	reqs := float64(n * clients * perClient)
	b.ReportMetric(reqs/commitTime.Seconds(), "commit-req/s")
	b.ReportMetric(reqs/earlyTime.Seconds(), "early-req/s")
	b.ReportMetric(earlyTime.Seconds()/commitTime.Seconds(), "commit-ratio")
	b.ReportMetric(earlyAnswers.Seconds()/commitTime.Seconds(), "vs-answers-ratio")
}

// TestFaultWebhookReplayAcrossRestart: a signed delivery repeated after the
// server and the database were closed and reopened is answered with the
// first run's id, and the database holds one run, committed before the
// first answer.
func TestFaultWebhookReplayAcrossRestart(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	api := newCountingServer(t)
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: api.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	f := webhookLinearFlow(3, &flow.SecretRef{Env: "HOOK"})
	getenv := func(string) string { return secret }
	path := filepath.Join(t.TempDir(), "flowbench.db")
	open := func() *storage.DB {
		db, err := storage.Open(context.Background(), path, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	body := []byte(`{"n": 1}`)
	signedAt := time.Now()
	post := func(url string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", url+"/hooks/linear", bytes.NewReader(body))
		webhook.SetHeaders(req.Header, secret, "msg_restart", signedAt, body)
		resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}

	db := open()
	s := startWebhookServe(t, db, true, f, conns, getenv)
	code, first := post(s.hooks.URL())
	if code != 200 || first["status"] != "succeeded" {
		t.Fatalf("first delivery: %d %v", code, first)
	}
	runID := fmt.Sprint(first["runId"])
	// Committed before the answer: readable now, before anything is closed.
	if run, _, err := db.Run(context.Background(), runID); err != nil || run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s right after its answer: %v %v", runID, run, err)
	}
	s.stop()
	db.Close()

	db = open()
	defer db.Close()
	s = startWebhookServe(t, db, true, f, conns, getenv)
	defer s.stop()
	code, again := post(s.hooks.URL())
	if code != 200 || again["runId"] != runID || again["duplicate"] != true || again["status"] != "succeeded" {
		t.Fatalf("repeat after restart: %d %v; want 200, runId %s, duplicate", code, again, runID)
	}
	if n, err := db.CountRuns(context.Background(), storage.RunQuery{}); err != nil || n != 1 {
		t.Fatalf("%d runs stored (%v), want 1", n, err)
	}
}
