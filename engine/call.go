package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/http/httpguts"

	"github.com/flowbench/flowbench/engine/auth"
	"github.com/flowbench/flowbench/engine/webhook"
	"github.com/flowbench/flowbench/flow"
)

// Headers every call carries, the same on every attempt of one step.
const (
	HeaderTaskGUID       = "X-Http-Task-Guid"
	HeaderIdempotencyKey = "Idempotency-Key"
)

// errAttemptTimeout is the cause of an attempt's context whose time ran out.
var errAttemptTimeout = errors.New("attempt timed out")

type bodyTooLargeError struct{ limit int64 }

func (e *bodyTooLargeError) Error() string {
	return fmt.Sprintf("the response body is larger than the %s cap; ask for less (paging, a filter) or raise the cap", flow.FormatBytes(e.limit))
}

// request is a call's request built once per step from its expressions.
type request struct {
	method  string
	url     *url.URL
	header  http.Header
	body    []byte
	hash    string // hex SHA-256 of body, for SigV4
	guid    string
	signKey []byte
	// shared says the one attempt may use header itself rather than a copy.
	shared bool
}

// call executes a call node: builds the request, sends it with retries, parses
// the response and chooses the port. Each attempt is bounded by the call's
// timeout; the call's deadline, when set, bounds them all and the waits
// between them. Which failed attempts are tried again is the flow's rule
// (flow.RetryRule).
func (x *execution) call(s *step, rec *flow.Step) stepResult {
	if x.r.hooks.Call != nil {
		return x.hookedCall(s, rec)
	}
	cl := s.node.Call
	st, err := x.stepConnection(s)
	if err != nil {
		return x.callFailed(s, rec, 0, nil, err.Error())
	}
	timeout := st.timeout
	if cl.Timeout > 0 {
		timeout = cl.Timeout.D()
	}
	var deadlineAt time.Time
	if cl.Deadline > 0 {
		deadlineAt = x.r.opts.Now().Add(cl.Deadline.D())
	}

	attempts := maxAttempts(cl.Retry)
	var (
		req       request
		resp      *response
		lastErr   error
		failure   attemptFailure
		wait      time.Duration
		refreshed bool
		msg       string // why the step stopped trying, when not the last attempt's error
	)
	for attempt := 1; attempt <= attempts; attempt++ {
		if wait > 0 {
			if err := x.r.opts.Sleep(x.ctx, wait); err != nil {
				lastErr, failure = err, failStopped
				break
			}
		}
		// The attempt's time: the timeout, or what is left of the deadline.
		bound, byDeadline := timeout, false
		if !deadlineAt.IsZero() {
			left := deadlineAt.Sub(x.r.opts.Now())
			if left <= 0 {
				msg = fmt.Sprintf("the step's %s deadline (call.deadline) passed before attempt %d; raise call.deadline, or lower call.timeout or call.retry", cl.Deadline.D(), attempt)
				break
			}
			if left < bound {
				bound, byDeadline = left, true
			}
		}
		ctx := x.deadline.start(x.ctx, x.r.opts.Clock, bound)
		if attempt == 1 && req.guid == "" {
			var err error
			if req, err = x.buildRequest(ctx, s, st, ""); err != nil {
				x.deadline.done()
				return x.callFailed(s, rec, 0, nil, err.Error())
			}
			// A step that may send again (retries, or a forced OAuth
			// refresh) gives each attempt a copy of the request's
			// headers; one that sends once lends them to its only attempt.
			req.shared = attempts == 1 && st.conn.Auth.Type != flow.AuthOAuth2
		}
		if attempt > 1 {
			x.act.Run["attempt"] = int64(attempt)
			if s.readsAttempt {
				// The request's expressions read run.attempt: build it
				// anew for this attempt, under the step's task GUID.
				next, err := x.buildRequest(ctx, s, st, req.guid)
				if err != nil {
					x.deadline.done()
					lastErr, failure = err, failFinal
					rec.Exchanges = append(rec.Exchanges, flow.Exchange{Attempt: attempt, TaskGUID: req.guid, Error: err.Error()})
					rec.Attempts = attempt
					break
				}
				next.shared = req.shared
				req = next
			}
		}
		ex := flow.Exchange{Attempt: attempt, TaskGUID: req.guid, WaitMs: wait.Milliseconds()}
		resp, lastErr = x.send(ctx, st, &req, &ex)
		failure = x.classify(ctx, lastErr, byDeadline)
		rec.Exchanges = append(rec.Exchanges, ex)
		rec.Attempts = attempt
		if failure == failNone && resp.status == http.StatusUnauthorized && !refreshed && st.auth.Refresh(ctx) {
			x.deadline.done()
			// One forced token refresh and one more try, not counted as a retry.
			refreshed = true
			attempt--
			wait = 0
			continue
		}
		x.deadline.done()
		switch failure {
		case failTimeout:
			lastErr = fmt.Errorf("no answer within the call's %s timeout; raise call.timeout or check the endpoint", timeout)
		case failDeadline:
			lastErr = fmt.Errorf("the step's %s deadline (call.deadline) passed during attempt %d; raise call.deadline, or lower call.timeout or call.retry", cl.Deadline.D(), attempt)
		}
		if failure == failNone && resp.status >= 200 && resp.status < 300 {
			break
		}
		status := 0
		if resp != nil {
			status = resp.status
		}
		if attempt == attempts || !shouldRetry(cl.Retry.Rule(), status, failure) {
			break
		}
		wait = backoff(cl.Retry, attempt, x.r.opts.Rand)
		if resp != nil {
			if ra, ok := retryAfter(resp.header, x.r.opts.Now()); ok {
				wait = ra
				if deadlineAt.IsZero() && wait > timeout {
					msg = fmt.Sprintf("the next attempt would wait %s (Retry-After), longer than the call's %s timeout; set call.deadline to allow longer waits", wait.Round(time.Millisecond), timeout)
					break
				}
			}
		}
		if !deadlineAt.IsZero() && !x.r.opts.Now().Add(wait).Before(deadlineAt) {
			msg = fmt.Sprintf("the next attempt would wait %s, past the step's %s deadline (call.deadline)", wait.Round(time.Millisecond), cl.Deadline.D())
			break
		}
	}
	if rec.Attempts > 1 {
		x.act.Run["attempt"] = int64(1)
	}

	if msg != "" || failure != failNone {
		if msg == "" {
			msg = describeSendError(x.ctx, lastErr, failure, st)
		}
		if rec.Attempts > 1 {
			msg = fmt.Sprintf("%s (after %d attempts)", msg, rec.Attempts)
		}
		if failure == failNone && resp != nil {
			return x.callFailed(s, rec, resp.status, resp, msg)
		}
		return x.callFailed(s, rec, 0, nil, msg)
	}
	if resp.status < 200 || resp.status >= 300 {
		msg := fmt.Sprintf("HTTP %d %s", resp.status, http.StatusText(resp.status))
		if rec.Attempts > 1 {
			msg = fmt.Sprintf("HTTP %d after %d attempts", resp.status, rec.Attempts)
		}
		if snippet := errorSnippet(resp.body); snippet != "" {
			msg += ": " + snippet
		}
		return x.callFailed(s, rec, resp.status, resp, msg)
	}
	return x.callSucceeded(s, rec, resp)
}

