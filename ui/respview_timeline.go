package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// phase is one part of an attempt on the timeline: from and to in µs
// from the attempt's start.
type phase struct {
	name     string
	from, to int64
	color    fyne.ThemeColorName
}

// phases lists what an attempt's timing says happened, in order: DNS,
// connect, TLS, sending (to the request written), waiting (to the first
// byte), reading (to the end).
func phases(t *flow.Timing) []phase {
	var ps []phase
	add := func(name string, from, to int64, c fyne.ThemeColorName) {
		if to > 0 && to >= from {
			ps = append(ps, phase{name, from, to, c})
		}
	}
	add("DNS", t.DNSStartUs, t.DNSDoneUs, theme.ColorNamePrimary)
	add("connect", t.ConnectStartUs, t.ConnectDoneUs, theme.ColorNameWarning)
	add("TLS", t.TLSStartUs, t.TLSDoneUs, theme.ColorNameError)
	ready := max(t.DNSDoneUs, t.ConnectDoneUs, t.TLSDoneUs)
	if t.WroteUs > 0 {
		add("send", ready, t.WroteUs, theme.ColorNameForeground)
		ready = t.WroteUs
	}
	if t.FirstByteUs > 0 {
		add("first byte", ready, t.FirstByteUs, theme.ColorNameSuccess)
		add("read", t.FirstByteUs, t.TotalUs, theme.ColorNamePlaceHolder)
	}
	return ps
}

// ms writes microseconds as milliseconds.
func ms(us int64) string {
	if us < 10_000 {
		return fmt.Sprintf("%.1f ms", float64(us)/1000)
	}
	return fmt.Sprintf("%.0f ms", float64(us)/1000)
}

// timelineLine says in words what one attempt did and how long each part
// took.
func timelineLine(x *flow.Exchange) string {
	parts := []string{fmt.Sprintf("#%d", x.Attempt), statusText(x)}
	if x.WaitMs > 0 {
		parts = append(parts, fmt.Sprintf("waited %d ms before", x.WaitMs))
	}
	t := x.Timing
	if t == nil {
		parts = append(parts, fmt.Sprintf("took %d ms", x.DurationMs), "no timing recorded")
		return strings.Join(parts, " · ")
	}
	for _, p := range phases(t) {
		if p.name == "read" || p.name == "send" {
			continue
		}
		label := p.name
		if p.name == "first byte" {
			label = "server"
		}
		parts = append(parts, label+" "+ms(p.to-p.from))
	}
	if t.FirstByteUs > 0 {
		parts = append(parts, "first byte at "+ms(t.FirstByteUs))
	}
	parts = append(parts, "total "+ms(t.TotalUs))
	if t.Reused {
		parts = append(parts, "kept-alive connection")
	}
	return strings.Join(parts, " · ")
}

// showTimeline fills the Timeline tab: per attempt a line of words and a
// bar of its phases, on one scale for all attempts.
func (v *responseView) showTimeline() {
	var longest int64
	for i := range v.attempts {
		if t := v.attempts[i].Timing; t != nil {
			longest = max(longest, t.TotalUs)
		}
	}
	rows := []fyne.CanvasObject{}
	v.timeline = v.timeline[:0]
	for i := range v.attempts {
		x := &v.attempts[i]
		line := timelineLine(x)
		v.timeline = append(v.timeline, line)
		l := widget.NewLabel(line)
		l.Wrapping = fyne.TextWrapWord
		if x == v.x || x.Attempt == v.x.Attempt && x.TaskGUID == v.x.TaskGUID {
			l.TextStyle.Bold = true
		}
		rows = append(rows, l)
		if x.Timing != nil && longest > 0 {
			rows = append(rows, timelineBar(phases(x.Timing), longest))
		}
		if x.Error != "" {
			e := widget.NewLabel(x.Error)
			e.Wrapping = fyne.TextWrapWord
			e.Importance = widget.DangerImportance
			rows = append(rows, e)
		}
	}
	// The legend wraps on a narrow pane rather than widening it.
	legend := container.NewGridWrap(fyne.NewSize(110, 32))
	for _, p := range []phase{{name: "DNS", color: theme.ColorNamePrimary}, {name: "connect", color: theme.ColorNameWarning}, {name: "TLS", color: theme.ColorNameError},
		{name: "send", color: theme.ColorNameForeground}, {name: "server", color: theme.ColorNameSuccess}, {name: "read", color: theme.ColorNamePlaceHolder}} {
		sw := canvas.NewRectangle(theme.Color(p.color))
		sw.SetMinSize(fyne.NewSize(12, 12))
		legend.Add(container.NewHBox(container.NewCenter(sw), widget.NewLabel(p.name)))
	}
	v.timeBox.Objects = []fyne.CanvasObject{container.NewBorder(legend, nil, nil, nil, container.NewVScroll(container.NewVBox(rows...)))}
	v.timeBox.Refresh()
}

// timelineBar draws phases as coloured bars on a scale where the whole
// width is longest µs.
func timelineBar(ps []phase, longest int64) fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, len(ps)+1)
	track := canvas.NewRectangle(color.Transparent)
	track.StrokeColor = theme.Color(theme.ColorNameSeparator)
	track.StrokeWidth = 1
	objs = append(objs, track)
	for _, p := range ps {
		objs = append(objs, canvas.NewRectangle(theme.Color(p.color)))
	}
	return container.New(&barLayout{ps: ps, longest: longest}, objs...)
}

// barLayout places the track across the width and each phase's bar at
// its share of it.
type barLayout struct {
	ps      []phase
	longest int64
}

func (l *barLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
	scale := size.Width / float32(l.longest)
	for i, p := range l.ps {
		x := float32(p.from) * scale
		w := max(float32(p.to-p.from)*scale, 1)
		objs[i+1].Move(fyne.NewPos(x, 2))
		objs[i+1].Resize(fyne.NewSize(w, size.Height-4))
	}
}

func (l *barLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(100, 14) }
