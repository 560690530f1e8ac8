package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// historyPage is how many runs and events the sidebar lists: the newest,
// read with one keyset-paged query, never the whole history.
const historyPage = 200

// historyView holds the sidebar's Runs and Events lists.
type historyView struct {
	a      *App
	runs   []flow.Run
	events []flow.RaisedEvent
	runL   *widget.List
	evL    *widget.List
	runBox fyne.CanvasObject
	evBox  fyne.CanvasObject
}

func newHistoryView(a *App) *historyView {
	h := &historyView{a: a}
	h.runL = widget.NewList(
		func() int { return len(h.runs) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			r := h.runs[id]
			o.(*widget.Label).SetText(fmt.Sprintf("%s  %s  %s  %d ms", r.StartedAt.Local().Format("01-02 15:04:05"), r.FlowName, r.Status, r.DurationMs))
		})
	h.runL.OnSelected = func(id widget.ListItemID) {
		h.runL.UnselectAll()
		if id < len(h.runs) {
			r := h.runs[id]
			msg := fmt.Sprintf("Run %s of %q (v%d): %s, outcome %q, %d ms, trigger %s.", r.ID, r.FlowName, r.FlowVersion, r.Status, r.Outcome, r.DurationMs, r.Trigger)
			if r.Error != "" {
				msg += " " + r.Error
			}
			a.console.log(msg)
		}
	}
	h.evL = widget.NewList(
		func() int { return len(h.events) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			e := h.events[id]
			o.(*widget.Label).SetText(fmt.Sprintf("%s  %s  (%s)", e.At.Local().Format("01-02 15:04:05"), e.Name, e.Node))
		})
	h.evL.OnSelected = func(id widget.ListItemID) {
		h.evL.UnselectAll()
		if id < len(h.events) {
			e := h.events[id]
			a.console.log(fmt.Sprintf("Event %s raised by node %s of run %s: %s", e.Name, e.Node, e.RunID, string(e.Payload)))
		}
	}
	refresh := func() fyne.CanvasObject {
		return newTipButton("Refresh", theme.ViewRefreshIcon(), a.tips, "Read the history again", h.reload)
	}
	h.runBox = container.NewBorder(nil, refresh(), nil, nil, h.runL)
	h.evBox = container.NewBorder(nil, refresh(), nil, nil, h.evL)
	h.reload()
	return h
}

func (h *historyView) runsObject() fyne.CanvasObject   { return h.runBox }
func (h *historyView) eventsObject() fyne.CanvasObject { return h.evBox }

// reload reads the newest runs and events.
func (h *historyView) reload() {
	runs, _, err := h.a.opts.History.ListRuns(h.a.ctx, storage.RunQuery{Limit: historyPage})
	if err != nil {
		h.a.console.logError("Could not list the runs: " + err.Error())
	} else {
		h.runs = runs
		h.runL.Refresh()
	}
	events, err := h.a.opts.History.Events(h.a.ctx, historyPage)
	if err != nil {
		h.a.console.logError("Could not list the events: " + err.Error())
	} else {
		h.events = events
		h.evL.Refresh()
	}
}
