package ui

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// The HTTP methods a call may use.
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// nodeForm is the form of one node: its title, then what its kind needs.
func (in *inspector) nodeForm(n *flow.Node) fyne.CanvasObject {
	id := n.ID
	title := in.entry("title", n.Title, "Title shown on the card", func(s string) {
		in.editNode(id, "Edit title", func(n *flow.Node) { n.Title = s })
	})
	idLabel := widget.NewLabel(fmt.Sprintf("Id %s — expressions refer to it as steps.%s", id, id))
	idLabel.Wrapping = fyne.TextWrapWord
	objs := []fyne.CanvasObject{panelRow("Title", title), idLabel}
	if form, ok := kindForms[n.Kind]; ok {
		objs = append(objs, form(in, n)...)
	}
	if ps := in.a.ed.NodeProblems(id); len(ps) > 0 {
		var lines []string
		for _, p := range ps {
			lines = append(lines, "• "+p.String())
		}
		l := widget.NewLabel(strings.Join(lines, "\n"))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		objs = append(objs, widget.NewSeparator(), panelRow("Problems", l))
	}
	del := widget.NewButtonWithIcon("Delete node", theme.DeleteIcon(), func() {
		if err := in.a.ed.DeleteSelection(); err != nil {
			in.a.console.logError(err.Error())
		}
	})
	del.Importance = widget.DangerImportance
	objs = append(objs, widget.NewSeparator(), del)
	return container.NewVBox(objs...)
}

// startForm: the trigger type and what it needs.
func (in *inspector) startForm(n *flow.Node) []fyne.CanvasObject {
	id := n.ID
	tr := flow.Trigger{Type: flow.TriggerManual}
	if n.Trigger != nil {
		tr = *n.Trigger
	}
	typ := widget.NewSelect([]string{string(flow.TriggerManual), string(flow.TriggerEvent), string(flow.TriggerWebhook)}, nil)
	typ.SetSelected(string(tr.Type))
	typ.OnChanged = func(s string) {
		in.structural(id, "Change trigger", func(n *flow.Node) {
			if n.Trigger == nil {
				n.Trigger = &flow.Trigger{}
			}
			n.Trigger.Type = flow.TriggerType(s)
		})
	}
	objs := []fyne.CanvasObject{panelRow("Trigger", typ)}
	switch tr.Type {
	case flow.TriggerEvent:
		objs = append(objs, panelRow("Events (comma separated; pick one the project's flows raise, or type a new one)", in.eventEntry("trigger.events", strings.Join(tr.Events, ", "), "chat.opened", true, func(s string) {
			in.editNode(id, "Edit trigger events", func(n *flow.Node) { n.Trigger.Events = splitList(s) })
		})))
	case flow.TriggerWebhook:
		objs = append(objs, panelRow("Path", in.entry("trigger.path", tr.Path, "/hooks/new-chat", func(s string) {
			in.editNode(id, "Edit webhook path", func(n *flow.Node) { n.Trigger.Path = s })
		})))
		objs = append(objs, panelRow("Signing secret (Standard Webhooks)", in.secretRefEditor("trigger.secret", tr.Secret, func(r *flow.SecretRef) {
			in.editNode(id, "Edit webhook secret", func(n *flow.Node) { n.Trigger.Secret = r })
		})))
	}
	return objs
}

