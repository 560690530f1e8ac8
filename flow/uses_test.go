package flow

import (
	"reflect"
	"testing"
)

func TestConnectionUsesAndTheMocksThatAnswerThem(t *testing.T) {
	f := &Flow{Nodes: []Node{
		{ID: "a", Kind: KindCall, Call: &Call{Connection: "bot", Method: "post", URI: `"/chatbot/step"`}},
		{ID: "b", Kind: KindCall, Call: &Call{Connection: "crm", Request: "lookup"}},
		{ID: "c", Kind: KindCall, Call: &Call{ConnectionExpr: `vars.vip ? "crm" : "backup"`, URI: `"/orders/" + vars.id`}},
		{ID: "d", Kind: KindCall, Call: &Call{ConnectionExpr: `vars.conn`}},
		{ID: "s", Kind: KindStart},
	}}
	conns := []Connection{{Name: "crm", Requests: []NamedRequest{{Name: "lookup", Method: "GET", URI: `"/customers/{id}"`}}}}
	got := f.ConnectionUses(conns)
	want := []ConnectionUse{
		{Name: "backup"},
		{Name: "bot", Requests: []RequestShape{{"POST", "/chatbot/step"}}},
		{Name: "crm", Requests: []RequestShape{{"GET", "/customers/{id}"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ConnectionUses:\n got %+v\nwant %+v", got, want)
	}

	mocks := []Mock{
		{Name: "vip", Routes: []MockRoute{{Method: "POST", Path: "/chatbot/step/"}}},
		{Name: "orders", Routes: []MockRoute{{Method: "GET", Path: "/orders/{id}"}}},
		{Name: "any-get", Routes: []MockRoute{{Method: "GET", Path: "/chatbot/step"}}},
		{Name: "root", Routes: []MockRoute{{Method: "GET", Path: "/"}}},
	}
	for _, tt := range []struct {
		method, path string
		mock         int
		want         bool
	}{
		{"POST", "/chatbot/step", 0, true},
		{"POST", "chatbot/step?x=1", 0, true},
		{"GET", "/chatbot/step", 0, false},
		{"GET", "/orders/42", 1, true},
		{"GET", "/orders", 1, false},
		{"HEAD", "/chatbot/step", 2, true},
		{"GET", "/", 3, true},
		{"GET", "/x", 3, false},
	} {
		if got := MockAnswers(&mocks[tt.mock], tt.method, tt.path); got != tt.want {
			t.Errorf("mock %s answers %s %s: %v, want %v", mocks[tt.mock].Name, tt.method, tt.path, got, tt.want)
		}
	}
	if got := MocksFor(want[1], mocks); !reflect.DeepEqual(got, []string{"vip"}) {
		t.Errorf("MocksFor(bot) = %v, want [vip]", got)
	}
	if got := MocksFor(want[0], mocks); len(got) != len(mocks) {
		t.Errorf("MocksFor a connection with no literal requests = %v, want every mock", got)
	}
}
