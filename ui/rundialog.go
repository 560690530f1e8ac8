package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// The Run dialog is where a trainer switches the demo to another branch:
// for every connection the flow's calls use, one pick between the live
// endpoint and each mock that answers the flow's requests on it, for this
// run only (the connection is not edited); named input presets saved with
// the flow; the environment. Re-run (F5, Ctrl+R) runs again with the last
// choice without asking.

// runChoice is what the Run dialog chose, kept for Re-run.
type runChoice struct {
	flowID  string
	trigger json.RawMessage
	env     string
	mocks   map[string]string
	every   bool          // pause before each step
	slow    time.Duration // slow motion
}

// liveChoice is the mock pick that means the connection's own endpoint.
const liveChoice = "Live endpoint"

// mockChoice is how the dialog lists a mock.
func mockChoice(name string) string { return "Mock: " + name }

// rerunShortcut is Ctrl+R (Cmd+R on macOS); F5 does the same.
var rerunShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}

// runKey handles the run keys typed with no field focused or on the
// canvas: F5 runs again; Space and → take a paused run one step on.
func (a *App) runKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyF5:
		if a.step.paused() {
			a.step.cont() // as in a debugger: F5 continues a paused run
			return true
		}
		a.RunAgain()
		return true
	case fyne.KeyF11:
		a.present.toggle()
		return true
	case fyne.KeyEscape:
		if a.present.on {
			a.present.leave()
			return true
		}
	case fyne.KeySpace, fyne.KeyRight:
		if a.step.paused() {
			a.step.next()
			return true
		}
	}
	return false
}

// RunAgain runs the open flow again with the Run dialog's last choice for
// it, or opens the dialog when it has none.
func (a *App) RunAgain() {
	c := a.lastRun
	if c == nil || c.flowID != a.flowOrDocID() {
		a.runInteractive()
		return
	}
	a.runChoice(*c)
}

func (a *App) runChoice(c runChoice) {
	a.lastRun = &c
	a.envs.pick(orDefault(c.env, noEnvironment))
	name := a.envs.current()
	a.RunWith(RunInput{Trigger: c.trigger, Env: a.envs.vars(name), EnvName: name, Mocks: maps.Clone(c.mocks),
		Pause: a.step.forRun(c.every, c.slow)})
}

// runDialog holds the Run dialog's fields (tests drive them).
type runDialog struct {
	input   *dialogEntry
	presets *widget.Select
	env     *widget.Select
	mocks   map[string]*widget.Select // by connection name
	save    *widget.Button
	every   *widget.Check  // pause before each step
	slow    *widget.Select // slow motion
}

// runInteractive opens the Run dialog.
func (a *App) runInteractive() {
	d := a.newRunDialog()
	a.runDlg = d
	items := []*widget.FormItem{
		widget.NewFormItem("Input preset", container.NewBorder(nil, nil, nil, d.save, d.presets)),
		widget.NewFormItem("Trigger payload (JSON, trigger in expressions)", d.input),
	}
	names := slices.Sorted(maps.Keys(d.mocks))
	for _, name := range names {
		items = append(items, widget.NewFormItem("Connection "+name, d.mocks[name]))
	}
	items = append(items, widget.NewFormItem("Environment", d.env),
		widget.NewFormItem("Step through", container.NewHBox(d.every, widget.NewLabel("Slow motion"), d.slow)))
	showForm("Run "+a.ed.Flow().Name, "Run", items, func(ok bool) {
		a.runDlg = nil
		if ok {
			a.runChoice(d.choice(a.flowOrDocID()))
		}
	}, a.w)
}

