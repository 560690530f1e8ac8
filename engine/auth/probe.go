package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// probeTimeout bounds Test when the connection sets no timeout.
const probeTimeout = 15 * time.Second

// clientFor builds an HTTP client with the connection's TLS settings and
// timeout, for callers that pass none.
func clientFor(conn flow.Connection) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	cfg := &tls.Config{InsecureSkipVerify: !conn.TLSVerified()} //nolint:gosec // the connection asked for it
	if conn.CAFile != "" {
		pem, err := flow.ReadFileLimit(conn.CAFile, flow.MaxCAFileBytes)
		if err != nil {
			return nil, fieldErr(conn.Name, "caFile", fmt.Sprintf("cannot be read: %v", err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fieldErr(conn.Name, "caFile", fmt.Sprintf("%s holds no PEM certificate", conn.CAFile))
		}
		cfg.RootCAs = pool
	}
	tr.TLSClientConfig = cfg
	timeout := probeTimeout
	if conn.Timeout > 0 {
		timeout = conn.Timeout.D()
	}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

// Test checks a connection the way a call would use it: for oauth2 it
// obtains a new token; for the other types it signs or authenticates a GET to
// the base URL and sends it. It returns nil when the credentials were
// accepted (any answer but 401, 403 or a server error), else an error with one
// plain sentence: DNS, TLS, refused, timeout, 401 with the server's message,
// invalid_scope and so on. Errors never contain a secret.
func Test(ctx context.Context, conn flow.Connection, opts Options) error {
	base, err := BaseURL(conn)
	if err != nil {
		return err
	}
	if opts.HTTPClient == nil {
		c, err := clientFor(conn)
		if err != nil {
			return err
		}
		opts.HTTPClient = c
	}
	// Test always asks for a new token: a cached one proves nothing about
	// the client's credentials today.
	opts.Tokens = nil
	a, err := New(conn, opts)
	if err != nil {
		return err
	}
	sens := a.Sensitive()
	if o, ok := a.(*oauth2Auth); ok {
		_, err := o.token(ctx, true)
		return err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base, nil)
	if err != nil {
		return fmt.Errorf("connection %q: base URL %q: %v", conn.Name, base, err)
	}
	if err := a.Apply(ctx, req, EmptyPayloadHash); err != nil {
		return fmt.Errorf("connection %q: %s", conn.Name, sens.redactText(err.Error()))
	}
	client := *opts.HTTPClient
	client.CheckRedirect = RedirectPolicy(sens)
	if client.Timeout == 0 {
		client.Timeout = probeTimeout
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("connection %q: %s could not be reached: %s", conn.Name, hostOf(req.URL), sens.redactText(describeTransport(err)))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		msg := serverMessage(resp, body)
		return fmt.Errorf("connection %q: %s refused the credentials (%d %s)%s; check the connection's auth settings",
			conn.Name, hostOf(req.URL), resp.StatusCode, http.StatusText(resp.StatusCode), sens.redactText(msg))
	case resp.StatusCode >= 500:
		return fmt.Errorf("connection %q: %s answered %d %s%s; the server has a problem, try again later",
			conn.Name, hostOf(req.URL), resp.StatusCode, http.StatusText(resp.StatusCode), sens.redactText(serverMessage(resp, body)))
	}
	return nil
}

// serverMessage picks the server's own explanation: a JSON "message",
// "error_description", "error" or "Message" field, a WWW-Authenticate
// challenge, or the start of a text body.
func serverMessage(resp *http.Response, body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		for _, k := range []string{"error_description", "message", "Message", "error", "detail", "title"} {
			if s, ok := m[k].(string); ok && s != "" {
				return fmt.Sprintf(": %q", s)
			}
		}
	}
	if ch := resp.Header.Get("WWW-Authenticate"); ch != "" {
		return fmt.Sprintf(": %q", ch)
	}
	text := strings.TrimSpace(string(body))
	if text != "" && !strings.HasPrefix(text, "<") {
		if len(text) > 200 {
			text = text[:200] + "…"
		}
		return fmt.Sprintf(": %q", text)
	}
	return ""
}

// describeTransport turns a network error into a sentence that says which
// layer failed and what to check.
func describeTransport(err error) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	var opErr *net.OpError
	switch {
	case errors.Is(err, errTokenRedirect):
		var ue *url.Error
		if errors.As(err, &ue) {
			return ue.Err.Error()
		}
		return err.Error()
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("DNS lookup of %q failed (%s); check the host name and your network", dnsErr.Name, dnsErrText(dnsErr))
	case errors.As(err, &hostErr):
		return fmt.Sprintf("TLS: the server's certificate is not valid for %q; check the host name", hostErr.Host)
	case errors.As(err, &unknownAuth):
		return "TLS: the server's certificate is signed by an unknown authority; set caFile to its CA certificate"
	case errors.As(err, &invalid):
		return fmt.Sprintf("TLS: the server's certificate is invalid (%v)", invalid)
	case errors.As(err, &certErr):
		return fmt.Sprintf("TLS: the server's certificate could not be verified (%v); set caFile or check the host name", certErr.Err)
	case errors.As(err, &recErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "TLS: the server did not answer TLS; it may speak plain http, so check the URL's scheme and port"
	case errors.As(err, &alert):
		return fmt.Sprintf("TLS handshake refused by the server (%v)", alert)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the connection was refused: nothing is listening on that host and port"
	case errors.Is(err, syscall.ECONNRESET):
		return "the server closed the connection"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "no answer before the timeout; check the host and port, or raise the connection's timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &opErr):
		return fmt.Sprintf("network error (%v)", opErr.Err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func dnsErrText(e *net.DNSError) string {
	if e.IsNotFound {
		return "no such host"
	}
	if e.IsTimeout {
		return "timed out"
	}
	return e.Err
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
