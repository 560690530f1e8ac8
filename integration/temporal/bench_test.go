package temporal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/temporal"
)

const benchCalls = 10

// benchFlow is start → benchCalls calls → end.
func benchFlow(id string) *flow.Flow {
	f := &flow.Flow{Format: flow.Format, ID: id, Name: id}
	f.Nodes = append(f.Nodes, flow.Node{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerManual}})
	prev := "start"
	for i := range benchCalls {
		id := fmt.Sprintf("c%d", i)
		f.Nodes = append(f.Nodes, flow.Node{ID: id, Kind: flow.KindCall, Call: &flow.Call{Connection: "crm", Method: "POST", URI: `"/v1/tier"`, Body: `{"chatId": "vip-bench"}`}})
		f.Edges = append(f.Edges, flow.Edge{From: prev, To: id})
		prev = id
	}
	f.Nodes = append(f.Nodes, flow.Node{ID: "end", Kind: flow.KindEnd, Outcome: "done"})
	f.Edges = append(f.Edges, flow.Edge{From: prev, To: "end"})
	return f
}

// handWritten is the workflow one would write by hand for benchFlow: the
// same activity, called once per call node in turn, with the same options.
func handWritten(ctx workflow.Context, flowID string) (int, error) {
	ao := temporal.ActivityOptions(&flow.Call{}, 0)
	ctx = workflow.WithActivityOptions(ctx, ao)
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	for i := range benchCalls {
		var res engine.AttemptResult
		in := temporal.CallInput{FlowID: flowID, Call: engine.CallRequest{RunID: id, Node: fmt.Sprintf("c%d", i), Seq: i + 2, Activation: &expr.Activation{}}}
		if err := workflow.ExecuteActivity(ctx, temporal.CallActivityName, in).Get(ctx, &res); err != nil {
			return i, err
		}
	}
	return benchCalls, nil
}

func benchSetup(b *testing.B, q string, workers int) (client.Client, func()) {
	c := newCRM(b)
	cl := sdkClient(b)
	conns := []flow.Connection{{Name: "crm", Kind: flow.ConnCustom, BaseURL: c.URL,
		Auth: flow.Auth{Type: flow.AuthAPIKey, In: "header", Name: "x-api-key", Value: &flow.SecretRef{Env: "CRM_API_KEY"}}}}
	r := engine.NewRunner(engine.Options{Connections: conns, Getenv: func(string) string { return "crm-key" }})
	fs, err := temporal.New([]*flow.Flow{benchFlow("bench")}, temporal.Options{Runner: r, Connections: conns, Client: cl, TaskQueue: q})
	if err != nil {
		b.Fatal(err)
	}
	var ws []worker.Worker
	for range workers {
		ws = append(ws, server(b).NewWorkerWithOptions(q, func(reg worker.Registry) {
			fs.Register(reg)
			reg.RegisterWorkflowWithOptions(handWritten, workflow.RegisterOptions{Name: "HandWritten"})
		}, worker.Options{}))
	}
	return cl, func() {
		for _, w := range ws {
			w.Stop()
		}
		r.Close()
	}
}

func runOne(cl client.Client, q, wf string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var run client.WorkflowRun
	var err error
	if wf == "HandWritten" {
		run, err = cl.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: temporal.WorkflowID("hand"), TaskQueue: q}, wf, "bench")
	} else {
		run, err = cl.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: temporal.WorkflowID("bench"), TaskQueue: q}, wf,
			temporal.FlowInput{FlowID: "bench", Trigger: json.RawMessage(`{}`), Source: "cli"})
	}
	if err != nil {
		return err
	}
	if wf == "HandWritten" {
		var n int
		if err := run.Get(ctx, &n); err != nil || n != benchCalls {
			return fmt.Errorf("hand-written: %d calls, %v", n, err)
		}
		return nil
	}
	var res engine.Result
	if err := run.Get(ctx, &res); err != nil || res.Run.Outcome != "done" {
		return fmt.Errorf("interpreter: %+v %v", res.Run, err)
	}
	return nil
}

func must(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTemporalInterpreterOverhead runs the flow interpreter and the
// hand-written workflow alternately on the same server and worker: the
// time per call step of each, and their ratio (interpreter ÷ hand-written).
func BenchmarkTemporalInterpreterOverhead(b *testing.B) {
	q := "bench-overhead"
	cl, stop := benchSetup(b, q, 1)
	defer stop()
	must(b, runOne(cl, q, temporal.WorkflowName)) // warm up both
	must(b, runOne(cl, q, "HandWritten"))
	var interp, hand time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		must(b, runOne(cl, q, temporal.WorkflowName))
		t1 := time.Now()
		must(b, runOne(cl, q, "HandWritten"))
		interp, hand = interp+t1.Sub(t0), hand+time.Since(t1)
	}
	steps := float64(b.N * benchCalls)
	b.ReportMetric(float64(interp.Microseconds())/steps, "interp-µs/step")
	b.ReportMetric(float64(hand.Microseconds())/steps, "hand-µs/step")
	b.ReportMetric(float64(interp)/float64(hand), "ratio")
}

// BenchmarkTemporalStepsPerSecond runs 8 flows at once on 1 and 2 workers.
func BenchmarkTemporalStepsPerSecond(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			q := fmt.Sprintf("bench-sps-%d", workers)
			cl, stop := benchSetup(b, q, workers)
			defer stop()
			must(b, runOne(cl, q, temporal.WorkflowName))
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				var wg sync.WaitGroup
				for range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := runOne(cl, q, temporal.WorkflowName); err != nil {
							b.Error(err)
						}
					}()
				}
				wg.Wait()
			}
			b.ReportMetric(float64(b.N*8*(benchCalls+2))/time.Since(start).Seconds(), "steps/s")
		})
	}
}
