package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/flowbench/flowbench/engine/webhook"
	"github.com/flowbench/flowbench/flow"
	"golang.org/x/net/netutil"
)

// DefaultWebhookTolerance is how far a signed request's timestamp may be from now.
const DefaultWebhookTolerance = 5 * time.Minute

// WebhookRequest is one request a webhook trigger received, for the request
// inspector: what came in, whether its signature held, and what was answered.
type WebhookRequest struct {
	At       time.Time           `json:"at"`
	Method   string              `json:"method"`
	Path     string              `json:"path"`
	Headers  map[string][]string `json:"headers"`
	Body     string              `json:"body"`
	Flow     string              `json:"flow,omitempty"`
	Verified string              `json:"verified"` // "signature valid", "not required", or why it was rejected
	Status   int                 `json:"status"`
	RunID    string              `json:"runId,omitempty"`
}

// Webhook server defaults for slow or too many clients.
const (
	// DefaultWebhookMaxConcurrent is how many webhook requests are served at
	// once; past it a request is answered 503 with Retry-After.
	DefaultWebhookMaxConcurrent = 64
	// DefaultWebhookReadHeaderTimeout bounds the wait for a request's headers.
	DefaultWebhookReadHeaderTimeout = 5 * time.Second
	// DefaultWebhookReadTimeout bounds the wait for a whole request, body included.
	DefaultWebhookReadTimeout = 15 * time.Second
	// DefaultWebhookIdleTimeout closes a keep-alive connection idle this long.
	DefaultWebhookIdleTimeout = 60 * time.Second
	// DefaultWebhookShutdownGrace is how long Stop lets runs in flight finish
	// before it stops them.
	DefaultWebhookShutdownGrace = 10 * time.Second
	// webhookRetryAfter is the Retry-After, in seconds, of a 503 or 409 answer.
	webhookRetryAfter = "1"
)

// WebhookIDStore remembers the Standard Webhooks ids (webhook-id) already
// answered, so a repeated delivery starts no second run. storage.DB
// implements it (persisted, so a restart does not forget); nil in
// WebhookOptions means an in-memory store.
type WebhookIDStore interface {
	// SeenWebhook returns the run the first delivery of id on path started,
	// unless that record expired before now.
	SeenWebhook(ctx context.Context, path, id string, now time.Time) (runID, status string, found bool, err error)
	// RememberWebhook records that id on path started runID, until expires;
	// it may forget records that expired before now.
	RememberWebhook(ctx context.Context, path, id, runID, status string, now, expires time.Time) error
}

// WebhookIDRecorder is a WebhookIDStore that remembers a delivery's id with
// its run's records (storage.CommitWaiter). With a Commit hook, the server
// names the run before it starts and announces the id: it is written in the
// transaction that commits the run's final record, with the run's final
// status, so the Commit hook's wait covers it and RememberWebhook is not
// called. forget drops an announcement whose run did not start.
type WebhookIDRecorder interface {
	WebhookIDStore
	ExpectWebhook(path, id, runID string, now, expires time.Time) (forget func())
}

