// Package engine runs flows. Compile turns a flow into a Plan (graph checked,
// every expression compiled once); a Runner executes plans: it evaluates
// expressions against the run's context, sends HTTP calls through per-connection
// clients with authentication, retries and signing, chooses branches, and reports
// every step to its observers. The GUI, event triggers and `flowbench run` all run
// flows through a Runner; nothing else performs a run.
package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/flowbench/flowbench/engine/auth"
	"github.com/flowbench/flowbench/engine/clock"
	"github.com/flowbench/flowbench/engine/expr"
	"github.com/flowbench/flowbench/flow"
)

// Defaults of a Runner.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBodyBytes = 10 << 20
	DefaultMaxSteps     = 10_000
	// StepsPerNode scales the step limit with the flow's size.
	StepsPerNode = 100
	// recordBodyBytes bounds how much of each body a step record keeps.
	recordBodyBytes = 256 << 10
)

// SecretSource looks up a sealed secret by name (storage implements it).
type SecretSource interface {
	SecretValue(ctx context.Context, name string) (string, error)
}

// Options configure a Runner. The zero value runs flows with real time,
// environment variables and the defaults above.
type Options struct {
	// Connections are the connections calls may use, by name.
	Connections []flow.Connection
	// Secrets resolves {"secret": NAME} references; nil means none can be resolved.
	Secrets SecretSource
	// Tokens persists OAuth tokens across restarts; may be nil.
	Tokens auth.TokenStore
	// Observers receive every run event.
	Observers []Observer
	// Getenv resolves {"env": VAR} references; nil means os.Getenv.
	Getenv func(string) string
	// Clock is the one time of the runner: the times of runs, steps and
	// events, the waits between attempts and of delay nodes, and the timers
	// of step timeouts; nil means the real clock. Its methods are promoted,
	// so the runner calls opts.Now() and opts.Sleep(ctx, d). A test gives a
	// clocktest.Clock to make retries and timeouts instant and exact.
	clock.Clock
	// Rand and NewID are injected so tests run deterministically.
	Rand  func() float64
	NewID func() string
	// MaxBodyBytes caps a response body; a larger one fails the step. It
	// cannot exceed expr.MaxInputBytes, the size expressions are proven
	// cheap for.
	MaxBodyBytes int64
	// MaxSteps bounds the steps of one run, so a loop that never exits ends.
	// 0 means relative to the flow: max(DefaultMaxSteps, StepsPerNode × the
	// flow's nodes).
	MaxSteps int
	// Transport is the base transport cloned for each connection; nil means
	// a clone of http.DefaultTransport.
	Transport *http.Transport
	// Resolve overrides a connection's base URL (a mock switch); nil keeps it.
	Resolve func(conn flow.Connection) (baseURL string, ok bool)
	// Env and EnvName are the environment (`env` in expressions) of runs
	// whose Input names none: runs started by events and webhooks.
	Env     map[string]any
	EnvName string
}

// Runner executes plans. It is safe for concurrent use: concurrent runs share
// the per-connection HTTP clients and authenticators (so one OAuth token serves
// them all).
type Runner struct {
	opts Options
	obs  fanout

	mu     sync.Mutex
	conns  map[string]flow.Connection
	live   map[string]*connState
	events *Events
	// hooks replace calls and raised events (NewHookedRunner, step_api.go).
	hooks Hooks
}

// NewRunner returns a Runner with the given options.
func NewRunner(opts Options) *Runner {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.NewID == nil {
		opts.NewID = newIDSource().NewString
	}
	if opts.MaxBodyBytes <= 0 || opts.MaxBodyBytes > expr.MaxInputBytes {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	r := &Runner{opts: opts, live: map[string]*connState{}}
	r.SetConnections(opts.Connections)
	for _, o := range opts.Observers {
		r.obs.add(o)
	}
	return r
}

// AddObserver adds an observer for the runs that start from now on.
func (r *Runner) AddObserver(o Observer) { r.obs.add(o) }

// SetConnections replaces the connections calls may use. Clients and tokens of
// connections whose configuration did not change are kept.
func (r *Runner) SetConnections(conns []flow.Connection) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := make(map[string]flow.Connection, len(conns))
	for _, c := range conns {
		next[c.Name] = c
	}
	for name, st := range r.live {
		if c, ok := next[name]; !ok || !sameConnection(c, st.conn) {
			st.close()
			delete(r.live, name)
		}
	}
	r.conns = next
}

// Connections returns the connections the runner knows.
func (r *Runner) Connections() []flow.Connection {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]flow.Connection, 0, len(r.conns))
	for _, c := range r.conns {
		out = append(out, c)
	}
	return out
}

// Drain waits until every observer has received every event emitted so far.
func (r *Runner) Drain(ctx context.Context) error { return r.obs.drain(ctx) }

// CloseIdleConnections closes the keep-alive connections no call is using,
// on every connection's transport, as http.Client.CloseIdleConnections does;
// the next call to a host dials it again.
func (r *Runner) CloseIdleConnections() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range r.live {
		st.close()
	}
}

// Close drains and stops the observers and closes idle connections.
func (r *Runner) Close() {
	r.obs.close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, st := range r.live {
		st.close()
		delete(r.live, name)
	}
}

// secretResolver resolves secret references for authenticators and signing.
type secretResolver struct{ r *Runner }

// Resolve returns the value a reference points to.
func (s secretResolver) Resolve(ctx context.Context, ref flow.SecretRef) (string, error) {
	switch {
	case ref.Literal != "":
		return ref.Literal, nil
	case ref.Env != "":
		v := s.r.opts.Getenv(ref.Env)
		if v == "" {
			return "", fmt.Errorf("environment variable %s is not set; set it or store the secret in Flowbench", ref.Env)
		}
		return v, nil
	case ref.Secret != "":
		if s.r.opts.Secrets == nil {
			return "", fmt.Errorf("secret %q cannot be read: no secret store is open", ref.Secret)
		}
		v, err := s.r.opts.Secrets.SecretValue(ctx, ref.Secret)
		if err != nil {
			return "", fmt.Errorf("secret %q: %w", ref.Secret, err)
		}
		return v, nil
	}
	return "", fmt.Errorf("no secret given")
}
