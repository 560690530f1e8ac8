package curl

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/flowbench/flowbench/flow"
)

// Import is a curl command mapped onto Flowbench: the connection it goes
// through, the request's fields as plain text (Text mode), and the
// credentials, which never stay in those fields.
type Import struct {
	// Connection names the connection whose base URL the command's URL
	// lies under (flow.MatchConnection); "" when none does.
	Connection string `json:"connection,omitempty"`
	// NewConnection, when no connection matched, is one the caller may
	// offer to create: a custom connection for the URL's scheme and host,
	// with Auth when the command has credentials (without their values:
	// those are in Secrets).
	NewConnection *flow.Connection `json:"newConnection,omitempty"`
	Method        string           `json:"method"`
	// URI is the path relative to the connection's base URL; with no
	// connection, the full URL without its query.
	URI string `json:"uri"`
	// Query, Headers: the pairs in the command's order, as text.
	Query   []flow.Pair `json:"query,omitempty"`
	Headers []flow.Pair `json:"headers,omitempty"`
	Body    string      `json:"body,omitempty"`
	HasBody bool        `json:"hasBody,omitempty"`
	// Auth is the authentication the command's credentials give (type and
	// the fields that are not secret, such as the user name or the API key
	// header's name); nil when it has none. Region goes with awsSigV4.
	Auth   *flow.Auth `json:"auth,omitempty"`
	Region string     `json:"region,omitempty"`
	// Secrets are the credential values, by the auth field they fill
	// ("password", "token", "value", "secretAccessKey"): to seal as the
	// connection's secrets, never to put in a request field.
	Secrets map[string]string `json:"-"`
	// Insecure is -k: the connection should not verify certificates.
	Insecure bool `json:"insecure,omitempty"`
	// Unmapped lists what the command says that the request does not
	// carry: the command's own unmapped arguments and what mapping left out.
	Unmapped []Note `json:"unmapped,omitempty"`
}

// apiKeyHeaders are header names that carry an API key in common APIs: a
// command with one and no matching connection proposes an apiKey
// connection.
var apiKeyHeaders = []string{"X-Api-Key", "Api-Key", "Apikey", "X-Apikey", "X-Auth-Token", "X-Auth-Key", "Private-Token",
	"X-Goog-Api-Key", "Ocp-Apim-Subscription-Key", "Dd-Api-Key", "X-Shopify-Access-Token"}

