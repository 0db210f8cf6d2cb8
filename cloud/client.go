// Package cloud is the client of the WhatsApp Cloud API (Meta-hosted, on the Graph API), the
// successor of the On-Premises API that package api speaks. It is built the same way: a thin
// hand-written layer over the bindings generated from spec/cloud.yaml (package gen/cloud,
// reachable as Client.Raw), with typed errors, one retry policy, streaming media, and a
// method for every operation of the spec (each names its operationId in a
// `//wabiz:operation` line that a test checks against the spec).
//
// Sending is shared with the On-Premises client: *cloud.Client and *api.Client both satisfy
// api.Messenger, and both build messages with the same api functions (api.NewTextMessage,
// api.NewTemplate, the api.SendOption values...). The Cloud client translates the built
// On-Premises message into the Cloud format (Translate, table-driven in translate.go) and
// refuses with an *UntranslatableError what the Cloud API cannot express, such as a
// time-to-live or a group of the On-Premises API. Code written against api.Messenger moves
// to the Cloud API by changing its constructor:
//
//	c, err := cloud.NewClient("106540352242922", cloud.WithToken(os.Getenv("WA_CLOUD_TOKEN")))
//	if err != nil {
//		log.Fatal(err)
//	}
//	var m api.Messenger = c // was: api.NewClient(baseURL, ...)
//	id, err := m.SendText(ctx, "16315551234", "Your order has shipped")
//	if err != nil {
//		log.Fatal(err)
//	}
//	log.Printf("sent %s", id)
//
// Authentication is a system-user access token, static (WithToken) or from a TokenSource
// for tokens that expire (WithTokenSource). Tokens never appear in errors or logs.
package cloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	cloudgen "github.com/wabiz/wabiz/gen/cloud"
	"github.com/wabiz/wabiz/internal/retry"
)

// Client talks to the Cloud API on behalf of one business phone number. It is safe for
// concurrent use.
type Client struct {
	// Raw is the generated client of spec/cloud.yaml, for operations or details the wrappers
	// do not cover. Its requests go through this Client's authentication, retries and
	// errors: a status of 400 or more comes back as an *Error.
	Raw *cloudgen.ClientWithResponses

	phoneNumberID string
	root          string // base URL and Graph version, for example https://graph.facebook.com/v23.0
	baseHost      string // the host of the base URL: media URLs elsewhere must be HTTPS
	messagesURL   string // POST /{phone_number_id}/messages, built once
	mediaURL      string // POST /{phone_number_id}/media
	hc            *http.Client
	tokens        *tokenCache
	userAgent     []string
	timeout       time.Duration
	retry         retry.Policy
	logger        *slog.Logger
	editors       []func(context.Context, *http.Request) error
}

