package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/flowbench/flowbench/flow"
)

// DefaultMaxEventDepth bounds chains of flows started by each other's events.
const DefaultMaxEventDepth = 8

// DefaultMaxEventRuns bounds the runs one raised event starts, counting the
// runs started by the events those runs raise, and so on.
const DefaultMaxEventRuns = 1000

// Events is the local event bus. A flow whose start node has an event trigger
// runs when one of its events is raised: by an emit node, by a call's
// completion event, from the GUI or from `flowbench emit`. Chains of flows
// started by each other's events are bounded by MaxDepth, so two flows that
// start each other stop with an error naming the chain.
//
// Runs started by events run on their own goroutines; Wait waits for them.
type Events struct {
	runner   *Runner
	maxDepth int
	maxRuns  int
	stop     context.Context // EventsOptions.Context

	mu    sync.RWMutex
	plans []*Plan
	wg    sync.WaitGroup
	// OnTrigger, when set, is told of every trigger execution (an event and
	// the runs it started, or why it started none past the depth limit).
	onTrigger func(TriggerExecution)
}

// TriggerExecution is one raised event and what it started.
type TriggerExecution struct {
	Event flow.RaisedEvent
	// Runs are the results of the runs the event started (filled as they end).
	Runs []*Result
	// Error says why a listening flow was not started (the depth limit).
	Error string
}

// EventsOptions configure an event bus.
type EventsOptions struct {
	// MaxDepth bounds chains of event-started runs; 0 means DefaultMaxEventDepth.
	MaxDepth int
	// MaxRuns bounds the runs one raised event starts, directly and through
	// the events its runs raise in turn; 0 means DefaultMaxEventRuns. Past
	// it no further run starts and the trigger execution's Error says so.
	MaxRuns int
	// OnTrigger is told of every trigger execution once its runs have ended.
	OnTrigger func(TriggerExecution)
	// Context, when set, stops every run the bus starts once it is done
	// (the CLI's SIGINT/SIGTERM): the runs end "stopped". Event-started
	// runs do not otherwise inherit the raiser's cancellation.
	Context context.Context
}

// NewEvents attaches an event bus to the runner: events raised in its runs
// start the listening flows given to SetPlans.
func NewEvents(r *Runner, opts EventsOptions) *Events {
	e := &Events{runner: r, maxDepth: opts.MaxDepth, maxRuns: opts.MaxRuns, onTrigger: opts.OnTrigger, stop: opts.Context}
	if e.maxDepth <= 0 {
		e.maxDepth = DefaultMaxEventDepth
	}
	if e.maxRuns <= 0 {
		e.maxRuns = DefaultMaxEventRuns
	}
	r.mu.Lock()
	r.events = e
	r.mu.Unlock()
	return e
}

// SetPlans replaces the flows that listen to events.
func (e *Events) SetPlans(plans []*Plan) {
	e.mu.Lock()
	e.plans = append([]*Plan(nil), plans...)
	e.mu.Unlock()
}

// Listeners returns the plans whose start node listens to the named event.
func (e *Events) Listeners(name string) []*Plan {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []*Plan
	for _, p := range e.plans {
		if t := p.start.node.Trigger; t != nil && t.Type == flow.TriggerEvent && slices.Contains(t.Events, name) {
			out = append(out, p)
		}
	}
	return out
}

// Raise raises an event from outside a run (the GUI's Events view, the CLI)
// and waits until the runs it started, and the runs those started in turn,
// have ended. It returns the trigger execution of this event.
func (e *Events) Raise(ctx context.Context, name string, payload json.RawMessage) (TriggerExecution, error) {
	if len(payload) > 0 && !json.Valid(payload) {
		return TriggerExecution{}, fmt.Errorf("the payload of event %q is not valid JSON", name)
	}
	ev := flow.RaisedEvent{Name: name, Payload: payload, At: e.runner.opts.Now()}
	te := e.dispatch(ctx, ev, chain{budget: newRunBudget(name, e.maxRuns)})
	e.Wait()
	return te, nil
}

