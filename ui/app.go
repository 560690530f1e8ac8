// Package ui is Flowbench's desktop window: the toolbar, the sidebar views
// (flows, connections, runs, events), the flow canvas, the inspector forms
// that configure nodes and connections, and the console of problems and
// messages. It renders the editor state of ui/editor and keeps documents in
// a store (storage.DB in the app, a temporary one in tests).
//
// Everything here runs on Fyne's UI goroutine. Work that blocks (a run)
// happens on its own goroutine and comes back through Options.Do, which is
// fyne.Do in the app and a queue the test drains in tests.
package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
	fbcanvas "github.com/flowbench/flowbench/ui/canvas"
	"github.com/flowbench/flowbench/ui/editor"
)

// DefaultAutosaveDelay is how long the window waits after the last edit
// before writing a draft: long enough not to write on every keystroke, short
// enough that a crash loses at most a few seconds of work.
const DefaultAutosaveDelay = 2 * time.Second

// Options configure the main window. Store is required; the rest have
// working defaults.
type Options struct {
	// SceneFile, when set, receives after each run where every card of the
	// open flow is drawn and its run state (see writeScene): the real-window
	// journeys check the screenshot against it.
	SceneFile string
	// Store keeps flows and connections.
	Store Store
	// History lists past runs and raised events; nil leaves the Runs and
	// Events views out.
	History HistoryStore
	// Runner runs the open flow; nil leaves the run and stop buttons out.
	Runner Runner
	// Sender sends the request workspace's requests: a LocalRunner whose
	// engine has no recorder, so sends go to the request history and not
	// to the runs. Nil means Runner when it is a LocalRunner (its sends are
	// then recorded as Test runs too).
	Sender *LocalRunner
	// Triggers starts stored flows without the run button: on events (the
	// Events view's Raise, emit nodes, calls' completion events) and on
	// webhook requests. It is usually the LocalRunner given as Runner; nil
	// leaves the Events view's raising and the webhook listener out.
	Triggers *LocalRunner
	// Compile checks a whole flow as the engine will (expressions with
	// their fields, connections) and returns flow.Problems. Nil checks the
	// expressions with engine/expr field by field.
	Compile func(f *flow.Flow, conns []flow.Connection) error
	// Do runs fn on the UI goroutine; nil means fyne.Do. Tests inject a
	// queue they drain themselves.
	Do func(fn func())
	// AfterFunc calls fn after d on another goroutine and returns a stop
	// function; nil means time.AfterFunc. Tests inject a manual clock.
	AfterFunc func(d time.Duration, fn func()) (stop func() bool)
	// DraftDir is where unsaved edits are written as drafts so a crash
	// loses nothing; "" turns autosave off.
	DraftDir string
	// AutosaveDelay overrides DefaultAutosaveDelay when positive.
	AutosaveDelay time.Duration

	// MockStore keeps mocks and the request inspector's history; nil leaves
	// the Mocks view out.
	MockStore MockStore
	// Mocks is the mock server the Mocks view starts and stops. The
	// Runner's engine must send connections with the mock switch on to it:
	// build the engine with Resolve: MockResolver(Mocks). Nil leaves the
	// Mocks view out.
	Mocks *mock.Server
	// MockAddr is where the mock server listens; "" means mock.DefaultAddr.
	MockAddr string
	// StartMocks starts the mock server with the stored mocks when the
	// window opens, so the demo kit works from the first launch. When the
	// port is taken, the free port the server offers is used instead.
	StartMocks bool
}

