package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
)

// Issue 14: the workspace's response offers "Use in expression" too; the
// forms are covered while the workspace is shown, so the value's path is
// copied for the person to paste where they want it.
func TestWorkspaceUseInExpressionCopiesThePath(t *testing.T) {
	h := newWSHarness(t)
	h.shortcut(viewShortcut(6)) // Ctrl+7
	tab := h.app.work.current()
	tab.conn.SetSelected(noConnection)
	tab.uri.SetText(h.bin.URL + "/json")
	h.sendTab(tab)
	v := tab.resp
	if v.x == nil || v.x.Status != 200 {
		t.Fatalf("no answer shown: %+v", v.x)
	}
	if !v.useExpr.Visible() {
		t.Fatal("the workspace's response view hides Use in expression")
	}
	i := nodeAt(t, v, `body.slideshow.title`)
	v.tree.Select(nodeID(i))
	test.Tap(v.useExpr)
	if got := fyne.CurrentApp().Clipboard().Content(); got != "body.slideshow.title" {
		t.Fatalf("Use in expression in the workspace put %q on the clipboard", got)
	}
}

// A node's request sent from an unsaved flow carries the flow's GUID as
// flow.id, as its runs do (the chatbot contract's chatBotId is never empty).
func TestWorkspaceSendOfAnUnsavedFlowCarriesItsGUID(t *testing.T) {
	h := newWSHarness(t)
	h.app.load(&flow.Flow{Name: "Never saved", Nodes: []flow.Node{
		{ID: "lookup", Kind: flow.KindCall, Call: &flow.Call{Connection: "bin", Method: "POST", URI: `"/x"`, Body: `{"flow": flow.id}`}},
	}})
	if h.app.flowID != "" || h.app.docID == "" {
		t.Fatalf("a new flow: stored id %q, document GUID %q", h.app.flowID, h.app.docID)
	}
	h.app.TestInWorkspace("lookup")
	tab := h.app.work.current()
	h.settle("the response", func() bool { return tab.last != nil || strings.HasPrefix(tab.status.Text, "Not sent") })
	e := echoOf(t, tab.last)
	if want := `{"flow":"` + h.app.docID + `"}`; strings.ReplaceAll(e.Data, " ", "") != want {
		t.Fatalf("the send's flow.id: httpbin received %s, want %s", e.Data, want)
	}
}
