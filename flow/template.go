package flow

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/parser"
)

// Text mode (docs/flow-format.md, "Text mode"): an expression field may be
// edited as text that is sent as typed, with {{ CEL }} holes and [[name]]
// placeholders, and written to the file as one CEL expression of a fixed
// shape, so files stay flowbench/v1 and the engine evaluates them as any
// other expression:
//
//	text:  /v1/orders/{{ vars.orderId }}?chat=[[chatId]]
//	CEL:   "/v1/orders/" + string( vars.orderId ) + "?chat=" + string(vars.chatId)
//
//   - The text is cut into literal runs, holes and placeholders, in order;
//     each becomes one operand and the operands are joined by " + ". No
//     operand is written for an empty run, and "" (the empty text) is the
//     empty expression (a field left unset).
//   - A literal run is a double-quoted CEL string: \\ \" \n \r \t are
//     escaped, other control characters (below U+0020, and U+007F) as \uXXXX;
//     every other character is written as itself.
//   - A hole {{ S }} is string(S), S exactly as typed between the braces,
//     spaces included. A hole ends at the first }} after its {{, so S never
//     holds }} (write "} }" inside a map literal). A hole's value is turned
//     into text by CEL's string(): strings as they are, numbers, booleans,
//     bytes, timestamps and durations as CEL writes them; a map, a list or
//     null is an error of the step (use Expression mode for a whole value: a
//     map body is then sent as JSON).
//   - A placeholder [[name]] (name: a letter or _, then letters, digits, _)
//     is string(params.name) when the named request in scope declares the
//     parameter name, else string(vars.name). [[ not followed by name]] is
//     literal text.
//   - A hole whose S is such a placeholder's target, params.x or vars.x,
//     possibly already in parentheses, gets one more pair of parentheses
//     (string((vars.x))), so it reads back as a hole and not as [[x]].
//   - There is no escape character: a literal {{ or [[x]] is written as a
//     hole holding a CEL string, {{ "{{" }}.
//
// ExprToText recognises exactly this shape, so a field the app wrote in Text
// mode opens in Text mode and anything else (hand-written CEL) in
// Expression mode.

// TextError is a Text-mode field that cannot be made into an expression:
// which hole is wrong and where, with CEL's own message.
type TextError struct {
	// Hole is the 1-based number of the {{ }} hole, counted from the start
	// of the text; 0 when the problem is not one hole's.
	Hole int
	// Line and Column (1-based, in characters) locate the hole's {{.
	Line, Column int
	// Message says what is wrong in words.
	Message string
	// CEL is CEL's own message, when CEL found the problem.
	CEL string
}

func (e *TextError) Error() string {
	where := ""
	switch {
	case e.Hole > 0 && e.Line > 1:
		where = fmt.Sprintf("hole %d (line %d, column %d): ", e.Hole, e.Line, e.Column)
	case e.Hole > 0:
		where = fmt.Sprintf("hole %d (column %d): ", e.Hole, e.Column)
	}
	if e.CEL == "" {
		return where + e.Message
	}
	return where + e.Message + "\n" + e.CEL
}

// TextPartKind says what a part of a Text-mode field is.
type TextPartKind int

// The parts of a Text-mode field.
const (
	TextLiteral TextPartKind = iota
	TextHole
	TextPlaceholder
)

// TextPart is one part of a Text-mode field.
type TextPart struct {
	Kind TextPartKind
	// Text is the literal text, a hole's CEL (as typed, spaces included)
	// or a placeholder's name.
	Text string
	// Target is what a placeholder means: params.NAME or vars.NAME.
	Target string
	// Hole is the 1-based number of a hole; Line and Column (1-based, in
	// characters) say where the part starts in the text.
	Hole, Line, Column int
}

var placeholderRE = regexp.MustCompile(`^\[\[([A-Za-z_][A-Za-z0-9_]*)\]\]`)

// placeholderTarget is what [[name]] means with these parameters in scope.
func placeholderTarget(name string, params []string) string {
	for _, p := range params {
		if p == name {
			return "params." + name
		}
	}
	return "vars." + name
}

