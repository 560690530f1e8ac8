// Package mock serves mock endpoints on 127.0.0.1, so flows run with no
// network: each flow.Mock is served under /<name>/ of one server (BaseURL),
// its routes match method and path ({param} segments), answer with a status,
// headers and a body that may be CEL over the request, and can misbehave on
// purpose (faults) or require authentication. Every request received is kept
// for the request inspector (Requests, Subscribe), credentials redacted.
//
// Mocks live under a path prefix rather than one port each so a single
// server (one port to configure, one to free) stands in for any number of
// endpoints, and two mocks may define the same route: a connection marked
// "use mock" simply points at BaseURL(mock).
package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/flowbench/flowbench/engine/clock"
	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// Received is one request a mock received, as the inspector shows it.
type Received = flow.ReceivedRequest

// SecretResolver turns a secret reference into its value; it has the shape
// of engine/auth.SecretResolver, so the engine's resolver serves here too.
type SecretResolver interface {
	Resolve(ctx context.Context, ref flow.SecretRef) (string, error)
}

// Defaults of Options.
const (
	DefaultHistory         = 1000
	DefaultRecordBodyBytes = 64 << 10
	DefaultMaxRequestBytes = 10 << 20
	// DefaultAddr is where Start listens when given no address.
	DefaultAddr = "127.0.0.1:8089"
)

// Options configure a Server. The zero value serves mocks that need no
// secrets, on the real clock.
type Options struct {
	// Secrets resolves the expected credentials of mocks that require auth.
	// Nil resolves literal and {"env": VAR} references only.
	Secrets SecretResolver
	// Now is the clock of records and signature checks; nil means time.Now.
	Now func() time.Time
	// Sleep waits out delays and drips; nil means a timer. It must return
	// early with ctx's error when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	// History is how many received requests Requests keeps; 0 means
	// DefaultHistory.
	History int
	// RecordBodyBytes caps the body kept per received request; 0 means
	// DefaultRecordBodyBytes.
	RecordBodyBytes int
	// MaxRequestBytes is the largest body a mock reads; larger requests are
	// answered 413. 0 means DefaultMaxRequestBytes.
	MaxRequestBytes int64
	// SignatureTolerance bounds the age of a signed request; 0 means
	// webhook.DefaultTolerance.
	SignatureTolerance time.Duration
}

// Server serves mocks on a loopback address. Its methods are safe for
// concurrent use; SetMocks may be called while serving.
type Server struct {
	opts  Options
	env   *expr.Env
	table atomic.Pointer[table]
	seq   atomic.Int64

	mu      sync.Mutex // guards the fields below
	srv     *http.Server
	url     string
	cancel  context.CancelFunc
	stopped chan struct{} // closed when the serving goroutines have ended

	deliverMu sync.Mutex // serializes record, so subscribers get one record at a time
	recMu     sync.Mutex // guards history and subs
	history   []Received // a ring of the last opts.History requests
	next      int        // where the ring writes next
	full      bool
	subs      map[int]func(Received)
	subID     int
}

// New returns a server with no mocks; call SetMocks and Start.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = clock.Sleep
	}
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	if opts.RecordBodyBytes <= 0 {
		opts.RecordBodyBytes = DefaultRecordBodyBytes
	}
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = DefaultMaxRequestBytes
	}
	s := &Server{opts: opts, subs: map[int]func(Received){}}
	s.table.Store(&table{mocks: map[string]*mockEntry{}})
	return s
}

// PortInUseError is returned by Start when the port is taken. Free is a
// port that was free a moment ago on the same host, for the GUI to offer.
type PortInUseError struct {
	Host string
	Port int
	Free int
}

func (e *PortInUseError) Error() string {
	if e.Free == 0 {
		return fmt.Sprintf("port %d on %s is in use by another program; choose another port or stop that program", e.Port, e.Host)
	}
	return fmt.Sprintf("port %d on %s is in use by another program; try %d (free now), or stop that program", e.Port, e.Host, e.Free)
}

// Start listens on addr (host:port; an empty host or addr means 127.0.0.1,
// port 0 picks a free one) and serves until Stop or until ctx is done. Only
// loopback hosts are accepted: mocks are for this machine. A taken port is
// a *PortInUseError naming a free port.
func (s *Server) Start(ctx context.Context, addr string) error {
	host, port, err := splitAddr(addr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return fmt.Errorf("the mock server is already serving at %s; stop it first", s.url)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		if port != 0 && isAddrInUse(err) {
			return &PortInUseError{Host: host, Port: port, Free: freePort(host, port)}
		}
		return fmt.Errorf("listen on %s:%d for mocks: %w", host, port, err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		// Requests of a stopping server end at once (timeouts, delays, drips).
		BaseContext: func(net.Listener) context.Context { return runCtx },
	}
	stopped := make(chan struct{})
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln) // returns http.ErrServerClosed once shut down
	}()
	go func() {
		defer close(stopped)
		<-runCtx.Done()
		// A connection dialed but never used (a client's spare, dialed
		// while another freed up) holds Shutdown until it is 5 s old: the
		// requests end at once (runCtx), so after a short grace the rest
		// are closed instead of waited for.
		shutCtx, done := context.WithTimeout(context.Background(), stopGrace)
		defer done()
		if srv.Shutdown(shutCtx) != nil {
			srv.Close()
		}
		<-served
	}()
	s.srv, s.cancel, s.stopped = srv, cancel, stopped
	s.url = "http://" + ln.Addr().String()
	return nil
}

