package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/google/uuid"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// liveRun is what the window shows of the run it follows: the document
// that ran (connector indices refer to it), each step's console row, and
// the run once it finished. It is used on the UI goroutine only.
type liveRun struct {
	id    string
	doc   *flow.Flow
	rows  map[int]int // step seq → console row
	steps []*flow.Step
	run   *flow.Run
}

// edgeIndex finds the connector e of doc, -1 when there is none.
func edgeIndex(doc *flow.Flow, from, port, to string) int {
	for i, e := range doc.Edges {
		if e.From == from && e.PortName() == port && (to == "" || e.To == to) {
			return i
		}
	}
	return -1
}

// applyRunEvents shows a batch of the followed run's events: the nodes
// they changed and the connectors they took on the canvas, the steps they
// started or finished in the console. Only what changed is touched.
func (a *App) applyRunEvents(evs []flow.RunEvent) {
	lr := a.live
	if lr == nil {
		return
	}
	status := map[string]flow.Status{}
	var lit []int
	finished := false
	for _, ev := range evs {
		switch ev.Kind {
		case flow.EventStepStarted, flow.EventStepFinished:
			if ev.Step == nil {
				continue
			}
			s := ev.Step
			status[s.Node] = s.Status
			line := stepLine(s)
			if row, ok := lr.rows[s.Seq]; ok {
				for i := len(lr.steps) - 1; i >= 0; i-- {
					if lr.steps[i].Seq == s.Seq {
						lr.steps[i] = s
						break
					}
				}
				a.console.updateRow(row, line)
			} else {
				lr.rows[s.Seq] = a.console.push(line)
				lr.steps = append(lr.steps, s)
			}
			if ev.Kind == flow.EventStepFinished {
				a.present.step(s)
			}
			if a.pane.step != nil && a.pane.step.Seq == s.Seq && ev.Kind == flow.EventStepFinished && a.pane.step.RunID == s.RunID {
				a.pane.show(s)
			}
		case flow.EventBranchTaken:
			if ev.Edge != nil {
				if i := edgeIndex(lr.doc, ev.Edge.From, ev.Edge.PortName(), ev.Edge.To); i >= 0 {
					lit = append(lit, i)
				}
			}
		case flow.EventRunFinished:
			finished = true
			lr.run = ev.Run
			// what never ran was skipped
			cur, _ := a.cv.RunOverlay()
			for id, st := range cur {
				if st == flow.StatusWaiting {
					if _, changed := status[id]; !changed {
						status[id] = flow.StatusSkipped
					}
				}
			}
		}
	}
	a.cv.UpdateRunOverlay(status, lit)
	a.console.commit()
	if finished {
		a.writeScene()
	}
}

// showStep shows a step's request and response beside the console.
func (a *App) showStep(s *flow.Step) { a.pane.show(s) }

// Run runs the open document with that trigger payload in the picked
// environment, on its own goroutine. Its events light the canvas and fill
// the console as they come; the run's summary follows through Options.Do.
func (a *App) Run(input json.RawMessage) {
	name := a.envs.current()
	a.RunWith(RunInput{Trigger: input, Env: a.envs.vars(name), EnvName: name})
}

// RunWith runs the open document with in (a new RunID is chosen when in
// has none).
func (a *App) RunWith(in RunInput) {
	if a.opts.Runner == nil || a.running {
		return
	}
	if len(in.Trigger) == 0 {
		in.Trigger = json.RawMessage("{}")
	}
	if !json.Valid(in.Trigger) {
		a.showError(fmt.Errorf("the trigger payload is not valid JSON; write an object such as {\"chatId\": \"42\"}"))
		return
	}
	a.lastInput = in.Trigger
	a.cmp.close() // a new run's path replaces the comparison
	if in.Pause == nil && a.step != nil {
		in.Pause = a.step.forRun(false, 0) // the flow's breakpoints, if it has any
	}
	if in.RunID == "" {
		in.RunID = uuid.NewString()
	}
	doc := editor.Clone(a.ed.Flow())
	doc.ID, doc.Version = a.flowOrDocID(), a.flowVersion
	ctx, cancel := context.WithCancel(a.ctx)
	a.runCancel = cancel
	a.running = true
	a.updateActions()
	a.live = &liveRun{id: in.RunID, doc: doc, rows: map[int]int{}}
	waiting := make(map[string]flow.Status, len(doc.Nodes))
	for _, n := range doc.Nodes {
		waiting[n.ID] = flow.StatusWaiting
	}
	a.cv.SetRunOverlay(waiting, nil)
	a.present.clear()
	a.bridge.follow(in.RunID)
	envNote := ""
	if in.EnvName != "" {
		envNote = " in " + in.EnvName
	}
	a.console.log(fmt.Sprintf("Running %q%s…", doc.Name, envNote))
	go func() {
		run, err := a.opts.Runner.Run(ctx, doc, in)
		cancel()
		a.opts.Do(func() {
			a.bridge.flush() // the last events, before the summary
			a.bridge.follow("")
			a.running = false
			a.runCancel = nil
			a.updateActions()
			a.reportRun(doc.Name, run, err)
			if a.history != nil {
				a.history.reload()
			}
		})
	}()
}

