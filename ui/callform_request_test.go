package ui

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"
	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/flow"
)

// crmWithRequest is a connection with the named request lookupTier.
var crmWithRequest = flow.Connection{Name: "crm", Kind: flow.ConnCustom, BaseURL: "https://api.example.com", Auth: flow.Auth{Type: flow.AuthNone},
	Requests: []flow.NamedRequest{{Name: "lookupTier", Description: "The customer's tier", Params: []string{"chatId"}, Method: "POST",
		URI: `"/v1/tier"`, Headers: []flow.Pair{{Key: `"X-Chat"`, Value: "params.chatId"}}, Body: `{"chatId": params.chatId}`,
		Branches: []string{"vip", "standard"}}}}

// requestCallFlow is start → call (its own GET "/old", branch x) → end.
func requestCallFlow() *flow.Flow {
	return &flow.Flow{Name: "Tier", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart},
		{ID: "call", Kind: flow.KindCall, Position: flow.Position{X: 260}, Call: &flow.Call{Connection: "crm", Method: "GET", URI: `"/old"`, Branches: []string{"x"}}},
		{ID: "end", Kind: flow.KindEnd, Position: flow.Position{X: 520}, Outcome: "done"},
	}, Edges: []flow.Edge{{From: "start", To: "call"}, {From: "call", Port: "x", To: "end"}, {From: "call", Port: "default", To: "end"}}}
}

// selectIn finds the select below o whose first option is first.
func selectIn(o fyne.CanvasObject, first string) *widget.Select {
	var found *widget.Select
	walk(o, func(x fyne.CanvasObject) {
		if s, ok := x.(*widget.Select); ok && len(s.Options) > 0 && s.Options[0] == first && found == nil {
			found = s
		}
	})
	return found
}

// TestCallFormUsesANamedRequest (issue 16): the call form picks
// "connection → request"; the node's own request fields go and its ports
// become the request's branches; one field per param gives the args; each
// request field shows read-only with an Override switch that copies the
// request's value in (on) or removes the node's field (off); a request
// whose branches changed offers to update the ports.
func TestCallFormUsesANamedRequest(t *testing.T) {
	h := newHarness(t)
	if err := h.db.SaveConnection(context.Background(), crmWithRequest); err != nil {
		t.Fatal(err)
	}
	h.app.refreshConnections()
	h.app.load(requestCallFlow())
	h.app.selectProblemNode("call")
	in := h.app.inspector
	sel := selectIn(in.content, noRequest)
	if sel == nil || !slices.Equal(sel.Options, []string{noRequest, "lookupTier"}) || sel.Selected != noRequest {
		t.Fatalf("the request select: %+v", sel)
	}
	sel.SetSelected("lookupTier")
	c := h.app.ed.Flow().Node("call").Call
	want := &flow.Call{Connection: "crm", Request: "lookupTier", Branches: []string{"vip", "standard"}}
	if !jsonEqual(c, want) {
		t.Fatalf("after the pick the call is %+v, want %+v", c, want)
	}
	if slices.ContainsFunc(h.app.ed.Flow().Edges, func(e flow.Edge) bool { return e.Port == "x" }) {
		t.Fatal("the connector of the gone port x is still there")
	}
	arg := in.fields["call.args.chatId"]
	if arg == nil {
		t.Fatal("no field for the param chatId")
	}
	if text := labelsIn(in.content); !strings.Contains(text, "chatId (required; params.chatId in the request)") || !strings.Contains(text, "/v1/tier") ||
		!strings.Contains(text, `X-Chat: params.chatId`) || !strings.Contains(text, "The customer's tier") {
		t.Fatalf("the form shows:\n%s", text)
	}
	if in.fields["call.uri"] != nil {
		t.Fatal("the URI is editable while the node does not override it")
	}
	test.Type(arg.entry, "trigger.chatId")
	if got := h.app.ed.Flow().Node("call").Call.Args; !jsonEqual(got, map[string]string{"chatId": "trigger.chatId"}) {
		t.Fatalf("args %v", got)
	}
	if ps := flow.ValidateRequests(h.app.ed.Flow(), h.app.conns); len(ps) > 0 {
		t.Fatalf("the node does not match its request: %v", ps)
	}

	// Override the URI and the headers, then give the URI back.
	callParts(in).overrides["call.uri"].SetChecked(true)
	if got := h.app.ed.Flow().Node("call").Call.URI; got != `"/v1/tier"` || in.fields["call.uri"] == nil {
		t.Fatalf("override on: the node's URI is %q (field %v)", got, in.fields["call.uri"] != nil)
	}
	callParts(in).overrides["call.headers"].SetChecked(true)
	if got := h.app.ed.Flow().Node("call").Call.Headers; !jsonEqual(got, crmWithRequest.Requests[0].Headers) {
		t.Fatalf("override on: the node's headers are %v", got)
	}
	callParts(in).overrides["call.uri"].SetChecked(false)
	if got := h.app.ed.Flow().Node("call").Call.URI; got != "" {
		t.Fatalf("override off left the node's URI %q", got)
	}

	// The request's branches change: the form offers to update the ports.
	changed := crmWithRequest
	changed.Requests = slices.Clone(crmWithRequest.Requests)
	changed.Requests[0].Branches = []string{"vip", "gold"}
	if err := h.db.SaveConnection(context.Background(), changed); err != nil {
		t.Fatal(err)
	}
	h.app.refreshConnections()
	in.rebuild()
	if !strings.Contains(labelsIn(in.content), `The node branches on vip, standard but request "lookupTier" now offers vip, gold.`) {
		t.Fatalf("no word of the changed branches:\n%s", labelsIn(in.content))
	}
	test.Tap(callParts(in).updatePorts)
	if got := h.app.ed.Flow().Node("call").Call.Branches; !slices.Equal(got, []string{"vip", "gold"}) {
		t.Fatalf("ports %v after Update ports", got)
	}

	// "(none)" gives the node its own request again; undo goes back.
	selectIn(in.content, noRequest).SetSelected(noRequest)
	if c := h.app.ed.Flow().Node("call").Call; c.Request != "" || c.Args != nil {
		t.Fatalf("after (none) the call is %+v", c)
	}
	if in.fields["call.uri"] == nil {
		t.Fatal("the node's own URI field is not back")
	}
	h.app.Undo()
	if c := h.app.ed.Flow().Node("call").Call; c.Request != "lookupTier" {
		t.Fatalf("undo left %+v", c)
	}
}

