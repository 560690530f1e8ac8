package ui

import (
	"fmt"
	"strings"
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
	lineStepRunning
	lineStepOK
	lineStepFailed
)

// consoleLine is one row of the console: a problem of the open flow (with
// the node it belongs to) or a message.
type consoleLine struct {
	kind lineKind
	node string
	text string
	// step is the run step the row shows, nil for a message; selecting
	// the row shows its request and response.
	step *flow.Step
}

// maxLogLines bounds the messages and steps kept, so a long session stays
// light; a run of a few thousand steps is kept whole.
const maxLogLines = 5000

// console is the bottom pane: the open flow's problems first, then messages
// newest last. Tapping a problem selects its node.
type console struct {
	problems []consoleLine
	logs     []consoleLine
	list     *widget.List
	header   *widget.Label
	box      fyne.CanvasObject
	onNode   func(id string)
	onStep   func(s *flow.Step)
	now      func() time.Time
	detail   fyne.CanvasObject // the step pane beside the list
	split    *container.Split  // the list and, beside it, the detail
	// message shows the whole text of a selected message row, whose row
	// shows its first line only; it takes the detail's place until a step
	// is selected.
	message       *widget.Label
	messageScroll *container.Scroll
	// follow: the detail shows the newest step of the newest run as rows
	// come, until the person selects a row of that run; a new run starts
	// following again.
	follow   bool
	followed *flow.Step // the step last shown while following
	lastRun  string     // the run of the newest step row
	// dropped counts the rows trimmed from the front of logs, so that the
	// row numbers handed out by addStep stay valid.
	dropped int
	// dirty is set by rows added in a batch (addStep, updateStep) until
	// commit shows them with one refresh.
	dirty bool
}

func newConsole(onNode func(string), detail fyne.CanvasObject) *console {
	c := &console{onNode: onNode, now: time.Now, detail: detail, follow: true}
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
			l.SetText(rowText(line.text))
			switch line.kind {
			case lineProblemError, lineError:
				icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
			case lineProblemWarning:
				icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
			case lineStepRunning:
				icon.SetResource(theme.MediaPlayIcon())
			case lineStepOK:
				icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
			case lineStepFailed:
				icon.SetResource(theme.NewErrorThemedResource(theme.CancelIcon()))
			default:
				icon.SetResource(theme.InfoIcon())
			}
		})
	c.list.OnSelected = func(id widget.ListItemID) {
		line := c.line(id)
		if line.step != nil {
			if line.step.RunID == c.lastRun {
				c.follow = false // the person picked a step of the newest run: keep it
			}
			// a step stays selected while its request and response show
			c.showDetail(nil)
			if c.onStep != nil {
				c.onStep(line.step)
			}
			return
		}
		c.list.UnselectAll()
		c.showDetail(&line)
		if line.node != "" && c.onNode != nil {
			c.onNode(line.node)
		}
	}
	c.message = widget.NewLabel("")
	c.message.Wrapping = fyne.TextWrapWord
	c.message.Selectable = true
	c.messageScroll = container.NewVScroll(c.message)
	c.messageScroll.Hide()
	var body fyne.CanvasObject = c.list
	if detail != nil {
		// the detail never widens itself: a long line in it (a URL, an
		// error) scrolls inside it instead of moving the divider; nor does
		// it grow the console: a step's response scrolls inside it (its
		// least height pushed the console up and the canvas down while a
		// run was stepped through)
		right := container.New(capMinWidth{80}, container.NewStack(container.NewVScroll(detail), c.messageScroll))
		c.split = container.NewHSplit(c.list, right)
		c.split.Offset = 0.55
		body = c.split
	}
	c.box = container.NewBorder(c.header, nil, nil, nil, body)
	return c
}

func (c *console) object() fyne.CanvasObject { return c.box }

// showDetail shows beside the list the whole text of a message row, or,
// for nil, the step pane.
func (c *console) showDetail(line *consoleLine) {
	if c.detail == nil {
		return
	}
	if line == nil {
		c.messageScroll.Hide()
		c.detail.Show()
		return
	}
	c.message.SetText(line.text)
	c.messageScroll.ScrollToTop()
	c.detail.Hide()
	c.messageScroll.Show()
}

// rowText is what a row shows of a line: its first line, with an ellipsis
// when there is more (the whole text shows beside the list when the row is
// selected). A row is one line high; more would print over the next row.
func rowText(s string) string {
	first, rest, more := strings.Cut(strings.TrimRight(s, "\n"), "\n")
	if more && strings.TrimSpace(rest) != "" {
		return strings.TrimRight(first, "\r ") + " …"
	}
	return strings.TrimRight(first, "\r")
}

