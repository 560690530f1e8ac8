package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// The call form's "connection → request" choice (issue 16): a call node
// picks one of its connection's named requests, gives its args by name,
// and shows the request's fields read-only, each with an Override switch
// (on: the node's own copy of the field, which replaces the request's; off:
// no field of its own). Its branch ports follow the request's branches.

// noRequest is the request select's first choice: the node writes its
// request itself.
const noRequest = "(none: write the request here)"

// callFormParts are the call form's controls that are not fields, by
// path, for tests to find as a person finds them by their labels.
type callFormParts struct {
	overrides     map[string]*widget.Check
	updatePorts   *widget.Button
	retryOn       map[string]*widget.Check
	platformRetry *widget.Button
	// events are the choices each event field offers, by path.
	events map[string][]string
}

// callFormOf holds each inspector's callFormParts (one inspector per
// window), used on the UI goroutine only.
var callFormOf = map[*inspector]*callFormParts{}

func callParts(in *inspector) *callFormParts {
	p := callFormOf[in]
	if p == nil {
		p = &callFormParts{overrides: map[string]*widget.Check{}, retryOn: map[string]*widget.Check{}, events: map[string][]string{}}
		callFormOf[in] = p
	}
	return p
}

// retryChecks registers the retry condition word's check.
func (in *inspector) retryChecks(word string, c *widget.Check) { callParts(in).retryOn[word] = c }

// connByExpr is the connection select's last choice: the connection's
// name is CEL, evaluated per step.
const connByExpr = "(by expression…)"

// pickConnection sets node id's connection: a name, or connByExpr, which
// starts the expression as the name picked so far, quoted, in one edit.
// The form is rebuilt when the choice changes between a name and an
// expression, or the requests on offer change.
func (in *inspector) pickConnection(id, choice string) {
	in.editNode(id, "Pick connection", func(n *flow.Node) {
		if n.Call == nil {
			n.Call = &flow.Call{}
		}
		c := n.Call
		if choice == connByExpr {
			if !c.ConnectionByExpr() {
				c.SetConnRef(flow.ConnRef{Expr: strconv.Quote(c.Connection)})
			}
			return
		}
		c.SetConnRef(flow.ConnRef{Name: choice})
	})
	in.rebuild()
}

// connExprFields is the form of a call whose connection is chosen by an
// expression: the CEL giving the name, and what validation can tell of it.
func (in *inspector) connExprFields(id string, c flow.Call) []fyne.CanvasObject {
	// always CEL, without the Text/Expression toggle: the expression
	// starts as the quoted name picked before, which Text mode would
	// otherwise open as plain text
	f := newExprField(in.a.checker, c.ConnectionExpr, false, false, false, in.names, in.typed(func(s string) {
		in.editNode(id, "Edit connection expression", func(n *flow.Node) { n.Call.ConnectionExpr = s })
	}))
	in.fields["call.connection"] = f
	f.entry.SetPlaceHolder(`vars.region == "eu" ? "crm-eu" : "crm-us"`)
	hint := widget.NewLabel("CEL giving the connection's name, evaluated when the step runs; an unknown name fails the step. " +
		"When the names are a literal set (\"a\" or cond ? \"a\" : \"b\") each is checked. Named requests are picked with a connection chosen by name.")
	hint.Wrapping = fyne.TextWrapWord
	return []fyne.CanvasObject{panelRow("Connection expression (CEL giving a name)", container.NewVBox(f.box, hint))}
}

// connectionNamed is the app's connection of that name, or nil.
func (a *App) connectionNamed(name string) *flow.Connection {
	for i := range a.conns {
		if a.conns[i].Name == name {
			return &a.conns[i]
		}
	}
	return nil
}

// requestSelect picks the node's named request among its connection's.
func (in *inspector) requestSelect(id string, c flow.Call) *widget.Select {
	opts := []string{noRequest}
	if conn := in.a.connectionNamed(c.Connection); conn != nil {
		for _, r := range conn.Requests {
			opts = append(opts, r.Name)
		}
	}
	if c.Request != "" && !slices.Contains(opts, c.Request) {
		opts = append(opts, c.Request) // missing: validation says so
	}
	sel := widget.NewSelect(opts, nil)
	sel.SetSelected(orDefault(c.Request, noRequest))
	sel.OnChanged = func(s string) {
		if s == noRequest {
			s = ""
		}
		in.pickRequest(id, s)
	}
	return sel
}

