package ui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/curl"
	"github.com/flowbench/flowbench/flow"
)

// Copy as cURL (issue 14) is curl.Format: single quotes, the engine's
// redaction markers as $VARIABLES, and Import reads it back to the same
// request.
func TestCopyAsCurlIsCurlFormat(t *testing.T) {
	x := &flow.Exchange{Method: "POST", URL: "https://h.example/v1/o?api_key=[redacted]&q=it's",
		RequestHeaders: map[string][]string{"Authorization": {"[redacted]"}, "Content-Type": {"application/json"}},
		RequestBody:    `{"note": "it's $5"}`}
	got := curlCommand(x)
	want := `curl 'https://h.example/v1/o?api_key='"${API_KEY}"'&q=it'\''s' \
  -H 'Authorization: '"${AUTHORIZATION}" \
  -H 'Content-Type: application/json' \
  --data-raw '{"note": "it'\''s $5"}'`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	env := map[string]string{"API_KEY": "k", "AUTHORIZATION": "Bearer t"}
	c, err := curl.ParseWith(got, curl.Options{Getenv: func(n string) (string, bool) { v, ok := env[n]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Request()
	if r.Method != "POST" || r.URL != "https://h.example/v1/o?api_key=k&q=it's" || r.Body != x.RequestBody ||
		!reflect.DeepEqual(r.Headers, []curl.Header{{Name: "Authorization", Value: "Bearer t"}, {Name: "Content-Type", Value: "application/json"}}) {
		t.Fatalf("read back as %#v", r)
	}
	if strings.Contains(got, "[redacted]") {
		t.Fatal("a marker was left in the command")
	}
}
