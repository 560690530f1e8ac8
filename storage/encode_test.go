package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// awkward holds strings json.Marshal escapes in every way it knows.
var awkward = []string{
	"",
	"plain",
	`quote " backslash \ slash /`,
	"<script>&amp;</script>",
	"\b\f\n\r\t\x00\x01\x1f\x7f",
	"héllo wörld ✓ 日本語 🙂",
	"line\u2028para\u2029end",
	"bad \xff utf8 \xc3 and \xed\xa0\x80 surrogate",
}

// fillNonZero sets every field of the struct v points to a value that is not
// empty, so that no omitempty field is left out.
func fillNonZero(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(fmt.Sprintf("%s <&> %d", v.Type().Field(i).Name, i))
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(100 + i))
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Map:
			f.Set(reflect.ValueOf(map[string][]string{"X-B": {"2", "3"}, "X-A": {"1"}}))
		case reflect.Slice:
			f.Set(reflect.ValueOf([]string{"requestHeaders.X-A", "body <&>"}))
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
			fillNonZero(t, f.Elem())
		default:
			t.Fatalf("flow.Exchange.%s is a %s: teach fillNonZero and appendExchange about it",
				v.Type().Field(i).Name, f.Kind())
		}
	}
}

func mustMatchMarshal(t *testing.T, what string, got []byte, v any) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: json.Marshal: %v", what, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from json.Marshal:\ngot  %s\nwant %s", what, got, want)
	}
}

// TestAppendExchangeFields fails when flow.Exchange gains a field that
// appendExchange does not write.
func TestAppendExchangeFields(t *testing.T) {
	var full flow.Exchange
	fillNonZero(t, reflect.ValueOf(&full).Elem())
	for _, tc := range []struct {
		name string
		exs  []flow.Exchange
	}{
		{"every field set", []flow.Exchange{full}},
		{"zero exchange", []flow.Exchange{{}}},
		{"nil slice", nil},
		{"empty slice", []flow.Exchange{}},
		{"empty and nil header values", []flow.Exchange{{
			RequestHeaders:  map[string][]string{"Empty": {}, "Nil": nil, "Two": {"a", "b"}},
			ResponseHeaders: map[string][]string{},
		}}},
		{"many headers", []flow.Exchange{{RequestHeaders: func() map[string][]string {
			h := map[string][]string{}
			for i := range 40 {
				h[fmt.Sprintf("X-H%02d", 40-i)] = []string{fmt.Sprint(i)}
			}
			return h
		}()}}},
		{"timing and redaction in part", []flow.Exchange{
			{Timing: &flow.Timing{}, Redacted: &flow.Redaction{}},
			{Timing: &flow.Timing{FirstByteUs: 7, TotalUs: 9, Reused: true}, Redacted: &flow.Redaction{Fields: []string{}}},
			{Timing: &flow.Timing{DNSDoneUs: 3, TLSStartUs: 4}, Redacted: &flow.Redaction{Connection: "crm", Fields: []string{"url"}}},
		}},
		{"awkward strings", func() []flow.Exchange {
			var exs []flow.Exchange
			for _, s := range awkward {
				exs = append(exs, flow.Exchange{Method: s, URL: s, TaskGUID: s, RequestBody: s, ResponseBody: s, Error: s,
					RequestHeaders: map[string][]string{s + "k": {s}}, Attempt: -1, Status: 599, ResponseSize: math.MaxInt64,
					DurationMs: math.MinInt64, WaitMs: 1})
			}
			return exs
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustMatchMarshal(t, "exchanges", appendExchanges([]byte("prefix"), tc.exs)[len("prefix"):], tc.exs)
		})
	}
}

type point struct {
	X, Y int
}

func TestAppendValue(t *testing.T) {
	many := map[string]any{}
	for i := range 40 {
		many[fmt.Sprintf("k%02d", 40-i)] = i
	}
	nested := map[string]any{"a": []any{map[string]any{"b": []any{nil, true, 1.5}}}, "": "empty key"}
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"nil", nil},
		{"true", true},
		{"false", false},
		{"int64", int64(-42)},
		{"int", 7},
		{"uint64", uint64(math.MaxUint64)},
		{"string", "vip"},
		{"bytes", []byte("raw \x00 bytes")},
		{"nil bytes", []byte(nil)},
		{"map", map[string]any{"tier": "vip", "score": 0.93, "tags": []any{"a", "b"}, "ok": true}},
		{"nil map", map[string]any(nil)},
		{"empty map", map[string]any{}},
		{"map of many keys", many},
		{"nested", nested},
		{"nil slice", []any(nil)},
		{"empty slice", []any{}},
		{"awkward keys and values", func() map[string]any {
			m := map[string]any{}
			for i, s := range awkward {
				m[s] = []any{s, i}
			}
			return m
		}()},
		{"json.Number", json.Number("12.50")},
		{"raw message", json.RawMessage(`{ "b" : 1 , "a":"<"}`)},
		{"struct", point{1, 2}},
		{"time in a map", map[string]any{"at": time.Unix(1_750_000_000, 5).UTC()}},
		{"map of strings", map[string]string{"b": "2", "a": "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendValue(nil, tc.v, 0)
			if err != nil {
				t.Fatalf("appendValue: %v", err)
			}
			mustMatchMarshal(t, "value", got, tc.v)
		})
	}
}

