package temporal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

// testdataFlows reads the flows and connections the recorded histories ran
// (testdata/flows), changed by edit when it is not nil.
func testdataFlows(t *testing.T, edit func(*flow.Flow)) *Flows {
	t.Helper()
	data, err := os.ReadFile("testdata/flows/crm.connections.json")
	if err != nil {
		t.Fatal(err)
	}
	cf, err := flow.DecodeConnections(data)
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob("testdata/flows/*.flow.json")
	var flows []*flow.Flow
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := flow.DecodeFlow(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if edit != nil {
			edit(f)
		}
		flows = append(flows, f)
	}
	r := engine.NewRunner(engine.Options{Connections: cf.Connections})
	t.Cleanup(r.Close)
	fs, err := New(flows, Options{Runner: r, Connections: cf.Connections})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func replay(t *testing.T, fs *Flows, file string) error {
	t.Helper()
	rp := worker.NewWorkflowReplayer()
	rp.RegisterWorkflowWithOptions(fs.FlowWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	return rp.ReplayWorkflowHistoryFromJSONFile(nil, file)
}

func histories(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob("testdata/histories/*.json")
	if len(files) < 5 {
		t.Fatalf("%d recorded histories in testdata/histories, want the chatbot's four branches and the delay flow; record them with FLOWBENCH_RECORD_HISTORIES=1 make temporal-test", len(files))
	}
	return files
}

// The interpreter replays every recorded history: a change that would make
// a running workflow take other steps fails here (docs/temporal.md,
// "Changing the interpreter").
func TestReplayRecordedHistories(t *testing.T) {
	fs := testdataFlows(t, nil)
	for _, file := range histories(t) {
		if err := replay(t, fs, file); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}

// The replay test catches a change: with a delay before the first call the
// interpreter would start a timer where the histories hold an activity.
func TestReplayCatchesAChangedInterpreter(t *testing.T) {
	fs := testdataFlows(t, func(f *flow.Flow) {
		start := f.StartNode()
		f.Nodes = append(f.Nodes, flow.Node{ID: "inserted", Kind: flow.KindDelay, Duration: `"1s"`})
		for i := range f.Edges {
			if f.Edges[i].From == start.ID {
				f.Nodes[len(f.Nodes)-1].ID = "inserted"
				f.Edges = append(f.Edges, flow.Edge{From: "inserted", To: f.Edges[i].To})
				f.Edges[i].To = "inserted"
				break
			}
		}
	})
	for _, file := range histories(t) {
		err := replay(t, fs, file)
		if err == nil || !strings.Contains(err.Error(), "TMPRL1100") { // the SDK's nondeterminism error
			t.Errorf("%s: replay of a changed flow gave %v, want a nondeterminism error", file, err)
		}
	}
}
