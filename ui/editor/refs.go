package editor

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/parser"

	"github.com/flowbench/flowbench/flow"
)

// refParser parses expressions to find their references to steps; the
// macro calls are kept so a reference inside has(...) is found too.
var refParser, _ = parser.NewParser(
	parser.Macros(parser.AllMacros...),
	parser.PopulateMacroCalls(true),
	parser.EnableOptionalSyntax(true),
)

// stepRef is one place in an expression's text (rune offsets) that names a
// step: the field of steps.<id> (start at the dot) or the string literal of
// steps["<id>"].
type stepRef struct {
	start, stop int
	id          string
	selected    bool // steps.<id>, else steps["<id>"]
}

// RewriteStepRefs returns src with every reference to a step renamed by
// rename (old id → new id): steps.old becomes steps.new (or steps["new"]
// when the new id is not a CEL identifier, as node ids may hold "-"), and
// steps["old"] becomes steps["new"]. The references are found in the
// expression's syntax tree, so a string or a variable that merely reads
// "steps.old" is left alone. An expression that does not parse is returned
// unchanged, with false.
func RewriteStepRefs(src string, rename map[string]string) (string, bool) {
	if len(rename) == 0 || !strings.Contains(src, "steps") {
		return src, false
	}
	refs, ok := stepRefs(src)
	if !ok {
		return src, false
	}
	text := []rune(src)
	changed := false
	// from the end, so earlier offsets stay valid
	for i := len(refs) - 1; i >= 0; i-- {
		r := refs[i]
		nu, ok := rename[r.id]
		if !ok || nu == r.id {
			continue
		}
		repl := strconv.Quote(nu)
		if r.selected {
			if flow.IsIdentifier(nu) {
				repl = "." + nu
			} else {
				repl = "[" + repl + "]"
			}
		}
		text = slices.Concat(text[:r.start], []rune(repl), text[r.stop:])
		changed = true
	}
	if !changed {
		return src, false
	}
	return string(text), true
}

// stepRefs lists the references to steps in src, in text order, each once.
func stepRefs(src string) ([]stepRef, bool) {
	a, errs := refParser.Parse(common.NewTextSource(src))
	if errs != nil && len(errs.GetErrors()) > 0 {
		return nil, false
	}
	text := []rune(src)
	info := a.SourceInfo()
	seen := map[int]bool{}
	var refs []stepRef
	visit := celast.NewExprVisitor(func(e celast.Expr) {
		var operand celast.Expr
		switch e.Kind() {
		case celast.SelectKind:
			operand = e.AsSelect().Operand()
		case celast.CallKind:
			c := e.AsCall()
			if c.FunctionName() != "_[_]" && c.FunctionName() != "_[?_]" || len(c.Args()) != 2 {
				return
			}
			operand = c.Args()[0]
		default:
			return
		}
		if operand.Kind() != celast.IdentKind || operand.AsIdent() != "steps" {
			return
		}
		if e.Kind() == celast.SelectKind {
			field := e.AsSelect().FieldName()
			r, ok := info.GetOffsetRange(e.ID())
			if !ok {
				return
			}
			// the select's offset is its dot; the field's name follows it
			dot := int(r.Start)
			if dot < 0 || dot >= len(text) || text[dot] != '.' {
				return
			}
			at := dot + 1
			for at < len(text) && unicode.IsSpace(text[at]) {
				at++
			}
			end := at + len([]rune(field))
			if end > len(text) || string(text[at:end]) != field || seen[dot] {
				return
			}
			seen[dot] = true
			refs = append(refs, stepRef{start: dot, stop: end, id: field, selected: true})
			return
		}
		lit := e.AsCall().Args()[1]
		if lit.Kind() != celast.LiteralKind {
			return
		}
		s, ok := lit.AsLiteral().(types.String)
		if !ok {
			return
		}
		r, ok := info.GetOffsetRange(lit.ID())
		if !ok || r.Start < 0 || int(r.Stop) > len(text) || r.Start >= r.Stop || seen[int(r.Start)] {
			return
		}
		// only a literal that is written as the id, quoted
		if u, err := strconv.Unquote(string(text[r.Start:r.Stop])); err != nil || u != string(s) {
			if q := string(text[r.Start:r.Stop]); len(q) < 2 || q[1:len(q)-1] != string(s) {
				return
			}
		}
		seen[int(r.Start)] = true
		refs = append(refs, stepRef{start: int(r.Start), stop: int(r.Stop), id: string(s)})
	})
	celast.PreOrderVisit(a.Expr(), visit)
	for _, call := range info.MacroCalls() {
		celast.PreOrderVisit(call, visit)
	}
	slices.SortFunc(refs, func(a, b stepRef) int { return a.start - b.start })
	return refs, true
}

// rewriteNodeRefs renames the step references of every expression of n in
// place and reports whether one changed. n must be a deep copy the caller
// owns.
func rewriteNodeRefs(n *flow.Node, rename map[string]string) bool {
	changed := false
	for _, x := range flow.NodeExpressions(n) {
		if out, ok := RewriteStepRefs(x.Source, rename); ok && setNodeField(n, x.Field, out) {
			changed = true
		}
	}
	return changed
}

// setNodeField sets the string at a field path of flow.NodeExpressions
// ("call.uri", "call.query[0].value", "cases[1].when", "call.args.id") by
// following the JSON names of the node's fields, so a new expression field
// of a kind needs nothing here. It reports whether the path was found.
func setNodeField(n *flow.Node, path, val string) bool {
	v := reflect.ValueOf(n).Elem()
	segs := strings.Split(path, ".")
	for i := 0; i < len(segs); i++ {
		seg := segs[i]
		idx := -1
		if j := strings.IndexByte(seg, '['); j >= 0 && strings.HasSuffix(seg, "]") {
			k, err := strconv.Atoi(seg[j+1 : len(seg)-1])
			if err != nil {
				return false
			}
			seg, idx = seg[:j], k
		}
		f, ok := jsonField(v, seg)
		if !ok {
			return false
		}
		v = f
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return false
			}
			v = v.Elem()
		}
		if idx >= 0 {
			if v.Kind() != reflect.Slice || idx >= v.Len() {
				return false
			}
			v = v.Index(idx)
		}
		if v.Kind() == reflect.Map && i == len(segs)-2 {
			key := reflect.ValueOf(segs[i+1])
			if v.IsNil() || !v.MapIndex(key).IsValid() {
				return false
			}
			v.SetMapIndex(key, reflect.ValueOf(val))
			return true
		}
	}
	if v.Kind() != reflect.String || !v.CanSet() {
		return false
	}
	v.SetString(val)
	return true
}

// jsonField returns the field of struct v whose JSON name is name.
func jsonField(v reflect.Value, name string) (reflect.Value, bool) {
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	t := v.Type()
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if tag == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}