// NewClient returns a client for the business phone number phoneNumberID (the numeric id
// shown in the App Dashboard, not the phone number). It needs WithToken or WithTokenSource.
func NewClient(phoneNumberID string, opts ...Option) (*Client, error) {
	if phoneNumberID == "" || url.PathEscape(phoneNumberID) != phoneNumberID {
		return nil, errors.New("wabiz: cloud: NewClient: the phone number id must be a non-empty path segment, such as 106540352242922")
	}
	cfg := config{
		baseURL:   DefaultBaseURL,
		version:   DefaultGraphVersion,
		userAgent: DefaultUserAgent,
		timeout:   30 * time.Second,
		retry:     retry.Default(),
		now:       time.Now,
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("wabiz: cloud: nil option")
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.tokens == nil {
		return nil, errors.New("wabiz: cloud: NewClient: no access token; use WithToken or WithTokenSource")
	}
	cfg.tokens.now = cfg.now
	var hc http.Client
	if cfg.hc != nil {
		hc = *cfg.hc
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	base, _ := url.Parse(cfg.baseURL) // checked by WithBaseURL, or the constant
	root := cfg.baseURL + "/" + cfg.version
	c := &Client{
		phoneNumberID: phoneNumberID,
		root:          root,
		baseHost:      base.Host,
		messagesURL:   root + "/" + phoneNumberID + "/messages",
		mediaURL:      root + "/" + phoneNumberID + "/media",
		hc:            &hc,
		tokens:        cfg.tokens,
		userAgent:     []string{cfg.userAgent},
		timeout:       cfg.timeout,
		retry:         cfg.retry,
		logger:        logger,
		editors:       cfg.editors,
	}
	var err error
	if c.Raw, err = cloudgen.NewClientWithResponses(root, cloudgen.WithHTTPClient(doer{c})); err != nil {
		return nil, fmt.Errorf("wabiz: cloud: %w", err)
	}
	return c, nil
}

// PhoneNumberID returns the business phone number id the client sends from.
func (c *Client) PhoneNumberID() string { return c.phoneNumberID }

// GraphURL returns the base of every request: the base URL and the Graph version.
func (c *Client) GraphURL() string { return c.root }

// doer adapts Client to the generated client's HttpRequestDoer without exporting Do.
type doer struct{ c *Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	return d.c.do(req, retry.Idempotent(req.Method))
}

// do sends req with authentication, the per-attempt timeout and the retry policy (retry.go),
// and turns every status of 400 or more into an *Error. idempotent says whether sending req
// twice does no more than sending it once. req itself is never sent: each attempt is a copy
// with its own context and, for a replay, a fresh body from req.GetBody.
func (c *Client) do(req *http.Request, idempotent bool) (*http.Response, error) {
	ctx := req.Context()
	hasBody := req.Body != nil && req.Body != http.NoBody
	replayable := !hasBody || req.GetBody != nil
	refreshed := false
	for attempt, retries := 0, 0; ; attempt++ {
		body := req.Body
		if attempt > 0 && hasBody {
			var err error
			if body, err = req.GetBody(); err != nil {
				return nil, fmt.Errorf("wabiz: cloud: replay request body: %w", err)
			}
		}
		debug := c.logger.Enabled(ctx, slog.LevelDebug)
		var start time.Time
		if debug {
			start = time.Now()
		}
		a := c.startAttempt(req)
		token, err := c.authorize(req, body, a.ctx)
		if err != nil {
			a.abandon()
			if body != nil {
				_ = body.Close() // as the transport would have
			}
			return nil, err
		}
		resp, err := c.sendAttempt(token.r, a)
		if err != nil {
			err = scrubError(err, token.tok)
			if debug {
				c.logger.DebugContext(ctx, "wabiz cloud request failed", "method", req.Method, "path", req.URL.Path,
					"attempt", attempt, "error", err)
			}
			if retries < c.retry.MaxRetries && replayable && ctx.Err() == nil && retryableError(err, idempotent) {
				if werr := c.wait(ctx, retries, "", err); werr != nil {
					return nil, werr
				}
				retries++
				continue
			}
			return nil, err
		}
		if debug {
			c.logger.DebugContext(ctx, "wabiz cloud request", "method", req.Method, "path", req.URL.Path,
				"status", resp.StatusCode, "attempt", attempt, "duration", time.Since(start),
				"fbtrace_id", resp.Header.Get("X-FB-Trace-ID"))
		}
		if resp.StatusCode < 400 {
			return resp, nil
		}
		apiErr := newError(resp, token.tok)
		if apiErr.IsUnauthorized() && !refreshed && replayable && c.tokens.invalidate(token.tok) {
			// The token expired or was revoked: fetch a new one and send again, once. The
			// server did not act on a request it could not authenticate, so this is safe for
			// a send too, and it is not a retry.
			refreshed = true
			continue
		}
		if retries < c.retry.MaxRetries && replayable && retryableStatus(apiErr, idempotent) {
			if werr := c.wait(ctx, retries, apiErr.RetryAfter, apiErr); werr != nil {
				return nil, werr
			}
			retries++
			continue
		}
		return nil, apiErr
	}
}

// wait sleeps before retry number retries. When the caller's context ends first it returns
// an error that matches both the context's error and last.
func (c *Client) wait(ctx context.Context, retries int, retryAfter string, last error) error {
	d := c.retry.Delay(retries, retryAfter, time.Now())
	c.logger.DebugContext(ctx, "wabiz cloud retry", "in", d, "retry", retries+1)
	if err := c.retry.Sleep(ctx, d); err != nil {
		return fmt.Errorf("wabiz: cloud: gave up waiting to retry: %w (last attempt: %w)", err, last)
	}
	return nil
}

// authorized is one attempt's request and the token it carries.
type authorized struct {
	r   *http.Request
	tok string
}

// authorize builds the attempt's request from req, with body and the attempt's context ctx:
// editors first (on a copy of the headers, so each attempt starts from the original), then
// the User-Agent unless an editor set one, and the Authorization header. The header values
// are shared, read-only slices built once.
func (c *Client) authorize(req *http.Request, body io.ReadCloser, ctx context.Context) (authorized, error) {
	r := req.WithContext(ctx) // the one copy of the attempt
	r.Body = body
	if len(c.editors) > 0 {
		r.Header = req.Header.Clone()
		for _, edit := range c.editors {
			if err := edit(r.Context(), r); err != nil {
				return authorized{}, fmt.Errorf("wabiz: cloud: request editor: %w", err)
			}
		}
	}
	h := r.Header
	if _, ok := h["User-Agent"]; !ok {
		h["User-Agent"] = c.userAgent
	}
	tok, header, err := c.tokens.get(r.Context())
	if err != nil {
		return authorized{}, err
	}
	h["Authorization"] = header
	return authorized{r: r, tok: tok}, nil
}

// scrubError hides the token in a transport error's text. Transport errors do not carry
// headers, but a URL one may quote the request URL; be certain rather than hopeful.
func scrubError(err error, tok string) error {
	if tok == "" || err == nil {
		return err
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		uerr.URL = scrub(uerr.URL, tok)
	}
	return err
}

// drain discards a small remainder of a body so the connection can be reused, then closes it.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	_ = resp.Body.Close()
}
