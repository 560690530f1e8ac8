package flow

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// validFlow returns a flow that uses every node kind and has no problem:
//
//	start → lookup ─vip→ tell → big ─yes→ done
//	               ├default→ prep → done   big ─default→ done
//	               └failure→ done
func validFlow() *Flow {
	return &Flow{
		Format: Format, Name: "valid",
		Variables: map[string]string{"greeting": `"hi"`},
		Nodes: []Node{
			{ID: "start", Kind: KindStart, Trigger: &Trigger{Type: TriggerEvent, Events: []string{"chat.opened"}}},
			{ID: "lookup", Kind: KindCall, Call: &Call{Connection: "crm", Method: "POST", Branches: []string{"vip"},
				Timeout: Duration(30 * time.Second), SaveTo: "tier",
				Retry: &Retry{MaxAttempts: 3, InitialInterval: Duration(time.Second), BackoffRate: 2, MaxInterval: Duration(10 * time.Second)}}},
			{ID: "tell", Kind: KindEmit, Event: "chat.escalated"},
			{ID: "big", Kind: KindDecision, Cases: []Case{{Port: "yes", When: "vars.amount > 1000"}}},
			{ID: "prep", Kind: KindSet, Assign: []Assignment{{Name: "summary", Value: "vars.greeting"}}},
			{ID: "done", Kind: KindEnd, Outcome: "routed"},
		},
		Edges: []Edge{
			{From: "start", To: "lookup"},                 // 0
			{From: "lookup", Port: "vip", To: "tell"},     // 1
			{From: "lookup", Port: "default", To: "prep"}, // 2
			{From: "lookup", Port: "failure", To: "done"}, // 3
			{From: "tell", To: "big"},                     // 4
			{From: "big", Port: "yes", To: "done"},        // 5
			{From: "big", Port: "default", To: "done"},    // 6
			{From: "prep", To: "done"},                    // 7
		},
	}
}

// want is what a validation test asserts of each problem; the message is
// checked to be present, its wording is free.
type want struct {
	sev         Severity
	node, field string
}

func E(node, field string) want { return want{SeverityError, node, field} }
func W(node, field string) want { return want{SeverityWarning, node, field} }

