package flow

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// KindSpec is everything Flowbench knows about one node kind, in one place:
// its name for people, whether it has an input, the ports of a node, the
// fields it reads and how they are checked, its expressions and secrets with
// their field paths, how its fields are deep-copied, and the node the editor
// creates. Adding a kind means adding a spec to kindTable (and the kind's
// entries in the engine's and the UI's tables, which tests hold to Kinds).
type KindSpec struct {
	Kind NodeKind
	// Title names the kind for people, everywhere: the palette button, the
	// canvas menu's "Add <title>" (in sentence case: "Add set variables"),
	// the inspector's heading and the title of a new node.
	Title string
	// Help is one sentence saying what a node of the kind does (tooltips).
	Help string
	// HasInput says whether edges may lead into nodes of the kind (only a
	// start has none: a run begins there).
	HasInput bool
	// Fields are the JSON fields of Node the kind reads, besides id, kind,
	// title and position. A node's field that belongs to another kind is
	// kept but ignored (and warned about).
	Fields []string
	// Timed says the duration of a step of the kind is worth showing (a
	// call's exchange, a delay's wait); other steps take no time to speak of.
	Timed bool

	ports   func(n *Node) []string
	hasPort func(n *Node, port string) bool // without building the list; nil means search ports
	check   func(v *validator, id string, field func(string) string, n *Node)
	exprs   func(n *Node, add func(field, src string, optional bool))
	secrets func(n *Node, add func(field string, ref *SecretRef))
	events  func(n *Node) []string // the event names a node listens to or raises
	clone   func(n *Node)          // deep-copies the kind's fields of n in place
	newNode func(n *Node)          // sets the defaults a person starts from
}

// Ports lists the output ports of a node of this kind, in display order.
func (s *KindSpec) Ports(n *Node) []string {
	if s.ports == nil {
		return nil
	}
	return s.ports(n)
}

// NewNode returns the node the editor creates for this kind, with the given
// id and position, its title the kind's Title and the kind's defaults (a
// manual trigger for a start, a GET for a call, one case for a decision...).
func (s *KindSpec) NewNode(id string, pos Position) Node {
	n := Node{ID: id, Kind: s.Kind, Title: s.Title, Position: pos}
	if s.newNode != nil {
		s.newNode(&n)
	}
	return n
}

// NodeExpr is one CEL expression of a node.
type NodeExpr struct {
	// Field is the expression's path within the node: call.uri,
	// call.query[0].value, cases[1].when.
	Field  string
	Source string
	// Optional says an empty Source means the field is not used (a call
	// with no body); a required expression must not be empty.
	Optional bool
}

// NodeSecret is one secret reference held by a node.
type NodeSecret struct {
	// Field is the reference's path within the node: trigger.secret,
	// call.signing.secret.
	Field string
	// Ref points into the node, so a caller may seal it in place.
	Ref *SecretRef
}

// Spec returns the spec of a node kind; false for an unknown kind.
func Spec(kind NodeKind) (*KindSpec, bool) {
	s, ok := specByKind[kind]
	return s, ok
}

// Kinds lists every node kind in palette order (the order of kindTable).
var Kinds []NodeKind

var (
	specByKind map[NodeKind]*KindSpec
	// fieldOwner maps each kind-specific JSON field of Node to its kind.
	fieldOwner map[string]NodeKind
)

// nodeFields are the kind-specific fields of Node in file order, with
// whether a node sets them; each belongs to the one kind listing it in Fields.
var nodeFields = []struct {
	name string
	set  func(n *Node) bool
}{
	{"trigger", func(n *Node) bool { return n.Trigger != nil }},
	{"call", func(n *Node) bool { return n.Call != nil }},
	{"cases", func(n *Node) bool { return len(n.Cases) > 0 }},
	{"assign", func(n *Node) bool { return len(n.Assign) > 0 }},
	{"event", func(n *Node) bool { return n.Event != "" }},
	{"payload", func(n *Node) bool { return n.Payload != "" }},
	{"duration", func(n *Node) bool { return n.Duration != "" }},
	{"outcome", func(n *Node) bool { return n.Outcome != "" }},
}

