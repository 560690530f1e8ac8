package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// BenchmarkRecordRun100 records a 100-step run through a Recorder (every
// event observed, then Flush) and, as the baseline in the same loop, writes
// the same rows by hand in one transaction. "ratio" is recorder time over
// hand time: what batching off the critical path costs (target ≤ 1.3).
func BenchmarkRecordRun100(b *testing.B) {
	benchRecord(b, sampleRun)
}

// BenchmarkRecordCallRun100 is BenchmarkRecordRun100 with a run of call
// steps shaped like real ones (callRun): it tells what the recorder costs
// per recorded step ("recorder-ns/step") when every step carries headers,
// bodies and a parsed return value.
func BenchmarkRecordCallRun100(b *testing.B) {
	benchRecord(b, callRun)
}

// benchRecord measures recording runs built by mk through a Recorder against
// writing the same rows by hand, both in the same loop.
func benchRecord(b *testing.B, mk func(id string, n int, start time.Time) (flow.Run, []flow.Step)) {
	const n = 100
	db := openTemp(b)
	ctx := context.Background()
	rec := db.NewRecorder(RecorderOptions{})
	defer rec.Close()
	var recTime, handTime, recCPU time.Duration
	cpuOK := true
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		run, steps := mk(fmt.Sprintf("rec-%d", i), n, baseTime.Add(time.Duration(i)*time.Second))
		evs := runEvents(run, steps)
		hrun, hsteps := mk(fmt.Sprintf("hand-%d", i), n, baseTime.Add(time.Duration(i)*time.Second))
		b.StartTimer()

		c0, ok0 := processCPU()
		t0 := time.Now()
		for _, ev := range evs {
			rec.Observe(ev)
		}
		if err := rec.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		recTime += time.Since(t0)
		c1, ok1 := processCPU()
		recCPU += c1 - c0
		cpuOK = cpuOK && ok0 && ok1

		t1 := time.Now()
		if err := writeRunByHand(ctx, db, &hrun, hsteps); err != nil {
			b.Fatal(err)
		}
		handTime += time.Since(t1)
	}
	b.ReportMetric(float64(recTime)/float64(handTime), "ratio")
	b.ReportMetric(float64(recTime.Microseconds())/float64(b.N), "recorder-µs/run")
	b.ReportMetric(float64(handTime.Microseconds())/float64(b.N), "hand-µs/run")
	b.ReportMetric(float64(recTime.Nanoseconds())/float64(b.N*n), "recorder-ns/step")
	if cpuOK {
		// The process CPU spent while only the recorder works (this
		// goroutine waits in Flush), garbage collection included.
		b.ReportMetric(float64(recCPU.Nanoseconds())/float64(b.N*n), "recorder-cpu-ns/step")
	}
}

// writeRunByHand is the baseline: the run's rows in one transaction with
// statements prepared in it, and nothing else.
func writeRunByHand(ctx context.Context, db *DB, run *flow.Run, steps []flow.Step) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		started := *run
		started.Status = flow.StatusRunning
		if _, err := tx.ExecContext(ctx, upsertRunSQL, runArgs(&started)...); err != nil {
			return err
		}
		if len(steps) > 0 {
			ptrs := make([]*flow.Step, len(steps))
			for i := range steps {
				ptrs[i] = &steps[i]
			}
			var sb stepBatch
			args, err := sb.of(run.ID, ptrs)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, insertStepBatchSQL, args...); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, upsertRunSQL, runArgs(run)...)
		return err
	})
}

