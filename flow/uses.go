package flow

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// ConnectionUse is a connection a flow's calls go through, with the
// requests they send on it where the file says them literally.
type ConnectionUse struct {
	Name string
	// Requests are the method and path (relative to the connection's base
	// URL) of each call whose URI is a literal; calls that compute their
	// URI are left out.
	Requests []RequestShape
}

// RequestShape is a request's method and path.
type RequestShape struct{ Method, Path string }

// ConnectionUses lists the connections f's calls use, by name, in name
// order: a call's connection, or each name its connection expression can
// give when they are a literal set. conns give the named requests' method
// and URI where a call uses one and sets neither itself.
func (f *Flow) ConnectionUses(conns []Connection) []ConnectionUse {
	byName := map[string]*ConnectionUse{}
	use := func(name string) *ConnectionUse {
		u := byName[name]
		if u == nil {
			u = &ConnectionUse{Name: name}
			byName[name] = u
		}
		return u
	}
	for i := range f.Nodes {
		c := f.Nodes[i].Call
		if f.Nodes[i].Kind != KindCall || c == nil {
			continue
		}
		names := []string{c.Connection}
		if c.ConnectionExpr != "" {
			names, _ = LiteralNames(c.ConnectionExpr)
		}
		for _, name := range names {
			if name == "" {
				continue
			}
			u := use(name)
			method, uri := c.Method, c.URI
			if c.Request != "" {
				for j := range conns {
					if conns[j].Name != name {
						continue
					}
					if r := conns[j].Request(c.Request); r != nil {
						method = cmpOr(method, r.Method)
						uri = cmpOr(uri, r.URI)
					}
				}
			}
			if paths, ok := LiteralNames(uri); ok && len(paths) == 1 {
				u.Requests = append(u.Requests, RequestShape{Method: strings.ToUpper(cmpOr(method, http.MethodGet)), Path: paths[0]})
			}
		}
	}
	out := make([]ConnectionUse, 0, len(byName))
	for _, u := range byName {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// MockAnswers reports whether one of m's routes answers method and path
// (relative to the mock's root), matched as the mock server matches them.
func MockAnswers(m *Mock, method, path string) bool {
	mux := http.NewServeMux()
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for i := range m.Routes {
		_ = HandleMockRoute(mux, &m.Routes[i], ok)
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	req, err := http.NewRequest(method, "http://mock"+strings.TrimSuffix(path, "/"), nil)
	if err != nil {
		return false
	}
	if req.URL.Path == "" {
		req.URL.Path = "/"
	}
	_, pattern := mux.Handler(req)
	return pattern != ""
}

// MocksFor lists the mocks that answer every literal request uses sends
// (all of them when it sends none literally), in name order.
func MocksFor(use ConnectionUse, mocks []Mock) []string {
	var out []string
	for i := range mocks {
		all := true
		for _, r := range use.Requests {
			if !MockAnswers(&mocks[i], r.Method, r.Path) {
				all = false
				break
			}
		}
		if all {
			out = append(out, mocks[i].Name)
		}
	}
	sort.Strings(out)
	return out
}

// inputPresets checks the Run dialog's presets: each named, once, with a
// JSON object (or nothing) as its payload.
func (v *validator) inputPresets() {
	seen := map[string]bool{}
	for i, p := range v.f.InputPresets {
		field := fmt.Sprintf("inputPresets[%d]", i)
		name := strings.TrimSpace(p.Name)
		switch {
		case name == "":
			v.errorf("", field+".name", "the input preset has no name; name it as the Run dialog should list it")
		case seen[name]:
			v.errorf("", field+".name", "a second input preset is named %q; give each its own name", name)
		}
		seen[name] = true
		if len(p.Trigger) > 0 {
			var obj map[string]any
			if err := json.Unmarshal(p.Trigger, &obj); err != nil {
				v.errorf("", field+".trigger", "input preset %q: the trigger is not a JSON object (%v); write {} or an object", name, err)
			}
		}
	}
}
