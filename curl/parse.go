package curl

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/flowbench/flowbench/flow"
)

// MaxCommandBytes is the longest command Parse reads.
const MaxCommandBytes = 1 << 20

// Options are what Parse may use beyond the command's text.
type Options struct {
	// BaseDir is the directory @file arguments (-d @body.json, -F f=@x.png,
	// -T, -H @headers.txt) are read from; a relative name is joined to it.
	// "" reads no file: such arguments are listed in Command.Unmapped.
	BaseDir string
	// Getenv looks up the shell variables the command uses but does not
	// assign (the CLI passes os.LookupEnv, as a shell would expand them);
	// nil leaves them unexpanded: the request holds $NAME, and the variable
	// is listed in Command.Unmapped and Command.Unset.
	Getenv func(name string) (string, bool)
}

// Parse reads a curl command line without reading any file (see ParseWith).
func Parse(cmd string) (*Command, error) { return ParseWith(cmd, Options{}) }

// ParseWith reads a curl command line: the first command named curl in cmd
// (shell variables assigned before it, as `TOKEN=x curl …` or `export
// TOKEN=x; curl …`, are expanded). The error says what is wrong with the
// command (its syntax, a missing URL, an option missing its value, a file
// that cannot be read); what can be read but not mapped is listed in
// Command.Unmapped instead.
func ParseWith(cmd string, opts Options) (*Command, error) {
	if len(cmd) > MaxCommandBytes {
		return nil, fmt.Errorf("the command is longer than %s; put the body in a file and use -d @file", flow.FormatBytes(MaxCommandBytes))
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(cmd), "")
	if err != nil {
		var pe syntax.ParseError
		if errors.As(err, &pe) {
			hint := ""
			if pe.Incomplete {
				hint = "; a quote or a line continuation is not closed"
			}
			return nil, fmt.Errorf("the command is not valid shell syntax: line %d, column %d: %s%s", pe.Pos.Line(), pe.Pos.Col(), pe.Text, hint)
		}
		return nil, fmt.Errorf("the command is not valid shell syntax: %v", err)
	}
	p := &parser{src: cmd, opts: opts, vars: map[string]string{}, c: &Command{}}
	var call *syntax.CallExpr
	var others []Note
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Stmt:
			for _, r := range n.Redirs {
				p.unmapped(p.text(r), "a redirection; nothing is read from or written to files")
			}
		case *syntax.DeclClause:
			if call == nil && n.Variant != nil && (n.Variant.Value == "export" || n.Variant.Value == "declare" || n.Variant.Value == "local" || n.Variant.Value == "readonly") {
				for _, a := range n.Args {
					p.assign(a)
				}
				return false
			}
		case *syntax.CallExpr:
			if call != nil {
				others = append(others, Note{Arg: p.text(n), Reason: "another command; only the curl command is read"})
				return false
			}
			if len(n.Args) == 0 {
				for _, a := range n.Assigns {
					p.assign(a)
				}
				return false
			}
			name := p.fields(n.Args[0])
			if len(name) == 1 && isCurl(name[0]) {
				call = n
				for _, a := range n.Assigns {
					p.assign(a)
				}
				return false
			}
			others = append(others, Note{Arg: p.text(n), Reason: "another command; only the curl command is read"})
			return false
		}
		return true
	})
	if call == nil {
		return nil, errors.New("no curl command found; paste a command that starts with curl")
	}
	var args []arg
	for _, w := range call.Args[1:] {
		for _, v := range p.fields(w) {
			args = append(args, arg{value: v, src: p.text(w)})
		}
	}
	if err := p.options(args); err != nil {
		return nil, err
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	p.c.Unmapped = append(p.c.Unmapped, others...)
	return p.c, nil
}

