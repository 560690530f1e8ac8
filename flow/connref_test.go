package flow

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const connExprFlow = `{
  "format": "flowbench/v1",
  "name": "by region",
  "nodes": [
    {
      "id": "lookup",
      "kind": "call",
      "call": {
        "connection": {
          "expr": "vars.region == \"eu\" ? \"crm-eu\" : \"crm-us\""
        },
        "method": "GET",
        "uri": "\"/v1/<tier>\""
      }
    }
  ],
  "edges": []
}
`

// The object form of "connection" reads into ConnectionExpr and is written
// back byte for byte; the string form is untouched (the golden files of
// codec_test.go hold that).
func TestConnectionExprRoundTrip(t *testing.T) {
	f, err := DecodeFlow([]byte(connExprFlow))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Nodes[0].Call
	if c.Connection != "" || c.ConnectionExpr != `vars.region == "eu" ? "crm-eu" : "crm-us"` {
		t.Fatalf("decoded connection %q, expr %q", c.Connection, c.ConnectionExpr)
	}
	if got := c.ConnRef(); got != (ConnRef{Expr: c.ConnectionExpr}) {
		t.Errorf("ConnRef() = %+v", got)
	}
	out, err := EncodeFlow(f)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != connExprFlow {
		t.Errorf("written back differently:\n%s\nwant\n%s", out, connExprFlow)
	}
	// Switching to a name writes the string form.
	c.SetConnRef(ConnRef{Name: "crm"})
	out, err = EncodeFlow(f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"connection": "crm",`)) || bytes.Contains(out, []byte("expr")) {
		t.Errorf("a named connection is written as:\n%s", out)
	}
	if c.ConnectionByExpr() {
		t.Error("ConnectionByExpr after SetConnRef by name")
	}
}

func TestConnectionExprDecodeProblems(t *testing.T) {
	for _, tc := range []struct{ conn, want string }{
		{`{"exp": "x"}`, `nodes[0].call.connection.exp: unknown field (allowed here: expr)`},
		{`{}`, `"expr" is missing`},
		{`{"expr": 3}`, `nodes[0].call.connection.expr: want a string holding CEL`},
		{`3`, `nodes[0].call.connection: want a connection's name, or {"expr": "CEL giving the name"}, got a number`},
	} {
		src := strings.Replace(connExprFlow, `{
          "expr": "vars.region == \"eu\" ? \"crm-eu\" : \"crm-us\""
        }`, tc.conn, 1)
		_, err := DecodeFlow([]byte(src))
		var de *DecodeError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a problem containing %q", tc.conn, err, tc.want)
		}
	}
	// Other fields of the call are still checked strictly.
	src := strings.Replace(connExprFlow, `"method": "GET"`, `"methd": "GET"`, 1)
	if _, err := DecodeFlow([]byte(src)); err == nil || !strings.Contains(err.Error(), `nodes[0].call.methd: unknown field (did you mean "method"?)`) {
		t.Errorf("a misspelt call field: %v", err)
	}
}

func TestConnectionExprValidate(t *testing.T) {
	f, err := DecodeFlow([]byte(connExprFlow))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ValidateNode(f, "lookup") {
		if p.Field == "call.connection" {
			t.Errorf("a connection expression reported as missing: %v", p)
		}
	}
	exprs := NodeExpressions(&f.Nodes[0])
	if len(exprs) == 0 || exprs[0] != (NodeExpr{Field: "call.connection", Source: f.Nodes[0].Call.ConnectionExpr}) {
		t.Errorf("NodeExpressions = %+v, want call.connection first", exprs)
	}
	f.Nodes[0].Call.Request = "lookupTier"
	found := false
	for _, p := range ValidateNode(f, "lookup") {
		found = found || p.Field == "call.connection" && strings.Contains(p.Message, "named request")
	}
	if !found {
		t.Errorf("a named request with a connection expression is not reported: %v", ValidateNode(f, "lookup"))
	}
}
