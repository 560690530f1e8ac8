package flow

import (
	"fmt"
	"strings"
	"testing"
)

// TestResolveCall: the node's fields replace the request's, pairs merge by
// key, and expressions that read params are bound to the node's args.
func TestResolveCall(t *testing.T) {
	req := &NamedRequest{Name: "lookupTier", Params: []string{"chatId"}, Method: "POST", URI: `"/v1/tier"`,
		Query:   []Pair{{Key: `"env"`, Value: `"prod"`}},
		Headers: []Pair{{Key: `"X-A"`, Value: `"a"`}, {Key: `"X-B"`, Value: `params.chatId`}},
		Body:    `{"chatId": params.chatId}`, Branches: []string{"vip"}, ReturnValue: `"vip"`}
	node := &Call{Connection: "crm", Request: "lookupTier", Args: map[string]string{"chatId": "trigger.chatId"},
		Method: "PUT", Headers: []Pair{{Key: `"X-A"`, Value: `"mine"`}, {Key: `"X-C"`, Value: `"c"`}}}
	got := ResolveCall(node, req)
	bound := func(src string) string {
		return fmt.Sprintf("cel.bind(params, {\"chatId\": (trigger.chatId\n)}, (%s\n))", src)
	}
	if got.Method != "PUT" || got.URI != `"/v1/tier"` || got.Body != bound(`{"chatId": params.chatId}`) || got.ReturnValue != `"vip"` ||
		fmt.Sprint(got.Branches) != "[vip]" {
		t.Fatalf("resolved %+v", got)
	}
	wantHeaders := []Pair{{Key: `"X-A"`, Value: `"mine"`}, {Key: `"X-B"`, Value: bound(`params.chatId`)}, {Key: `"X-C"`, Value: `"c"`}}
	if fmt.Sprint(got.Headers) != fmt.Sprint(wantHeaders) || fmt.Sprint(got.Query) != fmt.Sprint(req.Query) {
		t.Fatalf("headers %v, query %v", got.Headers, got.Query)
	}
	if len(node.Headers) != 2 || node.Method != "PUT" || node.Body != "" {
		t.Fatal("ResolveCall changed the node's call")
	}
	if alone := ResolveCall(node, nil); alone.URI != "" || len(alone.Headers) != 2 {
		t.Fatalf("without the request: %+v", alone)
	}
}

// TestNamedRequestsInFiles: requests travel in connections files, are
// checked there (names, params, method), and args need a request.
func TestNamedRequestsInFiles(t *testing.T) {
	src := `{"format": "flowbench/v1", "connections": [{"name": "crm", "kind": "custom", "baseURL": "https://api.example.com",
  "auth": {"type": "none"},
  "requests": [{"name": "lookupTier", "description": "Tier of a chat", "params": ["chatId"], "method": "POST",
                "uri": "\"/v1/tier\"", "body": "{\"chatId\": params.chatId}", "branches": ["vip", "standard"]}]}]}`
	cf, err := DecodeConnections([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if r := cf.Connections[0].Request("lookupTier"); r == nil || r.Description != "Tier of a chat" || fmt.Sprint(r.Params) != "[chatId]" {
		t.Fatalf("decoded %+v", cf.Connections[0].Requests)
	}
	if ps := ValidateConnections(cf); len(ps) != 0 {
		t.Fatal(ps)
	}
	cf.Connections[0].Requests = append(cf.Connections[0].Requests,
		NamedRequest{Name: "lookupTier", Params: []string{"chat-id", "x", "x"}, Method: "FETCH"})
	var got []string
	for _, p := range ValidateConnections(cf) {
		got = append(got, p.Connection+" "+p.Field)
	}
	want := "[crm requests[1].name crm requests[1].params[0] crm requests[1].params[2] crm requests[1].method]"
	if fmt.Sprint(got) != want {
		t.Fatalf("problems %v, want %s", got, want)
	}
	f := validFlow()
	f.Node("lookup").Call.Args = map[string]string{"chatId": "trigger.chatId"}
	ps := Validate(f)
	if len(ps) != 1 || ps[0].Node != "lookup" || ps[0].Field != "call.args" || !strings.Contains(ps[0].Message, "call.request") {
		t.Fatalf("args without a request: %v", ps)
	}
}
