package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
	fbcanvas "github.com/flowbench/flowbench/ui/canvas"
	"github.com/flowbench/flowbench/ui/editor"
)

// compareView shows two runs of one flow side by side (issue 17): both
// paths on the canvas at once (fbcanvas.SetCompare), the node where they
// part highlighted, and under it a panel with each run's step there — its
// decision in words and its response (the response view). Where they part
// is flow.CompareRuns's to say.
//
// The paths are drawn on the window's canvas when the open document is
// the version run A ran; otherwise on a canvas of their own over it,
// holding the flow the run ran (storage.DB.RunFlow). Close, Escape,
// opening another flow and starting a run end the comparison.
type compareView struct {
	a *App

	// cover holds the comparison's own canvas over the window's; panel
	// covers the console. Both are hidden when no comparison is shown.
	cover *fyne.Container
	panel *fyne.Container

	head    *widget.Label
	summary *widget.Label
	note    *widget.Label // over the own canvas: which flow it shows
	sides   [2]compareSide
	closeB  *widget.Button
	bg      *canvas.Rectangle // the panel's background, over the console

	// shown: the comparison on screen; cv the canvas drawing it (the
	// window's or own); cmp what CompareRuns found; runs and steps A's and
	// B's.
	shown bool
	// offset is the console split's offset before the comparison gave the
	// panel half the height (-1: it did not move it).
	offset float64
	cv     *fbcanvas.Canvas
	own    *fbcanvas.Canvas
	cmp    *flow.Comparison
	runs   [2]*flow.Run
	steps  [2][]flow.Step
}

// compareOffset is the console split's offset while a comparison is shown:
// the canvas above and the two runs' steps below get half the height each.
const compareOffset = 0.5

// compareSide is one run's column of the panel.
type compareSide struct {
	title    *widget.Label
	decision *widget.Label
	errL     *widget.Label
	view     *responseView
	// step is the step shown, nil when the run has none there.
	step *flow.Step
}

func newCompareView(a *App) *compareView {
	v := &compareView{a: a}
	sh := shell{ctx: a.ctx, win: a.w, tips: a.tips, showError: a.showError,
		log: func(s string) { a.console.log(s) }, logError: func(s string) { a.console.logError(s) }}
	v.head = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.head.Wrapping = fyne.TextWrapWord
	v.summary = wrapLabel("")
	v.closeB = widget.NewButtonWithIcon("Close", theme.CancelIcon(), func() { v.close() })
	cols := make([]fyne.CanvasObject, 2)
	for i := range v.sides {
		s := &v.sides[i]
		s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		s.title.Truncation = fyne.TextTruncateEllipsis
		s.decision = wrapLabel("")
		s.errL = wrapLabel("")
		s.errL.Importance = widget.DangerImportance
		s.view = newResponseView(sh)
		s.view.PathRoot = "steps.<id>.body"
		top := container.NewVBox(s.title, s.decision, s.errL)
		cols[i] = container.NewBorder(top, nil, nil, nil, s.view.Object())
	}
	// the canvas's marks in words: colour is not the only cue, nor is it
	// explained anywhere else
	legend := wrapLabel("On the canvas: connectors labelled A were taken by run A only, B (dashed) by run B only, A+B by both; the card with the thick border is where the runs part.")
	legend.TextStyle = fyne.TextStyle{Italic: true}
	top := container.NewBorder(nil, nil, nil, v.closeB, container.NewVBox(v.head, v.summary, legend))
	v.bg = canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	// the panel scrolls as a whole when the split leaves it short, so it
	// never takes the canvas's room by its own least height
	v.panel = container.NewStack(v.bg, container.NewVScroll(container.NewBorder(top, nil, nil, nil, container.NewGridWithColumns(2, cols...))))
	v.panel.Hide()
	v.note = wrapLabel("")
	v.note.Importance = widget.WarningImportance
	v.cover = container.NewStack()
	v.cover.Hide()
	// another flow opened in the editor ends the comparison
	a.ed.AddListener(func(ch editor.Change) {
		if v.shown && ch.Kind == editor.ChangeDoc && ch.Label == editor.LabelLoad {
			v.close()
		}
	})
	return v
}

// CompareRuns compares the recorded runs idA and idB (issue 17): they must
// be runs of one flow. Their flow is opened in the editor when another is
// open, and the comparison shown over the canvas and the console.
func (a *App) CompareRuns(idA, idB string) error {
	e, ok := a.opts.History.(HistoryEditor)
	if !ok {
		return fmt.Errorf("compare runs: this window cannot read a run's steps")
	}
	if a.running {
		return fmt.Errorf("compare runs: a run is in progress; compare when it has ended, or press Stop")
	}
	var runs [2]*flow.Run
	var steps [2][]flow.Step
	for i, id := range []string{idA, idB} {
		r, s, err := e.Run(a.ctx, id)
		if err != nil {
			return fmt.Errorf("compare runs: read run %s: %w", shortID(id), err)
		}
		runs[i], steps[i] = r, s
	}
	cmp, err := flow.CompareRuns(runs[0], steps[0], runs[1], steps[1])
	if err != nil {
		return err
	}
	a.cmp.close()
	run := runs[0]
	if run.FlowID != "" && run.FlowID != a.flowOrDocID() {
		if err := a.Open(run.FlowID); err != nil {
			a.console.logError(fmt.Sprintf("The flow of run %s is no longer stored (%v).", shortID(run.ID), err))
		}
	}
	cv, note, err := a.compareCanvas(run)
	if err != nil {
		return err
	}
	a.cmp.show(cv, note, cmp, runs, steps)
	return nil
}

