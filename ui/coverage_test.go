package ui

import (
	"fmt"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	fbcanvas "github.com/flowbench/flowbench/ui/canvas"
)

// labelledButtons are the rows under o (a label and its button), by the
// label's text.
func labelledButtons(o fyne.CanvasObject) map[string]*widget.Button {
	out := map[string]*widget.Button{}
	walk(o, func(o fyne.CanvasObject) {
		c, ok := o.(*fyne.Container)
		if !ok {
			return
		}
		var l *widget.Label
		var b *widget.Button
		for _, o := range c.Objects {
			switch o := o.(type) {
			case *widget.Label:
				l = o
			case *widget.Button:
				b = o
			case *tipButton:
				b = &o.Button
			}
		}
		if l != nil && b != nil {
			out[l.Text] = b
		}
	})
	return out
}

// takenSet is the coverage shown as "node/port": taken, never-taken ports
// left out.
func takenSet(ports []flow.PortCoverage) map[string]int {
	out := map[string]int{}
	for _, p := range ports {
		if p.Taken > 0 {
			out[p.Node+"/"+p.Port] = p.Taken
		}
	}
	return out
}

func portNames(ports []flow.PortCoverage) []string {
	var out []string
	for _, p := range ports {
		out = append(out, p.Node+"/"+p.Port)
	}
	return out
}

// runWithMock runs the open flow with mock on demo-bot, as the proposal
// buttons and the presenter do, and waits for the run.
func (h *kitHarness) runWithMock(mock string) {
	h.t.Helper()
	before := h.app.live
	h.app.present.runWith("demo-bot", mock)
	h.settle("the run with "+mock, func() bool {
		return !h.app.Running() && h.app.live != nil && h.app.live != before && h.app.live.run != nil
	})
}

