package ui

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/clock"
	"github.com/flowbench/flowbench/flow"
)

// Step-through for a room: a run started with "Pause before each step" (or
// reaching a node with a breakpoint) waits before the node, through the
// engine's live breakpoint (engine.Input.Pause); the card shows as running
// and a bar under the canvas says where the run waits, with Next (Space,
// →), Continue (to the end, breakpoints aside) and Stop. Slow motion waits
// a set time before each step instead. A paused run times nothing out (the
// step's timeouts start after the pause) and its steps record the pauses.

// slowMotions are the Run dialog's slow-motion choices.
var slowMotions = []struct {
	label string
	d     time.Duration
}{{"Off", 0}, {"0.5 s between steps", 500 * time.Millisecond}, {"1 s between steps", time.Second}, {"2 s between steps", 2 * time.Second}}

// stepper holds the breakpoints and the run waiting at one.
type stepper struct {
	a *App

	mu     sync.Mutex // the engine's goroutine asks, the UI answers
	every  bool       // pause before each step of this run
	slow   time.Duration
	breaks map[string]bool // per-node breakpoints of the open flow
	resume chan struct{}   // closed by next; nil when nothing waits

	at    *engine.PausePoint // where the run waits (UI goroutine)
	label *widget.Label
	bar   *fyne.Container
}

func newStepper(a *App) *stepper {
	s := &stepper{a: a, breaks: map[string]bool{}}
	s.label = widget.NewLabel("")
	s.label.Truncation = fyne.TextTruncateEllipsis
	next := widget.NewButtonWithIcon("Next", theme.MediaSkipNextIcon(), s.next)
	next.Importance = widget.HighImportance
	cont := widget.NewButtonWithIcon("Continue", theme.MediaPlayIcon(), s.cont)
	stop := widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), func() { a.StopRun() })
	s.bar = container.NewBorder(nil, nil, nil, container.NewHBox(next, cont, stop), s.label)
	s.bar.Hide()
	return s
}

// forRun sets this run's breakpoint choice and returns the engine's pause
// function, nil when the run has nothing to wait for.
func (s *stepper) forRun(every bool, slow time.Duration) func(context.Context, engine.PausePoint) error {
	s.mu.Lock()
	s.every, s.slow = every, slow
	any := every || slow > 0 || len(s.breaks) > 0
	s.mu.Unlock()
	if !any {
		return nil
	}
	return s.pause
}

// pause runs on the engine's goroutine before each step.
func (s *stepper) pause(ctx context.Context, at engine.PausePoint) error {
	s.mu.Lock()
	wait := s.every || s.breaks[at.Node]
	slow := s.slow
	var ch chan struct{}
	if wait {
		ch = make(chan struct{})
		s.resume = ch
	}
	s.mu.Unlock()
	if !wait {
		if slow <= 0 {
			return nil
		}
		return clock.Sleep(ctx, slow)
	}
	s.a.opts.Do(func() { s.show(at) })
	select {
	case <-ch:
	case <-ctx.Done():
		s.mu.Lock()
		s.resume = nil
		s.mu.Unlock()
		s.a.opts.Do(s.hide)
		return ctx.Err()
	}
	s.a.opts.Do(s.hide)
	return nil
}

// paused reports whether a run waits at a breakpoint.
func (s *stepper) paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resume != nil
}

// next lets the waiting run take one step (it waits again before the
// following one while stepping).
func (s *stepper) next() {
	s.mu.Lock()
	if s.resume != nil {
		close(s.resume)
		s.resume = nil
	}
	s.mu.Unlock()
}

// cont runs on to the end, stopping again only at per-node breakpoints.
func (s *stepper) cont() {
	s.mu.Lock()
	s.every = false
	s.mu.Unlock()
	s.next()
}

func (s *stepper) show(at engine.PausePoint) {
	s.at = &at
	title := at.Node
	if n := s.a.ed.Flow().Node(at.Node); n != nil && n.Title != "" {
		title = fmt.Sprintf("%q (%s)", n.Title, at.Node)
	}
	s.label.SetText(fmt.Sprintf("Paused before %s, step %d — Next (Space or →) runs it, Continue (F5) runs on", title, at.Seq))
	s.bar.Show()
	if s.a.live != nil && s.a.live.id == at.RunID {
		s.a.cv.UpdateRunOverlay(map[string]flow.Status{at.Node: flow.StatusRunning}, nil)
		s.a.cv.SetPaused(at.Node)
		s.a.cv.Reveal(at.Node)
	}
	s.a.console.log(fmt.Sprintf("Paused before %s (step %d).", title, at.Seq))
}

func (s *stepper) hide() {
	if !s.paused() {
		s.at = nil
		s.bar.Hide()
		s.a.cv.SetPaused("")
	}
}

// toggleBreak sets or clears the breakpoint on node id.
func (s *stepper) toggleBreak(id string) {
	s.mu.Lock()
	if s.breaks[id] {
		delete(s.breaks, id)
	} else {
		s.breaks[id] = true
	}
	marks := maps.Clone(s.breaks)
	s.mu.Unlock()
	s.a.cv.SetBreakpoints(marks) // the menu's action runs on the UI goroutine
}

// clearBreaks forgets the breakpoints (another flow was opened).
func (s *stepper) clearBreaks() {
	s.mu.Lock()
	s.breaks = map[string]bool{}
	s.mu.Unlock()
	s.a.cv.SetBreakpoints(nil)
}

// nodeMenu is the card menu's breakpoint item.
func (s *stepper) nodeMenu(id string) []*fyne.MenuItem {
	s.mu.Lock()
	on := s.breaks[id]
	s.mu.Unlock()
	label := "Pause the run here (breakpoint)"
	if on {
		label = "Remove the breakpoint"
	}
	return []*fyne.MenuItem{fyne.NewMenuItem(label, func() { s.toggleBreak(id) })}
}
