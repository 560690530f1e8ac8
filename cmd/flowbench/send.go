package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/flowbench/flowbench/curl"
	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// repeated is a flag given any number of times (--header, --query).
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ", ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// cmdSend is `flowbench send`: one request outside any flow, through the
// engine's single-step path (engine.Runner.Send), as the request
// workspace's Send does. Exit 0 when a response arrived (any status), 1
// when none did, 2 for invalid input, 3 when the request history could not
// record it.
func cmdSend(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	connections := fs.String("connections", "", "connections file (*.connections.json)")
	var dbFlag optionalString
	fs.Var(&dbFlag, "db", `database: its connections and the request history; "" uses and records nothing (default: the user's config directory)`)
	var env envFlags
	env.register(fs)
	asJSON := fs.Bool("json", false, "print the request and response as one JSON object")
	curlCmd := fs.String("curl", "", "a curl command to send instead of METHOD URI")
	var headers, query repeated
	fs.Var(&headers, "header", "a request header 'Name: value' (repeatable)")
	fs.Var(&query, "query", "a query parameter name=value (repeatable)")
	body := fs.String("body", "", "the request body: JSON, or @file")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitInvalid
	}
	invalid := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "flowbench send: "+format+"\n", a...)
		return exitInvalid
	}
	curlGiven := false
	fs.Visit(func(f *flag.Flag) { curlGiven = curlGiven || f.Name == "curl" })
	var connName, method, uri string
	switch {
	case curlGiven && len(pos) <= 1:
		if len(pos) == 1 {
			connName = pos[0]
		}
		if len(headers) > 0 || len(query) > 0 || *body != "" {
			return invalid("--curl gives the whole request; leave out --header, --query and --body (or drop --curl)")
		}
	case curlGiven:
		return invalid("with --curl give at most a connection's name: flowbench send [CONNECTION] --curl 'curl …'")
	case len(pos) == 2:
		method, uri = pos[0], pos[1]
	case len(pos) == 3:
		connName, method, uri = pos[0], pos[1], pos[2]
	default:
		return invalid("give METHOD and URI (a full URL, or a path with a CONNECTION), or --curl 'curl …': flowbench send [CONNECTION] GET /v1/orders")
	}
	if method != "" && !validMethod(method) {
		return invalid("%q is not an HTTP method; give GET, POST, PUT, PATCH, DELETE, HEAD or another token", method)
	}

	// Everything is read and checked before anything is opened or sent.
	var conns []flow.Connection
	var problems []string
	if *connections != "" {
		cf, err := readConnections(*connections)
		if err != nil {
			problems = append(problems, problemLines(*connections, err)...)
		} else {
			conns = cf.Connections
		}
	}
	problems = append(problems, env.load()...)
	var cmd *curl.Command
	if curlGiven {
		wd, _ := os.Getwd()
		c, err := curl.ParseWith(*curlCmd, curl.Options{BaseDir: wd, Getenv: os.LookupEnv})
		if err != nil {
			problems = append(problems, "--curl: "+err.Error())
		}
		cmd = c
	}
	var bodyText string
	if *body != "" {
		raw, err := readInput(*body)
		if err != nil {
			problems = append(problems, fmt.Sprintf("--body: %v", err))
		}
		bodyText = string(raw)
	}
	if len(problems) > 0 {
		printSendProblems(stderr, problems)
		return exitInvalid
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var db *storage.DB
	dbPath := dbFlag.value
	if !dbFlag.set {
		if dbPath, err = storage.DefaultPath(); err != nil {
			return invalid("%v; pass --db PATH, or --db \"\" to use no database", err)
		}
	}
	if dbPath != "" {
		if db, err = openDB(ctx, dbPath); err != nil {
			return invalid("%v", err)
		}
		defer db.Close()
		if *connections == "" {
			stored, err := db.ListConnections(ctx)
			if err != nil {
				return invalid("%v", err)
			}
			conns = stored
		}
	}
	if conns, problems = env.apply(conns); len(problems) > 0 {
		printSendProblems(stderr, problems)
		return exitInvalid
	}

	// The connection and the call.
	var conn flow.Connection
	var call flow.Call
	if connName != "" {
		found := false
		for _, c := range conns {
			if c.Name == connName {
				conn, found = c, true
				break
			}
		}
		if !found {
			return invalid("no connection named %q; pass --connections FILE or add it in the app", connName)
		}
	}
	switch {
	case cmd != nil:
		search := conns
		if connName != "" {
			search = []flow.Connection{conn}
		}
		im := curl.ToRequest(cmd, search)
		for _, n := range im.Unmapped {
			fmt.Fprintf(stderr, "flowbench send: not sent: %s: %s\n", n.Arg, n.Reason)
		}
		switch {
		case im.Connection != "":
			for _, c := range search {
				if c.Name == im.Connection {
					conn = c
				}
			}
			im.ApplyAuth(&conn)
			call = im.Call()
		case connName != "":
			return invalid("--curl: the command's URL %s is not under the base URL %s of the connection %q; leave the connection out to send to the full URL", cmd.URL, conn.BaseURL, connName)
		default:
			conn, call, _ = im.Adhoc()
			conn.Name = engine.AdHocConnectionName
			call.Connection = conn.Name
		}
	default:
		call = flow.Call{Method: strings.ToUpper(method)}
		if connName == "" {
			// The scheme and host make the connection; the rest stays text,
			// so its {{ }} holes are holes.
			origin, rest := splitOrigin(uri)
			c, _, err := engine.AdHocConnection(origin)
			if err != nil {
				return invalid("URI: %v", err)
			}
			conn, uri = c, rest
		}
		call.Connection = conn.Name
		var ps []string
		call.URI, ps = textField("URI", uri, ps)
		for _, h := range headers {
			k, v, ok := strings.Cut(h, ":")
			if !ok || strings.TrimSpace(k) == "" {
				ps = append(ps, fmt.Sprintf("--header %q: give 'Name: value'", h))
				continue
			}
			var pk, pv string
			pk, ps = textField("--header "+h, strings.TrimSpace(k), ps)
			pv, ps = textField("--header "+h, strings.TrimSpace(v), ps)
			call.Headers = append(call.Headers, flow.Pair{Key: pk, Value: pv})
		}
		for _, q := range query {
			k, v, ok := strings.Cut(q, "=")
			if !ok || k == "" {
				ps = append(ps, fmt.Sprintf("--query %q: give name=value", q))
				continue
			}
			var pk, pv string
			pk, ps = textField("--query "+q, k, ps)
			pv, ps = textField("--query "+q, v, ps)
			call.Query = append(call.Query, flow.Pair{Key: pk, Value: pv})
		}
		if *body != "" {
			call.Body = curl.TextExpr(bodyText)
		}
		if len(ps) > 0 {
			printSendProblems(stderr, ps)
			return exitInvalid
		}
	}

	opts := engine.Options{Connections: []flow.Connection{conn}}
	opts.Env, opts.EnvName = env.input()
	if db != nil {
		opts.Secrets, opts.Tokens = db, db
	}
	runner := engine.NewRunner(opts)
	defer runner.Close()
	envIn, _ := env.input()
	started := time.Now()
	res, err := runner.Send(ctx, call, engine.StepInput{Env: envIn})
	if err != nil {
		var ps flow.Problems
		if errors.As(err, &ps) {
			lines := make([]string, 0, len(ps))
			for _, p := range ps {
				lines = append(lines, p.String())
			}
			printSendProblems(stderr, lines)
			return exitInvalid
		}
		return invalid("%v", err)
	}
	step := res.Step
	var last *flow.Exchange
	if n := len(step.Exchanges); n > 0 {
		last = &step.Exchanges[n-1]
	}
	arrived := last != nil && last.Status != 0
	if *asJSON {
		writeSendJSON(stdout, step, last, arrived)
	} else {
		writeSendText(stdout, stderr, step, last, arrived)
	}
	code := exitOK
	if !arrived {
		code = exitFailed
	}
	if db != nil {
		rec := storage.SentRequest{At: started, Source: "cli", DurationMs: step.DurationMs, Error: step.Error,
			Attempts: step.Exchanges, Call: &call}
		if conn.Name != engine.AdHocConnectionName {
			rec.Connection = conn.Name
		}
		if last != nil {
			rec.Method, rec.URL, rec.Status = last.Method, last.URL, last.Status
		}
		if _, err := db.RecordRequest(context.WithoutCancel(ctx), rec); err != nil {
			fmt.Fprintf(stderr, "flowbench send: the request history could not record this request: %v\n", err)
			return exitLost
		}
	}
	return code
}

