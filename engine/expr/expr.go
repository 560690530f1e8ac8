// Package expr is Flowbench's CEL environment. Every expression of a flow (URIs,
// query and header pairs, bodies, conditions, assignments, return values) is
// compiled once by an Env into a Program, and a Program is evaluated many times
// against an Activation holding the run's context. Compilation checks syntax and
// names; evaluation is bounded by a cost limit and honours context cancellation,
// so a hostile expression can neither hang a run nor exhaust memory.
package expr

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/structpb"
)

// The names in scope in every expression.
const (
	NameVars    = "vars"
	NameSteps   = "steps"
	NameTrigger = "trigger"
	NameRun     = "run"
	NameFlow    = "flow"
	NameEnv     = "env"
)

// Names lists the context names in scope, in the order the docs present them.
var Names = []string{NameVars, NameSteps, NameTrigger, NameRun, NameFlow, NameEnv}

// Limits bound what one expression may cost.
const (
	// MaxSourceBytes is the largest expression source accepted.
	MaxSourceBytes = 64 << 10
	// DefaultCostLimit bounds the work of one evaluation (CEL cost units: about
	// one per operation, plus the size of strings and lists built).
	DefaultCostLimit = 10_000_000
	// maxListRange bounds lists.range(n).
	maxListRange = 100_000
)

// Options configure an Env. The zero value is ready to use.
type Options struct {
	// UUID returns a new UUID string for uuid(); nil means a random v4 UUID.
	UUID func() string
	// Now is the clock of now(); nil means time.Now.
	Now func() time.Time
	// CostLimit overrides DefaultCostLimit when positive.
	CostLimit uint64
}

// Env compiles expressions. It is safe for concurrent use.
type Env struct {
	env       *cel.Env
	costLimit uint64
	compiles  atomic.Int64
}

// Compiles reports how many expressions this Env has compiled, so tests can
// prove that running a plan compiles nothing.
func (e *Env) Compiles() int64 { return e.compiles.Load() }

// NewEnv builds the CEL environment with the context names of docs/architecture.md,
// the strings, encoders, math and lists extensions, uuid() and now().
func NewEnv(opts Options) (*Env, error) {
	newUUID := opts.UUID
	if newUUID == nil {
		newUUID = uuid.NewString
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	mapType := cel.MapType(cel.StringType, cel.DynType)
	env, err := cel.NewEnv(
		cel.Variable(NameVars, mapType),
		cel.Variable(NameSteps, mapType),
		cel.Variable(NameTrigger, cel.DynType),
		cel.Variable(NameRun, mapType),
		cel.Variable(NameFlow, mapType),
		cel.Variable(NameEnv, mapType),
		ext.Strings(),
		ext.Encoders(),
		ext.Math(),
		ext.Lists(ext.ListsMaxRangeSize(maxListRange)),
		ext.Bindings(), // cel.bind: a named request's params
		cel.CrossTypeNumericComparisons(true),
		cel.ParserExpressionSizeLimit(MaxSourceBytes),
		cel.ParserRecursionLimit(200),
		cel.Function("uuid",
			cel.Overload("uuid_string", nil, cel.StringType,
				cel.FunctionBinding(func(...ref.Val) ref.Val { return types.String(newUUID()) }))),
		cel.Function("now",
			cel.Overload("now_timestamp", nil, cel.TimestampType,
				cel.FunctionBinding(func(...ref.Val) ref.Val { return types.Timestamp{Time: now().UTC()} }))),
	)
	if err != nil {
		return nil, fmt.Errorf("build the expression environment: %w", err)
	}
	limit := opts.CostLimit
	if limit == 0 {
		limit = DefaultCostLimit
	}
	return &Env{env: env, costLimit: limit}, nil
}

// Error is a compile or evaluation error of one expression. Line and Column are
// 1-based and zero when unknown.
type Error struct {
	Line    int
	Column  int
	Message string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Message)
	}
	return e.Message
}