// ToRequest maps c onto the connections conns: the connection whose base
// URL the command's URL lies under gives the relative URI; the command's
// credentials (-u, a bearer token, the connection's API key header or
// query parameter, --aws-sigv4's keys) become Secrets of the connection's
// auth and leave the headers, query and URL. A credential the connection's
// auth cannot hold (a bearer token for an OAuth 2.0 connection) is dropped
// and listed in Unmapped; so is one that is an unset shell variable.
func ToRequest(c *Command, conns []flow.Connection) *Import {
	im := &Import{Method: strings.ToUpper(c.Method), Body: c.Body, HasBody: c.HasBody, Insecure: c.Insecure,
		Unmapped: append([]Note{}, c.Unmapped...), Secrets: map[string]string{}}
	u := *c.URL
	conn, rest := flow.MatchConnection(conns, &u)
	path := u.EscapedPath()
	if conn != nil {
		im.Connection = conn.Name
		path, _, _ = strings.Cut(rest, "?")
	}
	im.Query = queryPairs(u.RawQuery)
	for _, h := range c.Headers {
		im.Headers = append(im.Headers, flow.Pair{Key: h.Name, Value: h.Value})
	}

	var want flow.Auth // the auth the command's credentials give
	if conn != nil {
		want = conn.Auth
	}
	unset := func(v string) bool {
		for _, name := range c.Unset {
			if strings.Contains(v, "$"+name) {
				return true
			}
		}
		return false
	}
	drop := func(arg, reason string) { im.Unmapped = append(im.Unmapped, Note{Arg: arg, Reason: reason}) }
	connName := ""
	if conn != nil {
		connName = fmt.Sprintf("the connection %q", conn.Name)
	}
	// secret keeps a credential to seal.
	secret := func(field, value string) { im.Secrets[field] = value }
	// free: the command's credentials choose the auth (no connection, or
	// one without auth); authHeaderKey: the connection's API key is the
	// Authorization header, which then holds whatever the command sends
	// there.
	free := conn == nil || want.Type == flow.AuthNone || want.Type == ""
	authHeaderKey := want.Type == flow.AuthAPIKey && want.In != flow.APIKeyQuery && strings.EqualFold(want.Name, "Authorization")
	user, password, hasUser := c.User, c.Password, c.HasUser
	if v, ok := c.Header("Authorization"); ok && !hasUser {
		if scheme, b64, ok := strings.Cut(strings.TrimSpace(v), " "); ok && strings.EqualFold(scheme, "Basic") {
			if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64)); err == nil {
				if us, pw, ok := strings.Cut(string(raw), ":"); ok {
					user, password, hasUser = us, pw, true
					im.Headers = without(im.Headers, "Authorization")
				}
			}
		}
	}
	// Which credential the command carries, in curl's order of precedence:
	// an Authorization header wins over -u.
	switch {
	case c.AWSSigV4 != "":
		parts := strings.Split(c.AWSSigV4, ":")
		if conn == nil || want.Type != flow.AuthSigV4 {
			want = flow.Auth{Type: flow.AuthSigV4}
		}
		if len(parts) >= 3 && parts[2] != "" {
			im.Region = parts[2]
		}
		if len(parts) >= 4 && parts[3] != "" {
			want.Service = parts[3]
		}
		if c.HasUser && !unset(c.User+":"+c.Password) {
			want.AccessKeyID = c.User
			secret("secretAccessKey", c.Password)
		} else if c.HasUser {
			drop("--user "+c.User+":…", "the keys are shell variables that are not set; set the connection's keys")
		}
		if tok, ok := c.Header("X-Amz-Security-Token"); ok && !unset(tok) {
			secret("sessionToken", tok)
			im.Headers = without(im.Headers, "X-Amz-Security-Token")
		}
	case c.Bearer != "":
		switch {
		case unset(c.Bearer):
			drop("Authorization: Bearer "+c.Bearer, "the token is a shell variable that is not set; the header is kept as written; set the token on the connection")
		case free || want.Type == flow.AuthBearer:
			want = flow.Auth{Type: flow.AuthBearer}
			secret("token", c.Bearer)
			im.Headers = without(im.Headers, "Authorization")
		case authHeaderKey:
			v, _ := c.Header("Authorization")
			secret("value", v)
			im.Headers = without(im.Headers, "Authorization")
		default:
			drop("Authorization: Bearer …", fmt.Sprintf("%s authenticates with %s; the command's token is not used", connName, want.Type))
			im.Headers = without(im.Headers, "Authorization")
		}
	case hasUser:
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
		switch {
		case unset(user + ":" + password):
			drop("-u "+user+":…", "the user or password is a shell variable that is not set; set the connection's credentials")
		case password == "" && (free || authHeaderKey):
			// A key as the user name and no password (Stripe): Flowbench's
			// basic auth needs a password, so the header is the API key.
			want = flow.Auth{Type: flow.AuthAPIKey, In: flow.APIKeyHeader, Name: "Authorization"}
			secret("value", basic)
			im.Headers = without(im.Headers, "Authorization")
		case password == "" && want.Type == flow.AuthBasic:
			drop("-u "+user+":", fmt.Sprintf("%s uses basic auth, which needs a password; for a key with an empty password use an apiKey connection with the header Authorization", connName))
		case free || want.Type == flow.AuthBasic:
			want = flow.Auth{Type: flow.AuthBasic, Username: user}
			secret("password", password)
			im.Headers = without(im.Headers, "Authorization")
		case authHeaderKey:
			secret("value", basic)
			im.Headers = without(im.Headers, "Authorization")
		default:
			drop("-u", fmt.Sprintf("%s authenticates with %s; the command's user and password are not used", connName, want.Type))
		}
	}
	// An API key: the matched connection's header or query parameter, or,
	// with no connection, a header commonly named for one.
	if want.Type == flow.AuthAPIKey && conn != nil && !authHeaderKey {
		if want.In == flow.APIKeyQuery {
			for _, q := range im.Query {
				if q.Key == want.Name && !unset(q.Value) {
					secret("value", q.Value)
					im.Query = withoutKey(im.Query, want.Name, false)
					break
				}
			}
		} else if v, ok := c.Header(want.Name); ok && !unset(v) {
			secret("value", v)
			im.Headers = without(im.Headers, want.Name)
		}
	} else if want.Type == "" || want.Type == flow.AuthNone {
		// An Authorization header of another scheme ("Token …") is an API
		// key sent in that header.
		if v, ok := c.Header("Authorization"); ok && !hasUser && !unset(v) {
			want = flow.Auth{Type: flow.AuthAPIKey, In: flow.APIKeyHeader, Name: "Authorization"}
			secret("value", v)
			im.Headers = without(im.Headers, "Authorization")
		}
	}
	if want.Type == "" || want.Type == flow.AuthNone {
		for _, name := range apiKeyHeaders {
			if v, ok := c.Header(name); ok && !unset(v) {
				want = flow.Auth{Type: flow.AuthAPIKey, In: flow.APIKeyHeader, Name: name}
				secret("value", v)
				im.Headers = without(im.Headers, name)
				break
			}
		}
	}
	if want.Type != "" && want.Type != flow.AuthNone && len(im.Secrets) > 0 {
		im.Auth = &want
		for _, h := range im.Headers {
			if strings.EqualFold(h.Key, "Authorization") {
				drop("-H Authorization", fmt.Sprintf("the connection authenticates with %s and writes this header itself", want.Type))
				im.Headers = without(im.Headers, "Authorization")
				break
			}
		}
	}

	if conn != nil {
		im.URI = path
	} else {
		origin := url.URL{Scheme: u.Scheme, Host: u.Host}
		im.URI = origin.String() + path
		nc := &flow.Connection{Name: u.Hostname(), Kind: flow.ConnCustom, BaseURL: origin.String(), Auth: flow.Auth{Type: flow.AuthNone}, Region: im.Region}
		if im.Auth != nil {
			nc.Auth = *im.Auth
		}
		if c.Insecure {
			f := false
			nc.VerifyTLS = &f
		}
		im.NewConnection = nc
	}
	return im
}