// WebhookOptions configure a WebhookServer.
type WebhookOptions struct {
	// Tolerance bounds the age of a signed request; 0 means DefaultWebhookTolerance.
	Tolerance time.Duration
	// OnRequest is told of every request received, accepted or not.
	OnRequest func(WebhookRequest)
	// Commit, when set, is called with every finished run before its answer
	// is written, and should return once the run's records are durable (the
	// CLI waits for the recorder's commit). An error answers 500 naming the
	// run and saying its record was lost, never the run's own status. Nil
	// answers as soon as the run ends (the benchmarks' baseline).
	Commit func(ctx context.Context, run *flow.Run) error
	// IDs remembers the webhook-ids of signed deliveries; nil keeps them in
	// memory. A delivery repeating an id within the tolerance window gets
	// the first run's id and starts no run (see ServeHTTP). With a Commit
	// hook, a WebhookIDRecorder writes each id with its run's records.
	IDs WebhookIDStore
	// MaxConcurrent is how many requests are served at once; 0 means
	// DefaultWebhookMaxConcurrent. Past it: 503 with Retry-After.
	MaxConcurrent int
	// MaxConnections caps the connections open at once; more wait in the
	// kernel's queue, holding no descriptor here. 0 means 4 × MaxConcurrent.
	MaxConnections int
	// ReadHeaderTimeout, ReadTimeout and IdleTimeout are the http.Server's;
	// 0 means the DefaultWebhook... values.
	ReadHeaderTimeout, ReadTimeout, IdleTimeout time.Duration
	// ShutdownGrace is how long Stop lets runs in flight finish before it
	// stops them (they end stopped and are answered); 0 means
	// DefaultWebhookShutdownGrace.
	ShutdownGrace time.Duration
	// Start, when set, starts each accepted request's run elsewhere (a
	// Temporal workflow: `serve --temporal`) instead of running it here. It
	// returns the run's id once the run has been accepted, and the request
	// is answered 202 with that id; an error answers 503 with Retry-After.
	Start func(ctx context.Context, p *Plan, in Input) (string, error)
}

// WebhookServer runs the flows whose start node has a webhook trigger: a POST
// to the trigger's path on 127.0.0.1 runs the flow with the request body as
// `trigger` and answers with the run's result. When the trigger has a secret,
// the request must carry a valid, fresh Standard Webhooks signature, else it
// is answered 401 and the reason recorded.
type WebhookServer struct {
	runner *Runner
	opts   WebhookOptions

	mu     sync.RWMutex
	routes map[string]*Plan
	srv    *http.Server
	ln     net.Listener

	slots      chan struct{} // one per request being served
	runCtx     context.Context
	cancelRuns context.CancelFunc

	idMu     sync.Mutex
	inflight map[string]chan struct{} // path + "\n" + webhook-id being answered
	stopped  int                      // runs Stop had to stop
}

// NewWebhookServer returns a server that runs flows through r.
func NewWebhookServer(r *Runner, opts WebhookOptions) *WebhookServer {
	if opts.Tolerance <= 0 {
		opts.Tolerance = DefaultWebhookTolerance
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultWebhookMaxConcurrent
	}
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = 4 * opts.MaxConcurrent
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&opts.ReadHeaderTimeout, DefaultWebhookReadHeaderTimeout}, {&opts.ReadTimeout, DefaultWebhookReadTimeout},
		{&opts.IdleTimeout, DefaultWebhookIdleTimeout}, {&opts.ShutdownGrace, DefaultWebhookShutdownGrace}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if opts.IDs == nil {
		opts.IDs = &memWebhookIDs{seen: map[string]memWebhookID{}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &WebhookServer{runner: r, opts: opts, routes: map[string]*Plan{},
		slots: make(chan struct{}, opts.MaxConcurrent), runCtx: ctx, cancelRuns: cancel,
		inflight: map[string]chan struct{}{}}
}

// SetPlans replaces the flows served; two flows on the same path are refused
// with an error naming both.
func (w *WebhookServer) SetPlans(plans []*Plan) error {
	routes := map[string]*Plan{}
	for _, p := range plans {
		t := p.start.node.Trigger
		if t == nil || t.Type != flow.TriggerWebhook {
			continue
		}
		if other, taken := routes[t.Path]; taken {
			return fmt.Errorf("flows %q and %q both listen on webhook path %s; give one another path", other.Flow.Name, p.Flow.Name, t.Path)
		}
		routes[t.Path] = p
	}
	w.mu.Lock()
	w.routes = routes
	w.mu.Unlock()
	return nil
}

// Paths lists the webhook paths served.
func (w *WebhookServer) Paths() []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	out := make([]string, 0, len(w.routes))
	for p := range w.routes {
		out = append(out, p)
	}
	return out
}

