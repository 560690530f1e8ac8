package storage

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/flowbench/flowbench/flow"
)

// The recorder encodes every step it records (its exchanges and return value
// included) as JSON on its writer goroutine, where each CPU microsecond is
// taken from the runs being recorded. encoding/json spends most of that on
// reflection, on sorting header maps through reflect.Value keys and on a
// fresh buffer per call, so the recorder appends the JSON itself into a
// buffer it keeps.
//
// The bytes are the ones json.Marshal writes for the same values (map keys
// sorted, <, > and & escaped, invalid UTF-8 replaced), so what is stored,
// and what readers decode, does not depend on which encoder wrote it; the
// tests in encode_test.go hold the two to that. A value of a type not
// handled here is written by json.Marshal.

// maxEncodeDepth bounds how deep appendValue recurses into maps and slices
// before leaving the rest to json.Marshal, which reports cycles.
const maxEncodeDepth = 256

// appendStep appends s as json.Marshal writes its storedStep (toStored):
// fields in declaration order, empty ones left out. A field added to
// storedStep must be added here too (TestAppendStep fails until it is). The
// error is appendValue's, for a return value JSON cannot hold.
// invalidUTF8 is how encoding/json writes a byte that is not UTF-8: Go
// 1.26 writes the escape \ufffd, Go 1.27 the character U+FFFD itself. The
// encoder asks the json package once, so its output stays byte for byte
// that of json.Marshal under either.
var invalidUTF8 = func() string {
	b, _ := json.Marshal("\xff")
	return string(b[1 : len(b)-1])
}()

func appendStep(b []byte, s *flow.Step) ([]byte, error) {
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, int64(s.Seq), 10)
	b = append(b, `,"node":`...)
	b = appendString(b, s.Node)
	b = appendStringField(b, `,"kind":`, string(s.Kind))
	b = appendStringField(b, `,"title":`, s.Title)
	b = append(b, `,"status":`...)
	b = appendString(b, string(s.Status))
	b = appendStringField(b, `,"port":`, s.Port)
	b = appendIntField(b, `,"httpStatus":`, int64(s.HTTPStatus))
	if s.ReturnValue != nil {
		b = append(b, `,"returnValue":`...)
		var err error
		if b, err = appendValue(b, s.ReturnValue, 0); err != nil {
			return b, err
		}
	}
	b = appendStringField(b, `,"decision":`, s.Decision)
	b = appendIntField(b, `,"attempts":`, int64(s.Attempts))
	b = appendIntField(b, `,"startedAt":`, unixNano(s.StartedAt))
	b = appendIntField(b, `,"durationMs":`, s.DurationMs)
	b = appendIntField(b, `,"pausedMs":`, s.PausedMs)
	b = appendStringField(b, `,"error":`, s.Error)
	if len(s.Exchanges) > 0 {
		b = append(b, `,"exchanges":`...)
		b = appendExchanges(b, s.Exchanges)
	}
	return append(b, '}'), nil
}

// appendStringField appends key (`,"name":`) and v as a JSON string, or
// nothing when v is empty: an omitempty string field.
func appendStringField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(append(b, key...), v)
}

// appendIntField appends key (`,"name":`) and v, or nothing when v is 0: an
// omitempty integer field.
func appendIntField(b []byte, key string, v int64) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), v, 10)
}

// appendExchanges appends exs as json.Marshal writes a []flow.Exchange.
func appendExchanges(b []byte, exs []flow.Exchange) []byte {
	if exs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range exs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendExchange(b, &exs[i])
	}
	return append(b, ']')
}

