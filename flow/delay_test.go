package flow

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const delayFlowJSON = `{
  "format": "flowbench/v1",
  "name": "paced",
  "nodes": [
    {"id": "start", "kind": "start"},
    {"id": "pause", "kind": "delay", "title": "Let it sink in", "duration": "duration(\"1.5s\")"},
    {"id": "done", "kind": "end", "outcome": "done"}
  ],
  "edges": [
    {"from": "start", "to": "pause"},
    {"from": "pause", "to": "done"}
  ]
}
`

// TestDelayRoundTrip: a delay node decodes with its duration expression,
// validates, has one next port, and encodes back to the same flow.
func TestDelayRoundTrip(t *testing.T) {
	f, err := DecodeFlow([]byte(delayFlowJSON))
	if err != nil {
		t.Fatal(err)
	}
	n := f.Node("pause")
	if n == nil || n.Kind != KindDelay || n.Duration != `duration("1.5s")` || n.Title != "Let it sink in" {
		t.Fatalf("decoded delay node: %+v", n)
	}
	if ps := Validate(f); len(ps) != 0 {
		t.Fatalf("the flow has problems: %v", ps)
	}
	if got := n.Ports(); !reflect.DeepEqual(got, []string{PortNext}) {
		t.Errorf("ports %v, want [next]", got)
	}
	enc, err := EncodeFlow(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(enc), `"duration": "duration(\"1.5s\")"`) {
		t.Errorf("encoded flow lacks the duration:\n%s", enc)
	}
	back, err := DecodeFlow(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, f) {
		t.Errorf("round trip changed the flow:\n got %+v\nwant %+v", back, f)
	}
	if got := NodeExpressions(n); !reflect.DeepEqual(got, []NodeExpr{{Field: "duration", Source: `duration("1.5s")`}}) {
		t.Errorf("NodeExpressions = %+v", got)
	}
}

// TestDelayDecodeWrongType: a duration that is not a string is a decode
// problem at its path.
func TestDelayDecodeWrongType(t *testing.T) {
	src := strings.Replace(delayFlowJSON, `"duration": "duration(\"1.5s\")"`, `"duration": 1.5`, 1)
	_, err := DecodeFlow([]byte(src))
	if err == nil || !strings.Contains(err.Error(), "nodes[1].duration") {
		t.Fatalf("err = %v, want a problem at nodes[1].duration", err)
	}
}

func TestValidateDelay(t *testing.T) {
	build := func(dur string) *Flow {
		f, err := DecodeFlow([]byte(delayFlowJSON))
		if err != nil {
			t.Fatal(err)
		}
		f.Node("pause").Duration = dur
		return f
	}
	for _, c := range []struct {
		dur  string
		want string // the message of the one error on field duration; "" for none
	}{
		{`"1.5s"`, ""},
		{`'250ms'`, ""},
		{`duration("24h")`, ""},
		{`duration('0s')`, ""},
		{`vars.wait`, ""},                        // computed: checked when it runs
		{`duration("1s") + duration("2s")`, ""},  // computed
		{`"1s" + "x"`, ""},                       // not a literal
		{``, "a delay node needs a duration"},    // missing
		{`   `, "a delay node needs a duration"}, // blank
		{`"-1s"`, "-1s is negative"},             // negative
		{`duration("-5m")`, "-5m0s is negative"}, // negative
		{`"25h"`, "25h0m0s is longer than the 24h0m0s a delay may wait"},
		{`"soon"`, `"soon" is not a duration`},
		{`"10"`, `"10" is not a duration`}, // no unit
	} {
		ps := Validate(build(c.dur))
		var got []Problem
		for _, p := range ps {
			if p.Severity == SeverityError {
				got = append(got, p)
			}
		}
		switch {
		case c.want == "" && len(got) != 0:
			t.Errorf("%q: unexpected problems %v", c.dur, got)
		case c.want != "" && (len(got) != 1 || got[0].Node != "pause" || got[0].Field != "duration" || !strings.HasPrefix(got[0].Message, c.want)):
			t.Errorf("%q: got %v, want one error on node pause, field duration, starting %q", c.dur, got, c.want)
		}
	}
	// A duration on another kind is kept, ignored and warned about.
	f := build(`"1s"`)
	f.Node("done").Duration = `"2s"`
	ps := Validate(f)
	if len(ps) != 1 || ps[0].Severity != SeverityWarning || ps[0].Node != "done" || ps[0].Field != "duration" ||
		ps[0].Message != "applies to delay nodes only and is ignored on an end node; remove it" {
		t.Errorf("duration on an end node: %v", ps)
	}
}

func TestDelayDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"1.5s": 1500 * time.Millisecond, " 2m ": 2 * time.Minute, "0s": 0, "24h": MaxDelay} {
		if got, err := DelayDuration(in); err != nil || got != want {
			t.Errorf("DelayDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1", "-1ms", "24h0m0.001s", "forever"} {
		if got, err := DelayDuration(in); err == nil {
			t.Errorf("DelayDuration(%q) = %v, want an error", in, got)
		}
	}
}
