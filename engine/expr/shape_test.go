package expr

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// shapeActivation has a value of every kind the engine puts in a context:
// JSON-decoded bodies (int64, float64, nested maps and lists, null), flow
// variables, and an env map holding a Go int (which CEL converts to int64).
func shapeActivation() *Activation {
	return &Activation{
		Vars: map[string]any{"amount": int64(21), "name": "Ada", "ratio": 0.5, "flag": true, "none": nil,
			"tags": []any{"a", "b"}, "customer": map[string]any{"tier": "gold", "id": int64(7)}},
		Steps: map[string]any{"lookup": map[string]any{"status": int64(200),
			"body": map[string]any{"returnValue": "vip", "items": []any{int64(1), int64(2)}}}},
		Trigger: map[string]any{"chatId": "c-42", "count": int64(3)},
		Run:     map[string]any{"id": "r1"},
		Env:     map[string]any{"name": "dev", "port": 8080},
	}
}

// TestShapesGiveWhatCELGives evaluates each expression by its shape and by
// the whole CEL program, and requires the same value or the same error.
func TestShapesGiveWhatCELGives(t *testing.T) {
	env := newEnv(t)
	act := shapeActivation()
	for _, c := range []struct {
		src   string
		shape string // "map", "list", "template" or "" (plain CEL)
	}{
		{`"/items/" + trigger.chatId`, "template"},
		{`"/items/" + trigger.chatId + "/" + vars.name + "?x"`, "template"},
		{`env.name`, "template"},
		{`vars.amount`, "template"},
		{`vars.ratio`, "template"},
		{`vars.flag`, "template"},
		{`vars.none`, "template"},
		{`env.port`, "template"},                      // a Go int: CEL makes it int64
		{`vars.customer`, "template"},                 // a map: CEL copies it
		{`vars.tags`, "template"},                     // a list: CEL copies it
		{`steps.lookup.body.returnValue`, "template"}, // a deep path
		{`steps.lookup.body.missing`, "template"},     // no such key: CEL's error
		{`trigger.chatId.deeper`, "template"},         // a field of a string: CEL's error
		{`"n-" + vars.amount`, "template"},            // + of string and int: CEL's error
		{`"n-" + vars.none`, "template"},              // + of string and null: CEL's error
		{`vars.name + vars.name`, "template"},
		{`{"chatId": trigger.chatId, "priority": "High", "amount": vars.amount * 2}`, "map"},
		{`{"customer": {"id": vars.customer.id, "tier": vars.customer.tier}, "tags": vars.tags + ["c"]}`, "map"},
		{`{"a": trigger.missing}`, "map"},
		{`{"a": 1, "a": 2}`, ""}, // a repeated key is CEL's error
		{`{"a": uuid(), "b": now()}`, "map"},
		{`{trigger.chatId: 1}`, ""},
		{`[trigger.chatId, vars.amount + 1, {"x": vars.name}]`, "list"},
		{`[1, 2, trigger.count]`, "list"},
		{`has(trigger.chatId)`, ""},
		{`trigger.chatId.upperAscii()`, ""},
		{`vars.amount + 1`, ""},
	} {
		t.Run(c.src, func(t *testing.T) {
			p, err := env.Compile(c.src)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			switch {
			case p.isMap:
				got = "map"
			case p.isList:
				got = "list"
			case p.parts != nil:
				got = "template"
			}
			if got != c.shape {
				t.Fatalf("shape %q, want %q", got, c.shape)
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
}

// TestShapedMapsAreFreshAndConstantsFolded: every evaluation of a split map
// builds a new map (callers may keep it), and constant values are computed
// once at compile time.
func TestShapedMapsAreFreshAndConstantsFolded(t *testing.T) {
	env := newEnv(t)
	p, err := env.Compile(`{"id": uuid(), "fixed": {"a": [1, 2]}, "who": vars.name}`)
	if err != nil {
		t.Fatal(err)
	}
	if !p.isMap || len(p.fields) != 3 {
		t.Fatalf("not split: %+v", p)
	}
	if !p.fields[1].val.isLt || p.fields[0].val.isLt || p.fields[2].val.isLt {
		t.Fatal("only the constant value should be folded")
	}
	act := shapeActivation()
	a, _ := p.Eval(context.Background(), act)
	b, _ := p.Eval(context.Background(), act)
	a.(map[string]any)["who"] = "changed"
	if b.(map[string]any)["who"] != "Ada" {
		t.Fatal("two evaluations share one map")
	}
}

// TestShapedEvalWithReadsExtraNames: split maps evaluated with EvalWith see
// the extra names (a mock's request) in their values.
func TestShapedEvalWithReadsExtraNames(t *testing.T) {
	env, err := newEnv(t).WithVariables("request")
	if err != nil {
		t.Fatal(err)
	}
	p, err := env.Compile(`{"echo": request.body.name, "env": env.name}`)
	if err != nil {
		t.Fatal(err)
	}
	v, err := p.EvalWith(context.Background(), shapeActivation(), map[string]any{"request": map[string]any{"body": map[string]any{"name": "Bo"}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"echo": "Bo", "env": "dev"}; !reflect.DeepEqual(v, want) {
		t.Fatalf("got %#v, want %#v", v, want)
	}
}

// FuzzShapesMatchCEL: for any expression that compiles, evaluating it by its
// shape gives what the whole CEL program gives, value or error.
func FuzzShapesMatchCEL(f *testing.F) {
	for _, s := range []string{
		`"/items/" + trigger.chatId`, `env.port`, `vars.customer`, `"n-" + vars.amount`,
		`{"a": trigger.chatId, "b": [vars.amount, {"c": env.name}], "d": 1.5}`,
		`[steps.lookup.body.items, vars.none, "x" + run.id]`, `{"a": 1, "a": 2}`,
		`steps.lookup.body.missing`, `{"k": vars.ratio * 2.0, "t": now()}`,
	} {
		f.Add(s)
	}
	env := newEnv(f)
	act := shapeActivation()
	f.Fuzz(func(t *testing.T, src string) {
		p, err := env.Compile(src)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		want, wantErr := p.evalCEL(ctx, celActivation{act})
		got, gotErr := p.Eval(ctx, act)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("%s: error %v, CEL gives %v", src, gotErr, wantErr)
		}
		if g, w := fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", want); g != w {
			t.Fatalf("%s: value %s, CEL gives %s", src, g, w)
		}
	})
}
