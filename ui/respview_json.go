package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// jsonIndex is a JSON document indexed lazily for the response view's
// tree: a node knows where its value lies in the text, and its children
// are found only when it is opened (or a search goes through it). Showing
// a 5 MiB body indexes its top level, not the whole of it.
//
// Tree node IDs are the nodes' positions in nodes, in decimal; the root
// is "0".
type jsonIndex struct {
	src   string
	nodes []jsonNode
	// lower is src in lower case, made by the first search.
	lower string
}

// jsonNode is one value of the document.
type jsonNode struct {
	key    string // the member's name, for a member of an object
	index  int    // the element's position, for an element of an array; -1 otherwise
	parent int    // -1 for the root
	// start and end bound the value in src; from is where the member
	// begins (after the comma before it, so its key is inside), for
	// finding the member that holds a position.
	from, start, end int
	kind             byte // '{', '[', '"', '0' (number), 't', 'f', 'n'
	empty            bool // an object or array without members
	indexed          bool // children found
	children         []string
}

// newJSONIndex indexes body's top value. It fails when body is not one
// JSON value (the top level is checked now, the rest when opened).
func newJSONIndex(body string) (*jsonIndex, error) {
	s := strings.Trim(body, " \t\r\n")
	if s == "" {
		return nil, errors.New("empty body")
	}
	start := len(body) - len(strings.TrimLeft(body, " \t\r\n"))
	ix := &jsonIndex{src: body}
	ix.nodes = append(ix.nodes, jsonNode{index: -1, parent: -1, start: start, end: start + len(s)})
	ix.classify(0)
	if ix.nodes[0].kind == '{' || ix.nodes[0].kind == '[' {
		if err := ix.expand(0); err != nil {
			return nil, err
		}
	} else if !json.Valid([]byte(s)) {
		return nil, errors.New("not JSON")
	}
	return ix, nil
}

// classify sets node i's kind from its first byte.
func (ix *jsonIndex) classify(i int) {
	n := &ix.nodes[i]
	c := ix.src[n.start]
	switch c {
	case '{', '[', '"', 't', 'f', 'n':
		n.kind = c
	default:
		n.kind = '0'
	}
	if n.kind == '{' || n.kind == '[' {
		n.empty = strings.Trim(ix.src[n.start+1:n.end-1], " \t\r\n") == ""
	}
}

func nodeID(i int) string { return strconv.Itoa(i) }

// node returns the node of a tree ID, or nil.
func (ix *jsonIndex) node(id string) (*jsonNode, int) {
	i, err := strconv.Atoi(id)
	if err != nil || i < 0 || i >= len(ix.nodes) {
		return nil, -1
	}
	return &ix.nodes[i], i
}

// isBranch says whether the node has members to show.
func (ix *jsonIndex) isBranch(id string) bool {
	n, _ := ix.node(id)
	return n != nil && (n.kind == '{' || n.kind == '[') && !n.empty
}

// childIDs returns the node's children, finding them first if need be.
// A part of the document that is not JSON shows no children (the raw text
// still shows it).
func (ix *jsonIndex) childIDs(id string) []string {
	_, i := ix.node(id)
	if i < 0 {
		return nil
	}
	if !ix.nodes[i].indexed {
		if err := ix.expand(i); err != nil {
			return nil
		}
	}
	return ix.nodes[i].children
}

// expand finds the members of object or array i, each as a node whose
// children are left for later: encoding/json's decoder reads each member
// whole (checking it) and says where it ends.
func (ix *jsonIndex) expand(i int) error {
	n := ix.nodes[i]
	ix.nodes[i].indexed = true
	if n.kind != '{' && n.kind != '[' {
		return nil
	}
	text := ix.src[n.start:n.end]
	dec := json.NewDecoder(strings.NewReader(text))
	if _, err := dec.Token(); err != nil {
		return err
	}
	var children []string
	var raw json.RawMessage
	for k := 0; dec.More(); k++ {
		from := int(dec.InputOffset())
		node := jsonNode{index: k, parent: i}
		if n.kind == '{' {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key, ok := tok.(string)
			if !ok {
				return fmt.Errorf("object key %v is not a string", tok)
			}
			node.key, node.index = key, -1
		}
		raw = raw[:0]
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		end := int(dec.InputOffset())
		node.from, node.start, node.end = n.start+from, n.start+end-len(raw), n.start+end
		ix.nodes = append(ix.nodes, node)
		ix.classify(len(ix.nodes) - 1)
		children = append(children, nodeID(len(ix.nodes)-1))
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("text after the JSON value")
	}
	ix.nodes[i].children = children
	return nil
}

// raw returns the node's JSON text as received.
func (ix *jsonIndex) raw(i int) string {
	n := ix.nodes[i]
	return ix.src[n.start:n.end]
}

