package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// historyPage is how many runs the Runs view reads at a time (one keyset
// query per page, never the whole history) and how many events the
// Events view lists.
const historyPage = 100

// Filter choices of the Runs view.
const (
	allFlows    = "All flows"
	anyStatus   = "Any status"
	dateLayout  = "2006-01-02"
	olderPrompt = "YYYY-MM-DD"
)

// historyView holds the sidebar's Runs and Events lists. The Runs list
// shows one page of the filtered history; older and newer pages are read
// with cursors, so 100,000 runs cost one page of memory.
type historyView struct {
	shell
	store HistoryStore
	// openRun shows a run on the canvas and in the console; rerun runs
	// its flow again with its input (nil without a Runner); flows lists
	// the stored flows for the filter.
	openRun func(id string)
	rerun   func(flow.Run)
	flows   func() []storage.FlowSummary
	// compare compares two runs of one flow (App.CompareRuns); nil
	// leaves Compare with… disabled.
	compare func(a, b string) error

	runL   *itemList[flow.Run]
	evL    *itemList[flow.RaisedEvent]
	runBox fyne.CanvasObject
	evBox  fyne.CanvasObject

	flowSel   *widget.Select
	statusSel *widget.Select
	flowIDs   []string
	pageLabel *widget.Label
	older     *widget.Button
	newer     *widget.Button
	rerunB    *widget.Button
	del       *widget.Button
	reportB   *widget.Button // Export report… of the selected run
	compareB  *widget.Button // Compare with… another run of the selected run's flow
	cmpPick   *widget.Select // the open Compare dialog's pick (tests drive it)
	before    *dialogEntry
	// tests lists the one-step runs of Test too (off: they are not runs
	// of the flow, and a Test of a new flow named them "Untitled flow")
	tests *widget.Check

	// cursors[i] is where page i starts (nil for the newest); next is
	// where the page after the current one starts, nil at the oldest.
	cursors  []*storage.RunCursor
	next     *storage.RunCursor
	selected *flow.Run
	filter   storage.RunQuery
}

func newHistoryView(sh shell, store HistoryStore, openRun func(string), rerun func(flow.Run), flows func() []storage.FlowSummary) *historyView {
	h := &historyView{shell: sh, store: store, openRun: openRun, rerun: rerun, flows: flows, cursors: []*storage.RunCursor{nil}}
	h.runL = newItemList(runRow)
	h.runL.OnSelected = func(_ int, r flow.Run) {
		h.selected = &r
		h.updateButtons()
		h.openRun(r.ID)
	}
	h.runL.OnUnselected = func() {
		h.selected = nil
		h.updateButtons()
	}
	h.evL = newItemList(func(e *flow.RaisedEvent) string {
		return fmt.Sprintf("%s  %s  (%s)", e.At.Local().Format("01-02 15:04:05"), e.Name, e.Node)
	})
	h.evL.OnSelected = func(_ int, e flow.RaisedEvent) {
		h.evL.unselect()
		h.log(fmt.Sprintf("Event %s raised by node %s of run %s: %s", e.Name, e.Node, e.RunID, string(e.Payload)))
	}

	h.flowSel = widget.NewSelect(nil, func(string) { h.applyFilter() })
	h.statusSel = widget.NewSelect([]string{anyStatus, string(flow.StatusSucceeded), string(flow.StatusFailed), string(flow.StatusStopped), string(flow.StatusInterrupted), string(flow.StatusRunning)}, func(string) { h.applyFilter() })
	h.statusSel.Selected = anyStatus
	h.pageLabel = widget.NewLabel("")
	h.pageLabel.Wrapping = fyne.TextWrapWord
	// pagination arrows either side of the page count, as in any list
	h.older = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), h.olderPage)
	h.newer = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), h.newerPage)
	h.rerunB = widget.NewButtonWithIcon("Re-run", theme.MediaReplayIcon(), func() {
		if h.selected != nil && h.rerun != nil {
			h.rerun(*h.selected)
		}
	})
	h.del = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), h.deleteSelected)
	h.before = newDialogLine()
	h.before.SetPlaceHolder(olderPrompt)

	refresh := func() fyne.CanvasObject {
		b, _ := actionGrid(sh.tips, 1, action{"Refresh", theme.ViewRefreshIcon(), "Read the history again", h.reload})
		return b
	}
	// the list gets the height: the page arrows flank the page count;
	// Refresh, Delete older (a dialog asks the day) and the tests switch
	// share one row; the run's buttons one more (issue 13: at 1024x640 the
	// list showed 2–3 rows under seven rows of controls)
	h.tests = widget.NewCheck("Tests", func(bool) { h.applyFilter() })
	h.filter.SkipTests = true
	refreshB := newTipButton("", theme.ViewRefreshIcon(), sh.tips, "Read the history again", h.reload)
	delOldB := newTipButton("", theme.DeleteIcon(), sh.tips, "Delete the runs started before a day…", h.deleteOlderDialog)
	// the selected run's report: an icon in this row, so the list keeps its height
	reportB := newTipButton("", theme.DocumentSaveIcon(), sh.tips, "Export report… (the selected run as an HTML page)", h.exportReportDialog)
	h.reportB = &reportB.Button
	compareB := newTipButton("", theme.ViewRestoreIcon(), sh.tips, "Compare with… (the selected run and another run of its flow, side by side on the canvas)", h.compareDialog)
	h.compareB = &compareB.Button
	top := container.NewVBox(h.flowSel, h.statusSel)
	bottom := container.NewVBox(
		container.NewBorder(nil, nil, h.newer, h.older, h.pageLabel),
		// the icons that do not fit go to the row's "more" menu, so the
		// sidebar never widens the window (the selected run's first)
		container.NewBorder(nil, nil, nil, h.tests, newOverflowRow(
			buttonItem(compareB, "Compare with…"), buttonItem(reportB, "Export report…"),
			buttonItem(refreshB, "Refresh"), buttonItem(delOldB, "Delete older…"))),
		container.NewGridWithColumns(2, h.rerunB, h.del),
	)
	h.runBox = sidePane(top, h.runL.object(), bottom)
	h.evBox = sidePane(nil, h.evL.object(), refresh())
	h.syncFlows()
	h.reload()
	return h
}

