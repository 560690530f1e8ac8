package flow

import (
	"encoding/json"
	"slices"
	"time"
)

// Status is the state of a run or a step.
type Status string

// Run and step states.
const (
	StatusWaiting   Status = "waiting"
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusStopped   Status = "stopped"
	// StatusInterrupted: the process recording the run ended (killed,
	// crashed) before the run did; set when the database is next opened.
	StatusInterrupted Status = "interrupted"
	StatusSkipped     Status = "skipped"
)

// Run is one execution of a flow.
type Run struct {
	ID          string          `json:"runId"`
	FlowID      string          `json:"flowId,omitempty"`
	FlowName    string          `json:"flow"`
	FlowVersion int             `json:"flowVersion,omitempty"`
	Status      Status          `json:"status"`
	Outcome     string          `json:"outcome,omitempty"`
	Trigger     string          `json:"trigger,omitempty"` // manual, event:NAME, webhook:PATH, cli
	Input       json.RawMessage `json:"input,omitempty"`
	Env         string          `json:"env,omitempty"`
	StartedAt   time.Time       `json:"startedAt"`
	FinishedAt  time.Time       `json:"finishedAt,omitzero"`
	DurationMs  int64           `json:"durationMs"`
	Error       string          `json:"error,omitempty"`
	// ParentRunID is set when an event raised by another run started this one.
	ParentRunID string `json:"parentRunId,omitempty"`
}

// Step is one node executed within a run. Request and response details are
// redacted before they reach a Step: no secret value is ever stored here.
type Step struct {
	RunID       string    `json:"-"`
	Seq         int       `json:"seq"`
	Node        string    `json:"node"`
	Kind        NodeKind  `json:"kind"`
	Title       string    `json:"title,omitempty"`
	Status      Status    `json:"status"`
	Port        string    `json:"port,omitempty"`
	HTTPStatus  int       `json:"httpStatus,omitempty"`
	ReturnValue any       `json:"returnValue,omitempty"`
	Decision    string    `json:"decision,omitempty"` // the branch decision in words
	Attempts    int       `json:"attempts,omitempty"`
	StartedAt   time.Time `json:"startedAt"`
	DurationMs  int64     `json:"durationMs"`
	// PausedMs is how long the run waited before this step at a breakpoint
	// (the app's step-through and slow motion); the step's own time and
	// timeouts start after it.
	PausedMs int64  `json:"pausedMs,omitempty"`
	Error    string `json:"error,omitempty"`
	// Exchanges holds one entry per HTTP attempt of a call step.
	Exchanges []Exchange `json:"exchanges,omitempty"`
}

// Exchange is one HTTP attempt: the request as sent (secrets redacted) and the
// response as received (body possibly truncated for storage).
type Exchange struct {
	Attempt         int                 `json:"attempt"`
	TaskGUID        string              `json:"taskGuid,omitempty"`
	Method          string              `json:"method"`
	URL             string              `json:"url"`
	RequestHeaders  map[string][]string `json:"requestHeaders,omitempty"`
	RequestBody     string              `json:"requestBody,omitempty"`
	Status          int                 `json:"status,omitempty"`
	ResponseHeaders map[string][]string `json:"responseHeaders,omitempty"`
	ResponseBody    string              `json:"responseBody,omitempty"`
	ResponseSize    int64               `json:"responseSize,omitempty"`
	Truncated       bool                `json:"truncated,omitempty"`
	DurationMs      int64               `json:"durationMs"`
	// WaitMs is how long the runner waited before this attempt.
	WaitMs int64  `json:"waitMs,omitempty"`
	Error  string `json:"error,omitempty"`
	// Timing is when each phase of the attempt happened (DNS, connect,
	// TLS, first byte), measured with net/http/httptrace; nil when the
	// attempt sent nothing.
	Timing *Timing `json:"timing,omitempty"`
	// Redacted says which recorded values had a secret replaced by
	// "[redacted]", so a viewer can say so rather than show the marker as
	// if it had been sent or received; nil when nothing was redacted.
	Redacted *Redaction `json:"redacted,omitempty"`
}

