package engine

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/flowbench/flowbench/engine/auth"
	"github.com/flowbench/flowbench/flow"
)

// ProbeOptions are what ProbeConnection needs besides the connection: where
// its secrets come from, and optionally a base URL override (a mock switch)
// and a base transport, as a Runner's Options give them.
type ProbeOptions struct {
	// Secrets resolves {"secret": NAME} references; literals (typed in a
	// form, not yet sealed) and {"env": VAR} are resolved without it.
	Secrets SecretSource
	// Getenv resolves {"env": VAR}; nil means os.Getenv.
	Getenv func(string) string
	// Resolve overrides the base URL (the connection's mock); nil keeps it.
	Resolve func(conn flow.Connection) (baseURL string, ok bool)
	// Transport is cloned for the probe; nil means http.DefaultTransport.
	Transport *http.Transport
}

// ProbeResult is what testing a connection found, part by part, so a form
// can show it in one line (String) and a test can read each part.
type ProbeResult struct {
	// OK is true when the credentials were accepted: the token (if any) was
	// fetched and the probe got an answer other than 401, 403 or a 5xx.
	OK bool
	// Token is set for an OAuth 2.0 connection whose token was fetched.
	Token *ProbeToken
	// Method and URL are the probe request's (the URL redacted); Status is
	// its answer (0 when none came) and Took how long it took.
	Method, URL string
	Status      int
	Took        time.Duration
	// TLS describes the server's certificate when the probe went over TLS.
	TLS *ProbeTLS
	// Error is one sentence saying what failed and what to do, naming the
	// connection; "" when OK. It never holds a secret.
	Error string
}

// ProbeToken is the OAuth token a probe fetched (never its value).
type ProbeToken struct {
	// ExpiresIn is the token's lifetime as the server gave it; 0 when it
	// gave none.
	ExpiresIn time.Duration
	Took      time.Duration
}

// ProbeTLS describes the certificate the server showed.
type ProbeTLS struct {
	// Verified is false when the connection turns verification off.
	Verified bool
	// Host is the name the certificate was checked against; Subject the
	// certificate's subject common name (or first DNS name), Issuer its
	// issuer's.
	Host, Subject, Issuer string
	NotAfter              time.Time
	// ValidForHost says whether the certificate names Host.
	ValidForHost bool
}

// String is the result in one line, as the connection form shows it:
// "OAuth token fetched (expires in 3600 s) · GET https://host/ → 200 in 42 ms ·
// TLS: valid for host, expires 2027-01-02", then the error if any.
func (p ProbeResult) String() string {
	var parts []string
	if p.Token != nil {
		if p.Token.ExpiresIn > 0 {
			parts = append(parts, fmt.Sprintf("OAuth token fetched (expires in %d s)", int64(p.Token.ExpiresIn/time.Second)))
		} else {
			parts = append(parts, "OAuth token fetched (no expiry given)")
		}
	}
	if p.Status > 0 {
		parts = append(parts, fmt.Sprintf("%s %s → %d in %d ms", p.Method, p.URL, p.Status, p.Took.Milliseconds()))
	}
	if t := p.TLS; t != nil {
		switch {
		case !t.Verified:
			parts = append(parts, fmt.Sprintf("TLS: not verified (verifyTLS is off); certificate of %s, expires %s", t.Subject, t.NotAfter.UTC().Format(time.DateOnly)))
		case t.ValidForHost:
			parts = append(parts, fmt.Sprintf("TLS: valid for %s, expires %s", t.Host, t.NotAfter.UTC().Format(time.DateOnly)))
		default:
			parts = append(parts, fmt.Sprintf("TLS: certificate of %s does not name %s", t.Subject, t.Host))
		}
	} else if p.Status > 0 && strings.HasPrefix(p.URL, "http://") {
		parts = append(parts, "TLS: none (plain http)")
	}
	if p.Error != "" {
		parts = append(parts, p.Error)
	}
	return strings.Join(parts, " · ")
}

