// Package api is the hand-written client of the WhatsApp Business On-Premises API, a thin
// layer over the generated bindings in package gen that handles what every user of the API
// would otherwise write again: login and token expiry, typed errors, an explicit retry
// policy, self-signed TLS, streaming media, and helpers for every message type.
//
// Create a client with NewClient and options; every API operation is a method whose doc
// comment names its operationId in spec/openapi.yaml (a `//wabiz:operation` line that a test
// checks against the spec). The generated client stays reachable as Client.Raw, the escape
// hatch for anything the wrappers do not cover; calls made through it get the same
// authentication, retries and typed errors.
//
// Validation: the client checks only what it needs to build a request (a path parameter
// that must not be empty, since it would address another endpoint; a message recipient; an
// upload's reader and media type) and,
// before uploading, the size limit of the media's kind. Everything else about the content of
// a message or a setting (text length, number of buttons, template parameters, password
// rules...) is left to the server, which answers with a precise error code in an *APIError
// (for example 1001 for a text over 4096 characters): the client does not duplicate rules
// that differ between server builds. Options are the exception: they validate their input
// when the client is created, so that a misconfiguration fails at start-up.
//
// # Where the methods are
//
// One file per API area, each with its _test.go beside it:
//
//   - client.go, options.go: NewClient, Close, BaseURL and the With... options
//     (WithCredentials, WithNewPassword, WithToken, WithAPIKey, WithCACertPEM, WithTimeout,
//     WithMaxRetries, WithHTTPClient, WithLogger, WithRequestEditor...).
//   - session.go: Login, Logout, PasswordChanged (login and token renewal are automatic).
//   - messages.go: SendText, SendImage, SendAudio, SendVideo, SendDocument, SendSticker,
//     SendLocation, SendContacts, SendInteractiveList, SendInteractiveButtons, SendProduct,
//     SendProductList, SendTemplate (with NewTemplate and the ...Param helpers), SendMessage for
//     anything else, MarkRead; send options ToGroup, WithPreviewURL, WithTTL.
//   - messenger.go, compose.go: the Messenger interface that *api.Client and *cloud.Client
//     both satisfy, and the message builders both clients share (NewTextMessage,
//     NewMediaMessage, ..., NewTemplateMessage, ApplySendOptions).
//   - media.go: UploadMedia, DownloadMedia, DeleteMedia, DetectContentType, MediaKindOf.
//   - builders.go: NewContactCard (cards for SendContacts), NewSettingsUpdate and
//     SetWebhookURL (partial settings), Ptr.
//   - settings.go: GetApplicationSettings, UpdateApplicationSettings,
//     ResetApplicationSettings, media providers, EnableTwoStep, BackupSettings,
//     RestoreSettings.
//   - contacts.go: CheckContacts, GetContactIdentity, AcknowledgeContactIdentity.
//   - groups.go: CreateGroup, ListGroups, GetGroup, participants and admins, invites, icons.
//   - profile.go: business profile, about text and profile photo.
//   - registration.go: RequestCode, VerifyAccount, SetShards, GetShards.
//   - users.go: CreateUser, GetUser, UpdateUserPassword, DeleteUser.
//   - health.go, stats.go: CheckHealth, GetSupportInfo, GetMetrics and the stats.
//   - certificates.go, tls.go: external and webhook certificates, FetchCACertificate.
//   - stickerpacks.go: sticker packs and their stickers.
//   - errors.go, operror.go: APIError (IsNotFound, HasCode...), OperationError,
//     ArgumentError, PasswordChangeRequiredError, MediaTooLargeError.
//   - retry.go, timeout.go: the retry policy and the per-attempt timeout, as code and prose.
//
// # Errors
//
// Every error of a call that reached the network is an *OperationError naming the
// operation (`wabiz: sendMessage: ...`), which wraps the cause: an *APIError for a status of
// 400 or more, an *AttemptTimeoutError, a network error. An argument the client rejects
// before sending is an *ArgumentError (errors.Is ErrInvalidArgument), and a bad base URL
// matches ErrInvalidBaseURL. Match them with errors.As and errors.Is; their messages never
// contain a password, token or key.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// DefaultUserAgent is sent unless WithUserAgent says otherwise.
const DefaultUserAgent = "wabiz-go"