// reportRun writes the run's summary in the console.
func (a *App) reportRun(name string, run *flow.Run, err error) {
	switch {
	case err != nil:
		a.cv.SetRunOverlay(nil, nil)
		a.console.logError(fmt.Sprintf("Run of %q could not start: %v", name, err))
	case run.Status == flow.StatusSucceeded:
		a.console.log(fmt.Sprintf("Run %s of %q %s in %d ms, outcome %q.", shortID(run.ID), name, run.Status, run.DurationMs, run.Outcome))
	default:
		msg := fmt.Sprintf("Run %s of %q %s after %d ms.", shortID(run.ID), name, run.Status, run.DurationMs)
		if run.Error != "" {
			msg += " " + run.Error
		}
		a.console.logError(msg)
	}
}

// StopRun cancels the run in progress: it ends as "stopped" with the
// steps done so far.
func (a *App) StopRun() {
	if a.runCancel != nil {
		a.runCancel()
	}
}

// Running reports whether a run started from the window is in progress.
func (a *App) Running() bool { return a.running }

// TestSelected tests the selected node, when it is a call (Ctrl+Enter).
func (a *App) TestSelected() {
	if id := a.ed.Selection().Node; id != "" {
		if n := a.ed.Flow().Node(id); n != nil && n.Kind == flow.KindCall {
			a.TestNode(id)
		}
	}
}

// TestNode runs the node id on its own with the last trigger payload, the
// picked environment and what earlier tests put in steps.<id>. Its request
// and response show beside the console, and its steps.<id> feeds the
// completions of later expressions.
func (a *App) TestNode(id string) {
	if a.opts.Runner == nil {
		return
	}
	doc := editor.Clone(a.ed.Flow())
	doc.ID, doc.Version = a.flowOrDocID(), a.flowVersion
	steps := map[string]any{}
	for k, v := range a.testCtx {
		steps[k] = v
	}
	in := engine.StepInput{Trigger: a.lastInput, Env: a.envs.vars(a.envs.current()), Steps: steps}
	a.console.log(fmt.Sprintf("Testing node %s…", id))
	go func() {
		res, err := a.opts.Runner.TestStep(a.ctx, doc, id, in)
		a.opts.Do(func() {
			if err != nil {
				a.console.logError(fmt.Sprintf("Test of node %s could not run: %v", id, err))
				return
			}
			a.testCtx[id] = res.Context
			s := res.Step
			a.console.push(stepLine(&s))
			a.console.commit()
			a.showStep(&s)
		})
	}()
}

// testNames lists the fields earlier tests found in steps.<id>, so that
// later steps' expressions complete with real field names.
func (a *App) testNames() []string {
	var out []string
	ids := make([]string, 0, len(a.testCtx))
	for id := range a.testCtx {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fieldNames("steps."+id, a.testCtx[id], 4, &out)
	}
	return out
}

// fieldNames appends the dotted paths of v's object fields, depth levels
// deep, bounded so a huge response does not flood the completions.
func fieldNames(prefix string, v any, depth int, out *[]string) {
	m, ok := v.(map[string]any)
	if !ok || depth == 0 || len(*out) > 500 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := prefix + "." + k
		*out = append(*out, p)
		fieldNames(p, m[k], depth-1, out)
	}
}
