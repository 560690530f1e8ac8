package flow

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// ConnectionError is a connection that cannot be used as written: it names
// the connection and the field. CheckConnection finds these; the engine
// returns the first it meets when a run first uses the connection.
type ConnectionError struct {
	Connection string
	Field      string
	Message    string
}

func (e *ConnectionError) Error() string {
	if e.Field == "" || strings.HasPrefix(e.Message, e.Field+" ") {
		// The message names the field already ("auth.value is required").
		return fmt.Sprintf("connection %q: %s", e.Connection, e.Message)
	}
	return fmt.Sprintf("connection %q, field %s: %s", e.Connection, e.Field, e.Message)
}

// FirstError returns the first error of ps (from CheckConnection or
// CheckAuth for connection c) as a *ConnectionError, or nil when there is
// none.
func FirstError(c Connection, ps Problems) error {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return &ConnectionError{Connection: c.Name, Field: p.Field, Message: p.Message}
		}
	}
	return nil
}

// RegionPattern is what an AWS region name looks like. It also keeps a
// region from smuggling a host or path into a derived Amazon Connect URL.
var RegionPattern = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

// CheckConnection says what a connection needs and does not have: the one
// place that holds these rules. validate --connections reports them
// (through ValidateConnections), and the engine refuses a connection with
// an error before its first call, so a connection that validates is one the
// engine accepts (secrets aside: whether a referenced secret exists is only
// known when it is resolved).
//
// It applies the defaults the engine applies to a Connection built in code:
// an empty kind is custom, an empty auth type is none, and an API key with
// no "in" goes in a header. (A connections file must spell out kind and
// auth type; ValidateConnections says so.) Problems name the field within
// the connection (auth.region, baseURL) in Problem.Field, and never repeat
// a credential.
func CheckConnection(c Connection) Problems {
	var ps Problems
	add := func(sev Severity, field, format string, args ...any) {
		ps = append(ps, Problem{Severity: sev, Connection: c.Name, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch c.Kind {
	case ConnCustom, "":
		if c.BaseURL == "" {
			add(SeverityError, "baseURL", "a custom connection needs a baseURL such as https://api.example.com")
		}
	case ConnAmazonConnect:
		checkRegion(c.Region, "an amazonConnect connection", add)
	default:
		add(SeverityError, "kind", "unknown kind %q; use custom or amazonConnect", c.Kind)
	}
	if c.BaseURL != "" {
		checkURL("baseURL", c.BaseURL, add)
	}
	if c.UseMock && strings.TrimSpace(c.Mock) == "" {
		add(SeverityError, "mock", "useMock is on but no mock is named; name the mock that stands in for this endpoint, or turn useMock off")
	}
	switch {
	case c.Timeout < 0:
		add(SeverityError, "timeout", "the timeout is negative; give a duration such as \"30s\"")
	case c.Timeout.D() > MaxCallTimeout:
		add(SeverityError, "timeout", "%s is longer than the %s a call may wait; shorten it", c.Timeout.D(), MaxCallTimeout)
	}
	return append(append(ps, checkRequests(c)...), CheckAuth(c)...)
}

// CheckAuth is the part of CheckConnection about the auth: what each auth
// type needs (awsSigV4 also needs the connection's region). engine/auth
// refuses a connection with the first error it reports.
func CheckAuth(c Connection) Problems {
	var ps Problems
	add := func(sev Severity, field, format string, args ...any) {
		ps = append(ps, Problem{Severity: sev, Connection: c.Name, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	a := &c.Auth
	missing := func(field, what string) {
		add(SeverityError, "auth."+field, "%s auth needs %s", a.Type, what)
	}
	secretMissing := func(p *SecretRef) bool { return p == nil || p.IsZero() }
	switch a.Type {
	case AuthNone, "":
	case AuthAPIKey, AuthBasic, AuthBearer:
		checkSharedAuth(a.Type, sharedAuth{In: a.In, Name: a.Name, Value: a.Value, Username: a.Username, Password: a.Password, Token: a.Token},
			missing, func(field, msg string) { add(SeverityError, "auth."+field, "%s", msg) })
	case AuthOAuth2:
		if a.ClientID == "" {
			missing("clientId", "a clientId")
		}
		if secretMissing(a.ClientSecret) {
			missing("clientSecret", `a clientSecret: {"secret": NAME} or {"env": VAR}`)
		}
		if a.TokenURL == "" {
			missing("tokenURL", "the tokenURL of the authorization server, such as https://auth.example.com/oauth2/token")
		} else {
			checkURL("auth.tokenURL", a.TokenURL, add)
		}
		if a.RefreshURL != "" {
			checkURL("auth.refreshURL", a.RefreshURL, add)
		}
		switch a.AuthStyle {
		case "", "header", "body":
		default:
			add(SeverityError, "auth.authStyle", "%q is not an auth style; use header (HTTP basic) or body (form fields)", a.AuthStyle)
		}
	case AuthSigV4:
		if a.AccessKeyID == "" {
			missing("accessKeyId", "an accessKeyId")
		}
		if secretMissing(a.SecretAccessKey) {
			missing("secretAccessKey", `a secretAccessKey: {"secret": NAME} or {"env": VAR}`)
		}
		if c.Kind != ConnAmazonConnect {
			// amazonConnect checked its region above and signs for "connect".
			checkRegion(c.Region, "awsSigV4 auth (the signature is scoped to a region)", add)
			if a.Service == "" {
				missing("service", `the AWS service it signs for, such as "execute-api" or "lambda"`)
			}
		}
	default:
		add(SeverityError, "auth.type", "unknown auth type %q; use none, apiKey, oauth2, awsSigV4, basic or bearer", a.Type)
	}
	return ps
}

// sharedAuth holds the fields of the auth types a connection sends and a
// mock expects (Auth and MockAuth both have them).
type sharedAuth struct {
	In, Name, Username     string
	Value, Password, Token *SecretRef
}

// checkSharedAuth holds what apiKey, basic and bearer auth need, for
// connections (CheckAuth) and mocks (ValidateMocks) alike. missing reports
// a field that is not given, bad one that is wrong.
func checkSharedAuth(typ AuthType, a sharedAuth, missing func(field, what string), bad func(field, msg string)) {
	secretMissing := func(p *SecretRef) bool { return p == nil || p.IsZero() }
	switch typ {
	case AuthAPIKey:
		switch a.In {
		case APIKeyHeader, APIKeyQuery, "":
		default:
			bad("in", fmt.Sprintf("%q is not where an API key can go; use header or query", a.In))
		}
		switch {
		case a.Name == "":
			missing("name", "the header or query parameter name, such as x-api-key")
		case a.In != APIKeyQuery && !validHeaderName(a.Name):
			bad("name", fmt.Sprintf("%q is not a valid HTTP header name; use letters, digits and - such as x-api-key", a.Name))
		}
		if secretMissing(a.Value) {
			missing("value", `the key: {"secret": NAME} or {"env": VAR}`)
		}
	case AuthBasic:
		switch {
		case a.Username == "":
			missing("username", "a username")
		case strings.Contains(a.Username, ":"):
			bad("username", `must not contain ":" (basic authentication joins user and password with it)`)
		}
		if secretMissing(a.Password) {
			missing("password", `a password: {"secret": NAME} or {"env": VAR}`)
		}
	case AuthBearer:
		if secretMissing(a.Token) {
			missing("token", `a token: {"secret": NAME} or {"env": VAR}`)
		}
	}
}

func checkRegion(region, who string, add func(sev Severity, field, format string, args ...any)) {
	switch {
	case strings.TrimSpace(region) == "":
		add(SeverityError, "region", "%s needs its AWS region, such as eu-central-1", who)
	case !RegionPattern.MatchString(region):
		add(SeverityError, "region", "%q is not an AWS region name such as eu-central-1", region)
	}
}

// checkURL insists on an absolute http(s) URL without credentials in it,
// and warns about plain http to another machine, where credentials would
// cross the network unencrypted.
func checkURL(field, raw string, add func(sev Severity, field, format string, args ...any)) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if err == nil && u.User != nil {
			raw = u.Redacted()
		}
		add(SeverityError, field, "%q is not an absolute http(s) URL; write it as https://host/path", raw)
		return
	}
	if u.User != nil {
		// The URL is not repeated: it holds a password.
		add(SeverityError, field, "the URL carries a user name or password (user:password@host); remove them and put the credentials in auth, where they are sealed and redacted")
		return
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		add(SeverityWarning, field, "%q uses plain http to another machine: credentials and data travel unencrypted; use https", raw)
	}
}

// validHeaderName reports whether s is an HTTP header field name.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return http.CanonicalHeaderKey(s) != ""
}
