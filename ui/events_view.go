package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// maxEventRows bounds the trigger executions the Events view keeps, so a
// session raising events all day stays light; older ones are in the Runs
// view.
const maxEventRows = 5000

// eventRow is one line of the trigger executions: one run an event
// started, or the event alone when it started none (no listener, or the
// depth limit).
type eventRow struct {
	at     time.Time
	event  string
	run    *flow.Run // nil when the event started no run
	output string    // the run's response payload (engine.RunOutput), as JSON
	vars   string    // its variables alone, short enough for the row
	note   string    // why no run was started, or who raised it
	failed bool
}

func (r eventRow) text() string {
	s := r.at.Local().Format("01-02 15:04:05") + "  " + r.event
	if r.run != nil {
		s += fmt.Sprintf("  → %q %s", r.run.FlowName, r.run.Status)
		if r.run.Outcome != "" {
			s += " → " + r.run.Outcome
		}
		if r.vars != "" {
			s += "  " + r.vars
		}
	}
	if r.note != "" {
		s += "  " + r.note
	}
	return s
}

// eventsView is the sidebar's Events view: raise an event with a payload,
// see what it started (the trigger executions, live), and listen for
// webhook triggers.
type eventsView struct {
	shell
	trig  *triggers
	do    func(func()) // runs work on the UI goroutine
	store HistoryStore // the recorded runs events started; may be nil
	// openRun shows a run as the Runs view does; runsChanged tells the
	// Runs view new runs were recorded (nil without one).
	openRun     func(id string)
	runsChanged func()

	list *itemList[eventRow] // newest first
	box  fyne.CanvasObject

	name      *widget.SelectEntry
	listening *widget.Label
	payload   *widget.Entry
	payErr    *widget.Label
	raise     *widget.Button
	detail    *widget.Label

	hook     *serverSwitch // the webhook listener
	hookURLs *widget.Label
}

