package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// bodyKind is how a response or request body is shown.
type bodyKind int

const (
	bodyEmpty bodyKind = iota
	bodyJSON
	bodyText
	bodyBinary
)

// foldLines is the size, in pretty-printed lines, above which a JSON
// document is shown as a foldable tree (virtualized: only the visible rows
// exist) rather than one coloured text.
const foldLines = 300

// bigText is the length above which a text body is shown in a
// virtualized list of lines: one text object of a quarter of a megabyte
// would take the UI goroutine seconds to lay out.
const bigText = 16 << 10

// lineWidth is where the list of a big text breaks long lines.
const lineWidth = 160

// textList shows text as a virtualized list of lines of at most
// lineWidth characters: only the visible lines exist.
func textList(text string) *widget.List {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		r := []rune(l)
		for len(r) > lineWidth {
			lines = append(lines, string(r[:lineWidth]))
			r = r[lineWidth:]
		}
		lines = append(lines, string(r))
	}
	return widget.NewList(
		func() int { return len(lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.TextStyle = fyne.TextStyle{Monospace: true}
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(lines[i]) })
}

// bodyInfo classifies a body and says what the person should know about
// it: the notes are shown above it.
type bodyInfo struct {
	kind  bodyKind
	text  string // what to show: pretty JSON or safe text
	notes []string
}

// classifyBody decides how to show body, whose Content-Type is ctype,
// whose full size was size bytes and of which only a prefix was kept when
// truncated.
func classifyBody(body, ctype string, size int64, truncated bool) bodyInfo {
	var info bodyInfo
	if truncated {
		info.notes = append(info.notes, fmt.Sprintf("Capped: showing the first %s of %s. The rest was not kept.", byteSize(int64(len(body))), byteSize(size)))
	}
	if body == "" {
		info.kind = bodyEmpty
		return info
	}
	mt, _, _ := mime.ParseMediaType(ctype)
	if isBinaryType(mt) || strings.IndexByte(body, 0) >= 0 {
		info.kind = bodyBinary
		if mt == "" {
			mt = "unknown type"
		}
		if size <= 0 {
			size = int64(len(body))
		}
		info.text = fmt.Sprintf("Binary body: %s, %s. It is not shown as text.", byteSize(size), mt)
		return info
	}
	if !truncated && (strings.Contains(mt, "json") || mt == "" || mt == "text/plain") && json.Valid([]byte(body)) && looksLikeJSON(body) {
		var buf bytes.Buffer
		if err := json.Indent(&buf, []byte(body), "", "  "); err == nil {
			info.kind, info.text = bodyJSON, buf.String()
			return info
		}
	}
	info.kind = bodyText
	info.text = body
	// The engine keeps bodies as UTF-8 strings, already replacing bytes
	// that are not UTF-8 by U+FFFD; a body from elsewhere may still hold
	// them. Either way the person is told the text is not what was sent.
	bad := strings.Count(body, "\uFFFD")
	if !utf8.ValidString(body) {
		for i := 0; i < len(body); {
			r, n := utf8.DecodeRuneInString(body[i:])
			if r == utf8.RuneError && n == 1 {
				bad++
			}
			i += n
		}
		info.text = strings.ToValidUTF8(body, "\uFFFD")
	}
	if bad > 0 {
		info.notes = append(info.notes, fmt.Sprintf("Not valid UTF-8: %d characters that are not UTF-8 are shown as \uFFFD.", bad))
	}
	return info
}

func looksLikeJSON(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && (s[0] == '{' || s[0] == '[')
}

// isBinaryType says whether a media type is not text a person reads.
func isBinaryType(mt string) bool {
	switch {
	case mt == "":
		return false
	case strings.HasPrefix(mt, "text/"), strings.Contains(mt, "json"), strings.Contains(mt, "xml"),
		strings.Contains(mt, "javascript"), strings.Contains(mt, "x-www-form-urlencoded"), strings.Contains(mt, "yaml"):
		return false
	}
	return true
}

// byteSize writes n bytes the way a person reads it.
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}