// splitOrigin cuts a full URL's text after its scheme and host:
// "https://h:8/a?b" gives "https://h:8" and "/a?b".
func splitOrigin(u string) (origin, rest string) {
	i := strings.Index(u, "://")
	if i < 0 {
		return u, ""
	}
	j := strings.IndexAny(u[i+3:], "/?#")
	if j < 0 {
		return u, ""
	}
	return u[:i+3+j], u[i+3+j:]
}

// validMethod reports whether m is an HTTP token (RFC 9110).
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, r := range m {
		if r > 127 || !strings.ContainsRune("!#$%&'*+-.^_`|~", r) && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// textField compiles a field given on the command line as Text mode (sent
// as typed, {{ CEL }} holes evaluated, as the app's fields); a problem
// names the flag.
func textField(flagName, text string, ps []string) (string, []string) {
	e, err := flow.TextToExpr(text, nil)
	if err != nil {
		return "", append(ps, fmt.Sprintf("%s: %v", flagName, err))
	}
	return e, ps
}

func printSendProblems(w io.Writer, problems []string) {
	for _, p := range problems {
		fmt.Fprintln(w, p)
	}
	fmt.Fprintf(w, "%d problem(s); nothing was sent\n", len(problems))
}

type sendJSONRequest struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Headers map[string][]string `json:"headers"`
}

