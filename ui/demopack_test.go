package ui

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

const demoFlowName = "Demo: chatbot branching"

// overlayChecks lists the check boxes of the topmost dialog: label → checked.
func (h *harness) overlayChecks() map[string]bool {
	out := map[string]bool{}
	walk(h.w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Check); ok {
			out[c.Text] = c.Checked
		}
	})
	return out
}

// Issue 17: File > Export demo pack offers every flow with the open one
// checked; the pack of the chatbot demo (with an input preset and an
// environment) imports into a fresh database in one step, opens its flow,
// and every branch then runs offline from the window's Run dialog. A
// second import asks before replacing what is there.
func TestDemoPackExportImportRunsEveryBranch(t *testing.T) {
	ctx := context.Background()
	h1 := newKitHarness(t, true)
	h1.openStored(demoFlowName)
	stored, err := h1.db.Flow(ctx, h1.app.FlowID())
	if err != nil {
		t.Fatal(err)
	}
	stored.InputPresets = []flow.InputPreset{{Name: "VIP customer", Trigger: json.RawMessage(`{"chatId": "c-1"}`)}}
	if _, err := h1.db.SaveFlow(ctx, stored); err != nil {
		t.Fatal(err)
	}
	h1.openStored(demoFlowName)
	if err := h1.app.envs.set(`{"format": "flowbench/v1", "environments": [{"name": "training", "variables": {"room": "A"}}]}`); err != nil {
		t.Fatal(err)
	}

	h1.app.exportDemoPackDialog()
	checks := h1.overlayChecks()
	if len(checks) < 3 {
		t.Fatalf("the dialog offers %d flows: %v", len(checks), checks)
	}
	for label, on := range checks {
		if on != (label == demoFlowName+"  (open)") {
			t.Errorf("flow %q checked %v; only the open flow should be", label, on)
		}
	}
	h1.pressEscape()

	data, pack, err := h1.app.ExportDemoPack("Chatbot demo", []string{h1.app.FlowID()})
	if err != nil {
		t.Fatal(err)
	}
	if got := packContents(pack); got != "1 flow, 1 connection, 5 mocks, 1 environment" {
		t.Fatalf("the pack holds %s", got)
	}

	h2 := newKitHarness(t, false)
	asked := false
	if err := h2.app.ImportDemoPack(data, "chatbot"+flow.DemoPackSuffix, func([]string, func()) { asked = true }); err != nil {
		t.Fatal(err)
	}
	if asked {
		t.Fatal("a fresh database asked about replacing")
	}
	if h2.app.flowName() != demoFlowName || h2.app.FlowID() == "" {
		t.Fatalf("the open flow is %q (%q)", h2.app.flowName(), h2.app.FlowID())
	}
	f2, err := h2.db.Flow(ctx, h2.app.FlowID())
	if err != nil || len(f2.InputPresets) != 1 || f2.InputPresets[0].Name != "VIP customer" {
		t.Fatalf("the imported flow's presets: %+v %v", f2, err)
	}
	if h2.app.envs.environment("training") == nil {
		t.Fatalf("the environment was not imported: %v", h2.app.envs.names())
	}
	if !strings.Contains(h2.consoleText(), `Imported the demo pack "Chatbot demo": 1 flow, 1 connection, 5 mocks, 1 environment. Opened "Demo: chatbot branching".`) {
		t.Fatalf("console:\n%s", h2.consoleText())
	}

	for _, tt := range []struct{ mock, outcome string }{
		{"chatbot-vip", "vip"},
		{"chatbot-standard", "standard"},
		{"chatbot-unknown", "default"},
		{"chatbot-failing", "apology"},
		{"chatbot-rule", "standard"},
	} {
		run := h2.runFromDialog(func(d *runDialog) {
			d.input.SetText(`{"chatId": "c-1"}`)
			sel := d.mocks["demo-bot"]
			if sel == nil || !slices.Contains(sel.Options, mockChoice(tt.mock)) {
				t.Fatalf("the Run dialog does not offer %s for demo-bot: %v", tt.mock, d.mocks)
			}
			sel.SetSelected(mockChoice(tt.mock))
		})
		if run.Outcome != tt.outcome {
			t.Fatalf("with %s the imported demo ended %s/%q, want %q; console:\n%s", tt.mock, run.Status, run.Outcome, tt.outcome, h2.consoleText())
		}
	}

	// Again, unchanged: nothing would be replaced, so it does not ask and
	// stores nothing new.
	if err := h2.app.ImportDemoPack(data, "chatbot"+flow.DemoPackSuffix, func([]string, func()) { t.Fatal("asked about an unchanged pack") }); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h2.consoleText(), "(8 of them already here as they are)") {
		t.Fatalf("console:\n%s", h2.consoleText())
	}
	// After the flow and a mock are edited here, it asks, naming exactly
	// those; Replace keeps one flow of that name (a new version of it).
	f2.Description = "edited here"
	if _, err := h2.db.SaveFlow(ctx, f2); err != nil {
		t.Fatal(err)
	}
	if err := h2.db.SaveMock(ctx, flow.Mock{Name: "chatbot-vip", Routes: []flow.MockRoute{{Method: "POST", Path: "/chatbot/step", Body: `{"returnValue": "standard"}`}}}); err != nil {
		t.Fatal(err)
	}
	var existing []string
	if err := h2.app.ImportDemoPack(data, "chatbot"+flow.DemoPackSuffix, func(e []string, replace func()) {
		existing = e
		replace()
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(existing, "; "); got != `flow "Demo: chatbot branching"; mock "chatbot-vip"` {
		t.Errorf("the question names %s", got)
	}
	list, err := h2.db.ListFlows(ctx)
	if err != nil || len(list) != 1 || list[0].Version != 3 {
		t.Fatalf("after replacing: %+v %v", list, err)
	}
	run := h2.runFromDialog(func(d *runDialog) { d.mocks["demo-bot"].SetSelected(mockChoice("chatbot-vip")) })
	if run.Outcome != "vip" {
		t.Fatalf("the replaced mock answers %q", run.Outcome)
	}
}

// Issue 17, the canary: a secret value sealed in the store never appears
// in an exported pack, only its reference; the import says which secret
// the trainer must give.
func TestDemoPackNeverHoldsSecretValues(t *testing.T) {
	const canary = "canary-Bearer-91c4e7"
	ctx := context.Background()
	h := newKitHarness(t, true)
	c, err := h.db.Connection(ctx, "demo-bot")
	if err != nil {
		t.Fatal(err)
	}
	c.Auth = flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Literal: canary}}
	if err := h.db.SaveConnection(ctx, *c); err != nil {
		t.Fatal(err)
	}
	h.app.refreshConnections()
	h.openStored(demoFlowName)
	data, _, err := h.app.ExportDemoPack("Chatbot demo", []string{h.app.FlowID()})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.app.ExportDemoPack(" ", []string{h.app.FlowID()}); err == nil || err.Error() != "name the demo pack: the import shows its name" {
		t.Errorf("a pack without a name: %v", err)
	}
	if _, _, err := h.app.ExportDemoPack("x", nil); err == nil || err.Error() != "check at least one flow to put in the demo pack" {
		t.Errorf("a pack without flows: %v", err)
	}
	if strings.Contains(string(data), canary) {
		t.Fatal("the exported demo pack holds the secret's value")
	}
	p, err := flow.DecodeDemoPack(data)
	if err != nil {
		t.Fatal(err)
	}
	ref := p.Connections[0].Auth.Token
	if ref == nil || ref.Secret == "" || ref.Literal != "" {
		t.Fatalf("the token is not a reference: %+v", ref)
	}
	if got := packSecrets(p); len(got) != 1 || !strings.Contains(got[0], `Connection "demo-bot" refers to the secret "`+ref.Secret+`" (auth.token)`) {
		t.Fatalf("what the import says: %v", got)
	}
}

// Issue 17: the Runs view's Export report… writes the selected run as the
// report page, with the picture of the flow it ran and its steps.
func TestRunsViewExportsReport(t *testing.T) {
	h := newKitHarness(t, true)
	h.openStored(demoFlowName)
	h.pointConnection("demo-bot", "chatbot-vip", true)
	run := h.runOpen(`{"chatId": "c-1"}`)
	h.app.history.reload()
	if h.app.history.reportB.Disabled() == false {
		t.Fatal("Export report… is enabled with no run selected")
	}
	i := slices.IndexFunc(h.app.history.runL.items, func(r flow.Run) bool { return r.ID == run.ID })
	if i < 0 {
		t.Fatalf("the run is not listed")
	}
	h.app.history.runL.list.Select(i)
	h.queue.drain()
	if h.app.history.reportB.Disabled() {
		t.Fatal("Export report… is disabled with a run selected")
	}
	page, _, err := h.app.history.reportOf(run.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", `<g class="lit"><rect class="card lit"`, `class="edge lit"`, "Look up customer", "Response 200"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