// callRun builds a finished run of n call steps shaped like those the
// engine records: one exchange each (every tenth step retried once) with 8
// request headers, 4 response headers, small JSON bodies and the parsed
// response as the return value.
func callRun(id string, n int, start time.Time) (flow.Run, []flow.Step) {
	run, _ := sampleRun(id, 0, start)
	run.FinishedAt, run.DurationMs = start.Add(time.Duration(n)*time.Millisecond), int64(n)
	steps := make([]flow.Step, n)
	for i := range steps {
		reqID := fmt.Sprintf("req-%s-%04d", id, i)
		body := fmt.Sprintf(`{"chatId":"c-%d","customer":{"id":"cu-%d","email":"someone@example.com"},"channel":"web"}`, i, i*7)
		resp := fmt.Sprintf(`{"tier":"vip","score":0.93,"customerId":"cu-%d","tags":["priority","emea"]}`, i*7)
		ex := flow.Exchange{
			Attempt: 1, TaskGUID: fmt.Sprintf("5f0c%04d-8d2e-4c1a-9a57-%012d", i, i), Method: "POST",
			URL: "https://crm.example.com/api/v2/customers/lookup?expand=tier&locale=en-GB",
			RequestHeaders: map[string][]string{
				"Accept":          {"application/json"},
				"Accept-Encoding": {"gzip"},
				"Authorization":   {"[redacted]"},
				"Content-Length":  {fmt.Sprint(len(body))},
				"Content-Type":    {"application/json"},
				"Traceparent":     {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
				"User-Agent":      {"flowbench/0.9 (+https://example.com/flowbench)"},
				"X-Request-Id":    {reqID},
			},
			RequestBody: body, Status: 200,
			ResponseHeaders: map[string][]string{
				"Content-Length": {fmt.Sprint(len(resp))},
				"Content-Type":   {"application/json; charset=utf-8"},
				"Date":           {"Mon, 16 Jun 2025 15:06:40 GMT"},
				"X-Request-Id":   {reqID},
			},
			ResponseBody: resp, ResponseSize: int64(len(resp)), DurationMs: 12,
		}
		st := flow.Step{
			RunID: id, Seq: i + 1, Node: fmt.Sprintf("n%03d", i), Kind: flow.KindCall,
			Title: fmt.Sprintf("Look up customer %d", i), Status: flow.StatusSucceeded, Port: flow.PortNext,
			HTTPStatus: 200, Attempts: 1, StartedAt: start.Add(time.Duration(i) * time.Millisecond), DurationMs: 12,
			ReturnValue: map[string]any{"tier": "vip", "score": 0.93, "customerId": fmt.Sprintf("cu-%d", i*7), "tags": []any{"priority", "emea"}},
			Exchanges:   []flow.Exchange{ex},
		}
		if i%10 == 9 {
			retry := ex
			retry.Status, retry.ResponseBody, retry.ResponseSize, retry.Error = 503, "busy", 4, "503 Service Unavailable"
			ex.Attempt, ex.WaitMs = 2, 100
			st.Exchanges, st.Attempts = []flow.Exchange{retry, ex}, 2
		}
		steps[i] = st
	}
	return run, steps
}

// BenchmarkStepBatch encodes the batch of realistic call steps (callRun)
// one commit writes for a run; "ratio" compares stepBatch with json.Marshal
// of the same steps, the encoder it replaced, in the same loop.
func BenchmarkStepBatch(b *testing.B) {
	_, steps := callRun("run-1", 100, baseTime)
	ptrs := make([]*flow.Step, len(steps))
	for i := range steps {
		ptrs[i] = &steps[i]
	}
	var batchTime, marshalTime time.Duration
	var sb stepBatch
	for b.Loop() {
		t0 := time.Now()
		if _, err := sb.of("run-1", ptrs); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		stored := make([]storedStep, len(steps))
		for i := range steps {
			stored[i] = toStored(&steps[i])
		}
		if _, err := json.Marshal(stored); err != nil {
			b.Fatal(err)
		}
		batchTime += t1.Sub(t0)
		marshalTime += time.Since(t1)
	}
	b.ReportMetric(float64(batchTime)/float64(marshalTime), "ratio")
	b.ReportMetric(float64(batchTime.Nanoseconds())/float64(b.N*len(steps)), "ns/step")
	b.ReportMetric(float64(marshalTime.Nanoseconds())/float64(b.N*len(steps)), "marshal-ns/step")
}