type sendJSONResponse struct {
	Status  int                 `json:"status"`
	Headers map[string][]string `json:"headers"`
	// Body is the body as JSON when it parses, else a string.
	Body      any  `json:"body"`
	Truncated bool `json:"truncated,omitempty"`
}

type sendJSON struct {
	Request    *sendJSONRequest  `json:"request"`
	Response   *sendJSONResponse `json:"response"`
	Attempts   int               `json:"attempts"`
	DurationMs int64             `json:"durationMs"`
	Error      string            `json:"error,omitempty"`
}

// writeSendJSON prints the contract object of `send --json`; the engine has
// redacted the exchange's secrets.
func writeSendJSON(w io.Writer, step flow.Step, last *flow.Exchange, arrived bool) {
	out := sendJSON{Attempts: step.Attempts, DurationMs: step.DurationMs}
	if !arrived {
		out.Error = step.Error
	}
	if last != nil {
		out.Request = &sendJSONRequest{Method: last.Method, URL: last.URL, Headers: orEmpty(last.RequestHeaders)}
		if arrived {
			var b any = last.ResponseBody
			if json.Valid([]byte(last.ResponseBody)) && strings.TrimSpace(last.ResponseBody) != "" {
				b = json.RawMessage(last.ResponseBody)
			}
			out.Response = &sendJSONResponse{Status: last.Status, Headers: orEmpty(last.ResponseHeaders), Body: b, Truncated: last.Truncated}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
}

func orEmpty(h map[string][]string) map[string][]string {
	if h == nil {
		return map[string][]string{}
	}
	return h
}

// writeSendText prints a status line, the response headers and the body;
// when nothing arrived, why, on stderr.
func writeSendText(w, stderr io.Writer, step flow.Step, last *flow.Exchange, arrived bool) {
	if !arrived {
		msg := step.Error
		if msg == "" && last != nil {
			msg = last.Error
		}
		fmt.Fprintf(stderr, "flowbench send: no response after %d attempt(s): %s\n", step.Attempts, msg)
		return
	}
	meaning := http.StatusText(last.Status)
	fmt.Fprintf(w, "%s %s\nHTTP %d %s · %d ms · %d attempt(s)\n", last.Method, last.URL, last.Status, meaning, step.DurationMs, step.Attempts)
	names := make([]string, 0, len(last.ResponseHeaders))
	for k := range last.ResponseHeaders {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range last.ResponseHeaders[k] {
			fmt.Fprintf(w, "%s: %s\n", k, v)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, last.ResponseBody)
	if last.ResponseBody != "" && !strings.HasSuffix(last.ResponseBody, "\n") {
		fmt.Fprintln(w)
	}
	if last.Truncated {
		fmt.Fprintf(stderr, "flowbench send: the body shown is cut at %s of %s\n", flow.FormatBytes(int64(len(last.ResponseBody))), flow.FormatBytes(last.ResponseSize))
	}
}