// App is the main window and everything in it. Create it with New; it is
// used from the UI goroutine only.
type App struct {
	fa   fyne.App
	w    fyne.Window
	opts Options
	ctx  context.Context
	// stopRuns cancels ctx: the runs started from the window end "stopped"
	// when the window closes or the process is told to end (Shutdown).
	stopRuns context.CancelFunc

	ed      *editor.Editor
	cv      *fbcanvas.Canvas
	checker *exprChecker

	// flowID and flowVersion identify the stored flow the editor holds ("" and
	// 0 for one never saved). They live outside the document so that undoing
	// past a save can never make the next save create a second flow.
	flowID      string
	flowVersion int
	// docID is the open document's GUID: its stored id, else one made when
	// the document was opened, which its runs carry as flow.id and its first
	// save stores it under (flowOrDocID).
	docID string

	conns []flow.Connection // the stored connections, for pickers and checks

	tips      *tooltipLayer
	bar       *toolbar
	inspector *inspector
	console   *console
	flows     *flowsView
	connView  *connectionsView
	history   *historyView
	sidebar   *sidebar
	events    *eventsView   // nil without Options.Triggers
	requests  *requestsView // nil without triggers or mocks
	fit       *autoFit      // keeps the flow fitted while the view is not moved
	work      *workspace    // the request workspace (the Send view)
	mocks     *mocksView    // nil without Mocks and MockStore
	trig      *triggers     // the event bus and webhook listener; nil without Options.Triggers
	// received carries what mocks and webhook triggers received to the
	// request inspector.
	received *feed[flow.ReceivedRequest]

	sideSplit, inspSplit, consoleSplit *container.Split

	draftStop func() bool
	runCancel context.CancelFunc
	running   bool

	bridge    runFeed           // engine events to widgets; unset without a Runner
	live      *liveRun          // the run followed or last shown
	pane      *stepPane         // a step's request and response
	envs      *environments     // the named variable sets (env)
	testCtx   map[string]any    // steps.<id> of the last test of each node
	lastInput json.RawMessage   // the last trigger payload, offered again
	lastRun   *runChoice        // the Run dialog's last choice, for Run again (F5, Ctrl+R)
	step      *stepper          // breakpoints and the run waiting at one
	present   *presenter        // presenter mode (F11)
	palette   fyne.CanvasObject // the Add row over the canvas
	runDlg    *runDialog        // the open Run dialog (tests drive it)
	cmp       *compareView      // two runs compared (ui/compare.go)
	cov       *coverageView     // branch coverage (ui/coverage.go)
}

// New builds the main window of a and opens the most recently updated flow
// (or a draft a crash left behind). Show it with Window().ShowAndRun().
func New(a fyne.App, opts Options) (*App, error) {
	if opts.Store == nil {
		return nil, errors.New("ui: Options.Store is required: pass the storage.DB the window keeps flows in")
	}
	if opts.Do == nil {
		opts.Do = fyne.Do
	}
	if opts.AfterFunc == nil {
		opts.AfterFunc = func(d time.Duration, fn func()) func() bool { return time.AfterFunc(d, fn).Stop }
	}
	if opts.AutosaveDelay <= 0 {
		opts.AutosaveDelay = DefaultAutosaveDelay
	}
	env, err := expr.NewEnv(expr.Options{})
	if err != nil {
		return nil, err
	}
	ctx, stopRuns := context.WithCancel(context.Background())
	app := &App{fa: a, opts: opts, ctx: ctx, stopRuns: stopRuns, checker: newExprChecker(env),
		envs: newEnvironments(a.Preferences()), testCtx: map[string]any{}, lastInput: json.RawMessage("{}")}
	app.w = a.NewWindow("Flowbench")
	app.ed = editor.New(nil)
	app.cv = fbcanvas.New(app.ed)
	app.cv.OnError = func(err error) { app.console.logError(err.Error()) }
	app.wireCanvas()
	app.applyTheme(app.themeChoice())
	app.received = newFeed(opts.Do, opts.AfterFunc, func(rs []flow.ReceivedRequest) {
		if app.requests != nil {
			app.requests.add(rs)
		}
	})
	if opts.Mocks != nil {
		opts.Mocks.Subscribe(app.received.push)
	}
	if opts.Triggers != nil && opts.Triggers.Engine != nil {
		app.trig = newTriggers(app, opts.Triggers)
	}
	app.build()
	if opts.Runner != nil {
		app.bridge = newRunFeed(opts.Do, opts.AfterFunc, app.applyRunEvents)
		opts.Runner.AddObserver(app.bridge)
	}
	app.ed.AddListener(app.onEditorChange)
	app.refreshConnections()
	app.flows.reload()
	if app.events != nil {
		app.events.reload()
	}
	if app.requests != nil {
		app.requests.reload()
	}
	if app.mocks != nil {
		app.mocks.reload()
		if opts.StartMocks {
			app.mocks.startAtLaunch()
		}
	}
	if !app.recoverDraft() {
		app.openLatest()
	}
	app.updateTitle()
	app.updateActions()
	app.revalidate()
	return app, nil
}

