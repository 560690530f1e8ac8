package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/ui/editor"
)

// Branch coverage (issue 17): View > Branch coverage (Ctrl+B) colours every
// port of the open flow by whether a recorded run of its saved version took
// it (the canvas's SetCoverage), and lists beside the canvas the ports never
// taken, a "since" choice, and "Run the missing ones": for a never-taken
// port of a call, each mock of its connection that makes the call leave by
// it (engine.MockPorts), as a button running the flow with that mock.

// coverageShortcut is Ctrl+B (Cmd+B on macOS).
var coverageShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyB, Modifier: fyne.KeyModifierShortcutDefault}

// CoverageStore reads branch coverage; *storage.DB satisfies it. Without
// one (a HistoryStore that is not one) the overlay says it cannot count.
type CoverageStore interface {
	PortCoverage(ctx context.Context, flowID string, version int, since time.Time) (map[storage.NodePort]storage.PortUse, error)
}

// The "since" choices.
const (
	sinceAll   = "All time"
	sinceHour  = "Last hour"
	sinceToday = "Today"
	sinceTyped = "Since a time…"
)

// sinceLayouts are the time formats the since field reads, in local time
// unless the text names a zone.
var sinceLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}

// coverageView is the overlay's state and its side panel.
type coverageView struct {
	a     *App
	on    bool
	shown atomic.Bool // on, for the engine's goroutine (observe)
	now   func() time.Time

	panel     *fyne.Container // in the properties panel's place, shown while on
	summary   *widget.Label
	note      *widget.Label // unsaved changes, no store, errors
	since     *widget.Select
	sinceText *widget.Entry
	missing   *fyne.Container // a button per never-taken port
	proposals *fyne.Container // "Run the missing ones"
	item      *fyne.MenuItem  // View > Branch coverage, checked while on

	// ports is the coverage shown (flow.Coverage of the open document with
	// the stored counts); never its ports never taken.
	ports, never []flow.PortCoverage
	// gen counts refreshes, so a late proposal answer for an older one is
	// dropped.
	gen int
}

