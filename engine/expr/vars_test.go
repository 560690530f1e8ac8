package expr

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestWithVariables(t *testing.T) {
	base, err := NewEnv(Options{})
	if err != nil {
		t.Fatal(err)
	}
	env, err := base.WithVariables("request", "params")
	if err != nil {
		t.Fatalf("WithVariables: %v", err)
	}
	extra := map[string]any{
		"request": map[string]any{"method": "POST", "body": map[string]any{"chatId": "vip-7"}, "query": map[string]any{"x": "1"}},
		"params":  map[string]any{"id": "A-1"},
	}
	tests := []struct {
		name, src string
		want      any
	}{
		{"reads request body", `request.body.chatId.startsWith("vip") ? "vip" : "standard"`, "vip"},
		{"reads params", `{"id": params.id, "n": 1}`, map[string]any{"id": "A-1", "n": int64(1)}},
		{"has on dyn maps", `has(request.body.missing) ? 1 : 2`, int64(2)},
		{"flow names still in scope", `has(vars.x) ? "x" : request.query.x`, "1"},
		{"constant", `{"returnValue": "vip"}`, map[string]any{"returnValue": "vip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := env.Compile(tt.src)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := p.EvalWith(context.Background(), nil, extra)
			if err != nil {
				t.Fatalf("EvalWith: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
	t.Run("the base env does not know the names", func(t *testing.T) {
		if _, err := base.Compile(`request.body`); err == nil {
			t.Fatal("the base env compiled request.body; WithVariables must not change it")
		}
	})
	t.Run("a name missing from extra is an evaluation error", func(t *testing.T) {
		p, err := env.Compile(`params.id`)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.EvalWith(context.Background(), nil, nil); err == nil {
			t.Fatal("EvalWith without params succeeded")
		}
	})
}

func TestWithVariablesRefusesBadNames(t *testing.T) {
	base, err := NewEnv(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"vars", "trigger", "1x", "a-b", ""} {
		t.Run(name, func(t *testing.T) {
			if _, err := base.WithVariables(name); err == nil || !strings.Contains(err.Error(), "declare variable") {
				t.Fatalf("WithVariables(%q) = %v, want an error", name, err)
			}
		})
	}
}

func TestConstant(t *testing.T) {
	env, err := NewEnv(Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		src      string
		constant bool
	}{
		{`{"a": [1, 2]}`, true},
		{`"text"`, true},
		{`vars.a`, false},
		{`uuid()`, false},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := env.Compile(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := p.Constant(); ok != tt.constant {
				t.Fatalf("Constant() ok = %v, want %v", ok, tt.constant)
			}
		})
	}
}