// callForm is the request builder.
func (in *inspector) callForm(n *flow.Node) []fyne.CanvasObject {
	id := n.ID
	c := flow.Call{}
	if n.Call != nil {
		c = *n.Call
	}
	call := func(label string, fn func(c *flow.Call)) {
		in.editNode(id, label, func(n *flow.Node) {
			if n.Call == nil {
				n.Call = &flow.Call{}
			}
			fn(n.Call)
		})
	}

	connNames := in.a.connectionNames()
	if c.Connection != "" && !slices.Contains(connNames, c.Connection) {
		connNames = append(connNames, c.Connection)
	}
	sort.Strings(connNames)
	conn := widget.NewSelect(append(connNames, connByExpr), nil)
	conn.PlaceHolder = "Pick a connection"
	if c.ConnectionByExpr() {
		conn.SetSelected(connByExpr)
	} else {
		conn.SetSelected(c.Connection)
	}
	conn.OnChanged = func(s string) { in.pickConnection(id, s) }
	manage := widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { in.a.manageConnection(conn.Selected) })

	method := widget.NewSelect(methods, nil)
	method.SetSelected(orDefault(c.Method, "GET"))
	method.OnChanged = func(s string) { call("Edit method", func(c *flow.Call) { c.Method = s }) }

	timeoutErr := errorLabel()
	timeout := in.durationEntry("call.timeout", c.Timeout, "30s", timeoutErr, func(d flow.Duration) {
		call("Edit timeout", func(c *flow.Call) { c.Timeout = d })
	})
	deadline := in.durationEntry("call.deadline", c.Deadline, "none", timeoutErr, func(d flow.Duration) {
		call("Edit deadline", func(c *flow.Call) { c.Deadline = d })
	})
	timeHint := widget.NewLabel("timeout bounds each attempt; deadline bounds the whole step (every attempt and the waits between them).")
	timeHint.Wrapping = fyne.TextWrapWord

	saveErr := errorLabel()
	saveTo := in.entry("call.saveTo", c.SaveTo, "vars name, e.g. tier", func(s string) {
		setError(saveErr, checkIdentifier(s))
		call("Edit save-to", func(c *flow.Call) { c.SaveTo = s })
	})
	setError(saveErr, checkIdentifier(c.SaveTo))

	event := in.eventEntry("call.completionEvent", c.CompletionEvent, "tier.looked_up", false, func(s string) {
		call("Edit completion event", func(c *flow.Call) { c.CompletionEvent = s })
	})

	var test []fyne.CanvasObject
	if in.a.opts.Runner != nil {
		// Test opens the request workspace on the node's request and sends
		// it; Ctrl+Enter on the canvas tests it in place (the step pane).
		b := widget.NewButtonWithIcon("Test in Send", theme.MediaPlayIcon(), func() { in.a.TestInWorkspace(id) })
		b.Importance = widget.HighImportance
		test = append(test, b)
	}
	preset := widget.NewButtonWithIcon("Chatbot preset…", theme.MailReplyIcon(), func() { in.chatbotPresetInteractive(id) })
	test = append(test, preset)
	objs := append(test, panelRow("Connection", container.NewBorder(nil, nil, nil, manage, conn)))
	if c.ConnectionByExpr() {
		objs = append(objs, in.connExprFields(id, c)...)
	} else {
		objs = append(objs, panelRow("Request", in.requestSelect(id, c)))
	}
	var req *flow.NamedRequest
	if cn := in.a.connectionNamed(c.Connection); cn != nil && c.Request != "" {
		req = cn.Request(c.Request)
	}
	if req != nil {
		objs = append(objs, in.requestFields(id, c, req)...)
	} else {
		uri := in.exprField("call.uri", c.URI, false, true, func(s string) { call("Edit URI", func(c *flow.Call) { c.URI = s }) })
		body := in.exprField("call.body", c.Body, true, true, func(s string) { call("Edit body", func(c *flow.Call) { c.Body = s }) })
		objs = append(objs,
			panelRow("Method", method),
			panelRow("URI (CEL, relative to the connection's base URL)", uri.box),
			panelRow("Query parameters (key and value, CEL)", in.pairsEditor(id, "call.query", c.Query, func(c *flow.Call) *[]flow.Pair { return &c.Query })),
			panelRow("Headers (key and value, CEL)", in.pairsEditor(id, "call.headers", c.Headers, func(c *flow.Call) *[]flow.Pair { return &c.Headers })),
			panelRow("Body (CEL; a JSON literal is valid)", body.box))
	}
	objs = append(objs,
		panelRow("Timeout and deadline", container.NewVBox(container.NewGridWithColumns(2, timeout, deadline), timeHint, timeoutErr)),
		panelRow("Retry", in.retryEditor(id, c.Retry)),
		panelRow("Signing secret (HMAC, Standard Webhooks)", in.secretRefEditor("call.signing", signingRef(c.Signing), func(r *flow.SecretRef) {
			call("Edit signing secret", func(c *flow.Call) {
				if r == nil {
					c.Signing = nil
				} else {
					c.Signing = &flow.Signing{Secret: *r}
				}
			})
		})),
		panelRow("Save to vars", container.NewVBox(saveTo, saveErr)))
	if req == nil {
		ret := in.exprField("call.returnValue", c.ReturnValue, false, true, func(s string) {
			call("Edit return value", func(c *flow.Call) { c.ReturnValue = s })
		})
		objs = append(objs,
			panelRow("Return value (CEL; empty: body.returnValue)", ret.box),
			panelRow("Branch options (one output port each)", in.branchesEditor(id, c.Branches)))
	}
	return append(objs, panelRow("Completion event (one the project's flows raise or listen to, or a new one)", event))
}

