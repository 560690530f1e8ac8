package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/flowbench/flowbench/engine/webhook"
	"github.com/flowbench/flowbench/flow"
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

// WebhookOptions configure a WebhookServer.
type WebhookOptions struct {
	// Tolerance bounds the age of a signed request; 0 means DefaultWebhookTolerance.
	Tolerance time.Duration
	// OnRequest is told of every request received, accepted or not.
	OnRequest func(WebhookRequest)
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
}

// NewWebhookServer returns a server that runs flows through r.
func NewWebhookServer(r *Runner, opts WebhookOptions) *WebhookServer {
	if opts.Tolerance <= 0 {
		opts.Tolerance = DefaultWebhookTolerance
	}
	return &WebhookServer{runner: r, opts: opts, routes: map[string]*Plan{}}
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
	w.mu.Lock()
	w.ln = ln
	w.srv = &http.Server{Handler: w, ReadHeaderTimeout: 10 * time.Second}
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

// Stop stops the server, waiting for requests in flight until ctx ends.
func (w *WebhookServer) Stop(ctx context.Context) error {
	w.mu.Lock()
	srv := w.srv
	w.srv, w.ln = nil, nil
	w.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Shutdown(ctx)
}

// ServeHTTP answers one webhook request.
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
	body, err := io.ReadAll(io.LimitReader(req.Body, w.runner.opts.MaxBodyBytes+1))
	if err != nil || int64(len(body)) > w.runner.opts.MaxBodyBytes {
		answer(http.StatusRequestEntityTooLarge, map[string]string{"error": "the request body is too large or could not be read"})
		return
	}
	rec.Body = printable(body[:min(len(body), recordBodyBytes)])

	rec.Verified = "not required"
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
	}

	trigger := json.RawMessage(body)
	if len(body) == 0 {
		trigger = nil
	} else if !json.Valid(body) {
		wrapped, _ := json.Marshal(map[string]string{"body": string(body)})
		trigger = wrapped
	}
	res, err := w.runner.Run(req.Context(), p, Input{Trigger: trigger, Source: "webhook:" + req.URL.Path})
	if err != nil {
		answer(http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	rec.RunID = res.Run.ID
	status := http.StatusOK
	if res.Run.Status != flow.StatusSucceeded {
		status = http.StatusInternalServerError
	}
	answer(status, RunOutput(res))
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