// Client talks to one WhatsApp Business API Client deployment. It is safe for concurrent use.
type Client struct {
	// Raw is the generated client, for operations or details the wrappers do not cover. Its
	// requests go through this Client's authentication, retry and error handling: a status of
	// 400 or more comes back as an *APIError.
	Raw *gen.ClientWithResponses

	baseURL    *url.URL
	hc         *http.Client
	session    *session // nil unless WithCredentials
	staticAuth []string // the Authorization header of WithToken or WithAPIKey, if any
	userAgent  []string
	timeout    time.Duration
	watch      *watchdog // enforces timeout; nil when it is 0
	retry      retryPolicy
	logger     *slog.Logger
	editors    []gen.RequestEditorFn
	sendURL    string // the URL of sendMessage, built once (see SendMessage)
	// ownTransport is the transport the client cloned for its TLS options, which Close
	// releases; nil when the transport is the caller's or net/http's default.
	ownTransport *http.Transport
}

// NewClient returns a client for the deployment at baseURL, for example
// "https://wa.example.com:9090". A trailing "/v1" is accepted and removed: operation paths
// carry their own prefix (metrics live at /metrics, outside /v1). A path prefix, such as a
// reverse proxy's, is kept. Credentials belong in WithCredentials, WithToken or WithAPIKey,
// never in the URL: a base URL with user information, a query string or a fragment is
// rejected, like one without an http or https scheme, with an error that matches
// ErrInvalidBaseURL and never repeats the URL.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	u, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}

	cfg := config{retry: defaultRetryPolicy(), userAgent: DefaultUserAgent, timeout: 30 * time.Second, now: time.Now}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("wabiz: nil option")
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.newPassword != "" && cfg.username == "" {
		return nil, errors.New("wabiz: WithNewPassword needs WithCredentials")
	}
	hc, own, err := cfg.httpClient()
	if err != nil {
		return nil, err
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.insecure {
		logger.Warn("wabiz: TLS certificate verification is disabled; use this only against a local development server")
	}
	c := &Client{
		baseURL:    u,
		hc:         hc,
		staticAuth: cfg.staticAuthorization(),
		userAgent:  []string{cfg.userAgent},
		timeout:    cfg.timeout,
		retry:      cfg.retry,
		logger:     logger,
		editors:    cfg.editors,

		ownTransport: own,
	}
	if cfg.timeout > 0 {
		c.watch = &watchdog{timeout: cfg.timeout}
	}
	if cfg.username != "" {
		c.session = newSession(cfg.username, cfg.password, cfg.newPassword, c.login, cfg.now)
	}
	c.Raw, err = gen.NewClientWithResponses(u.String(), gen.WithHTTPClient(doer{c}))
	if err != nil {
		return nil, fmt.Errorf("wabiz: %w", err)
	}
	// u has no trailing slash; gen's builders resolve the operation path against base + "/".
	send, err := gen.NewSendMessageRequestWithBody(u.String()+"/", "application/json", nil)
	if err != nil {
		return nil, fmt.Errorf("wabiz: %w", err)
	}
	c.sendURL = send.URL.String()
	return c, nil
}

// ErrInvalidBaseURL is matched (errors.Is) by every error of NewClient about its base URL.
// The message says what is wrong and what is expected, and never quotes the URL, which may
// hold a password or a key.
var ErrInvalidBaseURL = errors.New("wabiz: invalid base URL")