func (h *historyView) runsObject() fyne.CanvasObject   { return h.runBox }
func (h *historyView) eventsObject() fyne.CanvasObject { return h.evBox }

// runRow is a run's line: start, status, flow, duration and outcome. The
// status comes before the flow's name so a narrow sidebar, which cuts the
// line short, still shows it.
func runRow(r *flow.Run) string {
	// the outcome right after the time, in place of a plain "succeeded":
	// in the narrow sidebar the row's end is cut off, and the outcome is
	// what tells a flow's runs apart
	s := r.StartedAt.Local().Format("01-02 15:04:05")
	switch {
	case r.Outcome != "" && r.Status == flow.StatusSucceeded:
		s += "  → " + r.Outcome
	case r.Outcome != "":
		s += fmt.Sprintf("  → %s  %s", r.Outcome, r.Status)
	default:
		s += "  " + string(r.Status)
	}
	s += fmt.Sprintf("  %s  %d ms", r.FlowName, r.DurationMs)
	if r.Status == flow.StatusInterrupted {
		s += "  (its process ended mid-run)"
	}
	return s
}

// editor is the store's history editing side, nil when it has none.
func (h *historyView) editor() HistoryEditor {
	e, _ := h.store.(HistoryEditor)
	return e
}

// syncFlows lists the stored flows in the flow filter.
func (h *historyView) syncFlows() {
	names := []string{allFlows}
	h.flowIDs = []string{""}
	for _, s := range h.flows() {
		names = append(names, s.Name)
		h.flowIDs = append(h.flowIDs, s.ID)
	}
	h.flowSel.Options = names
	if h.flowSel.Selected == "" {
		h.flowSel.Selected = allFlows
	}
	h.flowSel.Refresh()
}

// applyFilter reads the first page of the filtered history.
func (h *historyView) applyFilter() {
	q := storage.RunQuery{SkipTests: !h.tests.Checked}
	if i := h.flowSel.SelectedIndex(); i > 0 && i < len(h.flowIDs) {
		q.FlowID = h.flowIDs[i]
	}
	if s := h.statusSel.Selected; s != "" && s != anyStatus {
		q.Status = flow.Status(s)
	}
	h.filter = q
	h.cursors = []*storage.RunCursor{nil}
	h.readPage()
}

// SetFilter filters the Runs view by flow id ("" for all) and status (""
// for any) and shows the newest page.
func (h *historyView) setFilter(flowID string, st flow.Status) {
	h.filter = storage.RunQuery{FlowID: flowID, Status: st, SkipTests: !h.tests.Checked}
	h.cursors = []*storage.RunCursor{nil}
	h.readPage()
}

