package ui

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

// DefaultWebhookAddr is where the window listens for webhook triggers until
// the person picks another port: beside the mock server's default, so both
// can run at once.
const DefaultWebhookAddr = "127.0.0.1:8090"

// triggers starts stored flows without the run button: the event bus (the
// Events view's Raise, emit nodes and completion events of any run) and the
// webhook listener. Both need the engine, so they exist only when the
// window is given Options.Triggers. The plans they start are compiled from
// the stored flows again whenever flows or connections change, so what
// listens is always what is saved.
type triggers struct {
	a     *App
	lr    *LocalRunner
	bus   *engine.Events
	hooks *engine.WebhookServer
	execs *feed[engine.TriggerExecution]

	// names are the event names the stored flows know, sorted; paths maps
	// each webhook path to the flow it starts.
	names []string
	paths map[string]string
}

// newTriggers wires the bus and the webhook server to the window; the
// callbacks come from engine goroutines and reach widgets through feeds.
func newTriggers(a *App, lr *LocalRunner) *triggers {
	t := &triggers{a: a, lr: lr}
	if lr.Overrides == nil {
		// runs and tests in the window, and the runs events and webhooks
		// start, see the picked environment's connection overrides
		lr.Overrides = a.environmentConnections
	}
	t.execs = newFeed(a.opts.Do, a.opts.AfterFunc, func(tes []engine.TriggerExecution) {
		if a.events != nil {
			a.events.add(tes)
		}
	})
	t.bus = engine.NewEvents(lr.Engine, engine.EventsOptions{OnTrigger: func(te engine.TriggerExecution) {
		// the runs must be recorded before the view offers to open them
		t.settle()
		t.execs.push(te)
	}})
	t.hooks = engine.NewWebhookServer(lr.Engine, engine.WebhookOptions{OnRequest: func(w engine.WebhookRequest) {
		t.settle()
		a.received.push(webhookReceived(w))
	}})
	return t
}

// settle waits until the runs so far reached the observers and the
// recorder committed them. It is called off the UI goroutine.
func (t *triggers) settle() {
	ctx := context.Background()
	if err := t.lr.Engine.Drain(ctx); err != nil {
		slog.Warn("run events not delivered", "err", err)
	}
	if t.lr.Flush != nil {
		if err := t.lr.Flush(ctx); err != nil {
			slog.Warn("runs not recorded yet", "err", err)
		}
	}
}

// webhookReceived turns a webhook request into the inspector's record.
func webhookReceived(w engine.WebhookRequest) flow.ReceivedRequest {
	r := flow.ReceivedRequest{Time: w.At, Method: w.Method, Path: w.Path, Headers: w.Headers,
		Body: w.Body, BodySize: int64(len(w.Body)), Signature: w.Verified, Status: w.Status, Route: "webhook"}
	if w.Flow != "" {
		r.Route = "webhook → " + w.Flow
	}
	return r
}

// reload compiles every stored flow with the stored connections and hands
// the event-started ones to the bus and the webhook-started ones to the
// listener. A flow that does not compile is left out, with a console
// message naming it, so one broken draft does not silence the others.
func (t *triggers) reload() {
	a := t.a
	ctx := a.ctx
	conns, err := a.environmentConnections(a.conns)
	if err != nil {
		a.console.logError(fmt.Sprintf("The environment %q cannot be applied to the connections: %v", a.envs.current(), err))
		conns = a.conns
	}
	t.lr.Engine.SetConnections(conns)
	var events, hooks []*engine.Plan
	names := map[string]bool{}
	paths := map[string]string{}
	for _, s := range a.flows.items {
		f, err := a.opts.Store.Flow(ctx, s.ID)
		if err != nil {
			a.console.logError(fmt.Sprintf("Could not read flow %q to know its triggers: %v", s.Name, err))
			continue
		}
		for i := range f.Nodes {
			for _, e := range flow.NodeEvents(&f.Nodes[i]) {
				names[e] = true
			}
		}
		tr := startTrigger(f)
		if tr == nil || tr.Type == flow.TriggerManual || tr.Type == "" {
			continue
		}
		p, err := engine.Compile(f, conns)
		if err != nil {
			a.console.logError(fmt.Sprintf("Flow %q starts on a %s trigger but has problems, so it will not start until they are fixed: %v", f.Name, tr.Type, err))
			continue
		}
		switch tr.Type {
		case flow.TriggerEvent:
			events = append(events, p)
		case flow.TriggerWebhook:
			hooks = append(hooks, p)
			paths[tr.Path] = f.Name
		}
	}
	t.bus.SetPlans(events)
	if err := t.hooks.SetPlans(hooks); err != nil {
		a.console.logError("Webhook triggers: " + err.Error())
	}
	t.names = t.names[:0]
	for n := range names {
		t.names = append(t.names, n)
	}
	sort.Strings(t.names)
	t.paths = paths
	if a.events != nil {
		a.events.syncTriggers()
	}
}

// startTrigger is the trigger of f's start node, nil when it has none.
func startTrigger(f *flow.Flow) *flow.Trigger {
	if n := f.StartNode(); n != nil {
		return n.Trigger
	}
	return nil
}

// listeners names the flows an event would start now.
func (t *triggers) listeners(name string) []string {
	var out []string
	for _, p := range t.bus.Listeners(name) {
		out = append(out, p.Flow.Name)
	}
	slices.Sort(out)
	return out
}

// reloadTriggers recompiles what events and webhooks start; a no-op
// without an engine.
func (a *App) reloadTriggers() {
	if a.trig != nil {
		a.trig.reload()
	}
}

// knownEvents lists, sorted and once each, the events the project's flows
// raise or listen to (flow.NodeEvents of every node): the stored flows'
// (as the event bus knows them, else read from the store) and the open
// document's, which may not be saved yet.
func (a *App) knownEvents() []string {
	names := map[string]bool{}
	if a.trig != nil {
		for _, n := range a.trig.names {
			names[n] = true
		}
	} else if a.flows != nil {
		for _, s := range a.flows.items {
			f, err := a.opts.Store.Flow(a.ctx, s.ID)
			if err != nil {
				continue
			}
			for i := range f.Nodes {
				for _, e := range flow.NodeEvents(&f.Nodes[i]) {
					names[e] = true
				}
			}
		}
	}
	if a.ed != nil {
		doc := a.ed.Flow()
		for i := range doc.Nodes {
			for _, e := range flow.NodeEvents(&doc.Nodes[i]) {
				names[e] = true
			}
		}
	}
	out := make([]string, 0, len(names))
	for n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// eventEntry is an event name field (a call's completion event, an emit's
// event, with list a start's comma-separated events): a select-entry
// offering the events the project's flows already raise or listen to
// (knownEvents), or a new name typed in. With list, choosing an event adds
// it to the names already there.
func (in *inspector) eventEntry(path, text, placeholder string, list bool, onChange func(string)) *widget.SelectEntry {
	known := in.a.knownEvents()
	var opts []string
	if list {
		have := splitList(text)
		for _, e := range known {
			if !slices.Contains(have, e) {
				opts = append(opts, strings.Join(append(slices.Clone(have), e), ", "))
			}
		}
	} else {
		opts = known
	}
	e := widget.NewSelectEntry(opts)
	callParts(in).events[path] = opts
	e.SetText(text)
	e.SetPlaceHolder(placeholder)
	e.OnChanged = in.typed(onChange)
	in.entries[path] = &e.Entry
	return e
}