// ProbeConnection tests a connection as a call would use it, with the
// engine's own connection set-up (TLS settings, caFile, authentication): an
// OAuth 2.0 connection fetches a new token (a cached one proves nothing); then
// a GET of the base URL is authenticated or signed and sent, and its status,
// time and the server's certificate are reported. The answer counts as
// accepted unless it is 401, 403 or 5xx. Nothing in the result holds a
// secret.
func ProbeConnection(ctx context.Context, conn flow.Connection, opts ProbeOptions) ProbeResult {
	tokens := &probeTokens{saved: make(chan []byte, 1)}
	r := NewRunner(Options{Secrets: opts.Secrets, Getenv: opts.Getenv, Resolve: opts.Resolve, Transport: opts.Transport, Tokens: tokens})
	defer r.Close()
	res := ProbeResult{Method: http.MethodGet}
	fail := func(format string, args ...any) ProbeResult {
		res.Error = fmt.Sprintf("connection %q: ", conn.Name) + fmt.Sprintf(format, args...)
		return res
	}
	st, err := r.newConnState(ctx, conn)
	if err != nil {
		if ce := (*flow.ConnectionError)(nil); errors.As(err, &ce) {
			res.Error = err.Error()
			return res
		}
		return fail("%v", err)
	}
	defer st.close()
	timeout := st.timeout
	if conn.Timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, st.base.String(), nil)
	if err != nil {
		return fail("base URL %q: %v", st.base.String(), err)
	}
	_, res.URL, _ = auth.Redact(st.sensitive, nil, req.URL.String(), "")
	started := time.Now()
	if err := st.auth.Apply(ctx, req, auth.EmptyPayloadHash); err != nil {
		_, _, msg := auth.Redact(st.auth.Sensitive(), nil, "", err.Error())
		return fail("%s", strings.TrimPrefix(msg, fmt.Sprintf("connection %q: ", conn.Name)))
	}
	if conn.Auth.Type == flow.AuthOAuth2 {
		res.Token = &ProbeToken{Took: time.Since(started)}
		select {
		case b := <-tokens.saved:
			var t struct {
				Expiry   time.Time `json:"expiry"`
				Obtained time.Time `json:"obtained"`
			}
			if json.Unmarshal(b, &t) == nil && !t.Expiry.IsZero() {
				res.Token.ExpiresIn = t.Expiry.Sub(t.Obtained).Round(time.Second)
			}
		case <-time.After(2 * time.Second):
		}
		_, res.URL, _ = auth.Redact(st.auth.Sensitive(), nil, req.URL.String(), "")
		started = time.Now()
	}
	resp, err := st.client.Do(req)
	res.Took = time.Since(started)
	if err != nil {
		return fail("GET %s got no answer: %s", res.URL, describeSendError(context.Background(), err, failNetwork, st))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	res.Status = resp.StatusCode
	if cs := resp.TLS; cs != nil && len(cs.PeerCertificates) > 0 {
		cert := cs.PeerCertificates[0]
		host := resp.Request.URL.Hostname()
		res.TLS = &ProbeTLS{Verified: conn.TLSVerified(), Host: host, Subject: certName(cert),
			Issuer: cert.Issuer.CommonName, NotAfter: cert.NotAfter, ValidForHost: cert.VerifyHostname(host) == nil}
	}
	sens := st.auth.Sensitive()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		_, _, snippet := auth.Redact(sens, nil, "", probeSnippet(body))
		return fail("the server refused the credentials (%d %s)%s; check the connection's authentication", resp.StatusCode, http.StatusText(resp.StatusCode), snippet)
	case resp.StatusCode >= 500:
		_, _, snippet := auth.Redact(sens, nil, "", probeSnippet(body))
		return fail("the server answered %d %s%s; it has a problem, try again later", resp.StatusCode, http.StatusText(resp.StatusCode), snippet)
	}
	res.OK = true
	return res
}

// certName is how a certificate is named to a person: its subject's common
// name, else its first DNS name.
func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	if len(c.DNSNames) > 0 {
		return c.DNSNames[0]
	}
	return c.Subject.String()
}

// probeSnippet is the start of a refusal's body, quoted, for the message.
func probeSnippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if s == "" || strings.HasPrefix(s, "<") {
		return ""
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return fmt.Sprintf(": %q", s)
}

// probeTokens is the token store of a probe: it never has a token (so one
// is fetched) and hands the one saved to ProbeConnection, which reads its
// lifetime; it keeps nothing.
type probeTokens struct {
	once  sync.Once
	saved chan []byte
}

func (p *probeTokens) LoadToken(context.Context, string) ([]byte, error) { return nil, nil }

func (p *probeTokens) SaveToken(_ context.Context, _ string, b []byte) error {
	p.once.Do(func() { p.saved <- append([]byte(nil), b...) })
	return nil
}
