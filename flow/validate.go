package flow

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Severity says whether a problem stops a flow from running.
type Severity string

// The severities. Errors stop a run (and an import); warnings are shown and
// the flow still runs.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one thing wrong with a flow or a connections file, named
// precisely enough for a person to find and fix it.
type Problem struct {
	Severity Severity `json:"severity"`
	// Node is the id of the node the problem belongs to; empty for problems
	// of the flow as a whole. Edge problems belong to the edge's from node.
	Node string `json:"node,omitempty"`
	// Connection is the name of the connection the problem belongs to, for
	// problems found by ValidateConnections.
	Connection string `json:"connection,omitempty"`
	// Field is the path of the field within the node or connection (call.uri,
	// auth.tokenURL), or within the file when Node and Connection are empty
	// (nodes[2].call.retry.maxAttempts).
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	// Line and Column locate the problem in the file, for problems found while
	// decoding; zero otherwise.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// String formats the problem for a person: `node "lookup", field
// call.connection: no connection; ...`. Warnings start with "warning: ";
// decode problems start with their line and column.
func (p Problem) String() string {
	var b strings.Builder
	if p.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", p.Line, p.Column)
	}
	var where []string
	switch {
	case p.Node != "":
		where = append(where, "node "+strconv.Quote(p.Node))
	case p.Connection != "":
		where = append(where, "connection "+strconv.Quote(p.Connection))
	}
	if p.Field != "" {
		if len(where) > 0 {
			where = append(where, "field "+p.Field)
		} else {
			where = append(where, p.Field)
		}
	}
	if len(where) > 0 {
		b.WriteString(strings.Join(where, ", "))
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is a list of problems. As an error it lists them all, one per line.
type Problems []Problem

// Error returns every problem, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any problem is an error rather than a warning.
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// MaxCallTimeout is the longest timeout a call or a connection may have; a
// flow step that waits longer is almost always a mistake.
const MaxCallTimeout = 10 * time.Minute

// MaxAttempts is the most attempts a retry policy may make.
const MaxAttempts = 10

// Methods lists the HTTP methods a call may use. An empty method means GET;
// the engine sends the method in upper case.
var Methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// celReserved are words CEL does not accept as identifiers, so vars.<word>
// could not be written in an expression.
var celReserved = []string{"true", "false", "null", "in", "as", "break", "const", "continue", "else",
	"for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"}

// IsIdentifier reports whether s can name a variable: a letter or _, then
// letters, digits or _, and not a word CEL reserves, so vars.s is valid CEL.
func IsIdentifier(s string) bool {
	if s == "" || slices.Contains(celReserved, s) {
		return false
	}
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' && i > 0) {
			return false
		}
	}
	return true
}