func init() {
	table := kindTable()
	Kinds = make([]NodeKind, len(table))
	specByKind = make(map[NodeKind]*KindSpec, len(table))
	fieldOwner = map[string]NodeKind{}
	for i := range table {
		s := &table[i]
		Kinds[i] = s.Kind
		specByKind[s.Kind] = s
		for _, f := range s.Fields {
			fieldOwner[f] = s.Kind
		}
	}
}

// NodeExpressions lists the expressions a node of its kind evaluates, with
// their field paths, in file order. Expressions in fields of another kind
// are not listed: they never run.
func NodeExpressions(n *Node) []NodeExpr {
	s, ok := Spec(n.Kind)
	if !ok || s.exprs == nil {
		return nil
	}
	var out []NodeExpr
	s.exprs(n, func(field, src string, optional bool) {
		out = append(out, NodeExpr{Field: field, Source: src, Optional: optional})
	})
	return out
}

// NodeSecrets lists the secret references a node holds, with their field
// paths, in file order. It lists those in the fields of every kind, not only
// the node's own: a field of another kind is ignored by a run but still
// written to the file, so its secret must be sealed all the same.
func NodeSecrets(n *Node) []NodeSecret {
	var out []NodeSecret
	for _, k := range Kinds {
		if s := specByKind[k]; s.secrets != nil {
			s.secrets(n, func(field string, ref *SecretRef) {
				out = append(out, NodeSecret{Field: field, Ref: ref})
			})
		}
	}
	return out
}

// NodeEvents lists the event names a node of its kind listens to (a start's
// event trigger) or raises (an emit, a call's completion event).
func NodeEvents(n *Node) []string {
	if s, ok := Spec(n.Kind); ok && s.events != nil {
		return s.events(n)
	}
	return nil
}

// HasInput reports whether edges may lead into a node of kind k: every kind
// but start. An unknown kind is drawn with an input.
func HasInput(k NodeKind) bool {
	s, ok := Spec(k)
	return !ok || s.HasInput
}

// StartNode returns the node a run begins at: the first start node; nil
// when there is none.
func (f *Flow) StartNode() *Node {
	for i := range f.Nodes {
		if f.Nodes[i].Kind == KindStart {
			return &f.Nodes[i]
		}
	}
	return nil
}

// CloneNode returns a deep copy of n: no slice or pointer is shared with n,
// so editing the copy never shows through. Fields of every kind are copied.
func CloneNode(n Node) Node {
	for _, k := range Kinds {
		if s := specByKind[k]; s.clone != nil {
			s.clone(&n)
		}
	}
	return n
}

// pairExprs adds the key and value of each pair under field.
func pairExprs(add func(string, string, bool), field string, pairs []Pair) {
	for j, p := range pairs {
		add(fmt.Sprintf("%s[%d].key", field, j), p.Key, false)
		add(fmt.Sprintf("%s[%d].value", field, j), p.Value, false)
	}
}

func nextOnly(*Node) []string { return []string{PortNext} }

func isNext(_ *Node, port string) bool { return port == PortNext }