// pickRequest makes node id use request name of its connection ("" for
// none), in one undoable edit: the node's own request fields go (their
// Override switches start off), args keep the values of params the
// request still has, and the branches become the request's, connectors of
// ports that go away with them.
func (in *inspector) pickRequest(id, name string) {
	in.edit("Pick request of "+id, func(f *flow.Flow) error {
		n := f.Node(id)
		if n == nil {
			return fmt.Errorf("the node %q is gone (deleted or undone); select another", id)
		}
		if n.Call == nil {
			n.Call = &flow.Call{}
		}
		c := n.Call
		if name == "" {
			c.Request, c.Args = "", nil
			return nil
		}
		conn := in.a.connectionNamed(c.Connection)
		if conn == nil || conn.Request(name) == nil {
			return fmt.Errorf("connection %q has no request %q; pick another", c.Connection, name)
		}
		r := conn.Request(name)
		c.Request = name
		args := map[string]string{}
		for _, p := range r.Params {
			if v, ok := c.Args[p]; ok {
				args[p] = v
			}
		}
		c.Args = args
		if len(args) == 0 {
			c.Args = nil
		}
		c.Method, c.URI, c.Body, c.ReturnValue, c.Query, c.Headers = "", "", "", "", nil, nil
		setBranches(f, n, r.Branches)
		return nil
	})
	in.rebuild()
}

// setBranches makes n's branches bs, removing the connectors of the ports
// that go.
func setBranches(f *flow.Flow, n *flow.Node, bs []string) {
	for _, b := range n.Call.Branches {
		if !slices.Contains(bs, b) {
			removePortEdges(f, n.ID, b)
		}
	}
	n.Call.Branches = slices.Clone(bs)
}

// requestFields is the form of a node that uses request r: one field per
// param (its arg, CEL in the flow's context), the request's fields
// read-only with an Override switch each, and its branch ports.
func (in *inspector) requestFields(id string, c flow.Call, r *flow.NamedRequest) []fyne.CanvasObject {
	call := func(label string, fn func(c *flow.Call)) {
		in.editNode(id, label, func(n *flow.Node) { fn(n.Call) })
	}
	var objs []fyne.CanvasObject
	if r.Description != "" {
		d := widget.NewLabel(r.Description)
		d.Wrapping = fyne.TextWrapWord
		objs = append(objs, d)
	}
	if len(r.Params) > 0 {
		args := container.NewVBox()
		for _, p := range r.Params {
			f := in.exprField("call.args."+p, c.Args[p], false, false, func(s string) {
				call("Edit argument "+p, func(c *flow.Call) {
					if c.Args == nil {
						c.Args = map[string]string{}
					}
					c.Args[p] = s
				})
			})
			f.entry.SetPlaceHolder("trigger." + p)
			args.Add(row(p+" (required; params."+p+" in the request)", f.box))
		}
		objs = append(objs, panelRow("Arguments (CEL in the flow's context)", args))
	}
	text := func(label, path, own, theirs string, multi bool, set func(c *flow.Call, s string)) {
		var body fyne.CanvasObject
		if own != "" {
			body = in.exprField(path, own, multi, true, func(s string) { call("Edit "+label, func(c *flow.Call) { set(c, s) }) }).box
		} else {
			body = readOnlyValue(shownExpr(theirs, r.Params), multi)
		}
		objs = append(objs, in.overrideRow(id, label, path, own != "", body, func(c *flow.Call, on bool) {
			if on {
				set(c, orDefault(theirs, `""`))
			} else {
				set(c, "")
			}
		}))
	}
	// method
	var methodBody fyne.CanvasObject
	if c.Method != "" {
		m := widget.NewSelect(methods, func(s string) { call("Edit method", func(c *flow.Call) { c.Method = s }) })
		m.Selected = c.Method
		methodBody = m
	} else {
		methodBody = readOnlyValue(orDefault(r.Method, "GET"), false)
	}
	objs = append(objs, in.overrideRow(id, "Method", "call.method", c.Method != "", methodBody, func(c *flow.Call, on bool) {
		c.Method = ""
		if on {
			c.Method = orDefault(r.Method, "GET")
		}
	}))
	text("URI", "call.uri", c.URI, r.URI, false, func(c *flow.Call, s string) { c.URI = s })
	pairs := func(label, path string, own, theirs []flow.Pair, list func(c *flow.Call) *[]flow.Pair) {
		var body fyne.CanvasObject
		if len(own) > 0 {
			body = in.pairsEditor(id, path, own, list)
		} else {
			body = readOnlyPairs(theirs, r.Params)
		}
		objs = append(objs, in.overrideRow(id, label, path, len(own) > 0, body, func(c *flow.Call, on bool) {
			*list(c) = nil
			if on {
				*list(c) = slices.Clone(theirs)
				if len(theirs) == 0 {
					*list(c) = []flow.Pair{{}}
				}
			}
		}))
	}
	pairs("Query parameters", "call.query", c.Query, r.Query, func(c *flow.Call) *[]flow.Pair { return &c.Query })
	pairs("Headers", "call.headers", c.Headers, r.Headers, func(c *flow.Call) *[]flow.Pair { return &c.Headers })
	text("Body", "call.body", c.Body, r.Body, true, func(c *flow.Call, s string) { c.Body = s })
	text("Return value", "call.returnValue", c.ReturnValue, r.ReturnValue, false, func(c *flow.Call, s string) { c.ReturnValue = s })
	objs = append(objs, in.requestPorts(id, c, r))
	return objs
}

