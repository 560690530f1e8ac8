package flow

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRetryRule: which statuses and conditions each "on" list retries; an
// empty list is the default (5xx, 429, 408, network, timeout).
func TestRetryRule(t *testing.T) {
	statuses := []int{200, 204, 301, 304, 400, 404, 408, 429, 500, 503}
	cases := []struct {
		on                []string
		retried           []int
		network, timedOut bool
	}{
		{nil, []int{408, 429, 500, 503}, true, true},
		{DefaultRetryOn, []int{408, 429, 500, 503}, true, true},
		{[]string{"non2xx"}, []int{301, 304, 400, 404, 408, 429, 500, 503}, false, false},
		{PlatformRetryOn, []int{301, 304, 400, 404, 408, 429, 500, 503}, true, true},
		{[]string{"4xx"}, []int{400, 404, 408, 429}, false, false},
		{[]string{"3xx", "timeout"}, []int{301, 304}, false, true},
		{[]string{"429"}, []int{429}, false, false},
		{[]string{"network"}, nil, true, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.on), func(t *testing.T) {
			rule, err := ParseRetryOn(c.on)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, s := range statuses {
				if rule.RetriesStatus(s) {
					got = append(got, s)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.retried) || rule.RetriesNetwork() != c.network || rule.RetriesTimeout() != c.timedOut {
				t.Fatalf("retries %v, network %v, timeout %v; want %v, %v, %v", got, rule.RetriesNetwork(), rule.RetriesTimeout(), c.retried, c.network, c.timedOut)
			}
			if (&Retry{On: c.on}).Rule() != rule {
				t.Fatal("Retry.Rule differs from ParseRetryOn")
			}
		})
	}
	if got := fmt.Sprint((*Retry)(nil).Rule().Words()); got != fmt.Sprint(DefaultRetryOn) {
		t.Fatalf("a call without retry has rule %s, want the default %v", got, DefaultRetryOn)
	}
	if _, err := ParseRetryOn([]string{"5xx", "teapot"}); err == nil || !strings.Contains(err.Error(), `"teapot"`) {
		t.Fatalf("an unknown word gave %v", err)
	}
}

// TestValidateRetryOnAndDeadline: an unknown word of call.retry.on is an
// error naming its index; a repeated one a warning; a negative or too long
// deadline an error, one shorter than the timeout a warning.
func TestValidateRetryOnAndDeadline(t *testing.T) {
	cases := []struct {
		name string
		edit func(c *Call)
		want []want
	}{
		{"known words", func(c *Call) { c.Retry.On = []string{"non2xx", "network", "timeout"} }, nil},
		{"unknown word", func(c *Call) { c.Retry.On = []string{"5xx", "429", "50x"} }, []want{E("lookup", "call.retry.on[2]")}},
		{"word twice", func(c *Call) { c.Retry.On = []string{"4xx", "4xx"} }, []want{W("lookup", "call.retry.on[1]")}},
		{"deadline", func(c *Call) { c.Deadline = Duration(2 * time.Minute) }, nil},
		{"negative deadline", func(c *Call) { c.Deadline = Duration(-time.Second) }, []want{E("lookup", "call.deadline")}},
		{"deadline too long", func(c *Call) { c.Deadline = Duration(MaxCallTimeout + time.Second) }, []want{E("lookup", "call.deadline")}},
		{"deadline under the timeout", func(c *Call) { c.Deadline = Duration(5 * time.Second) }, []want{W("lookup", "call.deadline")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := validFlow()
			c.edit(f.Node("lookup").Call)
			ps := Validate(f)
			if len(ps) != len(c.want) {
				t.Fatalf("problems:\n%v\nwant %v", ps, c.want)
			}
			for i, w := range c.want {
				p := ps[i]
				if p.Severity != w.sev || p.Node != w.node || p.Field != w.field || p.Message == "" {
					t.Fatalf("problem %d: %+v, want %+v", i, p, w)
				}
			}
		})
	}
	f := validFlow()
	f.Node("lookup").Call.Retry.On = []string{"5xx", "429", "50x"}
	want := `node "lookup", field call.retry.on[2]: unknown retry condition "50x"; use 5xx, 429, 408, network, timeout, 4xx, 3xx, non2xx`
	if got := Validate(f)[0].String(); got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestRetryOnAndDeadlineRoundTrip: the new fields travel in files, and a
// file without them decodes as before (no on, no deadline).
func TestRetryOnAndDeadlineRoundTrip(t *testing.T) {
	src := `{"format": "flowbench/v1", "name": "r", "nodes": [
  {"id": "c", "kind": "call", "call": {"connection": "crm", "timeout": "5s", "deadline": "1m",
   "retry": {"maxAttempts": 3, "on": ["non2xx", "timeout"]}}}], "edges": []}`
	f, err := DecodeFlow([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Nodes[0].Call
	if c.Deadline.D() != time.Minute || fmt.Sprint(c.Retry.On) != "[non2xx timeout]" {
		t.Fatalf("decoded deadline %v, on %v", c.Deadline.D(), c.Retry.On)
	}
	out, err := EncodeFlow(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"deadline": "1m0s"`) || !strings.Contains(string(out), `"on": [`) {
		t.Fatalf("encoded:\n%s", out)
	}
	if _, err := DecodeFlow([]byte(strings.Replace(src, `"deadline": "1m"`, `"deadline": true`, 1))); err == nil || !strings.Contains(err.Error(), "call.deadline") {
		t.Fatalf("a deadline that is not a duration gave %v", err)
	}
	clone := CloneNode(f.Nodes[0])
	clone.Call.Retry.On[0] = "5xx"
	if c.Retry.On[0] != "non2xx" {
		t.Fatal("a node's clone shares its retry conditions")
	}
}