// appendExchange appends x as json.Marshal writes a flow.Exchange: fields in
// declaration order, those tagged omitempty left out when empty. A field
// added to flow.Exchange must be added here too (TestAppendExchangeFields
// fails until it is).
func appendExchange(b []byte, x *flow.Exchange) []byte {
	b = append(b, `{"attempt":`...)
	b = strconv.AppendInt(b, int64(x.Attempt), 10)
	b = appendStringField(b, `,"taskGuid":`, x.TaskGUID)
	b = append(b, `,"method":`...)
	b = appendString(b, x.Method)
	b = append(b, `,"url":`...)
	b = appendString(b, x.URL)
	if len(x.RequestHeaders) > 0 {
		b = append(b, `,"requestHeaders":`...)
		b = appendHeader(b, x.RequestHeaders)
	}
	b = appendStringField(b, `,"requestBody":`, x.RequestBody)
	b = appendIntField(b, `,"status":`, int64(x.Status))
	if len(x.ResponseHeaders) > 0 {
		b = append(b, `,"responseHeaders":`...)
		b = appendHeader(b, x.ResponseHeaders)
	}
	b = appendStringField(b, `,"responseBody":`, x.ResponseBody)
	b = appendIntField(b, `,"responseSize":`, x.ResponseSize)
	if x.Truncated {
		b = append(b, `,"truncated":true`...)
	}
	b = append(b, `,"durationMs":`...)
	b = strconv.AppendInt(b, x.DurationMs, 10)
	b = appendIntField(b, `,"waitMs":`, x.WaitMs)
	b = appendStringField(b, `,"error":`, x.Error)
	if t := x.Timing; t != nil {
		// Every phase that happened is followed by a comma, since
		// totalUs is always written after them.
		b = append(b, `,"timing":{`...)
		for _, f := range [...]struct {
			key string
			v   int64
		}{{`"dnsStartUs":`, t.DNSStartUs}, {`"dnsDoneUs":`, t.DNSDoneUs}, {`"connectStartUs":`, t.ConnectStartUs},
			{`"connectDoneUs":`, t.ConnectDoneUs}, {`"tlsStartUs":`, t.TLSStartUs}, {`"tlsDoneUs":`, t.TLSDoneUs},
			{`"wroteUs":`, t.WroteUs}, {`"firstByteUs":`, t.FirstByteUs}} {
			if f.v != 0 {
				b = append(strconv.AppendInt(append(b, f.key...), f.v, 10), ',')
			}
		}
		b = strconv.AppendInt(append(b, `"totalUs":`...), t.TotalUs, 10)
		if t.Reused {
			b = append(b, `,"reused":true`...)
		}
		b = append(b, '}')
	}
	if r := x.Redacted; r != nil {
		b = append(b, `,"redacted":{`...)
		if r.Connection != "" {
			b = append(appendString(append(b, `"connection":`...), r.Connection), ',')
		}
		b = append(b, `"fields":`...)
		if r.Fields == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, f := range r.Fields {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, f)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendHeader appends h with its keys sorted, as json.Marshal does; a nil
// value list is null.
func appendHeader(b []byte, h map[string][]string) []byte {
	b, _ = appendObject(b, h, func(b []byte, vs []string) ([]byte, error) {
		if vs == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for j, v := range vs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		return append(b, ']'), nil
	})
	return b
}

// appendObject appends m as a JSON object with its keys sorted, as
// json.Marshal does, each value written by val; a nil map is null. It stops
// at val's first error.
func appendObject[V any](b []byte, m map[string]V, val func([]byte, V) ([]byte, error)) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	var arr [16]string
	keys := sortedKeys(m, arr[:0])
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = val(b, m[k]); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// sortedKeys appends m's keys to keys and sorts them. Maps here are small:
// callers pass a stack array's slice so most need no allocation.
func sortedKeys[V any](m map[string]V, keys []string) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendValue appends v as json.Marshal writes it. It handles the values a
// step's return value is made of (what engine/expr.ToNative and
// encoding/json's decoding produce) and leaves anything else, and NaN or
// infinite numbers, to json.Marshal, whose error it returns.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxEncodeDepth {
		return appendMarshal(b, v)
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return appendMarshal(b, v)
		}
		return appendFloat(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case []byte:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, x)
		return append(b, '"'), nil
	case map[string]any:
		return appendObject(b, x, func(b []byte, v any) ([]byte, error) { return appendValue(b, v, depth+1) })
	case []any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e, depth+1); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
	return appendMarshal(b, v)
}

func appendMarshal(b []byte, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}

// appendFloat writes f as encoding/json does (the ES6 number-to-string
// rule): plain decimals, exponents only below 1e-6 or from 1e21 on, and no
// leading zero in a negative exponent.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// strconv writes e-07 where encoding/json writes e-7.
		if n := len(b) - start; n >= 4 && b[len(b)-4] == 'e' && b[len(b)-3] == '-' && b[len(b)-2] == '0' {
			b[len(b)-2] = b[len(b)-1]
			b = b[:len(b)-1]
		}
	}
	return b
}

// jsonPlain marks the bytes json.Marshal copies into a string as they are:
// printable ASCII other than the quote, the backslash and the HTML-sensitive
// <, > and &. Bytes from 0x80 on start a multi-byte rune and are looked at
// as one.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString appends s as a quoted JSON string, escaped as json.Marshal
// escapes it.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	plain := 0 // s[plain:i] is waiting to be copied as it is
	for i := 0; i < len(s); {
		for i < len(s) && jsonPlain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[plain:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			plain = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[plain:i]...)
			b = append(b, invalidUTF8...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not valid JavaScript: escaped for JSONP.
			b = append(b, s[plain:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		plain = i
	}
	b = append(b, s[plain:]...)
	return append(b, '"')
}
