package curl

import (
	"cel.dev/cel-go/cel"

	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

func mustParse(t *testing.T, cmd string, opts Options) *Command {
	t.Helper()
	c, err := ParseWith(cmd, opts)
	if err != nil {
		t.Fatalf("Parse(%q): %v", cmd, err)
	}
	return c
}

func args(notes []Note) []string {
	var out []string
	for _, n := range notes {
		out = append(out, n.Arg)
	}
	return out
}

func TestParseShellSyntaxAndOptions(t *testing.T) {
	for _, c := range []struct {
		name, cmd string
		want      Request
		unmapped  []string
		ignored   []string
	}{
		{"continuations and repeated -d", "curl https://api.stripe.com/v1/charges \\\n  -u sk_test_x: \\\n  -d amount=2000 \\\n  -d currency=usd",
			Request{Method: "POST", URL: "https://api.stripe.com/v1/charges", HasBody: true, Body: "amount=2000&currency=usd",
				Headers: []Header{{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Basic c2tfdGVzdF94Og=="}}}, nil, nil},
		{"combined short flags and -XPOST", `curl -sSL -XPUT 'https://h/x' -d'{"a":1}' -H 'Content-Type: application/json'`,
			Request{Method: "PUT", URL: "https://h/x", HasBody: true, Body: `{"a":1}`, Headers: []Header{{"Content-Type", "application/json"}}},
			nil, []string{"-s", "-S", "-L"}},
		{"$'…' quotes with escapes", `curl $'https://h/a\x2fb' --data-raw $'line1\nit\'s\ttab'`,
			Request{Method: "POST", URL: "https://h/a/b", HasBody: true, Body: "line1\nit's\ttab", Headers: []Header{{"Content-Type", "application/x-www-form-urlencoded"}}}, nil, nil},
		{"double quotes keep $ escapes", `curl "https://h/x" -H "X-Note: cost \$5 \"net\""`,
			Request{Method: "GET", URL: "https://h/x", Headers: []Header{{"X-Note", `cost $5 "net"`}}}, nil, nil},
		{"--json sets both headers and concatenates", `curl --json '{"a":' --json '1}' https://h/j`,
			Request{Method: "POST", URL: "https://h/j", HasBody: true, Body: `{"a":1}`, Headers: []Header{{"Content-Type", "application/json"}, {"Accept", "application/json"}}}, nil, nil},
		{"--json keeps a given Accept", `curl --json '{}' -H 'Accept: text/plain' https://h/j`,
			Request{Method: "POST", URL: "https://h/j", HasBody: true, Body: `{}`, Headers: []Header{{"Accept", "text/plain"}, {"Content-Type", "application/json"}}}, nil, nil},
		{"-G moves data into the query", `curl -G https://h/search?x=1 --data-urlencode 'q=a b&c' -d n=2`,
			Request{Method: "GET", URL: "https://h/search?x=1&q=a+b%26c&n=2"}, nil, nil},
		{"long forms", `curl --request DELETE --url https://h/o/1 --header 'X-A: 1' --user-agent ua/1 --cookie 'a=1; b=2' --referer https://ref/ --insecure --compressed`,
			Request{Method: "DELETE", URL: "https://h/o/1", Headers: []Header{{"X-A", "1"}, {"User-Agent", "ua/1"}, {"Cookie", "a=1; b=2"}, {"Referer", "https://ref/"}}},
			nil, []string{"--compressed"}},
		{"-I is HEAD, a scheme-less URL is http", `curl -I example.com/x`,
			Request{Method: "HEAD", URL: "http://example.com/x"}, nil, nil},
		{"header removal and empty header", `curl -d a=1 -H 'Content-Type:' -H 'X-Empty;' https://h/`,
			Request{Method: "POST", URL: "https://h/", HasBody: true, Body: "a=1", Headers: []Header{{"X-Empty", ""}}}, nil, nil},
		{"unmapped options, variables, substitutions, other commands", `TOKEN2=set curl -o out.json --proxy http://p:1 -H "Authorization: Bearer $TOKEN" -H "X-T: $TOKEN2" "https://h/$(date)" --frobnicate | jq .`,
			Request{Method: "GET", URL: "https://h/$(date)", Headers: []Header{{"Authorization", "Bearer $TOKEN"}, {"X-T", "set"}}},
			[]string{"$TOKEN", "$(date)", "-o out.json", "--proxy http://p:1", "--frobnicate", "jq ."}, nil},
		{"-F multipart form", `curl -F name=Ada -F 'note=hi;type=text/plain' https://h/up`,
			Request{Method: "POST", URL: "https://h/up", HasBody: true,
				Body:    "--FlowbenchFormBoundary\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAda\r\n--FlowbenchFormBoundary\r\nContent-Disposition: form-data; name=note\r\nContent-Type: text/plain\r\n\r\nhi\r\n--FlowbenchFormBoundary--\r\n",
				Headers: []Header{{"Content-Type", "multipart/form-data; boundary=FlowbenchFormBoundary"}}}, nil, nil},
		{"@file without a base directory", `curl -d @body.json https://h/`,
			Request{Method: "GET", URL: "https://h/"}, []string{"-d @body.json"}, nil},
		{"a second URL", `curl https://h/a https://h/b`, Request{Method: "GET", URL: "https://h/a"}, []string{"https://h/b"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := mustParse(t, c.cmd, Options{})
			got := cmd.Request()
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("request\n got %#v\nwant %#v", got, c.want)
			}
			if a := args(cmd.Unmapped); !reflect.DeepEqual(a, c.unmapped) {
				t.Errorf("unmapped %q; want %q (%v)", a, c.unmapped, cmd.Unmapped)
			}
			if a := args(cmd.Ignored); c.ignored != nil && !reflect.DeepEqual(a, c.ignored) {
				t.Errorf("ignored %q; want %q", a, c.ignored)
			}
		})
	}
}

func TestParseFlagsAndCredentials(t *testing.T) {
	c := mustParse(t, `curl -k --compressed -u 'me:p@ss:word' https://h/`, Options{})
	if !c.Insecure || !c.Compressed || c.User != "me" || c.Password != "p@ss:word" || !c.HasUser {
		t.Fatalf("%+v", c)
	}
	c = mustParse(t, `curl -H 'authorization: bearer abc.def' https://h/`, Options{})
	if c.Bearer != "abc.def" {
		t.Fatalf("bearer %q", c.Bearer)
	}
	c = mustParse(t, `curl --oauth2-bearer tok https://h/`, Options{})
	if v, _ := c.Header("Authorization"); c.Bearer != "tok" || v != "Bearer tok" {
		t.Fatalf("oauth2-bearer: %+v", c)
	}
	c = mustParse(t, `curl -u onlyuser https://h/`, Options{})
	if a := args(c.Unmapped); len(a) != 1 || a[0] != "-u onlyuser" {
		t.Fatalf("-u without a password: %v", c.Unmapped)
	}
	c = mustParse(t, `curl "https://h/$HOST_PATH" -H "X-K: ${KEY}"`, Options{Getenv: func(n string) (string, bool) {
		return map[string]string{"HOST_PATH": "p/q", "KEY": "k1"}[n], n != "NOPE"
	}})
	if v, _ := c.Header("X-K"); c.URL.String() != "https://h/p/q" || v != "k1" || len(c.Unmapped) != 0 {
		t.Fatalf("Getenv: %s %+v", c.URL, c)
	}
}

func TestParseErrorsSayWhatIsWrong(t *testing.T) {
	for cmd, want := range map[string]string{
		`curl 'https://h/x`:            "line 1, column 6",
		`curl -H`:                      "the option -H needs a value",
		`curl --data`:                  "the option --data needs a value",
		`wget https://h/`:              "no curl command found",
		`curl -s`:                      "gives no URL",
		`curl ftp://h/x`:               "not http or https",
		`curl -F a=b -d c=d https://h`: "cannot be used together",
		"curl https://h/ \\":           "",
	} {
		_, err := Parse(cmd)
		if want == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v", cmd, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v; want an error saying %q", cmd, err, want)
		}
	}
}

func TestParseReadsFilesFromTheBaseDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "body.json"), []byte("{\"a\":\n1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseWith(`curl -d @missing.json https://h/`, Options{BaseDir: dir}); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("a missing file: %v", err)
	}
	c := mustParse(t, `curl -d @body.json --data-binary @body.json --data-urlencode v@body.json https://h/`, Options{BaseDir: dir})
	if want := "{\"a\":1}&{\"a\":\n1}\n&v=%7B%22a%22%3A%0A1%7D%0A"; c.Body != want {
		t.Fatalf("body %q; want %q", c.Body, want)
	}
	c = mustParse(t, `curl -F 'f=@body.json;type=application/json' https://h/`, Options{BaseDir: dir})
	if len(c.Form) != 1 || c.Form[0].File != "body.json" || c.Form[0].Type != "application/json" || c.Form[0].Value != "{\"a\":\n1}\n" ||
		!strings.Contains(c.Body, `filename="body.json"`) {
		t.Fatalf("form %+v", c.Form)
	}
	if err := os.WriteFile(filepath.Join(dir, "h.txt"), []byte("X-A: 1\r\n\nX-B: two words\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c = mustParse(t, `curl -H @h.txt https://h/`, Options{BaseDir: dir})
	if !reflect.DeepEqual(c.Headers, []Header{{"X-A", "1"}, {"X-B", "two words"}}) {
		t.Fatalf("-H @file: %v", c.Headers)
	}
	c = mustParse(t, `curl -T body.json https://h/up`, Options{BaseDir: dir})
	if c.Method != "PUT" || c.Body != "{\"a\":\n1}\n" {
		t.Fatalf("-T: %+v", c)
	}
}

func TestFormatQuotesAndRedacts(t *testing.T) {
	r := Request{Method: "POST", URL: "https://h/x?api_key=k-secret-1&q=it's",
		Headers: []Header{{"Authorization", "Bearer t-secret-2"}, {"X-Api-Key", "k-secret-1"}, {"X-Note", "it's $HOME `x`"}, {"Content-Type", "application/json"}},
		Body:    `{"note": "it's", "key": "k-secret-1"}`, HasBody: true}
	got := Format(r, FormatOptions{Secrets: []string{"k-secret-1"}})
	want := `curl 'https://h/x?api_key='"${API_KEY}"'&q=it'\''s' \
  -H 'Authorization: '"${AUTHORIZATION}" \
  -H 'X-Api-Key: '"${X_API_KEY}" \
  -H 'X-Note: it'\''s $HOME ` + "`x`" + `' \
  -H 'Content-Type: application/json' \
  --data-raw '{"note": "it'\''s", "key": "'"${SECRET}"'"}'`
	if got != want {
		t.Fatalf("Format\n got %s\nwant %s", got, want)
	}
	for _, s := range []string{"k-secret-1", "t-secret-2"} {
		if strings.Contains(got, s) {
			t.Errorf("the command holds the secret %s", s)
		}
	}
	revealed := Format(r, FormatOptions{Secrets: []string{"k-secret-1"}, Reveal: true})
	back := mustParse(t, revealed, Options{})
	if !reflect.DeepEqual(back.Request(), r) {
		t.Fatalf("revealed round trip\n got %#v\nwant %#v", back.Request(), r)
	}
	// The placeholders are shell variables: with them set, the command is
	// the request again.
	env := map[string]string{"API_KEY": "k-secret-1", "AUTHORIZATION": "Bearer t-secret-2", "X_API_KEY": "k-secret-1", "SECRET": "k-secret-1"}
	back = mustParse(t, got, Options{Getenv: func(n string) (string, bool) { v, ok := env[n]; return v, ok }})
	if !reflect.DeepEqual(back.Request(), r) {
		t.Fatalf("redacted round trip\n got %#v\nwant %#v", back.Request(), r)
	}
	// What curl infers is not written; a body without a content type keeps none.
	if got := Format(Request{Method: "GET", URL: "https://h/"}, FormatOptions{}); got != `curl 'https://h/'` {
		t.Errorf("GET: %s", got)
	}
	if got := Format(Request{Method: "HEAD", URL: "https://h/"}, FormatOptions{}); got != `curl -I 'https://h/'` {
		t.Errorf("HEAD: %s", got)
	}
	plain := Request{Method: "PATCH", URL: "https://h/", Body: "x", HasBody: true}
	if back := mustParse(t, Format(plain, FormatOptions{}), Options{}).Request(); !reflect.DeepEqual(back, plain) {
		t.Errorf("a body with no content type came back as %#v", back)
	}
}

func TestFromExchangeRedactedByTheEngine(t *testing.T) {
	x := &flow.Exchange{Method: "GET", URL: "https://h/x?token=[redacted]&a=1",
		RequestHeaders: map[string][]string{"X-Api-Key": {"[redacted]"}, "Accept": {"application/json"}}}
	got := Format(FromExchange(x), FormatOptions{})
	want := `curl 'https://h/x?token='"${TOKEN}"'&a=1' \
  -H 'Accept: application/json' \
  -H 'X-Api-Key: '"${X_API_KEY}"`
	if got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

func TestToRequestMapsOntoConnections(t *testing.T) {
	conns := []flow.Connection{
		{Name: "stripe", BaseURL: "https://api.stripe.com/v1", Auth: flow.Auth{Type: flow.AuthBasic, Username: "old"}},
		{Name: "gh", BaseURL: "https://api.github.com", Auth: flow.Auth{Type: flow.AuthBearer}},
		{Name: "crm", BaseURL: "https://crm.example.com/api", Auth: flow.Auth{Type: flow.AuthAPIKey, In: flow.APIKeyHeader, Name: "X-CRM-Key"}},
		{Name: "maps", BaseURL: "https://maps.example.com", Auth: flow.Auth{Type: flow.AuthAPIKey, In: flow.APIKeyQuery, Name: "key"}},
		{Name: "oauth", BaseURL: "https://o.example.com", Auth: flow.Auth{Type: flow.AuthOAuth2}},
	}
	im := ToRequest(mustParse(t, `curl https://api.stripe.com/v1/customers/cus_1?expand=x -u sk_test_abc: -d email=a@b.c`, Options{}), conns)
	if im.Connection != "stripe" || im.URI != "/customers/cus_1" || !reflect.DeepEqual(im.Query, []flow.Pair{{Key: "expand", Value: "x"}}) ||
		im.Auth != nil || len(im.Secrets) != 0 || len(im.Unmapped) != 1 || im.NewConnection != nil {
		t.Fatalf("a key with no password for a basic connection: %+v", im)
	}
	conns[0].Auth = flow.Auth{Type: flow.AuthAPIKey, In: flow.APIKeyHeader, Name: "Authorization"}
	im = ToRequest(mustParse(t, `curl https://api.stripe.com/v1/customers -u sk_test_abc: -d email=a@b.c`, Options{}), conns)
	if im.Auth == nil || im.Auth.Type != flow.AuthAPIKey || im.Secrets["value"] != "Basic c2tfdGVzdF9hYmM6" || len(im.Secrets) != 1 {
		t.Fatalf("stripe: %+v", im)
	}
	for _, h := range im.Headers {
		if strings.EqualFold(h.Key, "Authorization") {
			t.Fatal("basic credentials stayed in a header")
		}
	}
	im = ToRequest(mustParse(t, `curl https://api.stripe.com/v1/x -u user:pw`, Options{}), conns[1:])
	if im.NewConnection == nil || im.Auth.Type != flow.AuthBasic || im.Auth.Username != "user" || im.Secrets["password"] != "pw" {
		t.Fatalf("basic: %+v", im)
	}
	im = ToRequest(mustParse(t, `curl -H "Authorization: Bearer ghp_fake" -H "X-GitHub-Api-Version: 2022-11-28" https://api.github.com/repos/o/r`, Options{}), conns)
	if im.Connection != "gh" || im.Secrets["token"] != "ghp_fake" || len(im.Headers) != 1 || im.Headers[0].Key != "X-GitHub-Api-Version" {
		t.Fatalf("github: %+v", im)
	}
	im = ToRequest(mustParse(t, `curl -H "x-crm-key: k1" https://crm.example.com/api/v2/tier`, Options{}), conns)
	if im.Connection != "crm" || im.URI != "/v2/tier" || im.Secrets["value"] != "k1" || len(im.Headers) != 0 {
		t.Fatalf("crm: %+v", im)
	}
	im = ToRequest(mustParse(t, `curl "https://maps.example.com/geo?key=k2&q=x"`, Options{}), conns)
	if im.Connection != "maps" || im.Secrets["value"] != "k2" || !reflect.DeepEqual(im.Query, []flow.Pair{{Key: "q", Value: "x"}}) {
		t.Fatalf("maps: %+v", im)
	}
	im = ToRequest(mustParse(t, `curl -H "Authorization: Bearer t" https://o.example.com/x`, Options{}), conns)
	if len(im.Secrets) != 0 || len(im.Headers) != 0 || len(im.Unmapped) != 1 {
		t.Fatalf("oauth: %+v", im)
	}
	im = ToRequest(mustParse(t, `curl -H "Authorization: Bearer $TOKEN" https://api.github.com/user`, Options{}), conns)
	if len(im.Secrets) != 0 || len(im.Unmapped) != 2 || len(im.Headers) != 1 || im.Auth != nil {
		t.Fatalf("an unset variable became a secret: %+v", im)
	}
	// No connection: the full URL, and a connection to offer.
	im = ToRequest(mustParse(t, `curl -k -H 'X-Api-Key: abc' 'https://new.example.com:8443/v1/x?y=1'`, Options{}), conns)
	nc := im.NewConnection
	if im.Connection != "" || im.URI != "https://new.example.com:8443/v1/x" || nc == nil || nc.BaseURL != "https://new.example.com:8443" ||
		nc.Auth.Type != flow.AuthAPIKey || nc.Auth.Name != "X-Api-Key" || nc.Auth.Value != nil || nc.TLSVerified() || im.Secrets["value"] != "abc" {
		t.Fatalf("new: %+v %+v", im, nc)
	}
	conn := *nc
	im.ApplyAuth(&conn)
	if conn.Auth.Value == nil || conn.Auth.Value.Literal != "abc" {
		t.Fatalf("ApplyAuth: %+v", conn.Auth)
	}
	// The call's fields are Text-mode expressions of exactly the text.
	im = ToRequest(mustParse(t, `curl https://h.example.com/a -H 'X: {{ not a hole }}' --data-raw '{"a": "[[x]]"}'`, Options{}), nil)
	cl := im.Call()
	for expr, want := range map[string]string{cl.URI: "https://h.example.com/a", cl.Headers[0].Value: "{{ not a hole }}", cl.Body: `{"a": "[[x]]"}`} {
		if got := evalText(t, expr); got != want {
			t.Errorf("%s gives %q; want %q", expr, got, want)
		}
	}
}

// A body that is not text (a binary file) is sent byte for byte.
func TestCallSendsBinaryBodiesExactly(t *testing.T) {
	body := "\x89PNG\r\n\x1a\n\x00\xff\"q\\"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "img.png"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	im := ToRequest(mustParse(t, `curl --data-binary @img.png -H 'Content-Type: image/png' https://h.example/up`, Options{BaseDir: dir}), nil)
	if im.Body != body {
		t.Fatalf("parsed body %q", im.Body)
	}
	env, err := cel.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	expr := im.Call().Body
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		t.Fatal(iss.Err())
	}
	prg, _ := env.Program(ast)
	v, _, err := prg.Eval(map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := v.Value().([]byte); !ok || string(got) != body {
		t.Fatalf("%s gives %q", expr, v.Value())
	}
}

// evalText evaluates a Text-mode expression with CEL, checking it is in
// the shape the app writes (flow.ExprToText recognises it).
func evalText(t *testing.T, expr string) string {
	t.Helper()
	if _, ok := flow.ExprToText(expr, nil); !ok {
		t.Fatalf("%s is not in the Text-mode shape", expr)
	}
	env, err := cel.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		t.Fatal(iss.Err())
	}
	prg, err := env.Program(ast)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := prg.Eval(map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	return v.Value().(string)
}
