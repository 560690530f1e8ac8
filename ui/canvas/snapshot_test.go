package canvas

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

var update = flag.Bool("update", false, "rewrite the markup masters in testdata/")

// TestSnapshot renders a small flow (a selected connector, a problem on one
// card, a run overlay) to markup and compares it with the committed master.
// Markup names theme colours and resources, so it holds across themes.
// Regenerate with: go test ./ui/canvas -run TestSnapshot -update
func TestSnapshot(t *testing.T) {
	tests := []struct {
		name   string
		master string
		setup  func(ed *editor.Editor, c *Canvas)
	}{
		{"plain", "small_flow.xml", func(*editor.Editor, *Canvas) {}},
		{"selection problems and run", "small_flow_state.xml", func(ed *editor.Editor, c *Canvas) {
			ed.Select(editor.Selection{Edge: 1})
			ed.SetProblems(flow.Problems{{Severity: flow.SeverityError, Node: "lookup", Field: "call.uri",
				Message: "1:2: undeclared reference to 'tirgger'"}})
			c.SetRunOverlay(map[string]flow.Status{"start": flow.StatusSucceeded, "lookup": flow.StatusRunning}, []int{0})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.NewTempApp(t)
			ed := editor.New(smallFlow())
			c := New(ed)
			c.Resize(fyne.NewSize(860, 200))
			test.TempWidgetRenderer(t, c)
			tt.setup(ed, c)
			if *update {
				path := filepath.Join("testdata", tt.master)
				if err := os.WriteFile(path, []byte(test.RenderObjectToMarkup(c)), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s", path)
			}
			test.AssertObjectRendersToMarkup(t, tt.master, c)
		})
	}
}
