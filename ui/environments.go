package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// Environments are kept in the app's Fyne preferences (per user, beside
// the window sizes) in the shape of an environments file
// (*.environments.json, docs/flow-format.md), which the command line reads
// with --environments: named sets of variables (env.NAME) and per-connection
// overrides of the base URL (and auth, secrets as references only). The
// name of the one picked is kept beside them. An older app kept an object
// of named variable sets ({"dev": {"name": "dev"}}); it is read as the
// environments it describes.
const (
	prefEnvironments = "environments"
	prefEnvironment  = "environment"
	noEnvironment    = "(none)"
)

// defaultEnvironments are offered until the person writes their own.
const defaultEnvironments = `{
  "format": "flowbench/v1",
  "environments": [
    {"name": "dev"},
    {"name": "prod"}
  ]
}`

// environments are the named environments a run sees as `env`.
type environments struct {
	prefs fyne.Preferences
	file  *flow.EnvironmentsFile
}

func newEnvironments(prefs fyne.Preferences) *environments {
	e := &environments{prefs: prefs}
	if err := e.parse(prefs.StringWithFallback(prefEnvironments, defaultEnvironments)); err != nil {
		_ = e.parse(defaultEnvironments)
	}
	return e
}

// parse reads environments in the file's shape (or the older object of
// variable sets), with the file's rules: errors name the line and column,
// or the field's path.
func (e *environments) parse(text string) error {
	f, err := decodeEnvironmentsText([]byte(text))
	if err != nil {
		return err
	}
	e.file = f
	return nil
}

// decodeEnvironmentsText decodes an environments file, or the older object
// of named variable sets.
func decodeEnvironmentsText(data []byte) (*flow.EnvironmentsFile, error) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(data, &probe) == nil && probe["format"] == nil && probe["environments"] == nil && len(probe) > 0 {
		if f, ok := legacyEnvironments(probe); ok {
			return f, nil
		}
	}
	f, err := flow.DecodeEnvironments(data)
	if err != nil {
		return nil, err
	}
	for _, env := range f.Environments {
		if env.Name == noEnvironment {
			return nil, fmt.Errorf("an environment may not be called %q; rename it", noEnvironment)
		}
	}
	return f, nil
}

// legacyEnvironments reads {"dev": {"name": "dev", "orgId": "…"}}: each
// key an environment, its fields (but name) its variables, values that are
// not strings written as JSON.
func legacyEnvironments(sets map[string]json.RawMessage) (*flow.EnvironmentsFile, bool) {
	f := &flow.EnvironmentsFile{Format: flow.Format}
	for _, name := range slices.Sorted(maps.Keys(sets)) {
		var vars map[string]json.RawMessage
		if json.Unmarshal(sets[name], &vars) != nil || name == "" || name == noEnvironment {
			return nil, false
		}
		env := flow.Environment{Name: name}
		for k, raw := range vars {
			if k == "name" {
				continue
			}
			var s string
			if json.Unmarshal(raw, &s) != nil {
				s = string(raw)
			}
			if env.Variables == nil {
				env.Variables = map[string]string{}
			}
			env.Variables[k] = s
		}
		f.Environments = append(f.Environments, env)
	}
	if flow.ValidateEnvironments(f).HasErrors() {
		return nil, false
	}
	return f, true
}

// text is the environments as the editor shows them and an export writes
// them: an environments file.
func (e *environments) text() string {
	b, _ := json.MarshalIndent(e.file, "", "  ")
	return string(b)
}

// set replaces the environments with text (an environments file) and
// keeps them.
func (e *environments) set(text string) error {
	if err := e.parse(text); err != nil {
		return err
	}
	e.prefs.SetString(prefEnvironments, e.text())
	if e.environment(e.current()) == nil {
		e.prefs.SetString(prefEnvironment, "")
	}
	return nil
}

// names lists the environments, sorted.
func (e *environments) names() []string {
	return slices.Sorted(slices.Values(e.file.Names()))
}