func TestValidFlowHasNoProblems(t *testing.T) {
	if ps := Validate(validFlow()); len(ps) != 0 {
		t.Fatalf("the base flow of the validation tests has problems:\n%v", ps)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(f *Flow)
		want   []want
	}{
		// The flow itself.
		{"missing format", func(f *Flow) { f.Format = "" }, []want{E("", "format")}},
		{"other format", func(f *Flow) { f.Format = "flowbench/v0" }, []want{E("", "format")}},
		{"missing name", func(f *Flow) { f.Name = "" }, []want{E("", "name")}},
		{"blank name", func(f *Flow) { f.Name = "  " }, []want{E("", "name")}},
		{"variable name with a space", func(f *Flow) { f.Variables["a b"] = "1" }, []want{E("", `variables["a b"]`)}},
		{"variable name reserved by CEL", func(f *Flow) { f.Variables["in"] = "1" }, []want{E("", "variables.in")}},

		// Node ids and kinds.
		{"missing id", func(f *Flow) { f.Nodes = append(f.Nodes, Node{Kind: KindEnd}) }, []want{E("", "nodes[6].id")}},
		{"malformed id", func(f *Flow) { f.Nodes = append(f.Nodes, Node{ID: "a b", Kind: KindEnd}) },
			[]want{E("a b", "id"), W("a b", "")}},
		{"duplicate id", func(f *Flow) { f.Nodes = append(f.Nodes, Node{ID: "done", Kind: KindEnd}) }, []want{E("done", "id")}},
		{"unknown kind", func(f *Flow) { f.Nodes = append(f.Nodes, Node{ID: "x", Kind: "loop"}) }, []want{E("x", "kind")}},
		{"missing kind", func(f *Flow) { f.Nodes = append(f.Nodes, Node{ID: "x"}) }, []want{E("x", "kind")}},
		{"missing kind and id", func(f *Flow) { f.Nodes = append(f.Nodes, Node{}) }, []want{E("", "nodes[6].id"), E("", "nodes[6].kind")}},
		{"no nodes", func(f *Flow) { f.Nodes, f.Edges = nil, nil }, []want{E("", "nodes")}},
		{"no start node", func(f *Flow) { f.Nodes, f.Edges = f.Nodes[1:], f.Edges[1:] }, []want{E("", "nodes")}},
		{"two start nodes", func(f *Flow) {
			f.Nodes = append(f.Nodes, Node{ID: "again", Kind: KindStart})
			f.Edges = append(f.Edges, Edge{From: "again", To: "done"})
		}, []want{E("again", "kind")}},

		// Start triggers.
		{"no trigger is manual", func(f *Flow) { f.Nodes[0].Trigger = nil }, nil},
		{"manual trigger", func(f *Flow) { f.Nodes[0].Trigger = &Trigger{Type: TriggerManual} }, nil},
		{"unknown trigger type", func(f *Flow) { f.Nodes[0].Trigger.Type = "cron" }, []want{E("start", "trigger.type")}},
		{"trigger without type", func(f *Flow) { f.Nodes[0].Trigger.Type = "" }, []want{E("start", "trigger.type")}},
		{"event trigger without events", func(f *Flow) { f.Nodes[0].Trigger.Events = nil }, []want{E("start", "trigger.events")}},
		{"event trigger with an empty event", func(f *Flow) { f.Nodes[0].Trigger.Events = []string{"a", " "} },
			[]want{E("start", "trigger.events[1]")}},
		{"webhook", func(f *Flow) { f.Nodes[0].Trigger = &Trigger{Type: TriggerWebhook, Path: "/orders"} }, nil},
		{"webhook without path", func(f *Flow) { f.Nodes[0].Trigger = &Trigger{Type: TriggerWebhook} }, []want{E("start", "trigger.path")}},
		{"webhook path without slash", func(f *Flow) { f.Nodes[0].Trigger = &Trigger{Type: TriggerWebhook, Path: "orders"} },
			[]want{E("start", "trigger.path")}},

		// Calls.
		{"call without call block", func(f *Flow) { f.Nodes[1].Call = nil },
			// Without branches the call has only next and failure, so vip and
			// default lead nowhere and what they led to is cut off.
			[]want{E("lookup", "call"), E("lookup", "edges[1].port"), E("lookup", "edges[2].port"),
				W("tell", ""), W("big", ""), W("prep", "")}},
		{"call without connection", func(f *Flow) { f.Nodes[1].Call.Connection = "" }, []want{E("lookup", "call.connection")}},
		{"unknown method", func(f *Flow) { f.Nodes[1].Call.Method = "FETCH" }, []want{E("lookup", "call.method")}},
		{"lower case method", func(f *Flow) { f.Nodes[1].Call.Method = "patch" }, nil},
		{"empty method means GET", func(f *Flow) { f.Nodes[1].Call.Method = "" }, nil},
		{"empty uri is the base URL", func(f *Flow) { f.Nodes[1].Call.URI = "" }, nil},
		{"empty branch name", func(f *Flow) { f.Nodes[1].Call.Branches = []string{"vip", ""} }, []want{E("lookup", "call.branches[1]")}},
		{"duplicate branch", func(f *Flow) { f.Nodes[1].Call.Branches = []string{"vip", "vip"} }, []want{E("lookup", "call.branches[1]")}},
		{"branch named default", func(f *Flow) { f.Nodes[1].Call.Branches = []string{"vip", "default"} }, []want{E("lookup", "call.branches[1]")}},
		{"branch named failure", func(f *Flow) { f.Nodes[1].Call.Branches = []string{"failure", "vip"} }, []want{E("lookup", "call.branches[0]")}},
		{"branch named next", func(f *Flow) { f.Nodes[1].Call.Branches = []string{"vip", "next"} }, []want{E("lookup", "call.branches[1]")}},
		{"retry with no attempts", func(f *Flow) { f.Nodes[1].Call.Retry.MaxAttempts = 0 }, []want{E("lookup", "call.retry.maxAttempts")}},
		{"retry with 11 attempts", func(f *Flow) { f.Nodes[1].Call.Retry.MaxAttempts = 11 }, []want{E("lookup", "call.retry.maxAttempts")}},
		{"retry with 10 attempts", func(f *Flow) { f.Nodes[1].Call.Retry.MaxAttempts = 10 }, nil},
		{"backoff below 1", func(f *Flow) { f.Nodes[1].Call.Retry.BackoffRate = 0.5 }, []want{E("lookup", "call.retry.backoffRate")}},
		{"backoff negative", func(f *Flow) { f.Nodes[1].Call.Retry.BackoffRate = -2 }, []want{E("lookup", "call.retry.backoffRate")}},
		{"backoff unset", func(f *Flow) { f.Nodes[1].Call.Retry.BackoffRate = 0 }, nil},
		{"max interval below initial", func(f *Flow) { f.Nodes[1].Call.Retry.MaxInterval = Duration(500 * time.Millisecond) },
			[]want{E("lookup", "call.retry.maxInterval")}},
		{"max interval unset", func(f *Flow) { f.Nodes[1].Call.Retry.MaxInterval = 0 }, nil},
		{"timeout over ten minutes", func(f *Flow) { f.Nodes[1].Call.Timeout = Duration(10*time.Minute + time.Second) },
			[]want{E("lookup", "call.timeout")}},
		{"timeout of ten minutes", func(f *Flow) { f.Nodes[1].Call.Timeout = Duration(10 * time.Minute) }, nil},
		{"negative timeout", func(f *Flow) { f.Nodes[1].Call.Timeout = Duration(-time.Second) }, []want{E("lookup", "call.timeout")}},
		{"saveTo starting with a digit", func(f *Flow) { f.Nodes[1].Call.SaveTo = "1st" }, []want{E("lookup", "call.saveTo")}},
		{"saveTo with a dash", func(f *Flow) { f.Nodes[1].Call.SaveTo = "my-tier" }, []want{E("lookup", "call.saveTo")}},
		{"saveTo reserved by CEL", func(f *Flow) { f.Nodes[1].Call.SaveTo = "null" }, []want{E("lookup", "call.saveTo")}},

		// Decisions.
		{"decision without cases", func(f *Flow) { f.Nodes[3].Cases = nil },
			[]want{E("big", "cases"), E("big", "edges[5].port")}},
		{"case without port", func(f *Flow) { f.Nodes[3].Cases = append(f.Nodes[3].Cases, Case{When: "true"}) },
			[]want{E("big", "cases[1].port")}},
		{"case without condition", func(f *Flow) { f.Nodes[3].Cases = append(f.Nodes[3].Cases, Case{Port: "no"}) },
			[]want{E("big", "cases[1].when")}},
		{"duplicate case port", func(f *Flow) { f.Nodes[3].Cases = append(f.Nodes[3].Cases, Case{Port: "yes", When: "true"}) },
			[]want{E("big", "cases[1].port")}},
		{"case port named default", func(f *Flow) { f.Nodes[3].Cases = append(f.Nodes[3].Cases, Case{Port: "default", When: "true"}) },
			[]want{E("big", "cases[1].port")}},

		// Set, emit, end.
		{"set without assign", func(f *Flow) { f.Nodes[4].Assign = nil }, []want{E("prep", "assign")}},
		{"assignment with a bad name", func(f *Flow) { f.Nodes[4].Assign[0].Name = "vars.x" }, []want{E("prep", "assign[0].name")}},
		{"assignment without name", func(f *Flow) { f.Nodes[4].Assign[0].Name = "" }, []want{E("prep", "assign[0].name")}},
		{"emit without event", func(f *Flow) { f.Nodes[2].Event = "" }, []want{E("tell", "event")}},
		{"end with an outgoing edge", func(f *Flow) { f.Edges = append(f.Edges, Edge{From: "done", To: "prep"}) },
			[]want{E("done", "edges[8]")}},
		{"field of another kind", func(f *Flow) { f.Nodes[5].Event = "x"; f.Nodes[0].Call = &Call{} },
			[]want{W("start", "call"), W("done", "event")}},

		// Edges.
		{"edge from an unknown node", func(f *Flow) { f.Edges = append(f.Edges, Edge{From: "ghost", To: "done"}) },
			[]want{E("", "edges[8].from")}},
		{"edge with no from", func(f *Flow) { f.Edges = append(f.Edges, Edge{To: "done"}) }, []want{E("", "edges[8].from")}},
		{"edge to an unknown node", func(f *Flow) { f.Edges[7].To = "ghost" }, []want{E("prep", "edges[7].to")}},
		{"edge from a port the node lacks", func(f *Flow) { f.Edges = append(f.Edges, Edge{From: "prep", Port: "yes", To: "done"}) },
			[]want{E("prep", "edges[8].port")}},
		{"edge from next of a call with branches", func(f *Flow) { f.Edges = append(f.Edges, Edge{From: "lookup", To: "done"}) },
			[]want{E("lookup", "edges[8].port")}},
		{"two edges from one port", func(f *Flow) { f.Edges = append(f.Edges, Edge{From: "prep", To: "tell"}) },
			[]want{E("prep", "edges[8]")}},
		{"two edges from one named port", func(f *Flow) { f.Edges = append(f.Edges, Edge{From: "lookup", Port: "vip", To: "done"}) },
			[]want{E("lookup", "edges[8]")}},
		{"edge into the start node", func(f *Flow) { f.Edges[7].To = "start" }, []want{E("prep", "edges[7].to")}},

		// The graph.
		{"dead end", func(f *Flow) { f.Edges = f.Edges[:7] }, []want{W("prep", "")}},
		{"a missing failure edge is not a dead end", func(f *Flow) { f.Edges = append(f.Edges[:3], f.Edges[4:]...) }, nil},
		{"unreachable node", func(f *Flow) { f.Nodes = append(f.Nodes, Node{ID: "orphan", Kind: KindEnd}) }, []want{W("orphan", "")}},
		{"unreachable chain", func(f *Flow) { f.Edges[1].To = "done" }, []want{W("tell", ""), W("big", "")}},
		{"loop with no way out", func(f *Flow) {
			f.Nodes = append(f.Nodes,
				Node{ID: "a", Kind: KindSet, Assign: []Assignment{{Name: "x", Value: "1"}}},
				Node{ID: "b", Kind: KindEmit, Event: "tick"})
			f.Edges[7].To = "a"
			f.Edges = append(f.Edges, Edge{From: "a", To: "b"}, Edge{From: "b", To: "a"})
		}, []want{E("a", "")}},
		{"self loop with no way out", func(f *Flow) {
			f.Nodes = append(f.Nodes, Node{ID: "spin", Kind: KindSet, Assign: []Assignment{{Name: "x", Value: "1"}}})
			f.Edges[7].To = "spin"
			f.Edges = append(f.Edges, Edge{From: "spin", To: "spin"})
		}, []want{E("spin", "")}},
		{"loop with a way out", func(f *Flow) {
			// A failed lookup asks a decision, which tries again or gives up.
			f.Nodes = append(f.Nodes, Node{ID: "again", Kind: KindDecision, Cases: []Case{{Port: "yes", When: "run.attempt < 3"}}})
			f.Edges[3].To = "again"
			f.Edges = append(f.Edges, Edge{From: "again", Port: "yes", To: "lookup"}, Edge{From: "again", Port: "default", To: "done"})
		}, nil},
		{"self loop with a way out", func(f *Flow) {
			f.Edges[3].To = "lookup" // a failed call tries again; its other ports leave
		}, nil},
		{"loop reached from a loop", func(f *Flow) {
			// tell → big ─yes→ tell: a loop left by big's default port, so allowed.
			f.Edges[5].To = "tell"
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := validFlow()
			tc.change(f)
			ps := Validate(f)
			got := make([]want, len(ps))
			for i, p := range ps {
				got[i] = want{p.Severity, p.Node, p.Field}
				if strings.TrimSpace(p.Message) == "" {
					t.Errorf("problem %+v has no message", p)
				}
			}
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n got %v\nwant %v\n%v", got, tc.want, ps)
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	if ps := Validate(nil); len(ps) != 1 || !ps.HasErrors() {
		t.Errorf("Validate(nil) = %v", ps)
	}
	if ps := ValidateConnections(nil); len(ps) != 1 || !ps.HasErrors() {
		t.Errorf("ValidateConnections(nil) = %v", ps)
	}
}

func TestValidateLoopMessageNamesItsNodes(t *testing.T) {
	f := validFlow()
	f.Nodes = append(f.Nodes, Node{ID: "a", Kind: KindSet, Assign: []Assignment{{Name: "x", Value: "1"}}},
		Node{ID: "b", Kind: KindSet, Assign: []Assignment{{Name: "y", Value: "1"}}})
	f.Edges[7].To = "b"
	f.Edges = append(f.Edges, Edge{From: "a", To: "b"}, Edge{From: "b", To: "a"})
	ps := Validate(f)
	if len(ps) != 1 || !strings.Contains(ps[0].Message, `nodes "a", "b" form a loop`) {
		t.Errorf("got %v", ps)
	}
}

// TestValidateLargeFlow checks a long chain and a long loop, which a
// recursive graph walk would handle only as deep as its stack allows.
func TestValidateLargeFlow(t *testing.T) {
	const n = MaxFlowNodes - 2 // with start and end, the most a flow may have
	cases := []struct {
		name   string
		closed bool
		want   []want
	}{
		{"chain", false, nil},
		{"loop with no way out", true, []want{E("n1", "")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &Flow{Format: Format, Name: "big", Nodes: []Node{{ID: "start", Kind: KindStart}}}
			prev := "start"
			for i := 1; i <= n; i++ {
				id := "n" + itoa(i)
				f.Nodes = append(f.Nodes, Node{ID: id, Kind: KindEmit, Event: "e"})
				f.Edges = append(f.Edges, Edge{From: prev, To: id})
				prev = id
			}
			if tc.closed {
				f.Edges = append(f.Edges, Edge{From: prev, To: "n1"})
			} else {
				f.Nodes = append(f.Nodes, Node{ID: "end", Kind: KindEnd})
				f.Edges = append(f.Edges, Edge{From: prev, To: "end"})
			}
			var got []want
			for _, p := range Validate(f) {
				got = append(got, want{p.Severity, p.Node, p.Field})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func itoa(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

// validConnections returns a connections file using every auth type, with no problem.
func validConnections() *ConnectionsFile {
	return &ConnectionsFile{Format: Format, Connections: []Connection{
		{Name: "crm", Kind: ConnCustom, BaseURL: "https://api.example.com",
			Auth: Auth{Type: AuthAPIKey, In: APIKeyHeader, Name: "x-api-key", Value: &SecretRef{Env: "CRM_API_KEY"}}},
		{Name: "tokens", Kind: ConnCustom, BaseURL: "https://api.example.com/v2",
			Auth: Auth{Type: AuthOAuth2, ClientID: "c", ClientSecret: &SecretRef{Secret: "s"},
				TokenURL: "https://auth.example.com/token", AuthStyle: "body"}},
		{Name: "connect", Kind: ConnAmazonConnect, Region: "eu-central-1",
			Auth: Auth{Type: AuthSigV4, AccessKeyID: "AKIA", SecretAccessKey: &SecretRef{Env: "AWS_SECRET"}}},
		{Name: "legacy", Kind: ConnCustom, BaseURL: "http://127.0.0.1:8080",
			Auth: Auth{Type: AuthBasic, Username: "u", Password: &SecretRef{Secret: "p"}}},
		{Name: "orders", Kind: ConnCustom, BaseURL: "http://localhost:9000/api", Timeout: Duration(time.Minute),
			Auth: Auth{Type: AuthBearer, Token: &SecretRef{Env: "T"}}},
		{Name: "public", Kind: ConnCustom, BaseURL: "https://public.example.com", Auth: Auth{Type: AuthNone}},
	}}
}

// connWant is what a connections validation test asserts of each problem.
type connWant struct {
	sev               Severity
	connection, field string
}

func TestValidateConnections(t *testing.T) {
	ce := func(conn, field string) connWant { return connWant{SeverityError, conn, field} }
	cw := func(conn, field string) connWant { return connWant{SeverityWarning, conn, field} }
	cases := []struct {
		name   string
		change func(c *ConnectionsFile)
		want   []connWant
	}{
		{"missing format", func(c *ConnectionsFile) { c.Format = "" }, []connWant{ce("", "format")}},
		{"other format", func(c *ConnectionsFile) { c.Format = "x" }, []connWant{ce("", "format")}},
		{"no connections", func(c *ConnectionsFile) { c.Connections = nil }, nil},
		{"missing name", func(c *ConnectionsFile) { c.Connections[2].Name = "" }, []connWant{ce("", "connections[2].name")}},
		{"duplicate name", func(c *ConnectionsFile) { c.Connections[1].Name = "crm" }, []connWant{ce("crm", "name")}},
		{"unknown kind", func(c *ConnectionsFile) { c.Connections[0].Kind = "lambda" }, []connWant{ce("crm", "kind")}},
		{"missing kind", func(c *ConnectionsFile) { c.Connections[0].Kind = "" }, []connWant{ce("crm", "kind")}},
		{"custom without baseURL", func(c *ConnectionsFile) { c.Connections[0].BaseURL = "" }, []connWant{ce("crm", "baseURL")}},
		{"relative baseURL", func(c *ConnectionsFile) { c.Connections[0].BaseURL = "api.example.com" }, []connWant{ce("crm", "baseURL")}},
		{"baseURL of another scheme", func(c *ConnectionsFile) { c.Connections[0].BaseURL = "ftp://api.example.com" }, []connWant{ce("crm", "baseURL")}},
		{"baseURL that does not parse", func(c *ConnectionsFile) { c.Connections[0].BaseURL = "https://a b:x" }, []connWant{ce("crm", "baseURL")}},
		{"plain http to another machine", func(c *ConnectionsFile) { c.Connections[0].BaseURL = "http://api.example.com" },
			[]connWant{cw("crm", "baseURL")}},
		{"plain http to loopback IPv6", func(c *ConnectionsFile) { c.Connections[0].BaseURL = "http://[::1]:8080" }, nil},
		{"amazonConnect without region", func(c *ConnectionsFile) { c.Connections[2].Region = "" }, []connWant{ce("connect", "region")}},
		{"timeout over ten minutes", func(c *ConnectionsFile) { c.Connections[4].Timeout = Duration(time.Hour) }, []connWant{ce("orders", "timeout")}},
		{"unknown auth type", func(c *ConnectionsFile) { c.Connections[5].Auth.Type = "digest" }, []connWant{ce("public", "auth.type")}},
		{"missing auth type", func(c *ConnectionsFile) { c.Connections[5].Auth.Type = "" }, []connWant{ce("public", "auth.type")}},
		{"apiKey without in", func(c *ConnectionsFile) { c.Connections[0].Auth.In = "" }, []connWant{ce("crm", "auth.in")}},
		{"apiKey in a cookie", func(c *ConnectionsFile) { c.Connections[0].Auth.In = "cookie" }, []connWant{ce("crm", "auth.in")}},
		{"apiKey in the query", func(c *ConnectionsFile) { c.Connections[0].Auth.In = APIKeyQuery }, nil},
		{"apiKey without name", func(c *ConnectionsFile) { c.Connections[0].Auth.Name = "" }, []connWant{ce("crm", "auth.name")}},
		{"apiKey without value", func(c *ConnectionsFile) { c.Connections[0].Auth.Value = nil }, []connWant{ce("crm", "auth.value")}},
		{"apiKey with an empty reference", func(c *ConnectionsFile) { c.Connections[0].Auth.Value = &SecretRef{} }, []connWant{ce("crm", "auth.value")}},
		{"apiKey with a literal awaiting sealing", func(c *ConnectionsFile) { c.Connections[0].Auth.Value = &SecretRef{Literal: "k"} }, nil},
		{"oauth2 without clientId", func(c *ConnectionsFile) { c.Connections[1].Auth.ClientID = "" }, []connWant{ce("tokens", "auth.clientId")}},
		{"oauth2 without clientSecret", func(c *ConnectionsFile) { c.Connections[1].Auth.ClientSecret = nil }, []connWant{ce("tokens", "auth.clientSecret")}},
		{"oauth2 without tokenURL", func(c *ConnectionsFile) { c.Connections[1].Auth.TokenURL = "" }, []connWant{ce("tokens", "auth.tokenURL")}},
		{"oauth2 with a relative tokenURL", func(c *ConnectionsFile) { c.Connections[1].Auth.TokenURL = "/token" }, []connWant{ce("tokens", "auth.tokenURL")}},
		{"oauth2 with a bad refreshURL", func(c *ConnectionsFile) { c.Connections[1].Auth.RefreshURL = "refresh" }, []connWant{ce("tokens", "auth.refreshURL")}},
		{"oauth2 with an unknown authStyle", func(c *ConnectionsFile) { c.Connections[1].Auth.AuthStyle = "query" }, []connWant{ce("tokens", "auth.authStyle")}},
		{"oauth2 with the default authStyle", func(c *ConnectionsFile) { c.Connections[1].Auth.AuthStyle = "" }, nil},
		{"awsSigV4 without accessKeyId", func(c *ConnectionsFile) { c.Connections[2].Auth.AccessKeyID = "" }, []connWant{ce("connect", "auth.accessKeyId")}},
		{"awsSigV4 without secretAccessKey", func(c *ConnectionsFile) { c.Connections[2].Auth.SecretAccessKey = nil },
			[]connWant{ce("connect", "auth.secretAccessKey")}},
		{"basic without username", func(c *ConnectionsFile) { c.Connections[3].Auth.Username = "" }, []connWant{ce("legacy", "auth.username")}},
		{"basic without password", func(c *ConnectionsFile) { c.Connections[3].Auth.Password = nil }, []connWant{ce("legacy", "auth.password")}},
		{"bearer without token", func(c *ConnectionsFile) { c.Connections[4].Auth.Token = nil }, []connWant{ce("orders", "auth.token")}},
		{"several problems at once", func(c *ConnectionsFile) {
			c.Connections[0].BaseURL = ""
			c.Connections[3].Auth.Username = ""
			c.Connections[3].Auth.Password = nil
		}, []connWant{ce("crm", "baseURL"), ce("legacy", "auth.username"), ce("legacy", "auth.password")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validConnections()
			tc.change(c)
			ps := ValidateConnections(c)
			var got []connWant
			for _, p := range ps {
				got = append(got, connWant{p.Severity, p.Connection, p.Field})
				if p.Node != "" || strings.TrimSpace(p.Message) == "" {
					t.Errorf("problem %+v: want a message and no node", p)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n got %v\nwant %v\n%v", got, tc.want, ps)
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	cases := []struct {
		name string
		p    Problem
		want string
	}{
		{"node and field", Problem{Severity: SeverityError, Node: "lookup", Field: "call.connection", Message: "no connection"},
			`node "lookup", field call.connection: no connection`},
		{"node only", Problem{Severity: SeverityError, Node: "a", Message: "m"}, `node "a": m`},
		{"flow field", Problem{Severity: SeverityError, Field: "name", Message: "m"}, `name: m`},
		{"connection", Problem{Severity: SeverityError, Connection: "crm", Field: "auth.token", Message: "m"},
			`connection "crm", field auth.token: m`},
		{"warning", Problem{Severity: SeverityWarning, Node: "a", Message: "dead end"}, `warning: node "a": dead end`},
		{"decode problem", Problem{Severity: SeverityError, Field: "nodes[0].kin", Message: "unknown field", Line: 3, Column: 7},
			`line 3, column 7: nodes[0].kin: unknown field`},
		{"message only", Problem{Severity: SeverityError, Message: "m"}, "m"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestProblems(t *testing.T) {
	warn := Problem{Severity: SeverityWarning, Node: "a", Message: "w"}
	fail := Problem{Severity: SeverityError, Field: "name", Message: "e"}
	cases := []struct {
		name      string
		ps        Problems
		hasErrors bool
		text      string
	}{
		{"none", nil, false, ""},
		{"warnings only", Problems{warn}, false, `warning: node "a": w`},
		{"both, one per line", Problems{warn, fail}, true, "warning: node \"a\": w\nname: e"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ps.HasErrors() != tc.hasErrors {
				t.Errorf("HasErrors = %v", !tc.hasErrors)
			}
			if got := tc.ps.Error(); got != tc.text {
				t.Errorf("Error() = %q, want %q", got, tc.text)
			}
		})
	}
}

func TestIdentifiers(t *testing.T) {
	cases := []struct {
		s          string
		ident, nid bool
	}{
		{"tier", true, true}, {"_x1", true, true}, {"a-b", false, true}, {"1a", false, true},
		{"", false, false}, {"a b", false, false}, {"in", false, true}, {"é", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.s, func(t *testing.T) {
			if IsIdentifier(tc.s) != tc.ident || IsNodeID(tc.s) != tc.nid {
				t.Errorf("IsIdentifier=%v IsNodeID=%v, want %v %v", IsIdentifier(tc.s), IsNodeID(tc.s), tc.ident, tc.nid)
			}
		})
	}
}

func TestValidateConnectionMockSwitch(t *testing.T) {
	base := Connection{Name: "bot", Kind: ConnCustom, BaseURL: "https://bot.example.com", Auth: Auth{Type: AuthNone}}
	on := base
	on.UseMock = true
	named := on
	named.Mock = "chatbot-vip"
	for _, c := range []struct {
		name string
		conn Connection
		want int
	}{{"switch off", base, 0}, {"switch on with a mock", named, 0}, {"switch on without a mock", on, 1}} {
		t.Run(c.name, func(t *testing.T) {
			ps := ValidateConnections(&ConnectionsFile{Format: Format, Connections: []Connection{c.conn}})
			if len(ps) != c.want {
				t.Fatalf("problems %v, want %d", ps, c.want)
			}
			if c.want == 1 && (ps[0].Field != "mock" || ps[0].Connection != "bot") {
				t.Fatalf("problem %+v should name connection bot, field mock", ps[0])
			}
		})
	}
}
