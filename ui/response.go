package ui

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/curl"
	"github.com/flowbench/flowbench/flow"
)

// stepPane shows one step: what it decided, each HTTP attempt (status,
// wait, task GUID), and the attempt picked in the response view (Body,
// Raw, Headers, Timeline, Request).
type stepPane struct {
	a *App
	// box holds the step's summary and attempts; view the exchange.
	box  *fyne.Container
	view *responseView
	root *fyne.Container
	step *flow.Step
	// attempt is the exchange shown.
	attempt int
	// response summarises what is shown, for tests and people alike.
	summary *widget.Label
}

func newStepPane(a *App) *stepPane {
	// The pane is made before the console it sits in, so the view's shell
	// reaches the console when it writes, not now.
	sh := shell{ctx: a.ctx, win: a.w, tips: a.tips, showError: a.showError,
		log: func(s string) { a.console.log(s) }, logError: func(s string) { a.console.logError(s) }}
	p := &stepPane{a: a, box: container.NewVBox(), view: newResponseView(sh)}
	p.view.OnUseInExpression = p.useInExpression
	// The step's summary and attempts above, the exchange below; the
	// person moves the divider.
	split := container.NewVSplit(container.NewVScroll(p.box), p.view.Object())
	split.Offset = 0.25
	p.root = container.NewStack(split)
	p.clear()
	return p
}

func (p *stepPane) object() fyne.CanvasObject { return p.root }

func (p *stepPane) clear() {
	p.step = nil
	hint := widget.NewLabel("Select a step in the console, or test a call (Ctrl+Enter), to see its request and response here.")
	hint.Wrapping = fyne.TextWrapWord
	p.summary = hint
	p.box.Objects = []fyne.CanvasObject{hint}
	p.box.Refresh()
	p.view.Clear()
	p.view.Object().Hide()
}

// show shows step s, with its last attempt.
func (p *stepPane) show(s *flow.Step) {
	p.step = s
	p.attempt = len(s.Exchanges) - 1
	p.render()
}

func (p *stepPane) render() {
	s := p.step
	head := fmt.Sprintf("Step %d · %s", s.Seq, s.Node)
	if s.Title != "" {
		head += " (" + s.Title + ")"
	}
	head += " · " + string(s.Status)
	if s.DurationMs > 0 || s.Status != flow.StatusRunning {
		head += fmt.Sprintf(" · %d ms", s.DurationMs)
	}
	objs := []fyne.CanvasObject{widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	if s.Decision != "" {
		objs = append(objs, wrapLabel("Decision: "+s.Decision))
	}
	if s.Error != "" {
		l := wrapLabel("Error: " + s.Error)
		l.Importance = widget.DangerImportance
		objs = append(objs, l)
	}
	if len(s.Exchanges) > 0 {
		objs = append(objs, p.attempts())
		// A later step reads this one's body as steps.<id>.body.
		p.view.PathRoot = "steps." + s.Node + ".body"
		p.view.Show(&s.Exchanges[p.attempt], s.Exchanges)
		if !p.view.Object().Visible() {
			p.view.Object().Show()
			p.root.Refresh()
		}
	} else {
		p.view.Clear()
		p.view.Object().Hide()
	}
	p.summary = objs[0].(*widget.Label)
	p.box.Objects = objs
	p.box.Refresh()
}

// useInExpression inserts path into the expression field that last had
// the focus (a later step's field reads this step's body there), and
// focuses it again; with no such field on screen it copies the path.
func (p *stepPane) useInExpression(path string) { p.a.useInExpression(p.view, path) }

// useInExpression puts path into the expression field that last had the
// focus and focuses it again; with no such field on screen (the request
// workspace covers the forms while it is shown) it copies the path from v.
func (a *App) useInExpression(v *responseView, path string) {
	f := lastExprField
	var c fyne.Canvas
	covered := a.work != nil && a.work.main.Visible()
	if f != nil && f.entry.Visible() && !covered {
		c = fyne.CurrentApp().Driver().CanvasForObject(f.entry)
	}
	if c == nil {
		v.copy(path, "No expression field is on screen, so "+path+" is copied: click a field to put it in, then Use in expression again or paste.")
		return
	}
	f.InsertExpression(path)
	c.Focus(f.entry)
	a.console.log("Put " + path + " in the field last edited.")
}

// attempts lists every attempt, one line each; tapping one shows it.
func (p *stepPane) attempts() fyne.CanvasObject {
	rows := []fyne.CanvasObject{widget.NewLabelWithStyle(fmt.Sprintf("Attempts (%d)", len(p.step.Exchanges)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	for i := range p.step.Exchanges {
		x := &p.step.Exchanges[i]
		b := widget.NewButton(attemptLine(x), func() { p.attempt = i; p.render() })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		if i == p.attempt {
			b.Importance = widget.MediumImportance
		}
		rows = append(rows, b)
	}
	return container.NewVBox(rows...)
}

// attemptLine says what one attempt did: its status, how long the runner
// waited before it, and the task GUID that ties it to the server's logs.
func attemptLine(x *flow.Exchange) string {
	st := "no response"
	if x.Status > 0 {
		st = fmt.Sprintf("HTTP %d", x.Status)
	}
	s := fmt.Sprintf("#%d  %s  waited %d ms  took %d ms", x.Attempt, st, x.WaitMs, x.DurationMs)
	if x.TaskGUID != "" {
		s += "  task " + x.TaskGUID
	}
	if x.Error != "" {
		s += "  " + x.Error
	}
	return s
}

// statusLine is the status with its meaning, time and size.
func statusLine(x *flow.Exchange) string {
	if x.Status == 0 {
		msg := "No response"
		if x.Error != "" {
			msg += ": " + x.Error
		}
		return msg
	}
	meaning := http.StatusText(x.Status)
	if meaning == "" {
		meaning = "non-standard status"
	}
	size := x.ResponseSize
	if size <= 0 {
		size = int64(len(x.ResponseBody))
	}
	return fmt.Sprintf("HTTP %d %s · %d ms · %s", x.Status, meaning, x.DurationMs, byteSize(size))
}

func wrapLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func sortedHeaderNames(h map[string][]string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func headerValue(h map[string][]string, name string) string {
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// curlCommand writes the attempt's request as a cURL command line
// (curl.Format): the engine already replaced secrets by auth.Marker, and
// each becomes a $VARIABLE named after its header or query parameter, so the
// command runs once those variables are exported and never holds a secret.
func curlCommand(x *flow.Exchange) string {
	return curl.Format(curl.FromExchange(x), curl.FormatOptions{})
}