func signingRef(s *flow.Signing) *flow.SecretRef {
	if s == nil {
		return nil
	}
	r := s.Secret
	return &r
}

// pairsEditor edits a list of key/value expressions (query or headers):
// add, remove and move rows up and down.
func (in *inspector) pairsEditor(id, path string, pairs []flow.Pair, list func(c *flow.Call) *[]flow.Pair) fyne.CanvasObject {
	box := container.NewVBox()
	edit := func(label string, structural bool, fn func(ps *[]flow.Pair)) {
		apply := in.editNode
		if structural {
			apply = in.structural
		}
		apply(id, label, func(n *flow.Node) {
			if n.Call == nil {
				n.Call = &flow.Call{}
			}
			fn(list(n.Call))
		})
	}
	what := strings.TrimPrefix(path, "call.")
	for i, p := range pairs {
		key := in.cellField(fmt.Sprintf("%s[%d].key", path, i), p.Key, func(s string) {
			edit("Edit "+what+" key", false, func(ps *[]flow.Pair) { (*ps)[i].Key = s })
		})
		val := in.cellField(fmt.Sprintf("%s[%d].value", path, i), p.Value, func(s string) {
			edit("Edit "+what+" value", false, func(ps *[]flow.Pair) { (*ps)[i].Value = s })
		})
		buttons := rowButtons(i, len(pairs),
			func() { edit("Move "+what+" up", true, func(ps *[]flow.Pair) { swap(*ps, i, i-1) }) },
			func() { edit("Move "+what+" down", true, func(ps *[]flow.Pair) { swap(*ps, i, i+1) }) },
			func() { edit("Remove "+what, true, func(ps *[]flow.Pair) { *ps = slices.Delete(*ps, i, i+1) }) })
		box.Add(container.NewBorder(nil, nil, nil, buttons, container.NewGridWithColumns(2, key.box, val.box)))
	}
	add := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), func() {
		edit("Add "+what, true, func(ps *[]flow.Pair) { *ps = append(*ps, flow.Pair{}) }) // empty cells, with a hint
	})
	add.Importance = widget.LowImportance
	box.Add(container.NewHBox(add))
	return box
}

// rowButtons are the up, down and remove buttons of one row of a list.
func rowButtons(i, n int, up, down, remove func()) fyne.CanvasObject {
	u := widget.NewButtonWithIcon("", theme.MoveUpIcon(), up)
	d := widget.NewButtonWithIcon("", theme.MoveDownIcon(), down)
	r := widget.NewButtonWithIcon("", theme.DeleteIcon(), remove)
	for _, b := range []*widget.Button{u, d, r} {
		b.Importance = widget.LowImportance
	}
	if i == 0 {
		u.Disable()
	}
	if i == n-1 {
		d.Disable()
	}
	return container.NewHBox(u, d, r)
}

