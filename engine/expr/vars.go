package expr

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/interpreter"
)

// WithVariables returns an Env that also declares names, each of dynamic
// type, for expressions evaluated outside a run (a mock's response body reads
// request and params). The flow context names stay declared; a name that is
// one of them, or not an identifier, is an error. e is unchanged. Programs
// of the new Env that use the extra names are evaluated with EvalWith.
func (e *Env) WithVariables(names ...string) (*Env, error) {
	opts := make([]cel.EnvOption, 0, len(names))
	for _, n := range names {
		if slices.Contains(Names, n) {
			return nil, fmt.Errorf("declare variable %q: the name is already in scope", n)
		}
		if !isIdent(n) {
			return nil, fmt.Errorf("declare variable %q: not an identifier (letters, digits and _)", n)
		}
		opts = append(opts, cel.Variable(n, cel.DynType))
	}
	env, err := e.env.Extend(opts...)
	if err != nil {
		return nil, fmt.Errorf("declare variables %s: %w", strings.Join(names, ", "), err)
	}
	return &Env{env: env, costLimit: e.costLimit}, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// Constant returns the value of a program that reads no variable and calls
// nothing time- or randomness-dependent (a JSON literal), which was computed
// once at Compile, so callers can prepare what they derive from it (encoded
// bytes) once too.
func (p *Program) Constant() (any, bool) { return p.lit, p.isLt }

// EvalWith evaluates the program like Eval, with the variables declared by
// WithVariables taken from extra (a name missing from extra is an evaluation
// error if the expression reads it). act may be nil.
func (p *Program) EvalWith(ctx context.Context, act *Activation, extra map[string]any) (any, error) {
	if p.isLt {
		return p.lit, nil
	}
	if act == nil {
		act = emptyActivation()
	}
	return p.run(ctx, extraActivation{act: act, extra: extra})
}

// extraActivation resolves the extra names first, then the flow context.
type extraActivation struct {
	act   *Activation
	extra map[string]any
}

func (a extraActivation) ResolveName(name string) (any, bool) {
	if v, ok := a.extra[name]; ok {
		return v, true
	}
	return a.act.ResolveName(name)
}

func (a extraActivation) Parent() interpreter.Activation { return nil }
