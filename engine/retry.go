package engine

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// Retry defaults for a call whose retry block leaves a field out.
const (
	defaultInitialInterval = time.Second
	defaultBackoffRate     = 2.0
	defaultMaxInterval     = 30 * time.Second
)

// attemptFailure is how an attempt ended without an answer, if it did.
type attemptFailure int

const (
	// failNone: an answer arrived; its status decides.
	failNone attemptFailure = iota
	// failNetwork: the connection failed (refused, reset, DNS, TLS, auth).
	failNetwork
	// failTimeout: no answer within the call's timeout.
	failTimeout
	// failDeadline: the step's deadline passed during the attempt.
	failDeadline
	// failStopped: the run was stopped.
	failStopped
	// failFinal: another attempt would fail alike (a body over the cap, a
	// request that cannot be built).
	failFinal
)

// shouldRetry applies the call's retry rule (flow.RetryRule, the one home of
// which statuses and conditions are retried) to how an attempt ended.
func shouldRetry(rule flow.RetryRule, status int, failure attemptFailure) bool {
	switch failure {
	case failNone:
		return rule.RetriesStatus(status)
	case failNetwork:
		return rule.RetriesNetwork()
	case failTimeout:
		return rule.RetriesTimeout()
	}
	return false
}

// backoff returns the wait before attempt n+1 after n failed attempts (n ≥ 1):
// exponential growth from the initial interval by the backoff rate, capped by
// the maximum interval, with full jitter (a uniform draw in [0, cap)) so that
// many clients retrying at once spread out. rnd returns a value in [0, 1).
func backoff(p *flow.Retry, n int, rnd func() float64) time.Duration {
	initial, rate, maxI := defaultInitialInterval, defaultBackoffRate, defaultMaxInterval
	if p != nil {
		if p.InitialInterval > 0 {
			initial = p.InitialInterval.D()
		}
		if p.BackoffRate >= 1 {
			rate = p.BackoffRate
		}
		if p.MaxInterval > 0 {
			maxI = p.MaxInterval.D()
		}
	}
	ceiling := float64(initial) * math.Pow(rate, float64(n-1))
	if ceiling > float64(maxI) || math.IsInf(ceiling, 0) || math.IsNaN(ceiling) {
		ceiling = float64(maxI)
	}
	return time.Duration(rnd() * ceiling)
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date. It
// reports false when the header is absent or unreadable.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// maxAttempts is the number of attempts a call may make.
func maxAttempts(p *flow.Retry) int {
	if p == nil || p.MaxAttempts < 1 {
		return 1
	}
	return p.MaxAttempts
}
