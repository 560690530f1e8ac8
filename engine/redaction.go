package engine

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/flowbench/flowbench/engine/auth"
	"github.com/flowbench/flowbench/flow"
)

// redactor redacts what one attempt records, as redactHeaders, redactURL and
// redactString do, and notes in the exchange each field it changed
// (flow.Redaction), so a viewer can mark a redacted value as such.
type redactor struct {
	sens auth.Sensitive
	conn string // the call's connection, whose secrets they are
	ex   *flow.Exchange
}

// note records that field had a secret replaced, keeping the names sorted
// so a record does not depend on the order a header map is read in.
func (r *redactor) note(field string) {
	if r.ex.Redacted == nil {
		r.ex.Redacted = &flow.Redaction{Connection: r.conn}
	}
	if i, found := slices.BinarySearch(r.ex.Redacted.Fields, field); !found {
		r.ex.Redacted.Fields = slices.Insert(r.ex.Redacted.Fields, i, field)
	}
}

// text redacts s, the value of field. An unchanged string is the one
// passed in, so comparing them costs nothing when there was no secret.
func (r *redactor) text(field, s string) string {
	out := redactString(s, r.sens)
	if out != s {
		r.note(field)
	}
	return out
}

// url redacts u.
func (r *redactor) url(u *url.URL) string {
	in := u.String()
	_, out, _ := auth.Redact(r.sens, nil, in, "")
	if out != in {
		r.note("url")
	}
	return out
}

// header redacts h, noting each changed header as prefix.NAME. Redact
// returns h itself when nothing changed, so its values are compared in
// place.
func (r *redactor) header(prefix string, h http.Header) map[string][]string {
	out := redactHeaders(h, r.sens)
	for k, vs := range out {
		was := h[k]
		for i, v := range vs {
			if i >= len(was) || v != was[i] {
				r.note(prefix + "." + k)
				break
			}
		}
	}
	return out
}
