package ui

import (
	"net/http/httptest"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/flow"
)

// Issue 13 item 2: testing a valid call was refused because another node
// had errors or the flow had no start node. A test depends only on the
// call and its connection.
func TestTestIgnoresOtherNodesAndTheMissingStart(t *testing.T) {
	bin := httptest.NewServer(httpbin.New())
	defer bin.Close()
	h := newRunHarness(t, bin.URL, binConn)
	h.app.load(&flow.Flow{Name: "Half drawn", Nodes: []flow.Node{
		{ID: "call", Kind: flow.KindCall, Title: "Call it", Call: &flow.Call{Connection: "bin", Method: "GET", URI: `"/json"`}},
		{ID: "call2", Kind: flow.KindCall, Position: flow.Position{X: 300}, Call: &flow.Call{URI: `"/x`}},
	}})
	s := h.testCall()
	if s.Status != flow.StatusSucceeded || len(s.Exchanges) != 1 || s.Exchanges[0].Status != 200 {
		t.Fatalf("the test of a valid call in a half-drawn flow: step %+v, console:\n%s", s, h.consoleText())
	}
}

// Issue 13 item 1: opening another flow, or a new one, shows no run state;
// the step pane let the last flow's step stand.
func TestStepPaneClearsWhenAnotherFlowOpens(t *testing.T) {
	bin := httptest.NewServer(httpbin.New())
	defer bin.Close()
	h := newRunHarness(t, bin.URL, binConn)
	h.app.load(callFlow(`"/json"`))
	if s := h.testCall(); s == nil || h.app.pane.step == nil {
		t.Fatal("the test showed no step")
	}
	h.app.NewFlow()
	if h.app.pane.step != nil {
		t.Fatalf("after New flow the step pane still shows step %s of the other flow", h.app.pane.step.Node)
	}
}
