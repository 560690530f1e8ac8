package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2/widget"

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

// applyChatbotPreset replaces node id's call with flow.ChatbotCall in one
// undoable edit; connectors leaving by a branch the preset no longer has
// are removed with it.
func (in *inspector) applyChatbotPreset(id, connection, step, uri, botType string, branches []string) {
	in.edit("Chatbot preset of "+id, func(f *flow.Flow) error {
		n := f.Node(id)
		if n == nil {
			return fmt.Errorf("the node %q is gone (deleted or undone); select another", id)
		}
		if n.Call != nil {
			for _, b := range n.Call.Branches {
				if !slices.Contains(branches, b) {
					removePortEdges(f, id, b)
				}
			}
		}
		n.Call = flow.ChatbotCall(id, step, connection, uri, botType, branches)
		return nil
	})
	in.rebuild()
}

func orList(s, def []string) []string {
	if len(s) == 0 {
		return def
	}
	return s
}
