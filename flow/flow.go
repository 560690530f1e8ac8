// Package flow is Flowbench's vocabulary: flows, nodes, edges, connections, runs
// and steps, their JSON codec (the public file format of docs/flow-format.md) and
// their validation. It imports nothing else of Flowbench's, so every other
// package can speak it.
package flow

import "encoding/json"

// Format is the value of the "format" field of every file Flowbench writes.
const Format = "flowbench/v1"

// Flow is one flow document: nodes joined by edges, plus flow variables.
type Flow struct {
	Format      string `json:"format"`
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Version is the stored version number; files may omit it.
	Version int `json:"version,omitempty"`
	// Variables maps a variable name to a CEL expression giving its initial value.
	Variables map[string]string `json:"variables,omitempty"`
	Nodes     []Node            `json:"nodes"`
	Edges     []Edge            `json:"edges"`
	// Limits bound what one run may use (its state's size); nil means the
	// defaults (see Limits).
	Limits *Limits `json:"limits,omitempty"`
	// InputPresets are named trigger payloads offered by the app's Run
	// dialog ("VIP customer", "unknown customer"); runs elsewhere ignore
	// them.
	InputPresets []InputPreset `json:"inputPresets,omitempty"`
}

// InputPreset is a named trigger payload for a run.
type InputPreset struct {
	Name    string          `json:"name"`
	Trigger json.RawMessage `json:"trigger,omitempty"`
}

// NodeKind names what a node does.
type NodeKind string

// The node kinds of docs/flow-format.md; Kinds lists them in palette order
// and Spec says everything else about each.
const (
	KindStart    NodeKind = "start"
	KindCall     NodeKind = "call"
	KindDecision NodeKind = "decision"
	KindSet      NodeKind = "set"
	KindEmit     NodeKind = "emit"
	KindDelay    NodeKind = "delay"
	KindEnd      NodeKind = "end"
)

// Well-known port names.
const (
	PortNext    = "next"
	PortDefault = "default"
	PortFailure = "failure"
)

// Position is a node's place on the canvas, in flow coordinates.
type Position struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Node is one step of a flow. Which of the optional fields apply depends on Kind.
type Node struct {
	ID       string   `json:"id"`
	Kind     NodeKind `json:"kind"`
	Title    string   `json:"title,omitempty"`
	Position Position `json:"position,omitzero"`
	// Disabled skips the node when a flow runs: the step is recorded as
	// skipped and the run goes on by the node's PassPort (next, else
	// default) without doing what the node does.
	Disabled bool `json:"disabled,omitempty"`

	// Trigger applies to start nodes.
	Trigger *Trigger `json:"trigger,omitempty"`
	// Call applies to call nodes.
	Call *Call `json:"call,omitempty"`
	// Cases applies to decision nodes: the first case whose When is true wins.
	Cases []Case `json:"cases,omitempty"`
	// Assign applies to set nodes, evaluated in order into vars.
	Assign []Assignment `json:"assign,omitempty"`
	// Event and Payload apply to emit nodes; Payload is CEL.
	Event   string `json:"event,omitempty"`
	Payload string `json:"payload,omitempty"`
	// Duration applies to delay nodes: CEL giving a CEL duration or a Go
	// duration string ("1.5s"), how long the run waits there.
	Duration string `json:"duration,omitempty"`
	// Outcome applies to end nodes.
	Outcome string `json:"outcome,omitempty"`
}

// TriggerType says what starts a flow.
type TriggerType string

// The trigger types of a start node.
const (
	TriggerManual  TriggerType = "manual"
	TriggerEvent   TriggerType = "event"
	TriggerWebhook TriggerType = "webhook"
)

// Trigger configures how a start node is started.
type Trigger struct {
	Type   TriggerType `json:"type"`
	Events []string    `json:"events,omitempty"`
	Path   string      `json:"path,omitempty"`
	// Secret, when set on a webhook trigger, is the Standard Webhooks secret
	// incoming requests must be signed with.
	Secret *SecretRef `json:"secret,omitempty"`
}

