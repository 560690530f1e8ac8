package ui

import (
	"fmt"

	"github.com/flowbench/flowbench/flow"
)

// OpenRun shows a recorded run: its flow is opened (when it is stored and
// not open already), its path replayed on the canvas and its steps listed
// in the console, the last one shown beside it.
func (a *App) OpenRun(id string) {
	e, ok := a.opts.History.(HistoryEditor)
	if !ok || a.running {
		return
	}
	run, steps, err := e.Run(a.ctx, id)
	if err != nil {
		a.showError(fmt.Errorf("open run %s: %w", id, err))
		return
	}
	a.cmp.close() // one run's path replaces the comparison
	if run.FlowID != "" && run.FlowID != a.flowID {
		if err := a.Open(run.FlowID); err != nil {
			a.console.logError(fmt.Sprintf("The flow of run %s is no longer stored (%v); its steps are listed without the canvas path.", shortID(id), err))
		}
	}
	onCanvas := a.isOpenFlowOf(run)
	if onCanvas && run.FlowID != "" && run.FlowVersion != a.flowVersion {
		onCanvas = false // another version's path may not be this one's
		a.console.log(fmt.Sprintf("Run %s ran version %d of %q and version %d is open: its steps are listed without the canvas path. Restore version %d to see it on the canvas.", shortID(id), run.FlowVersion, run.FlowName, a.flowVersion, run.FlowVersion))
	}
	if !onCanvas && run.FlowID == "" {
		a.console.log(fmt.Sprintf("Run %s ran %q from a file, not a stored flow; its steps are listed without the canvas path. Import the file to see it on the canvas.", shortID(id), run.FlowName))
	}
	a.replay(run, steps, onCanvas)
}

// isOpenFlowOf reports whether the editor holds the flow run ran: the same
// stored flow or, for a run of a flow file (no stored flow), a flow of the
// same name. Node IDs repeat across flows ("start", "lookup"), so a run's
// path lit on another flow would show a path that flow never took.
func (a *App) isOpenFlowOf(run *flow.Run) bool {
	if run.FlowID != "" {
		return run.FlowID == a.flowOrDocID() // an unsaved flow runs under its document id
	}
	return run.FlowName == a.ed.Flow().Name
}

// replay lists a finished run's steps in the console and, when onCanvas
// (the open flow is the run's), lights its path; otherwise it clears the
// canvas of any earlier path.
func (a *App) replay(run *flow.Run, steps []flow.Step, onCanvas bool) {
	doc := a.ed.Flow()
	status := make(map[string]flow.Status, len(doc.Nodes))
	for _, n := range doc.Nodes {
		status[n.ID] = flow.StatusSkipped
	}
	var lit []int
	lr := &liveRun{id: run.ID, doc: doc, rows: map[int]int{}, run: run}
	msg := fmt.Sprintf("Run %s of %q (v%d), %s: %s", shortID(run.ID), run.FlowName, run.FlowVersion, run.StartedAt.Local().Format("2006-01-02 15:04:05"), run.Status)
	if run.Outcome != "" {
		msg += fmt.Sprintf(", outcome %q", run.Outcome)
	}
	msg += fmt.Sprintf(", %d ms, %d steps.", run.DurationMs, len(steps))
	if run.Error != "" {
		msg += " " + run.Error
	}
	a.console.push(consoleLine{kind: lineInfo, text: a.console.now().Format("15:04:05") + "  " + msg})
	for i := range steps {
		s := &steps[i]
		if doc.Node(s.Node) != nil {
			status[s.Node] = s.Status
		}
		if s.Port != "" {
			if j := edgeIndex(doc, s.Node, s.Port, ""); j >= 0 {
				lit = append(lit, j)
			}
		}
		lr.rows[s.Seq] = a.console.push(stepLine(s))
		lr.steps = append(lr.steps, s)
	}
	a.live = lr
	if onCanvas {
		a.cv.SetRunOverlay(status, lit)
	} else {
		a.cv.SetRunOverlay(nil, nil)
	}
	a.console.commit()
	if len(steps) > 0 {
		a.showStep(&steps[len(steps)-1])
	}
}

// Rerun runs the flow of a recorded run again with the same trigger
// payload and environment, opening the flow first when another is open.
func (a *App) Rerun(run flow.Run) {
	if run.FlowID != "" && run.FlowID != a.flowID {
		if err := a.Open(run.FlowID); err != nil {
			a.showError(fmt.Errorf("re-run: the flow of run %s is no longer stored: %w", shortID(run.ID), err))
			return
		}
	}
	if !a.isOpenFlowOf(&run) {
		a.showError(fmt.Errorf("re-run: run %s ran %q from a file, not a stored flow, and the open flow is %q; import that file (or open a flow of that name) and re-run from there", shortID(run.ID), run.FlowName, a.ed.Flow().Name))
		return
	}
	a.RunWith(RunInput{Trigger: run.Input, Env: a.envs.vars(run.Env), EnvName: run.Env})
}
