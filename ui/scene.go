package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// writeScene writes, when Options.SceneFile is set, where each card of the
// open flow is drawn in the window and the run state it shows: one line a
// card, "id x y width height status", in the window's content coordinates
// (pixels at the window's scale), after a line "# canvas x y width height"
// giving the canvas's own rectangle. scripts/journeys.sh sets the file through
// FLOWBENCH_SCENE after a run and checks each card's colour in its
// screenshot against the run `flowbench runs show last` recorded, node by
// node. It is written whole to a temporary file and renamed, so a reader
// never sees half of it.
func (a *App) writeScene() {
	path := a.opts.SceneFile
	if path == "" || a.cv == nil {
		return
	}
	status, _ := a.cv.RunOverlay()
	d := a.fa.Driver()
	origin := d.AbsolutePositionForObject(a.cv)
	scale := a.w.Canvas().Scale()
	var b strings.Builder
	fmt.Fprintf(&b, "# flow %s\n", a.flowID)
	size := a.cv.Size()
	fmt.Fprintf(&b, "# canvas %d %d %d %d\n", int(origin.X*scale), int(origin.Y*scale), int(size.Width*scale), int(size.Height*scale))
	ids := make([]string, 0, len(a.ed.Flow().Nodes))
	for _, n := range a.ed.Flow().Nodes {
		ids = append(ids, n.ID)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r, ok := a.cv.CardRect(id)
		if !ok {
			continue
		}
		st := string(status[id])
		if st == "" {
			st = "none"
		}
		fmt.Fprintf(&b, "%s %d %d %d %d %s\n", id,
			int((origin.X+r.X)*scale), int((origin.Y+r.Y)*scale), int(r.W*scale), int(r.H*scale), st)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err == nil {
		_ = os.Rename(tmp, path)
	}
}
