package flow

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ConnectionsFile is the content of a *.connections.json file.
type ConnectionsFile struct {
	Format      string       `json:"format"`
	Connections []Connection `json:"connections"`
}

// ConnectionKind says how a connection's base URL is found.
type ConnectionKind string

// The connection kinds.
const (
	ConnCustom        ConnectionKind = "custom"
	ConnAmazonConnect ConnectionKind = "amazonConnect"
)

// Connection is where calls go and how they authenticate.
type Connection struct {
	Name string         `json:"name"`
	Kind ConnectionKind `json:"kind"`
	// BaseURL applies to custom connections; amazonConnect derives it from Region.
	BaseURL string `json:"baseURL,omitempty"`
	Region  string `json:"region,omitempty"`
	Auth    Auth   `json:"auth"`
	// VerifyTLS defaults to true when nil.
	VerifyTLS *bool    `json:"verifyTLS,omitempty"`
	CAFile    string   `json:"caFile,omitempty"`
	Timeout   Duration `json:"timeout,omitzero"`
	// Mock names the mock (of a mocks file or the app's Mocks view) that
	// stands in for this connection's endpoint; UseMock is the switch that
	// sends calls to it instead of BaseURL, so a flow runs offline unchanged.
	Mock    string `json:"mock,omitempty"`
	UseMock bool   `json:"useMock,omitempty"`
	// Requests are the requests defined once on this connection that call
	// nodes use by name.
	Requests []NamedRequest `json:"requests,omitempty"`
}

// TLSVerified reports whether the connection verifies server certificates.
func (c *Connection) TLSVerified() bool { return c.VerifyTLS == nil || *c.VerifyTLS }

// AuthType names an authentication scheme.
type AuthType string

// The authentication types.
const (
	AuthNone     AuthType = "none"
	AuthAPIKey   AuthType = "apiKey"
	AuthOAuth2   AuthType = "oauth2"
	AuthSigV4    AuthType = "awsSigV4"
	AuthBasic    AuthType = "basic"
	AuthBearer   AuthType = "bearer"
	APIKeyHeader          = "header"
	APIKeyQuery           = "query"
)

// Auth is a connection's authentication. Which fields apply depends on Type.
type Auth struct {
	Type AuthType `json:"type"`

	// apiKey
	In    string     `json:"in,omitempty"`
	Name  string     `json:"name,omitempty"`
	Value *SecretRef `json:"value,omitempty"`

	// oauth2 (client credentials)
	ClientID     string     `json:"clientId,omitempty"`
	ClientSecret *SecretRef `json:"clientSecret,omitempty"`
	Scopes       []string   `json:"scopes,omitempty"`
	TokenURL     string     `json:"tokenURL,omitempty"`
	RefreshURL   string     `json:"refreshURL,omitempty"`
	// AuthStyle is "header" (HTTP basic, the default) or "body" (form fields).
	AuthStyle string `json:"authStyle,omitempty"`

	// awsSigV4
	AccessKeyID     string     `json:"accessKeyId,omitempty"`
	SecretAccessKey *SecretRef `json:"secretAccessKey,omitempty"`
	SessionToken    *SecretRef `json:"sessionToken,omitempty"`
	Service         string     `json:"service,omitempty"`
	// SignBody sends the body's SHA-256 in X-Amz-Content-Sha256 and signs
	// it, as S3 and S3-style services require; the service "s3" always
	// does.
	SignBody bool `json:"signBody,omitempty"`

	// basic
	Username string     `json:"username,omitempty"`
	Password *SecretRef `json:"password,omitempty"`

	// bearer
	Token *SecretRef `json:"token,omitempty"`
}

// Secrets returns pointers to every secret field the auth has set, keyed by
// field name, so callers can seal, resolve or redact them uniformly.
func (a *Auth) Secrets() map[string]*SecretRef {
	m := map[string]*SecretRef{}
	for name, p := range map[string]*SecretRef{
		"value": a.Value, "clientSecret": a.ClientSecret, "secretAccessKey": a.SecretAccessKey,
		"sessionToken": a.SessionToken, "password": a.Password, "token": a.Token,
	} {
		if p != nil {
			m[name] = p
		}
	}
	return m
}

// SecretRef refers to a secret value without holding it in a file: a name in the
// sealed store, or an environment variable. A literal string is accepted when
// decoding (an import) and kept in Literal until it is sealed; it is never
// encoded again.
type SecretRef struct {
	Secret  string `json:"secret,omitempty"`
	Env     string `json:"env,omitempty"`
	Literal string `json:"-"`
}

// ErrLiteralSecret is returned when encoding a secret that still holds a literal
// value: seal it first, so no file ever carries a secret.
var ErrLiteralSecret = errors.New("a secret literal must be sealed into the store before it is written out")

// IsZero reports whether the reference names nothing.
func (s SecretRef) IsZero() bool { return s.Secret == "" && s.Env == "" && s.Literal == "" }

// String describes the reference without revealing any value.
func (s SecretRef) String() string {
	switch {
	case s.Secret != "":
		return "secret:" + s.Secret
	case s.Env != "":
		return "env:" + s.Env
	case s.Literal != "":
		return "literal (sealed on import)"
	}
	return "none"
}

// MarshalJSON writes the reference; it refuses to write a literal value.
func (s SecretRef) MarshalJSON() ([]byte, error) {
	if s.Literal != "" && s.Secret == "" && s.Env == "" {
		return nil, ErrLiteralSecret
	}
	type plain struct {
		Secret string `json:"secret,omitempty"`
		Env    string `json:"env,omitempty"`
	}
	return json.Marshal(plain{s.Secret, s.Env})
}

// UnmarshalJSON accepts {"secret": NAME}, {"env": VAR} or a literal string.
func (s *SecretRef) UnmarshalJSON(b []byte) error {
	var lit string
	if err := json.Unmarshal(b, &lit); err == nil {
		*s = SecretRef{Literal: lit}
		return nil
	}
	type plain struct {
		Secret string `json:"secret,omitempty"`
		Env    string `json:"env,omitempty"`
	}
	var p plain
	if err := strictUnmarshal(b, &p); err != nil {
		return err
	}
	if p.Secret != "" && p.Env != "" {
		return errors.New(`give either "secret" or "env", not both`)
	}
	*s = SecretRef{Secret: p.Secret, Env: p.Env}
	return nil
}

// Duration is a time.Duration written as a Go duration string ("30s", "1m30s").
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string such as "30s", or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err2 := json.Unmarshal(b, &secs); err2 != nil {
			return fmt.Errorf(`want a duration such as "30s"`)
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf(`%q is not a duration; write it as "30s", "500ms" or "1m"`, s)
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", s)
	}
	*d = Duration(v)
	return nil
}