// ShowAndRun shows the window, fits the flow to it once it has a size, and
// runs the app until the window is closed.
func (a *App) ShowAndRun() {
	a.w.Show()
	a.fitWhenSized(100)
	a.fa.Run()
}

// fitWhenSized fits the flow to the canvas as soon as the canvas has been
// laid out (the window's first size is known only after it is shown),
// trying a bounded number of times.
func (a *App) fitWhenSized(tries int) {
	if a.cv.Size().Width > 0 {
		a.fitFlow()
		return
	}
	if tries > 0 {
		a.opts.AfterFunc(50*time.Millisecond, func() { a.opts.Do(func() { a.fitWhenSized(tries - 1) }) })
	}
}

// flowName is the open flow's name.
func (a *App) flowName() string { return a.ed.Flow().Name }

// flowsListed keeps what lists the stored flows in step with the Flows
// view: the toolbar's picker and the flows events and webhooks start.
func (a *App) flowsListed() {
	if a.bar != nil {
		a.bar.syncPicker()
	}
	a.reloadTriggers()
}

// Window returns the main window.
func (a *App) Window() fyne.Window { return a.w }

// Editor returns the editing session of the open flow.
func (a *App) Editor() *editor.Editor { return a.ed }

// Canvas returns the flow canvas widget.
func (a *App) Canvas() *fbcanvas.Canvas { return a.cv }

// FlowID returns the stored id of the open flow, "" when it was never saved.
func (a *App) FlowID() string { return a.flowID }