// Program is a compiled expression. It is safe for concurrent use.
type Program struct {
	src string
	prg cel.Program
	// loops is set when the expression has a comprehension: only then can an
	// evaluation run long enough to need watching ctx (which costs a goroutine
	// per evaluation); the cost limit bounds every evaluation either way.
	loops bool
	lit   any      // the value when the expression is a constant
	isLt  bool     // lit is set
	reads []string // the context names the expression refers to
	// The expression's shape, when it has one that evaluates cheaper than a
	// CEL program (shape.go).
	isMap  bool
	fields []field
	isList bool
	items  []*Program
	parts  []part
}

// Source returns the expression text the program was compiled from.
func (p *Program) Source() string { return p.src }

// Check compiles src and reports the first problem as an *Error, or nil. It is
// what editors call as the user types.
func (e *Env) Check(src string) error {
	_, err := e.Compile(src)
	return err
}

// Compile parses and type-checks src. An empty source is an error: callers skip
// optional fields before compiling.
func (e *Env) Compile(src string) (*Program, error) {
	e.compiles.Add(1)
	if strings.TrimSpace(src) == "" {
		return nil, &Error{Message: "the expression is empty"}
	}
	if len(src) > MaxSourceBytes {
		return nil, &Error{Message: fmt.Sprintf("the expression is %d bytes; the limit is %d", len(src), MaxSourceBytes)}
	}
	ast, iss := e.env.Compile(src)
	if iss != nil && iss.Err() != nil {
		errs := iss.Errors()
		if len(errs) == 0 {
			return nil, &Error{Message: iss.Err().Error()}
		}
		first := errs[0]
		msg := first.Message
		if len(errs) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(errs)-1)
		}
		return nil, &Error{Line: first.Location.Line(), Column: first.Location.Column() + 1, Message: msg}
	}
	loops := hasComprehension(ast)
	opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if loops || !e.withinLimit(ast) {
		// Only an expression that might exceed the limit pays for tracking
		// its cost as it runs.
		opts = append(opts, cel.CostLimit(e.costLimit), cel.InterruptCheckFrequency(100))
	}
	prg, err := e.env.Program(ast, opts...)
	if err != nil {
		return nil, &Error{Message: err.Error()}
	}
	p := &Program{src: src, prg: prg, loops: loops, reads: referencedNames(ast)}
	if err := e.prepare(p, ast.NativeRep(), opts); err != nil {
		return nil, err
	}
	return p, nil
}

// Reads reports whether the expression refers to the context name (one of
// Names, or a name declared by WithVariables), so a runner can skip building
// context that no expression of a plan reads.
func (p *Program) Reads(name string) bool {
	for _, n := range p.reads {
		if n == name {
			return true
		}
	}
	return false
}

// referencedNames lists the variables the checked expression refers to.
func referencedNames(ast *cel.Ast) []string {
	var names []string
	for _, r := range ast.NativeRep().ReferenceMap() {
		if r.Name != "" && !slices.Contains(names, r.Name) {
			names = append(names, r.Name)
		}
	}
	return names
}

// MaxInputBytes bounds the size of any value an expression reads from its
// context: everything there comes from JSON bodies and payloads, which the
// engine caps at this size.
const MaxInputBytes = 10 << 20

// inputBound tells CEL's static cost estimator that a value of unknown size
// (a context variable, a field of a response body) is at most MaxInputBytes.
type inputBound struct{}

func (inputBound) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	if n.ComputedSize() != nil {
		return nil
	}
	return &cost.SizeEstimate{Min: 0, Max: MaxInputBytes}
}

func (inputBound) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

// withinLimit reports whether the worst case of the expression, with every
// input at its largest, stays within the cost limit, so that tracking its
// cost while it runs can be skipped.
func (e *Env) withinLimit(a *cel.Ast) bool {
	est, err := e.env.EstimateCost(a, inputBound{})
	return err == nil && est.Max <= e.costLimit
}

func hasComprehension(a *cel.Ast) bool { return hasComprehensionExpr(a.NativeRep().Expr()) }

// Activation is the context an expression is evaluated against. Nil maps are
// treated as empty.
type Activation struct {
	Vars    map[string]any
	Steps   map[string]any
	Trigger any
	Run     map[string]any
	Flow    map[string]any
	Env     map[string]any
}