func isCurl(name string) bool {
	base := strings.ToLower(name[strings.LastIndexAny(name, `/\`)+1:])
	return base == "curl" || base == "curl.exe"
}

// arg is one argument of the curl command after expansion, with the shell
// text it came from.
type arg struct {
	value, src string
}

// parser holds what the options said until finish builds the request.
type parser struct {
	src  string
	opts Options
	vars map[string]string
	c    *Command

	method     string
	urls       []string
	urlQuery   []string
	data       []dataPiece
	get, head  bool
	headers    []Header
	removed    map[string]bool // headers named with nothing after ":" (-H 'Accept:')
	userAgent  string
	cookies    []string
	referer    string
	rangeSpec  string
	form       []FormPart
	uploadFile *string
}

// dataPiece is one data option's content; a --json piece joins a --json
// piece before it with nothing, as curl concatenates them, any other two
// pieces are joined with "&".
type dataPiece struct {
	text string
	json bool
}

func (p *parser) text(n syntax.Node) string {
	start, end := int(n.Pos().Offset()), int(n.End().Offset())
	if start < 0 || end > len(p.src) || start > end {
		return ""
	}
	return p.src[start:end]
}

func (p *parser) unmapped(argText, reason string) {
	p.c.Unmapped = append(p.c.Unmapped, Note{Arg: argText, Reason: reason})
}

func (p *parser) ignored(argText, reason string) {
	p.c.Ignored = append(p.c.Ignored, Note{Arg: argText, Reason: reason})
}

// assign records a shell variable assigned before the curl command.
func (p *parser) assign(a *syntax.Assign) {
	if a == nil || a.Name == nil || a.Array != nil || a.Index != nil || a.Append {
		return
	}
	if a.Value == nil {
		if _, ok := p.vars[a.Name.Value]; !ok && !a.Naked {
			p.vars[a.Name.Value] = ""
		}
		return
	}
	if vs := p.fields(a.Value); len(vs) > 0 {
		p.vars[a.Name.Value] = strings.Join(vs, " ")
	} else {
		p.vars[a.Name.Value] = ""
	}
}

// lookup returns a variable assigned before the command, else one of
// Options.Getenv.
func (p *parser) lookup(name string) (string, bool) {
	if v, ok := p.vars[name]; ok {
		return v, true
	}
	if p.opts.Getenv != nil && name != "IFS" {
		return p.opts.Getenv(name)
	}
	return "", false
}

// environ expands the variables lookup knows and leaves any other as its
// name ($TOKEN), which Parse lists as unmapped.
type environ struct{ p *parser }

func (e environ) Get(name string) expand.Variable {
	if v, ok := e.p.lookup(name); ok {
		return expand.Variable{Set: true, Kind: expand.String, Str: v}
	}
	if name == "IFS" {
		return expand.Variable{}
	}
	return expand.Variable{Set: true, Kind: expand.String, Str: "$" + name}
}

func (e environ) Each(fn func(name string, vr expand.Variable) bool) {
	for k, v := range e.p.vars {
		if !fn(k, expand.Variable{Set: true, Kind: expand.String, Str: v}) {
			return
		}
	}
}

// fields expands one shell word as the shell would pass it to curl (quotes
// removed, escapes decoded), listing what it could not expand: a variable
// not assigned before the command, a command or process substitution, an
// arithmetic expansion, a home directory. They stay as written.
func (p *parser) fields(w *syntax.Word) []string {
	syntax.Walk(w, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.ParamExp:
			if n.Param != nil {
				if _, ok := p.lookup(n.Param.Value); ok && !n.Excl && n.Exp == nil && n.Repl == nil && n.Slice == nil && n.Index == nil && !n.Length {
					return false
				}
			}
			p.unmapped(p.text(n), "a shell variable that is not set; the request holds its name; replace it with the value")
			if n.Param != nil && !slices.Contains(p.c.Unset, n.Param.Value) {
				p.c.Unset = append(p.c.Unset, n.Param.Value)
			}
			return false
		case *syntax.CmdSubst:
			p.unmapped(p.text(n), "a command substitution; nothing is run; replace it with its output")
			return false
		case *syntax.ProcSubst:
			p.unmapped(p.text(n), "a process substitution; nothing is run")
			return false
		case *syntax.ArithmExp:
			p.unmapped(p.text(n), "an arithmetic expansion; replace it with its value")
			return false
		}
		return true
	})
	if len(w.Parts) > 0 {
		if lit, ok := w.Parts[0].(*syntax.Lit); ok && strings.HasPrefix(lit.Value, "~") {
			p.unmapped(p.text(w), "a home directory (~); give the path in full")
			return []string{p.text(w)}
		}
	}
	cfg := &expand.Config{
		Env: environ{p},
		CmdSubst: func(out io.Writer, cs *syntax.CmdSubst) error {
			_, err := io.WriteString(out, p.text(cs))
			return err
		},
		ProcSubst: func(ps *syntax.ProcSubst) (string, error) { return p.text(ps), nil },
	}
	out, err := expand.Fields(cfg, w)
	if err != nil {
		p.unmapped(p.text(w), fmt.Sprintf("cannot be expanded (%v); it is kept as written", err))
		return []string{p.text(w)}
	}
	return out
}

// readFile reads an @file argument relative to Options.BaseDir; ok is false
// (and the argument listed as unmapped) when no base directory was given or
// the name is "-" (standard input).
func (p *parser) readFile(option, name, src string) (string, bool, error) {
	if name == "-" {
		p.unmapped(src, "reads standard input; put the content in the command or a file")
		return "", false, nil
	}
	if p.opts.BaseDir == "" {
		p.unmapped(src, "reads the file "+name+", which cannot be read here; paste its content instead")
		return "", false, nil
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.opts.BaseDir, path)
	}
	data, err := flow.ReadFileLimit(path, flow.MaxInputBytes)
	if err != nil {
		return "", false, fmt.Errorf("%s @%s: %v", option, name, err)
	}
	return string(data), true, nil
}

// finish builds the request from what the options said.
func (p *parser) finish() error {
	c := p.c
	if len(p.urls) == 0 {
		return errors.New("the command gives no URL; add it after curl, e.g. curl https://api.example.com/v1/orders")
	}
	raw := p.urls[0]
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw // as curl guesses
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("the URL %q is not valid: %v", p.urls[0], errors.Unwrap(err))
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return fmt.Errorf("the URL %q is not http or https; Flowbench sends HTTP requests only", p.urls[0])
	}
	if u.Host == "" {
		return fmt.Errorf("the URL %q names no host", p.urls[0])
	}
	if u.User != nil {
		if !c.HasUser {
			c.User = u.User.Username()
			c.Password, _ = u.User.Password()
			c.HasUser = true
		}
		u.User = nil
	}
	u.Fragment, u.RawFragment = "", ""
	var body strings.Builder
	for i, d := range p.data {
		if i > 0 && !(d.json && p.data[i-1].json) {
			body.WriteByte('&')
		}
		body.WriteString(d.text)
	}
	hasData := len(p.data) > 0
	addQuery := func(q string) {
		if u.RawQuery == "" {
			u.RawQuery = q
		} else {
			u.RawQuery += "&" + q
		}
	}
	for _, q := range p.urlQuery {
		addQuery(q)
	}
	if p.get && hasData {
		addQuery(body.String())
		hasData = false
	}
	if _, err := url.Parse(u.String()); err != nil {
		return fmt.Errorf("the URL with its query (-G data, --url-query) is not valid: %v", errors.Unwrap(err))
	}
	c.URL = u

	c.Headers = append(c.Headers, p.headers...)
	implied := func(name, value string) {
		if p.removed[strings.ToLower(name)] {
			return
		}
		if _, ok := c.Header(name); !ok {
			c.Headers = append(c.Headers, Header{Name: name, Value: value})
		}
	}
	if p.userAgent != "" {
		implied("User-Agent", p.userAgent)
	}
	if len(p.cookies) > 0 {
		implied("Cookie", strings.Join(p.cookies, "; "))
	}
	if p.referer != "" {
		implied("Referer", p.referer)
	}
	if p.rangeSpec != "" {
		implied("Range", "bytes="+p.rangeSpec)
	}
	if c.Bearer != "" {
		implied("Authorization", "Bearer "+c.Bearer)
	}
	jsonData := false
	for _, d := range p.data {
		jsonData = jsonData || d.json
	}
	switch {
	case len(p.form) > 0:
		if hasData {
			return errors.New("-F (a multipart form) and -d (data) cannot be used together; keep one")
		}
		b, boundary, err := multipartBody(p.form)
		if err != nil {
			return err
		}
		c.Form = p.form
		c.Body, c.HasBody = b, true
		implied("Content-Type", "multipart/form-data; boundary="+boundary)
	case hasData:
		c.Body, c.HasBody = body.String(), true
		if jsonData {
			implied("Content-Type", "application/json")
			implied("Accept", "application/json")
		} else {
			implied("Content-Type", "application/x-www-form-urlencoded")
		}
	case p.uploadFile != nil:
		c.Body, c.HasBody = *p.uploadFile, true
	}
	if v, ok := c.Header("Authorization"); ok {
		if scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " "); ok && strings.EqualFold(scheme, "Bearer") {
			c.Bearer = strings.TrimSpace(tok)
		}
	}

	switch {
	case p.method != "":
		c.Method = p.method // as given: methods are case-sensitive
	case p.head:
		c.Method = "HEAD"
	case p.get:
		c.Method = "GET"
	case p.uploadFile != nil:
		c.Method = "PUT"
	case c.HasBody:
		c.Method = "POST"
	default:
		c.Method = "GET"
	}
	for _, extra := range p.urls[1:] {
		p.unmapped(extra, "a second URL; only the first is requested")
	}
	return nil
}

// formBoundary is the multipart boundary of -F bodies: fixed, so one
// command always gives the same body, and made longer in the rare case a
// part holds it.
const formBoundary = "FlowbenchFormBoundary"

func multipartBody(parts []FormPart) (string, string, error) {
	boundary := formBoundary
	for i := 0; i < 100; i++ {
		clash := false
		for _, pt := range parts {
			clash = clash || strings.Contains(pt.Value, boundary)
		}
		if !clash {
			break
		}
		boundary = fmt.Sprintf("%s%d", formBoundary, i)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		return "", "", err
	}
	for _, pt := range parts {
		var pw io.Writer
		var err error
		switch {
		case pt.File != "":
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", multipart.FileContentDisposition(pt.Name, pt.File))
			h.Set("Content-Type", cmp.Or(pt.Type, "application/octet-stream"))
			pw, err = w.CreatePart(h)
		case pt.Type != "":
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": pt.Name}))
			h.Set("Content-Type", pt.Type)
			pw, err = w.CreatePart(h)
		default:
			pw, err = w.CreateFormField(pt.Name)
		}
		if err != nil {
			return "", "", err
		}
		if _, err := io.WriteString(pw, pt.Value); err != nil {
			return "", "", err
		}
	}
	if err := w.Close(); err != nil {
		return "", "", err
	}
	return buf.String(), boundary, nil
}