// classify says how an attempt that returned err ended: with an answer
// (failNone), stopped with the run, out of time (its timeout, or the step's
// deadline when byDeadline), or failed otherwise. ctx is the attempt's.
func (x *execution) classify(ctx context.Context, err error, byDeadline bool) attemptFailure {
	switch {
	case err == nil:
		return failNone
	case x.ctx.Err() != nil:
		return failStopped
	case errors.Is(context.Cause(ctx), errAttemptTimeout), ctx.Err() != nil:
		if byDeadline {
			return failDeadline
		}
		return failTimeout
	}
	var tooBig *bodyTooLargeError
	if errors.As(err, &tooBig) {
		return failFinal
	}
	return failNetwork
}

// describeSendError says in words why the last attempt got no usable answer.
func describeSendError(runCtx context.Context, err error, failure attemptFailure, st *connState) string {
	if failure == failStopped || runCtx.Err() != nil {
		return "the run was stopped"
	}
	if failure == failTimeout || failure == failDeadline {
		return err.Error()
	}
	var tooBig *bodyTooLargeError
	if errors.As(err, &tooBig) {
		return tooBig.Error()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Sprintf("host %q was not found (DNS); check the connection's base URL", dnsErr.Name)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return fmt.Sprintf("could not connect to %s: %v; is the server running?", st.base.Host, opErr.Err)
	}
	msg := err.Error()
	if strings.Contains(msg, "x509:") || strings.Contains(msg, "tls:") {
		return fmt.Sprintf("TLS failed talking to %s: %s; fix the certificate, set caFile, or turn off verifyTLS for a test server", st.base.Host, redactString(msg, st.sensitive))
	}
	return redactString(msg, st.sensitive)
}