// parseBaseURL checks a base URL for NewClient and returns it without a trailing "/" or "/v1".
func parseBaseURL(raw string) (*url.URL, error) {
	fail := func(reason string) (*url.URL, error) {
		return nil, fmt.Errorf("%w: %s; want http(s)://host[:port][/prefix]", ErrInvalidBaseURL, reason)
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return fail("empty")
	}
	// Look at the scheme before parsing: "admin:PW@host:9090" parses with the scheme
	// "admin", and "127.0.0.1:9090" does not parse at all; both lack the scheme.
	scheme, _, found := strings.Cut(raw, "://")
	if !found || (!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https")) {
		return fail("no http:// or https:// scheme")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the input, and even its reason may repeat part of it (an
		// invalid port): say only that it does not parse.
		return fail("not a valid URL")
	}
	switch {
	case u.User != nil:
		return fail("credentials in the URL; use WithCredentials")
	case u.Host == "" || u.Hostname() == "":
		return fail("no host")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fail("a query string or fragment, which the client would drop (pass keys and tokens with WithAPIKey or WithToken)")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v1")
	u.RawPath = ""
	return u, nil
}

// BaseURL returns the deployment's base URL as the client uses it (without /v1).
func (c *Client) BaseURL() string { return c.baseURL.String() }

// doer adapts Client to gen.HttpRequestDoer without exporting a Do method on Client.
type doer struct{ c *Client }

func (d doer) Do(req *http.Request) (*http.Response, error) { return d.c.do(req) }

// ctxKey marks requests whose Authorization header the client must leave alone: login
// (HTTP Basic) and logout (the exact token being revoked).
type ctxKey int

const skipAuthKey ctxKey = iota

// do sends req with authentication, per-attempt timeout and the retry policy, and turns every
// status of 400 or more into an *APIError. req itself is never sent: each attempt is a copy
// with its own context and body, so that every attempt, a replay included, starts from the
// same request.
func (c *Client) do(req *http.Request) (*http.Response, error) {
	resp, sent, err := c.attempts(req)
	if err != nil {
		var se *stageError
		if errors.As(err, &se) {
			return nil, &OperationError{Op: operationOf(req.Method, strings.TrimPrefix(req.URL.Path, c.baseURL.Path)),
				Stage: se.stage, Attempts: sent, Err: se.err}
		}
		return nil, c.opError(req.Method, req.URL.Path, sent, err)
	}
	return resp, nil
}

// stageError is an error of a stage before the request itself (the login), which do
// reports as OperationError.Stage.
type stageError struct {
	stage string
	err   error
}

func (e *stageError) Error() string { return e.stage + ": " + e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

// attempts is do without the wrapping of errors; it also returns how many attempts it sent.
func (c *Client) attempts(req *http.Request) (resp *http.Response, sent int, err error) {
	ctx := req.Context()
	hasBody := req.Body != nil && req.Body != http.NoBody
	replayable := !hasBody || req.GetBody != nil
	relogged := false
	for attempt, retries := 0, 0; ; attempt++ {
		body := req.Body
		if attempt > 0 && hasBody {
			// The transport has consumed (and closed) the previous attempt's body: every
			// later attempt, a replay after re-login included, starts from a fresh copy.
			var err error
			if body, err = req.GetBody(); err != nil {
				return nil, sent, fmt.Errorf("replay request body: %w", err)
			}
		}
		// Log calls box their arguments even when debug is off: check first, on the hot path.
		debug := c.logger.Enabled(ctx, slog.LevelDebug)
		var start time.Time
		if debug {
			start = time.Now()
		}
		a, actx := c.newAttempt(req)
		r := req.WithContext(actx)
		r.Body = body
		if len(c.editors) > 0 {
			// Editors may add header values; give them the original headers every time. The
			// client's own writes (User-Agent if absent, Authorization) are idempotent and
			// need no copy.
			r.Header = req.Header.Clone()
		}
		token, err := c.authorize(r)
		if err != nil {
			// Not retried here: a login has its own retries, and an editor's error is final.
			a.release()
			if body != nil {
				_ = body.Close() // as the transport would have
			}
			return nil, sent, err
		}
		sent++
		resp, err = c.sendAttempt(r, a)
		if err != nil {
			if debug {
				c.logger.DebugContext(ctx, "wabiz request failed", "method", req.Method, "path", req.URL.Path,
					"attempt", attempt, "error", err)
			}
			if retries < c.retry.maxRetries && replayable && ctx.Err() == nil && retryableError(req.Method, err) {
				if werr := c.wait(ctx, retries, "", err); werr != nil {
					return nil, sent, werr
				}
				retries++
				continue
			}
			return nil, sent, err
		}
		if debug {
			c.logger.DebugContext(ctx, "wabiz request", "method", req.Method, "path", req.URL.Path, "status", resp.StatusCode,
				"attempt", attempt, "duration", time.Since(start), "request_id", resp.Header.Get("X-Request-ID"))
		}
		if resp.StatusCode < 400 {
			return resp, sent, nil
		}
		if resp.StatusCode == http.StatusUnauthorized && token != "" {
			// The token expired or was revoked server-side. Forget it in any case, so that the
			// next request logs in; log in again once and replay when the body allows it.
			c.session.invalidate(token)
			if !relogged && replayable {
				drain(resp)
				relogged = true
				continue // a re-login is not a retry
			}
		}
		apiErr := newAPIError(resp)
		if retries < c.retry.maxRetries && replayable && retryableStatus(resp.StatusCode) {
			if werr := c.wait(ctx, retries, apiErr.RetryAfter, apiErr); werr != nil {
				return nil, sent, werr
			}
			retries++
			continue
		}
		return nil, sent, apiErr
	}
}

// wait sleeps before retry number retries. When the caller's context ends first it returns
// an error that matches both the context's error and last (errors.Is and errors.As).
func (c *Client) wait(ctx context.Context, retries int, retryAfter string, last error) error {
	d := c.retry.delay(retries, retryAfter, time.Now())
	c.logger.DebugContext(ctx, "wabiz retry", "in", d, "retry", retries+1)
	if err := c.retry.sleep(ctx, d); err != nil {
		return fmt.Errorf("gave up waiting to retry: %w (last attempt: %w)", err, last)
	}
	return nil
}

// authorize runs the request editors, then sets the User-Agent unless they did and the
// Authorization header, and returns the session token it used, if any. The header values
// are shared, read-only slices built once: the request was built by package gen or
// SendMessage for this call only, and nothing writes to its headers after this. (No Accept
// header: the server answers JSON, or the resource's own type, whatever the client accepts.)
func (c *Client) authorize(r *http.Request) (string, error) {
	for _, edit := range c.editors {
		if err := edit(r.Context(), r); err != nil {
			return "", fmt.Errorf("request editor: %w", err)
		}
	}
	h := r.Header
	if _, ok := h["User-Agent"]; !ok {
		h["User-Agent"] = c.userAgent
	}
	if skip, _ := r.Context().Value(skipAuthKey).(bool); skip {
		return "", nil
	}
	switch {
	case c.session != nil:
		token, header, err := c.session.token(r.Context())
		if err != nil {
			return "", err
		}
		h["Authorization"] = header
		return token, nil
	case c.staticAuth != nil:
		h["Authorization"] = c.staticAuth
	}
	return "", nil
}

// drainLimit is how much of a body's remainder drain reads: enough for an error envelope or
// the tail of a JSON answer, too little to wait on a large body the caller does not want.
const drainLimit = 4 << 10

// drainBufs holds drain's buffers. io.CopyN would allocate a LimitedReader on every call,
// and drain runs after every send.
var drainBufs = sync.Pool{New: func() any { b := make([]byte, 512); return &b }}

// drain discards a small remainder of a body so the connection can be reused, then closes it.
func drain(resp *http.Response) {
	bp := drainBufs.Get().(*[]byte)
	for left := drainLimit; left > 0; {
		buf := *bp
		if len(buf) > left {
			buf = buf[:left]
		}
		n, err := resp.Body.Read(buf)
		left -= n
		if err != nil {
			break
		}
	}
	drainBufs.Put(bp)
	_ = resp.Body.Close()
}

// Close closes the idle connections of the transport the client built for itself, which it
// does when WithRootCAs, WithCACertPEM or WithInsecureSkipVerifyForLocalDevelopment needs
// its own TLS configuration: otherwise each such client would keep its keep-alive
// connections, two goroutines each, until they time out (90 s by default). A transport that
// the caller passed with WithHTTPClient, or net/http's default transport, is shared and is
// never touched. Close is idempotent and always returns nil; connections in use finish
// normally, and a request made after Close opens a new connection (call Close again when
// done).
func (c *Client) Close() error {
	if c.watch != nil {
		c.watch.closeIdle() // the context kept for the next attempt (see watchdog)
	}
	if c.ownTransport != nil {
		c.ownTransport.CloseIdleConnections()
	}
	return nil
}
