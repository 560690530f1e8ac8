package engine

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// linearGETs is n GET calls in a row, each with a CEL URI and a header
// template, the shape of the integration throughput benchmarks.
func linearGETs(n int) *flow.Flow {
	nodes := make([]flow.Node, n)
	for i := range nodes {
		nodes[i] = callNode(fmt.Sprintf("get%d", i), flow.Call{
			Method:  "GET",
			URI:     fmt.Sprintf(`"/items/" + vars.tenant + "/%d"`, i),
			Headers: []flow.Pair{{Key: `"X-Request-Tag"`, Value: `"run-" + run.id`}},
		})
	}
	f := linear(nodes...)
	f.Variables = map[string]string{"tenant": `"acme"`}
	return f
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkConcurrentLinearRuns runs a 20-step GET flow from 16 goroutines
// against a loopback server, with no observer: the engine's cost per step
// as the integration benchmark ConcurrentRunsUnrecorded sees it, with
// allocations counted. "raw" makes the same requests with plain net/http
// (the same headers, a fresh GUID each) for comparison. "cpu-µs/step" is the
// whole process's CPU time (the server's share included) per request.
func BenchmarkConcurrentLinearRuns(b *testing.B) {
	const workers, steps = 16, 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok": true, "item": "`+r.URL.Path+`"}`)
	}))
	defer srv.Close()
	conns := []flow.Connection{{Name: "api", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthNone}}}
	ctx := context.Background()
	parallel := func(b *testing.B, one func() error) {
		b.ReportAllocs()
		cpu0 := processCPU(b)
		var mu sync.Mutex
		var failed error
		b.SetParallelism(max(1, workers/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := one(); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				}
			}
		})
		if failed != nil {
			b.Fatal(failed)
		}
		b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/1e3/float64(b.N*steps), "cpu-µs/step")
	}
	b.Run("engine", func(b *testing.B) {
		r := NewRunner(Options{Connections: conns})
		defer r.Close()
		p, err := Compile(linearGETs(steps), conns)
		if err != nil {
			b.Fatal(err)
		}
		parallel(b, func() error {
			res, err := r.Run(ctx, p, Input{})
			if err != nil {
				return err
			}
			if res.Run.Status != flow.StatusSucceeded {
				return fmt.Errorf("run %s: %s", res.Run.Status, res.Run.Error)
			}
			return nil
		})
	})
	b.Run("raw", func(b *testing.B) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		ids := newIDSource()
		parallel(b, func() error {
			for i := 0; i < steps; i++ {
				req, err := http.NewRequest("GET", fmt.Sprintf("%s/items/acme/%d", srv.URL, i), nil)
				if err != nil {
					return err
				}
				req.Header.Set("X-Request-Tag", "run-x")
				id := ids.NewString()
				req.Header.Set(HeaderTaskGUID, id)
				req.Header.Set(HeaderIdempotencyKey, id)
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					return fmt.Errorf("raw: %s", resp.Status)
				}
			}
			return nil
		})
	})
}
