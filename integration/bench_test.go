package integration

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// countingServer is a loopback server answering a small JSON body, counting the
// TCP connections clients open to it.
type countingServer struct {
	*httptest.Server
	conns atomic.Int64
}

func newCountingServer(tb testing.TB) *countingServer {
	s := &countingServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok": true, "item": "`+r.URL.Path+`"}`)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

// linearGETFlow is n GET calls in a row, each with a CEL URI and header template.
func linearGETFlow(n int) *flow.Flow {
	f := &flow.Flow{Format: flow.Format, Name: fmt.Sprintf("linear %d", n), Variables: map[string]string{"tenant": `"acme"`}}
	f.Nodes = append(f.Nodes, flow.Node{ID: "start", Kind: flow.KindStart})
	prev := "start"
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("get%d", i)
		f.Nodes = append(f.Nodes, flow.Node{ID: id, Kind: flow.KindCall, Call: &flow.Call{
			Connection: "api", Method: "GET",
			URI:     fmt.Sprintf(`"/items/" + vars.tenant + "/%d"`, i),
			Headers: []flow.Pair{{Key: `"X-Request-Tag"`, Value: `"run-" + run.id`}},
		}})
		f.Edges = append(f.Edges, flow.Edge{From: prev, To: id})
		prev = id
	}
	f.Nodes = append(f.Nodes, flow.Node{ID: "end", Kind: flow.KindEnd, Outcome: "done"})
	f.Edges = append(f.Edges, flow.Edge{From: prev, To: "end"})
	return f
}