// Timing is one attempt's phases as offsets from the attempt's start, in
// microseconds on the wall clock. A phase that did not happen (no DNS for an
// IP address, no connect, TLS or DNS on a reused connection, no TLS over
// http) has zero start and end. After a redirect, the start of a phase is
// its first and the end its last, and FirstByteUs is the final response's.
type Timing struct {
	DNSStartUs     int64 `json:"dnsStartUs,omitempty"`
	DNSDoneUs      int64 `json:"dnsDoneUs,omitempty"`
	ConnectStartUs int64 `json:"connectStartUs,omitempty"`
	ConnectDoneUs  int64 `json:"connectDoneUs,omitempty"`
	TLSStartUs     int64 `json:"tlsStartUs,omitempty"`
	TLSDoneUs      int64 `json:"tlsDoneUs,omitempty"`
	// WroteUs is when the request (headers and body) was written.
	WroteUs int64 `json:"wroteUs,omitempty"`
	// FirstByteUs is when the first byte of the response arrived.
	FirstByteUs int64 `json:"firstByteUs,omitempty"`
	// TotalUs is the whole attempt: sending, waiting and reading the body.
	TotalUs int64 `json:"totalUs"`
	// Reused says the attempt went over a kept-alive connection.
	Reused bool `json:"reused,omitempty"`
}

// Redaction names the recorded values of an exchange in which the engine
// replaced a secret by "[redacted]": "url", "requestHeaders.NAME",
// "requestBody", "responseHeaders.NAME", "responseBody" and "error".
// Connection is the call's connection, whose secret it was; credential
// headers (Authorization, cookies) are redacted whatever the connection.
type Redaction struct {
	Connection string   `json:"connection,omitempty"`
	Fields     []string `json:"fields"`
}

// IsRedacted reports whether the exchange's field (one of Redaction's
// names) had a secret replaced.
func (x *Exchange) IsRedacted(field string) bool {
	return x.Redacted != nil && slices.Contains(x.Redacted.Fields, field)
}

// RaisedEvent is a named event raised during a run (emit node or completion event).
type RaisedEvent struct {
	Name    string          `json:"name"`
	Payload json.RawMessage `json:"payload,omitempty"`
	RunID   string          `json:"runId,omitempty"`
	Node    string          `json:"node,omitempty"`
	At      time.Time       `json:"at"`
}

// EventKind names what happened in a run.
type EventKind string

// The run events an engine reports to its observers, in the order they happen.
const (
	EventRunStarted       EventKind = "runStarted"
	EventStepStarted      EventKind = "stepStarted"
	EventRequestSent      EventKind = "requestSent"
	EventResponseReceived EventKind = "responseReceived"
	EventBranchTaken      EventKind = "branchTaken"
	EventStepFinished     EventKind = "stepFinished"
	EventRaised           EventKind = "eventRaised"
	EventRunFinished      EventKind = "runFinished"
)

// RunEvent is what observers of a run receive. Run is a snapshot of the run for
// run events; Step a snapshot of the step for step, request, response and branch
// events; Exchange the attempt for request and response events; Raised the event
// for EventRaised. Observers own what they receive and may keep it.
type RunEvent struct {
	Kind     EventKind    `json:"kind"`
	At       time.Time    `json:"at"`
	RunID    string       `json:"runId"`
	Run      *Run         `json:"run,omitempty"`
	Step     *Step        `json:"step,omitempty"`
	Exchange *Exchange    `json:"exchange,omitempty"`
	Raised   *RaisedEvent `json:"raised,omitempty"`
	// Edge is the connector taken, for EventBranchTaken (To is empty on a dead end).
	Edge *Edge `json:"edge,omitempty"`
}
