package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// DecodeError is returned by DecodeFlow and DecodeConnections when a file
// cannot be read. It lists every problem found, not only the first, so a
// person can fix a file in one pass. errors.As also finds its Problems.
type DecodeError struct {
	Problems Problems
}

// Error returns every problem, one per line.
func (e *DecodeError) Error() string { return e.Problems.Error() }

// Unwrap returns the problems, so callers that only know Problems can list them.
func (e *DecodeError) Unwrap() error { return e.Problems }

// DecodeFlow reads a flow file (docs/flow-format.md). It is strict: malformed JSON,
// unknown fields, values of the wrong type, a missing or foreign "format" and
// data after the object are all errors, reported together in a *DecodeError
// with the JSON path, line and column of each. Literal secrets are accepted
// (an import); EncodeFlow refuses them until they are sealed. Empty lists and
// maps decode as nil, so Decode(Encode(f)) equals f.
func DecodeFlow(data []byte) (*Flow, error) {
	f := new(Flow)
	if err := decodeStrict(data, f, "flow"); err != nil {
		return nil, err
	}
	if len(f.Nodes) > MaxFlowNodes {
		return nil, &DecodeError{Problems: Problems{{Severity: SeverityError, Field: "nodes",
			Message: tooManyNodes(len(f.Nodes))}}}
	}
	normalizeEmpty(reflect.ValueOf(f).Elem())
	return f, nil
}

// DecodeConnections reads a connections file with the same strictness as
// DecodeFlow.
func DecodeConnections(data []byte) (*ConnectionsFile, error) {
	c := new(ConnectionsFile)
	if err := decodeStrict(data, c, "connections"); err != nil {
		return nil, err
	}
	normalizeEmpty(reflect.ValueOf(c).Elem())
	return c, nil
}

// EncodeFlow writes f as a flow file: two-space indent, fields in struct
// order, map keys sorted, a trailing newline, so files diff well in git. An
// empty Format is written as Format. A secret still holding a literal value
// is refused with an error wrapping ErrLiteralSecret and naming its node.
func EncodeFlow(f *Flow) ([]byte, error) {
	if f == nil {
		return nil, errors.New("no flow to encode")
	}
	for i := range f.Nodes {
		for _, s := range NodeSecrets(&f.Nodes[i]) {
			if isLiteral(*s.Ref) {
				return nil, fmt.Errorf("node %q, field %s: %w", f.Nodes[i].ID, s.Field, ErrLiteralSecret)
			}
		}
	}
	out := *f
	if out.Format == "" {
		out.Format = Format
	}
	// Lists the format requires are written as [] rather than null.
	if out.Nodes == nil {
		out.Nodes = []Node{}
	}
	if out.Edges == nil {
		out.Edges = []Edge{}
	}
	return encodeIndented(&out)
}

// EncodeConnections writes a connections file like EncodeFlow. A connection
// whose secret still holds a literal value is refused with an error wrapping
// ErrLiteralSecret and naming the connection and field: seal it first.
func EncodeConnections(c *ConnectionsFile) ([]byte, error) {
	if c == nil {
		return nil, errors.New("no connections to encode")
	}
	for _, cn := range c.Connections {
		secrets := cn.Auth.Secrets()
		names := make([]string, 0, len(secrets))
		for name := range secrets {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if isLiteral(*secrets[name]) {
				return nil, fmt.Errorf("connection %q, field auth.%s: %w", cn.Name, name, ErrLiteralSecret)
			}
		}
	}
	out := *c
	if out.Format == "" {
		out.Format = Format
	}
	if out.Connections == nil {
		out.Connections = []Connection{}
	}
	return encodeIndented(&out)
}

func isLiteral(s SecretRef) bool { return s.Literal != "" && s.Secret == "" && s.Env == "" }

