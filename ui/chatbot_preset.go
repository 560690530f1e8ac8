package ui

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
)

// chatbotBotTypes are the chatBotType values of the chatbot contract.
var chatbotBotTypes = []string{"LiveChat", "SmsChat", "Journey"}

// chatbotPresetInteractive asks for the connection, branches, bot type and
// step name, then fills call node id with the chatbot contract's call.
func (in *inspector) chatbotPresetInteractive(id string) {
	n := in.a.ed.Flow().Node(id)
	if n == nil {
		return
	}
	cur := flow.Call{}
	if n.Call != nil {
		cur = *n.Call
	}
	names := in.a.connectionNames()
	sort.Strings(names)
	conn := widget.NewSelect(names, nil)
	conn.PlaceHolder = "Pick a connection"
	conn.SetSelected(cur.Connection)
	branches := newDialogLine()
	branches.SetText(strings.Join(orList(cur.Branches, []string{"vip", "standard"}), ", "))
	botType := widget.NewSelect(chatbotBotTypes, nil)
	botType.SetSelected(chatbotBotTypes[0])
	step := newDialogLine()
	step.SetText(orDefault(n.Title, id))
	uri := newDialogLine()
	uri.SetText(mock.ChatbotPath)
	showForm("Chatbot preset", "Apply", []*widget.FormItem{
		widget.NewFormItem("Connection", conn),
		widget.NewFormItem("Branches (returnValue options, comma separated)", branches),
		widget.NewFormItem("Chatbot type", botType),
		widget.NewFormItem("Step name", step),
		widget.NewFormItem("Path", uri),
	}, func(ok bool) {
		if ok {
			in.applyChatbotPreset(id, conn.Selected, strings.TrimSpace(step.Text), strings.TrimSpace(uri.Text), botType.Selected, splitList(branches.Text))
		}
	}, in.a.w)
}

// applyChatbotPreset makes node id call the connection's chatbot request
// by name, with the step's name and id as its args, in one undoable edit:
// the request (the chatbot contract as a named request template,
// chatbotRequest) is the connection's existing one when it has one with
// the same path, bot type and branches, else it is added to the connection
// first. Connectors leaving by a branch the request does not have are
// removed with the edit.
func (in *inspector) applyChatbotPreset(id, connection, step, uri, botType string, branches []string) {
	a := in.a
	if connection == "" {
		a.showError(fmt.Errorf("pick the connection whose chatbot request node %s calls", id))
		return
	}
	req, err := a.ensureChatbotRequest(connection, uri, botType, branches)
	if err != nil {
		a.showError(err)
		return
	}
	in.edit("Chatbot preset of "+id, func(f *flow.Flow) error {
		n := f.Node(id)
		if n == nil {
			return fmt.Errorf("the node %q is gone (deleted or undone); select another", id)
		}
		if n.Call != nil {
			for _, b := range n.Call.Branches {
				if !slices.Contains(req.Branches, b) {
					removePortEdges(f, id, b)
				}
			}
		}
		n.Call = &flow.Call{Connection: connection, Request: req.Name,
			Args:     map[string]string{chatbotStepName: strconv.Quote(step), chatbotStepID: strconv.Quote(id)},
			Branches: slices.Clone(req.Branches)}
		return nil
	})
	in.rebuild()
}

// ensureChatbotRequest returns connection's chatbot request for that path,
// bot type and branches, adding it to the stored connection (named
// chatbot, chatbot-2…) when it has none.
func (a *App) ensureChatbotRequest(connection, uri, botType string, branches []string) (flow.NamedRequest, error) {
	c, err := a.opts.Store.Connection(a.ctx, connection)
	if err != nil {
		return flow.NamedRequest{}, fmt.Errorf("connection %q: %w; pick a stored connection", connection, err)
	}
	want := chatbotRequest("", uri, botType, branches)
	for _, r := range c.Requests {
		if isChatbotRequest(r) {
			cmp := want
			cmp.Name, cmp.Description = r.Name, r.Description
			if reflect.DeepEqual(cmp, r) {
				return r, nil
			}
		}
	}
	want.Name = uniqueName("chatbot", nameSep, func(s string) bool { return c.Request(s) != nil })
	c.Requests = append(c.Requests, want)
	if err := a.opts.Store.SaveConnection(a.ctx, *c); err != nil {
		return flow.NamedRequest{}, fmt.Errorf("add request %q to connection %q: %w", want.Name, connection, err)
	}
	a.console.log(fmt.Sprintf("Added request %q (the chatbot contract) to connection %q.", want.Name, connection))
	a.refreshConnections()
	return want, nil
}

func orList(s, def []string) []string {
	if len(s) == 0 {
		return def
	}
	return s
}

// The params of the chatbot request template: the step's name and id,
// which each call node gives.
const (
	chatbotStepName = "stepName"
	chatbotStepID   = "stepId"
)

// chatbotRequest is the chatbot contract (flow.ChatbotCall) as a named
// request: the step's name and id become params (stepName, stepId) given
// by each call node, and the return value reads the calling step's body
// as steps[params.stepId]. uri "" is the contract's "/".
func chatbotRequest(name, uri, botType string, branches []string) flow.NamedRequest {
	// The contract is written once, in flow.ChatbotCall: build it with
	// placeholders for the step and put the params in their place.
	const stepID, stepName = "chatbot__stepId__", "chatbot__stepName__"
	if uri != "" && !strings.HasPrefix(strings.TrimSpace(uri), `"`) {
		uri = strconv.Quote(uri)
	}
	c := flow.ChatbotCall(stepID, stepName, "", uri, botType, branches)
	sub := strings.NewReplacer(strconv.Quote(stepName), flow.ParamsName+"."+chatbotStepName,
		strconv.Quote(stepID), flow.ParamsName+"."+chatbotStepID,
		"steps."+stepID, "steps["+flow.ParamsName+"."+chatbotStepID+"]")
	return flow.NamedRequest{
		Name:        name,
		Description: "Chatbot cloud function: POSTs the step-execution payload (CloudFunctionStepExecution) and branches on returnValue",
		Params:      []string{chatbotStepName, chatbotStepID},
		Method:      c.Method,
		URI:         c.URI,
		Headers:     c.Headers,
		Body:        sub.Replace(c.Body),
		Branches:    c.Branches,
		ReturnValue: sub.Replace(c.ReturnValue),
	}
}

// isChatbotRequest reports whether r is a chatbot request template: its
// params are the step's name and id.
func isChatbotRequest(r flow.NamedRequest) bool {
	return len(r.Params) == 2 && slices.Contains(r.Params, chatbotStepName) && slices.Contains(r.Params, chatbotStepID)
}

// docIDFor is the GUID of a document opened with stored id: that id, else
// a new one, so flow.id (and the chatbot contract's chatBotId) is never
// empty, not even in a run of a flow never saved, and the first save
// stores the flow under the id its runs had.
func docIDFor(stored string) string { return cmp.Or(stored, uuid.NewString()) }

// flowOrDocID is the open document's id: the stored flow's, else the GUID
// it was given when it was opened.
func (a *App) flowOrDocID() string { return cmp.Or(a.flowID, a.docID) }
