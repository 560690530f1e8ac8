package flow

import (
	"bytes"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecodeMocksReadsEveryField(t *testing.T) {
	m, err := DecodeMocks(readTestdata(t, "example.mocks.json"))
	if err != nil {
		t.Fatalf("DecodeMocks: %v", err)
	}
	want := &MocksFile{Format: Format, Mocks: []Mock{
		{Name: "orders", Routes: []MockRoute{
			{Method: "GET", Path: "/orders/{id}", Status: 200, Headers: map[string]string{"Content-Type": "application/json"},
				Body: `{"id": params.id, "paid": true}`, Delay: Duration(50 * time.Millisecond),
				Faults: &MockFaults{FailEvery: 3, FailStatus: 502, Sequence: []int{503, 503, 200}, Timeout: true,
					Drip: Duration(2 * time.Second), Malformed: true}},
			{Method: "POST", Path: "/chatbot/step", Body: `{"returnValue": request.body.chatId.startsWith("vip") ? "vip" : "standard"}`},
		}, Auth: &MockAuth{Type: AuthWebhook, Secret: &SecretRef{Secret: "orders-signing"}}},
		{Name: "crm", Routes: []MockRoute{{Path: "/"}},
			Auth: &MockAuth{Type: AuthAPIKey, In: APIKeyHeader, Name: "x-api-key", Value: &SecretRef{Env: "CRM_API_KEY"}}},
	}}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("decoded\n%#v\nwant\n%#v", m, want)
	}
	if ps := ValidateMocks(m.Mocks); len(ps) > 0 {
		t.Fatalf("the example has problems: %v", ps)
	}
}

func TestEncodeMocksRoundTrips(t *testing.T) {
	data := readTestdata(t, "example.mocks.json")
	m, err := DecodeMocks(data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := EncodeMocks(m)
	if err != nil {
		t.Fatalf("EncodeMocks: %v", err)
	}
	if !bytes.Equal(out, data) {
		t.Fatalf("encoding the example does not give it back:\n%s", out)
	}
	again, err := DecodeMocks(out)
	if err != nil || !reflect.DeepEqual(again, m) {
		t.Fatalf("Decode(Encode(m)) = %v, %v; want m", again, err)
	}
}

func TestEncodeMocksRefusesLiteralSecrets(t *testing.T) {
	m := &MocksFile{Mocks: []Mock{{Name: "bot", Routes: []MockRoute{{Path: "/"}},
		Auth: &MockAuth{Type: AuthBearer, Token: &SecretRef{Literal: "canary-token-123"}}}}}
	out, err := EncodeMocks(m)
	if !errors.Is(err, ErrLiteralSecret) {
		t.Fatalf("EncodeMocks = %q, %v; want ErrLiteralSecret", out, err)
	}
	if !strings.Contains(err.Error(), `mock "bot", field auth.token`) || strings.Contains(err.Error(), "canary") {
		t.Fatalf("error %q should name the mock and field and not the value", err)
	}
}

func TestDecodeMocksProblems(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string // substrings of the error, in order
	}{
		{"unknown field", `{"format": "flowbench/v1", "mocks": [{"name": "a", "routes": [{"path": "/", "stauts": 200}]}]}`,
			[]string{`mocks[0].routes[0].stauts: unknown field (did you mean "status"?)`}},
		{"wrong types", `{"format": "flowbench/v1", "mocks": [{"name": "a", "routes": [{"path": "/", "status": "200", "faults": {"sequence": [503, "x"]}}]}]}`,
			[]string{"mocks[0].routes[0].status: want a whole number, got a string", "mocks[0].routes[0].faults.sequence[1]: want a whole number"}},
		{"bad duration", `{"format": "flowbench/v1", "mocks": [{"name": "a", "routes": [{"path": "/", "delay": "soon"}]}]}`,
			[]string{`mocks[0].routes[0].delay: "soon" is not a duration`}},
		{"missing format", `{"mocks": []}`, []string{"format: missing"}},
		{"not json", `{"format": "flowbench/v1", "mocks": [}`, []string{"not valid JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeMocks([]byte(tt.data))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("DecodeMocks error = %v, want a *DecodeError", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Fatalf("error\n%s\nlacks %q", msg, w)
				}
				msg = msg[i+len(w):]
			}
		})
	}
}