func newEventsView(sh shell, trig *triggers, do func(func()), store HistoryStore, openRun func(string), runsChanged func()) *eventsView {
	v := &eventsView{shell: sh, trig: trig, do: do, store: store, openRun: openRun, runsChanged: runsChanged}
	v.list = newItemList(func(r *eventRow) string { return r.text() })
	v.list.danger = func(r *eventRow) bool { return r.failed }
	v.list.OnSelected = func(_ int, r eventRow) { v.selectRow(r) }
	v.detail = widget.NewLabel("Select a trigger execution to see its response payload and open its run.")
	v.detail.Wrapping = fyne.TextWrapWord

	v.name = widget.NewSelectEntry(nil)
	v.name.SetPlaceHolder("event name, e.g. chat.opened")
	v.name.OnChanged = func(string) { v.syncListeners() }
	v.listening = widget.NewLabel("")
	v.listening.Wrapping = fyne.TextWrapWord
	v.payload = widget.NewMultiLineEntry()
	v.payload.SetText("{}")
	v.payload.SetMinRowsVisible(4)
	v.payErr = errorLabel()
	v.payload.OnChanged = func(s string) { setError(v.payErr, payloadProblem(s)) }
	v.raise = widget.NewButtonWithIcon("Raise", theme.MailSendIcon(), v.raiseInteractive)
	v.raise.Importance = widget.HighImportance

	hooks := trig.hooks
	v.hook = newServerSwitch("Listen for webhooks", DefaultWebhookAddr, hooks.Start, hooks.Stop, hooks.URL)
	v.hook.toggled = v.setListening
	v.hookURLs = widget.NewLabel("")
	v.hookURLs.Wrapping = fyne.TextWrapWord

	raiseBox := container.NewVBox(
		widget.NewLabelWithStyle("Raise an event", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.name, v.listening, v.payload, v.payErr, v.raise,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Webhook triggers", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.hook.box, v.hookURLs,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Trigger executions", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	)
	refresh, _ := actionGrid(sh.tips, 1, action{"Refresh", theme.ViewRefreshIcon(), "Read the recorded event runs again", v.reload})
	bottom := container.NewVBox(widget.NewSeparator(), v.detail, refresh)
	v.box = sidePane(raiseBox, v.list.object(), bottom)
	return v
}

func (v *eventsView) object() fyne.CanvasObject { return v.box }

// payloadProblem says what is wrong with a payload, "" when it is JSON (or
// empty, which raises the event with no payload).
func payloadProblem(s string) string {
	if strings.TrimSpace(s) == "" || json.Valid([]byte(s)) {
		return ""
	}
	var v any
	err := json.Unmarshal([]byte(s), &v)
	return "The payload is not JSON (" + err.Error() + "); write an object such as {\"chatId\": \"vip-1\"}."
}

// syncTriggers offers the event names the stored flows know and shows the
// webhook paths; called when the triggers were reloaded.
func (v *eventsView) syncTriggers() {
	t := v.trig
	v.name.SetOptions(append([]string(nil), t.names...))
	if v.name.Text == "" && len(t.names) > 0 {
		v.name.SetText(t.names[0])
	}
	v.syncListeners()
	v.syncHooks()
}

// syncListeners says which flows the chosen event would start.
func (v *eventsView) syncListeners() {
	name := strings.TrimSpace(v.name.Text)
	switch ls := v.trig.listeners(name); {
	case name == "":
		v.listening.SetText("Pick or type an event name.")
	case len(ls) == 0:
		v.listening.SetText(fmt.Sprintf("No stored flow starts on %q; give a flow's start node an event trigger with it.", name))
	default:
		v.listening.SetText("Starts: " + strings.Join(quoteNames(ls), ", "))
	}
}

func quoteNames(ns []string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}

// raiseInteractive is the Raise button: the event is raised on its own
// goroutine (the runs it starts may take a while); what it started comes
// back through the trigger feed.
func (v *eventsView) raiseInteractive() {
	name := strings.TrimSpace(v.name.Text)
	if name == "" {
		v.showError(errors.New("raise an event: the event name is empty; pick one of the list or type one"))
		return
	}
	if p := payloadProblem(v.payload.Text); p != "" {
		v.showError(fmt.Errorf("raise %q: %s", name, p))
		return
	}
	payload := json.RawMessage(strings.TrimSpace(v.payload.Text))
	v.Raise(name, payload)
}

// Raise raises the event name with payload on the bus, as the Raise button
// does; the trigger executions list shows what it started once its runs
// end.
func (v *eventsView) Raise(name string, payload json.RawMessage) {
	bus, do := v.trig.bus, v.do
	v.log(fmt.Sprintf("Raised %s.", name))
	go func() {
		if _, err := bus.Raise(context.Background(), name, payload); err != nil {
			do(func() { v.showError(fmt.Errorf("raise %q: %w", name, err)) })
		}
	}()
}

// add shows trigger executions that arrived (newest first).
func (v *eventsView) add(tes []engine.TriggerExecution) {
	var fresh []eventRow
	for _, te := range tes {
		fresh = append(fresh, executionRows(te)...)
	}
	// newest first: the batch arrived oldest first
	for i, j := 0, len(fresh)-1; i < j; i, j = i+1, j-1 {
		fresh[i], fresh[j] = fresh[j], fresh[i]
	}
	v.list.prepend(fresh, maxEventRows)
	if v.runsChanged != nil {
		v.runsChanged()
	}
}

// executionRows are the lines of one trigger execution.
func executionRows(te engine.TriggerExecution) []eventRow {
	base := eventRow{at: te.Event.At, event: te.Event.Name}
	if te.Event.RunID != "" {
		base.note = fmt.Sprintf("(raised by node %s of run %s)", te.Event.Node, shortID(te.Event.RunID))
	}
	var rows []eventRow
	for _, res := range te.Runs {
		r := base
		run := res.Run
		r.run = &run
		r.failed = run.Status == flow.StatusFailed
		if out := engine.RunOutput(res); out != nil {
			if b, err := json.Marshal(out); err == nil {
				r.output = string(b)
			}
			if b, err := json.Marshal(out["vars"]); err == nil && len(res.Vars) > 0 {
				r.vars = string(b)
			}
		}
		rows = append(rows, r)
	}
	if te.Error != "" {
		r := base
		r.note, r.failed = te.Error, true
		rows = append(rows, r)
	} else if len(te.Runs) == 0 {
		r := base
		r.note = strings.TrimSpace(r.note + " no flow listens")
		rows = append(rows, r)
	}
	return rows
}

// selectRow shows a row's details and opens its run as the Runs view does.
func (v *eventsView) selectRow(r eventRow) {
	var b strings.Builder
	b.WriteString(r.text())
	if r.run != nil {
		fmt.Fprintf(&b, "\nRun %s", r.run.ID)
		if r.run.Error != "" {
			b.WriteString(": " + r.run.Error)
		}
		if r.output != "" {
			b.WriteString("\nResponse payload: " + r.output)
		}
	}
	v.detail.SetText(b.String())
	if r.run != nil {
		v.openRun(r.run.ID)
	}
}

// reload lists the recorded runs that events started (the newest page of
// the history) and the events runs raised, for a window opened on an
// existing history.
func (v *eventsView) reload() {
	hs := v.store
	if hs == nil {
		return
	}
	runs, _, err := hs.ListRuns(v.ctx, storage.RunQuery{Limit: historyPage})
	if err != nil {
		v.logError("Could not list the runs events started: " + err.Error())
		return
	}
	raised, err := hs.Events(v.ctx, historyPage)
	if err != nil {
		v.logError("Could not list the raised events: " + err.Error())
	}
	var rows []eventRow
	for i := range runs {
		name, ok := strings.CutPrefix(runs[i].Trigger, "event:")
		if !ok {
			continue
		}
		run := runs[i]
		rows = append(rows, eventRow{at: run.StartedAt, event: name, run: &run, failed: run.Status == flow.StatusFailed})
	}
	for _, e := range raised {
		rows = append(rows, eventRow{at: e.At, event: e.Name, note: fmt.Sprintf("(raised by node %s of run %s)", e.Node, shortID(e.RunID))})
	}
	slices.SortStableFunc(rows, func(x, y eventRow) int { return y.at.Compare(x.at) })
	v.list.set(rows)
}

// setListening starts or stops the webhook listener at the address typed.
func (v *eventsView) setListening(on bool) {
	err := v.hook.set(on)
	switch {
	case !on && err != nil:
		v.logError("Stop the webhook listener: " + err.Error())
	case !on:
		v.log("Stopped listening for webhook triggers.")
	case err != nil:
		v.logError("Webhook triggers: " + err.Error())
	default:
		v.log("Listening for webhook triggers on " + v.trig.hooks.URL() + ".")
	}
	v.syncHooks()
}

// syncHooks lists the trigger URL of every flow a webhook starts.
func (v *eventsView) syncHooks() {
	t := v.trig
	url := t.hooks.URL()
	v.hook.sync()
	if len(t.paths) == 0 {
		v.hookURLs.SetText("No stored flow starts on a webhook; give a start node a webhook trigger with a path.")
		return
	}
	var lines []string
	for _, p := range sortedKeys(t.paths) {
		where := url
		if where == "" {
			where = "(not listening)"
		}
		lines = append(lines, fmt.Sprintf("%q: POST %s%s", t.paths[p], where, p))
	}
	v.hookURLs.SetText(strings.Join(lines, "\n"))
}