// stopGrace is how long Stop lets connections close by themselves.
const stopGrace = 500 * time.Millisecond

func splitAddr(addr string) (string, int, error) {
	if addr == "" {
		return "127.0.0.1", 0, nil
	}
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("mock server address %q: write it as 127.0.0.1:8089", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", 0, fmt.Errorf("mock server address %q: mocks listen on this machine only; use 127.0.0.1", addr)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("mock server address %q: the port must be a number from 0 to 65535", addr)
	}
	return host, port, nil
}

func isAddrInUse(err error) bool {
	if errors.Is(err, syscall.EADDRINUSE) {
		return true
	}
	// Windows reports WSAEADDRINUSE, which syscall.EADDRINUSE does not match.
	msg := err.Error()
	return strings.Contains(msg, "address already in use") || strings.Contains(msg, "Only one usage of each socket address")
}

// freePort finds a free port near port (the next few first, as people
// expect 8090 after 8089), else any free port; 0 when none is found.
func freePort(host string, port int) int {
	for p := port + 1; p <= port+10 && p <= 65535; p++ {
		if ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p))); err == nil {
			ln.Close()
			return p
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Stop stops serving: requests in progress (a timeout fault, a delay, a
// drip) end at once, and Stop waits for them until ctx is done. Stopping a
// server that is not serving does nothing. The server may be started again.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	cancel, stopped := s.cancel, s.stopped
	s.srv, s.cancel, s.stopped, s.url = nil, nil, nil, ""
	s.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-stopped:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop the mock server: %w", ctx.Err())
	}
}

// URL returns the server's root URL (http://127.0.0.1:PORT), or "" when it
// is not serving.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// BaseURL returns the URL under which the named mock's routes are served
// (URL()+"/"+name): a connection that uses the mock calls its paths below
// it. It is "" when the server is not serving.
func (s *Server) BaseURL(mockName string) string {
	u := s.URL()
	if u == "" {
		return ""
	}
	return u + "/" + mockName
}

// ResetCounts starts every route's call count again, so a status sequence
// or failEvery begins anew (a demo shown twice).
func (s *Server) ResetCounts() {
	for _, m := range s.table.Load().mocks {
		for _, r := range m.routes {
			r.calls.Store(0)
		}
	}
}

// Requests returns the requests received, oldest first, up to the history
// size.
func (s *Server) Requests() []Received {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	if !s.full {
		return slices.Clone(s.history[:s.next])
	}
	out := make([]Received, 0, len(s.history))
	out = append(out, s.history[s.next:]...)
	return append(out, s.history[:s.next]...)
}

// Subscribe calls fn with every request received from now on, after it was
// answered, until cancel is called. Calls are made one at a time, in the
// order requests finish, on a serving goroutine: fn must not block (hand the
// record to the UI with fyne.Do, or to a channel). fn may call Requests and
// cancel; a call already under way when cancel returns may still finish.
func (s *Server) Subscribe(fn func(Received)) (cancel func()) {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.subID++
	id := s.subID
	s.subs[id] = fn
	return func() {
		s.recMu.Lock()
		defer s.recMu.Unlock()
		delete(s.subs, id)
	}
}

// record keeps rec in the history and hands it to the subscribers. The
// deliveries are serialized by deliverMu, held around the history update so
// subscribers see records in ID order; recMu is released before calling
// them, so a subscriber may call Requests or cancel itself.
func (s *Server) record(rec Received) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	s.recMu.Lock()
	// Numbered here, in the order requests finish, so the history is in ID
	// order even when concurrent requests end out of arrival order.
	rec.ID = s.seq.Add(1)
	if len(s.history) < s.opts.History {
		s.history = append(s.history, rec)
	} else {
		s.history[s.next] = rec
	}
	s.next++
	if s.next == s.opts.History {
		s.next, s.full = 0, true
	}
	subs := make([]func(Received), 0, len(s.subs))
	for _, fn := range s.subs {
		subs = append(subs, fn)
	}
	s.recMu.Unlock()
	for _, fn := range subs {
		fn(rec)
	}
}

// envOf returns the CEL environment of route bodies, built once.
func (s *Server) envOf() (*expr.Env, error) {
	if s.env != nil {
		return s.env, nil
	}
	base, err := expr.NewEnv(expr.Options{Now: s.opts.Now})
	if err != nil {
		return nil, err
	}
	env, err := base.WithVariables("request", "params")
	if err != nil {
		return nil, err
	}
	s.env = env
	return env, nil
}

// resolve returns a secret's value through Options.Secrets, or, without
// one, a literal or environment variable.
func (s *Server) resolve(ctx context.Context, ref *flow.SecretRef) (string, error) {
	if s.opts.Secrets != nil {
		return s.opts.Secrets.Resolve(ctx, *ref)
	}
	switch {
	case ref.Env != "":
		v, ok := os.LookupEnv(ref.Env)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set; set it or store the secret", ref.Env)
		}
		return v, nil
	case ref.Secret != "":
		return "", fmt.Errorf("secret %q cannot be read: the mock server has no secret store", ref.Secret)
	}
	return ref.Literal, nil
}

// writeJSONError answers status with {"error": msg}.
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// readBody reads up to limit+1 bytes, so a body over limit is told apart.
func readBody(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	return buf.Bytes(), err
}

// mockNames lists the served mocks, sorted, for messages.
func (t *table) mockNames() string {
	names := make([]string, 0, len(t.mocks))
	for n := range t.mocks {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