// ParseText cuts a Text-mode field into its parts. params are the
// parameters of the named request in scope (nil outside one). It checks
// that each hole is closed, not empty and parses as CEL; name and type
// checks are the caller's (the engine compiles the whole expression).
func ParseText(text string, params []string) ([]TextPart, error) {
	if !utf8.ValidString(text) {
		return nil, &TextError{Message: "the text is not valid UTF-8"}
	}
	var parts []TextPart
	var lit strings.Builder
	line, col := 1, 1 // where text[i] is
	litLine, litCol := 1, 1
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, TextPart{Kind: TextLiteral, Text: lit.String(), Line: litLine, Column: litCol})
			lit.Reset()
		}
	}
	advance := func(s string) {
		for _, r := range s {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
	}
	holes := 0
	for i := 0; i < len(text); {
		rest := text[i:]
		switch {
		case strings.HasPrefix(rest, "{{"):
			flush()
			holes++
			end := strings.Index(rest[2:], "}}")
			if end < 0 {
				return nil, &TextError{Hole: holes, Line: line, Column: col,
					Message: "the hole is not closed: add }} after its CEL, or write {{ \"{{\" }} for a literal {{"}
			}
			src := rest[2 : 2+end]
			if strings.TrimSpace(src) == "" {
				return nil, &TextError{Hole: holes, Line: line, Column: col,
					Message: "the hole is empty: write CEL between {{ and }}, such as {{ vars.orderId }}"}
			}
			if msg := celSyntax(src); msg != "" {
				return nil, &TextError{Hole: holes, Line: line, Column: col,
					Message: "the CEL in the hole does not parse:", CEL: msg}
			}
			parts = append(parts, TextPart{Kind: TextHole, Text: src, Hole: holes, Line: line, Column: col})
			advance(rest[:2+end+2])
			i += 2 + end + 2
			litLine, litCol = line, col
		case strings.HasPrefix(rest, "[["):
			if m := placeholderRE.FindStringSubmatch(rest); m != nil {
				flush()
				parts = append(parts, TextPart{Kind: TextPlaceholder, Text: m[1], Target: placeholderTarget(m[1], params), Line: line, Column: col})
				advance(m[0])
				i += len(m[0])
				litLine, litCol = line, col
				continue
			}
			fallthrough
		default:
			r, size := utf8.DecodeRuneInString(rest)
			lit.WriteRune(r)
			advance(rest[:size])
			i += size
		}
	}
	flush()
	return parts, nil
}

// TextToExpr compiles a Text-mode field into the CEL expression written to
// the file (the shape above). params are the parameters of the named
// request in scope, nil outside one. The error is a *TextError.
func TextToExpr(text string, params []string) (string, error) {
	parts, err := ParseText(text, params)
	if err != nil {
		return "", err
	}
	out := writeParts(parts)
	if n := utf8.RuneCountInString(out); n > maxExprChars {
		return "", &TextError{Message: fmt.Sprintf("the text makes an expression of %d characters, more than the %d an expression may hold; shorten it, or build the value in a set node", n, maxExprChars)}
	}
	if out != "" {
		if msg := celSyntax(out); msg != "" {
			// Each hole parses alone, so one must end in a // comment that
			// swallows the ) after it.
			return "", &TextError{Message: "the text cannot be made into one expression; does a hole end in a // comment? End the comment with a line break before }}", CEL: msg}
		}
	}
	return out, nil
}

// TextToExprLoose is TextToExpr for a text with a mistake in it: the
// expression is written as if every hole were right (an unclosed hole runs
// to the end), so the document keeps what was typed and the mistake shows
// as a compile problem of the field. The expression may then not open in
// Text mode again.
func TextToExprLoose(text string, params []string) string {
	if out, err := TextToExpr(text, params); err == nil {
		return out
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			break
		}
		if i > 0 {
			appendOperand(&b, quoteText(text[:i]))
		}
		end := strings.Index(text[i+2:], "}}")
		if end < 0 {
			appendOperand(&b, "string("+text[i+2:]+")")
			text = ""
			break
		}
		appendOperand(&b, "string("+text[i+2:i+2+end]+")")
		text = text[i+2+end+2:]
	}
	if text != "" {
		appendOperand(&b, quoteText(strings.ToValidUTF8(text, "\uFFFD")))
	}
	return b.String()
}

