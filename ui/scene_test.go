package ui

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/flowbench/flowbench/flow"
)

// The scene file the journeys read: after a run, one line a card with
// where it is drawn in the window and the state the run left it in.
func TestSceneFileListsEveryCardWithItsRunState(t *testing.T) {
	h := newRunHarness(t, okServer(t).URL, binConn)
	h.app.opts.SceneFile = filepath.Join(t.TempDir(), "scene.txt")
	h.app.load(callFlow(`"/json"`))
	if err := h.app.Save(); err != nil {
		t.Fatal(err)
	}
	lr := h.runOnce()
	data, err := os.ReadFile(h.app.opts.SceneFile)
	if err != nil {
		t.Fatalf("no scene file after a run: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if !strings.HasPrefix(lines[0], "# flow ") {
		t.Fatalf("scene file starts %q", lines[0])
	}
	ran := map[string]flow.Status{}
	for _, s := range lr.steps {
		ran[s.Node] = s.Status
	}
	win := h.w.Canvas().Size()
	seen := map[string]bool{}
	if !strings.HasPrefix(lines[1], "# canvas ") {
		t.Fatalf("scene file's second line %q", lines[1])
	}
	for _, l := range lines[2:] {
		f := strings.Fields(l)
		if len(f) != 6 {
			t.Fatalf("scene line %q: want id x y w h status", l)
		}
		var n [4]int
		for i := range n {
			if n[i], err = strconv.Atoi(f[1+i]); err != nil {
				t.Fatalf("scene line %q: %v", l, err)
			}
		}
		if n[2] <= 0 || n[3] <= 0 || float32(n[0]) < 0 || float32(n[0]+n[2]) > win.Width || float32(n[1]+n[3]) > win.Height {
			t.Errorf("card %s at %v lies outside the %v window", f[0], n, win)
		}
		want := string(ran[f[0]])
		if want == "" {
			want = string(flow.StatusSkipped)
		}
		if f[5] != want {
			t.Errorf("card %s shows %s, the run recorded %s", f[0], f[5], want)
		}
		seen[f[0]] = true
	}
	for _, n := range h.app.ed.Flow().Nodes {
		if !seen[n.ID] {
			t.Errorf("node %s is not in the scene file", n.ID)
		}
	}
	_ = fyne.NewPos
}
