package engine

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/flowbench/flowbench/engine/auth"
	"github.com/flowbench/flowbench/flow"
)

// redactor redacts what one attempt records, as redactHeaders and
// redactString do, and notes in the exchange each field it changed
// (flow.Redaction), so a viewer can mark a redacted value as such.
//
// The exchange is passed to each method rather than kept in the redactor:
// sens goes to auth.Redact, which keeps it, and escape analysis does not
// tell a struct's fields apart, so an exchange kept beside it went to the
// heap with it, an allocation of the whole Exchange for every attempt
// (BenchmarkTenGETs; docs/benchmarks.md).
type redactor struct {
	sens auth.Sensitive
	conn string // the call's connection, whose secrets they are
}

// note records that field had a secret replaced, keeping the names sorted
// so a record does not depend on the order a header map is read in.
func (r *redactor) note(ex *flow.Exchange, field string) {
	if ex.Redacted == nil {
		ex.Redacted = &flow.Redaction{Connection: r.conn}
	}
	if i, found := slices.BinarySearch(ex.Redacted.Fields, field); !found {
		ex.Redacted.Fields = slices.Insert(ex.Redacted.Fields, i, field)
	}
}

// text redacts s, the value of ex's field. An unchanged string is the one
// passed in, so comparing them costs nothing when there was no secret.
func (r *redactor) text(ex *flow.Exchange, field, s string) string {
	out := redactString(s, r.sens)
	if out != s {
		r.note(ex, field)
	}
	return out
}

// url redacts u, ex's URL.
func (r *redactor) url(ex *flow.Exchange, u *url.URL) string {
	in := u.String()
	_, out, _ := auth.Redact(r.sens, nil, in, "")
	if out != in {
		r.note(ex, "url")
	}
	return out
}

// header redacts h, noting each changed header as prefix.NAME. Redact
// returns h itself when nothing changed, so its values are compared in
// place.
func (r *redactor) header(ex *flow.Exchange, prefix string, h http.Header) map[string][]string {
	out := redactHeaders(h, r.sens)
	for k, vs := range out {
		was := h[k]
		for i, v := range vs {
			if i >= len(was) || v != was[i] {
				r.note(ex, prefix+"."+k)
				break
			}
		}
	}
	return out
}
