package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// An Option configures a Client. Options check their input and NewClient returns the first
// error, so a misconfiguration fails at start-up rather than on the first request.
type Option func(*config) error

type config struct {
	hc                 *http.Client
	username, password string
	newPassword        string
	token, apiKey      string
	userAgent          string
	timeout            time.Duration
	retry              retryPolicy
	logger             *slog.Logger
	editors            []gen.RequestEditorFn
	rootCAs            *x509.CertPool
	insecure           bool
	now                func() time.Time // the session's clock
}

// WithHTTPClient makes the client send requests through a copy of hc (its transport, jar and
// redirect policy). hc itself is never modified; TLS options apply to a clone of its
// transport, which must then be an *http.Transport (cloning it makes net/http fill in the
// transport's HTTP/2 defaults, as its first request would). Note that hc.Timeout bounds
// whole requests, body included, which cuts off large media downloads: prefer WithTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("wabiz: WithHTTPClient: nil *http.Client")
		}
		c.hc = hc
		return nil
	}
}

// WithCredentials logs in with username and password (HTTP Basic on POST /v1/users/login) on
// first use, caches the token until shortly before its expiry, logs in again when a request
// answers 401, and shares one login among concurrent callers.
func WithCredentials(username, password string) Option {
	return func(c *config) error {
		if username == "" || password == "" {
			return errors.New("wabiz: WithCredentials: username and password must not be empty")
		}
		if c.token != "" {
			return errors.New("wabiz: WithCredentials and WithToken are mutually exclusive")
		}
		c.username, c.password = username, password
		return nil
	}
}

// WithNewPassword sets the password to choose when the server demands a change on first login
// (code 1024, the admin account still on its default password). The change happens only when
// the server asks for it; afterwards the client logs in with the new password. The password
// must meet the server's rules: 8 to 64 characters with upper case, lower case, a digit and a
// special character. It needs WithCredentials.
func WithNewPassword(password string) Option {
	return func(c *config) error {
		if err := checkPassword(password); err != nil {
			return fmt.Errorf("wabiz: WithNewPassword: %w", err)
		}
		c.newPassword = password
		return nil
	}
}

// WithToken authenticates with a bearer token obtained elsewhere. The client cannot renew it:
// when it expires, requests fail with an *APIError whose IsUnauthorized is true.
func WithToken(token string) Option {
	return func(c *config) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("wabiz: WithToken: empty token")
		}
		if c.username != "" {
			return errors.New("wabiz: WithCredentials and WithToken are mutually exclusive")
		}
		c.token = token
		return nil
	}
}

// WithAPIKey authenticates with the Webapp's WA_API_KEY (Authorization: Apikey <key>), which
// the server accepts only for health, metrics and stats. It is used when no credentials or
// token are configured.
func WithAPIKey(key string) Option {
	return func(c *config) error {
		if n := len(key); n < 12 || n > 128 {
			return fmt.Errorf("wabiz: WithAPIKey: the key must have 12 to 128 characters, got %d", n)
		}
		c.apiKey = key
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if strings.TrimSpace(ua) == "" {
			return errors.New("wabiz: WithUserAgent: empty user agent")
		}
		c.userAgent = ua
		return nil
	}
}

// WithTimeout bounds how long an attempt may wait for the server without progress (default
// 30s; 0 disables it). Progress is the transport reading more of the request body, so an
// upload may take longer than d as long as it keeps being read; apart from that, connecting,
// and the wait for the response headers after the body has been read, must each take less
// than d. Note what "read" means: the operating system buffers the last part of a body (the
// socket send buffer, up to a few MiB), so the transfer of that part over a slow link and
// the server's processing both fall in the wait for the headers. At 136 KB/s, 4 MiB of
// buffer take 31 s: on slow links choose d above the send buffer divided by the upload rate,
// or 0 and bound the call with ctx. The timeout is checked every d/8, so an attempt ends
// between d and 1.125 d after its last progress, with an *AttemptTimeoutError; idempotent
// requests are then retried. Reading a response body, such as a media download, is bounded
// only by the caller's context.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("wabiz: WithTimeout: negative duration %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithMaxRetries sets how many times a retryable failure is retried (default 2; 0 turns
// retries off). What is retried: 429 and 503 always, connection errors when the server
// cannot have acted on the request, never any other status (the policy is spelled out in
// retry.go and the README).
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("wabiz: WithMaxRetries: negative count %d", n)
		}
		c.retry.maxRetries = n
		return nil
	}
}

