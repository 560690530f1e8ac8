package flow

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// DemoPackKind is the "kind" of a demo pack file.
const DemoPackKind = "demo-pack"

// DemoPackSuffix ends the name of a demo pack file.
const DemoPackSuffix = ".flowbench-demo.json"

// MaxDemoPackFileBytes caps a demo pack file: its flows, connections, mocks
// and environments together (the sum of their own caps would be too
// generous for a hand-over file).
const MaxDemoPackFileBytes = 32 << 20

// DemoPack is a *.flowbench-demo.json file: the flows of a demo with
// everything they need to run elsewhere (their connections, mocks and
// environments; input presets travel inside the flows). Secrets are
// references only, never values.
type DemoPack struct {
	Format       string        `json:"format"`
	Kind         string        `json:"kind"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Flows        []Flow        `json:"flows"`
	Connections  []Connection  `json:"connections,omitempty"`
	Mocks        []Mock        `json:"mocks,omitempty"`
	Environments []Environment `json:"environments,omitempty"`
}

// IsDemoPackFile reports whether a file's name says it is a demo pack.
func IsDemoPackFile(name string) bool { return strings.HasSuffix(name, DemoPackSuffix) }

// DecodeDemoPack reads a demo pack with the strictness of DecodeFlow and
// then checks every part with its own rules (Validate, ValidateConnections,
// ValidateMocks, ValidateEnvironments). Unlike a flow or connections file it
// refuses a literal secret value: a pack is handed over, so a secret in it
// would leak. Problems carry their path in the pack (flows[0].nodes[1]...,
// connections[2].auth.token) and, where the pack says it, line and column.
func DecodeDemoPack(data []byte) (*DemoPack, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(data) > MaxDemoPackFileBytes {
		return nil, &DecodeError{Problems: Problems{{Severity: SeverityError,
			Message: fmt.Sprintf("the file is %s, more than the %s a demo pack may be; export fewer flows", FormatBytes(int64(len(data))), FormatBytes(MaxDemoPackFileBytes))}}}
	}
	p := new(DemoPack)
	if err := decodeStrict(data, p, "demo pack"); err != nil {
		return nil, err
	}
	normalizeEmpty(reflect.ValueOf(p).Elem())
	var ps Problems
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Severity: SeverityError, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if p.Kind != DemoPackKind {
		add("kind", `%q is not a demo pack; write "kind": %q (a flow, connections or mocks file is opened on its own, not as a pack)`, p.Kind, DemoPackKind)
	}
	if strings.TrimSpace(p.Name) == "" {
		add("name", "the pack has no name; name it as the import should show it")
	}
	if len(p.Flows) == 0 {
		add("flows", "the pack holds no flow; export at least one")
	}
	seen := map[string]bool{}
	for i := range p.Flows {
		f := &p.Flows[i]
		at := fmt.Sprintf("flows[%d]", i)
		if len(f.Nodes) > MaxFlowNodes {
			add(at+".nodes", "flow %q: %s", f.Name, tooManyNodes(len(f.Nodes)))
			continue
		}
		if seen[f.Name] {
			add(at+".name", "a second flow is named %q; give each flow of a pack its own name (--flow chooses by name)", f.Name)
		}
		seen[f.Name] = true
		for _, pr := range Validate(f) {
			if pr.Severity != SeverityError {
				continue
			}
			pr.Message = fmt.Sprintf("flow %q: %s", f.Name, pr.Message)
			if pr.Node == "" {
				pr.Field = joinPath(at, pr.Field)
			}
			ps = append(ps, pr)
		}
	}
	for _, pr := range ValidateConnections(&ConnectionsFile{Format: Format, Connections: p.Connections}) {
		if pr.Severity == SeverityError {
			ps = append(ps, pr)
		}
	}
	for _, pr := range ValidateMocks(p.Mocks) {
		if pr.Severity == SeverityError {
			ps = append(ps, pr)
		}
	}
	for _, pr := range ValidateEnvironments(&EnvironmentsFile{Format: Format, Environments: p.Environments}) {
		if pr.Severity == SeverityError {
			ps = append(ps, pr)
		}
	}
	ps = append(ps, p.literalSecrets(data)...)
	if len(ps) > 0 {
		return nil, &DecodeError{Problems: ps}
	}
	return p, nil
}

// literalSecrets finds every secret written as a value in the pack, with
// its line and column in data.
func (p *DemoPack) literalSecrets(data []byte) Problems {
	var paths []string
	var where []string // who the secret belongs to, for the message
	p.eachSecret(func(path, owner string, ref *SecretRef) {
		if isLiteral(*ref) {
			paths, where = append(paths, path), append(where, owner)
		}
	})
	if len(paths) == 0 {
		return nil
	}
	d := &checker{data: data}
	root, _ := d.parse("demo pack")
	for i, path := range paths {
		d.add(offsetOf(root, path), path, fmt.Sprintf(`%s holds a secret's value, which a demo pack may not carry (it is handed over); refer to it as {"secret": "NAME"} (the app's sealed store) or {"env": "VAR"} (an environment variable) and give the value to the trainer separately`, where[i]))
	}
	return d.err().Problems
}

// eachSecret calls fn with the path in the pack, a description of its
// owner and the reference of every secret the pack holds, in file order.
func (p *DemoPack) eachSecret(fn func(path, owner string, ref *SecretRef)) {
	for i := range p.Flows {
		f := &p.Flows[i]
		for j := range f.Nodes {
			for _, s := range NodeSecrets(&f.Nodes[j]) {
				fn(fmt.Sprintf("flows[%d].nodes[%d].%s", i, j, s.Field),
					fmt.Sprintf("flow %q, node %q, field %s", f.Name, f.Nodes[j].ID, s.Field), s.Ref)
			}
		}
	}
	authSecrets := func(at, owner string, secrets map[string]*SecretRef) {
		for _, name := range slices.Sorted(maps.Keys(secrets)) {
			fn(at+".auth."+name, owner+", field auth."+name, secrets[name])
		}
	}
	for i := range p.Connections {
		authSecrets(fmt.Sprintf("connections[%d]", i), fmt.Sprintf("connection %q", p.Connections[i].Name), p.Connections[i].Auth.Secrets())
	}
	for i := range p.Mocks {
		if a := p.Mocks[i].Auth; a != nil {
			authSecrets(fmt.Sprintf("mocks[%d]", i), fmt.Sprintf("mock %q", p.Mocks[i].Name), a.Secrets())
		}
	}
	for i := range p.Environments {
		e := &p.Environments[i]
		for _, cn := range slices.Sorted(maps.Keys(e.Connections)) {
			if a := e.Connections[cn].Auth; a != nil {
				authSecrets(fmt.Sprintf("environments[%d].connections.%s", i, cn),
					fmt.Sprintf("environment %q, connection %q", e.Name, cn), a.Secrets())
			}
		}
	}
}

// offsetOf returns where the value at path (a.b[2].c) starts in the tree,
// or where the deepest part of it found starts.
func offsetOf(root *jsonValue, path string) int {
	if root == nil {
		return 0
	}
	v := root
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key != "" {
			next := (*jsonValue)(nil)
			for _, m := range v.members {
				if m.key == key {
					next = m.val
				}
			}
			if next == nil {
				return v.off
			}
			v = next
		}
		for rest != "" {
			idx, after, _ := strings.Cut(rest, "]")
			n, err := strconv.Atoi(idx)
			if err != nil || n < 0 || n >= len(v.elems) {
				return v.off
			}
			v = v.elems[n]
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return v.off
}

// EncodeDemoPack writes p like EncodeFlow. It never writes a secret's
// value: a reference is written as its name (a SecretRef's Literal is never
// encoded), and a secret that is only a value is refused with an error
// wrapping ErrLiteralSecret naming its owner and field; seal it first.
func EncodeDemoPack(p *DemoPack) ([]byte, error) {
	if p == nil {
		return nil, errors.New("no demo pack to encode")
	}
	var err error
	p.eachSecret(func(path, owner string, ref *SecretRef) {
		if err == nil && isLiteral(*ref) {
			err = fmt.Errorf("%s: %w", owner, ErrLiteralSecret)
		}
	})
	if err != nil {
		return nil, err
	}
	out := *p
	out.Format, out.Kind = Format, DemoPackKind
	out.Flows = slices.Clone(p.Flows)
	for i := range out.Flows {
		out.Flows[i].Format = Format
		if out.Flows[i].Nodes == nil {
			out.Flows[i].Nodes = []Node{}
		}
		if out.Flows[i].Edges == nil {
			out.Flows[i].Edges = []Edge{}
		}
	}
	if out.Flows == nil {
		out.Flows = []Flow{}
	}
	return encodeIndented(&out)
}

// NewDemoPack gathers what flows need into a pack: the connections their
// calls use (of conns), the mocks those connections name or that answer
// their requests (of mocks), and the environments (of envs) with their
// overrides cut to the gathered connections. The flows are copied as they
// are, input presets included.
func NewDemoPack(name, description string, flows []*Flow, conns []Connection, mocks []Mock, envs []Environment) *DemoPack {
	p := &DemoPack{Format: Format, Kind: DemoPackKind, Name: name, Description: description}
	usedConn := map[string]bool{}
	usedMock := map[string]bool{}
	for _, f := range flows {
		p.Flows = append(p.Flows, *f)
		for _, u := range f.ConnectionUses(conns) {
			usedConn[u.Name] = true
			for _, m := range MocksFor(u, mocks) {
				usedMock[m] = true
			}
		}
	}
	for _, c := range conns {
		if usedConn[c.Name] {
			p.Connections = append(p.Connections, c)
			if c.Mock != "" {
				usedMock[c.Mock] = true
			}
		}
	}
	for _, m := range mocks {
		if usedMock[m.Name] {
			p.Mocks = append(p.Mocks, m)
		}
	}
	for _, e := range envs {
		e.Connections = maps.Clone(e.Connections)
		maps.DeleteFunc(e.Connections, func(name string, _ EnvConnection) bool { return !usedConn[name] })
		if len(e.Connections) == 0 {
			e.Connections = nil
		}
		p.Environments = append(p.Environments, e)
	}
	return p
}

// Flow returns the pack's flow of that name; with name "" its first flow.
// The error lists the flows there are.
func (p *DemoPack) Flow(name string) (*Flow, error) {
	if len(p.Flows) == 0 {
		return nil, errors.New("the demo pack holds no flow")
	}
	if name == "" {
		return &p.Flows[0], nil
	}
	names := make([]string, len(p.Flows))
	for i := range p.Flows {
		if p.Flows[i].Name == name {
			return &p.Flows[i], nil
		}
		names[i] = strconv.Quote(p.Flows[i].Name)
	}
	return nil, fmt.Errorf("the demo pack has no flow named %q; it holds %s: choose one with --flow NAME", name, strings.Join(names, ", "))
}
