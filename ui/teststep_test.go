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