// build lays out the window of docs/architecture.md: toolbar on top; sidebar,
// canvas and inspector side by side; the console below.
func (a *App) build() {
	a.tips = newTooltipLayer()
	a.pane = newStepPane(a)
	a.console = newConsole(a.selectProblemNode, a.pane.object())
	a.console.onStep = a.showStep
	a.cmp = newCompareView(a)
	a.inspector = newInspector(a)
	a.flows = newFlowsView(a.shell(), a.opts.Store, a)
	a.connView = newConnectionsView(a.shell(), connectionsDeps{
		edit: a.inspector.showConnection,
		editing: func() (string, bool) {
			if f := a.inspector.conn; f != nil && !f.isNew {
				return f.orig.Name, true
			}
			return "", false
		},
		show:      func() { a.sidebar.showNamed("Connections") },
		askDelete: a.AskDeleteConnection,
	})
	if a.opts.History != nil {
		var rerun func(flow.Run)
		if a.opts.Runner != nil {
			rerun = a.Rerun
		}
		a.history = newHistoryView(a.shell(), a.opts.History, a.OpenRun, rerun, func() []storage.FlowSummary { return a.flows.items })
		a.history.compare = a.CompareRuns
	}
	if a.trig != nil {
		runsChanged := func() {
			if a.history != nil {
				a.history.readPage()
			}
		}
		a.events = newEventsView(a.shell(), a.trig, a.opts.Do, a.opts.History, a.OpenRun, runsChanged)
	}
	if a.opts.Mocks != nil && a.opts.MockStore != nil {
		a.mocks = newMocksView(a.shell(), a.opts.Mocks, a.opts.MockStore, a.opts.MockAddr, func() []flow.Connection { return a.conns }, a.resetConnections)
	}
	if a.trig != nil || a.mocks != nil {
		a.requests = newRequestsView(a.shell(), a.opts.MockStore)
	}
	a.work = newWorkspace(a)
	a.sidebar = newSidebar(a.sideEntries()...)
	a.sidebar.onShow = func(name string) { a.work.setShown(name == sendView) }
	a.bar = newToolbar(a)

	a.fit = &autoFit{a: a}
	a.step = newStepper(a)
	a.cv.OnNodeMenu = a.step.nodeMenu
	a.palette = newPalette(a)
	a.present = newPresenter(a)
	a.cov = newCoverageView(a)
	canvasArea := container.NewBorder(a.palette, a.step.bar, nil, nil, container.New(a.fit, a.cv, a.cmp.cover, a.present.layer))
	a.inspSplit = container.NewHSplit(canvasArea, container.NewStack(a.inspector.object(), a.cov.panel))
	a.work.main.Hide()
	a.sideSplit = container.NewHSplit(a.sidebar.object(), container.NewStack(a.inspSplit, a.work.main))
	a.consoleSplit = container.NewVSplit(a.sideSplit, container.NewStack(a.console.object(), a.cmp.panel))
	main := container.NewBorder(a.bar.object(), nil, nil, nil, a.consoleSplit)
	a.w.SetContent(container.NewStack(main, a.tips.object()))
	a.w.SetMainMenu(a.mainMenu())
	a.addShortcuts()
	a.restoreLayout()
	a.w.SetCloseIntercept(a.Quit)
}

// Quit ends the session as File > Quit and the window's close button do:
// edits that no draft keeps are confirmed first, then the layout and the
// draft are kept, the window's run is stopped and the app quits. (Fyne's
// own Quit item would quit at once, losing the draft and the run's end.)
func (a *App) Quit() {
	a.confirmLeave(func() {
		a.endSession()
		a.w.Close()
		a.fa.Quit()
	})
}

// sideEntries are the sidebar's views, those the options give.
func (a *App) sideEntries() []sideEntry {
	es := []sideEntry{{"Flows", theme.FileIcon(), a.flows.object()}, {"Connections", theme.ComputerIcon(), a.connView.object()}}
	if a.history != nil {
		es = append(es, sideEntry{"Runs", theme.HistoryIcon(), a.history.runsObject()})
	}
	switch {
	case a.events != nil:
		es = append(es, sideEntry{"Events", theme.MailForwardIcon(), a.events.object()})
	case a.history != nil:
		es = append(es, sideEntry{"Events", theme.MailForwardIcon(), a.history.eventsObject()})
	}
	if a.mocks != nil {
		es = append(es, sideEntry{"Mocks", theme.StorageIcon(), a.mocks.object()})
	}
	if a.requests != nil {
		es = append(es, sideEntry{"Requests", theme.SearchIcon(), a.requests.object()})
	}
	es = append(es, sideEntry{sendView, theme.MailSendIcon(), a.work.side})
	return es
}

// Shutdown ends the session as closing the window does and quits the app
// (ShowAndRun returns). The GUI calls it on SIGINT/SIGTERM, through
// fyne.Do: it runs on the UI goroutine.
func (a *App) Shutdown() {
	a.endSession()
	a.fa.Quit()
}

// endSession keeps the layout and the draft of unsaved edits and stops the
// run started from the window: it is recorded "stopped" (the caller of
// ShowAndRun waits for it and flushes the recorder).
func (a *App) endSession() {
	a.saveLayout()
	a.flushDraft()
	a.stopRuns()
}