func newCoverageView(a *App) *coverageView {
	v := &coverageView{a: a, now: time.Now}
	v.summary = widget.NewLabel("")
	v.summary.Wrapping = fyne.TextWrapWord
	v.note = widget.NewLabel("")
	v.note.Wrapping = fyne.TextWrapWord
	v.note.Importance = widget.WarningImportance
	v.sinceText = widget.NewEntry()
	v.sinceText.SetPlaceHolder("2026-12-01 09:00")
	v.sinceText.OnSubmitted = func(string) { v.refresh() }
	v.sinceText.Hide()
	v.since = widget.NewSelect([]string{sinceAll, sinceHour, sinceToday, sinceTyped}, func(s string) {
		if s == sinceTyped {
			v.sinceText.Show()
		} else {
			v.sinceText.Hide()
		}
		v.refresh()
	})
	v.since.Selected = sinceAll
	v.missing = container.NewVBox()
	v.proposals = container.NewVBox()
	title := widget.NewLabelWithStyle("Branch coverage", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := container.NewVBox(v.summary, v.note, widget.NewLabel("Runs since"), v.since, v.sinceText,
		widget.NewLabelWithStyle("Never taken", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.missing,
		widget.NewLabelWithStyle("Run the missing ones", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.proposals)
	close := widget.NewButton("Close", v.toggle)
	v.panel = container.New(panelWidth{coveragePanelWidth},
		container.NewBorder(title, close, nil, nil, container.NewVScroll(body)))
	v.panel.Hide()
	v.item = fyne.NewMenuItem("Branch coverage", v.toggle)
	v.item.Shortcut = coverageShortcut
	a.ed.AddListener(func(ch editor.Change) {
		if v.on && ch.Kind == editor.ChangeDoc && ch.Label == editor.LabelLoad {
			v.setOn(false) // the coverage was of the flow that was open
		}
	})
	if a.opts.Runner != nil {
		a.opts.Runner.AddObserver(engine.ObserverFunc(v.observe))
	}
	return v
}

// toggle shows or hides the overlay (View > Branch coverage, Ctrl+B).
func (v *coverageView) toggle() { v.setOn(!v.on) }

func (v *coverageView) setOn(on bool) {
	v.on = on
	v.shown.Store(on)
	v.item.Checked = on
	if m := v.a.w.MainMenu(); m != nil {
		m.Refresh()
	}
	if !on {
		v.gen++
		v.ports, v.never = nil, nil
		v.a.cv.SetCoverage(nil)
		v.panel.Hide()
		if !v.a.present.on {
			v.a.inspector.object().Show()
		}
		return
	}
	// the panel takes the properties panel's place, so the canvas keeps
	// its room (a panel beside it left a 1024-px window a 200-px canvas)
	v.a.inspector.object().Hide()
	v.panel.Show()
	v.refresh()
}

// sinceTime is the start of the chosen period; zero for all time.
func (v *coverageView) sinceTime() (time.Time, error) {
	now := v.now()
	switch v.since.Selected {
	case sinceHour:
		return now.Add(-time.Hour), nil
	case sinceToday:
		y, m, d := now.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, now.Location()), nil
	case sinceTyped:
		text := strings.TrimSpace(v.sinceText.Text)
		if text == "" {
			return time.Time{}, nil
		}
		for _, layout := range sinceLayouts {
			if t, err := time.ParseInLocation(layout, text, now.Location()); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not a time: write it as 2026-12-01 09:00 (or 2026-12-01, or RFC 3339); counting all runs", text)
	}
	return time.Time{}, nil
}

// refresh reads the coverage of the open flow's saved version and shows
// it: the overlay, the never-taken list and (in the background) the
// proposals.
func (v *coverageView) refresh() {
	if !v.on {
		return
	}
	v.gen++
	a := v.a
	var notes []string
	since, err := v.sinceTime()
	if err != nil {
		notes = append(notes, err.Error())
	}
	id, version := a.flowOrDocID(), a.flowVersion
	counts := map[storage.NodePort]storage.PortUse{}
	store, ok := a.opts.History.(CoverageStore)
	switch {
	case !ok:
		notes = append(notes, "This window keeps no run history, so no runs are counted.")
	default:
		if counts, err = store.PortCoverage(a.ctx, id, version, since); err != nil {
			notes = append(notes, err.Error())
			counts = map[storage.NodePort]storage.PortUse{}
		}
	}
	if a.ed.Dirty() {
		if a.flowID == "" {
			notes = append(notes, "The flow was never saved: the counts are of its runs since it was opened; save it to keep them with a version.")
		} else {
			notes = append(notes, fmt.Sprintf("The flow has unsaved changes: the counts are of version %d as saved, and ports added since show no colour.", version))
		}
	}
	v.ports = a.ed.Flow().Coverage(func(node, port string) int {
		return counts[storage.NodePort{Node: node, Port: port}].Taken
	})
	v.never = flow.NeverTaken(v.ports)
	a.cv.SetCoverage(v.ports)
	when := "all recorded runs"
	if !since.IsZero() {
		when = "runs since " + since.Format("2006-01-02 15:04")
	}
	v.summary.SetText(fmt.Sprintf("%d of %d ports taken by %s of version %d (counts of all time).",
		len(v.ports)-len(v.never), len(v.ports), when, version))
	v.note.SetText(strings.Join(notes, "\n"))
	v.note.Hidden = len(notes) == 0
	v.note.Refresh()
	v.listMissing()
	v.propose()
}

// listMissing lists the never-taken ports, each a button selecting and
// centring its node.
func (v *coverageView) listMissing() {
	v.missing.RemoveAll()
	if len(v.never) == 0 {
		v.missing.Add(wrapLabel("None: every port was taken."))
	}
	for _, p := range v.never {
		id := p.Node
		show := newTipButton("", theme.VisibilityIcon(), v.a.tips, "Select it on the canvas", func() { v.a.selectProblemNode(id) })
		v.missing.Add(container.NewBorder(nil, nil, nil, show, wrapLabel(v.portName(p))))
	}
	v.missing.Refresh()
}

// coveragePanelWidth is the least width the coverage panel asks for: its
// rows wrap to the width the properties panel's place has, so long node
// titles never widen the window past the screen.
const coveragePanelWidth = 200

// panelWidth lays out one object at the size it is given and asks for a
// fixed width (and the height the object needs), whatever the object's own
// minimum width.
type panelWidth struct{ w float32 }

func (l panelWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(l.w, h)
}

func (l panelWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// portName is how the panel names a port: the node's title and the port.
func (v *coverageView) portName(p flow.PortCoverage) string {
	name := p.Node
	if n := v.a.ed.Flow().Node(p.Node); n != nil && n.Title != "" {
		name = n.Title
	}
	return name + " · " + p.Port
}

// proposal is a mock that makes a call leave by a never-taken port.
type proposal struct {
	port       flow.PortCoverage
	conn, mock string
}

// propose works out, off the UI goroutine, which mocks reach the
// never-taken ports of calls, and lists them as buttons.
func (v *coverageView) propose() {
	v.proposals.RemoveAll()
	a := v.a
	if a.opts.Runner == nil {
		v.proposals.Add(widget.NewLabel("This window cannot run flows."))
		v.proposals.Refresh()
		return
	}
	probes := v.probes()
	if len(probes) == 0 {
		v.proposals.Add(widget.NewLabel("No never-taken port of a call has a mock on its connection that could reach it."))
		v.proposals.Refresh()
		return
	}
	v.proposals.Add(widget.NewLabel("Testing the calls against their mocks…"))
	v.proposals.Refresh()
	gen := v.gen
	never := slices.Clone(v.never)
	trigger := a.lastInput
	if !json.Valid(trigger) {
		trigger = json.RawMessage("{}")
	}
	opts := engine.Options{Env: a.envs.vars(a.envs.current())}
	if src, ok := a.opts.Store.(engine.SecretSource); ok {
		opts.Secrets = src
	}
	go func() {
		found, errs := findProposals(a.ctx, probes, never, trigger, opts)
		a.opts.Do(func() {
			if gen == v.gen && v.on {
				v.showProposals(found, errs)
			}
		})
	}()
}

// probes are the MockPorts questions the never-taken ports ask: one per
// call node with such a port whose connection has mocks answering it.
func (v *coverageView) probes() []engine.MockProbe {
	a := v.a
	if a.opts.MockStore == nil {
		return nil
	}
	mocks, err := a.opts.MockStore.ListMocks(a.ctx)
	if err != nil || len(mocks) == 0 {
		return nil
	}
	f := editor.Clone(a.ed.Flow())
	f.ID, f.Version = a.flowOrDocID(), a.flowVersion
	uses := map[string]flow.ConnectionUse{}
	for _, u := range f.ConnectionUses(a.conns) {
		uses[u.Name] = u
	}
	var out []engine.MockProbe
	seen := map[string]bool{}
	for _, p := range v.never {
		n := f.Node(p.Node)
		if seen[p.Node] || n == nil || n.Kind != flow.KindCall || n.Call == nil || n.Call.Connection == "" {
			continue
		}
		seen[p.Node] = true
		try := flow.MocksFor(uses[n.Call.Connection], mocks)
		if len(try) == 0 {
			continue
		}
		out = append(out, engine.MockProbe{Flow: f, Node: p.Node, Connections: slices.Clone(a.conns), Mocks: mocks, Try: try})
	}
	return out
}

// findProposals asks each probe and keeps, for every never-taken port, the
// mocks that make its call leave by it.
func findProposals(ctx context.Context, probes []engine.MockProbe, never []flow.PortCoverage, trigger json.RawMessage, opts engine.Options) ([]proposal, []string) {
	var found []proposal
	var errs []string
	for _, pr := range probes {
		pr.Input = engine.StepInput{Trigger: trigger, Env: opts.Env}
		pr.Runner = opts
		ports, err := engine.MockPorts(ctx, pr)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		conn := pr.Flow.Node(pr.Node).Call.Connection
		for _, p := range never {
			if p.Node != pr.Node {
				continue
			}
			for _, m := range pr.Try {
				if ports[m] == p.Port {
					found = append(found, proposal{port: p, conn: conn, mock: m})
				}
			}
		}
	}
	return found, errs
}

// showProposals lists each proposal as a button running the flow with its
// mock, and the ports no mock reaches.
func (v *coverageView) showProposals(found []proposal, errs []string) {
	v.proposals.RemoveAll()
	for _, p := range found {
		conn, mock := p.conn, p.mock
		label := fmt.Sprintf("%s: mock %s on %s", v.portName(p.port), mock, conn)
		run := widget.NewButtonWithIcon("Run", theme.MediaPlayIcon(), func() { v.a.present.runWith(conn, mock) })
		v.proposals.Add(container.NewBorder(nil, nil, nil, run, wrapLabel(label)))
	}
	if len(found) == 0 {
		v.proposals.Add(wrapLabel("No mock makes a call leave by a never-taken port."))
	}
	for _, e := range errs {
		l := widget.NewLabel(e)
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		v.proposals.Add(l)
	}
	v.proposals.Refresh()
}

// observe follows the runs: when one of the open flow finishes while the
// overlay is shown, the coverage is read again once the run is recorded.
func (v *coverageView) observe(ev flow.RunEvent) {
	// shown mirrors on for the engine's goroutine: with the overlay off a
	// finished run costs nothing here (no drain, no forced commit)
	if ev.Kind != flow.EventRunFinished || ev.Run == nil || ev.Run.Trigger == "test" || !v.shown.Load() {
		return
	}
	flowID := ev.Run.FlowID
	go func() {
		// as LocalRunner.Run does: every observer (the recorder) has the
		// run's events, then they are committed
		if lr, ok := v.a.opts.Runner.(*LocalRunner); ok && lr.Engine != nil && lr.Flush != nil {
			ctx := context.WithoutCancel(v.a.ctx)
			_ = lr.Engine.Drain(ctx)
			_ = lr.Flush(ctx)
		}
		v.a.opts.Do(func() {
			if v.on && flowID == v.a.flowOrDocID() {
				v.refresh()
			}
		})
	}()
}
