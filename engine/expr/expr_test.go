package expr

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func newEnv(t testing.TB) *Env {
	t.Helper()
	env, err := NewEnv(Options{
		UUID: func() string { return "00000000-0000-4000-8000-000000000001" },
		Now:  func() time.Time { return time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestEval(t *testing.T) {
	env := newEnv(t)
	act := &Activation{
		Vars:    map[string]any{"amount": 1500.0, "greeting": "Hello"},
		Steps:   map[string]any{"lookup": map[string]any{"status": int64(200), "body": map[string]any{"returnValue": "vip"}}},
		Trigger: map[string]any{"chatId": "c-1", "name": "Ada"},
		Env:     map[string]any{"name": "dev"},
		Run:     map[string]any{"id": "r1", "attempt": int64(1)},
		Flow:    map[string]any{"name": "F"},
	}
	cases := []struct {
		name, src string
		want      any
	}{
		{"string literal", `"/v1/tier"`, "/v1/tier"},
		{"json literal body", `{"chatId": trigger.chatId, "priority": "High"}`, map[string]any{"chatId": "c-1", "priority": "High"}},
		{"double compared with int", `vars.amount > 1000`, true},
		{"concat", `vars.greeting + " " + trigger.name`, "Hello Ada"},
		{"step body", `steps.lookup.body.returnValue`, "vip"},
		{"env", `env.name`, "dev"},
		{"strings ext", `"a,b".split(",")`, []any{"a", "b"}},
		{"encoders ext", `base64.encode(b"hi")`, "aGk="},
		{"math ext", `math.greatest(1, 5, 3)`, int64(5)},
		{"lists ext", `[3,1,2].sort()`, []any{int64(1), int64(2), int64(3)}},
		{"uuid", `uuid()`, "00000000-0000-4000-8000-000000000001"},
		{"now", `string(now())`, "2026-11-23T09:30:00Z"},
		{"now as timestamp", `now()`, "2026-11-23T09:30:00Z"},
		{"null", `null`, nil},
		{"has macro", `has(trigger.missing)`, false},
		{"ternary", `run.attempt == 1 ? "first" : "again"`, "first"},
		{"list literal", `[1, "x", true]`, []any{int64(1), "x", true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := env.Compile(c.src)
			if err != nil {
				t.Fatalf("compile %s: %v", c.src, err)
			}
			got, err := p.Eval(context.Background(), act)
			if err != nil {
				t.Fatalf("eval %s: %v", c.src, err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("eval %s = %#v, want %#v", c.src, got, c.want)
			}
		})
	}
}

func TestCompileErrorsCarryPosition(t *testing.T) {
	env := newEnv(t)
	cases := []struct {
		name, src     string
		line, col     int
		wantInMessage string
	}{
		{"syntax", `vars.a +`, 1, 9, "Syntax error"},
		{"unknown name", `nope.a`, 1, 1, "undeclared reference to 'nope'"},
		{"second line", "vars.a +\n  foo(1)", 2, 6, "undeclared reference to 'foo'"},
		{"empty", `   `, 0, 0, "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := env.Compile(c.src)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if e.Line != c.line || e.Column != c.col || !strings.Contains(e.Message, c.wantInMessage) {
				t.Fatalf("got %d:%d %q, want %d:%d containing %q", e.Line, e.Column, e.Message, c.line, c.col, c.wantInMessage)
			}
		})
	}
}

func TestHostileExpressionsAreBounded(t *testing.T) {
	env := newEnv(t)
	t.Run("source too large", func(t *testing.T) {
		_, err := env.Compile(`"` + strings.Repeat("a", MaxSourceBytes) + `"`)
		if err == nil || !strings.Contains(err.Error(), "limit") {
			t.Fatalf("want size error, got %v", err)
		}
	})
	t.Run("cost limit", func(t *testing.T) {
		p, err := env.Compile(`lists.range(100000).map(i, lists.range(100000).map(j, i*j)).size()`)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = p.Eval(context.Background(), nil)
		if err == nil || !strings.Contains(err.Error(), "cost limit") {
			t.Fatalf("want cost limit error, got %v", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("cost limit took %v to stop the evaluation", d)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		p, err := env.Compile(`lists.range(1000).map(i, lists.range(1000).map(j, i*j)).size()`)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := p.Eval(ctx, nil); err == nil {
			t.Fatal("want an error from a cancelled evaluation")
		}
	})
	t.Run("deep nesting", func(t *testing.T) {
		_, err := env.Compile(strings.Repeat("[", 500) + strings.Repeat("]", 500))
		if err == nil {
			t.Fatal("want an error for nesting past the recursion limit")
		}
	})
}

func TestConstantsAreEvaluatedOnce(t *testing.T) {
	env := newEnv(t)
	p, err := env.Compile(`{"a": [1, 2], "b": "x"}`)
	if err != nil {
		t.Fatal(err)
	}
	if !p.isLt {
		t.Fatal("a literal body should be folded at compile time")
	}
	q, err := env.Compile(`uuid()`)
	if err != nil {
		t.Fatal(err)
	}
	if q.isLt {
		t.Fatal("uuid() must be evaluated on every call")
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{`"/v1/tier"`, `vars.amount > 1000`, `{"chatId": trigger.chatId}`, `steps.a.body.items.map(x, x.id)`, `"a".split(",")[0]`} {
		f.Add(s)
	}
	env := newEnv(f)
	f.Fuzz(func(t *testing.T, src string) {
		p, err := env.Compile(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("compile error is not *Error: %T %v", err, err)
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, _ = p.Eval(ctx, &Activation{Vars: map[string]any{"amount": 1.0}})
	})
}

func BenchmarkEvalStep(b *testing.B) {
	env := newEnv(b)
	uri, _ := env.Compile(`"/items/" + string(vars.n)`)
	hdr, _ := env.Compile(`"req-" + run.id`)
	body, _ := env.Compile(`{"chatId": trigger.chatId, "n": vars.n}`)
	act := &Activation{Vars: map[string]any{"n": int64(3)}, Run: map[string]any{"id": "r"}, Trigger: map[string]any{"chatId": "c"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range []*Program{uri, hdr, body} {
			if _, err := p.Eval(ctx, act); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestCostTrackingOnlyWhereTheWorstCaseExceedsTheLimit(t *testing.T) {
	env := newEnv(t)
	for _, c := range []struct {
		src  string
		want bool
	}{
		{`"/items/" + trigger.chatId`, true},
		{`{"chatId": trigger.chatId, "n": vars.n * 2}`, true},
		{`lists.range(100000).map(i, lists.range(100000).map(j, i*j)).size()`, false},
	} {
		t.Run(c.src, func(t *testing.T) {
			ast, iss := env.env.Compile(c.src)
			if iss.Err() != nil {
				t.Fatal(iss.Err())
			}
			if got := env.withinLimit(ast); got != c.want {
				t.Fatalf("withinLimit = %v, want %v", got, c.want)
			}
		})
	}
}