// reload reads the current page again, and the newest events.
func (h *historyView) reload() {
	h.readPage()
	events, err := h.store.Events(h.ctx, historyPage)
	if err != nil {
		h.logError("Could not list the events: " + err.Error())
	} else {
		h.evL.set(events)
	}
}

// readPage reads the page whose cursor is last in cursors.
func (h *historyView) readPage() {
	q := h.filter
	q.Limit = historyPage
	q.Before = h.cursors[len(h.cursors)-1]
	runs, next, err := h.store.ListRuns(h.ctx, q)
	if err != nil {
		h.logError("Could not list the runs: " + err.Error() + "; press Refresh to try again.")
		return
	}
	h.next = next
	h.selected = nil
	h.runL.set(runs)
	h.runL.list.ScrollToTop()
	page := len(h.cursors)
	text := fmt.Sprintf("Page %d: %d runs", page, len(runs))
	if e := h.editor(); e != nil {
		if n, err := e.CountRuns(h.ctx, h.filter); err == nil {
			text = fmt.Sprintf("Page %d of %d: %d of %d runs", page, max(1, (n+historyPage-1)/historyPage), len(runs), n)
		}
	}
	h.pageLabel.SetText(text)
	h.updateButtons()
}

func (h *historyView) updateButtons() {
	setEnabled(h.older, h.next != nil)
	setEnabled(h.newer, len(h.cursors) > 1)
	ed := h.editor() != nil
	setEnabled(h.rerunB, h.selected != nil && h.rerun != nil)
	setEnabled(h.del, h.selected != nil && ed)
	setEnabled(h.reportB, h.selected != nil && ed)
	setEnabled(h.compareB, h.selected != nil && ed && h.compare != nil)
}

// olderPage shows the page after this one.
func (h *historyView) olderPage() {
	if h.next == nil {
		return
	}
	h.cursors = append(h.cursors, h.next)
	h.readPage()
}

// newerPage shows the page before this one.
func (h *historyView) newerPage() {
	if len(h.cursors) < 2 {
		return
	}
	h.cursors = h.cursors[:len(h.cursors)-1]
	h.readPage()
}

// deleteSelected deletes the selected run, after asking.
func (h *historyView) deleteSelected() {
	e, r := h.editor(), h.selected
	if e == nil || r == nil {
		return
	}
	showConfirm("Delete run", fmt.Sprintf("Delete the run of %q started %s, with its steps?", r.FlowName, r.StartedAt.Local().Format("2006-01-02 15:04:05")), "Delete", func(ok bool) {
		if ok {
			h.deleteRun(r.ID)
		}
	}, h.win)
}

func (h *historyView) deleteRun(id string) {
	if err := h.editor().DeleteRun(h.ctx, id); err != nil {
		h.showError(fmt.Errorf("delete run %s: %w", id, err))
		return
	}
	h.log("Deleted run " + shortID(id) + ".")
	h.readPage()
}

// deleteOlderInteractive deletes the runs started before the date typed,
// after asking.
// deleteOlderDialog asks for the day before which runs are deleted.
func (h *historyView) deleteOlderDialog() {
	if h.editor() == nil {
		return
	}
	showForm("Delete older runs", "Delete…", []*widget.FormItem{
		widget.NewFormItem("Runs started before", h.before),
	}, func(ok bool) {
		if ok {
			h.deleteOlderInteractive()
		}
	}, h.win)
}

func (h *historyView) deleteOlderInteractive() {
	if h.editor() == nil {
		return
	}
	day, err := time.ParseInLocation(dateLayout, h.before.Text, time.Local)
	if err != nil {
		h.showError(fmt.Errorf("the date %q is not a day; write it as %s, for example %s", h.before.Text, olderPrompt, time.Now().AddDate(0, -1, 0).Format(dateLayout)))
		return
	}
	showConfirm("Delete older runs", fmt.Sprintf("Delete every run started before %s, with its steps?", day.Format(dateLayout)), "Delete", func(ok bool) {
		if ok {
			h.deleteBefore(day)
		}
	}, h.win)
}

func (h *historyView) deleteBefore(t time.Time) {
	n, err := h.editor().DeleteRunsBefore(h.ctx, t)
	if err != nil {
		h.showError(fmt.Errorf("delete the runs before %s: %w", t.Format(dateLayout), err))
		return
	}
	h.log(fmt.Sprintf("Deleted %d runs started before %s.", n, t.Format(dateLayout)))
	h.cursors = []*storage.RunCursor{nil}
	h.readPage()
}