// overrideRow is a request field's row: its label, an Override switch,
// and body (the node's field when on, the request's value read-only when
// off). Switching copies the request's value into the node (on) or removes
// the node's field (off), in one undoable edit.
func (in *inspector) overrideRow(id, label, path string, on bool, body fyne.CanvasObject, set func(c *flow.Call, on bool)) fyne.CanvasObject {
	sw := widget.NewCheck("Override", nil)
	sw.SetChecked(on)
	sw.OnChanged = func(b bool) {
		verb := "Override "
		if !b {
			verb = "Use the request's "
		}
		in.structural(id, verb+label, func(n *flow.Node) { set(n.Call, b) })
	}
	callParts(in).overrides[path] = sw
	head := container.NewBorder(nil, nil, nil, sw, widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	return container.NewVBox(head, body)
}

// readOnlyValue shows a request's value, which the node does not change.
func readOnlyValue(s string, multi bool) fyne.CanvasObject {
	if s == "" {
		s = "(not set)"
	}
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	if multi {
		l.Wrapping = fyne.TextWrapWord
	} else {
		l.Truncation = fyne.TextTruncateEllipsis
	}
	return l
}

func readOnlyPairs(ps []flow.Pair, params []string) fyne.CanvasObject {
	if len(ps) == 0 {
		return readOnlyValue("", false)
	}
	var lines []string
	for _, p := range ps {
		lines = append(lines, shownExpr(p.Key, params)+": "+shownExpr(p.Value, params))
	}
	return readOnlyValue(strings.Join(lines, "\n"), true)
}

// requestPorts shows the node's ports, which follow the request's
// branches; when they differ (the request changed since), it says so, as
// validation does, and offers to update them.
func (in *inspector) requestPorts(id string, c flow.Call, r *flow.NamedRequest) fyne.CanvasObject {
	if len(r.Branches) == 0 || sameBranches(c.Branches, r.Branches) {
		l := widget.NewLabel("Branch ports: " + listOr(c.Branches, "next") + " (the request's branches), default and failure.")
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	l := widget.NewLabel(fmt.Sprintf("The node branches on %s but request %q now offers %s.", listOr(c.Branches, "none"), r.Name, listOr(r.Branches, "none")))
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.WarningImportance
	b := widget.NewButtonWithIcon("Update ports", theme.ViewRefreshIcon(), func() {
		in.edit("Update ports of "+id, func(f *flow.Flow) error {
			n := f.Node(id)
			if n == nil || n.Call == nil {
				return fmt.Errorf("the node %q is gone (deleted or undone); select another", id)
			}
			setBranches(f, n, r.Branches)
			return nil
		})
		in.rebuild()
	})
	callParts(in).updatePorts = b
	return container.NewVBox(l, container.NewHBox(b))
}

func sameBranches(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(x string) bool { return !slices.Contains(b, x) })
}

func listOr(xs []string, none string) string {
	if len(xs) == 0 {
		return none
	}
	return strings.Join(xs, ", ")
}