func TestValidateMocks(t *testing.T) {
	route := func(method, path string) MockRoute { return MockRoute{Method: method, Path: path} }
	one := func(rs ...MockRoute) []Mock { return []Mock{{Name: "m", Routes: rs}} }
	tests := []struct {
		name  string
		mocks []Mock
		field string // of the first problem; "" means no problems
		want  []string
	}{
		{"fine", one(route("GET", "/orders/{id}"), route("POST", "/orders/{id}"), route("", "/orders/latest"), route("get", "/")), "", nil},
		{"same shape collides, naming both", one(route("GET", "/orders/{id}"), route("GET", "/orders/{orderId}")),
			"mocks[0].routes[1].path", []string{"route 1 (GET /orders/{orderId}) collides with route 0 (GET /orders/{id})"}},
		{"empty method is GET", one(route("", "/a"), route("get", "/a/")),
			"mocks[0].routes[1].path", []string{"collides with route 0 (GET /a)"}},
		{"neither more specific collides, naming both and a path both match", one(route("GET", "/a/{x}/c"), route("POST", "/a/b/{y}"), route("GET", "/a/b/{y}")),
			"mocks[0].routes[2].path", []string{`mock "m": route 2 (GET /a/b/{y}) collides with route 0 (GET /a/{x}/c): both match /a/b/c and neither is more specific (each has a parameter where the other has text); change the method or the path of one`}},
		{"dot segment", one(route("GET", "/a/../b")), "mocks[0].routes[0].path", []string{`path "/a/../b" has a ".." segment`}},
		{"bad method", one(route("FETCH", "/")), "mocks[0].routes[0].method", []string{`"FETCH" is not an HTTP method`}},
		{"bad status", []Mock{{Name: "m", Routes: []MockRoute{{Path: "/", Status: 999}}}}, "mocks[0].routes[0].status", []string{"999 is not an HTTP status"}},
		{"bad fail status", []Mock{{Name: "m", Routes: []MockRoute{{Path: "/", Faults: &MockFaults{FailStatus: 42}}}}},
			"mocks[0].routes[0].faults.failStatus", []string{"42 is not an HTTP status"}},
		{"bad sequence status", []Mock{{Name: "m", Routes: []MockRoute{{Path: "/", Faults: &MockFaults{Sequence: []int{503, 5030}}}}}},
			"mocks[0].routes[0].faults.sequence[1]", []string{"5030 is not an HTTP status"}},
		{"negative failEvery", []Mock{{Name: "m", Routes: []MockRoute{{Path: "/", Faults: &MockFaults{FailEvery: -1}}}}},
			"mocks[0].routes[0].faults.failEvery", []string{"negative"}},
		{"path without slash", one(route("GET", "orders")), "mocks[0].routes[0].path", []string{"must start with /"}},
		{"path with query", one(route("GET", "/orders?x=1")), "mocks[0].routes[0].path", []string{"query"}},
		{"bad param", one(route("GET", "/orders/{1d}")), "mocks[0].routes[0].path", []string{"{1d}"}},
		{"param twice", one(route("GET", "/a/{id}/b/{id}")), "mocks[0].routes[0].path", []string{"appears twice"}},
		{"half a param", one(route("GET", "/a/x{id}")), "mocks[0].routes[0].path", []string{"mixes text and braces"}},
		{"no name", []Mock{{Routes: []MockRoute{route("GET", "/")}}}, "mocks[0].name", []string{"no name"}},
		{"name with slash", []Mock{{Name: "a/b", Routes: []MockRoute{route("GET", "/")}}}, "mocks[0].name", []string{`"a/b"`}},
		{"same name twice", []Mock{{Name: "a", Routes: []MockRoute{route("GET", "/")}}, {Name: "a", Routes: []MockRoute{route("GET", "/")}}},
			"mocks[1].name", []string{"mocks[0] and mocks[1]"}},
		{"apiKey without value", []Mock{{Name: "m", Routes: []MockRoute{route("GET", "/")}, Auth: &MockAuth{Type: AuthAPIKey, In: "header", Name: "x-api-key"}}},
			"mocks[0].auth.value", []string{"apiKey auth needs the key"}},
		{"webhook without secret", []Mock{{Name: "m", Routes: []MockRoute{route("GET", "/")}, Auth: &MockAuth{Type: AuthWebhook}}},
			"mocks[0].auth.secret", []string{"webhook auth needs the signing secret"}},
		{"oauth2 not servable", []Mock{{Name: "m", Routes: []MockRoute{route("GET", "/")}, Auth: &MockAuth{Type: AuthOAuth2}}},
			"mocks[0].auth.type", []string{`cannot require "oauth2"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := ValidateMocks(tt.mocks)
			if tt.field == "" {
				if len(ps) > 0 {
					t.Fatalf("problems: %v", ps)
				}
				return
			}
			if !ps.HasErrors() {
				t.Fatalf("no error; want one at %s", tt.field)
			}
			if ps[0].Field != tt.field {
				t.Fatalf("first problem at %q, want %q: %v", ps[0].Field, tt.field, ps)
			}
			for _, w := range tt.want {
				if !strings.Contains(ps.Error(), w) {
					t.Fatalf("problems\n%v\nlack %q", ps, w)
				}
			}
		})
	}
}

func TestValidateMocksWarnsAboutAMockWithNoRoutes(t *testing.T) {
	ps := ValidateMocks([]Mock{{Name: "empty"}})
	if len(ps) != 1 || ps.HasErrors() || ps[0].Severity != SeverityWarning {
		t.Fatalf("problems = %v, want one warning", ps)
	}
}

// TestHandleMockRouteReportsWhatServeMuxRefuses: a conflicting route is an
// error, not a panic, and the patterns are what ServeMux routes by.
func TestHandleMockRouteReportsWhatServeMuxRefuses(t *testing.T) {
	for _, tc := range []struct{ method, path, want string }{
		{"", "/", "GET /{$}"}, {"post", "/orders/{id}/", "POST /orders/{id}"}, {"DELETE", "/a/b", "DELETE /a/b"},
	} {
		if got := MockRoutePattern(&MockRoute{Method: tc.method, Path: tc.path}); got != tc.want {
			t.Errorf("MockRoutePattern(%s %s) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
	mux := http.NewServeMux()
	if err := HandleMockRoute(mux, &MockRoute{Path: "/a/{x}/c"}, http.NotFoundHandler()); err != nil {
		t.Fatal(err)
	}
	err := HandleMockRoute(mux, &MockRoute{Path: "/a/b/{y}"}, http.NotFoundHandler())
	if err == nil || !strings.Contains(err.Error(), "conflicts with pattern") {
		t.Fatalf("HandleMockRoute = %v, want ServeMux's conflict", err)
	}
}

// TestMockAuthCredential: each type a mock can require names the field its
// credential is in; the mock server resolves that field.
func TestMockAuthCredential(t *testing.T) {
	v, tok, pw, sec := &SecretRef{Env: "V"}, &SecretRef{Env: "T"}, &SecretRef{Env: "P"}, &SecretRef{Env: "S"}
	all := MockAuth{Value: v, Token: tok, Password: pw, Secret: sec}
	for _, tc := range []struct {
		typ   AuthType
		field string
		ref   *SecretRef
	}{{AuthAPIKey, "value", v}, {AuthBearer, "token", tok}, {AuthBasic, "password", pw}, {AuthWebhook, "secret", sec}, {AuthNone, "", nil}, {AuthOAuth2, "", nil}} {
		a := all
		a.Type = tc.typ
		if field, ref := a.Credential(); field != tc.field || ref != tc.ref {
			t.Errorf("%s: Credential() = %q, %v; want %q, %v", tc.typ, field, ref, tc.field, tc.ref)
		}
	}
}