// bodyObject shows a body: notes first (capped, not UTF-8), then pretty
// coloured JSON (a foldable tree when large), text, or the size and type
// of a binary body.
func bodyObject(body, ctype string, size int64, truncated bool) fyne.CanvasObject {
	info := classifyBody(body, ctype, size, truncated)
	var objs []fyne.CanvasObject
	for _, n := range info.notes {
		l := widget.NewLabelWithStyle(n, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Importance = widget.WarningImportance
		l.Wrapping = fyne.TextWrapWord
		objs = append(objs, l)
	}
	var content fyne.CanvasObject
	switch info.kind {
	case bodyEmpty:
		content = widget.NewLabel("(empty body)")
	case bodyBinary:
		content = widget.NewLabel(info.text)
	case bodyJSON:
		if strings.Count(info.text, "\n") > foldLines {
			if t := jsonTree(body); t != nil {
				content = container.NewGridWrap(fyne.NewSize(600, 400), t)
				objs = append(objs, widget.NewLabel("Large document: unfold the members you need."))
				break
			}
		}
		content = widget.NewRichText(jsonSegments(info.text)...)
	default:
		if len(info.text) > bigText {
			content = container.NewGridWrap(fyne.NewSize(600, 400), textList(info.text))
			break
		}
		rt := widget.NewRichText(&widget.TextSegment{Text: info.text, Style: monoStyle(theme.ColorNameForeground)})
		rt.Wrapping = fyne.TextWrapBreak
		content = rt
	}
	return container.NewVBox(append(objs, content)...)
}

func monoStyle(c fyne.ThemeColorName) widget.RichTextStyle {
	return widget.RichTextStyle{ColorName: c, Inline: true, TextStyle: fyne.TextStyle{Monospace: true}}
}

// JSON token colours.
const (
	colorKey    = theme.ColorNamePrimary
	colorString = theme.ColorNameSuccess
	colorNumber = theme.ColorNameWarning
	colorLit    = theme.ColorNameError
	colorPunct  = theme.ColorNameForeground
)

// jsonSegments colours pretty-printed JSON: keys, strings, numbers,
// literals (true, false, null) and punctuation each in their colour.
// Neighbouring characters of one colour share a segment, so a document
// costs segments per token, not per character.
func jsonSegments(pretty string) []widget.RichTextSegment {
	var segs []widget.RichTextSegment
	var cur strings.Builder
	curColor := fyne.ThemeColorName("")
	emit := func(text string, c fyne.ThemeColorName) {
		if c != curColor && cur.Len() > 0 {
			segs = append(segs, &widget.TextSegment{Text: cur.String(), Style: monoStyle(curColor)})
			cur.Reset()
		}
		curColor = c
		cur.WriteString(text)
	}
	for i := 0; i < len(pretty); {
		c := pretty[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(pretty) && pretty[j] != '"' {
				if pretty[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(pretty))
			k := j
			for k < len(pretty) && pretty[k] == ' ' {
				k++
			}
			col := colorString
			if k < len(pretty) && pretty[k] == ':' {
				col = colorKey
			}
			emit(pretty[i:j], col)
			i = j
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(pretty) && strings.IndexByte("0123456789.eE+-", pretty[j]) >= 0 {
				j++
			}
			emit(pretty[i:j], colorNumber)
			i = j
		case c == 't' || c == 'f' || c == 'n':
			j := i
			for j < len(pretty) && pretty[j] >= 'a' && pretty[j] <= 'z' {
				j++
			}
			emit(pretty[i:j], colorLit)
			i = j
		default:
			emit(pretty[i:i+1], colorPunct)
			i++
		}
	}
	if cur.Len() > 0 {
		segs = append(segs, &widget.TextSegment{Text: cur.String(), Style: monoStyle(curColor)})
	}
	return segs
}

// jnode is one member of a JSON document shown as a tree.
type jnode struct {
	label    string // the key or index
	value    string // a scalar's JSON text, or "{…n}" / "[…n]"
	color    fyne.ThemeColorName
	children []string
}

// jsonTree shows a JSON document as a foldable tree, keeping the order of
// object members. It returns nil when body is not JSON.
func jsonTree(body string) *widget.Tree {
	nodes := map[string]*jnode{}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var parse func(id, label string) error
	parse = func(id, label string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		n := &jnode{label: label}
		nodes[id] = n
		switch t := tok.(type) {
		case json.Delim:
			closing := json.Delim('}')
			if t == '[' {
				closing = ']'
			}
			for i := 0; dec.More(); i++ {
				key := strconv.Itoa(i)
				if t == '{' {
					k, err := dec.Token()
					if err != nil {
						return err
					}
					key = fmt.Sprint(k)
				}
				child := id + "/" + strconv.Itoa(len(n.children))
				n.children = append(n.children, child)
				if err := parse(child, key); err != nil {
					return err
				}
			}
			if end, err := dec.Token(); err != nil || end != closing {
				return fmt.Errorf("unbalanced JSON")
			}
			open, shut := "{", "}"
			if t == '[' {
				open, shut = "[", "]"
			}
			n.value, n.color = fmt.Sprintf("%s %d %s", open, len(n.children), shut), colorPunct
		case string:
			b, _ := json.Marshal(t)
			n.value, n.color = string(b), colorString
		case json.Number:
			n.value, n.color = t.String(), colorNumber
		default:
			n.value, n.color = fmt.Sprint(t), colorLit
			if t == nil {
				n.value = "null"
			}
		}
		return nil
	}
	if err := parse("$", "$"); err != nil {
		return nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil
	}
	tree := widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID {
			if id == "" {
				return []string{"$"}
			}
			if n := nodes[id]; n != nil {
				return n.children
			}
			return nil
		},
		func(id widget.TreeNodeID) bool {
			if id == "" {
				return true
			}
			n := nodes[id]
			return n != nil && len(n.children) > 0
		},
		func(bool) fyne.CanvasObject {
			return widget.NewRichText(&widget.TextSegment{Style: monoStyle(colorKey)}, &widget.TextSegment{Style: monoStyle(colorPunct)})
		},
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			n := nodes[id]
			if n == nil {
				return
			}
			rt := o.(*widget.RichText)
			k := rt.Segments[0].(*widget.TextSegment)
			v := rt.Segments[1].(*widget.TextSegment)
			k.Text = n.label + ": "
			v.Text, v.Style.ColorName = n.value, n.color
			rt.Refresh()
		})
	tree.OpenBranch("$")
	return tree
}
