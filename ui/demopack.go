package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// demoPackChoice is one flow the Export demo pack dialog offers.
type demoPackChoice struct {
	id, name string
	open     bool // the open document (its edits are exported as they are)
}

// demoPackChoices lists the stored flows, and the open document first
// when it was never saved.
func (a *App) demoPackChoices() ([]demoPackChoice, error) {
	stored, err := a.opts.Store.ListFlows(a.ctx)
	if err != nil {
		return nil, fmt.Errorf("list the flows: %w", err)
	}
	var out []demoPackChoice
	if a.flowID == "" {
		out = append(out, demoPackChoice{id: a.flowOrDocID(), name: a.flowName(), open: true})
	}
	for _, s := range stored {
		out = append(out, demoPackChoice{id: s.ID, name: s.Name, open: s.ID == a.flowID})
	}
	return out, nil
}

// DemoPack gathers the flows with these ids (the open one as it is in the
// editor) with the connections, mocks and environments they need
// (flow.NewDemoPack), under name.
func (a *App) DemoPack(name string, flowIDs []string) (*flow.DemoPack, error) {
	if strings.TrimSpace(name) == "" {
		return nil, fmt.Errorf("name the demo pack: the import shows its name")
	}
	if len(flowIDs) == 0 {
		return nil, fmt.Errorf("check at least one flow to put in the demo pack")
	}
	var flows []*flow.Flow
	for _, id := range flowIDs {
		var f *flow.Flow
		if id == a.flowOrDocID() {
			f = editor.Clone(a.ed.Flow())
		} else {
			stored, err := a.opts.Store.Flow(a.ctx, id)
			if err != nil {
				return nil, fmt.Errorf("read flow %s for the demo pack: %w", id, err)
			}
			f = stored
		}
		f.ID, f.Version = id, 0
		flows = append(flows, f)
	}
	conns, err := a.opts.Store.ListConnections(a.ctx)
	if err != nil {
		return nil, fmt.Errorf("list the connections: %w", err)
	}
	var mocks []flow.Mock
	if a.opts.MockStore != nil {
		if mocks, err = a.opts.MockStore.ListMocks(a.ctx); err != nil {
			return nil, fmt.Errorf("list the mocks: %w", err)
		}
	}
	return flow.NewDemoPack(name, "", flows, conns, mocks, a.envs.file.Environments), nil
}

// ExportDemoPack encodes the demo pack of DemoPack. Secrets are written as
// the references the store keeps, never as values.
func (a *App) ExportDemoPack(name string, flowIDs []string) ([]byte, *flow.DemoPack, error) {
	p, err := a.DemoPack(name, flowIDs)
	if err != nil {
		return nil, nil, err
	}
	data, err := flow.EncodeDemoPack(p)
	if err != nil {
		return nil, nil, fmt.Errorf("export the demo pack: %w", err)
	}
	return data, p, nil
}

// exportDemoPackDialog asks which flows go into the pack (the open one is
// checked) and its name, then where to write it.
func (a *App) exportDemoPackDialog() {
	choices, err := a.demoPackChoices()
	if err != nil {
		a.showError(err)
		return
	}
	name := widget.NewEntry()
	name.SetText(a.flowName())
	checks := make([]*widget.Check, len(choices))
	box := container.NewVBox()
	for i, c := range choices {
		label := c.name
		if c.open {
			label += "  (open)"
		}
		checks[i] = widget.NewCheck(label, nil)
		checks[i].SetChecked(c.open)
		box.Add(checks[i])
	}
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(420, 200))
	hint := widget.NewLabel("Their connections (secrets as references only), mocks, environments and input presets go with them.")
	hint.Wrapping = fyne.TextWrapWord
	showForm("Export demo pack", "Export…", []*widget.FormItem{
		widget.NewFormItem("Name", name),
		widget.NewFormItem("Flows", scroll),
		widget.NewFormItem("", hint),
	}, func(ok bool) {
		if !ok {
			return
		}
		var ids []string
		for i, c := range choices {
			if checks[i].Checked {
				ids = append(ids, c.id)
			}
		}
		data, p, err := a.ExportDemoPack(strings.TrimSpace(name.Text), ids)
		if err != nil {
			a.showError(err)
			return
		}
		a.saveDemoPack(data, p)
	}, a.w)
}

// saveDemoPack asks where to write the pack's bytes.
func (a *App) saveDemoPack(data []byte, p *flow.DemoPack) {
	saveFileDialog(a.w, fileNameFor(cmpOrStr(p.Name, "demo"))+flow.DemoPackSuffix, "export the demo pack", writeBytes(data),
		func(path string) {
			a.console.log(fmt.Sprintf("Exported the demo pack %q to %s: %s.", p.Name, path, packContents(p)))
		}, a.showError)
}