// Start listens on addr (host:port; the host must be a loopback address) and
// serves in the background. A port in use is an error that names it.
func (w *WebhookServer) Start(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("webhook triggers listen on loopback only; use 127.0.0.1, not %s", host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("port %s is in use; stop what uses it or choose another port (for example %s)", portOf(addr), freePortHint(host))
		}
		return err
	}
	ln = netutil.LimitListener(ln, w.opts.MaxConnections)
	w.mu.Lock()
	w.ln = ln
	w.srv = &http.Server{Handler: w, ReadHeaderTimeout: w.opts.ReadHeaderTimeout,
		ReadTimeout: w.opts.ReadTimeout, IdleTimeout: w.opts.IdleTimeout, MaxHeaderBytes: 64 << 10}
	srv := w.srv
	w.mu.Unlock()
	go srv.Serve(ln)
	return nil
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}

// freePortHint finds a free port on host to suggest.
func freePortHint(host string) string {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "0 (any free port)"
	}
	defer ln.Close()
	return portOf(ln.Addr().String())
}

// URL is the server's base URL once started.
func (w *WebhookServer) URL() string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.ln == nil {
		return ""
	}
	return "http://" + w.ln.Addr().String()
}

// Stop stops accepting requests and lets the runs in flight finish for the
// shutdown grace (or until ctx ends, if sooner); then it stops the runs still
// going, which end stopped, are committed and answered as such, and waits
// for them. The error says how many runs it had to stop.
func (w *WebhookServer) Stop(ctx context.Context) error {
	w.mu.Lock()
	srv := w.srv
	w.srv, w.ln = nil, nil
	w.mu.Unlock()
	if srv == nil {
		return nil
	}
	grace, cancel := context.WithTimeout(ctx, w.opts.ShutdownGrace)
	defer cancel()
	err := srv.Shutdown(grace)
	w.cancelRuns()
	// Every request holds a slot: taking them all waits for the last one.
	for range cap(w.slots) {
		select {
		case w.slots <- struct{}{}:
		case <-ctx.Done():
			srv.Close()
			return fmt.Errorf("webhook requests still in flight when the shutdown gave up: %w", ctx.Err())
		}
	}
	if err != nil {
		// The handlers have returned; their answers are flushed after that,
		// so wait (briefly) for the connections to go idle, then close them.
		flushed, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = srv.Shutdown(flushed)
		cancel()
		srv.Close()
	}
	w.idMu.Lock()
	n := w.stopped
	w.idMu.Unlock()
	if n > 0 {
		return fmt.Errorf("the shutdown stopped %d webhook run(s) still in flight after %s; they are recorded as stopped", n, w.opts.ShutdownGrace)
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// ServeHTTP answers one webhook request. Past MaxConcurrent requests at once
// it answers 503 with Retry-After. A signed delivery whose webhook-id was
// already answered within the tolerance window starts no run: it is answered
// 200 with the first run's id and "duplicate": true; while the first
// delivery is still running, the repeat waits for it. When a Commit hook is
// set, an answer naming a run is written only after the run is committed.
func (w *WebhookServer) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	rec := WebhookRequest{At: w.runner.opts.Now(), Method: req.Method, Path: req.URL.Path, Headers: redactInbound(req.Header)}
	answer := func(status int, body any) {
		rec.Status = status
		if w.opts.OnRequest != nil {
			w.opts.OnRequest(rec)
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(status)
		_ = json.NewEncoder(rw).Encode(body)
	}
	select {
	case w.slots <- struct{}{}:
		defer func() { <-w.slots }()
	default:
		rw.Header().Set("Retry-After", webhookRetryAfter)
		answer(http.StatusServiceUnavailable, map[string]string{"error": fmt.Sprintf(
			"flowbench is serving its limit of %d webhook requests at once; retry after %s second(s), or raise --max-concurrent", cap(w.slots), webhookRetryAfter)})
		return
	}
	w.mu.RLock()
	p := w.routes[req.URL.Path]
	w.mu.RUnlock()
	if p == nil {
		answer(http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no flow listens on %s", req.URL.Path)})
		return
	}
	rec.Flow = p.Flow.Name
	if req.Method != http.MethodPost {
		rw.Header().Set("Allow", http.MethodPost)
		answer(http.StatusMethodNotAllowed, map[string]string{"error": "webhook triggers accept POST only"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, req.Body, w.runner.opts.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		var ne net.Error
		switch {
		case errors.As(err, &tooBig):
			answer(http.StatusRequestEntityTooLarge, map[string]string{"error": fmt.Sprintf("the request body is over the limit of %s", flow.FormatBytes(tooBig.Limit))})
		case errors.As(err, &ne) && ne.Timeout():
			rw.Header().Set("Connection", "close")
			answer(http.StatusRequestTimeout, map[string]string{"error": fmt.Sprintf("the request body did not arrive within %s", w.opts.ReadTimeout)})
		default:
			answer(http.StatusBadRequest, map[string]string{"error": "the request body could not be read: " + err.Error()})
		}
		return
	}
	// The body is in: the run may take longer than the read timeout, and
	// the connection's read deadline must not cut it short.
	_ = http.NewResponseController(rw).SetReadDeadline(time.Time{})
	rec.Body = printable(body[:min(len(body), recordBodyBytes)])

	rec.Verified = "not required"
	deliveryID := ""
	if t := p.start.node.Trigger; t.Secret != nil {
		secret, err := secretResolver{w.runner}.Resolve(req.Context(), *t.Secret)
		if err != nil {
			rec.Verified = "the trigger's secret could not be read: " + err.Error()
			answer(http.StatusInternalServerError, map[string]string{"error": "the trigger's secret could not be read; see Flowbench"})
			return
		}
		if err := webhook.Verify(secret, req.Header, body, w.runner.opts.Now(), w.opts.Tolerance); err != nil {
			rec.Verified = err.Error()
			answer(http.StatusUnauthorized, map[string]string{"error": err.Error()})
			return
		}
		rec.Verified = "signature valid"
		deliveryID = req.Header.Get(webhook.HeaderID)
	}

	if deliveryID != "" {
		release, first, status, err := w.claim(req.Context(), req.URL.Path, deliveryID)
		if err != nil {
			rw.Header().Set("Retry-After", webhookRetryAfter)
			answer(http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		if first != "" {
			rec.RunID = first
			rec.Verified += "; repeated webhook-id, no new run"
			answer(http.StatusOK, map[string]any{"runId": first, "status": status, "duplicate": true,
				"message": fmt.Sprintf("webhook-id %s was already received and started run %s; no new run was started", deliveryID, first)})
			return
		}
		defer release()
	}

	trigger := json.RawMessage(body)
	if len(body) == 0 {
		trigger = nil
	} else if !json.Valid(body) {
		wrapped, _ := json.Marshal(map[string]string{"body": string(body)})
		trigger = wrapped
	}
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	defer context.AfterFunc(w.runCtx, cancel)()
	in := Input{Trigger: trigger, Source: "webhook:" + req.URL.Path}
	ids, withRun := w.opts.IDs.(WebhookIDRecorder)
	if withRun = withRun && deliveryID != "" && w.opts.Commit != nil; withRun {
		in.RunID = w.runner.opts.NewID()
		now := w.runner.opts.Now()
		defer ids.ExpectWebhook(req.URL.Path, deliveryID, in.RunID, now, w.expiry(req.Header, now))()
	}
	if w.opts.Start != nil {
		w.startElsewhere(rw, req, &rec, p, in, deliveryID, answer)
		return
	}
	res, err := w.runner.Run(ctx, p, in)
	if err != nil {
		answer(http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	rec.RunID = res.Run.ID
	if res.Run.Status == flow.StatusStopped && w.runCtx.Err() != nil {
		w.idMu.Lock()
		w.stopped++
		w.idMu.Unlock()
	}
	if w.opts.Commit != nil {
		// Committing outlives the caller's patience and the shutdown: a run
		// that ended is recorded even when nobody waits for the answer.
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(req.Context()), 30*time.Second)
		// Hand the run's last events to the observers now rather than at
		// their next wake; bounded, as other runs keep the queues busy.
		dctx, dcancel := context.WithTimeout(cctx, 10*time.Millisecond)
		_ = w.runner.Drain(dctx)
		dcancel()
		err := w.opts.Commit(cctx, &res.Run)
		ccancel()
		if err != nil {
			answer(http.StatusInternalServerError, map[string]any{"runId": res.Run.ID, "recorded": false,
				"error": fmt.Sprintf("run %s ended %s but its record was lost: %v; check the database's disk and send the request again", res.Run.ID, res.Run.Status, err)})
			return
		}
	}
	if deliveryID != "" && !withRun {
		now := w.runner.opts.Now()
		if err := w.opts.IDs.RememberWebhook(context.WithoutCancel(req.Context()), req.URL.Path, deliveryID, res.Run.ID, string(res.Run.Status), now, w.expiry(req.Header, now)); err != nil {
			rec.Verified += "; the webhook-id could not be remembered, so a repeat would run again: " + err.Error()
		}
	}
	status := http.StatusOK
	if res.Run.Status != flow.StatusSucceeded {
		status = http.StatusInternalServerError
	}
	answer(status, RunOutput(res))
}

// expiry is when a delivery's id may be forgotten: when its signed
// timestamp leaves the tolerance window, so the request can no longer be
// accepted anyway.
func (w *WebhookServer) expiry(h http.Header, now time.Time) time.Time {
	at := now
	if sec, err := strconv.ParseInt(h.Get(webhook.HeaderTimestamp), 10, 64); err == nil && time.Unix(sec, 0).After(at) {
		at = time.Unix(sec, 0)
	}
	return at.Add(w.opts.Tolerance)
}

// claim makes this request the one answering delivery id on path. When an
// earlier delivery of it is still being answered, it waits for that one; when
// one was answered, it returns the run that started. Otherwise it returns
// release, to call once the run is remembered.
func (w *WebhookServer) claim(ctx context.Context, path, id string) (release func(), firstRun, status string, err error) {
	key := path + "\n" + id
	for {
		w.idMu.Lock()
		busy, ok := w.inflight[key]
		if !ok {
			done := make(chan struct{})
			w.inflight[key] = done
			w.idMu.Unlock()
			release = func() {
				w.idMu.Lock()
				delete(w.inflight, key)
				w.idMu.Unlock()
				close(done)
			}
			break
		}
		w.idMu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, "", "", fmt.Errorf("webhook-id %s is still being answered for an earlier delivery; retry later", id)
		}
	}
	first, st, found, err := w.opts.IDs.SeenWebhook(ctx, path, id, w.runner.opts.Now())
	if err != nil || found {
		release()
		if err != nil {
			return nil, "", "", fmt.Errorf("could not check whether webhook-id %s was already received (%v); retry later", id, err)
		}
		return nil, first, st, nil
	}
	return release, "", "", nil
}

// memWebhookIDs is the in-memory WebhookIDStore used without a database.
type memWebhookIDs struct {
	mu    sync.Mutex
	seen  map[string]memWebhookID
	swept time.Time // expired entries are swept at most every few seconds
}

type memWebhookID struct {
	run, status string
	expires     time.Time
}

func (m *memWebhookIDs) SeenWebhook(_ context.Context, path, id string, now time.Time) (string, string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.seen[path+"\n"+id]
	if !ok || e.expires.Before(now) {
		return "", "", false, nil
	}
	return e.run, e.status, true, nil
}

func (m *memWebhookIDs) RememberWebhook(_ context.Context, path, id, runID, status string, now, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.swept) > 10*time.Second {
		m.swept = now
		for k, e := range m.seen {
			if e.expires.Before(now) {
				delete(m.seen, k)
			}
		}
	}
	if _, ok := m.seen[path+"\n"+id]; !ok {
		m.seen[path+"\n"+id] = memWebhookID{run: runID, status: status, expires: expires}
	}
	return nil
}

// redactInbound hides credentials a caller sent, for the inspector.
func redactInbound(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		switch strings.ToLower(k) {
		case "authorization", "cookie", "x-api-key", "proxy-authorization":
			out[k] = []string{"[redacted]"}
		default:
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}