// onEditorChange keeps everything that depends on the document current.
func (a *App) onEditorChange(c editor.Change) {
	switch c.Kind {
	case editor.ChangeDoc:
		a.updateTitle()
		a.updateActions()
		a.revalidate()
		a.scheduleDraft()
		a.inspector.docChanged()
	case editor.ChangeSelection:
		a.updateActions()
		a.inspector.showSelection()
	}
}

// updateTitle shows the flow's name, with a leading "*" while it has
// unsaved edits.
func (a *App) updateTitle() {
	name := a.ed.Flow().Name
	if name == "" {
		name = "Untitled flow"
	}
	mark := ""
	if a.ed.Dirty() {
		mark = "*"
	}
	a.w.SetTitle(mark + name + " — Flowbench")
}

// updateActions enables the toolbar buttons that can do something now.
func (a *App) updateActions() {
	if a.bar != nil {
		a.bar.update()
	}
}

// revalidate recomputes the problems of the document (graph rules from
// flow.Validate, expressions from Compile) and shows them on the canvas and
// in the console.
func (a *App) revalidate() {
	f := a.ed.Flow()
	ps := a.inspector.validate() // flow.Validate(f), again for the edited nodes only
	var more flow.Problems
	if a.opts.Compile != nil {
		if err := a.opts.Compile(f, a.conns); err != nil {
			if !errors.As(err, &more) {
				more = flow.Problems{{Severity: flow.SeverityError, Message: err.Error()}}
			}
		}
	} else {
		more = a.inspector.exprProblems(a.conns) // expressionProblems, again for the edited nodes only
	}
	ps = mergeProblems(ps, more)
	a.ed.SetProblems(ps)
	a.console.setProblems(ps)
}