// buildRequest evaluates the call's expressions into a request, checking header
// names and values before anything is sent. guid is the step's task GUID, or
// empty for a new one.
func (x *execution) buildRequest(ctx context.Context, s *step, st *connState, guid string) (request, error) {
	cl := s.node.Call
	if guid == "" {
		guid = x.r.opts.NewID()
	}
	req := request{method: strings.ToUpper(cl.Method), header: make(http.Header, len(s.headers)+3), guid: guid}
	if req.method == "" {
		req.method = http.MethodGet
	}
	uri := ""
	if s.uri != nil {
		v, err := s.uri.Eval(ctx, x.act)
		if err != nil {
			return request{}, fmt.Errorf("call.uri: %v", err)
		}
		uri = stringify(v)
	}
	u, err := joinURL(st.base, uri)
	if err != nil {
		return request{}, fmt.Errorf("call.uri: %v", err)
	}
	if len(s.query) > 0 {
		q := u.Query()
		var vals []string
		for i, pr := range s.query {
			var k string
			var err error
			k, vals, err = x.evalPair(ctx, pr, vals[:0])
			if err != nil {
				return request{}, fmt.Errorf("call.query[%d]: %v", i, err)
			}
			if k == "" {
				return request{}, fmt.Errorf("call.query[%d]: the parameter name is empty", i)
			}
			for _, v := range vals {
				if hasLineBreak(k) || hasLineBreak(v) {
					return request{}, fmt.Errorf("call.query[%d] (%s): contains a line break", i, k)
				}
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	req.url = u
	// The header's values share one array, each name's slice capped at its
	// own values, so adding to a name later appends to a copy.
	vals := make([]string, 0, len(s.headers)+2)
	// namedGUID says a pair named a GUID header, which is then looked up.
	namedGUID := false
	for i, pr := range s.headers {
		first := len(vals)
		var k string
		var err error
		k, vals, err = x.evalPair(ctx, pr, vals)
		if err != nil {
			return request{}, fmt.Errorf("call.headers[%d]: %v", i, err)
		}
		if !httpguts.ValidHeaderFieldName(k) {
			return request{}, fmt.Errorf("call.headers[%d]: %q is not a valid header name (letters, digits and !#$%%&'*+-.^_`|~ only)", i, k)
		}
		added := vals[first:len(vals):len(vals)]
		for _, v := range added {
			if hasLineBreak(v) || !httpguts.ValidHeaderFieldValue(v) {
				return request{}, fmt.Errorf("call.headers[%d] (%s): the value contains a line break or a control character", i, k)
			}
		}
		if len(added) == 0 {
			continue
		}
		k = http.CanonicalHeaderKey(k)
		namedGUID = namedGUID || k == HeaderTaskGUID || k == HeaderIdempotencyKey
		if have, ok := req.header[k]; ok {
			req.header[k] = append(have, added...)
		} else {
			req.header[k] = added
		}
	}
	if s.body != nil {
		v, err := s.body.Eval(ctx, x.act)
		if err != nil {
			return request{}, fmt.Errorf("call.body: %v", err)
		}
		switch b := v.(type) {
		case string:
			req.body = []byte(b)
		case []byte:
			req.body = b
		default:
			enc, err := json.Marshal(v)
			if err != nil {
				return request{}, fmt.Errorf("call.body: the value cannot be written as JSON: %v", err)
			}
			req.body = enc
		}
		if firstValue(req.header, "Content-Type") == "" {
			req.header["Content-Type"] = []string{"application/json"}
		}
	}
	// The names are canonical constants and the pairs above were added
	// under canonical names, so the map is read and written directly (and
	// not read at all when no pair named either header).
	g := ""
	if namedGUID {
		g = firstValue(req.header, HeaderTaskGUID)
	}
	if g != "" {
		req.guid = g
	} else {
		vals = append(vals, req.guid)
		req.header[HeaderTaskGUID] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	if !namedGUID || firstValue(req.header, HeaderIdempotencyKey) == "" {
		vals = append(vals, req.guid)
		req.header[HeaderIdempotencyKey] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	if st.conn.Auth.Type == flow.AuthSigV4 {
		// Only SigV4 signs the payload's hash; it is computed once per step
		// and reused by every attempt.
		sum := sha256.Sum256(req.body)
		req.hash = hex.EncodeToString(sum[:])
	}
	if cl.Signing != nil {
		secret, err := secretResolver{x.r}.Resolve(ctx, cl.Signing.Secret)
		if err != nil {
			return request{}, fmt.Errorf("call.signing.secret: %v", err)
		}
		req.signKey = webhook.Key(secret)
	}
	return req, nil
}

// hasLineBreak reports whether s holds a CR or an LF.
func hasLineBreak(s string) bool {
	return strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0
}

// firstValue is h.Get(key) for a key already in canonical form.
func firstValue(h http.Header, key string) string {
	if vs := h[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// evalPair evaluates a key/value pair, appending its values to vals: a list
// value gives one entry per element.
func (x *execution) evalPair(ctx context.Context, pr compiledPair, vals []string) (string, []string, error) {
	k, err := pr.key.Eval(ctx, x.act)
	if err != nil {
		return "", vals, fmt.Errorf("key: %v", err)
	}
	v, err := pr.value.Eval(ctx, x.act)
	if err != nil {
		return "", vals, fmt.Errorf("value: %v", err)
	}
	if list, ok := v.([]any); ok {
		for _, e := range list {
			vals = append(vals, stringify(e))
		}
		return stringify(k), vals, nil
	}
	return stringify(k), append(vals, stringify(v)), nil
}

// response is what one attempt received.
type response struct {
	status int
	header http.Header
	body   []byte
}

// send makes one attempt: a fresh http.Request (credentials applied anew, so a
// refreshed token or a new SigV4 date is used), a fresh signature timestamp,
// and the response body read up to the cap.
func (x *execution) send(ctx context.Context, st *connState, req *request, ex *flow.Exchange) (*response, error) {
	start := x.r.opts.Now()
	x.trace = nextAttemptTrace(x.trace, ctx)
	tr := x.trace
	resp, err := x.attempt(ctx, st, req, ex, tr)
	ex.DurationMs = x.r.opts.Now().Sub(start).Milliseconds()
	ex.Timing = tr.finish()
	return resp, err
}

// attempt is send without the timing; tr times the request's phases.
func (x *execution) attempt(ctx context.Context, st *connState, req *request, ex *flow.Exchange, tr *attemptTrace) (*response, error) {
	// The authenticator's secrets can change (a refreshed OAuth token), so
	// what to redact is asked per attempt.
	rd := &redactor{sens: st.auth.Sensitive(), conn: st.conn.Name}
	hr, err := newHTTPRequest(tr.context(), req)
	if err != nil {
		ex.Error = err.Error()
		return nil, err
	}
	if req.shared {
		hr.Header = req.header
	} else {
		// Each attempt gets its own copy of the header values
		// (authenticators set theirs on it), taken from one allocation.
		n := 0
		for _, vs := range req.header {
			n += len(vs)
		}
		all := make([]string, 0, n)
		for k, vs := range req.header {
			start := len(all)
			all = append(all, vs...)
			hr.Header[k] = all[start:len(all):len(all)]
		}
	}
	if req.signKey != nil {
		ts := x.r.opts.Now().Unix()
		hr.Header.Set(webhook.HeaderID, req.guid)
		hr.Header.Set(webhook.HeaderTimestamp, fmt.Sprint(ts))
		hr.Header.Set(webhook.HeaderSignature, webhook.Sign(req.signKey, req.guid, ts, req.body))
	}
	if err := st.auth.Apply(ctx, hr, req.hash); err != nil {
		msg := rd.text(ex, "error", err.Error())
		ex.Error = msg
		recordRequest(rd, hr, req, ex)
		return nil, errors.New(msg)
	}
	rd.sens = st.auth.Sensitive()
	recordRequest(rd, hr, req, ex)
	if x.r.obs.wants(flow.EventRequestSent) {
		x.r.obs.emit(flow.RunEvent{Kind: flow.EventRequestSent, At: x.r.opts.Now(), RunID: x.run.ID, Exchange: copyExchange(ex)})
	}

	tr.sent = true
	hresp, err := st.do(hr)
	if err != nil {
		ex.Error = rd.text(ex, "error", err.Error())
		return nil, err
	}
	defer hresp.Body.Close()
	limit := x.r.opts.MaxBodyBytes
	// The body is read into the run's buffer: everything kept from it
	// (the record's text, the parsed JSON, an error's excerpt) is a copy,
	// and the next attempt or step reuses the memory.
	data, err := readCapped(hresp.Body, limit+1, x.bodyBuf[:0])
	if cap(data) <= maxKeptBodyBuffer {
		x.bodyBuf = data[:0]
	}
	// The run's one response value: what an attempt received is used
	// before the next attempt or step begins.
	resp := &x.resp
	*resp = response{status: hresp.StatusCode, header: hresp.Header, body: data}
	ex.Status = hresp.StatusCode
	ex.ResponseHeaders = rd.header(ex, "responseHeaders", hresp.Header)
	ex.ResponseSize = int64(len(data))
	if err != nil {
		ex.Error = rd.text(ex, "error", err.Error())
		return resp, err
	}
	if int64(len(data)) > limit {
		tooBig := &bodyTooLargeError{limit: limit}
		ex.Error = tooBig.Error()
		ex.Truncated = true
		ex.ResponseBody = rd.text(ex, "responseBody", printable(data[:min(len(data), recordBodyBytes)]))
		return resp, tooBig
	}
	body2 := data
	if len(body2) > recordBodyBytes {
		body2 = body2[:recordBodyBytes]
		ex.Truncated = true
	}
	// A response may echo a credential (a debugging endpoint, httpbin): the
	// record never keeps it.
	ex.ResponseBody = rd.text(ex, "responseBody", printable(body2))
	if x.r.obs.wants(flow.EventResponseReceived) {
		ex.Timing = tr.finish()
		x.r.obs.emit(flow.RunEvent{Kind: flow.EventResponseReceived, At: x.r.opts.Now(), RunID: x.run.ID, Exchange: copyExchange(ex)})
	}
	return resp, nil
}

// newHTTPRequest returns a new http.Request for one attempt at req, with its
// own copy of the URL (authenticators may change the query). The URL was
// parsed and checked once per step, so it is not formatted and parsed again.
// A request without a body is made as http.NewRequestWithContext makes one,
// without parsing an empty URL, and without a header map when the attempt
// borrows req's; one with a body is made by http.NewRequestWithContext
// (its length, and GetBody for redirects).
func newHTTPRequest(ctx context.Context, req *request) (*http.Request, error) {
	var hr *http.Request
	if req.body == nil && httpguts.ValidHeaderFieldName(req.method) {
		// A method is a token, as a header name is: what
		// http.NewRequestWithContext checks before accepting it.
		var header http.Header
		if !req.shared {
			header = make(http.Header, len(req.header)+2)
		}
		proto := http.Request{Method: req.method, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: header}
		hr = proto.WithContext(ctx)
		hr.URL = new(url.URL)
	} else {
		var body io.Reader
		if req.body != nil {
			body = bytes.NewReader(req.body)
		}
		var err error
		if hr, err = http.NewRequestWithContext(ctx, req.method, "", body); err != nil {
			return nil, err
		}
	}
	*hr.URL = *req.url
	hr.Host = hr.URL.Host
	return hr, nil
}

// maxKeptBodyBuffer is the largest response buffer a run keeps for reuse.
const maxKeptBodyBuffer = 1 << 20

// readCapped appends at most n bytes of r to buf, like io.ReadAll of an
// io.LimitReader without their allocations.
func readCapped(r io.Reader, n int64, buf []byte) ([]byte, error) {
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow
		}
		end := cap(buf)
		if int64(end) > n {
			end = int(n)
		}
		k, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+k]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func recordRequest(rd *redactor, hr *http.Request, req *request, ex *flow.Exchange) {
	ex.Method = hr.Method
	ex.URL = rd.url(ex, hr.URL)
	ex.RequestHeaders = rd.header(ex, "requestHeaders", hr.Header)
	if len(req.body) > 0 {
		b := req.body
		if len(b) > recordBodyBytes {
			b = b[:recordBodyBytes]
		}
		ex.RequestBody = rd.text(ex, "requestBody", printable(b))
	}
}

func copyExchange(ex *flow.Exchange) *flow.Exchange {
	c := *ex
	return &c
}

// callSucceeded parses a 2xx response, finds the return value, chooses the
// port, saves to vars and raises the completion event.
func (x *execution) callSucceeded(s *step, rec *flow.Step, resp *response) stepResult {
	cl := s.node.Call
	rec.HTTPStatus = resp.status
	// The parsed body is needed by expressions that read steps, by saveTo and
	// completion events, and for the default return value (a body's
	// returnValue field); a flow that needs none of these skips the parse.
	var body any
	if x.stepCtx || cl.SaveTo != "" || cl.CompletionEvent != "" || s.returnValue == nil && mayHaveReturnValue(resp.body) {
		body = parseBody(resp)
	}
	var ctxStep map[string]any
	if x.stepCtx {
		ctxStep = map[string]any{
			"status":     int64(resp.status),
			"headers":    headerMap(resp.header),
			"body":       body,
			"durationMs": x.r.opts.Now().Sub(rec.StartedAt).Milliseconds(),
			"error":      "",
		}
		x.act.Steps[s.node.ID] = ctxStep
	}

	var rv any
	if s.returnValue != nil {
		v, err := s.returnValue.Eval(x.ctx, x.act)
		if err != nil {
			return x.callFailed(s, rec, resp.status, resp, fmt.Sprintf("call.returnValue: %v", err))
		}
		rv = v
	} else if obj, ok := body.(map[string]any); ok {
		rv = obj["returnValue"]
	}
	if ctxStep != nil {
		ctxStep["returnValue"] = rv
	}
	rec.ReturnValue = rv

	res := stepResult{status: flow.StatusSucceeded, port: flow.PortNext}
	if len(cl.Branches) > 0 {
		res.port = flow.PortDefault
		switch {
		case rv == nil:
			res.decision = "no return value: default path"
		default:
			key := stringify(rv)
			res.decision = fmt.Sprintf("no branch matched %q: default path", key)
			for _, b := range cl.Branches {
				if b == key {
					res.port = b
					res.decision = fmt.Sprintf("returnValue %q matched branch %s", key, b)
					break
				}
			}
		}
	}
	if cl.SaveTo != "" {
		saved := body
		if rv != nil {
			saved = rv
		}
		if err := x.setVar(cl.SaveTo, saved); err != nil {
			return x.callFailed(s, rec, resp.status, resp, "call.saveTo: "+err.Error())
		}
	}
	if cl.CompletionEvent != "" {
		payload := map[string]any{
			"node": s.node.ID, "status": int64(resp.status), "returnValue": rv, "body": body,
		}
		if cl.SaveTo != "" {
			payload["saved"] = map[string]any{cl.SaveTo: x.act.Vars[cl.SaveTo]}
		}
		if err := x.raise(s.node.ID, cl.CompletionEvent, payload); err != nil {
			return x.callFailed(s, rec, resp.status, resp, err.Error())
		}
	}
	return res
}

// callFailed records a failed call; it leaves by the failure port.
func (x *execution) callFailed(s *step, rec *flow.Step, status int, resp *response, msg string) stepResult {
	rec.HTTPStatus = status
	if x.stepCtx {
		ctxStep := map[string]any{"status": int64(status), "error": msg, "returnValue": nil,
			"durationMs": x.r.opts.Now().Sub(rec.StartedAt).Milliseconds(), "headers": map[string]any{}, "body": nil}
		if resp != nil {
			ctxStep["headers"] = headerMap(resp.header)
			ctxStep["body"] = parseBody(resp)
		}
		x.act.Steps[s.node.ID] = ctxStep
	}
	decision := "failure path: " + msg
	if x.ctx.Err() != nil {
		return stepResult{status: flow.StatusStopped, err: msg}
	}
	return stepResult{status: flow.StatusFailed, port: flow.PortFailure, err: msg, decision: decision}
}

// mayHaveReturnValue reports whether a body could be a JSON object with a
// returnValue field: its bytes hold the name, or an escape that could spell it.
func mayHaveReturnValue(b []byte) bool {
	return bytes.Contains(b, []byte("returnValue")) || bytes.Contains(b, []byte(`\u`))
}

// parseBody returns the JSON value of a JSON body, else the body as text.
func parseBody(resp *response) any {
	if len(resp.body) == 0 {
		return nil
	}
	ct, _, _ := mime.ParseMediaType(resp.header.Get("Content-Type"))
	looksJSON := strings.HasSuffix(ct, "json") || (ct == "" || ct == "text/plain") && json.Valid(resp.body)
	if looksJSON {
		if v, err := decodeJSON(resp.body); err == nil {
			return v
		}
	}
	return printable(resp.body)
}

// headerMap gives response headers to expressions: lower-case names, values
// joined with ", ".
func headerMap(h http.Header) map[string]any {
	m := make(map[string]any, len(h))
	for k, vs := range h {
		m[strings.ToLower(k)] = strings.Join(vs, ", ")
	}
	return m
}

// errorSnippet is a short excerpt of an error response to quote in a message.
func errorSnippet(body []byte) string {
	s := strings.TrimSpace(printable(body))
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, 200)
}

// printable returns the body as valid UTF-8 text, replacing invalid bytes.
func printable(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func redactHeaders(h http.Header, s auth.Sensitive) map[string][]string {
	red, _, _ := auth.Redact(s, h, "", "")
	return red
}

func redactString(msg string, s auth.Sensitive) string {
	_, _, out := auth.Redact(s, nil, "", msg)
	return out
}