// current is the picked environment, "" for none.
func (e *environments) current() string {
	n := e.prefs.String(prefEnvironment)
	if e.environment(n) == nil {
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

// environment is the environment called name, nil for none or an unknown
// one.
func (e *environments) environment(name string) *flow.Environment {
	if name == "" {
		return nil
	}
	return e.file.Environment(name)
}

// vars returns env of the environment called name in expressions: its
// name and variables (nil for none or an unknown one).
func (e *environments) vars(name string) map[string]any {
	env := e.environment(name)
	if env == nil {
		return nil
	}
	return env.Context()
}

// importFrom replaces the environments with an environments file read from
// r (under the file's size cap); name (the file's) heads every error, which
// names the line and column or the field.
func (e *environments) importFrom(r io.Reader, name string) error {
	data, err := io.ReadAll(io.LimitReader(r, flow.MaxEnvironmentsFileBytes+1))
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if err := e.set(string(data)); err != nil {
		return fmt.Errorf("%s: %s", name, describeFileError(err))
	}
	return nil
}

// exportTo writes the environments as an environments file to w.
func (e *environments) exportTo(w io.Writer) error {
	_, err := io.WriteString(w, e.text()+"\n")
	return err
}

// describeFileError lists a decoding error's problems, each with its line
// and column (or field), one per line.
func describeFileError(err error) string {
	var de *flow.DecodeError
	if !errors.As(err, &de) {
		return err.Error()
	}
	var lines []string
	for _, p := range de.Problems {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// editEnvironments lets the person edit the environments as an
// environments file (JSON), and import or export one.
func (a *App) editEnvironments() {
	in := newJSONEntry()
	in.TextStyle = fyne.TextStyle{Monospace: true}
	in.SetText(a.envs.text())
	in.SetMinRowsVisible(10)
	imp := widget.NewButtonWithIcon("Import…", theme.FolderOpenIcon(), func() {
		d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
			if err != nil || rc == nil {
				return
			}
			defer rc.Close()
			if err := a.importEnvironments(rc, rc.URI().Name()); err != nil {
				a.showError(err)
				return
			}
			in.SetText(a.envs.text())
		}, a.w)
		d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
		d.Show()
	})
	exp := widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), func() {
		saveFileDialog(a.w, "flowbench.environments.json", "export the environments", a.envs.exportTo,
			func(path string) { a.console.log(fmt.Sprintf("Exported the environments to %s.", path)) }, a.showError)
	})
	hint := widget.NewLabel(`An environments file, as flowbench run --environments reads it: each environment's variables (env.NAME in expressions) and, per connection, a baseURL (and auth, secrets only as {"env": VAR} or {"secret": NAME}).`)
	hint.Wrapping = fyne.TextWrapWord
	showForm("Environments", "Save", []*widget.FormItem{
		widget.NewFormItem("", container.NewVBox(hint, container.NewHBox(imp, exp))),
		widget.NewFormItem("Environments (JSON)", in),
	}, func(ok bool) {
		if !ok {
			return
		}
		if err := a.envs.set(in.Text); err != nil {
			a.showError(fmt.Errorf("the environments were not saved: %s", describeFileError(err)))
			return
		}
		a.updateActions()
	}, a.w)
}

// importEnvironments replaces the environments with the file read from r
// (name: the file's, for errors), and says so.
func (a *App) importEnvironments(r io.Reader, name string) error {
	if err := a.envs.importFrom(r, name); err != nil {
		return err
	}
	a.updateActions()
	a.console.log(fmt.Sprintf("Imported the environments of %s: %s.", filepath.Base(name), strings.Join(a.envs.file.Names(), ", ")))
	return nil
}

// exportEnvironments writes the environments to w as an environments file.
func (a *App) exportEnvironments(w io.Writer) error { return a.envs.exportTo(w) }

// environmentConnections applies the picked environment's connection
// overrides (base URL, auth) to conns, as the command line's --env does.
func (a *App) environmentConnections(conns []flow.Connection) ([]flow.Connection, error) {
	env := a.envs.environment(a.envs.current())
	if env == nil || len(env.Connections) == 0 {
		return conns, nil
	}
	out, ps := env.Apply(conns)
	if ps.HasErrors() {
		return nil, ps
	}
	return out, nil
}