func encodeIndented(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	// Expressions are full of < > &; escaping them would make files unreadable.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// strictUnmarshal decodes b into v, rejecting unknown fields.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

var utf8BOM = []byte("\xef\xbb\xbf")

// decodeStrict parses data, checks it against v's type and only then decodes
// it into v, so every problem is found before any is reported. what names the
// kind of file in messages.
func decodeStrict(data []byte, v any, what string) error {
	// Some editors start files with a byte order mark; it carries no meaning.
	data = bytes.TrimPrefix(data, utf8BOM)
	d := &checker{data: data}
	if max := maxFileBytes[what]; max > 0 && len(data) > max {
		d.add(0, "", fmt.Sprintf("the file is %s, more than the %s a %s file may be; split it", FormatBytes(int64(len(data))), FormatBytes(int64(max)), what))
		return &DecodeError{Problems: d.problems}
	}
	if bad := invalidUTF8(data); bad >= 0 {
		// encoding/json would silently turn the bytes into U+FFFD.
		d.add(bad, "", fmt.Sprintf("the byte 0x%02x is not valid UTF-8; save the file as UTF-8 (the text may have been written in another encoding such as Latin-1 or Windows-1252)", data[bad]))
		return d.err()
	}
	root, ok := d.parse(what)
	if !ok {
		return d.err()
	}
	if root.kind != jsonObject {
		d.add(root.off, "", fmt.Sprintf("a %s file holds one JSON object {...}; this one holds %s", what, root.describe()))
		return d.err()
	}
	d.check("", root, reflect.TypeOf(v).Elem())
	d.checkFormat(root)
	if len(d.problems) > 0 {
		return d.err()
	}
	if err := json.Unmarshal(data, v); err != nil {
		// The check above should have caught everything; say what we know.
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			d.add(int(te.Offset), te.Field, err.Error())
		} else {
			d.add(0, "", err.Error())
		}
		return d.err()
	}
	return nil
}

// maxFileBytes caps each kind of file decodeStrict reads, by its what.
var maxFileBytes = map[string]int{
	"flow":         MaxFlowFileBytes,
	"connections":  MaxConnectionsFileBytes,
	"mocks":        MaxMocksFileBytes,
	"environments": MaxEnvironmentsFileBytes,
}

// invalidUTF8 returns the offset of the first byte that is not valid UTF-8,
// or -1 when data is valid.
func invalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// normalizeEmpty sets every empty slice and map to nil. encoding/json omits
// empty lists (omitempty) when writing, so decoding must not tell "[]" from
// absent either, or a round trip would not give back an equal value.
func normalizeEmpty(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			normalizeEmpty(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				normalizeEmpty(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			if !v.IsNil() && v.CanSet() {
				v.SetZero()
			}
			return
		}
		for i := range v.Len() {
			normalizeEmpty(v.Index(i))
		}
	case reflect.Map:
		if v.Len() == 0 && !v.IsNil() && v.CanSet() {
			v.SetZero()
		}
		// Map values are not addressable; the maps in this package hold strings.
	}
}

// jsonKind is the kind of a parsed JSON value.
type jsonKind int

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

// jsonValue is a parsed JSON value that keeps the order of object members
// and where each value starts, so problems come out in file order with
// their line.
type jsonValue struct {
	kind    jsonKind
	off     int
	str     string
	num     json.Number
	members []jsonMember
	elems   []*jsonValue
}

type jsonMember struct {
	key string
	off int
	val *jsonValue
}

func (v *jsonValue) describe() string {
	switch v.kind {
	case jsonNull:
		return "null"
	case jsonBool:
		return "true/false"
	case jsonNumber:
		return "a number"
	case jsonString:
		return "a string"
	case jsonArray:
		return "an array"
	}
	return "an object"
}

// checker parses a file and checks it against a Go type, collecting problems.
type checker struct {
	data     []byte
	problems Problems
	offs     []int // the byte offset of each problem, turned into lines by err
}

func (d *checker) add(off int, path, msg string) {
	d.problems = append(d.problems, Problem{Severity: SeverityError, Field: path, Message: msg})
	d.offs = append(d.offs, min(max(off, 0), len(d.data)))
}

// err returns the problems found, in file order (the order a person fixes
// them in), each with its line and column.
func (d *checker) err() *DecodeError {
	order := make([]int, len(d.problems))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return d.offs[a] - d.offs[b] })
	// One sweep over the file for all problems: a file with thousands of
	// unknown fields must not cost thousands of passes.
	out := make(Problems, 0, len(order))
	pos, line, col := 0, 1, 1
	for _, i := range order {
		seg := d.data[pos:d.offs[i]]
		if nl := bytes.LastIndexByte(seg, '\n'); nl >= 0 {
			line += bytes.Count(seg, []byte{'\n'})
			col = 1 + utf8.RuneCount(seg[nl+1:])
		} else {
			col += utf8.RuneCount(seg)
		}
		pos = d.offs[i]
		p := d.problems[i]
		p.Line, p.Column = line, col
		out = append(out, p)
	}
	return &DecodeError{Problems: out}
}