// Issue 17, branch coverage: Ctrl+B colours exactly the ports recorded runs
// took, lists the others, proposes the mocks that reach them, follows a
// run, filters by time, says when the document has unsaved changes, and
// goes when another flow opens.
func TestBranchCoverageOverlay(t *testing.T) {
	h := newKitHarness(t, true)
	h.openStored("Demo: chatbot branching")
	h.runWithMock("chatbot-vip")
	h.runWithMock("chatbot-vip")
	h.runWithMock("chatbot-failing")

	cv := h.app.cov
	canvasWidth := h.app.cv.Size().Width
	h.shortcut(coverageShortcut)
	if !cv.on || !cv.item.Checked || !cv.panel.Visible() {
		t.Fatalf("Ctrl+B: on %v, menu checked %v, panel shown %v", cv.on, cv.item.Checked, cv.panel.Visible())
	}
	// the panel takes the properties panel's place: the canvas keeps its room
	if h.app.inspector.object().Visible() || h.app.cv.Size().Width < canvasWidth {
		t.Errorf("the coverage panel took room from the canvas (%v px wide, was %v) or left the properties panel beside it", h.app.cv.Size().Width, canvasWidth)
	}
	wantTaken := map[string]int{"start/next": 3, "lookup/vip": 2, "lookup/failure": 1, "vip-reply/next": 2, "apology/next": 1}
	mustEq(t, "taken ports", takenSet(cv.ports), wantTaken)
	wantNever := []string{"lookup/standard", "lookup/default", "std-reply/next", "default-reply/next"}
	mustEq(t, "never taken, in reading order", portNames(cv.never), wantNever)
	mustEq(t, "the canvas's coverage", takenSet(h.app.cv.CoverageShown()), wantTaken)
	edge := func(from, port string) int {
		for i, e := range h.app.ed.Flow().Edges {
			if e.From == from && e.PortName() == port {
				return i
			}
		}
		t.Fatalf("no connector %s/%s", from, port)
		return -1
	}
	if label, dashed := h.app.cv.EdgeMark(edge("lookup", "vip")); label != "vip · 2×" || dashed {
		t.Errorf("lookup's vip connector reads %q dashed %v", label, dashed)
	}
	if label, dashed := h.app.cv.EdgeMark(edge("lookup", "standard")); label != "standard · never" || !dashed {
		t.Errorf("lookup's standard connector reads %q dashed %v", label, dashed)
	}
	list := labelledButtons(cv.missing)
	if len(list) != len(wantNever) {
		t.Errorf("the never-taken list has %d buttons, want %d: %v", len(list), len(wantNever), list)
	}
	test.Tap(list["Standard greeting · next"])
	if sel := h.app.ed.Selection(); sel.Node != "std-reply" {
		t.Errorf("tapping Standard greeting · next selected %q", sel.Node)
	}

	// The proposals: the mocks that make the lookup leave by its missing
	// ports, found by testing the call against each.
	stdLabel := "Look up customer · standard: mock chatbot-standard on demo-bot"
	defLabel := "Look up customer · default: mock chatbot-unknown on demo-bot"
	h.settle("the proposals", func() bool { return labelledButtons(cv.proposals)[defLabel] != nil })
	props := labelledButtons(cv.proposals)
	// the panel's rows wrap: it never widens the window past a small
	// screen (in the real window it grew from 1024 to 1191 px wide)
	if min := h.w.Content().MinSize(); min.Width > 1000 {
		t.Errorf("with the coverage panel open the window needs %v px wide; a 1024-px screen has no room", min.Width)
	}
	if props[stdLabel] == nil {
		t.Errorf("no proposal %q in %v", stdLabel, slices.Collect(mapKeys(props)))
	}
	for label := range props {
		if strings.Contains(label, "chatbot-vip") || strings.Contains(label, "chatbot-failing") {
			t.Errorf("proposal %q reaches a port already taken", label)
		}
	}

	// Running a proposal takes its port, and the overlay follows.
	test.Tap(props[defLabel])
	h.settle("the run of the proposal and the overlay's refresh", func() bool {
		return !h.app.Running() && takenSet(cv.ports)["lookup/default"] == 1
	})
	mustEq(t, "never taken after the proposal's run", portNames(cv.never), []string{"lookup/standard", "std-reply/next"})

	// Since: runs of the last hour are all of them; none is later than now.
	cv.since.SetSelected(sinceHour)
	mustEq(t, "taken in the last hour", takenSet(cv.ports)["start/next"], 4)
	cv.since.SetSelected(sinceTyped)
	cv.sinceText.SetText(time.Now().Add(time.Hour).Format("2006-01-02 15:04"))
	cv.sinceText.OnSubmitted(cv.sinceText.Text)
	mustEq(t, "taken since an hour from now", takenSet(cv.ports), map[string]int{})
	cv.sinceText.SetText("yesterday-ish")
	cv.sinceText.OnSubmitted(cv.sinceText.Text)
	if !strings.Contains(cv.note.Text, "is not a time") || len(takenSet(cv.ports)) == 0 {
		t.Errorf("a since that is no time: note %q, taken %v; want the note and all runs counted", cv.note.Text, takenSet(cv.ports))
	}
	cv.since.SetSelected(sinceAll)

	// Unsaved changes are named.
	n := h.app.ed.Flow().Node("vip")
	if err := h.app.ed.MoveNode("vip", flow.Position{X: n.Position.X + 40, Y: n.Position.Y}); err != nil {
		t.Fatal(err)
	}
	cv.refresh()
	if !strings.Contains(cv.note.Text, "unsaved changes") || !cv.note.Visible() {
		t.Errorf("with unsaved changes the note reads %q", cv.note.Text)
	}

	// Another flow: the overlay goes.
	h.app.ed.MarkSaved()
	h.openStored("Demo: notify customer")
	if cv.on || h.app.cv.CoverageShown() != nil || cv.panel.Visible() || cv.item.Checked {
		t.Errorf("after opening another flow: on %v, canvas coverage %v, panel %v", cv.on, h.app.cv.CoverageShown(), cv.panel.Visible())
	}
	if !h.app.inspector.object().Visible() {
		t.Error("the properties panel stays hidden after the coverage panel went")
	}
}

// The coverage colours read on both themes: at least 4.5:1 on the light
// background (as its text colours must) and 3:1 on the dark one (WCAG's
// minimum for graphics), and taken never looks like never taken.
func TestBranchCoverageColoursReadOnBothThemes(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		choice string
		min    float64
	}{{themeLight, 4.5}, {themeDark, 3}} {
		h.app.SetTheme(tc.choice)
		bg := theme.Color(theme.ColorNameBackground)
		taken, never := fbcanvas.CoverageColors()
		for name, c := range map[string]color.Color{"taken": taken, "never taken": never} {
			if r := contrast(c, bg); r < tc.min {
				t.Errorf("%s theme: the %s colour is %.1f:1 on the background, want at least %.1f:1", tc.choice, name, r, tc.min)
			}
		}
		if fmt.Sprint(taken) == fmt.Sprint(never) {
			t.Errorf("%s theme: taken and never taken share a colour", tc.choice)
		}
	}
}

func mustEq(t *testing.T, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