// kindTable is the spec of every node kind, in palette order.
func kindTable() []KindSpec {
	return []KindSpec{
		{
			Kind: KindStart, Title: "Start", Help: "Where a run begins: by hand, on an event or on a webhook",
			Fields:  []string{"trigger"},
			ports:   nextOnly,
			hasPort: isNext,
			check:   (*validator).start,
			secrets: func(n *Node, add func(string, *SecretRef)) {
				if n.Trigger != nil && n.Trigger.Secret != nil {
					add("trigger.secret", n.Trigger.Secret)
				}
			},
			clone: func(n *Node) {
				if n.Trigger == nil {
					return
				}
				t := *n.Trigger
				t.Events = slices.Clone(t.Events)
				if t.Secret != nil {
					s := *t.Secret
					t.Secret = &s
				}
				n.Trigger = &t
			},
			events: func(n *Node) []string {
				if n.Trigger != nil && n.Trigger.Type == TriggerEvent {
					return n.Trigger.Events
				}
				return nil
			},
			newNode: func(n *Node) { n.Trigger = &Trigger{Type: TriggerManual} },
		},
		{
			Kind: KindCall, Title: "Call", Help: "Sends a request through a connection and branches on the answer",
			HasInput: true,
			Fields:   []string{"call"},
			Timed:    true,
			ports: func(n *Node) []string {
				if n.Call == nil || len(n.Call.Branches) == 0 {
					return []string{PortNext, PortFailure}
				}
				ports := append([]string(nil), n.Call.Branches...)
				return append(ports, PortDefault, PortFailure)
			},
			hasPort: func(n *Node, port string) bool {
				if n.Call == nil || len(n.Call.Branches) == 0 {
					return port == PortNext || port == PortFailure
				}
				return port == PortDefault || port == PortFailure || slices.Contains(n.Call.Branches, port)
			},
			check: (*validator).call,
			exprs: func(n *Node, add func(string, string, bool)) {
				c := n.Call
				if c == nil {
					return
				}
				if c.ConnectionExpr != "" {
					add("call.connection", c.ConnectionExpr, false)
				}
				add("call.uri", c.URI, true)
				pairExprs(add, "call.query", c.Query)
				pairExprs(add, "call.headers", c.Headers)
				add("call.body", c.Body, true)
				add("call.returnValue", c.ReturnValue, true)
				for _, k := range slices.Sorted(maps.Keys(c.Args)) {
					add("call.args."+k, c.Args[k], false)
				}
			},
			secrets: func(n *Node, add func(string, *SecretRef)) {
				if n.Call != nil && n.Call.Signing != nil {
					add("call.signing.secret", &n.Call.Signing.Secret)
				}
			},
			clone: func(n *Node) {
				if n.Call == nil {
					return
				}
				c := *n.Call
				c.Query = slices.Clone(c.Query)
				c.Headers = slices.Clone(c.Headers)
				c.Branches = slices.Clone(c.Branches)
				c.Args = maps.Clone(c.Args)
				if c.Retry != nil {
					r := *c.Retry
					r.On = slices.Clone(r.On)
					c.Retry = &r
				}
				if c.Signing != nil {
					s := *c.Signing
					c.Signing = &s
				}
				n.Call = &c
			},
			events: func(n *Node) []string {
				if n.Call != nil && n.Call.CompletionEvent != "" {
					return []string{n.Call.CompletionEvent}
				}
				return nil
			},
			newNode: func(n *Node) { n.Call = &Call{Method: "GET"} },
		},
		{
			Kind: KindDecision, Title: "Decision", Help: "Takes the port of the first case whose condition is true, else default",
			HasInput: true,
			Fields:   []string{"cases"},
			ports: func(n *Node) []string {
				ports := make([]string, 0, len(n.Cases)+1)
				for _, c := range n.Cases {
					ports = append(ports, c.Port)
				}
				return append(ports, PortDefault)
			},
			hasPort: func(n *Node, port string) bool {
				return port == PortDefault || slices.ContainsFunc(n.Cases, func(c Case) bool { return c.Port == port })
			},
			check: (*validator).decision,
			exprs: func(n *Node, add func(string, string, bool)) {
				for j, c := range n.Cases {
					add(fmt.Sprintf("cases[%d].when", j), c.When, false)
				}
			},
			clone:   func(n *Node) { n.Cases = slices.Clone(n.Cases) },
			newNode: func(n *Node) { n.Cases = []Case{{Port: "yes"}} },
		},
		{
			Kind: KindSet, Title: "Set variables", Help: "Sets flow variables (vars) from expressions, in order",
			HasInput: true,
			Fields:   []string{"assign"},
			ports:    nextOnly,
			hasPort:  isNext,
			check:    (*validator).set,
			exprs: func(n *Node, add func(string, string, bool)) {
				for j, a := range n.Assign {
					add(fmt.Sprintf("assign[%d].value", j), a.Value, false)
				}
			},
			clone: func(n *Node) { n.Assign = slices.Clone(n.Assign) },
		},
		{
			Kind: KindEmit, Title: "Emit event", Help: "Raises a named event that starts the flows listening to it",
			HasInput: true,
			Fields:   []string{"event", "payload"},
			ports:    nextOnly,
			hasPort:  isNext,
			check:    (*validator).emit,
			exprs: func(n *Node, add func(string, string, bool)) {
				add("payload", n.Payload, true)
			},
			events: func(n *Node) []string {
				if n.Event != "" {
					return []string{n.Event}
				}
				return nil
			},
		},
		{
			Kind: KindDelay, Title: "Delay", Help: "Waits for a duration, then goes on: paces a demo or a polling loop",
			HasInput: true,
			Fields:   []string{"duration"},
			Timed:    true,
			ports:    nextOnly,
			hasPort:  isNext,
			check:    (*validator).delay,
			exprs: func(n *Node, add func(string, string, bool)) {
				add("duration", n.Duration, false)
			},
			newNode: func(n *Node) { n.Duration = `"1s"` },
		},
		{
			Kind: KindEnd, Title: "End", Help: "Finishes the run with an outcome",
			HasInput: true,
			Fields:   []string{"outcome"},
			newNode:  func(n *Node) { n.Outcome = "done" },
		},
	}
}