// parse reads the one JSON value of the file into a tree. It reports
// malformed JSON with its line and column, and anything after the value.
func (d *checker) parse(what string) (*jsonValue, bool) {
	dec := json.NewDecoder(bytes.NewReader(d.data))
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.Is(err, io.EOF):
			d.add(0, "", fmt.Sprintf("the file is empty; a %s file is a JSON object starting with {", what))
		case errors.As(err, &se):
			off := max(int(se.Offset)-1, 0)
			d.add(off, "", "not valid JSON: "+se.Error()+trailingCommaHint(d.data, off))
		case errors.Is(err, io.ErrUnexpectedEOF):
			d.add(len(d.data), "", "the file ends before the JSON does: a closing } or ] or \" is missing")
		default:
			d.add(0, "", "not valid JSON: "+err.Error())
		}
		return nil, false
	}
	start := int(dec.InputOffset()) - len(raw)
	if rest := skipSpace(d.data, int(dec.InputOffset())); rest < len(d.data) {
		// Reported, and the object is still checked so every problem shows at once.
		d.add(rest, "", fmt.Sprintf("unexpected data after the %s object; a file holds exactly one JSON object", what))
	}
	p := &treeParser{dec: json.NewDecoder(bytes.NewReader(raw)), data: d.data, base: start}
	p.dec.UseNumber()
	v, err := p.value()
	if err != nil {
		// raw was already checked to be valid JSON, so this is not expected.
		d.add(start, "", "not valid JSON: "+err.Error())
		return nil, false
	}
	return v, true
}

// trailingCommaHint names the usual cause of a JSON error at a closing bracket.
func trailingCommaHint(data []byte, off int) string {
	if off >= len(data) || (data[off] != '}' && data[off] != ']') {
		return ""
	}
	i := off - 1
	for i >= 0 && strings.IndexByte(" \t\r\n", data[i]) >= 0 {
		i--
	}
	if i >= 0 && data[i] == ',' {
		return " (remove the comma before it: JSON allows no trailing comma)"
	}
	return ""
}

func skipSpace(data []byte, off int) int {
	for off < len(data) && strings.IndexByte(" \t\r\n", data[off]) >= 0 {
		off++
	}
	return off
}

// treeParser builds a jsonValue tree from a token stream of valid JSON.
type treeParser struct {
	dec  *json.Decoder
	data []byte
	base int // offset of the token stream within data
}

// next returns the next token and where it starts in data.
func (p *treeParser) next() (json.Token, int, error) {
	off := p.base + int(p.dec.InputOffset())
	for off < len(p.data) && strings.IndexByte(" \t\r\n,:", p.data[off]) >= 0 {
		off++
	}
	tok, err := p.dec.Token()
	return tok, off, err
}

func (p *treeParser) value() (*jsonValue, error) {
	tok, off, err := p.next()
	if err != nil {
		return nil, err
	}
	return p.valueFrom(tok, off)
}

