package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/report"
)

// runFlowStore reads the flow a run ran, for its report's picture;
// *storage.DB is one.
type runFlowStore interface {
	RunFlow(ctx context.Context, run *flow.Run) (*flow.Flow, error)
}

// reportOf writes the run with that id as the HTML page of package report:
// with the picture of the flow version it ran when the store keeps it.
func (h *historyView) reportOf(id string) ([]byte, *flow.Run, error) {
	ed := h.editor()
	if ed == nil {
		return nil, nil, errors.New("this window cannot read a run's steps")
	}
	run, steps, err := ed.Run(h.ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("read run %s: %w", shortID(id), err)
	}
	var f *flow.Flow
	if fs, ok := h.store.(runFlowStore); ok {
		if f, err = fs.RunFlow(h.ctx, run); err != nil {
			return nil, nil, fmt.Errorf("read the flow of run %s: %w", shortID(id), err)
		}
	}
	var buf bytes.Buffer
	if err := report.HTML(&buf, run, steps, f); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), run, nil
}

// exportReportDialog writes the selected run's report where the person
// picks.
func (h *historyView) exportReportDialog() {
	if h.selected == nil {
		return
	}
	data, run, err := h.reportOf(h.selected.ID)
	if err != nil {
		h.showError(err)
		return
	}
	saveFileDialog(h.win, fileNameFor(run.FlowName)+"-run-"+shortID(run.ID)+".html", "export the report", writeBytes(data),
		func(path string) { h.log(fmt.Sprintf("Exported the report of run %s to %s.", shortID(run.ID), path)) }, h.showError)
}