// retryFlow is one call node with a retry policy of the default set.
func retryFlow() *flow.Flow {
	return &flow.Flow{Name: "Retry", Nodes: []flow.Node{
		{ID: "call", Kind: flow.KindCall, Call: &flow.Call{Connection: "crm", URI: `"/x"`, Retry: &flow.Retry{MaxAttempts: 3}}},
	}}
}

// TestCallFormRetryConditionsAndDeadline (issue 16): the retry's "on" is a
// set of checks (the default set checked when the file has none, and
// written as no list); one click sets the HTTP task platforms' rule; the
// deadline sits beside the timeout with its hint.
func TestCallFormRetryConditionsAndDeadline(t *testing.T) {
	h := newHarness(t)
	h.app.load(retryFlow())
	h.app.selectProblemNode("call")
	in := h.app.inspector
	checks := callParts(in).retryOn
	for _, w := range flow.RetryConditions {
		if got, want := checks[w].Checked, slices.Contains(flow.DefaultRetryOn, w); got != want {
			t.Errorf("the %s check is %v, want %v", w, got, want)
		}
	}
	test.Tap(callParts(in).platformRetry)
	if got := h.app.ed.Flow().Node("call").Call.Retry.On; !slices.Equal(got, []string{"non2xx", "network", "timeout"}) {
		t.Fatalf("the platform rule wrote on = %v", got)
	}
	if !callParts(in).retryOn["non2xx"].Checked || callParts(in).retryOn["5xx"].Checked {
		t.Fatal("the checks do not show the platform rule")
	}
	callParts(in).retryOn["408"].SetChecked(true)
	if got := h.app.ed.Flow().Node("call").Call.Retry.On; !slices.Equal(got, []string{"non2xx", "network", "timeout", "408"}) {
		t.Fatalf("on = %v", got)
	}
	for _, w := range []string{"non2xx", "408", "network", "timeout"} {
		callParts(in).retryOn[w].SetChecked(false)
	}
	if got := h.app.ed.Flow().Node("call").Call.Retry.On; !slices.Equal(got, []string{"timeout"}) {
		t.Fatalf("on = %v: the last condition may not be unchecked", got)
	}
	if !strings.Contains(h.consoleText(), "Retry needs at least one condition") {
		t.Fatal("no word on why the last condition stays")
	}
	for _, w := range []string{"5xx", "429", "408", "network"} {
		callParts(in).retryOn[w].SetChecked(true)
	}
	if got := h.app.ed.Flow().Node("call").Call.Retry.On; got != nil {
		t.Fatalf("the default set is written as %v, want no list", got)
	}

	d := in.entries["call.deadline"]
	if d == nil {
		t.Fatal("no deadline field")
	}
	test.Type(d, "2m")
	if got := h.app.ed.Flow().Node("call").Call.Deadline.D().String(); got != "2m0s" {
		t.Fatalf("deadline %s", got)
	}
	if !strings.Contains(labelsIn(in.content), "timeout bounds each attempt; deadline bounds the whole step") {
		t.Fatal("no hint beside the deadline")
	}
	data, err := flow.EncodeFlow(h.app.ed.Flow())
	if err != nil || !strings.Contains(string(data), `"deadline": "2m0s"`) {
		t.Fatalf("the file: %s (%v)", data, err)
	}
}

