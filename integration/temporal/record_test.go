package temporal_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/temporal"
)

const historiesDir = "../../temporal/testdata"

// inProcessFlows is a temporal.Flows of the flows in temporal/testdata/flows
// with crm pointed at c.
func inProcessFlows(t testing.TB, c *crm, cl client.Client, q string) *temporal.Flows {
	t.Helper()
	conns := []flow.Connection{{Name: "crm", Kind: flow.ConnCustom, BaseURL: c.URL,
		Auth: flow.Auth{Type: flow.AuthAPIKey, In: "header", Name: "x-api-key", Value: &flow.SecretRef{Env: "CRM_API_KEY"}}}}
	paths, _ := filepath.Glob(filepath.Join(historiesDir, "flows", "*.flow.json"))
	var flows []*flow.Flow
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := flow.DecodeFlow(b)
		if err != nil {
			t.Fatal(err)
		}
		flows = append(flows, f)
	}
	r := engine.NewRunner(engine.Options{Connections: conns, Getenv: func(string) string { return "crm-key" }})
	t.Cleanup(r.Close)
	fs, err := temporal.New(flows, temporal.Options{Runner: r, Connections: conns, Client: cl, TaskQueue: q})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// TestTemporalRecordHistories records the histories temporal/replay_test.go
// replays, when FLOWBENCH_RECORD_HISTORIES=1: the chatbot flow on each of
// its branches and the delay flow, run on the real server.
func TestTemporalRecordHistories(t *testing.T) {
	if os.Getenv("FLOWBENCH_RECORD_HISTORIES") != "1" {
		t.Skip("set FLOWBENCH_RECORD_HISTORIES=1 to record temporal/testdata/histories anew")
	}
	c := newCRM(t)
	cl := sdkClient(t)
	q := "record"
	fs := inProcessFlows(t, c, cl, q)
	w := server(t).NewWorkerWithOptions(q, fs.Register, worker.Options{})
	defer w.Stop()
	for _, tc := range []struct{ name, flowID, chat string }{
		{"chatbot-vip", "chatbot-vip-routing", "vip-r"},
		{"chatbot-standard", "chatbot-vip-routing", "std-r"},
		{"chatbot-default", "chatbot-vip-routing", "other-r"},
		{"chatbot-failure", "chatbot-vip-routing", "fail-r"},
		{"delayed", "delayed", "vip-d"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		in, _ := json.Marshal(map[string]string{"chatId": tc.chat, "name": "Ada"})
		run, err := cl.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: tc.flowID + "-" + tc.name, TaskQueue: q,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE},
			temporal.WorkflowName, temporal.FlowInput{FlowID: tc.flowID, Trigger: in, Source: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		var res engine.Result
		if err := run.Get(ctx, &res); err != nil {
			t.Fatal(err)
		}
		h := &historypb.History{}
		it := cl.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			h.Events = append(h.Events, ev)
		}
		cancel()
		b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(historiesDir, "histories", tc.name+".json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s %s, %d events", tc.name, res.Run.Status, res.Run.Outcome, len(h.Events))
	}
}