func (p *treeParser) valueFrom(tok json.Token, off int) (*jsonValue, error) {
	v := &jsonValue{off: off}
	switch t := tok.(type) {
	case nil:
		v.kind = jsonNull
	case bool:
		v.kind = jsonBool
	case json.Number:
		v.kind, v.num = jsonNumber, t
	case string:
		v.kind, v.str = jsonString, t
	case json.Delim:
		if t == '[' {
			v.kind = jsonArray
			for p.dec.More() {
				e, err := p.value()
				if err != nil {
					return nil, err
				}
				v.elems = append(v.elems, e)
			}
		} else {
			v.kind = jsonObject
			for p.dec.More() {
				k, koff, err := p.next()
				if err != nil {
					return nil, err
				}
				key, _ := k.(string)
				e, err := p.value()
				if err != nil {
					return nil, err
				}
				v.members = append(v.members, jsonMember{key: key, off: koff, val: e})
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unexpected token %v", tok)
	}
	return v, nil
}

var (
	durationType  = reflect.TypeFor[Duration]()
	secretRefType = reflect.TypeFor[SecretRef]()
	callType      = reflect.TypeFor[Call]()
	unmarshalType = reflect.TypeFor[json.Unmarshaler]()
)

// checkFormat insists on the one format this version reads.
func (d *checker) checkFormat(root *jsonValue) {
	for _, m := range root.members {
		if m.key == "format" {
			if m.val.kind == jsonString && m.val.str != Format {
				d.add(m.val.off, "format", fmt.Sprintf(`%q is not a format this version of Flowbench reads; write "format": %q`, m.val.str, Format))
			}
			return // a wrong type is reported by check
		}
	}
	d.add(root.off, "format", fmt.Sprintf(`missing; write "format": %q as the first field`, Format))
}

// check walks v against the Go type t, recording unknown fields, duplicate
// fields and values of the wrong type with their JSON path.
func (d *checker) check(path string, v *jsonValue, t reflect.Type) {
	switch t {
	case durationType:
		d.checkDuration(path, v)
		return
	case secretRefType:
		d.checkSecret(path, v)
		return
	}
	if t != callType && t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshalType) {
		return // a type with its own decoding that this checker does not know
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.kind != jsonNull {
			d.check(path, v, t.Elem())
		}
	case reflect.Interface:
	case reflect.Struct:
		if v.kind != jsonObject {
			d.wrongType(path, v, "an object {...}")
			return
		}
		fields := jsonFields(t)
		seen := map[string]bool{}
		for _, m := range v.members {
			mp := joinPath(path, m.key)
			if seen[m.key] {
				d.add(m.off, mp, "given twice; keep one")
				continue
			}
			seen[m.key] = true
			f, ok := fields[m.key]
			if !ok {
				d.add(m.off, mp, unknownField(m.key, fields))
				continue
			}
			if t == callType && m.key == "connection" {
				d.checkConnRef(mp, m.val)
				continue
			}
			d.check(mp, m.val, f.Type)
		}
	case reflect.Map:
		if v.kind == jsonNull {
			return
		}
		if v.kind != jsonObject {
			d.wrongType(path, v, "an object {...}")
			return
		}
		seen := map[string]bool{}
		for _, m := range v.members {
			mp := joinPath(path, m.key)
			if seen[m.key] {
				d.add(m.off, mp, "given twice; keep one")
				continue
			}
			seen[m.key] = true
			d.check(mp, m.val, t.Elem())
		}
	case reflect.Slice:
		if v.kind == jsonNull {
			return
		}
		if v.kind != jsonArray {
			d.wrongType(path, v, "an array [...]")
			return
		}
		for i, e := range v.elems {
			d.check(fmt.Sprintf("%s[%d]", path, i), e, t.Elem())
		}
	case reflect.String:
		if v.kind != jsonString {
			d.wrongType(path, v, "a string")
		}
	case reflect.Bool:
		if v.kind != jsonBool {
			d.wrongType(path, v, "true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.kind != jsonNumber {
			d.wrongType(path, v, "a whole number")
		} else if _, err := strconv.ParseInt(string(v.num), 10, t.Bits()); err != nil {
			d.add(v.off, path, fmt.Sprintf("want a whole number, got %s", v.num))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if v.kind != jsonNumber {
			d.wrongType(path, v, "a whole number")
		} else if _, err := strconv.ParseUint(string(v.num), 10, t.Bits()); err != nil {
			d.add(v.off, path, fmt.Sprintf("want a whole number of zero or more, got %s", v.num))
		}
	case reflect.Float32, reflect.Float64:
		if v.kind != jsonNumber {
			d.wrongType(path, v, "a number")
		} else if _, err := strconv.ParseFloat(string(v.num), t.Bits()); err != nil {
			d.add(v.off, path, fmt.Sprintf("the number %s is out of range", v.num))
		}
	default:
		d.add(v.off, path, fmt.Sprintf("cannot be read into a Go %s", t))
	}
}

func (d *checker) wrongType(path string, v *jsonValue, want string) {
	d.add(v.off, path, fmt.Sprintf("want %s, got %s", want, v.describe()))
}

// checkDuration accepts what Duration.UnmarshalJSON accepts, minus the values
// it would turn into something that cannot be written back: negative or
// overflowing numbers of seconds.
func (d *checker) checkDuration(path string, v *jsonValue) {
	switch v.kind {
	case jsonString:
		b, _ := json.Marshal(v.str)
		var x Duration
		if err := x.UnmarshalJSON(b); err != nil {
			d.add(v.off, path, err.Error())
		}
	case jsonNumber:
		secs, err := strconv.ParseFloat(string(v.num), 64)
		switch {
		case err != nil || math.IsInf(secs, 0) || math.IsNaN(secs):
			d.add(v.off, path, fmt.Sprintf("the number %s is out of range", v.num))
		case secs < 0:
			d.add(v.off, path, fmt.Sprintf("duration %s is negative", v.num))
		case secs*float64(time.Second) >= math.MaxInt64:
			d.add(v.off, path, fmt.Sprintf("duration of %s seconds is too long", v.num))
		}
	default:
		d.wrongType(path, v, `a duration such as "30s"`)
	}
}

// checkConnRef accepts what Call.UnmarshalJSON reads as "connection": a
// connection's name, or {"expr": "CEL"} (ConnRef).
func (d *checker) checkConnRef(path string, v *jsonValue) {
	switch v.kind {
	case jsonString:
	case jsonObject:
		seen := map[string]bool{}
		for _, m := range v.members {
			mp := joinPath(path, m.key)
			switch {
			case seen[m.key]:
				d.add(m.off, mp, "given twice; keep one")
			case m.key != "expr":
				d.add(m.off, mp, `unknown field (allowed here: expr)`)
			case m.val.kind != jsonString:
				d.wrongType(mp, m.val, "a string holding CEL that gives a connection's name")
			}
			seen[m.key] = true
		}
		if !seen["expr"] {
			d.add(v.off, path, `an object here is {"expr": "CEL giving the connection's name"}; "expr" is missing`)
		}
	default:
		d.wrongType(path, v, `a connection's name, or {"expr": "CEL giving the name"}`)
	}
}

// checkSecret accepts a literal string or {"secret": NAME} or {"env": VAR}.
func (d *checker) checkSecret(path string, v *jsonValue) {
	switch v.kind {
	case jsonString:
		return
	case jsonObject:
		fields := jsonFields(secretRefType)
		seen := map[string]bool{}
		named := 0 // how many of secret and env are given
		for _, m := range v.members {
			mp := joinPath(path, m.key)
			switch _, known := fields[m.key]; {
			case seen[m.key]:
				d.add(m.off, mp, "given twice; keep one")
			case !known:
				d.add(m.off, mp, unknownField(m.key, fields))
			case m.val.kind != jsonString:
				d.wrongType(mp, m.val, "a string")
			case m.val.str != "":
				named++
			}
			seen[m.key] = true
		}
		if named > 1 {
			d.add(v.off, path, `give either "secret" or "env", not both`)
		}
	default:
		d.wrongType(path, v, `a secret reference such as {"secret": "NAME"} or {"env": "VAR"}`)
	}
}

// fieldCache holds jsonFields' answer per type: a flow with 20,000 nodes
// would otherwise build the same map 20,000 times.
var fieldCache sync.Map // reflect.Type → map[string]reflect.StructField

// jsonFields maps the JSON names of t's fields (as encoding/json sees them)
// to the fields. The map is shared: callers must not change it.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.StructField)
	}
	m := buildJSONFields(t)
	fieldCache.Store(t, m)
	return m
}

func buildJSONFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
	return out
}

// joinPath appends a member to a JSON path: a.b for simple keys, a["x y"] otherwise.
func joinPath(path, key string) string {
	simple := key != ""
	for i, r := range key {
		if !(r == '_' || r == '-' && i > 0 || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' && i > 0) {
			simple = false
			break
		}
	}
	switch {
	case !simple:
		return path + "[" + strconv.Quote(key) + "]"
	case path == "":
		return key
	}
	return path + "." + key
}

// unknownField says a field is unknown and what was probably meant.
func unknownField(key string, fields map[string]reflect.StructField) string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	if s := closest(key, names); s != "" {
		return fmt.Sprintf("unknown field (did you mean %q?)", s)
	}
	return "unknown field (allowed here: " + strings.Join(names, ", ") + ")"
}

// closest returns the candidate nearest to key by edit distance, ignoring
// case, when it is near enough to be a likely typo; else "".
func closest(key string, candidates []string) string {
	if utf8.RuneCountInString(key) > 64 {
		return ""
	}
	limit := 2
	if utf8.RuneCountInString(key) <= 3 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if dist := editDistance(strings.ToLower(key), strings.ToLower(c)); dist < bestDist {
			best, bestDist = c, dist
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