// compareCanvas is the canvas the comparison draws on: the window's when
// the open document is the version run ran, else one of its own holding
// that version (nil when it is stored no more), and a note saying which.
func (a *App) compareCanvas(run *flow.Run) (*fbcanvas.Canvas, string, error) {
	if a.isOpenFlowOf(run) && (run.FlowID == "" || run.FlowVersion == a.flowVersion) {
		return a.cv, "", nil
	}
	fs, ok := a.opts.History.(runFlowStore)
	if !ok {
		return nil, "", nil
	}
	f, err := fs.RunFlow(a.ctx, run)
	if err != nil {
		return nil, "", fmt.Errorf("compare runs: read the flow run %s ran: %w", shortID(run.ID), err)
	}
	if f == nil {
		return nil, "", nil
	}
	cv := fbcanvas.New(editor.New(f))
	cv.OnError = func(err error) { a.console.logError(err.Error()) }
	cv.OnKey = a.compareKey
	note := fmt.Sprintf("Run A ran version %d of %q and the editor holds version %d: shown here is the version the run ran (read-only view; Close returns to the editor).", f.Version, f.Name, a.flowVersion)
	return cv, note, nil
}

// show puts the comparison on screen.
func (v *compareView) show(cv *fbcanvas.Canvas, note string, cmp *flow.Comparison, runs [2]*flow.Run, steps [2][]flow.Step) {
	v.cmp, v.runs, v.steps, v.cv = cmp, runs, steps, cv
	was := v.shown
	v.shown = true
	if cv != nil && cv != v.a.cv {
		v.own = cv
		v.note.SetText(note)
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
		v.cover.Objects = []fyne.CanvasObject{bg, container.NewBorder(v.note, nil, nil, nil, cv)}
		v.cover.Show()
		v.cover.Refresh()
	}
	v.head.SetText(fmt.Sprintf("Comparing A: %s with B: %s", runLabel(runs[0]), runLabel(runs[1])))
	v.summary.SetText(cmp.Summary())
	if cv == nil {
		v.summary.SetText(cmp.Summary() + " The flow the runs ran is not stored (a run of a flow file, or of a flow deleted since), so their paths are not drawn; import the file to see them.")
	}
	i := cmp.Index
	for k := range v.sides {
		v.showSide(k, stepAt(steps[k], i))
	}
	v.bg.FillColor = theme.Color(theme.ColorNameBackground) // the theme of now
	// the two responses need room: half the height at least while shown
	if !was {
		v.offset = -1
	}
	if sp := v.a.consoleSplit; sp != nil && sp.Offset > compareOffset {
		if v.offset < 0 {
			v.offset = sp.Offset
		}
		sp.SetOffset(compareOffset)
	}
	v.panel.Show()
	v.panel.Refresh()
	if cv != nil {
		doc := cv.Editor().Flow()
		cv.SetCompare(&fbcanvas.Compare{
			EdgesA: pathEdges(doc, cmp.PathA), EdgesB: pathEdges(doc, cmp.PathB),
			NodesA: cmp.PathA.Nodes, NodesB: cmp.PathB.Nodes, Focus: cmp.Node,
		})
		if cv.Size().Width > 0 {
			cv.FitToWindow()
		}
	}
	v.a.console.log(fmt.Sprintf("Compared run %s with run %s. %s", shortID(runs[0].ID), shortID(runs[1].ID), cmp.Summary()))
}

// showSide fills run k's column with step s (nil: the run has no step
// there).
func (v *compareView) showSide(k int, s *flow.Step) {
	side := &v.sides[k]
	side.step = s
	name := [2]string{"A", "B"}[k]
	if s == nil {
		side.title.SetText(name + ": no step here (the run had ended)")
		side.decision.SetText("")
		side.errL.SetText("")
		side.view.Clear()
		return
	}
	title := fmt.Sprintf("%s · step %d · %s", name, s.Seq, s.Node)
	if s.Title != "" {
		title += " (" + s.Title + ")"
	}
	title += " · " + string(s.Status)
	if s.Port != "" {
		title += " · took " + s.Port
	}
	side.title.SetText(title)
	if s.Decision != "" {
		side.decision.SetText("Decision: " + s.Decision)
	} else {
		side.decision.SetText("No decision at this step.")
	}
	side.errL.SetText("")
	if s.Error != "" {
		side.errL.SetText("Error: " + s.Error)
	}
	if n := len(s.Exchanges); n > 0 {
		side.view.PathRoot = "steps." + s.Node + ".body"
		side.view.Show(&s.Exchanges[n-1], s.Exchanges)
	} else {
		side.view.Clear()
	}
}