func emptyActivation() *Activation { return &Activation{} }

// ResolveName implements cel's interpreter.Activation without building a map
// per evaluation.
func (a *Activation) ResolveName(name string) (any, bool) {
	switch name {
	case NameVars:
		return nonNil(a.Vars), true
	case NameSteps:
		return nonNil(a.Steps), true
	case NameTrigger:
		if a.Trigger == nil {
			return map[string]any{}, true
		}
		return a.Trigger, true
	case NameRun:
		return nonNil(a.Run), true
	case NameFlow:
		return nonNil(a.Flow), true
	case NameEnv:
		return nonNil(a.Env), true
	}
	return nil, false
}

var emptyMap = map[string]any{}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return emptyMap
	}
	return m
}

// Eval evaluates the program and returns a plain Go value: nil, bool, int64,
// uint64, float64, string, []byte, []any or map[string]any (timestamps and
// durations become strings). Errors are *Error values; ctx cancellation stops
// a long evaluation.
func (p *Program) Eval(ctx context.Context, act *Activation) (any, error) {
	if p.isLt {
		return p.lit, nil
	}
	if act == nil {
		act = emptyActivation()
	}
	return p.run(ctx, celActivation{act})
}

// evalCEL evaluates the CEL program itself.
func (p *Program) evalCEL(ctx context.Context, a interpreter.Activation) (any, error) {
	var (
		out ref.Val
		err error
	)
	if p.loops {
		out, _, err = p.prg.ContextEval(ctx, a)
	} else {
		out, _, err = p.prg.Eval(a)
	}
	if err != nil {
		msg := err.Error()
		if strings.Contains(msg, "cost limit exceeded") {
			msg = "the expression is too expensive to evaluate (cost limit exceeded); simplify it"
		}
		if errors.Is(ctx.Err(), context.Canceled) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg = "evaluation stopped: " + ctx.Err().Error()
		}
		return nil, &Error{Message: msg}
	}
	return ToNative(out)
}

// celActivation adapts Activation to cel's interpreter.Activation.
type celActivation struct{ a *Activation }

func (c celActivation) ResolveName(name string) (any, bool) { return c.a.ResolveName(name) }
func (c celActivation) Parent() interpreter.Activation      { return nil }

// ToNative converts a CEL value into plain Go values that encoding/json can write.
func ToNative(v ref.Val) (any, error) {
	switch x := v.(type) {
	case types.Null:
		return nil, nil
	case types.Bool:
		return bool(x), nil
	case types.Int:
		return int64(x), nil
	case types.Uint:
		return uint64(x), nil
	case types.Double:
		return float64(x), nil
	case types.String:
		return string(x), nil
	case types.Bytes:
		return []byte(x), nil
	case types.Timestamp:
		return x.Time.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"), nil
	case types.Duration:
		return x.Duration.String(), nil
	case *types.Err:
		return nil, &Error{Message: x.Error()}
	}
	if m, ok := v.(traits.Mapper); ok {
		out := map[string]any{}
		it := m.Iterator()
		for it.HasNext() == types.True {
			k := it.Next()
			ks, ok := k.(types.String)
			if !ok {
				return nil, &Error{Message: fmt.Sprintf("map keys must be strings to be written as JSON, got %s", k.Type().TypeName())}
			}
			val, err := ToNative(m.Get(k))
			if err != nil {
				return nil, err
			}
			out[string(ks)] = val
		}
		return out, nil
	}
	if l, ok := v.(traits.Lister); ok {
		n, _ := l.Size().(types.Int)
		out := make([]any, 0, int(n))
		it := l.Iterator()
		for it.HasNext() == types.True {
			val, err := ToNative(it.Next())
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	}
	// Anything else (a JSON value from structpb, an optional) goes through JSON.
	nv, err := v.ConvertToNative(reflect.TypeOf(&structpb.Value{}))
	if err != nil {
		return nil, &Error{Message: fmt.Sprintf("a %s value cannot be used here", v.Type().TypeName())}
	}
	return nv.(*structpb.Value).AsInterface(), nil
}