func appendOperand(b *strings.Builder, op string) {
	if b.Len() > 0 {
		b.WriteString(" + ")
	}
	b.WriteString(op)
}

// writeParts joins the operands of parts.
func writeParts(parts []TextPart) string {
	var b strings.Builder
	for _, p := range parts {
		switch p.Kind {
		case TextLiteral:
			appendOperand(&b, quoteText(p.Text))
		case TextPlaceholder:
			appendOperand(&b, "string("+p.Target+")")
		case TextHole:
			src := p.Text
			if placeholderLike(src) {
				src = "(" + src + ")"
			}
			appendOperand(&b, "string("+src+")")
		}
	}
	return b.String()
}

var targetRE = regexp.MustCompile(`^(params|vars)\.[A-Za-z_][A-Za-z0-9_]*$`)

// placeholderLike reports whether s is params.x or vars.x in zero or more
// pairs of parentheses.
func placeholderLike(s string) bool {
	for k := 0; 2*k < len(s); k++ {
		if targetRE.MatchString(s[k : len(s)-k]) {
			return true
		}
		if s[k] != '(' || s[len(s)-1-k] != ')' {
			return false
		}
	}
	return false
}

// quoteText writes s as a CEL string literal, escaping only what must be.
func quoteText(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// unquoteText reads a literal written by quoteText at the start of s and
// returns its value and length; ok is false for anything quoteText does not
// write.
func unquoteText(s string) (string, int, bool) {
	if s == "" || s[0] != '"' {
		return "", 0, false
	}
	var b strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), i + 1, true
		case c == '\n' || c == '\r':
			return "", 0, false
		case c == '\\':
			if i+1 >= len(s) {
				return "", 0, false
			}
			switch s[i+1] {
			case '\\':
				b.WriteByte('\\')
			case '"':
				b.WriteByte('"')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if i+6 > len(s) {
					return "", 0, false
				}
				v, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
				if err != nil {
					return "", 0, false
				}
				b.WriteRune(rune(v))
				i += 6
				continue
			default:
				return "", 0, false
			}
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, false
}

// maxTextSplits bounds the ways ExprToText tries to cut an expression into
// holes; an expression needing more is left to Expression mode.
const maxTextSplits = 256

// ExprToText returns the text of an expression the app wrote from Text mode
// (TextToExpr with the same params); ok is false for any other expression,
// which then opens in Expression mode. TextToExpr(text) gives expr back
// byte for byte whenever ok is true.
func ExprToText(expr string, params []string) (text string, ok bool) {
	if expr == "" {
		return "", true
	}
	// Every operand starts with " or string(: anything else is CEL.
	if expr[0] != '"' && !strings.HasPrefix(expr, "string(") {
		return "", false
	}
	budget := maxTextSplits
	var parts []TextPart
	var try func(pos int) bool
	try = func(pos int) bool {
		if budget--; budget < 0 {
			return false
		}
		rest := expr[pos:]
		if rest[0] == '"' {
			v, n, ok := unquoteText(rest)
			if !ok || v == "" || len(parts) > 0 && parts[len(parts)-1].Kind == TextLiteral {
				return false
			}
			parts = append(parts, TextPart{Kind: TextLiteral, Text: v})
			if pos+n == len(expr) {
				return true
			}
			if !strings.HasPrefix(expr[pos+n:], " + ") || pos+n+3 == len(expr) {
				parts = parts[:len(parts)-1]
				return false
			}
			if try(pos + n + 3) {
				return true
			}
			parts = parts[:len(parts)-1]
			return false
		}
		if !strings.HasPrefix(rest, "string(") {
			return false
		}
		start := pos + len("string(")
		for j := start; j < len(expr); j++ {
			if expr[j] != ')' {
				continue
			}
			last := j+1 == len(expr)
			if !last && (!strings.HasPrefix(expr[j+1:], " + ") || j+4 == len(expr)) {
				continue
			}
			p, ok := operandPart(expr[start:j], params)
			if !ok {
				continue
			}
			parts = append(parts, p)
			if last || try(j+4) {
				return true
			}
			parts = parts[:len(parts)-1]
			if budget < 0 {
				return false
			}
		}
		return false
	}
	if !try(0) {
		return "", false
	}
	var b strings.Builder
	for _, p := range parts {
		switch p.Kind {
		case TextLiteral:
			b.WriteString(p.Text)
		case TextHole:
			b.WriteString("{{" + p.Text + "}}")
		case TextPlaceholder:
			b.WriteString("[[" + p.Text + "]]")
		}
	}
	text = b.String()
	if back, err := TextToExpr(text, params); err != nil || back != expr {
		return "", false
	}
	return text, true
}