// value is what "Copy value" copies: a string's text without quotes, a
// number or literal as written, an object or array as indented JSON.
func (ix *jsonIndex) value(i int) string {
	raw := ix.raw(i)
	switch ix.nodes[i].kind {
	case '"':
		var s string
		if json.Unmarshal([]byte(raw), &s) == nil {
			return s
		}
	case '{', '[':
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(raw), "", "  ") == nil {
			return buf.String()
		}
	}
	return raw
}

// preview is the value as a tree row shows it: scalars as JSON text (cut
// to a line), objects and arrays by their size once known.
func (ix *jsonIndex) preview(i int) string {
	n := ix.nodes[i]
	switch n.kind {
	case '{', '[':
		open, shut := "{", "}"
		if n.kind == '[' {
			open, shut = "[", "]"
		}
		switch {
		case n.empty:
			return open + shut
		case n.indexed:
			return fmt.Sprintf("%s %d %s", open, len(n.children), shut)
		default:
			return open + " … " + shut
		}
	}
	raw := ix.src[n.start:n.end]
	if len(raw) > previewChars {
		cut := previewChars
		for cut > 0 && !utf8Start(raw[cut]) {
			cut--
		}
		raw = raw[:cut] + "…"
	}
	return raw
}

// previewChars is how much of a long scalar a tree row shows.
const previewChars = 200

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// label is the member's name or the element's position.
func (ix *jsonIndex) label(i int) string {
	n := ix.nodes[i]
	switch {
	case n.parent < 0:
		return "body"
	case n.index >= 0:
		return "[" + strconv.Itoa(n.index) + "]"
	}
	return n.key
}

// path is the CEL expression that reads node i, starting at root (such as
// "steps.lookup.body"): members whose names are identifiers are selected
// with a dot, others indexed with a quoted string, elements with their
// position: body.items[0]["weird key"].
func (ix *jsonIndex) path(root string, i int) string {
	var parts []string
	for ; i > 0; i = ix.nodes[i].parent {
		n := ix.nodes[i]
		switch {
		case n.index >= 0:
			parts = append(parts, "["+strconv.Itoa(n.index)+"]")
		case celIdent(n.key):
			parts = append(parts, "."+n.key)
		default:
			parts = append(parts, "["+strconv.Quote(n.key)+"]")
		}
	}
	var b strings.Builder
	b.WriteString(root)
	for k := len(parts) - 1; k >= 0; k-- {
		b.WriteString(parts[k])
	}
	return b.String()
}

// celReserved are CEL's reserved words, which cannot follow a dot.
var celReserved = map[string]bool{
	"true": true, "false": true, "null": true, "in": true, "as": true, "break": true, "const": true,
	"continue": true, "else": true, "for": true, "function": true, "if": true, "import": true,
	"let": true, "loop": true, "package": true, "namespace": true, "return": true, "var": true,
	"void": true, "while": true,
}

// celIdent says whether s may be selected as .s in CEL.
func celIdent(s string) bool {
	if s == "" || celReserved[s] {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}

// ancestors returns the IDs of node i's ancestors, the root first.
func (ix *jsonIndex) ancestors(i int) []string {
	var ids []string
	for p := ix.nodes[i].parent; p >= 0; p = ix.nodes[p].parent {
		ids = append(ids, nodeID(p))
	}
	for l, r := 0, len(ids)-1; l < r; l, r = l+1, r-1 {
		ids[l], ids[r] = ids[r], ids[l]
	}
	return ids
}

// find looks for query (ignoring case) in the document's text from byte
// from on, and returns the innermost node holding the first match and
// where the match ends (the next search starts there); -1 when there is
// none. Only the nodes on the way to the match are indexed.
func (ix *jsonIndex) find(query string, from int) (node, next int) {
	if query == "" {
		return -1, 0
	}
	if ix.lower == "" {
		ix.lower = strings.ToLower(ix.src)
	}
	q := strings.ToLower(query)
	if from < 0 || from > len(ix.lower) {
		from = 0
	}
	k := strings.Index(ix.lower[from:], q)
	if k < 0 {
		return -1, 0
	}
	at := from + k
	i := 0
	for {
		n := ix.nodes[i]
		if n.kind != '{' && n.kind != '[' || n.empty {
			break
		}
		if !n.indexed && ix.expand(i) != nil {
			break
		}
		kids := ix.nodes[i].children
		// The first member that ends after the match holds it, unless
		// the match is in the container's own brackets.
		j := sort.Search(len(kids), func(j int) bool {
			c, _ := ix.node(kids[j])
			return c.end > at
		})
		if j == len(kids) {
			break
		}
		c, ci := ix.node(kids[j])
		if at+len(q) <= c.from {
			break
		}
		i = ci
	}
	return i, at + len(q)
}