// IsNodeID reports whether s is a valid node id: letters, digits, _ and -.
func IsNodeID(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// validator collects the problems of one flow.
type validator struct {
	f        *Flow
	problems Problems
}

func (v *validator) errorf(node, field, format string, args ...any) {
	v.problems = append(v.problems, Problem{Severity: SeverityError, Node: node, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) warnf(node, field, format string, args ...any) {
	v.problems = append(v.problems, Problem{Severity: SeverityWarning, Node: node, Field: field, Message: fmt.Sprintf(format, args...)})
}

// Validate checks a flow's structure and reports every problem at once, in
// the order of the file: flow fields, nodes, edges, then graph problems
// (dead ends, unreachable nodes, loops with no way out). It does not compile
// expressions; the engine does that. A nil flow is one problem.
func Validate(f *Flow) Problems {
	if f == nil {
		return Problems{{Severity: SeverityError, Message: "no flow given"}}
	}
	if len(f.Nodes) > MaxFlowNodes {
		return Problems{{Severity: SeverityError, Field: "nodes", Message: tooManyNodes(len(f.Nodes))}}
	}
	v := &validator{f: f}
	switch f.Format {
	case "":
		v.errorf("", "format", "missing; set it to %q", Format)
	case Format:
	default:
		v.errorf("", "format", "%q is not a format this version of Flowbench reads; set it to %q", f.Format, Format)
	}
	if strings.TrimSpace(f.Name) == "" {
		v.errorf("", "name", "the flow has no name; give it one")
	}
	v.variableNames()
	v.inputPresets()

	// firstIndex holds the index of the first node with each id; later
	// duplicates are reported. The graph checks work on these indexes.
	firstIndex := make(map[string]int, len(f.Nodes))
	var starts []string
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if n.ID == "" {
			v.errorf("", fmt.Sprintf("nodes[%d].id", i), "the node has no id; give it a unique id of letters, digits, _ and -")
		} else {
			if !IsNodeID(n.ID) {
				v.errorf(n.ID, "id", "%q is not a valid id; use only letters, digits, _ and -", n.ID)
			}
			if j, dup := firstIndex[n.ID]; dup {
				v.errorf(n.ID, "id", "nodes[%d] and nodes[%d] both have this id; ids must be unique", j, i)
			} else {
				firstIndex[n.ID] = i
			}
		}
		if n.Kind == KindStart {
			starts = append(starts, n.ID)
		}
		v.node(i, n)
	}
	switch {
	case len(starts) == 0 && len(f.Nodes) > 0:
		v.errorf("", "nodes", "the flow has no start node; add one")
	case len(f.Nodes) == 0:
		v.errorf("", "nodes", "the flow has no nodes; add a start node")
	case len(starts) > 1:
		for _, id := range starts[1:] {
			v.errorf(id, "kind", "a second start node (the first is %q); a flow has exactly one start, so change this node's kind or remove it", starts[0])
		}
	}

	g := v.edges(firstIndex)
	v.graph(firstIndex, g)
	return v.problems
}

// variableNames checks the names of the flow's variables.
func (v *validator) variableNames() {
	names := make([]string, 0, len(v.f.Variables))
	for name := range v.f.Variables {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !IsIdentifier(name) {
			v.errorf("", joinPath("variables", name), "%q cannot be a variable name; use letters, digits and _, starting with a letter", name)
		}
	}
}

// portList names a node's ports for a message.
func portList(n *Node) string {
	ps := n.Ports()
	if len(ps) == 0 {
		return "it has none"
	}
	return "its ports are " + strings.Join(ps, ", ")
}

// node checks one node's own fields.
func (v *validator) node(i int, n *Node) {
	id := n.ID
	field := func(name string) string {
		if n.ID == "" {
			return fmt.Sprintf("nodes[%d].%s", i, name)
		}
		return name
	}
	if n.Kind == "" {
		v.errorf(id, field("kind"), "the node has no kind; use one of %s", kindList())
		return
	}
	spec, ok := Spec(n.Kind)
	if !ok {
		v.errorf(id, field("kind"), "unknown kind %q; use one of %s", n.Kind, kindList())
		return
	}
	if spec.check != nil {
		spec.check(v, id, field, n)
	}
	// Fields that belong to another kind are kept but do nothing; say so,
	// since they usually mean the kind was changed or the block misplaced.
	for _, x := range nodeFields {
		if !x.set(n) {
			continue
		}
		if owner := fieldOwner[x.name]; owner != n.Kind {
			v.warnf(id, field(x.name), "applies to %s nodes only and is ignored on %s; remove it", owner, aNode(n.Kind))
		}
	}
}

// aNode says "a call node", "an end node".
func aNode(k NodeKind) string {
	if k != "" && strings.ContainsRune("aeiou", rune(k[0])) {
		return "an " + string(k) + " node"
	}
	return "a " + string(k) + " node"
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func (v *validator) start(id string, field func(string) string, n *Node) {
	t := n.Trigger
	if t == nil {
		return // a start with no trigger is started by hand
	}
	switch t.Type {
	case TriggerManual:
	case TriggerEvent:
		if len(t.Events) == 0 {
			v.errorf(id, field("trigger.events"), "an event trigger needs at least one event name to listen to")
		}
		for j, e := range t.Events {
			if strings.TrimSpace(e) == "" {
				v.errorf(id, field(fmt.Sprintf("trigger.events[%d]", j)), "empty event name; remove it or name the event")
			}
		}
	case TriggerWebhook:
		switch {
		case t.Path == "":
			v.errorf(id, field("trigger.path"), `a webhook trigger needs a path such as "/orders"`)
		case !strings.HasPrefix(t.Path, "/"):
			v.errorf(id, field("trigger.path"), "%q must start with /; write %q", t.Path, "/"+t.Path)
		}
	case "":
		v.errorf(id, field("trigger.type"), "the trigger has no type; use manual, event or webhook")
	default:
		v.errorf(id, field("trigger.type"), "unknown trigger type %q; use manual, event or webhook", t.Type)
	}
}

func (v *validator) call(id string, field func(string) string, n *Node) {
	c := n.Call
	if c == nil {
		v.errorf(id, field("call"), "a call node needs a call block naming its connection")
		return
	}
	switch {
	case c.ConnectionExpr != "" && c.Request != "":
		v.errorf(id, field("call.connection"), "a named request (call.request %q) belongs to one connection; choose the connection by name, or write the request in the node", c.Request)
	case c.ConnectionExpr != "":
		// CEL giving the name: compiled and checked with the other expressions.
	case strings.TrimSpace(c.Connection) == "":
		v.errorf(id, field("call.connection"), "no connection; choose the connection this call goes through")
	}
	if c.Method != "" && !slices.Contains(Methods, strings.ToUpper(c.Method)) {
		v.errorf(id, field("call.method"), "unknown HTTP method %q; use one of %s", c.Method, strings.Join(Methods, ", "))
	}
	if len(c.Args) > 0 && c.Request == "" {
		v.errorf(id, field("call.args"), "args are the arguments of a named request; name the connection's request in call.request, or remove them")
	}
	switch {
	case c.Timeout < 0:
		v.errorf(id, field("call.timeout"), "the timeout is negative; give a duration such as \"30s\"")
	case c.Timeout.D() > MaxCallTimeout:
		v.errorf(id, field("call.timeout"), "%s is longer than the %s a call may wait; shorten it", c.Timeout.D(), MaxCallTimeout)
	}
	switch {
	case c.Deadline < 0:
		v.errorf(id, field("call.deadline"), "the deadline is negative; give a duration such as \"2m\", or leave it out to bound only each attempt")
	case c.Deadline.D() > MaxCallTimeout:
		v.errorf(id, field("call.deadline"), "%s is longer than the %s a call may wait; shorten it", c.Deadline.D(), MaxCallTimeout)
	case c.Deadline > 0 && c.Timeout > c.Deadline:
		v.warnf(id, field("call.deadline"), "%s is shorter than the %s timeout of one attempt, so the first attempt is cut at %s; lengthen the deadline or shorten the timeout", c.Deadline.D(), c.Timeout.D(), c.Deadline.D())
	}
	seen := map[string]bool{}
	for j, b := range c.Branches {
		f := field(fmt.Sprintf("call.branches[%d]", j))
		switch {
		case strings.TrimSpace(b) == "":
			v.errorf(id, f, "empty branch name; name it after the return value that takes it")
		case b == PortDefault || b == PortFailure || b == PortNext:
			v.errorf(id, f, "%q is a port name the call already uses; choose another branch name", b)
		case seen[b]:
			v.errorf(id, f, "branch %q is listed twice; remove one", b)
		}
		seen[b] = true
	}
	if r := c.Retry; r != nil {
		if r.MaxAttempts < 1 || r.MaxAttempts > MaxAttempts {
			v.errorf(id, field("call.retry.maxAttempts"), "is %d; give 1 to %d attempts (1 means no retry)", r.MaxAttempts, MaxAttempts)
		}
		if r.BackoffRate != 0 && r.BackoffRate < 1 {
			v.errorf(id, field("call.retry.backoffRate"), "is %g; give 1 or more (2 doubles the wait after each attempt)", r.BackoffRate)
		}
		if r.InitialInterval < 0 {
			v.errorf(id, field("call.retry.initialInterval"), "the interval is negative; give a duration such as \"1s\"")
		}
		if r.MaxInterval != 0 && r.MaxInterval < r.InitialInterval {
			v.errorf(id, field("call.retry.maxInterval"), "%s is shorter than initialInterval %s; raise it or remove it", r.MaxInterval.D(), r.InitialInterval.D())
		}
		validateRetryOn(r.On, func(i int) string { return field(fmt.Sprintf("call.retry.on[%d]", i)) },
			func(sev Severity, f, format string, args ...any) {
				if sev == SeverityError {
					v.errorf(id, f, format, args...)
				} else {
					v.warnf(id, f, format, args...)
				}
			})
	}
	if c.SaveTo != "" && !IsIdentifier(c.SaveTo) {
		v.errorf(id, field("call.saveTo"), "%q cannot be a variable name; use letters, digits and _, starting with a letter", c.SaveTo)
	}
}

func (v *validator) decision(id string, field func(string) string, n *Node) {
	if len(n.Cases) == 0 {
		v.errorf(id, field("cases"), "a decision needs at least one case (a port and a condition)")
		return
	}
	seen := make(map[string]int, len(n.Cases))
	for j, c := range n.Cases {
		pf := func() string { return field("cases[" + strconv.Itoa(j) + "].port") }
		switch {
		case strings.TrimSpace(c.Port) == "":
			v.errorf(id, pf(), "the case has no port name; name the way it leads")
		case c.Port == PortDefault:
			v.errorf(id, pf(), `"default" is the port taken when no case matches; choose another name`)
		default:
			if k, dup := seen[c.Port]; dup {
				v.errorf(id, pf(), "cases[%d] already uses port %q; each case needs its own port", k, c.Port)
			} else {
				seen[c.Port] = j
			}
		}
		if strings.TrimSpace(c.When) == "" {
			v.errorf(id, field(fmt.Sprintf("cases[%d].when", j)), "the case has no condition; write a CEL expression such as vars.amount > 1000")
		}
	}
}

func (v *validator) emit(id string, field func(string) string, n *Node) {
	if strings.TrimSpace(n.Event) == "" {
		v.errorf(id, field("event"), "an emit node needs the name of the event it raises")
	}
}

func (v *validator) set(id string, field func(string) string, n *Node) {
	if len(n.Assign) == 0 {
		v.errorf(id, field("assign"), "a set node needs at least one assignment (a name and a value)")
		return
	}
	for j, a := range n.Assign {
		if !IsIdentifier(a.Name) {
			f := field(fmt.Sprintf("assign[%d].name", j))
			if a.Name == "" {
				v.errorf(id, f, "the assignment has no variable name")
			} else {
				v.errorf(id, f, "%q cannot be a variable name; use letters, digits and _, starting with a letter", a.Name)
			}
		}
	}
}

// edges checks every edge and returns the graph of the valid ones: for each
// node index, the indexes its ports lead to, in edge order.
func (v *validator) edges(firstIndex map[string]int) [][]int {
	g := make([][]int, len(v.f.Nodes))
	lookup := func(id string) (int, *Node) {
		if i, ok := firstIndex[id]; ok {
			return i, &v.f.Nodes[i]
		}
		return -1, nil
	}
	// taken maps node index and port to the first edge leaving that way.
	type port struct {
		node int
		name string
	}
	taken := make(map[port]int, len(v.f.Edges))
	// Ports are looked up without building the node's port list; a node
	// looked up many times (many branches or cases, each with its edge) gets
	// a set, built once, so it does not cost a scan per edge.
	portSets := map[int]map[string]bool{}
	lookups := make([]int32, len(v.f.Nodes))
	hasPort := func(i int, spec *KindSpec, name string) bool {
		n := &v.f.Nodes[i]
		if ps, ok := portSets[i]; ok {
			return ps[name]
		}
		if lookups[i]++; lookups[i] <= 16 && spec.hasPort != nil {
			return spec.hasPort(n, name)
		}
		ports := spec.Ports(n)
		if len(ports) <= 16 {
			return slices.Contains(ports, name)
		}
		ps := make(map[string]bool, len(ports))
		for _, p := range ports {
			ps[p] = true
		}
		portSets[i] = ps
		return ps[name]
	}
	for i, e := range v.f.Edges {
		fi, from := lookup(e.From)
		ti, to := lookup(e.To)
		// the field is named only when a problem is found
		ef := func() string { return edgeField(i) }
		ok := true
		if from == nil {
			if e.From == "" {
				v.errorf("", ef()+".from", "the edge has no from node")
			} else {
				v.errorf("", ef()+".from", "no node has id %q; connect the edge to an existing node", e.From)
			}
			ok = false
		}
		if to == nil {
			if e.To == "" {
				v.errorf(e.From, ef()+".to", "the edge has no to node")
			} else {
				v.errorf(e.From, ef()+".to", "no node has id %q; connect the edge to an existing node", e.To)
			}
			ok = false
		} else if ts, known := Spec(to.Kind); known && !ts.HasInput {
			v.errorf(e.From, ef()+".to", "leads into %s node %q, which has no input; a run only begins there, so connect it to another node", to.Kind, e.To)
			ok = false
		}
		if from == nil {
			continue
		}
		spec, known := Spec(from.Kind)
		switch {
		case !known:
			continue // unknown kind, reported with the node
		case spec.ports == nil:
			v.errorf(e.From, ef(), "%s finishes the run and has no ports; remove this edge", aNode(from.Kind))
			continue
		case !hasPort(fi, spec, e.PortName()):
			v.errorf(e.From, ef()+".port", "the node has no port %q; %s", e.PortName(), portList(from))
			continue
		}
		k := port{fi, e.PortName()}
		if j, dup := taken[k]; dup {
			v.errorf(e.From, ef(), "port %q already leads to %q (edges[%d]); a port leads to one node, so remove one edge", e.PortName(), v.f.Edges[j].To, j)
			continue
		}
		taken[k] = i
		if ok {
			g[fi] = append(g[fi], ti)
		}
	}
	return g
}

// edgeField names edges[i] in problems, without fmt on the path every
// edge takes.
func edgeField(i int) string { return "edges[" + strconv.Itoa(i) + "]" }

// graph reports dead ends, nodes the start cannot reach and loops with no
// way out. g is indexed by node index (see edges).
func (v *validator) graph(firstIndex map[string]int, g [][]int) {
	nodes := v.f.Nodes
	isFirst := func(i int) bool { j, ok := firstIndex[nodes[i].ID]; return ok && j == i }
	out := make([]bool, len(nodes))
	for _, e := range v.f.Edges {
		if i, ok := firstIndex[e.From]; ok {
			out[i] = true
		}
	}
	start := -1
	for i := range nodes {
		if spec, ok := Spec(nodes[i].Kind); ok && !spec.HasInput && isFirst(i) {
			start = i
			break
		}
	}
	reached := make([]bool, len(nodes))
	if start >= 0 {
		stack := []int{start}
		reached[start] = true
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, to := range g[id] {
				if !reached[to] {
					reached[to] = true
					stack = append(stack, to)
				}
			}
		}
	}
	for i := range nodes {
		n := &nodes[i]
		spec, known := Spec(n.Kind)
		if !isFirst(i) || !known {
			continue // no id, a duplicate or an unknown kind: reported already
		}
		if spec.ports != nil && !out[i] {
			v.warnf(n.ID, "", "dead end: the run stops here; connect a port to the next node or to an end node")
		}
		if start >= 0 && !reached[i] && spec.HasInput {
			v.warnf(n.ID, "", "unreachable: no path leads here from start node %q; connect it or remove it", nodes[start].ID)
		}
	}
	comp := make([]int, len(nodes)) // the component of each node in a multi-node loop, +1
	for c, scc := range stronglyConnected(g, isFirst) {
		if len(scc) == 1 && !slices.Contains(g[scc[0]], scc[0]) {
			continue
		}
		for _, i := range scc {
			comp[i] = c + 1
		}
		exit := false
		for _, i := range scc {
			for _, to := range g[i] {
				if comp[to] != c+1 {
					exit = true
				}
			}
		}
		if exit {
			continue // a node on the loop can leave it; the engine's step limit bounds the rest
		}
		quoted := make([]string, len(scc))
		for k, i := range scc {
			quoted[k] = strconv.Quote(nodes[i].ID)
		}
		what := "nodes " + strings.Join(quoted, ", ") + " form a loop"
		if len(scc) == 1 {
			what = "the node leads back to itself"
		}
		v.errorf(nodes[scc[0]].ID, "", "%s with no way out: the run would never end; connect a port of the loop to a node outside it", what)
	}
}

// stronglyConnected returns the strongly connected components of g (Tarjan's
// algorithm, iterative so deep graphs cannot exhaust the stack) over the
// nodes use accepts, each listed in node order, components ordered by their
// first node.
func stronglyConnected(g [][]int, use func(int) bool) [][]int {
	const unvisited = -1
	n := len(g)
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = unvisited
	}
	// every node is popped into one component once: the components are
	// slices of one buffer, not n small allocations
	members := make([]int, 0, n)
	var (
		next  int
		stack = make([]int, 0, n)
		comps [][]int
	)
	type frame struct{ node, edge int }
	for root := range n {
		if index[root] != unvisited || !use(root) {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			top := &call[len(call)-1]
			u := top.node
			if top.edge < len(g[u]) {
				w := g[u][top.edge]
				top.edge++
				switch {
				case index[w] == unvisited:
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				case onStack[w]:
					low[u] = min(low[u], index[w])
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].node
				low[p] = min(low[p], low[u])
			}
			if low[u] == index[u] {
				start := len(members)
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					members = append(members, w)
					if w == u {
						break
					}
				}
				comp := members[start:len(members):len(members)]
				slices.Sort(comp)
				comps = append(comps, comp)
			}
		}
	}
	slices.SortFunc(comps, func(a, b []int) int { return a[0] - b[0] })
	return comps
}

