package flow

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// NamedRequest is a request defined once on a connection (a cloud function)
// and used by name from call nodes: "call": {"connection": "crm",
// "request": "lookupTier", "args": {"chatId": "trigger.chatId"}}. Its
// expressions read the call's args as params.<name>.
type NamedRequest struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Params names the arguments every call of the request gives.
	Params []string `json:"params,omitempty"`
	Method string   `json:"method,omitempty"`
	// URI, Query, Headers, Body and ReturnValue are CEL, as a call's.
	URI     string `json:"uri,omitempty"`
	Query   []Pair `json:"query,omitempty"`
	Headers []Pair `json:"headers,omitempty"`
	Body    string `json:"body,omitempty"`
	// Branches are the return values a call of the request branches on;
	// each node using it lists the same ones (its ports).
	Branches    []string `json:"branches,omitempty"`
	ReturnValue string   `json:"returnValue,omitempty"`
}

// ParamsName is the name under which a named request's expressions read the
// call's args.
const ParamsName = "params"

// Request returns the connection's named request of that name, or nil.
func (c *Connection) Request(name string) *NamedRequest {
	for i := range c.Requests {
		if c.Requests[i].Name == name {
			return &c.Requests[i]
		}
	}
	return nil
}

// ResolveCall returns the call a node that names a request sends: the
// request's fields, with those the node sets itself replacing them (a query
// or header pair of the node replaces the request's pair of the same key and
// adds the others). Every expression that reads params is bound to the
// node's args (CEL in the flow's context) with cel.bind. req may be nil (the
// connection is not known): the node's own fields are then bound alone. c is
// not changed.
func ResolveCall(c *Call, req *NamedRequest) *Call {
	out := *c
	out.Query = slices.Clone(c.Query)
	out.Headers = slices.Clone(c.Headers)
	if req != nil {
		out.Method = cmp.Or(c.Method, req.Method)
		out.URI = cmp.Or(c.URI, req.URI)
		out.Body = cmp.Or(c.Body, req.Body)
		out.ReturnValue = cmp.Or(c.ReturnValue, req.ReturnValue)
		if len(c.Branches) == 0 {
			out.Branches = slices.Clone(req.Branches)
		}
		out.Query = mergePairs(req.Query, c.Query)
		out.Headers = mergePairs(req.Headers, c.Headers)
	}
	bind := paramsBinder(c.Args)
	out.URI = bind(out.URI)
	out.Body = bind(out.Body)
	out.ReturnValue = bind(out.ReturnValue)
	for i := range out.Query {
		out.Query[i] = Pair{Key: bind(out.Query[i].Key), Value: bind(out.Query[i].Value)}
	}
	for i := range out.Headers {
		out.Headers[i] = Pair{Key: bind(out.Headers[i].Key), Value: bind(out.Headers[i].Value)}
	}
	return &out
}

// mergePairs returns base's pairs with over's applied: a pair of over with
// the same key replaces base's, the others are added in over's order.
func mergePairs(base, over []Pair) []Pair {
	out := slices.Clone(base)
	for _, p := range over {
		if i := slices.IndexFunc(out, func(b Pair) bool { return b.Key == p.Key }); i >= 0 {
			out[i] = p
		} else {
			out = append(out, p)
		}
	}
	return out
}

// paramsBinder returns a function that wraps an expression reading params
// in cel.bind(params, {args…}, expr); others are returned unchanged.
func paramsBinder(args map[string]string) func(string) string {
	var b strings.Builder
	b.WriteString("{")
	for i, name := range slices.Sorted(maps.Keys(args)) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: (%s\n)", strconv.Quote(name), args[name])
	}
	b.WriteString("}")
	obj := b.String()
	return func(src string) string {
		if !strings.Contains(src, ParamsName) {
			return src
		}
		return fmt.Sprintf("cel.bind(%s, %s, (%s\n))", ParamsName, obj, src)
	}
}

// ValidateRequests checks the call nodes that name a request against the
// connections: the request exists on its connection, every param has an
// arg and every arg is a param, and the node's branches (its ports) are the
// request's branch options. A connection not among conns is left to the
// compiler, which reports it.
func ValidateRequests(f *Flow, conns []Connection) Problems {
	var ps Problems
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if n.Kind != KindCall || n.Call == nil || n.Call.Request == "" {
			continue
		}
		c := n.Call
		add := func(field, format string, args ...any) {
			ps = append(ps, Problem{Severity: SeverityError, Node: n.ID, Field: field, Message: fmt.Sprintf(format, args...)})
		}
		ci := slices.IndexFunc(conns, func(cn Connection) bool { return cn.Name == c.Connection })
		if ci < 0 {
			continue
		}
		req := conns[ci].Request(c.Request)
		if req == nil {
			var names []string
			for _, r := range conns[ci].Requests {
				names = append(names, r.Name)
			}
			have := "it has none"
			if len(names) > 0 {
				have = "it has " + strings.Join(names, ", ")
			}
			add("call.request", "connection %q has no request %q (%s); choose one of its requests or add it to the connection", c.Connection, c.Request, have)
			continue
		}
		for _, p := range req.Params {
			if strings.TrimSpace(c.Args[p]) == "" {
				add("call.args."+p, "request %q needs the argument %q; give it as CEL, such as \"trigger.%s\"", req.Name, p, p)
			}
		}
		for _, a := range slices.Sorted(maps.Keys(c.Args)) {
			if !slices.Contains(req.Params, a) {
				add("call.args."+a, "request %q has no parameter %q (it takes %s); remove the argument or add the parameter to the request", req.Name, a, listOrNone(req.Params))
			}
		}
		if len(req.Branches) > 0 && len(c.Branches) > 0 && !sameSet(req.Branches, c.Branches) {
			add("call.branches", "the node branches on %s but request %q now offers %s; update the node's branches (and their edges) to match", listOrNone(c.Branches), req.Name, listOrNone(req.Branches))
		}
	}
	return ps
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// checkRequests checks a connection's named requests: each has a name of
// its own, its params are identifiers (params.<name>) and its method is
// known.
func checkRequests(c Connection) Problems {
	var ps Problems
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Severity: SeverityError, Connection: c.Name, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	seen := map[string]bool{}
	for i, r := range c.Requests {
		at := fmt.Sprintf("requests[%d]", i)
		switch {
		case strings.TrimSpace(r.Name) == "":
			add(at+".name", "the request has no name; name it so call nodes can choose it")
		case seen[r.Name]:
			add(at+".name", "request %q is defined twice; rename or remove one", r.Name)
		}
		seen[r.Name] = true
		for j, p := range r.Params {
			if !IsIdentifier(p) {
				add(fmt.Sprintf("%s.params[%d]", at, j), "%q cannot be read as params.%s; use letters, digits and _, starting with a letter", p, p)
			} else if slices.Index(r.Params, p) < j {
				add(fmt.Sprintf("%s.params[%d]", at, j), "parameter %q is listed twice; remove one", p)
			}
		}
		if r.Method != "" && !slices.Contains(Methods, strings.ToUpper(r.Method)) {
			add(at+".method", "unknown HTTP method %q; use one of %s", r.Method, strings.Join(Methods, ", "))
		}
	}
	return ps
}