func swap[T any](s []T, i, j int) {
	if i >= 0 && j >= 0 && i < len(s) && j < len(s) {
		s[i], s[j] = s[j], s[i]
	}
}

// retryEditor edits a call's retry policy; unchecking it removes the policy.
func (in *inspector) retryEditor(id string, r *flow.Retry) fyne.CanvasObject {
	retry := func(label string, fn func(r *flow.Retry)) {
		in.editNode(id, label, func(n *flow.Node) {
			if n.Call.Retry == nil {
				n.Call.Retry = &flow.Retry{MaxAttempts: 3}
			}
			fn(n.Call.Retry)
		})
	}
	on := widget.NewCheck("Retry failed attempts", nil)
	on.SetChecked(r != nil)
	on.OnChanged = func(b bool) {
		in.structural(id, "Toggle retry", func(n *flow.Node) {
			if !b {
				n.Call.Retry = nil
			} else if n.Call.Retry == nil {
				n.Call.Retry = &flow.Retry{MaxAttempts: 3, InitialInterval: flow.Duration(time.Second), BackoffRate: 2, MaxInterval: flow.Duration(30 * time.Second)}
			}
		})
	}
	if r == nil {
		return on
	}
	errL := errorLabel()
	attempts := in.entry("call.retry.maxAttempts", strconv.Itoa(r.MaxAttempts), "3", func(s string) {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 1 || v > 10 {
			setError(errL, "Max attempts: a whole number from 1 to 10.")
			return
		}
		setError(errL, "")
		retry("Edit retry attempts", func(r *flow.Retry) { r.MaxAttempts = v })
	})
	initial := in.durationEntry("call.retry.initialInterval", r.InitialInterval, "1s", errL, func(d flow.Duration) {
		retry("Edit retry interval", func(r *flow.Retry) { r.InitialInterval = d })
	})
	maxI := in.durationEntry("call.retry.maxInterval", r.MaxInterval, "30s", errL, func(d flow.Duration) {
		retry("Edit retry max interval", func(r *flow.Retry) { r.MaxInterval = d })
	})
	rate := in.entry("call.retry.backoffRate", strconv.FormatFloat(r.BackoffRate, 'g', -1, 64), "2", func(s string) {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || v < 1 {
			setError(errL, "Backoff rate: a number of at least 1 (2 doubles the wait each time).")
			return
		}
		setError(errL, "")
		retry("Edit backoff rate", func(r *flow.Retry) { r.BackoffRate = v })
	})
	if r.BackoffRate == 0 {
		rate.SetText("")
	}
	return container.NewVBox(on,
		container.NewGridWithColumns(2,
			panelRow("Max attempts", attempts), panelRow("Backoff rate", rate),
			panelRow("Initial interval", initial), panelRow("Max interval", maxI)),
		panelRow("Retry on", in.retryOnEditor(id, r)),
		errL)
}

// retryLabels say what each retry condition of flow.RetryConditions
// retries.
var retryLabels = map[string]string{
	flow.RetryOn5xx: "5xx (server errors)", flow.RetryOn429: "429 (too many requests)", flow.RetryOn408: "408 (request timeout)",
	flow.RetryOnNetwork: "network (no connection)", flow.RetryOnTimeout: "timeout (no answer in time)",
	flow.RetryOn4xx: "4xx (client errors)", flow.RetryOn3xx: "3xx (redirects not followed)", flow.RetryOnNon2xx: "non2xx (any status outside 200–299)",
}

