package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// lineKind says how a console line looks.
type lineKind int

const (
	lineInfo lineKind = iota
	lineError
	lineProblemError
	lineProblemWarning
)

// consoleLine is one row of the console: a problem of the open flow (with
// the node it belongs to) or a message.
type consoleLine struct {
	kind lineKind
	node string
	text string
}

// maxLogLines bounds the messages kept, so a long session stays light.
const maxLogLines = 500

// console is the bottom pane: the open flow's problems first, then messages
// newest last. Tapping a problem selects its node.
type console struct {
	problems []consoleLine
	logs     []consoleLine
	list     *widget.List
	header   *widget.Label
	box      fyne.CanvasObject
	onNode   func(id string)
	now      func() time.Time
}

func newConsole(onNode func(string)) *console {
	c := &console{onNode: onNode, now: time.Now}
	c.header = widget.NewLabelWithStyle("Console", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.list = widget.NewList(
		func() int { return len(c.problems) + len(c.logs) },
		func() fyne.CanvasObject {
			icon := widget.NewIcon(theme.InfoIcon())
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, icon, nil, l)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			line := c.line(id)
			box := o.(*fyne.Container)
			l := box.Objects[0].(*widget.Label)
			icon := box.Objects[1].(*widget.Icon)
			l.SetText(line.text)
			switch line.kind {
			case lineProblemError, lineError:
				icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
			case lineProblemWarning:
				icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
			default:
				icon.SetResource(theme.InfoIcon())
			}
		})
	c.list.OnSelected = func(id widget.ListItemID) {
		line := c.line(id)
		c.list.UnselectAll()
		if line.node != "" && c.onNode != nil {
			c.onNode(line.node)
		}
	}
	c.box = container.NewBorder(c.header, nil, nil, nil, c.list)
	return c
}

func (c *console) object() fyne.CanvasObject { return c.box }

func (c *console) line(i int) consoleLine {
	if i < len(c.problems) {
		return c.problems[i]
	}
	i -= len(c.problems)
	if i < len(c.logs) {
		return c.logs[i]
	}
	return consoleLine{}
}

// lines returns every row, problems first, for tests and for copying.
func (c *console) lines() []consoleLine {
	return append(append([]consoleLine(nil), c.problems...), c.logs...)
}

// setProblems replaces the problem rows.
func (c *console) setProblems(ps flow.Problems) {
	c.problems = c.problems[:0]
	errs, warns := 0, 0
	for _, p := range ps {
		k := lineProblemError
		if p.Severity == flow.SeverityWarning {
			k = lineProblemWarning
			warns++
		} else {
			errs++
		}
		c.problems = append(c.problems, consoleLine{kind: k, node: p.Node, text: p.String()})
	}
	switch {
	case errs == 0 && warns == 0:
		c.header.SetText("Console — no problems")
	default:
		c.header.SetText(fmt.Sprintf("Console — %d errors, %d warnings (tap one to select its node)", errs, warns))
	}
	c.list.Refresh()
}

func (c *console) log(text string)      { c.add(lineInfo, text) }
func (c *console) logError(text string) { c.add(lineError, text) }

func (c *console) add(k lineKind, text string) {
	c.logs = append(c.logs, consoleLine{kind: k, text: c.now().Format("15:04:05") + "  " + text})
	if len(c.logs) > maxLogLines {
		c.logs = append(c.logs[:0:0], c.logs[len(c.logs)-maxLogLines:]...)
	}
	c.list.Refresh()
	c.list.ScrollToBottom()
}
