package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Parting says how the paths of two compared runs part.
type Parting string

// The ways two runs' paths part.
const (
	// PartNone: both runs took the same path, node for node and port for
	// port, to the same end.
	PartNone Parting = "none"
	// PartDecision: at step Index both runs were at one node and left it
	// by different ports — the differing decision.
	PartDecision Parting = "decision"
	// PartEnded: at step Index one run had no more steps, or ended at the
	// node without leaving it (it failed, was stopped, or the run ended
	// there), while the other went on.
	PartEnded Parting = "ended"
	// PartNode: at step Index the runs were at different nodes though they
	// left the step before by the same port: they ran different versions
	// of the flow (or a disabled node was passed by one of them).
	PartNode Parting = "node"
)

// PathEdge is a connector a run took: out of From by Port, into To ("" when
// the run ended there).
type PathEdge struct {
	From string `json:"from"`
	Port string `json:"port"`
	To   string `json:"to,omitempty"`
}

// RunPath is what one run took: its nodes in the order first reached and
// its connectors in the order first taken, each once however often a loop
// passed it.
type RunPath struct {
	Nodes []string   `json:"nodes"`
	Edges []PathEdge `json:"edges"`
}

// Comparison is where two runs of one flow part. Steps are compared in
// order, so a loop's visits are told apart by their position: the second
// visit of a node in one run meets the second in the other.
type Comparison struct {
	RunA, RunB string `json:"-"`
	// Common is how many steps both runs took alike (same node, same port)
	// before they parted; for PartNone, all of them.
	Common  int     `json:"common"`
	Parting Parting `json:"parting"`
	// Index is the step (0-based, into each run's steps) where they part:
	// steps[Index] of a run is its first step unlike the other's, missing
	// in the run that has fewer; -1 for PartNone.
	Index int `json:"index"`
	// Node is the node of the differing decision (PartDecision), or the
	// node the run that ended stopped at (PartEnded, "" when it had no
	// step there). PortA and PortB are the ports each run took there (""
	// for none).
	Node  string `json:"node,omitempty"`
	PortA string `json:"portA,omitempty"`
	PortB string `json:"portB,omitempty"`
	// Visit is which visit of Node the parting step is, from 1 (a loop's
	// second pass is 2).
	Visit int `json:"visit,omitempty"`
	// EndedA / EndedB: for PartEnded, which run ended first.
	EndedA bool `json:"endedA,omitempty"`
	EndedB bool `json:"endedB,omitempty"`

	PathA RunPath `json:"pathA"`
	PathB RunPath `json:"pathB"`

	// VersionA and VersionB are the flow versions the runs ran; they may
	// differ, and then a node id may not mean the same node in both.
	VersionA int `json:"versionA,omitempty"`
	VersionB int `json:"versionB,omitempty"`
	// InputDiffers and EnvDiffers say the runs started from different
	// trigger payloads (compared as JSON values) or environments.
	InputDiffers bool `json:"inputDiffers,omitempty"`
	EnvDiffers   bool `json:"envDiffers,omitempty"`
}

// ErrOtherFlow is wrapped by CompareRuns's error for runs of two flows.
var ErrOtherFlow = errors.New("the runs are of different flows")

// CompareRuns finds where two runs of one flow part: the steps they took
// alike, then the first differing decision (the same node left by
// different ports), or the first step only one run took, or the first node
// where they stood apart; and the nodes and connectors each took. steps
// are each run's steps in order (Seq). Runs of two flows (different flow
// ids; for runs of flow files, different names) are refused with an
// error wrapping ErrOtherFlow; a run compared with itself is refused too.
func CompareRuns(a *Run, stepsA []Step, b *Run, stepsB []Step) (*Comparison, error) {
	if a == nil || b == nil {
		return nil, errors.New("compare runs: two runs are needed; pick a second run to compare with")
	}
	if a.ID != "" && a.ID == b.ID {
		return nil, fmt.Errorf("compare runs: run %s was picked twice; pick another run of %q to compare it with", a.ID, a.FlowName)
	}
	if !sameFlow(a, b) {
		return nil, fmt.Errorf("compare runs: run %s ran %q and run %s ran %q: %w; pick two runs of one flow", a.ID, a.FlowName, b.ID, b.FlowName, ErrOtherFlow)
	}
	c := &Comparison{
		RunA: a.ID, RunB: b.ID, Index: -1, Parting: PartNone,
		VersionA: a.FlowVersion, VersionB: b.FlowVersion,
		InputDiffers: !sameJSON(a.Input, b.Input),
		EnvDiffers:   a.Env != b.Env,
		PathA:        pathOf(stepsA),
		PathB:        pathOf(stepsB),
	}
	n := min(len(stepsA), len(stepsB))
	i := 0
	for ; i < n; i++ {
		sa, sb := &stepsA[i], &stepsB[i]
		if sa.Node != sb.Node {
			c.Parting, c.Node = PartNode, ""
			break
		}
		if sa.Port != sb.Port {
			c.Node, c.PortA, c.PortB = sa.Node, sa.Port, sb.Port
			switch {
			case sa.Port != "" && sb.Port != "":
				c.Parting = PartDecision
			default:
				c.Parting = PartEnded
				c.EndedA, c.EndedB = sa.Port == "", sb.Port == ""
			}
			break
		}
	}
	c.Common = i
	if c.Parting == PartNone && len(stepsA) != len(stepsB) {
		c.Parting = PartEnded
		c.EndedA, c.EndedB = len(stepsA) < len(stepsB), len(stepsB) < len(stepsA)
		short := stepsA
		if c.EndedB {
			short = stepsB
		}
		if i > 0 {
			c.Node = short[i-1].Node
			c.Visit = visits(short, i-1, c.Node)
		}
	} else if c.Parting == PartDecision || c.Parting == PartEnded {
		c.Visit = visits(stepsA, i, c.Node)
	}
	if c.Parting != PartNone {
		c.Index = i
	}
	return c, nil
}

