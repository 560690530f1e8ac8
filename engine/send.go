package engine

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/flowbench/flowbench/flow"
)

// SendNodeID is the id of the one call node Send runs: its response is
// steps.request in expressions and its StepResult.Step.Node.
const SendNodeID = "request"

// AdHocConnectionName names the connection of a request sent to a full
// URL with no connection (AdHocConnection).
const AdHocConnectionName = "(no connection)"

// AdHocConnection returns the connection a request to the full URL rawURL
// goes through when it names none: base URL the URL's scheme and host, no
// authentication, certificates verified; and the URI, the rest of the URL
// (path and query), for the call. The error says what is wrong with the URL.
func AdHocConnection(rawURL string) (flow.Connection, string, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return flow.Connection{}, "", fmt.Errorf("the URL %q is not valid: %v", rawURL, err)
	}
	if s := strings.ToLower(u.Scheme); (s != "http" && s != "https") || u.Host == "" {
		return flow.Connection{}, "", fmt.Errorf("the URL %q is not a full http(s) URL; give one such as https://api.example.com/v1/orders, or a connection", rawURL)
	}
	if u.User != nil {
		return flow.Connection{}, "", fmt.Errorf("the URL %q holds a user name or password; give credentials through a connection's auth instead", rawURL)
	}
	base := url.URL{Scheme: u.Scheme, Host: u.Host}
	uri := u.EscapedPath()
	if u.RawQuery != "" {
		uri += "?" + u.RawQuery
	}
	return flow.Connection{Name: AdHocConnectionName, Kind: flow.ConnCustom, BaseURL: base.String(),
		Auth: flow.Auth{Type: flow.AuthNone}}, uri, nil
}

// Send sends one request outside any flow — the request workspace's Send
// and `flowbench send`. call holds a call node's fields (CEL expressions)
// and goes through the runner's connection call.Connection, with the same
// request building, authentication, signing, retries, timeouts, redaction
// and response cap as a step of a run: it is TestStep on a one-node flow
// whose node is SendNodeID, so observers see a one-step run whose trigger is
// "test". The error is the call's problems (a flow.Problems naming the
// field) or why the step could not start; a request that got no response
// is a StepResult whose Step failed, with its Error and Exchanges.
func (r *Runner) Send(ctx context.Context, call flow.Call, in StepInput) (*StepResult, error) {
	c := call
	f := &flow.Flow{Format: flow.Format, ID: "send", Name: "Send",
		Nodes: []flow.Node{{ID: SendNodeID, Kind: flow.KindCall, Call: &c}}}
	r.mu.Lock()
	conns := make([]flow.Connection, 0, len(r.conns))
	for _, cn := range r.conns {
		conns = append(conns, cn)
	}
	r.mu.Unlock()
	plan, err := CompileStep(f, SendNodeID, conns)
	if err != nil {
		return nil, err
	}
	return r.TestStep(ctx, plan, SendNodeID, in)
}