func (a *App) newRunDialog() *runDialog {
	d := &runDialog{mocks: map[string]*widget.Select{}}
	last := a.lastRun
	if last != nil && last.flowID != a.flowOrDocID() {
		last = nil
	}
	d.input = newJSONEntry()
	d.input.SetText(string(a.lastInput))
	d.input.SetMinRowsVisible(6)
	d.presets = widget.NewSelect(presetNames(a.ed.Flow()), func(name string) {
		if p := findPreset(a.ed.Flow(), name); p != nil {
			d.input.SetText(prettyJSON(p.Trigger))
		}
	})
	d.presets.PlaceHolder = "(none saved: type a payload, then Save as preset)"
	d.save = widget.NewButton("Save as preset…", func() { a.savePresetDialog(d) })
	d.env = widget.NewSelect(append([]string{noEnvironment}, a.envs.names()...), nil)
	d.env.SetSelected(orDefault(a.envs.current(), noEnvironment))
	d.every = widget.NewCheck("Pause before each step", nil)
	var slows []string
	for _, s := range slowMotions {
		slows = append(slows, s.label)
	}
	d.slow = widget.NewSelect(slows, nil)
	d.slow.SetSelected(slowMotions[0].label)
	if last != nil {
		d.every.SetChecked(last.every)
		for _, s := range slowMotions {
			if s.d == last.slow {
				d.slow.SetSelected(s.label)
			}
		}
	}

	var mocks []flow.Mock
	if a.opts.MockStore != nil {
		mocks, _ = a.opts.MockStore.ListMocks(context.Background())
	}
	for _, use := range a.ed.Flow().ConnectionUses(a.conns) {
		conn := a.connection(use.Name)
		live := liveChoice
		if conn != nil && conn.BaseURL != "" {
			live = liveChoice + " (" + conn.BaseURL + ")"
		}
		opts := []string{live}
		for _, m := range flow.MocksFor(use, mocks) {
			opts = append(opts, mockChoice(m))
		}
		sel := widget.NewSelect(opts, nil)
		cur := live
		if conn != nil && conn.UseMock && conn.Mock != "" {
			cur = mockChoice(conn.Mock)
		}
		if last != nil {
			if m, ok := last.mocks[use.Name]; ok {
				cur = live
				if m != "" {
					cur = mockChoice(m)
				}
			}
		}
		if !slices.Contains(opts, cur) {
			sel.Options = append(sel.Options, cur) // a mock that answers only some of the calls
		}
		sel.SetSelected(cur)
		d.mocks[use.Name] = sel
	}
	return d
}

// choice reads the dialog.
func (d *runDialog) choice(flowID string) runChoice {
	c := runChoice{flowID: flowID, trigger: json.RawMessage(strings.TrimSpace(d.input.Text)), env: d.env.Selected, mocks: map[string]string{},
		every: d.every.Checked}
	for _, s := range slowMotions {
		if s.label == d.slow.Selected {
			c.slow = s.d
		}
	}
	if c.env == noEnvironment {
		c.env = ""
	}
	for name, sel := range d.mocks {
		m := ""
		if rest, ok := strings.CutPrefix(sel.Selected, "Mock: "); ok {
			m = rest
		}
		c.mocks[name] = m
	}
	return c
}

// connection is the stored connection named name, nil when there is none.
func (a *App) connection(name string) *flow.Connection {
	for i := range a.conns {
		if a.conns[i].Name == name {
			return &a.conns[i]
		}
	}
	return nil
}

// savePresetDialog asks for a name and saves the dialog's payload as an
// input preset of the open flow (one undoable edit; a preset of that name
// is replaced).
func (a *App) savePresetDialog(d *runDialog) {
	name := newDialogLine()
	name.SetPlaceHolder("VIP customer")
	if d.presets.Selected != "" {
		name.SetText(d.presets.Selected)
	}
	showForm("Save input preset", "Save", []*widget.FormItem{widget.NewFormItem("Name", name)}, func(ok bool) {
		if !ok {
			return
		}
		if err := a.savePreset(name.Text, d.input.Text); err != nil {
			a.showError(err)
			return
		}
		d.presets.Options = presetNames(a.ed.Flow())
		d.presets.SetSelected(strings.TrimSpace(name.Text))
	}, a.w)
}

// savePreset adds (or replaces) the input preset name of the open flow.
func (a *App) savePreset(name, payload string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("the preset has no name; name it as the Run dialog should list it (\"VIP customer\")")
	}
	payload = strings.TrimSpace(payload)
	if payload == "" {
		payload = "{}"
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(payload), &obj); err != nil {
		return fmt.Errorf("preset %q: the trigger payload is not a JSON object (%v); write {} or an object such as {\"chatId\": \"vip-1\"}", name, err)
	}
	a.inspector.edit("Save input preset "+name, func(f *flow.Flow) error {
		p := flow.InputPreset{Name: name, Trigger: json.RawMessage(payload)}
		if i := slices.IndexFunc(f.InputPresets, func(p flow.InputPreset) bool { return p.Name == name }); i >= 0 {
			f.InputPresets[i] = p
		} else {
			f.InputPresets = append(f.InputPresets, p)
		}
		return nil
	})
	return nil
}

func presetNames(f *flow.Flow) []string {
	out := make([]string, 0, len(f.InputPresets))
	for _, p := range f.InputPresets {
		out = append(out, p.Name)
	}
	return out
}

func findPreset(f *flow.Flow, name string) *flow.InputPreset {
	for i := range f.InputPresets {
		if f.InputPresets[i].Name == name {
			return &f.InputPresets[i]
		}
	}
	return nil
}

// prettyJSON indents a payload for the payload box ({} when empty).
func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "{}"
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}