// sameFlow reports whether two runs ran one flow: the same stored flow
// (its GUID), or for runs of flow files, the same name.
func sameFlow(a, b *Run) bool {
	if a.FlowID != "" || b.FlowID != "" {
		return a.FlowID == b.FlowID
	}
	return a.FlowName == b.FlowName
}

// sameJSON compares two payloads as JSON values (key order and spacing
// aside); an empty payload is {}.
func sameJSON(x, y json.RawMessage) bool {
	norm := func(m json.RawMessage) []byte {
		if len(bytes.TrimSpace(m)) == 0 {
			return []byte("{}")
		}
		var v any
		if err := json.Unmarshal(m, &v); err != nil {
			return m
		}
		out, _ := json.Marshal(v) // maps marshal with sorted keys
		return out
	}
	return bytes.Equal(norm(x), norm(y))
}

// visits counts the visits of node in steps[0..i].
func visits(steps []Step, i int, node string) int {
	n := 0
	for j := 0; j <= i && j < len(steps); j++ {
		if steps[j].Node == node {
			n++
		}
	}
	return n
}

// pathOf lists the nodes and connectors steps took, each once.
func pathOf(steps []Step) RunPath {
	p := RunPath{Nodes: []string{}, Edges: []PathEdge{}}
	seenN := map[string]bool{}
	seenE := map[PathEdge]bool{}
	for i := range steps {
		s := &steps[i]
		if !seenN[s.Node] {
			seenN[s.Node] = true
			p.Nodes = append(p.Nodes, s.Node)
		}
		if s.Port == "" {
			continue
		}
		e := PathEdge{From: s.Node, Port: s.Port}
		if i+1 < len(steps) {
			e.To = steps[i+1].Node
		}
		if !seenE[e] {
			seenE[e] = true
			p.Edges = append(p.Edges, e)
		}
	}
	return p
}

// Took reports which of the runs took the connector out of from by port
// (into to, when to is not ""): a, b or both.
func (c *Comparison) Took(from, port, to string) (a, b bool) {
	has := func(p RunPath) bool {
		for _, e := range p.Edges {
			if e.From == from && e.Port == port && (to == "" || e.To == "" || e.To == to) {
				return true
			}
		}
		return false
	}
	return has(c.PathA), has(c.PathB)
}

// Reached reports which of the runs reached node id.
func (c *Comparison) Reached(id string) (a, b bool) {
	has := func(p RunPath) bool {
		for _, n := range p.Nodes {
			if n == id {
				return true
			}
		}
		return false
	}
	return has(c.PathA), has(c.PathB)
}

// Summary says in one sentence where the runs part, naming the node and
// each run's port, then what else differs (versions, input, environment).
func (c *Comparison) Summary() string {
	var s string
	visit := ""
	if c.Visit > 1 {
		visit = fmt.Sprintf(" (visit %d)", c.Visit)
	}
	switch c.Parting {
	case PartNone:
		s = fmt.Sprintf("Both runs took the same path (%d steps).", c.Common)
	case PartDecision:
		s = fmt.Sprintf("The runs part at node %s%s, step %d: A took %q, B took %q.", c.Node, visit, c.Index+1, c.PortA, c.PortB)
	case PartEnded:
		who, other := "A", "B"
		if c.EndedB {
			who, other = "B", "A"
		}
		if c.Node != "" {
			s = fmt.Sprintf("Run %s ended at node %s%s after %d common steps; run %s went on.", who, c.Node, visit, c.Common, other)
		} else {
			s = fmt.Sprintf("Run %s has no steps; run %s went on.", who, other)
		}
	case PartNode:
		s = fmt.Sprintf("The runs reach different nodes at step %d after %d common steps.", c.Index+1, c.Common)
	}
	if c.VersionA != c.VersionB {
		s += fmt.Sprintf(" They ran different versions of the flow (A v%d, B v%d): a node id may not be the same node in both.", c.VersionA, c.VersionB)
	}
	if c.InputDiffers {
		s += " Their inputs differ."
	}
	if c.EnvDiffers {
		s += " Their environments differ."
	}
	return s
}
