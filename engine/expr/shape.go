package expr

import (
	"context"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"
)

// The shapes most flow expressions take are evaluated with less work than a
// whole CEL program, with the same result:
//
//   - A map literal with constant string keys (a JSON body) is split into one
//     program per value: constant values are computed once at compile time,
//     and the map is built as a Go map directly instead of as a CEL map that
//     is then converted.
//   - A list literal is split the same way.
//   - A template (a field path such as env.name, or string literals and field
//     paths joined with +, as in "/items/" + trigger.chatId) reads the paths
//     from the context maps. Whenever a path is missing or a value is not of
//     the expected type, the expression is evaluated by CEL instead, so errors
//     and every other case are exactly CEL's.
//
// The split happens at compile time only; a run compiles nothing.

// field is one entry of a split map literal.
type field struct {
	key string
	val *Program
}

// part is one operand of a template: a string literal or a field path.
type part struct {
	lit  string
	root string   // context name; empty for a literal
	path []string // fields selected from root
	// conv says the path is wrapped in string(), as Text mode writes
	// holes (flow.TextToExpr): a string, int or bool value is turned into
	// text here as CEL would; any other value is left to CEL.
	conv bool
}

// shape chooses how to evaluate the checked expression and fills p's fields
// for it. A plain CEL program is always built too (p.prg), as the fallback.
func (e *Env) shape(p *Program, a *celast.AST, opts []cel.ProgramOption) error {
	root := a.Expr()
	switch root.Kind() {
	case celast.MapKind:
		entries := root.AsMap().Entries()
		seen := make(map[string]bool, len(entries))
		fields := make([]field, 0, len(entries))
		for _, en := range entries {
			if en.Kind() != celast.MapEntryKind {
				return nil
			}
			me := en.AsMapEntry()
			k, ok := stringLiteral(me.Key())
			if !ok || me.IsOptional() || seen[k] {
				// A computed key, an optional entry or a repeated key (an
				// evaluation error in CEL) is left to CEL.
				return nil
			}
			seen[k] = true
			sub, err := e.subProgram(a, me.Value(), p.loops, opts)
			if err != nil {
				return err
			}
			fields = append(fields, field{key: k, val: sub})
		}
		p.fields, p.isMap = fields, true
	case celast.ListKind:
		l := root.AsList()
		if len(l.OptionalIndices()) > 0 {
			return nil
		}
		items := make([]*Program, 0, l.Size())
		for _, el := range l.Elements() {
			sub, err := e.subProgram(a, el, p.loops, opts)
			if err != nil {
				return err
			}
			items = append(items, sub)
		}
		p.items, p.isList = items, true
	default:
		var parts []part
		if templateParts(root, &parts) {
			p.parts = parts
		}
	}
	return nil
}

// subProgram plans the sub-expression sub of the checked AST a as a program
// of its own, with the parent's cost options (its worst case is within the
// parent's). Its own shape is chosen the same way, so nested literals split too.
func (e *Env) subProgram(a *celast.AST, sub celast.Expr, loops bool, opts []cel.ProgramOption) (*Program, error) {
	checked := celast.NewCheckedAST(celast.NewAST(sub, a.SourceInfo()), a.TypeMap(), a.ReferenceMap())
	prg, err := e.env.PlanProgram(checked, opts...)
	if err != nil {
		return nil, &Error{Message: err.Error()}
	}
	p := &Program{prg: prg, loops: loops && hasComprehensionExpr(sub)}
	if err := e.prepare(p, checked, opts); err != nil {
		return nil, err
	}
	return p, nil
}

// prepare readies a planned program for evaluation: a constant expression (a
// quoted URI, a JSON literal body) is evaluated once, so a run does no work
// for it; any other gets its shape.
func (e *Env) prepare(p *Program, a *celast.AST, opts []cel.ProgramOption) error {
	if constantExpr(a.Expr()) {
		if v, err := p.evalCEL(context.Background(), celActivation{emptyActivation()}); err == nil {
			p.lit, p.isLt = v, true
			return nil
		}
	}
	return e.shape(p, a, opts)
}

// stringLiteral returns the value of a string literal expression.
func stringLiteral(x celast.Expr) (string, bool) {
	if x.Kind() != celast.LiteralKind {
		return "", false
	}
	s, ok := x.AsLiteral().(types.String)
	return string(s), ok
}