// operandPart reads the S of an operand string(S) as a placeholder or a hole.
func operandPart(s string, params []string) (TextPart, bool) {
	if targetRE.MatchString(s) {
		name := s[strings.IndexByte(s, '.')+1:]
		if placeholderTarget(name, params) != s {
			return TextPart{}, false
		}
		return TextPart{Kind: TextPlaceholder, Text: name, Target: s}, true
	}
	if placeholderLike(s) {
		s = s[1 : len(s)-1]
	}
	if strings.TrimSpace(s) == "" || strings.Contains(s, "}}") || celSyntax(s) != "" {
		return TextPart{}, false
	}
	return TextPart{Kind: TextHole, Text: s}, true
}

// maxExprChars is the engine's limit on an expression's size (engine/expr
// MaxSourceBytes, which CEL counts in characters).
const maxExprChars = 64 << 10

var celParser = sync.OnceValues(func() (*parser.Parser, error) {
	// The engine's limits (engine/expr): 64 Ki characters of source, depth 200.
	return parser.NewParser(parser.Macros(parser.AllMacros...), parser.MaxRecursionDepth(200),
		parser.ExpressionSizeCodePointLimit(maxExprChars), parser.PopulateMacroCalls(false))
})

// parseCEL parses src with cel-go's parser (syntax only: names and types
// are the engine's to check). The message is CEL's, "" when src parses.
func parseCEL(src string) (*celast.AST, string) {
	p, err := celParser()
	if err != nil {
		return nil, err.Error()
	}
	a, errs := p.Parse(common.NewTextSource(src))
	if errs != nil && len(errs.GetErrors()) > 0 {
		return nil, errs.ToDisplayString()
	}
	return a, ""
}

func celSyntax(src string) string {
	_, msg := parseCEL(src)
	return msg
}

// LiteralNames returns the connection names an expression can give when
// they are a literal set: a string literal, or conditionals (c ? a : b,
// nested) whose branches are. ok is false when the expression computes the
// name some other way (or does not parse): then only a run can tell.
func LiteralNames(src string) (names []string, ok bool) {
	a, msg := parseCEL(src)
	if msg != "" {
		return nil, false
	}
	seen := map[string]bool{}
	var walk func(e celast.Expr) bool
	walk = func(e celast.Expr) bool {
		switch e.Kind() {
		case celast.LiteralKind:
			s, isStr := e.AsLiteral().(types.String)
			if !isStr {
				return false
			}
			if !seen[string(s)] {
				seen[string(s)] = true
				names = append(names, string(s))
			}
			return true
		case celast.CallKind:
			c := e.AsCall()
			if c.FunctionName() != operators.Conditional || len(c.Args()) != 3 {
				return false
			}
			return walk(c.Args()[1]) && walk(c.Args()[2])
		}
		return false
	}
	if !walk(a.Expr()) {
		return nil, false
	}
	return names, true
}
