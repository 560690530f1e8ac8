package engine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// FuzzTriggerPayload feeds arbitrary bytes to what a run does with an
// incoming trigger payload (a webhook body, an event payload, --input):
// decodeJSON must agree with json.Valid, never panic, and a run started
// with the payload must either refuse it with an error (invalid JSON) or
// run to its end with the payload reachable as `trigger` in expressions.
// The seed corpus is in testdata/fuzz/FuzzTriggerPayload.
func FuzzTriggerPayload(f *testing.F) {
	for _, s := range []string{
		`{"chatId": "c-1", "amount": 1200, "tier": "vip"}`,
		`[1, 2.5, -3e400, "x", null, true]`,
		`12345678901234567890`, `"text"`, `{} `, `{"a": {"b": [{"c": 1}]}}`, `{"a": 1} {"b": 2}`, `{}]`, `[1]}`,
		"\xff\xfe", `{"a": "\ud800"}`, ``,
	} {
		f.Add([]byte(s))
	}
	fl := &flow.Flow{Format: flow.Format, Name: "trigger fuzz",
		Nodes: []flow.Node{
			{ID: "start", Kind: flow.KindStart},
			{ID: "keep", Kind: flow.KindSet, Assign: []flow.Assignment{{Name: "t", Value: "trigger"}}},
			{ID: "end", Kind: flow.KindEnd},
		},
		Edges: []flow.Edge{{From: "start", To: "keep"}, {From: "keep", To: "end"}},
	}
	plan, err := Compile(fl, nil)
	if err != nil {
		f.Fatal(err)
	}
	r := NewRunner(Options{})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeJSON(data)
		valid := json.Valid(data)
		switch {
		case valid && err != nil && strings.Contains(err.Error(), "out of range"):
			// Valid JSON, but a number no float64 holds: refused, not ±Inf.
		case valid != (err == nil):
			t.Fatalf("json.Valid = %v but decodeJSON error = %v", valid, err)
		}
		if err == nil {
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("a decoded payload cannot be written back: %v", err)
			}
		}
		res, runErr := r.Run(context.Background(), plan, Input{Trigger: data, Source: "fuzz"})
		switch {
		case len(data) > 0 && err != nil:
			if runErr == nil {
				t.Fatalf("an invalid payload started a run: %+v", res.Run)
			}
		case runErr != nil:
			t.Fatalf("a valid payload was refused: %v", runErr)
		case res.Run.Status != flow.StatusSucceeded:
			t.Fatalf("run ended %s: %s", res.Run.Status, res.Run.Error)
		}
	})
}