// MaxDelay is the longest a delay node may wait: a run that should wait
// longer is better started again by an event or a schedule.
const MaxDelay = 24 * time.Hour

// DelayDuration reads the value of a delay's duration expression: a Go
// duration string ("1.5s", "2m"), which is also what a CEL duration
// evaluates to. The error says what is wrong and how to write it; a caller
// names the node and the field duration.
func DelayDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration; give a CEL duration such as duration(\"1.5s\") or a string such as \"1.5s\" (units ms, s, m, h)", truncateRunes(v, 40))
	case d < 0:
		return 0, fmt.Errorf("%s is negative; a delay waits 0 or more", d)
	case d > MaxDelay:
		return 0, fmt.Errorf("%s is longer than the %s a delay may wait; shorten it, or start the rest of the flow later with an event", d, MaxDelay)
	}
	return d, nil
}

// literalDuration returns the string a duration expression spells out when
// it is a constant: "1.5s", '1.5s' or duration("1.5s"); false otherwise (it
// is computed at run time).
func literalDuration(src string) (string, bool) {
	s := strings.TrimSpace(src)
	if inner, ok := strings.CutPrefix(s, "duration("); ok {
		if s, ok = strings.CutSuffix(inner, ")"); !ok {
			return "", false
		}
		s = strings.TrimSpace(s)
	}
	if len(s) < 2 || (s[0] != '"' && s[0] != '\'') || s[len(s)-1] != s[0] {
		return "", false
	}
	inner := s[1 : len(s)-1]
	if strings.ContainsAny(inner, `\"'`) {
		return "", false
	}
	return inner, true
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (v *validator) delay(id string, field func(string) string, n *Node) {
	if strings.TrimSpace(n.Duration) == "" {
		v.errorf(id, field("duration"), "a delay node needs a duration: a CEL duration such as duration(\"1.5s\") or a string such as \"1.5s\"")
		return
	}
	if lit, ok := literalDuration(n.Duration); ok {
		if _, err := DelayDuration(lit); err != nil {
			v.errorf(id, field("duration"), "%v", err)
		}
	}
}