// WithRetryBackoff sets the first backoff delay and the cap of every delay, Retry-After
// included (defaults 500ms and 30s).
func WithRetryBackoff(base, maxDelay time.Duration) Option {
	return func(c *config) error {
		if base <= 0 || maxDelay < base {
			return fmt.Errorf("wabiz: WithRetryBackoff: want 0 < base <= max, got %s and %s", base, maxDelay)
		}
		c.retry.baseDelay, c.retry.maxDelay = base, maxDelay
		return nil
	}
}

// WithLogger logs each attempt at debug level (method, path, status, attempt, duration,
// X-Request-ID) and configuration warnings. Credentials and tokens are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("wabiz: WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithRequestEditor adds a function that edits every outgoing request (for example to add a
// tracing header). Editors run on every attempt, each time on a fresh copy of the request,
// and before authentication, so they cannot read the token; a User-Agent they set is kept.
func WithRequestEditor(fn gen.RequestEditorFn) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("wabiz: WithRequestEditor: nil function")
		}
		c.editors = append(c.editors, fn)
		return nil
	}
}

// WithRootCAs trusts the certificates in pool (instead of the system roots) when verifying the
// server, as needed for the self-signed certificate of a default deployment.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(c *config) error {
		if pool == nil {
			return errors.New("wabiz: WithRootCAs: nil pool")
		}
		c.rootCAs = pool
		return nil
	}
}

// WithCACertPEM trusts the PEM-encoded CA certificates in pem, for example the file returned
// by GET /v1/certificates/external/ca (see FetchCACertificate).
func WithCACertPEM(pem []byte) Option {
	return func(c *config) error {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return errors.New("wabiz: WithCACertPEM: no certificate found in the PEM data")
		}
		c.rootCAs = pool
		return nil
	}
}

// WithInsecureSkipVerifyForLocalDevelopment turns off TLS certificate verification. Anyone on
// the network path can then read the credentials and messages: use it only against a local
// development server. NewClient logs a warning when it is set.
func WithInsecureSkipVerifyForLocalDevelopment() Option {
	return func(c *config) error {
		c.insecure = true
		return nil
	}
}

// withSleep replaces the retry sleep (tests).
func withSleep(fn func(ctx context.Context, d time.Duration) error) Option {
	return func(c *config) error {
		c.retry.sleep = fn
		return nil
	}
}

// withClock replaces the clock that decides when the session token needs renewing (tests).
func withClock(now func() time.Time) Option {
	return func(c *config) error {
		c.now = now
		return nil
	}
}

// httpClient builds the client's own *http.Client from the configuration without touching
// the caller's. It also returns the transport it cloned for the TLS options, if it did: the
// client owns that one and closes its idle connections in Close.
func (c *config) httpClient() (*http.Client, *http.Transport, error) {
	var hc http.Client
	if c.hc != nil {
		hc = *c.hc
	}
	if c.rootCAs == nil && !c.insecure {
		return &hc, nil, nil
	}
	var tr *http.Transport
	switch t := hc.Transport.(type) {
	case nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		tr = t.Clone()
	default:
		return nil, nil, fmt.Errorf("wabiz: TLS options need the HTTP client's transport to be an *http.Transport, got %T", t)
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.rootCAs != nil {
		tr.TLSClientConfig.RootCAs = c.rootCAs
	}
	if c.insecure {
		tr.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // explicit, logged opt-in
	}
	hc.Transport = tr
	return &hc, tr, nil
}

// staticAuthorization returns the Authorization header of WithToken or WithAPIKey, built once
// rather than on every request; nil without either.
func (c *config) staticAuthorization() []string {
	switch {
	case c.token != "":
		return []string{"Bearer " + c.token}
	case c.apiKey != "":
		return []string{"Apikey " + c.apiKey}
	}
	return nil
}

// checkPassword applies the server's password rules (8 to 64 characters, upper and lower
// case, a digit and a special character) so that a bad password fails before any request.
func checkPassword(p string) error {
	if n := len(p); n < 8 || n > 64 {
		return fmt.Errorf("password must have 8 to 64 characters, got %d", n)
	}
	var upper, lower, digit, special bool
	for _, r := range p {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", r):
			special = true
		}
	}
	if !upper || !lower || !digit || !special {
		return errors.New("password needs an upper-case letter, a lower-case letter, a digit and a special character")
	}
	return nil
}