// ApplyAuth puts the command's credentials on conn: its auth from im.Auth
// with im.Secrets as literal secrets (the store seals them when conn is
// saved; the engine resolves them as they are), its region, and -k's
// verifyTLS off. A connection whose auth the command's credentials do not
// fit is left as it is.
func (im *Import) ApplyAuth(conn *flow.Connection) {
	if im.Auth != nil && (conn.Auth.Type == im.Auth.Type || conn.Auth.Type == flow.AuthNone || conn.Auth.Type == "") {
		a := *im.Auth
		for field, ref := range map[string]**flow.SecretRef{
			"password": &a.Password, "token": &a.Token, "value": &a.Value,
			"secretAccessKey": &a.SecretAccessKey, "sessionToken": &a.SessionToken,
		} {
			if v, ok := im.Secrets[field]; ok {
				*ref = &flow.SecretRef{Literal: v}
			}
		}
		conn.Auth = a
		if im.Region != "" {
			conn.Region = im.Region
		}
	}
	if im.Insecure {
		f := false
		conn.VerifyTLS = &f
	}
}

// Adhoc returns what sends the request when no connection matched: the
// offered NewConnection with the command's credentials applied (ApplyAuth;
// they stay literal, in memory) and the call through it, its URI relative
// to the connection's base URL. ok is false when a connection matched.
func (im *Import) Adhoc() (conn flow.Connection, call flow.Call, ok bool) {
	if im.NewConnection == nil {
		return flow.Connection{}, flow.Call{}, false
	}
	conn = *im.NewConnection
	im.ApplyAuth(&conn)
	call = im.Call()
	call.Connection = conn.Name
	call.URI = TextExpr(strings.TrimPrefix(im.URI, conn.BaseURL))
	return conn, call, true
}

// Call returns the request as a call node's fields, each a CEL expression
// in the shape the app writes for Text mode (flow.TextToExpr), so the
// fields reopen as the text they hold; a literal "{{" or "[[" is written as
// a hole holding it.
func (im *Import) Call() flow.Call {
	cl := flow.Call{Connection: im.Connection, Method: im.Method, URI: TextExpr(im.URI)}
	for _, q := range im.Query {
		cl.Query = append(cl.Query, flow.Pair{Key: TextExpr(q.Key), Value: TextExpr(q.Value)})
	}
	for _, h := range im.Headers {
		cl.Headers = append(cl.Headers, flow.Pair{Key: TextExpr(h.Key), Value: TextExpr(h.Value)})
	}
	if im.HasBody {
		cl.Body = TextExpr(im.Body)
		switch {
		case !utf8.ValidString(im.Body):
			// Bytes that are not text (a binary file) go as a CEL bytes
			// literal, sent exactly; the field opens in Expression mode.
			cl.Body = bytesExpr(im.Body)
		case cl.Body == "":
			cl.Body = `""`
		}
	}
	return cl
}

// bytesExpr writes s as a CEL bytes literal, every byte but printable ASCII
// as \xNN.
func bytesExpr(s string) string {
	var b strings.Builder
	b.WriteString(`b"`)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// textEscaper writes the two openings of Text mode as holes holding them.
var textEscaper = strings.NewReplacer("{{", `{{ "{{" }}`, "[[", `{{ "[[" }}`)

// TextExpr is the CEL expression that gives s exactly: s as a Text-mode
// field with its "{{" and "[[" escaped.
func TextExpr(s string) string {
	e, err := flow.TextToExpr(textEscaper.Replace(s), nil)
	if err != nil {
		// cannot happen: an escaped text has only literal runs and string holes
		return fmt.Sprintf("%q", s)
	}
	return e
}

// queryPairs splits a raw query into its pairs in order, decoded.
func queryPairs(raw string) []flow.Pair {
	var out []flow.Pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out = append(out, flow.Pair{Key: k, Value: v})
	}
	return out
}

func without(hs []flow.Pair, name string) []flow.Pair { return withoutKey(hs, name, true) }

func withoutKey(ps []flow.Pair, name string, fold bool) []flow.Pair {
	out := ps[:0:0]
	for _, p := range ps {
		if p.Key == name || fold && strings.EqualFold(p.Key, name) {
			continue
		}
		out = append(out, p)
	}
	return out
}
