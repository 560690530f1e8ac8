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
// One is made per attempt, with its ClientTrace, and it is only read once
// the attempt is over. The transport may still call a hook after that (a
// dial it goes on with for its pool), from its own goroutine: the mutex and
// done keep such a call from touching a Timing already handed out.
type attemptTrace struct {
	start time.Time
	ct    httptrace.ClientTrace
	mu    sync.Mutex
	done  bool
	sent  bool // the request went to the transport: set before it does
	t     flow.Timing
}

// newAttemptTrace starts timing an attempt now.
func newAttemptTrace() *attemptTrace {
	tr := &attemptTrace{start: time.Now()}
	tr.ct = httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			tr.mu.Lock()
			if !tr.done {
				tr.t.Reused = info.Reused
			}
			tr.mu.Unlock()
		},
		DNSStart:             func(httptrace.DNSStartInfo) { tr.mark(&tr.t.DNSStartUs, true) },
		DNSDone:              func(httptrace.DNSDoneInfo) { tr.mark(&tr.t.DNSDoneUs, false) },
		ConnectStart:         func(string, string) { tr.mark(&tr.t.ConnectStartUs, true) },
		ConnectDone:          func(string, string, error) { tr.mark(&tr.t.ConnectDoneUs, false) },
		TLSHandshakeStart:    func() { tr.mark(&tr.t.TLSStartUs, true) },
		TLSHandshakeDone:     func(tls.ConnectionState, error) { tr.mark(&tr.t.TLSDoneUs, false) },
		WroteRequest:         func(httptrace.WroteRequestInfo) { tr.mark(&tr.t.WroteUs, false) },
		GotFirstResponseByte: func() { tr.mark(&tr.t.FirstByteUs, false) },
	}
	return tr
}

// with returns ctx carrying the trace, for the attempt's http.Request only
// (a token fetch made for the attempt is not timed as the attempt).
func (tr *attemptTrace) with(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &tr.ct)
}

// mark sets *field to the time since the start: a phase's start keeps its
// first time (first), its end its last. A time is at least 1 µs, as 0 says
// the phase did not happen.
func (tr *attemptTrace) mark(field *int64, first bool) {
	us := max(time.Since(tr.start).Microseconds(), 1)
	tr.mu.Lock()
	if !tr.done && (!first || *field == 0) {
		*field = us
	}
	tr.mu.Unlock()
}

// finish ends the attempt's timing and returns it, or nil when no request
// was made. Later calls return the same Timing.
func (tr *attemptTrace) finish() *flow.Timing {
	if !tr.sent {
		return nil
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if !tr.done {
		tr.done = true
		tr.t.TotalUs = max(time.Since(tr.start).Microseconds(), 1)
	}
	return &tr.t
}
