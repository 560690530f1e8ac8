package flow

import (
	"fmt"
	"slices"
	"strings"
)

// The conditions a retry policy's "on" list may name: which failed attempts
// are worth another. Statuses are answers received; network and timeout are
// attempts that got no answer.
const (
	// RetryOn5xx retries a status of 500 to 599.
	RetryOn5xx = "5xx"
	// RetryOn4xx retries a status of 400 to 499 (429 and 408 included).
	RetryOn4xx = "4xx"
	// RetryOn3xx retries a status of 300 to 399 (a redirect that was not
	// followed).
	RetryOn3xx = "3xx"
	// RetryOn429 retries 429 Too Many Requests.
	RetryOn429 = "429"
	// RetryOn408 retries 408 Request Timeout.
	RetryOn408 = "408"
	// RetryOnNon2xx retries any status outside 200 to 299: the rule of HTTP
	// task platforms that treat only a 2xx as done.
	RetryOnNon2xx = "non2xx"
	// RetryOnNetwork retries an attempt that got no answer because the
	// connection failed (refused, reset, DNS, TLS, a token that could not
	// be fetched).
	RetryOnNetwork = "network"
	// RetryOnTimeout retries an attempt that got no answer within the
	// call's timeout.
	RetryOnTimeout = "timeout"
)

// RetryConditions lists every word "on" may hold, in the order forms offer
// them.
var RetryConditions = []string{RetryOn5xx, RetryOn429, RetryOn408, RetryOnNetwork, RetryOnTimeout, RetryOn4xx, RetryOn3xx, RetryOnNon2xx}

// DefaultRetryOn is what a retry policy retries when its "on" list is absent
// or empty.
var DefaultRetryOn = []string{RetryOn5xx, RetryOn429, RetryOn408, RetryOnNetwork, RetryOnTimeout}

// PlatformRetryOn is the rule of HTTP task platforms: anything but a 2xx is
// tried again, and so is an attempt without an answer.
var PlatformRetryOn = []string{RetryOnNon2xx, RetryOnNetwork, RetryOnTimeout}

// RetryRule is a retry policy's conditions as a set: the one rule of which
// failed attempts are tried again, used by the engine and described by
// validation and the forms. The zero value retries nothing.
type RetryRule uint16

const (
	rule5xx RetryRule = 1 << iota
	rule4xx
	rule3xx
	rule429
	rule408
	ruleNon2xx
	ruleNetwork
	ruleTimeout
)

var retryRuleBits = map[string]RetryRule{
	RetryOn5xx: rule5xx, RetryOn4xx: rule4xx, RetryOn3xx: rule3xx, RetryOn429: rule429,
	RetryOn408: rule408, RetryOnNon2xx: ruleNon2xx, RetryOnNetwork: ruleNetwork, RetryOnTimeout: ruleTimeout,
}

// defaultRetryRule is DefaultRetryOn as a rule.
const defaultRetryRule = rule5xx | rule429 | rule408 | ruleNetwork | ruleTimeout

// ParseRetryOn turns an "on" list into a rule: an empty list is the default.
// An unknown word is an error naming its index in the list.
func ParseRetryOn(on []string) (RetryRule, error) {
	if len(on) == 0 {
		return defaultRetryRule, nil
	}
	var r RetryRule
	for i, w := range on {
		bit, ok := retryRuleBits[w]
		if !ok {
			return 0, &RetryOnError{Index: i, Word: w}
		}
		r |= bit
	}
	return r, nil
}

// RetryOnError is an unknown word in a retry policy's "on" list.
type RetryOnError struct {
	Index int
	Word  string
}

func (e *RetryOnError) Error() string {
	return fmt.Sprintf("unknown retry condition %q; use %s", e.Word, strings.Join(RetryConditions, ", "))
}

// Rule returns the policy's conditions; a nil policy or an "on" list that
// does not parse (validation reports it) gives the default.
func (r *Retry) Rule() RetryRule {
	if r == nil {
		return defaultRetryRule
	}
	rule, err := ParseRetryOn(r.On)
	if err != nil {
		return defaultRetryRule
	}
	return rule
}

// RetriesStatus reports whether an attempt answered with status is tried
// again. A 2xx never is.
func (r RetryRule) RetriesStatus(status int) bool {
	switch {
	case status >= 200 && status < 300:
		return false
	case r&ruleNon2xx != 0:
		return true
	case status >= 500 && status < 600:
		return r&rule5xx != 0
	case status == 429 && r&rule429 != 0, status == 408 && r&rule408 != 0:
		return true
	case status >= 400 && status < 500:
		return r&rule4xx != 0
	case status >= 300 && status < 400:
		return r&rule3xx != 0
	}
	return false
}

// RetriesNetwork reports whether an attempt whose connection failed is tried
// again.
func (r RetryRule) RetriesNetwork() bool { return r&ruleNetwork != 0 }

// RetriesTimeout reports whether an attempt that got no answer within the
// call's timeout is tried again.
func (r RetryRule) RetriesTimeout() bool { return r&ruleTimeout != 0 }

// Words lists the rule's conditions in RetryConditions order.
func (r RetryRule) Words() []string {
	var out []string
	for _, w := range RetryConditions {
		if r&retryRuleBits[w] != 0 {
			out = append(out, w)
		}
	}
	return out
}

// validateRetryOn reports unknown and repeated words of an "on" list; field
// gives the path of entry i.
func validateRetryOn(on []string, field func(i int) string, add func(sev Severity, field, format string, args ...any)) {
	for i, w := range on {
		if _, ok := retryRuleBits[w]; !ok {
			add(SeverityError, field(i), "%s", (&RetryOnError{Index: i, Word: w}).Error())
			continue
		}
		if slices.Index(on, w) < i {
			add(SeverityWarning, field(i), "%q is listed twice; remove one", w)
		}
	}
}