// capMinWidth lays its objects over its whole size but asks for at most
// Width of width (all of their height): what they cannot fit, they scroll
// or clip, and the split beside them keeps its divider.
type capMinWidth struct{ Width float32 }

func (l capMinWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l capMinWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return fyne.NewSize(min(m.Width, l.Width), m.Height)
}

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
	var counts []string
	if errs > 0 {
		counts = append(counts, plural(errs, "error", "errors"))
	}
	if warns > 0 {
		counts = append(counts, plural(warns, "warning", "warnings"))
	}
	if len(counts) == 0 {
		c.header.SetText("Console — no problems")
	} else {
		c.header.SetText("Console — " + strings.Join(counts, ", ") + " (tap one to select its node)")
	}
	c.list.Refresh()
}

func (c *console) log(text string)      { c.add(lineInfo, text) }
func (c *console) logError(text string) { c.add(lineError, text) }

func (c *console) add(k lineKind, text string) {
	c.push(consoleLine{kind: k, text: c.now().Format("15:04:05") + "  " + text})
	c.commit()
}

// push appends a row without showing it yet and returns its number for
// updateRow. Rows beyond maxLogLines are trimmed a quarter at a time, so
// trimming costs nothing per row.
func (c *console) push(l consoleLine) int {
	c.logs = append(c.logs, l)
	if len(c.logs) > maxLogLines+maxLogLines/4 {
		cut := len(c.logs) - maxLogLines
		c.logs = append(c.logs[:0:0], c.logs[cut:]...)
		c.dropped += cut
	}
	c.dirty = true
	return c.dropped + len(c.logs) - 1
}

// updateRow replaces row n (from push) and refreshes only that row.
func (c *console) updateRow(n int, l consoleLine) {
	i := n - c.dropped
	if i < 0 || i >= len(c.logs) {
		return
	}
	c.logs[i] = l
	if !c.dirty {
		c.list.RefreshItem(len(c.problems) + i)
	}
}

// commit shows the rows pushed since the last commit: one refresh of the
// visible rows and a scroll to the newest, however many were pushed. While
// the console follows the newest run, the detail shows its newest step.
func (c *console) commit() {
	if !c.dirty {
		return
	}
	c.dirty = false
	c.list.Refresh()
	newest := -1
	for i := len(c.logs) - 1; i >= 0; i-- {
		if c.logs[i].step != nil {
			newest = i
			break
		}
	}
	if newest >= 0 {
		step := c.logs[newest].step
		if step.RunID != c.lastRun {
			// a new run: follow it, and let go of the row picked in the
			// one before
			c.lastRun, c.follow = step.RunID, true
			c.list.UnselectAll()
		}
		if c.follow && step != c.followed {
			// the newest step, without selecting its row: selecting
			// scrolls and lays the list out again, per batch of a run
			c.followed = step
			c.showDetail(nil)
			if c.onStep != nil {
				c.onStep(step)
			}
		}
	}
	c.list.ScrollToBottom()
}

// plural writes n with the singular or plural noun: "1 error", "2 errors".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// stepLine is a step's row: when it started, which node, its status and
// HTTP status, how long it took and the decision or error in words.
func stepLine(s *flow.Step) consoleLine {
	kind := lineStepOK
	switch s.Status {
	case flow.StatusRunning, flow.StatusWaiting:
		kind = lineStepRunning
	case flow.StatusFailed, flow.StatusStopped:
		kind = lineStepFailed
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  #%d %s", s.StartedAt.Local().Format("15:04:05"), s.Seq, s.Node)
	if s.Title != "" {
		fmt.Fprintf(&b, " (%s)", s.Title)
	}
	if s.Status == flow.StatusRunning {
		b.WriteString("  running…")
	} else {
		fmt.Fprintf(&b, "  %s", s.Status)
		if s.HTTPStatus > 0 {
			fmt.Fprintf(&b, "  HTTP %d", s.HTTPStatus)
		}
		if s.Attempts > 1 {
			fmt.Fprintf(&b, "  %d attempts", s.Attempts)
		}
		fmt.Fprintf(&b, "  %d ms", s.DurationMs)
	}
	if s.Decision != "" {
		b.WriteString("  — " + s.Decision)
	}
	if s.Error != "" && !strings.Contains(s.Decision, s.Error) {
		b.WriteString("  — " + s.Error)
	}
	return consoleLine{kind: kind, node: s.Node, text: b.String(), step: s}
}