// importDemoPackDialog picks a demo pack file and imports it.
func (a *App) importDemoPackDialog() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			a.showError(err)
			return
		}
		if r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, flow.MaxDemoPackFileBytes+1)) // DecodeDemoPack refuses more
		if err != nil {
			a.showError(fmt.Errorf("read %s: %w", r.URI().Name(), err))
			return
		}
		a.confirmLeave(func() {
			if err := a.ImportDemoPack(data, r.URI().Name(), a.askReplace); err != nil {
				a.showError(err)
			}
		})
	}, a.w)
	d.SetFilter(fstorage.NewExtensionFileFilter([]string{".json"}))
	showDialog(d, a.w)
}

// askReplace asks before an import replaces what is already there.
func (a *App) askReplace(existing []string, replace func()) {
	showConfirm("Replace what is there?",
		fmt.Sprintf("The demo pack holds %s, which this app already has. Replace them with the pack's? Cancel imports nothing.", strings.Join(existing, ", ")),
		"Replace", func(ok bool) {
			if ok {
				replace()
			}
		}, a.w)
}

// ImportDemoPack checks a demo pack (file names it in errors) and installs
// its connections, mocks, environments and flows in one step, then opens
// its first flow. When some already exist by name, ask is called with
// them and the pack is installed only if it calls replace; a flow of the
// same name gets the pack's version as a new version of itself. A pack
// that does not decode, or a flow of it with an expression that does not
// compile, is refused with every problem, and nothing changes.
func (a *App) ImportDemoPack(data []byte, file string, ask func(existing []string, replace func())) error {
	p, err := flow.DecodeDemoPack(data)
	if err != nil {
		return fmt.Errorf("%s is not a demo pack Flowbench can import:\n%s", file, describeFileError(err))
	}
	var ps flow.Problems
	for i := range p.Flows {
		for _, pr := range expressionProblems(a.checker, &p.Flows[i], nil) {
			if pr.Severity == flow.SeverityError {
				pr.Message = fmt.Sprintf("flow %q: %s", p.Flows[i].Name, pr.Message)
				ps = append(ps, pr)
			}
		}
	}
	if len(ps) > 0 {
		return fmt.Errorf("%s: the demo pack was not imported:\n%w", file, ps)
	}
	if len(p.Mocks) > 0 && a.opts.MockStore == nil {
		return fmt.Errorf("%s: the demo pack holds mocks and this window keeps none; open the app with its database to import it", file)
	}
	// What is already here by name: asked about when it differs, left
	// alone when it is the same (nothing would be replaced).
	flowIDs := map[string]string{} // name → stored id
	stored, err := a.opts.Store.ListFlows(a.ctx)
	if err != nil {
		return fmt.Errorf("list the flows: %w", err)
	}
	for _, s := range stored {
		flowIDs[s.Name] = s.ID
	}
	var existing []string
	same := map[string]bool{} // "flow NAME", "connection NAME", … already here as they are
	note := func(what, name string, here, equal bool) {
		key := fmt.Sprintf("%s %q", what, name)
		switch {
		case here && equal:
			same[key] = true
		case here:
			existing = append(existing, key)
		}
	}
	for i := range p.Flows {
		f := &p.Flows[i]
		id := flowIDs[f.Name]
		var have *flow.Flow
		if id != "" {
			have, _ = a.opts.Store.Flow(a.ctx, id)
		}
		note("flow", f.Name, id != "", have != nil && sameFlow(have, f))
	}
	for _, c := range p.Connections {
		i := slices.IndexFunc(a.conns, func(o flow.Connection) bool { return o.Name == c.Name })
		note("connection", c.Name, i >= 0, i >= 0 && sameJSON(a.conns[i], c))
	}
	if len(p.Mocks) > 0 {
		have, err := a.opts.MockStore.ListMocks(a.ctx)
		if err != nil {
			return fmt.Errorf("list the mocks: %w", err)
		}
		for _, m := range p.Mocks {
			i := slices.IndexFunc(have, func(o flow.Mock) bool { return o.Name == m.Name })
			note("mock", m.Name, i >= 0, i >= 0 && sameJSON(have[i], m))
		}
	}
	for _, e := range p.Environments {
		have := a.envs.environment(e.Name)
		note("environment", e.Name, have != nil, have != nil && sameJSON(*have, e))
	}
	install := func() {
		if err := a.installDemoPack(p, flowIDs, same); err != nil {
			a.showError(fmt.Errorf("%s: %w", file, err))
		}
	}
	if len(existing) > 0 {
		ask(existing, install)
		return nil
	}
	install()
	return nil
}