// retryOnEditor edits the retry policy's "on" set: a check per condition
// (flow.RetryRule's words), and the HTTP task platforms' rule in one click.
// The default set is written as no "on" list at all, so files that never
// chose one stay as they were.
func (in *inspector) retryOnEditor(id string, r *flow.Retry) fyne.CanvasObject {
	words := slices.Clone(r.On)
	if len(words) == 0 {
		words = slices.Clone(flow.DefaultRetryOn)
	}
	set := func(label string, on []string) {
		if len(on) == 0 {
			// an empty list is the default set, not none
			in.a.console.logError("Retry needs at least one condition; to retry nothing, turn retry off.")
			in.rebuild()
			return
		}
		rule, err := flow.ParseRetryOn(on)
		if err != nil {
			return
		}
		w := slices.Compact(slices.Clone(on)) // as chosen: the platform's rule reads non2xx, network, timeout
		if rule == (*flow.Retry)(nil).Rule() {
			w = nil
		}
		in.structural(id, label, func(n *flow.Node) {
			if n.Call.Retry != nil {
				n.Call.Retry.On = w
			}
		})
	}
	grid := container.NewGridWithColumns(2)
	for _, word := range flow.RetryConditions {
		c := widget.NewCheck(retryLabels[word], nil)
		c.SetChecked(slices.Contains(words, word))
		c.OnChanged = func(b bool) {
			on := slices.DeleteFunc(slices.Clone(words), func(x string) bool { return x == word })
			if b {
				on = append(on, word)
			}
			set("Edit retry conditions", on)
		}
		in.retryChecks(word, c)
		grid.Add(c)
	}
	platform := widget.NewButton("Any non-2xx (HTTP task platform rule)", func() {
		set("Retry any non-2xx", flow.PlatformRetryOn)
	})
	platform.Importance = widget.LowImportance
	callParts(in).platformRetry = platform
	return container.NewVBox(grid, container.NewHBox(platform))
}

// durationEntry edits a duration written as "30s"; empty means none. A
// value that does not parse shows its error and changes nothing.
func (in *inspector) durationEntry(path string, d flow.Duration, placeholder string, errL *widget.Label, set func(flow.Duration)) *widget.Entry {
	text := ""
	if d > 0 {
		text = d.D().String()
	}
	return in.entry(path, text, placeholder, func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			setError(errL, "")
			set(0)
			return
		}
		v, err := time.ParseDuration(s)
		if err != nil || v < 0 {
			setError(errL, fmt.Sprintf("%q is not a duration; write it as 30s, 500ms or 1m.", s))
			return
		}
		setError(errL, "")
		set(flow.Duration(v))
	})
}

// secretRefEditor picks a secret by reference: none, a name in the sealed
// store, or an environment variable. It never holds a value.
func (in *inspector) secretRefEditor(path string, r *flow.SecretRef, set func(*flow.SecretRef)) fyne.CanvasObject {
	const (
		none   = "None"
		sealed = "Sealed secret (name)"
		env    = "Environment variable"
	)
	kind := widget.NewSelect([]string{none, sealed, env}, nil)
	name := widget.NewEntry()
	in.entries[path] = name
	switch {
	case r != nil && r.Env != "":
		kind.SetSelected(env)
		name.SetText(r.Env)
	case r != nil && r.Secret != "":
		kind.SetSelected(sealed)
		name.SetText(r.Secret)
	default:
		kind.SetSelected(none)
		name.Hide()
	}
	apply := func() {
		n := strings.TrimSpace(name.Text)
		switch {
		case kind.Selected == none:
			set(nil)
		case n == "":
			// wait for a name: an empty reference would be an invalid file
		case kind.Selected == env:
			set(&flow.SecretRef{Env: n})
		default:
			set(&flow.SecretRef{Secret: n})
		}
	}
	kind.OnChanged = func(s string) {
		if s == none {
			name.Hide()
		} else {
			name.Show()
		}
		apply()
	}
	name.OnChanged = func(string) { apply() }
	name.SetPlaceHolder("name")
	return container.NewVBox(kind, name)
}

