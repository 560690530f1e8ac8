package engine

import (
	"context"
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// attemptTrace times one attempt's phases (DNS, connect, TLS, request
// written, first byte) with net/http/httptrace, on the wall clock: the
// runner's clock may be a test's, and these are what the network took.
//
// A run keeps one and times attempt after attempt with it (nextAttemptTrace):
// its ClientTrace's hooks are method values bound once, and the context
// carrying it (httptrace.WithClientTrace: two context values and the net
// package's own trace with its closures) is made once from the run's attempt
// context, which stepDeadline keeps for the whole run. Made anew for every
// attempt, these were 15 allocations an attempt, and each Timing handed out
// kept the whole trace alive in the run's record (BenchmarkAttemptTrace: 75
// allocations an attempt with a new trace, 60 reused, 59 bare;
// BenchmarkTenGETs: 962-969 a ten-GET run, 836-838 reused; docs/benchmarks.md).
//
// The transport may call a hook after the attempt is over, from its own
// goroutine: a dial it goes on with for its pool, or one cancelled as the
// attempt gave up (ConnectDone with the error), a request still being
// written, a response still awaited. The hooks cannot say which attempt
// they belong to, so a trace is used again only after a quiet attempt, one
// after which no hook can come (see quietLocked); after any other, the
// run's next attempt gets a new trace and this one, done, ignores whatever
// comes late. The mutex orders the hooks with the attempt's goroutine.
type attemptTrace struct {
	ct     httptrace.ClientTrace
	parent context.Context // the attempt context ctx was made from
	ctx    context.Context // parent, carrying ct

	sent bool // the request went to the transport: set before it does; the attempt's goroutine only

	mu    sync.Mutex
	start time.Time
	done  bool
	// What the transport reported, to tell a quiet attempt.
	conns, writes int       // GotConn and WroteRequest calls
	idle          bool      // the last connection came from the idle pool
	conn          *tls.Conn // the last connection, when TLS (dropped at finish)
	t             flow.Timing
	out           *flow.Timing // what finish handed out
	quiet         bool         // set by finish: see quietLocked
}

// nextAttemptTrace returns the trace of an attempt whose request context is
// made from parent, starting it now: prev again when its attempt was quiet
// and had the same parent, otherwise a new one.
func nextAttemptTrace(prev *attemptTrace, parent context.Context) *attemptTrace {
	// parent is always an attempt context from stepDeadline or
	// context.WithTimeout (a pointer), so comparing it is safe.
	if prev == nil || !prev.quiet || prev.parent != parent {
		return newAttemptTrace(parent)
	}
	prev.mu.Lock()
	prev.sent, prev.done, prev.quiet = false, false, false
	prev.conns, prev.writes, prev.idle = 0, 0, false
	prev.t, prev.out = flow.Timing{}, nil
	prev.start = time.Now()
	prev.mu.Unlock()
	return prev
}

// newAttemptTrace starts timing an attempt whose request context is made
// from parent, now.
func newAttemptTrace(parent context.Context) *attemptTrace {
	tr := &attemptTrace{parent: parent}
	tr.ct = httptrace.ClientTrace{
		GotConn:              tr.gotConn,
		DNSStart:             tr.dnsStart,
		DNSDone:              tr.dnsDone,
		ConnectStart:         tr.connectStart,
		ConnectDone:          tr.connectDone,
		TLSHandshakeStart:    tr.tlsStart,
		TLSHandshakeDone:     tr.tlsDone,
		WroteRequest:         tr.wroteRequest,
		GotFirstResponseByte: tr.firstByte,
	}
	// The request's context only: a token fetch made for the attempt (with
	// parent) is not timed as the attempt.
	tr.ctx = httptrace.WithClientTrace(parent, &tr.ct)
	tr.start = time.Now()
	return tr
}

// context is the attempt's request context: its parent carrying the trace.
func (tr *attemptTrace) context() context.Context { return tr.ctx }

func (tr *attemptTrace) gotConn(info httptrace.GotConnInfo) {
	tr.mu.Lock()
	if !tr.done {
		tr.t.Reused = info.Reused
		tr.conns++
		tr.idle = info.WasIdle
		tr.conn, _ = info.Conn.(*tls.Conn)
	}
	tr.mu.Unlock()
}

func (tr *attemptTrace) wroteRequest(httptrace.WroteRequestInfo) {
	tr.mu.Lock()
	if !tr.done {
		tr.writes++
		tr.setLocked(&tr.t.WroteUs, false)
	}
	tr.mu.Unlock()
}

func (tr *attemptTrace) dnsStart(httptrace.DNSStartInfo)    { tr.mark(&tr.t.DNSStartUs, true) }
func (tr *attemptTrace) dnsDone(httptrace.DNSDoneInfo)      { tr.mark(&tr.t.DNSDoneUs, false) }
func (tr *attemptTrace) connectStart(string, string)        { tr.mark(&tr.t.ConnectStartUs, true) }
func (tr *attemptTrace) connectDone(string, string, error)  { tr.mark(&tr.t.ConnectDoneUs, false) }
func (tr *attemptTrace) tlsStart()                          { tr.mark(&tr.t.TLSStartUs, true) }
func (tr *attemptTrace) tlsDone(tls.ConnectionState, error) { tr.mark(&tr.t.TLSDoneUs, false) }
func (tr *attemptTrace) firstByte()                         { tr.mark(&tr.t.FirstByteUs, false) }

// mark sets *field to the time since the start: a phase's start keeps its
// first time (first), its end its last.
func (tr *attemptTrace) mark(field *int64, first bool) {
	tr.mu.Lock()
	if !tr.done {
		tr.setLocked(field, first)
	}
	tr.mu.Unlock()
}

// setLocked is mark with tr.mu held. A time is at least 1 µs, as 0 says the
// phase did not happen.
func (tr *attemptTrace) setLocked(field *int64, first bool) {
	if !first || *field == 0 {
		*field = max(time.Since(tr.start).Microseconds(), 1)
	}
}

// finish ends the attempt's timing and returns a copy of it, or nil when no
// request was made. Later calls return the same Timing.
func (tr *attemptTrace) finish() *flow.Timing {
	if !tr.sent {
		return nil
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if !tr.done {
		tr.done = true
		tr.t.TotalUs = max(time.Since(tr.start).Microseconds(), 1)
		t := tr.t
		tr.out = &t
		tr.quiet = tr.quietLocked()
		tr.conn = nil
	}
	return tr.out
}

// quietLocked reports whether no hook of the finished attempt can still come.
// The transport called GotConn once, with a connection from its idle pool:
// it queued no dial for the request (a dial's hooks can come after the
// request has another connection or has given up). It wrote one request,
// whose WroteRequest comes last in writing it, and read the first byte of
// its answer, the last hook of reading. One GotConn and one write also say
// there was no redirect and no retry on a fresh connection. HTTP/2 is left
// out: its connections call GotConn themselves, WasIdle meaning something
// else there, so a request given a connection another request dialled while
// its own dial goes on could look the same.
func (tr *attemptTrace) quietLocked() bool {
	if tr.conns != 1 || tr.writes != 1 || !tr.idle || tr.t.FirstByteUs == 0 {
		return false
	}
	return tr.conn == nil || tr.conn.ConnectionState().NegotiatedProtocol != "h2"
}
