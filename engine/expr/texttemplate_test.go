package expr

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestTextModeShapeIsATemplate: the CEL Text mode writes (flow.TextToExpr:
// literals and string(path) joined by +) is evaluated as a template, with
// the value or the error CEL gives, for every kind of value a hole may read.
func TestTextModeShapeIsATemplate(t *testing.T) {
	env := newEnv(t)
	act := shapeActivation()
	for _, src := range []string{
		`"/v1/orders/" + string( vars.name ) + "?x=" + string(trigger.chatId)`,
		`"n-" + string(vars.amount)`,                  // int64: as CEL writes it
		`"f-" + string(vars.flag)`,                    // bool
		`"r-" + string(vars.ratio)`,                   // double: left to CEL
		`"e-" + string(env.port)`,                     // a Go int: left to CEL
		`"c-" + string(vars.customer)`,                // a map: CEL's error
		`"t-" + string(vars.tags)`,                    // a list: CEL's error
		`"z-" + string(vars.none)`,                    // null: CEL's error
		`"m-" + string(trigger.missing)`,              // no such key: CEL's error
		`string((vars.name))`,                         // a hole like a placeholder
		`string(steps.lookup.body.returnValue) + "!"`, // a deep path
		`string(vars.amount)`,                         // one hole alone
	} {
		t.Run(src, func(t *testing.T) {
			p, err := env.Compile(src)
			if err != nil {
				t.Fatal(err)
			}
			if p.parts == nil {
				t.Fatal("not evaluated as a template")
			}
			want, wantErr := p.evalCEL(context.Background(), celActivation{act})
			v, err := p.Eval(context.Background(), act)
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
				t.Fatalf("error %v, CEL gives %v", err, wantErr)
			}
			if !reflect.DeepEqual(v, want) {
				t.Fatalf("value %#v, CEL gives %#v", v, want)
			}
		})
	}
	// A template needs no CEL evaluation when the values are strings, ints
	// or bools.
	p, err := env.Compile(`"/v1/" + string(vars.name) + "/" + string(vars.amount) + "/" + string(vars.flag)`)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := p.template(celActivation{act}); !ok || v != "/v1/Ada/21/true" {
		t.Fatalf("template gives %v, %v", v, ok)
	}
}

// BenchmarkTextModeURI: evaluating a Text-mode URI
// ("/v1/orders/" + string(vars.name) + …) as a template ÷ evaluating the
// same work by CEL (one operand made not a plain path, as every Text-mode
// expression was before the template learned string()), in the same run:
// "ratio" (below 1: the template is cheaper).
func BenchmarkTextModeURI(b *testing.B) {
	env, err := NewEnv(Options{})
	if err != nil {
		b.Fatal(err)
	}
	act := shapeActivation()
	per := func(src string, template bool) float64 {
		p, err := env.Compile(src)
		if err != nil {
			b.Fatal(err)
		}
		if (p.parts != nil) != template {
			b.Fatalf("%s: template %v", src, p.parts != nil)
		}
		const n = 20_000
		start := time.Now()
		for range n {
			if _, err := p.Eval(context.Background(), act); err != nil {
				b.Fatal(err)
			}
		}
		return float64(time.Since(start).Nanoseconds()) / n
	}
	for range b.N {
		text := per(`"/v1/orders/" + string(vars.name) + "/items/" + string(vars.amount)`, true)
		cel := per(`"/v1/orders/" + string(vars.name) + "/items/" + string(vars.amount + 0)`, false)
		b.ReportMetric(text/cel, "ratio")
		b.ReportMetric(text, "text-ns/eval")
		b.ReportMetric(cel, "cel-ns/eval")
	}
}
