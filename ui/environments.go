package ui

import (
	"encoding/json"
	"fmt"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Environments are kept in the app's Fyne preferences (per user, beside
// the window sizes): a JSON object of named variable sets, and the name of
// the one picked. They hold no secrets: secrets belong in connections.
const (
	prefEnvironments = "environments"
	prefEnvironment  = "environment"
	noEnvironment    = "(none)"
)

// defaultEnvironments are offered until the person writes their own.
const defaultEnvironments = `{
  "dev": {"name": "dev"},
  "prod": {"name": "prod"}
}`

// environments are the named sets of variables a run sees as `env`.
type environments struct {
	prefs fyne.Preferences
	sets  map[string]map[string]any
}

func newEnvironments(prefs fyne.Preferences) *environments {
	e := &environments{prefs: prefs}
	if err := e.parse(prefs.StringWithFallback(prefEnvironments, defaultEnvironments)); err != nil {
		_ = e.parse(defaultEnvironments)
	}
	return e
}

// parse reads the JSON object of environments.
func (e *environments) parse(text string) error {
	var sets map[string]map[string]any
	if err := json.Unmarshal([]byte(text), &sets); err != nil {
		return fmt.Errorf("the environments are not valid JSON: %v; write an object of named objects, such as {\"dev\": {\"name\": \"dev\"}}", err)
	}
	for name := range sets {
		if name == "" || name == noEnvironment {
			return fmt.Errorf("an environment needs a name other than %q", name)
		}
		if sets[name] == nil {
			sets[name] = map[string]any{}
		}
	}
	e.sets = sets
	return nil
}

// text is the environments as the editor shows them.
func (e *environments) text() string {
	b, _ := json.MarshalIndent(e.sets, "", "  ")
	return string(b)
}

// set replaces the environments with text (JSON) and keeps them.
func (e *environments) set(text string) error {
	if err := e.parse(text); err != nil {
		return err
	}
	e.prefs.SetString(prefEnvironments, text)
	if _, ok := e.sets[e.current()]; !ok {
		e.prefs.SetString(prefEnvironment, "")
	}
	return nil
}

func (e *environments) names() []string {
	out := make([]string, 0, len(e.sets))
	for n := range e.sets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// current is the picked environment, "" for none.
func (e *environments) current() string {
	n := e.prefs.String(prefEnvironment)
	if _, ok := e.sets[n]; !ok {
		return ""
	}
	return n
}

// pick makes name the environment of the next runs and tests.
func (e *environments) pick(name string) {
	if name == noEnvironment {
		name = ""
	}
	e.prefs.SetString(prefEnvironment, name)
}

// vars returns the variables of the environment called name (nil for
// none or an unknown one).
func (e *environments) vars(name string) map[string]any { return e.sets[name] }

// editEnvironments lets the person edit the environments as JSON.
func (a *App) editEnvironments() {
	in := newJSONEntry()
	in.TextStyle = fyne.TextStyle{Monospace: true}
	in.SetText(a.envs.text())
	in.SetMinRowsVisible(10)
	showForm("Environments", "Save", []*widget.FormItem{
		widget.NewFormItem("Named variable sets (JSON; env.NAME in expressions)", in),
	}, func(ok bool) {
		if !ok {
			return
		}
		if err := a.envs.set(in.Text); err != nil {
			a.showError(err)
			return
		}
		a.updateActions()
	}, a.w)
}