// close ends the comparison and reports whether one was shown.
func (v *compareView) close() bool {
	if v == nil || !v.shown {
		return false
	}
	v.shown = false
	if v.cv != nil {
		v.cv.SetCompare(nil)
	}
	if sp := v.a.consoleSplit; sp != nil && v.offset >= 0 {
		sp.SetOffset(v.offset) // the console's height before
		v.offset = -1
	}
	if v.own != nil {
		v.cover.Objects = nil
		v.cover.Hide()
		v.own = nil
	}
	v.cv, v.cmp = nil, nil
	v.panel.Hide()
	return true
}

// compareKey takes Escape while a comparison is shown.
func (a *App) compareKey(ev *fyne.KeyEvent) bool {
	return ev.Name == fyne.KeyEscape && a.cmp != nil && a.cmp.close()
}

// stepAt is steps[i], the last step when i is past the end (or -1, as for
// runs that never parted), nil when there are none.
func stepAt(steps []flow.Step, i int) *flow.Step {
	if len(steps) == 0 {
		return nil
	}
	if i < 0 || i >= len(steps) {
		return &steps[len(steps)-1]
	}
	return &steps[i]
}

// pathEdges are the indices in doc of a run's connectors.
func pathEdges(doc *flow.Flow, p flow.RunPath) []int {
	var out []int
	for _, e := range p.Edges {
		if i := edgeIndex(doc, e.From, e.Port, e.To); i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

// runLabel names a run in the comparison: its short id, start, status and
// outcome.
func runLabel(r *flow.Run) string {
	s := fmt.Sprintf("run %s (%s, %s", shortID(r.ID), r.StartedAt.Local().Format("01-02 15:04:05"), r.Status)
	if r.Outcome != "" {
		s += ", outcome " + r.Outcome
	}
	return s + ")"
}

// compareDialog asks which run of the selected run's flow to compare it
// with: the newest other run that ended otherwise is offered first.
func (h *historyView) compareDialog() {
	if h.selected == nil || h.compare == nil {
		return
	}
	a := *h.selected
	others, err := h.sameFlowRuns(a)
	if err != nil {
		h.showError(err)
		return
	}
	if len(others) == 0 {
		h.showError(fmt.Errorf("run %s is the only run of %q: run the flow again (the Run dialog's mocks take other branches), then compare the two", shortID(a.ID), a.FlowName))
		return
	}
	labels := make([]string, len(others))
	pick := -1
	for i := range others {
		labels[i] = shortID(others[i].ID) + "  " + runRow(&others[i])
		if pick < 0 && (others[i].Outcome != a.Outcome || others[i].Status != a.Status) {
			pick = i
		}
	}
	pick = max(pick, 0)
	sel := widget.NewSelect(labels, nil)
	sel.SetSelectedIndex(pick)
	h.cmpPick = sel
	showForm("Compare runs", "Compare", []*widget.FormItem{
		widget.NewFormItem("A", widget.NewLabel(shortID(a.ID)+"  "+runRow(&a))),
		widget.NewFormItem("Compare with (B)", sel),
	}, func(ok bool) {
		h.cmpPick = nil
		if i := sel.SelectedIndex(); ok && i >= 0 {
			if err := h.compare(a.ID, others[i].ID); err != nil {
				h.showError(err)
			}
		}
	}, h.win)
}

// sameFlowRuns lists the newest runs of r's flow but r: of its stored flow,
// or for a run of a flow file, of the same name.
func (h *historyView) sameFlowRuns(r flow.Run) ([]flow.Run, error) {
	q := storage.RunQuery{FlowID: r.FlowID, SkipTests: true, Limit: historyPage}
	runs, _, err := h.store.ListRuns(h.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list the runs of %q: %w; press Refresh and try again", r.FlowName, err)
	}
	var out []flow.Run
	for _, o := range runs {
		if o.ID != r.ID && (r.FlowID != "" || o.FlowID == "" && o.FlowName == r.FlowName) {
			out = append(out, o)
		}
	}
	return out, nil
}

// compareRunsDialog is View > Compare runs…: the Runs view, its selected
// run as A (the newest run of the open flow when the selection is of
// another flow or none), and the dialog choosing B.
func (a *App) compareRunsDialog() {
	h := a.history
	a.sidebar.showNamed("Runs")
	h.reload()
	id := a.flowOrDocID()
	if h.selected == nil || h.selected.FlowID != id {
		for i, r := range h.runL.items {
			if r.FlowID == id {
				h.runL.list.Select(i) // newest first
				break
			}
		}
	}
	if h.selected == nil || h.selected.FlowID != id {
		a.showError(fmt.Errorf("no run of %q is listed: run it (the Run dialog's mocks take other branches), run it again, then compare the two", a.ed.Flow().Name))
		return
	}
	h.compareDialog()
}