// templateParts appends the operands of x to parts when x is a string
// literal, a field path, or such operands joined with +.
func templateParts(x celast.Expr, parts *[]part) bool {
	if s, ok := stringLiteral(x); ok {
		*parts = append(*parts, part{lit: s})
		return true
	}
	if root, path, ok := fieldPath(x); ok {
		*parts = append(*parts, part{root: root, path: path})
		return true
	}
	if x.Kind() != celast.CallKind {
		return false
	}
	c := x.AsCall()
	if c.FunctionName() == overloads.TypeConvertString && !c.IsMemberFunction() && len(c.Args()) == 1 {
		// string(path), a Text-mode hole or [[name]] placeholder.
		if root, path, ok := fieldPath(c.Args()[0]); ok {
			*parts = append(*parts, part{root: root, path: path, conv: true})
			return true
		}
		return false
	}
	if c.FunctionName() != operators.Add || c.IsMemberFunction() || len(c.Args()) != 2 {
		return false
	}
	return templateParts(c.Args()[0], parts) && templateParts(c.Args()[1], parts)
}

// fieldPath recognises name.f1.f2… where name is one of the context names.
func fieldPath(x celast.Expr) (string, []string, bool) {
	var rev []string
	for x.Kind() == celast.SelectKind {
		s := x.AsSelect()
		if s.IsTestOnly() {
			return "", nil, false
		}
		rev = append(rev, s.FieldName())
		x = s.Operand()
	}
	if x.Kind() != celast.IdentKind || len(rev) == 0 {
		return "", nil, false
	}
	name := x.AsIdent()
	known := false
	for _, n := range Names {
		known = known || n == name
	}
	if !known {
		return "", nil, false
	}
	path := make([]string, len(rev))
	for i, f := range rev {
		path[len(rev)-1-i] = f
	}
	return name, path, true
}

// constantExpr reports whether x reads no variable and calls nothing whose
// result changes between evaluations.
func constantExpr(x celast.Expr) bool {
	constant := true
	celast.PostOrderVisit(x, celast.NewExprVisitor(func(e celast.Expr) {
		switch e.Kind() {
		case celast.IdentKind, celast.ComprehensionKind:
			constant = false
		case celast.CallKind:
			if f := e.AsCall().FunctionName(); f == "uuid" || f == "now" {
				constant = false
			}
		}
	}))
	return constant
}

func hasComprehensionExpr(x celast.Expr) bool {
	found := false
	celast.PostOrderVisit(x, celast.NewExprVisitor(func(e celast.Expr) {
		found = found || e.Kind() == celast.ComprehensionKind
	}))
	return found
}

// run evaluates p against the activation a by its shape.
func (p *Program) run(ctx context.Context, a interpreter.Activation) (any, error) {
	switch {
	case p.isLt:
		return p.lit, nil
	case p.isMap:
		m := make(map[string]any, len(p.fields))
		for _, f := range p.fields {
			v, err := f.val.run(ctx, a)
			if err != nil {
				return nil, err
			}
			m[f.key] = v
		}
		return m, nil
	case p.isList:
		l := make([]any, len(p.items))
		for i, it := range p.items {
			v, err := it.run(ctx, a)
			if err != nil {
				return nil, err
			}
			l[i] = v
		}
		return l, nil
	case p.parts != nil:
		if v, ok := p.template(a); ok {
			return v, nil
		}
	}
	return p.evalCEL(ctx, a)
}

// template evaluates a template from the context maps; ok is false when CEL
// must decide (a missing key, a value that is not a plain scalar, a + whose
// operands are not all strings).
func (p *Program) template(a interpreter.Activation) (any, bool) {
	if len(p.parts) == 1 {
		pt := p.parts[0]
		if pt.root == "" {
			return pt.lit, true
		}
		v, ok := lookup(a, pt)
		if !ok {
			return nil, false
		}
		if pt.conv {
			return asText(v)
		}
		switch v.(type) {
		case nil, string, bool, int64, float64:
			// CEL converts these to themselves (ToNative). Other Go types
			// (int, maps, lists) are converted or copied by CEL.
			return v, true
		}
		return nil, false
	}
	var small [8]string
	strs := small[:0]
	n := 0
	for _, pt := range p.parts {
		s := pt.lit
		if pt.root != "" {
			v, ok := lookup(a, pt)
			if !ok {
				return nil, false
			}
			if pt.conv {
				s, ok = asText(v)
			} else {
				s, ok = v.(string)
			}
			if !ok {
				return nil, false
			}
		}
		strs = append(strs, s)
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range strs {
		b.WriteString(s)
	}
	return b.String(), true
}

// asText is CEL's string() of a string, an int or a bool; ok is false for
// any other value, which CEL converts (or refuses) itself.
func asText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// lookup reads a field path through maps of string keys.
func lookup(a interpreter.Activation, pt part) (any, bool) {
	v, ok := a.ResolveName(pt.root)
	if !ok {
		return nil, false
	}
	for _, f := range pt.path {
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, false
		}
		if v, ok = m[f]; !ok {
			return nil, false
		}
	}
	return v, true
}