// Wait waits until every run started by an event has ended.
func (e *Events) Wait() { e.wg.Wait() }

// chain is the flows a run descends from through events, oldest first.
type chain struct {
	flows []string
	// budget counts the runs started from the chain's root event; nil
	// until a run raises its first event.
	budget *runBudget
}

// runBudget counts the runs one root event has started, with the names of
// the flows they ran, against the bus's MaxRuns.
type runBudget struct {
	root string
	max  int

	mu      sync.Mutex
	started int
	flows   []string
}

func newRunBudget(root string, max int) *runBudget {
	return &runBudget{root: root, max: max}
}

// take reserves one run of the named flow; it reports false when the root
// event has started as many runs as it may.
func (b *runBudget) take(flowName string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started >= b.max {
		return false
	}
	b.started++
	if !slices.Contains(b.flows, flowName) {
		b.flows = append(b.flows, flowName)
	}
	return true
}

// exceeded says why ev did not start the given flows.
func (b *runBudget) exceeded(ev string, notStarted []string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return fmt.Sprintf("event %q was not delivered to %s: event %q has already started %d runs, the limit for one raised event and every run it leads to (flows involved: %s); stop the flows from raising each other's events so often, for example with a decision before the emit, or raise the limit (--max-event-runs)",
		ev, strings.Join(quoteAll(notStarted), ", "), b.root, b.started, strings.Join(quoteAll(b.flows), ", "))
}

// dispatch starts every flow listening to ev and reports the execution when
// they have ended. Runs started from a run's event run in the background.
func (e *Events) dispatch(ctx context.Context, ev flow.RaisedEvent, from chain) TriggerExecution {
	listeners := e.Listeners(ev.Name)
	te := TriggerExecution{Event: ev}
	if len(listeners) == 0 {
		e.report(te)
		return te
	}
	if len(from.flows) >= e.maxDepth {
		names := append(append([]string(nil), from.flows...), flowNames(listeners)...)
		te.Error = fmt.Sprintf("event %q was not delivered: flows started by each other's events went %d deep (%s); break the loop, for example with a decision before the emit", ev.Name, len(from.flows), strings.Join(quoteAll(names), " → "))
		e.report(te)
		return te
	}
	if from.budget == nil {
		from.budget = newRunBudget(ev.Name, e.maxRuns)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var refused []string
	for _, p := range listeners {
		if !from.budget.take(p.Flow.Name) {
			refused = append(refused, p.Flow.Name)
			continue
		}
		wg.Add(1)
		e.wg.Add(1)
		go func(p *Plan) {
			defer e.wg.Done()
			defer wg.Done()
			next := chain{flows: append(append([]string(nil), from.flows...), p.Flow.Name), budget: from.budget}
			runCtx := context.WithoutCancel(ctx)
			if e.stop != nil {
				var cancel context.CancelFunc
				runCtx, cancel = context.WithCancel(runCtx)
				defer cancel()
				defer context.AfterFunc(e.stop, cancel)()
			}
			res, err := e.runner.run(runCtx, p, Input{
				Trigger: ev.Payload, Source: "event:" + ev.Name, ParentRunID: ev.RunID,
			}, next)
			if err == nil {
				mu.Lock()
				te.Runs = append(te.Runs, res)
				mu.Unlock()
			}
		}(p)
	}
	if len(refused) > 0 {
		te.Error = from.budget.exceeded(ev.Name, refused)
	}
	wg.Wait()
	e.report(te)
	return te
}

func (e *Events) report(te TriggerExecution) {
	if e.onTrigger != nil {
		e.onTrigger(te)
	}
}

// raisedInRun is called by a run for each event it raises; the listening flows
// start in the background so the raising run goes on.
func (e *Events) raisedInRun(ctx context.Context, ev flow.RaisedEvent, from chain) {
	if len(e.Listeners(ev.Name)) == 0 {
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.dispatch(ctx, ev, from)
	}()
}

func flowNames(plans []*Plan) []string {
	out := make([]string, len(plans))
	for i, p := range plans {
		out[i] = p.Flow.Name
	}
	return out
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}