func TestAppendValueFloats(t *testing.T) {
	for _, f := range []float64{
		0, math.Copysign(0, -1), 1, -1, 0.1, 0.93, 1.5, 100, 1e6, 123456789.125, 1e20, 1e21, 1.5e21, -1e21,
		1e-6, 9.99e-7, 1e-7, 1.234e-9, 1e-100, 5e-324, math.SmallestNonzeroFloat64, math.MaxFloat64,
		-math.MaxFloat64, 1 << 53, 1<<53 + 1, 2.5e-5, 0.000001, 1e300,
	} {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			got, err := appendValue(nil, f, 0)
			if err != nil {
				t.Fatalf("appendValue: %v", err)
			}
			mustMatchMarshal(t, "float", got, f)
		})
	}
}

func TestAppendValueErrors(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"NaN", math.NaN()},
		{"infinity in a map", map[string]any{"x": math.Inf(-1)}},
		{"channel", map[string]any{"c": make(chan int)}},
		{"cycle", cyclic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := appendValue(nil, tc.v, 0); err == nil {
				t.Fatalf("appendValue wrote %.80s, want an error", got)
			}
		})
	}
}

// TestStoredStepFields fails when flow.Step gains a field that storedStep
// (and so appendStep and the step batches) does not store.
func TestStoredStepFields(t *testing.T) {
	stored := reflect.TypeFor[storedStep]()
	for f := range reflect.TypeFor[flow.Step]().Fields() {
		if f.Name == "RunID" {
			continue // the batch row holds it
		}
		if _, ok := stored.FieldByName(f.Name); !ok {
			t.Errorf("flow.Step.%s is not in storedStep: add it there, to toStored and step, and to appendStep", f.Name)
		}
	}
	// A step with every field set survives toStored and back.
	var st flow.Step
	v := reflect.ValueOf(&st).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Interface().(type) {
		case string, flow.NodeKind, flow.Status:
			f.SetString(fmt.Sprintf("field %d", i))
		case int, int64:
			f.SetInt(int64(100 + i))
		case time.Time:
			f.Set(reflect.ValueOf(baseTime))
		case []flow.Exchange:
			f.Set(reflect.ValueOf([]flow.Exchange{{Attempt: 1, Method: "GET", URL: "/"}}))
		default:
			if f.Kind() == reflect.Interface {
				f.Set(reflect.ValueOf("returned"))
				continue
			}
			t.Fatalf("flow.Step.%s is a %s: teach this test about it", v.Type().Field(i).Name, f.Type())
		}
	}
	ss := toStored(&st)
	mustEqual(t, "a step through toStored and back", ss.step(st.RunID), st)
}

// TestAppendStep checks that a step batch holds the bytes json.Marshal
// writes for the same steps, and that a step JSON cannot hold fails its
// batch with an error naming it.
func TestAppendStep(t *testing.T) {
	_, steps := callRun("run-1", 20, baseTime)
	_, sample := sampleRun("run-1", 8, baseTime)
	// A step larger than the kept buffer, then smaller ones again.
	steps = append(steps, flow.Step{Seq: 21, Node: "big", Exchanges: []flow.Exchange{{ResponseBody: strings.Repeat("<x>", 1<<21)}}})
	steps = append(steps, sample...)
	steps = append(steps, flow.Step{}, flow.Step{Seq: -1, Node: awkward[4], Title: awkward[5], Error: awkward[7], ReturnValue: []any{}})
	var sb stepBatch
	for _, batch := range [][]flow.Step{steps[:1], steps[:20], steps[20:21], steps[21:]} {
		ptrs := make([]*flow.Step, len(batch))
		stored := make([]storedStep, len(batch))
		for i := range batch {
			ptrs[i], stored[i] = &batch[i], toStored(&batch[i])
		}
		args, err := sb.of("run-1", ptrs)
		if err != nil {
			t.Fatal(err)
		}
		mustMatchMarshal(t, fmt.Sprintf("batch from step %d", batch[0].Seq), []byte(args[3].(string)), stored)
		first, last := int64(batch[0].Seq), int64(batch[0].Seq)
		for _, s := range batch {
			first, last = min(first, int64(s.Seq)), max(last, int64(s.Seq))
		}
		mustEqual(t, "batch row", fmt.Sprint(args[:3]), fmt.Sprint([]any{"run-1", first, last}))
	}
	bad := []*flow.Step{&steps[0], {Seq: 3, Node: "n3", ReturnValue: math.Inf(1)}}
	if _, err := sb.of("run-1", bad); err == nil || !strings.Contains(err.Error(), `node "n3"`) {
		t.Fatalf("an infinite return value gave error %v, want one naming the node", err)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mustMatchMarshal(t, "string", appendString(nil, s), s)
	})
}