// branchesEditor edits a call's branch options. Each option is an output
// port: renaming one moves its connector, removing one removes it.
func (in *inspector) branchesEditor(id string, branches []string) fyne.CanvasObject {
	box := container.NewVBox()
	for i, b := range branches {
		e := in.entry(fmt.Sprintf("call.branches[%d]", i), b, "vip", nil)
		e.OnChanged = in.typed(func(s string) {
			in.edit("Rename branch of "+id, func(f *flow.Flow) error {
				n := f.Node(id)
				old := n.Call.Branches[i]
				n.Call.Branches[i] = s
				movePortEdges(f, id, old, s)
				return nil
			})
		})
		buttons := rowButtons(i, len(branches),
			func() { in.structural(id, "Move branch up", func(n *flow.Node) { swap(n.Call.Branches, i, i-1) }) },
			func() { in.structural(id, "Move branch down", func(n *flow.Node) { swap(n.Call.Branches, i, i+1) }) },
			func() {
				in.edit("Remove branch of "+id, func(f *flow.Flow) error {
					n := f.Node(id)
					port := n.Call.Branches[i]
					n.Call.Branches = slices.Delete(n.Call.Branches, i, i+1)
					removePortEdges(f, id, port)
					return nil
				})
				in.rebuild()
			})
		box.Add(container.NewBorder(nil, nil, nil, buttons, e))
	}
	add := widget.NewButtonWithIcon("Add branch", theme.ContentAddIcon(), func() {
		in.structural(id, "Add branch", func(n *flow.Node) {
			n.Call.Branches = append(n.Call.Branches, uniquePort(n, "option"))
		})
	})
	add.Importance = widget.LowImportance
	hint := widget.NewLabel("The call leaves by the branch equal to its return value, else by default; failures leave by failure.")
	hint.Wrapping = fyne.TextWrapWord
	box.Add(container.NewHBox(add))
	box.Add(hint)
	return box
}

// removePortEdges drops the connectors that leave node id by port.
func removePortEdges(f *flow.Flow, id, port string) {
	f.Edges = slices.DeleteFunc(f.Edges, func(e flow.Edge) bool { return e.From == id && e.PortName() == port })
}

// uniquePort names a new port by the one rule (editor.UniqueName).
func uniquePort(n *flow.Node, base string) string {
	return uniqueName(base, idSep, n.HasPort)
}

// decisionForm edits the cases: a port and a condition each.
func (in *inspector) decisionForm(n *flow.Node) []fyne.CanvasObject {
	id := n.ID
	box := container.NewVBox()
	for i, c := range n.Cases {
		port := in.entry(fmt.Sprintf("cases[%d].port", i), c.Port, "yes", nil)
		port.OnChanged = in.typed(func(s string) {
			in.edit("Rename case of "+id, func(f *flow.Flow) error {
				n := f.Node(id)
				old := n.Cases[i].Port
				n.Cases[i].Port = s
				movePortEdges(f, id, old, s)
				return nil
			})
		})
		when := in.exprField(fmt.Sprintf("cases[%d].when", i), c.When, false, false, func(s string) {
			in.editNode(id, "Edit condition", func(n *flow.Node) { n.Cases[i].When = s })
		})
		buttons := rowButtons(i, len(n.Cases),
			func() { in.structural(id, "Move case up", func(n *flow.Node) { swap(n.Cases, i, i-1) }) },
			func() { in.structural(id, "Move case down", func(n *flow.Node) { swap(n.Cases, i, i+1) }) },
			func() {
				in.edit("Remove case of "+id, func(f *flow.Flow) error {
					n := f.Node(id)
					p := n.Cases[i].Port
					n.Cases = slices.Delete(n.Cases, i, i+1)
					removePortEdges(f, id, p)
					return nil
				})
				in.rebuild()
			})
		box.Add(container.NewBorder(nil, nil, nil, buttons,
			container.NewVBox(row(fmt.Sprintf("Case %d: port", i+1), port), panelRow("when (CEL)", when.box))))
		box.Add(widget.NewSeparator())
	}
	add := widget.NewButtonWithIcon("Add case", theme.ContentAddIcon(), func() {
		in.structural(id, "Add case", func(n *flow.Node) {
			n.Cases = append(n.Cases, flow.Case{Port: uniquePort(n, "case"), When: "true"})
		})
	})
	add.Importance = widget.LowImportance
	hint := widget.NewLabel("The first case whose condition is true wins; otherwise the run leaves by default.")
	hint.Wrapping = fyne.TextWrapWord
	return []fyne.CanvasObject{panelRow("Cases", box), container.NewHBox(add), hint}
}

