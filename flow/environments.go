package flow

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// MaxEnvironmentsFileBytes caps an environments file (4 MiB, as a
// connections file).
const MaxEnvironmentsFileBytes = 4 << 20

// EnvironmentsFile is an environments file (*.environments.json): named sets
// of variables (env.<name> in expressions) and per-environment overrides of
// connections, shared by the app and the command line.
type EnvironmentsFile struct {
	Format       string        `json:"format"`
	Environments []Environment `json:"environments"`
}

// Environment is one named environment (prod, staging).
type Environment struct {
	Name string `json:"name"`
	// Variables are plain values (not CEL), read as env.<name>. They are not
	// secret: credentials belong in a connection's auth.
	Variables map[string]string `json:"variables,omitempty"`
	// Connections override, by connection name, what differs in this
	// environment.
	Connections map[string]EnvConnection `json:"connections,omitempty"`
}

// EnvConnection is what an environment changes of one connection.
type EnvConnection struct {
	// BaseURL, when set, replaces the connection's base URL.
	BaseURL string `json:"baseURL,omitempty"`
	// Auth, when set, replaces the connection's auth; its secrets are
	// references ({"secret": NAME} or {"env": VAR}), never values.
	Auth *Auth `json:"auth,omitempty"`
}

// DecodeEnvironments reads an environments file with the strictness of
// DecodeFlow (unknown fields, wrong types, a foreign format: errors with their
// line and column) and then checks it (ValidateEnvironments); a file with
// errors is refused with every problem.
func DecodeEnvironments(data []byte) (*EnvironmentsFile, error) {
	e := new(EnvironmentsFile)
	if err := decodeStrict(data, e, "environments"); err != nil {
		return nil, err
	}
	normalizeEmpty(reflect.ValueOf(e).Elem())
	if ps := ValidateEnvironments(e); ps.HasErrors() {
		return nil, &DecodeError{Problems: ps}
	}
	return e, nil
}

// ValidateEnvironments checks an environments file: every environment has a
// name of its own, variables can be read as env.<name> (and do not redefine
// env.name), base URLs are absolute http(s) URLs, and secrets are references.
// Problems name the field by its path in the file.
func ValidateEnvironments(f *EnvironmentsFile) Problems {
	var ps Problems
	add := func(sev Severity, field, format string, args ...any) {
		ps = append(ps, Problem{Severity: sev, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	seen := map[string]bool{}
	for i, e := range f.Environments {
		at := fmt.Sprintf("environments[%d]", i)
		switch {
		case strings.TrimSpace(e.Name) == "":
			add(SeverityError, at+".name", "the environment has no name; name it (prod, staging) so --env can choose it")
		case seen[e.Name]:
			add(SeverityError, at+".name", "environment %q is defined twice; rename or remove one", e.Name)
		}
		seen[e.Name] = true
		for _, name := range slices.Sorted(maps.Keys(e.Variables)) {
			switch {
			case name == "name":
				add(SeverityError, at+".variables.name", "env.name is the environment's own name (%q); call the variable something else", e.Name)
			case !IsIdentifier(name):
				add(SeverityError, at+".variables."+name, "%q cannot be read as env.%s; use letters, digits and _, starting with a letter", name, name)
			}
		}
		for _, cn := range slices.Sorted(maps.Keys(e.Connections)) {
			o := e.Connections[cn]
			cat := at + ".connections." + cn
			if o.BaseURL != "" {
				checkURL(cat+".baseURL", o.BaseURL, add)
			}
			if o.Auth == nil {
				if o.BaseURL == "" {
					add(SeverityWarning, cat, "environment %q overrides nothing of connection %q; give a baseURL or an auth, or remove it", e.Name, cn)
				}
				continue
			}
			secrets := o.Auth.Secrets()
			for _, name := range slices.Sorted(maps.Keys(secrets)) {
				if isLiteral(*secrets[name]) {
					add(SeverityError, cat+".auth."+name, `environment %q: a secret's value may not be written in an environments file; refer to it as {"env": "VAR"} (an environment variable) or {"secret": "NAME"} (the app's sealed store)`, e.Name)
				}
			}
		}
	}
	return ps
}

// Environment returns the environment of that name, or nil.
func (f *EnvironmentsFile) Environment(name string) *Environment {
	for i := range f.Environments {
		if f.Environments[i].Name == name {
			return &f.Environments[i]
		}
	}
	return nil
}

// Names lists the environments' names in file order.
func (f *EnvironmentsFile) Names() []string {
	out := make([]string, len(f.Environments))
	for i, e := range f.Environments {
		out[i] = e.Name
	}
	return out
}

// Context returns env in expressions: name, then each variable.
func (e *Environment) Context() map[string]any {
	m := make(map[string]any, len(e.Variables)+1)
	for k, v := range e.Variables {
		m[k] = v
	}
	m["name"] = e.Name
	return m
}

// Apply returns conns with the environment's overrides applied (conns is not
// changed). An override of a connection that is not among conns, or a
// connection whose new auth lacks what its type needs, is an error naming
// the environment and connection.
func (e *Environment) Apply(conns []Connection) ([]Connection, Problems) {
	out := slices.Clone(conns)
	var ps Problems
	for _, name := range slices.Sorted(maps.Keys(e.Connections)) {
		o := e.Connections[name]
		i := slices.IndexFunc(out, func(c Connection) bool { return c.Name == name })
		if i < 0 {
			ps = append(ps, Problem{Severity: SeverityError, Connection: name,
				Message: fmt.Sprintf("environment %q overrides connection %q, which is not among the connections; check the name, or give the connections file that defines it", e.Name, name)})
			continue
		}
		if o.BaseURL != "" {
			out[i].BaseURL = o.BaseURL
		}
		if o.Auth != nil {
			out[i].Auth = *o.Auth
			for _, p := range CheckAuth(out[i]) {
				if p.Severity == SeverityError {
					p.Message = fmt.Sprintf("in environment %q: %s", e.Name, p.Message)
					ps = append(ps, p)
				}
			}
		}
	}
	return out, ps
}