// rawLoop sends the same n requests with plain net/http over the given
// transport: the same method, URL and headers as the flow's steps, including
// the task GUID and idempotency key every call carries (a fresh UUID per
// request, as the engine makes).
func rawLoop(b *testing.B, client *http.Client, base string, n int) {
	for i := 0; i < n; i++ {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/items/acme/%d", base, i), nil)
		req.Header.Set("X-Request-Tag", "run-x")
		id := uuid.NewString()
		req.Header.Set(engine.HeaderTaskGUID, id)
		req.Header.Set(engine.HeaderIdempotencyKey, id)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
}

// BenchmarkLinear100 compares a 100-step flow of GET calls, recorded to
// SQLite, with a plain net/http loop making the same 100 requests over the same
// kind of transport. The reported ratio is flow time / raw time (target ≤ 1.15):
// the run's wall time, with the recorder working alongside it as it does in
// use. What the recorder has left when the run returns (it writes off the
// run's critical path) is committed before the raw loop starts, so none of it
// is charged to the raw loop; "recorded-ratio" counts that wait too.
func BenchmarkLinear100(b *testing.B) {
	const steps = 100
	srv := newCountingServer(b)
	db := openTestDB(b)
	rec := db.NewRecorder(storage.RecorderOptions{})
	defer rec.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	r := engine.NewRunner(engine.Options{Connections: conns, Observers: []engine.Observer{rec}})
	defer r.Close()
	plan, err := engine.Compile(linearGETFlow(steps), conns)
	if err != nil {
		b.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	client := &http.Client{Transport: tr}
	ctx := context.Background()

	var flowTime, recordedTime, rawTime time.Duration
	for b.Loop() {
		t0 := time.Now()
		res, err := r.Run(ctx, plan, engine.Input{})
		if err != nil || res.Run.Status != flow.StatusSucceeded {
			b.Fatalf("run: %v %s", err, res.Run.Error)
		}
		flowTime += time.Since(t0)
		recordAll(b, r, rec)
		recordedTime += time.Since(t0)
		t1 := time.Now()
		rawLoop(b, client, srv.URL, steps)
		rawTime += time.Since(t1)
	}
	b.ReportMetric(float64(flowTime)/float64(rawTime), "ratio")
	b.ReportMetric(float64(recordedTime)/float64(rawTime), "recorded-ratio")
	b.ReportMetric(float64(flowTime.Microseconds())/float64(b.N), "flow-µs/run")
	b.ReportMetric(float64(rawTime.Microseconds())/float64(b.N), "raw-µs/run")
}

// recordAll waits until every event the runner emitted has reached the
// recorder and every record is committed.
func recordAll(b *testing.B, r *engine.Runner, rec *storage.Recorder) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	if err := rec.Flush(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkConcurrentRuns compares 16 concurrent runs of 20 steps with a
// 16-goroutine raw loop: throughput ratio (target ≥ 0.85), connections opened
// relative to the raw loop (target ≤ 1.1), and SQLITE_BUSY errors (target 0).
// Each round closes both sides' idle connections first, so both dial anew,
// then has every worker make concurrentRounds runs (or raw loops) back to
// back; the flow's round ends when all its records are committed, so
// recording is paid for in full and none of it spills into the raw loop.
// "runs-only-ratio" stops the flow's clock when its runs return instead.
//
// A third phase runs the raw loop again keeping its exchanges by hand in
// SQLite (handRecorder): "floor-ratio" is the raw loop's throughput relative
// to it, the best any recorded run could reach against the raw loop with this
// driver on this machine, and "of-floor" is the flow's throughput relative to
// that hand-recorded loop.
func BenchmarkConcurrentRuns(b *testing.B) {
	benchConcurrentRuns(b, true)
}

// BenchmarkConcurrentRunsUnrecorded is BenchmarkConcurrentRuns with no
// observer at all: what the engine alone costs against the raw loop, so the
// recorder's share of BenchmarkConcurrentRuns is the difference.
func BenchmarkConcurrentRunsUnrecorded(b *testing.B) {
	benchConcurrentRuns(b, false)
}

func benchConcurrentRuns(b *testing.B, record bool) {
	const workers, steps, concurrentRounds = 16, 20, 5
	flowSrv, rawSrv := newCountingServer(b), newCountingServer(b)
	db := openTestDB(b)
	rec := db.NewRecorder(storage.RecorderOptions{})
	defer rec.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: flowSrv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	var observers []engine.Observer
	if record {
		observers = []engine.Observer{rec}
	}
	r := engine.NewRunner(engine.Options{Connections: conns, Observers: observers})
	defer r.Close()
	plan, err := engine.Compile(linearGETFlow(steps), conns)
	if err != nil {
		b.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	client := &http.Client{Transport: tr}
	ctx := context.Background()

	var flowTime, runsTime, rawTime, floorTime time.Duration
	var hand *handRecorder
	var floorSrv *countingServer // its own, so rawSrv counts the raw loop's connections only
	if record {
		hand, floorSrv = newHandRecorder(b), newCountingServer(b)
	}
	var failed atomic.Int64
	for b.Loop() {
		// Every round starts cold on both sides, so the connection counts
		// sum what 16 concurrent starts open over many rounds rather than
		// over one (where a single dial race moves the ratio by 6%).
		r.CloseIdleConnections()
		tr.CloseIdleConnections()
		t0 := time.Now()
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range concurrentRounds {
					res, err := r.Run(ctx, plan, engine.Input{})
					if err != nil || res.Run.Status != flow.StatusSucceeded {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		runsTime += time.Since(t0)
		recordAll(b, r, rec)
		flowTime += time.Since(t0)
		t1 := time.Now()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range concurrentRounds {
					rawLoop(b, client, rawSrv.URL, steps)
				}
			}()
		}
		wg.Wait()
		rawTime += time.Since(t1)
		if !record {
			continue
		}
		// The floor: the raw loop again, keeping its exchanges by hand.
		tr.CloseIdleConnections()
		t2 := time.Now()
		hand.start()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var buf []byte
				for range concurrentRounds {
					buf = rawRecordedLoop(b, hand, client, floorSrv.URL, steps, buf)
				}
			}()
		}
		wg.Wait()
		hand.finish(b)
		floorTime += time.Since(t2)
	}
	if err := r.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	if err := rec.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	busy := 0.0
	if err := rec.Err(); err != nil {
		busy = 1
		b.Errorf("recorder: %v", err)
	}
	if failed.Load() > 0 {
		b.Fatalf("%d runs failed", failed.Load())
	}
	b.ReportMetric(float64(rawTime)/float64(flowTime), "throughput-ratio")
	b.ReportMetric(float64(rawTime)/float64(runsTime), "runs-only-ratio")
	if record {
		b.ReportMetric(float64(rawTime)/float64(floorTime), "floor-ratio")
		b.ReportMetric(float64(floorTime)/float64(flowTime), "of-floor")
	}
	b.ReportMetric(float64(flowSrv.conns.Load())/float64(max(1, rawSrv.conns.Load())), "conn-ratio")
	b.ReportMetric(busy, "busy-errors")
}