// mergeProblems appends to a the problems of b it does not already hold:
// an engine compile reports graph problems that Validate found too.
func mergeProblems(a, b flow.Problems) flow.Problems {
	seen := map[flow.Problem]bool{}
	for _, p := range a {
		seen[p] = true
	}
	out := append(flow.Problems(nil), a...)
	for _, p := range b {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// selectProblemNode is where a tap on a problem in the console lands: the
// node is selected and scrolled into view.
func (a *App) selectProblemNode(id string) {
	if id == "" || a.ed.Flow().Node(id) == nil {
		return
	}
	a.ed.Select(editor.Selection{Node: id, Edge: -1})
	a.cv.Reveal(id)
}

// refreshConnections reloads the stored connections for the pickers.
func (a *App) refreshConnections() {
	conns, err := a.opts.Store.ListConnections(a.ctx)
	if err != nil {
		a.console.logError("Could not list the connections: " + err.Error())
		return
	}
	a.conns = conns
	a.connView.setConnections(conns)
	a.work.setConnections(conns)
	a.reloadTriggers()
	if a.mocks != nil {
		a.mocks.list.refresh() // which connections use each mock
	}
}

// resetConnections makes the engine build every connection's client again,
// so a connection follows its mock switch and the mock server's address.
func (a *App) resetConnections() {
	if a.trig != nil {
		a.trig.lr.Engine.SetConnections(nil)
		a.trig.lr.Engine.SetConnections(a.conns)
	}
	if a.mocks != nil {
		a.mocks.list.refresh()
	}
}

// connectionNames lists the stored connections' names, for the call form.
func (a *App) connectionNames() []string {
	names := make([]string, 0, len(a.conns))
	for _, c := range a.conns {
		names = append(names, c.Name)
	}
	return names
}

// openLatest opens the most recently updated stored flow, or leaves the
// empty document when there is none.
func (a *App) openLatest() {
	list := a.flows.items
	if len(list) == 0 {
		return
	}
	latest := list[0]
	for _, s := range list[1:] {
		if s.UpdatedAt.After(latest.UpdatedAt) {
			latest = s
		}
	}
	if err := a.Open(latest.ID); err != nil {
		a.console.logError(err.Error())
	}
}

// Open loads the stored flow with that id into the editor, replacing the
// open document and its history. Unsaved edits of the open document stay in
// its draft; callers ask the person first (see confirmDiscard).
func (a *App) Open(id string) error {
	f, err := a.opts.Store.Flow(a.ctx, id)
	if err != nil {
		return fmt.Errorf("open flow %s: %w", id, err)
	}
	a.flushDraft()
	a.load(f)
	a.openDraftFor(id)
	return nil
}

// confirmLeave runs then once the open document may be replaced: at once
// when it has no unsaved edits or they are kept in its draft, after asking
// when it is a new flow whose edits would be lost.
func (a *App) confirmLeave(then func()) {
	if !a.ed.Dirty() || (a.flowID != "" && a.opts.DraftDir != "") {
		then()
		return
	}
	name := a.ed.Flow().Name
	msg := fmt.Sprintf("%q has unsaved edits. Discard them?", name)
	if a.flowID != "" {
		msg = fmt.Sprintf("%q has unsaved edits and autosave is off. Discard them?", name)
	}
	showConfirm("Discard unsaved edits", msg, "Discard", func(ok bool) {
		if ok {
			then()
		}
	}, a.w)
}

// load replaces the document with f (already stored, or nil for a new flow).
func (a *App) load(f *flow.Flow) {
	a.stopDraftTimer()
	if a.step != nil && (f == nil || f.ID != a.flowID) {
		a.step.clearBreaks() // breakpoints belong to the flow they were set on
	}
	if f != nil {
		a.flowID, a.flowVersion = f.ID, f.Version
	} else {
		a.flowID, a.flowVersion = "", 0
	}
	a.docID = docIDFor(a.flowID)
	a.ed.Load(f)
	a.flows.markOpen(a.flowID)
	a.fitFlow()
	a.inspector.showSelection()
	// the step pane shows another document's step no more (issue 13,
	// item 1: opening a flow shows no run state)
	if a.pane != nil {
		a.pane.clear()
	}
}

// NewFlow replaces the open document with an empty, unsaved flow. Callers
// ask first through confirmLeave.
func (a *App) NewFlow() {
	a.flushDraft()
	a.load(nil)
	// the keyboard builds at once: Tab on the canvas opens quick-add
	if c := a.w.Canvas(); c != nil {
		c.Focus(a.cv)
	}
}

// Save stores the open document as a new version and marks it clean. The
// draft of the unsaved edits is removed once the store has the version.
func (a *App) Save() error {
	doc := editor.Clone(a.ed.Flow())
	doc.ID, doc.Version = a.flowOrDocID(), a.flowVersion
	if doc.Name == "" {
		doc.Name = "Untitled flow"
	}
	oldDraft := a.draftPath()
	v, err := a.opts.Store.SaveFlow(a.ctx, doc)
	if err != nil {
		return fmt.Errorf("save flow %q: %w; your edits are kept in a draft, try again", doc.Name, err)
	}
	a.flowID, a.flowVersion = doc.ID, v
	a.ed.MarkSaved()
	a.stopDraftTimer()
	a.removeDraft(oldDraft)
	a.removeDraft(a.draftPath())
	a.updateTitle()
	a.updateActions()
	a.flows.reload()
	a.flows.markOpen(a.flowID)
	a.console.log(fmt.Sprintf("Saved %q as version %d.", doc.Name, v))
	return nil
}

// saveInteractive is Ctrl+S and the save button: errors go to a dialog.
func (a *App) saveInteractive() {
	if err := a.Save(); err != nil {
		a.showError(err)
	}
}

// Undo reverts the last edit of the document.
func (a *App) Undo() { a.ed.Undo() }

// Redo applies again the last undone edit.
func (a *App) Redo() { a.ed.Redo() }

// showError logs err in the console and shows it in a dialog.
func (a *App) showError(err error) {
	a.console.logError(err.Error())
	showErrorDialog(err, a.w)
}