// TestEventFieldsOfferTheProjectsEvents (issue 16): the completion event,
// an emit's event and a start's events offer the events the stored flows
// and the open one raise or listen to; a new name can be typed.
func TestEventFieldsOfferTheProjectsEvents(t *testing.T) {
	h := newHarness(t)
	stored := &flow.Flow{Format: flow.Format, Name: "Listener", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerEvent, Events: []string{"chat.opened"}}},
		{ID: "tell", Kind: flow.KindEmit, Event: "order.fetched", Payload: "{}"},
	}}
	if _, err := h.db.SaveFlow(context.Background(), stored); err != nil {
		t.Fatal(err)
	}
	h.app.flows.reload()
	h.app.load(&flow.Flow{Name: "Open", Nodes: []flow.Node{
		{ID: "start", Kind: flow.KindStart, Trigger: &flow.Trigger{Type: flow.TriggerEvent, Events: []string{"chat.opened"}}},
		{ID: "call", Kind: flow.KindCall, Call: &flow.Call{Connection: "crm", CompletionEvent: "tier.looked_up"}},
		{ID: "emit", Kind: flow.KindEmit, Event: "", Payload: "{}"},
	}})
	known := []string{"chat.opened", "order.fetched", "tier.looked_up"}
	options := func(path string) []string { return callParts(h.app.inspector).events[path] }
	h.app.selectProblemNode("call")
	if got := options("call.completionEvent"); !slices.Equal(got, known) {
		t.Fatalf("the completion event offers %v, want %v", got, known)
	}
	h.app.selectProblemNode("emit")
	if got := options("event"); !slices.Equal(got, known) {
		t.Fatalf("the emit's event offers %v", got)
	}
	test.Type(h.app.inspector.entries["event"], "brand.new")
	if got := h.app.ed.Flow().Node("emit").Event; got != "brand.new" {
		t.Fatalf("a typed event is %q", got)
	}
	h.app.selectProblemNode("start")
	want := []string{"chat.opened, brand.new", "chat.opened, order.fetched", "chat.opened, tier.looked_up"}
	if got := options("trigger.events"); !slices.Equal(got, want) {
		t.Fatalf("the start's events offer %v, want %v", got, want)
	}
}