// movePortEdges makes the connectors leaving node id by port old leave by
// port new.
func movePortEdges(f *flow.Flow, id, old, new string) {
	for i := range f.Edges {
		e := &f.Edges[i]
		if e.From == id && e.PortName() == old {
			e.Port = new
			if new == flow.PortNext {
				e.Port = ""
			}
		}
	}
}

// setForm edits the assignments, evaluated in order into vars.
func (in *inspector) setForm(n *flow.Node) []fyne.CanvasObject {
	id := n.ID
	box := container.NewVBox()
	for i, a := range n.Assign {
		nameErr := errorLabel()
		name := in.entry(fmt.Sprintf("assign[%d].name", i), a.Name, "summary", func(s string) {
			setError(nameErr, checkIdentifier(s))
			in.editNode(id, "Edit variable name", func(n *flow.Node) { n.Assign[i].Name = s })
		})
		setError(nameErr, checkIdentifier(a.Name))
		val := in.exprField(fmt.Sprintf("assign[%d].value", i), a.Value, false, false, func(s string) {
			in.editNode(id, "Edit assignment", func(n *flow.Node) { n.Assign[i].Value = s })
		})
		buttons := rowButtons(i, len(n.Assign),
			func() { in.structural(id, "Move assignment up", func(n *flow.Node) { swap(n.Assign, i, i-1) }) },
			func() { in.structural(id, "Move assignment down", func(n *flow.Node) { swap(n.Assign, i, i+1) }) },
			func() {
				in.structural(id, "Remove assignment", func(n *flow.Node) { n.Assign = slices.Delete(n.Assign, i, i+1) })
			})
		box.Add(container.NewBorder(nil, nil, nil, buttons,
			container.NewVBox(panelRow("vars.", container.NewVBox(name, nameErr)), panelRow("= (CEL)", val.box))))
		box.Add(widget.NewSeparator())
	}
	add := widget.NewButtonWithIcon("Add assignment", theme.ContentAddIcon(), func() {
		in.structural(id, "Add assignment", func(n *flow.Node) {
			n.Assign = append(n.Assign, flow.Assignment{Name: fmt.Sprintf("v%d", len(n.Assign)+1), Value: `""`})
		})
	})
	add.Importance = widget.LowImportance
	return []fyne.CanvasObject{panelRow("Assignments (in order)", box), container.NewHBox(add)}
}

// emitForm edits the event an emit node raises.
func (in *inspector) emitForm(n *flow.Node) []fyne.CanvasObject {
	id := n.ID
	event := in.eventEntry("event", n.Event, "chat.escalated", false, func(s string) {
		in.editNode(id, "Edit event", func(n *flow.Node) { n.Event = s })
	})
	payload := in.exprField("payload", n.Payload, true, true, func(s string) {
		in.editNode(id, "Edit payload", func(n *flow.Node) { n.Payload = s })
	})
	return []fyne.CanvasObject{panelRow("Event name", event), panelRow("Payload (CEL)", payload.box)}
}

// endForm: the outcome the run finishes with.
func (in *inspector) endForm(n *flow.Node) []fyne.CanvasObject {
	id := n.ID
	return []fyne.CanvasObject{panelRow("Outcome", in.entry("outcome", n.Outcome, "done", func(s string) {
		in.editNode(id, "Edit outcome", func(n *flow.Node) { n.Outcome = s })
	}))}
}

// checkIdentifier says what is wrong with a variable name, "" when it is
// empty or a valid identifier (flow.IsIdentifier: also not a word CEL
// reserves).
func checkIdentifier(s string) string {
	if s == "" || flow.IsIdentifier(s) {
		return ""
	}
	return fmt.Sprintf("%q is not a variable name: use letters, digits and _, not starting with a digit, and not a word CEL reserves (in, if, null…).", s)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
