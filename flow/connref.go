package flow

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ConnRef is how a call names its connection in a file: either a name,
// written as a JSON string ("connection": "crm"), or an expression, written
// as an object ("connection": {"expr": "vars.region == \"eu\" ? \"crm-eu\" : \"crm-us\""}).
// In memory a Call holds the two as Call.Connection and Call.ConnectionExpr;
// Call.ConnRef and Call.SetConnRef convert. A form offering "connection by
// expression" sets ConnectionExpr (and clears Connection), or the reverse.
type ConnRef struct {
	// Name is the connection's name; empty when Expr is set.
	Name string
	// Expr is CEL giving the connection's name per step.
	Expr string
}

// connExprJSON is the object form of "connection".
type connExprJSON struct {
	Expr string `json:"expr"`
}

// ConnRef returns how the call names its connection.
func (c *Call) ConnRef() ConnRef {
	if c.ConnectionExpr != "" {
		return ConnRef{Expr: c.ConnectionExpr}
	}
	return ConnRef{Name: c.Connection}
}

// SetConnRef sets the call's connection by name or by expression, clearing
// the other.
func (c *Call) SetConnRef(r ConnRef) {
	if r.Expr != "" {
		c.Connection, c.ConnectionExpr = "", r.Expr
		return
	}
	c.Connection, c.ConnectionExpr = r.Name, ""
}

// ConnectionByExpr reports whether the connection is chosen by an expression.
func (c *Call) ConnectionByExpr() bool { return c.ConnectionExpr != "" }

// callPlain is Call without its JSON methods.
type callPlain Call

// MarshalJSON writes the call; "connection" is the name as a string, as it
// always was, or {"expr": ...} when ConnectionExpr is set.
func (c Call) MarshalJSON() ([]byte, error) {
	var v any = callPlain(c)
	if c.ConnectionExpr != "" {
		v = struct {
			Connection connExprJSON `json:"connection"`
			callPlain
		}{connExprJSON{Expr: c.ConnectionExpr}, callPlain(c)}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Expressions are full of < > &, as in encodeIndented.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads a call whose "connection" is a string or {"expr": ...}.
func (c *Call) UnmarshalJSON(b []byte) error {
	aux := struct {
		Connection json.RawMessage `json:"connection"`
		*callPlain
	}{callPlain: (*callPlain)(c)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	c.Connection, c.ConnectionExpr = "", ""
	raw := bytes.TrimSpace(aux.Connection)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
	case raw[0] == '"':
		return json.Unmarshal(raw, &c.Connection)
	case raw[0] == '{':
		var e connExprJSON
		if err := strictUnmarshal(raw, &e); err != nil {
			return fmt.Errorf(`call.connection: want a connection name or {"expr": "CEL"}: %v`, err)
		}
		c.ConnectionExpr = e.Expr
	default:
		return fmt.Errorf(`call.connection: want a connection name or {"expr": "CEL"}`)
	}
	return nil
}