// TestNewFlowsHaveAGUID (issue 16): a flow the app creates has a GUID id
// before it is saved: its runs carry it as flow.id (two runs, the same
// id), and its first save stores the flow under it.
func TestNewFlowsHaveAGUID(t *testing.T) {
	bin := httptest.NewServer(httpbin.New())
	defer bin.Close()
	h := newRunHarness(t, bin.URL, binConn)
	h.app.NewFlow()
	h.app.load(nil)
	doc := callFlow(`"/anything"`)
	doc.Nodes[1].Call.Method = "POST"
	doc.Nodes[1].Call.Body = `{"flowId": flow.id}`
	h.app.ed.Load(doc)
	ids := map[string]bool{}
	for range 2 {
		h.app.Run(json.RawMessage(`{}`))
		h.settle("the run", func() bool { return !h.app.Running() })
		run := h.app.live.run
		if run == nil || run.Status != flow.StatusSucceeded {
			t.Fatalf("run %+v; console:\n%s", run, h.consoleText())
		}
		ids[run.FlowID] = true
	}
	if len(ids) != 1 {
		t.Fatalf("two runs of one unsaved flow had flow ids %v", ids)
	}
	var id string
	for k := range ids {
		id = k
	}
	if _, err := uuid.Parse(id); err != nil {
		t.Fatalf("flow.id %q of an unsaved flow is no GUID", id)
	}
	if err := h.app.Save(); err != nil {
		t.Fatal(err)
	}
	if h.app.FlowID() != id {
		t.Fatalf("saved as %q, but its runs had %q", h.app.FlowID(), id)
	}
	h.app.NewFlow()
	if h.app.flowOrDocID() == id || h.app.flowOrDocID() == "" {
		t.Fatalf("another new flow has id %q", h.app.flowOrDocID())
	}
}

// TestCallFormConnectionByExpression (issue 16): the connection select's
// last choice makes the connection CEL (starting as the name picked so
// far, quoted), written as {"expr": …}; picking a name again writes the
// name as before.
func TestCallFormConnectionByExpression(t *testing.T) {
	h := newHarness(t)
	saveConnections(t, h, "crm-eu", "crm-us")
	h.app.load(&flow.Flow{Name: "By expr", Nodes: []flow.Node{
		{ID: "call", Kind: flow.KindCall, Call: &flow.Call{Connection: "crm-eu", URI: `"/x"`}},
	}})
	h.app.selectProblemNode("call")
	in := h.app.inspector
	sel := selectIn(in.content, "crm-eu")
	if sel == nil || sel.Options[len(sel.Options)-1] != connByExpr {
		t.Fatalf("the connection select: %+v", sel)
	}
	sel.SetSelected(connByExpr)
	c := h.app.ed.Flow().Node("call").Call
	if c.Connection != "" || c.ConnectionExpr != `"crm-eu"` {
		t.Fatalf("by expression: %+v", c)
	}
	f := in.fields["call.connection"]
	if f == nil {
		t.Fatal("no field for the connection's expression")
	}
	f.entry.SetText(`vars.region == "eu" ? "crm-eu" : "crm-us"`)
	data, err := flow.EncodeFlow(h.app.ed.Flow())
	if err != nil || !strings.Contains(string(data), `"connection": {`) || !strings.Contains(string(data), `"expr": "vars.region == \"eu\" ? \"crm-eu\" : \"crm-us\""`) {
		t.Fatalf("the file: %s (%v)", data, err)
	}
	if selectIn(in.content, noRequest) != nil {
		t.Fatal("a request is offered for a connection chosen by expression")
	}
	selectIn(in.content, "crm-eu").SetSelected("crm-us")
	if c := h.app.ed.Flow().Node("call").Call; c.Connection != "crm-us" || c.ConnectionExpr != "" {
		t.Fatalf("by name again: %+v", c)
	}
	if in.fields["call.connection"] != nil {
		t.Fatal("the expression field stays")
	}
}

// TestDeletingAConnectionNamesTheExpressionsThatMayUseIt: a connection
// named in a call's connection expression counts as used.
func TestDeletingAConnectionNamesTheExpressionsThatMayUseIt(t *testing.T) {
	f := &flow.Flow{Nodes: []flow.Node{{ID: "call", Kind: flow.KindCall, Call: &flow.Call{ConnectionExpr: `vars.eu ? "crm-eu" : "crm-us"`}}}}
	for name, want := range map[string]bool{"crm-eu": true, "crm-us": true, "billing": false} {
		if got := usesConnection(f, name); got != want {
			t.Errorf("usesConnection(%s) = %v, want %v", name, got, want)
		}
	}
	f.Nodes[0].Call.ConnectionExpr = "vars.which"
	if !usesConnection(f, "billing") {
		t.Error("an expression that may give any name does not count as using billing")
	}
}