// tooManyNodes says a flow is over MaxFlowNodes and what to do.
func tooManyNodes(n int) string {
	return fmt.Sprintf("the flow has %d nodes, more than the %d a flow may have; split it into flows that start each other with events", n, MaxFlowNodes)
}

// ValidateConnections checks a connections file and reports every problem at
// once. Problems name the connection in Problem.Connection and the field
// within it (auth.tokenURL); a connection with no name is named by its index
// in Field (connections[2].name).
func ValidateConnections(c *ConnectionsFile) Problems {
	if c == nil {
		return Problems{{Severity: SeverityError, Message: "no connections given"}}
	}
	var ps Problems
	switch c.Format {
	case "":
		ps = append(ps, Problem{Severity: SeverityError, Field: "format", Message: fmt.Sprintf("missing; set it to %q", Format)})
	case Format:
	default:
		ps = append(ps, Problem{Severity: SeverityError, Field: "format",
			Message: fmt.Sprintf("%q is not a format this version of Flowbench reads; set it to %q", c.Format, Format)})
	}
	seen := map[string]int{}
	for i := range c.Connections {
		cn := &c.Connections[i]
		field := func(name string) string {
			if cn.Name == "" {
				return fmt.Sprintf("connections[%d].%s", i, name)
			}
			return name
		}
		add := func(sev Severity, f, format string, args ...any) {
			ps = append(ps, Problem{Severity: sev, Connection: cn.Name, Field: field(f), Message: fmt.Sprintf(format, args...)})
		}
		if strings.TrimSpace(cn.Name) == "" {
			add(SeverityError, "name", "the connection has no name; calls refer to it by name, so give it one")
		} else if j, dup := seen[cn.Name]; dup {
			add(SeverityError, "name", "connections[%d] and connections[%d] both have this name; names must be unique", j, i)
		} else {
			seen[cn.Name] = i
		}
		checkConnection(cn, add)
	}
	return ps
}

// checkConnection adds to CheckConnection what a connections file must
// spell out although the engine has a default for it: the kind, the auth
// type and where an API key goes.
func checkConnection(cn *Connection, add func(sev Severity, field, format string, args ...any)) {
	if cn.Kind == "" {
		add(SeverityError, "kind", "the connection has no kind; use custom or amazonConnect")
	}
	switch {
	case cn.Auth.Type == "":
		add(SeverityError, "auth.type", "the auth has no type; use none, apiKey, oauth2, awsSigV4, basic or bearer")
	case cn.Auth.Type == AuthAPIKey && cn.Auth.In == "":
		add(SeverityError, "auth.in", `%s auth needs "in": "header" or "query"`, cn.Auth.Type)
	}
	for _, p := range CheckConnection(*cn) {
		add(p.Severity, p.Field, "%s", p.Message)
	}
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