// installDemoPack stores what p holds (connections first: flows and mocks
// refer to them) but what is already here as it is (same), then opens its
// first flow.
func (a *App) installDemoPack(p *flow.DemoPack, flowIDs map[string]string, same map[string]bool) error {
	keep := func(what, name string) bool { return same[fmt.Sprintf("%s %q", what, name)] }
	for _, c := range p.Connections {
		if keep("connection", c.Name) {
			continue
		}
		if err := a.opts.Store.SaveConnection(a.ctx, c); err != nil {
			return fmt.Errorf("import connection %q: %w", c.Name, err)
		}
	}
	for _, m := range p.Mocks {
		if keep("mock", m.Name) {
			continue
		}
		if err := a.opts.MockStore.SaveMock(a.ctx, m); err != nil {
			return fmt.Errorf("import mock %q: %w", m.Name, err)
		}
	}
	if len(p.Environments) > 0 {
		envs := *a.envs.file
		envs.Environments = slices.Clone(envs.Environments)
		for _, e := range p.Environments {
			if keep("environment", e.Name) {
				continue
			}
			if i := slices.IndexFunc(envs.Environments, func(o flow.Environment) bool { return o.Name == e.Name }); i >= 0 {
				envs.Environments[i] = e
			} else {
				envs.Environments = append(envs.Environments, e)
			}
		}
		text, err := json.MarshalIndent(&envs, "", "  ")
		if err != nil {
			return err
		}
		if err := a.envs.set(string(text)); err != nil {
			return fmt.Errorf("import the environments: %w", err)
		}
	}
	var first *flow.Flow
	for i := range p.Flows {
		f := p.Flows[i]
		f.ID, f.Version = flowIDs[f.Name], 0
		if keep("flow", f.Name) {
			have, err := a.opts.Store.Flow(a.ctx, f.ID)
			if err != nil {
				return fmt.Errorf("open flow %q: %w", f.Name, err)
			}
			f = *have
		} else if _, err := a.opts.Store.SaveFlow(a.ctx, &f); err != nil {
			return fmt.Errorf("import flow %q: %w", f.Name, err)
		}
		if first == nil {
			first = &f
		}
	}
	a.refreshConnections()
	if a.mocks != nil {
		a.mocks.reload()
	}
	a.updateActions()
	a.flushDraft()
	a.load(first)
	a.flows.reload()
	unchanged := ""
	if len(same) > 0 {
		unchanged = fmt.Sprintf(" (%d of them already here as they are)", len(same))
	}
	a.console.log(fmt.Sprintf("Imported the demo pack %q: %s%s. Opened %q.", p.Name, packContents(p), unchanged, first.Name))
	for _, need := range packSecrets(p) {
		a.console.log(need)
	}
	return nil
}

// sameJSON reports whether a and b are written alike.
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// sameFlow reports whether two flows are the same document, whatever
// their ids and versions.
func sameFlow(a, b *flow.Flow) bool {
	ca, cb := *a, *b
	ca.ID, ca.Version, cb.ID, cb.Version = "", 0, "", 0
	ea, err1 := flow.EncodeFlow(&ca)
	eb, err2 := flow.EncodeFlow(&cb)
	return err1 == nil && err2 == nil && string(ea) == string(eb)
}

// packContents says what a pack holds: "2 flows, 1 connection, 5 mocks".
func packContents(p *flow.DemoPack) string {
	count := func(n int, what string) string {
		if n == 1 {
			return "1 " + what
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	return strings.Join([]string{count(len(p.Flows), "flow"), count(len(p.Connections), "connection"),
		count(len(p.Mocks), "mock"), count(len(p.Environments), "environment")}, ", ")
}

// packSecrets says which secrets the pack's connections refer to: their
// values did not travel with it.
func packSecrets(p *flow.DemoPack) []string {
	var out []string
	for _, c := range p.Connections {
		secrets := c.Auth.Secrets()
		for _, field := range slices.Sorted(maps.Keys(secrets)) {
			ref := secrets[field]
			switch {
			case ref.Secret != "":
				out = append(out, fmt.Sprintf("Connection %q refers to the secret %q (auth.%s), whose value is not in the pack: enter it in the connection's form before calling the live endpoint.", c.Name, ref.Secret, field))
			case ref.Env != "":
				out = append(out, fmt.Sprintf("Connection %q reads auth.%s from the environment variable %s: set it before calling the live endpoint.", c.Name, field, ref.Env))
			}
		}
	}
	return out
}

func cmpOrStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
