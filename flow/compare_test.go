package flow

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// steps builds a run's steps from "node:port" pairs ("node:" for a step
// that left by no port).
func steps(pairs ...string) []Step {
	out := make([]Step, len(pairs))
	for i, p := range pairs {
		node, port, _ := strings.Cut(p, ":")
		out[i] = Step{Seq: i + 1, Node: node, Port: port, Status: StatusSucceeded}
		if port == "" {
			out[i].Status = StatusFailed
		}
	}
	return out
}

func runOf(id string) *Run {
	return &Run{ID: id, FlowID: "f-1", FlowName: "chatbot", FlowVersion: 3, Input: json.RawMessage(`{"chatId": "1"}`)}
}

func TestCompareRunsSamePath(t *testing.T) {
	a := steps("start:next", "lookup:vip", "vip-reply:next", "vip:")
	c, err := CompareRuns(runOf("a"), a, runOf("b"), steps("start:next", "lookup:vip", "vip-reply:next", "vip:"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Parting != PartNone || c.Common != 4 || c.Index != -1 || c.Node != "" {
		t.Fatalf("same path compared as %+v", c)
	}
	if !reflect.DeepEqual(c.PathA, c.PathB) {
		t.Fatalf("same path, different paths: %+v %+v", c.PathA, c.PathB)
	}
	if want := []PathEdge{{"start", "next", "lookup"}, {"lookup", "vip", "vip-reply"}, {"vip-reply", "next", "vip"}}; !reflect.DeepEqual(c.PathA.Edges, want) {
		t.Fatalf("edges %v, want %v", c.PathA.Edges, want)
	}
	if !strings.Contains(c.Summary(), "same path") || c.InputDiffers || c.EnvDiffers {
		t.Fatalf("summary %q (input %v env %v)", c.Summary(), c.InputDiffers, c.EnvDiffers)
	}
}

func TestCompareRunsFirstDifferingDecision(t *testing.T) {
	a := steps("start:next", "lookup:vip", "vip-reply:next", "vip:")
	b := steps("start:next", "lookup:standard", "std-reply:next", "standard:")
	rb := runOf("b")
	rb.Input = json.RawMessage(`{ "chatId" : "1" }`) // the same value, spelt otherwise
	c, err := CompareRuns(runOf("a"), a, rb, b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Parting != PartDecision || c.Node != "lookup" || c.PortA != "vip" || c.PortB != "standard" || c.Index != 1 || c.Common != 1 || c.Visit != 1 {
		t.Fatalf("got %+v, want the decision at lookup (step index 1): vip against standard", c)
	}
	if c.InputDiffers {
		t.Error("the same input spelt differently compared as different")
	}
	if a, b := c.Took("lookup", "vip", ""); !a || b {
		t.Errorf("lookup→vip taken by a=%v b=%v, want A only", a, b)
	}
	if a, b := c.Took("start", "next", "lookup"); !a || !b {
		t.Errorf("start→lookup taken by a=%v b=%v, want both", a, b)
	}
	if a, b := c.Reached("std-reply"); a || !b {
		t.Errorf("std-reply reached by a=%v b=%v, want B only", a, b)
	}
	if s := c.Summary(); !strings.Contains(s, "lookup") || !strings.Contains(s, `A took "vip"`) || !strings.Contains(s, `B took "standard"`) {
		t.Errorf("summary %q does not name the node and both ports", s)
	}
}

// A loop: both runs pass "check" twice alike; on the third visit one
// leaves by done, the other loops once more. The decision is that visit's.
func TestCompareRunsLoops(t *testing.T) {
	a := steps("start:next", "check:again", "wait:next", "check:again", "wait:next", "check:done", "end:")
	b := steps("start:next", "check:again", "wait:next", "check:again", "wait:next", "check:again", "wait:next", "check:done", "end:")
	c, err := CompareRuns(runOf("a"), a, runOf("b"), b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Parting != PartDecision || c.Node != "check" || c.Visit != 3 || c.Index != 5 || c.PortA != "done" || c.PortB != "again" {
		t.Fatalf("got %+v, want check's third visit (index 5): done against again", c)
	}
	if len(c.PathB.Nodes) != 4 || len(c.PathB.Edges) != 4 {
		t.Errorf("B's path lists a node or connector twice: %+v", c.PathB)
	}
	if !strings.Contains(c.Summary(), "visit 3") {
		t.Errorf("summary %q does not say which visit", c.Summary())
	}
}

func TestCompareRunsOneFailedEarly(t *testing.T) {
	a := steps("start:next", "lookup:") // failed there, no failure connector
	b := steps("start:next", "lookup:vip", "vip-reply:next", "vip:")
	c, err := CompareRuns(runOf("a"), a, runOf("b"), b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Parting != PartEnded || !c.EndedA || c.EndedB || c.Node != "lookup" || c.Index != 1 || c.PortB != "vip" {
		t.Fatalf("got %+v, want A ended at lookup (index 1) while B took vip", c)
	}
	// stopped before a step: A has fewer steps
	c, err = CompareRuns(runOf("a"), steps("start:next"), runOf("b"), b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Parting != PartEnded || !c.EndedA || c.Node != "start" || c.Index != 1 || c.Common != 1 {
		t.Fatalf("got %+v, want A ended after start", c)
	}
	if s := c.Summary(); !strings.Contains(s, "Run A ended at node start") {
		t.Errorf("summary %q", s)
	}
	// B with no steps at all
	c, err = CompareRuns(runOf("a"), b, runOf("b"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Parting != PartEnded || !c.EndedB || c.Node != "" || c.Index != 0 {
		t.Fatalf("got %+v, want B with no steps", c)
	}
}

func TestCompareRunsOfOtherVersionsAndFlows(t *testing.T) {
	ra, rb := runOf("a"), runOf("b")
	rb.FlowVersion, rb.Env, rb.Input = 4, "staging", json.RawMessage(`{"chatId": "2"}`)
	// version 4 put a node between start and lookup
	c, err := CompareRuns(ra, steps("start:next", "lookup:vip"), rb, steps("start:next", "audit:next", "lookup:vip"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Parting != PartNode || c.Index != 1 || c.VersionA != 3 || c.VersionB != 4 || !c.InputDiffers || !c.EnvDiffers {
		t.Fatalf("got %+v, want different nodes at index 1, versions 3 and 4, input and env differ", c)
	}
	s := c.Summary()
	for _, want := range []string{"different versions", "v3", "v4", "inputs differ", "environments differ"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary %q lacks %q", s, want)
		}
	}

	other := runOf("c")
	other.FlowID, other.FlowName = "f-2", "orders"
	if _, err := CompareRuns(ra, nil, other, nil); !errors.Is(err, ErrOtherFlow) || !strings.Contains(err.Error(), `"orders"`) {
		t.Fatalf("runs of two flows: %v, want ErrOtherFlow naming both", err)
	}
	if _, err := CompareRuns(ra, nil, runOf("a"), nil); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("a run with itself: %v", err)
	}
	// runs of flow files: the name tells
	fa, fb := &Run{ID: "x", FlowName: "n"}, &Run{ID: "y", FlowName: "m"}
	if _, err := CompareRuns(fa, nil, fb, nil); !errors.Is(err, ErrOtherFlow) {
		t.Fatalf("file runs of two names: %v", err)
	}
}

// loopSteps is a run of n steps: start, then a check/wait loop, ending at
// end; the last check leaves by done.
func loopSteps(n int) []Step {
	out := make([]Step, 0, n)
	out = append(out, Step{Seq: 1, Node: "start", Port: PortNext})
	for len(out) < n-2 {
		out = append(out, Step{Seq: len(out) + 1, Node: "check", Port: "again"}, Step{Seq: len(out) + 2, Node: "wait", Port: PortNext})
	}
	out = append(out, Step{Seq: len(out) + 1, Node: "check", Port: "done"}, Step{Seq: len(out) + 2, Node: "end"})
	return out
}

// BenchmarkCompareRunsScaling: comparing two 10,000-step runs (a loop,
// parting at the last check) ÷ two 1,000-step runs (x-10k/1k). Linear in
// the steps: target ≤ 12.
func BenchmarkCompareRunsScaling(b *testing.B) {
	cost := func(n int) time.Duration {
		a, bb := loopSteps(n), loopSteps(n+2)
		ra, rb := runOf("a"), runOf("b")
		t0 := time.Now()
		for range 20 {
			c, err := CompareRuns(ra, a, rb, bb)
			if err != nil || c.Parting != PartDecision {
				b.Fatalf("%v %+v", err, c)
			}
		}
		return time.Since(t0)
	}
	var small, big time.Duration
	for b.Loop() {
		small += cost(1000)
		big += cost(10000)
	}
	b.ReportMetric(float64(big)/float64(small), "x-10k/1k")
}