// Pair is a key/value pair of CEL expressions (a query parameter or a header).
type Pair struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Call is the request a call node sends and how it branches on the answer.
type Call struct {
	// Connection names the connection the call goes through. In the file
	// it is "connection": "NAME"; when ConnectionExpr is set instead, the
	// file holds "connection": {"expr": "CEL"} (see ConnRef).
	Connection string `json:"connection"`
	// ConnectionExpr, when not empty, is CEL giving the connection's name,
	// evaluated per step (an integration hub's "connection chosen by a
	// variable"); Connection is then empty and ignored. It cannot be used
	// with Request: a named request belongs to one connection.
	ConnectionExpr string `json:"-"`
	// Request names a request defined on the connection (NamedRequest);
	// the fields the node sets replace the request's.
	Request string `json:"request,omitempty"`
	// Args are the named request's arguments: CEL in the flow's context,
	// read by the request's expressions as params.<name>.
	Args   map[string]string `json:"args,omitempty"`
	Method string            `json:"method,omitempty"`
	// URI is CEL giving a path relative to the connection's base URL.
	URI     string `json:"uri,omitempty"`
	Query   []Pair `json:"query,omitempty"`
	Headers []Pair `json:"headers,omitempty"`
	// Body is CEL; a JSON literal is valid CEL.
	Body string `json:"body,omitempty"`
	// Timeout bounds each attempt (0 means the connection's, else 30 s).
	Timeout Duration `json:"timeout,omitzero"`
	// Deadline, when set, bounds the whole step: every attempt and the
	// waits between them.
	Deadline Duration `json:"deadline,omitzero"`
	Retry    *Retry   `json:"retry,omitempty"`
	Signing  *Signing `json:"signing,omitempty"`
	// ReturnValue is CEL choosing the value branched on; empty means
	// body.returnValue when the body is a JSON object that has it.
	ReturnValue     string   `json:"returnValue,omitempty"`
	SaveTo          string   `json:"saveTo,omitempty"`
	Branches        []string `json:"branches,omitempty"`
	CompletionEvent string   `json:"completionEvent,omitempty"`
}

// Retry is a call's retry policy.
type Retry struct {
	MaxAttempts     int      `json:"maxAttempts"`
	InitialInterval Duration `json:"initialInterval,omitzero"`
	BackoffRate     float64  `json:"backoffRate,omitempty"`
	MaxInterval     Duration `json:"maxInterval,omitzero"`
	// On lists the conditions that are tried again (see RetryConditions);
	// empty means DefaultRetryOn.
	On []string `json:"on,omitempty"`
}

// Signing configures the Standard Webhooks HMAC signature of a call's payload.
type Signing struct {
	Secret SecretRef `json:"secret"`
}

// Case is one condition of a decision node.
type Case struct {
	Port string `json:"port"`
	When string `json:"when"`
}

// Assignment sets vars[Name] to the CEL expression Value.
type Assignment struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Edge joins a node's output port to another node. An empty Port means "next".
type Edge struct {
	From string `json:"from"`
	Port string `json:"port,omitempty"`
	To   string `json:"to"`
}

// PortName returns the edge's port, "next" when none is given.
func (e Edge) PortName() string {
	if e.Port == "" {
		return PortNext
	}
	return e.Port
}

// Node returns the node with the given id, or nil.
func (f *Flow) Node(id string) *Node {
	for i := range f.Nodes {
		if f.Nodes[i].ID == id {
			return &f.Nodes[i]
		}
	}
	return nil
}

// Ports lists the output ports a node has, in display order (see KindSpec);
// none for an end node or a node of unknown kind.
func (n *Node) Ports() []string {
	if s, ok := Spec(n.Kind); ok {
		return s.Ports(n)
	}
	return nil
}

// PassPort is the port a disabled node passes its input on by: next when
// it has one, else default; "" when it has neither (an end node: a run
// reaching a disabled end finishes there).
func (n *Node) PassPort() string {
	switch {
	case n.HasPort(PortNext):
		return PortNext
	case n.HasPort(PortDefault):
		return PortDefault
	}
	return ""
}

// HasPort reports whether the node has an output port with that name.
func (n *Node) HasPort(port string) bool {
	for _, p := range n.Ports() {
		if p == port {
			return true
		}
	}
	return false
}
