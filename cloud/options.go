package cloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/wabiz/wabiz/internal/retry"
)

// DefaultBaseURL is the Graph API's address.
const DefaultBaseURL = "https://graph.facebook.com"

// DefaultGraphVersion is the Graph API version the client and spec/cloud.yaml are written
// for.
const DefaultGraphVersion = "v23.0"

// DefaultUserAgent is sent unless WithUserAgent says otherwise.
const DefaultUserAgent = "wabiz-go"

// An Option configures a Client. Options check their input and NewClient returns the first
// error, so a misconfiguration fails at start-up rather than on the first request (the same
// conventions as package api).
type Option func(*config) error

type config struct {
	hc        *http.Client
	baseURL   string
	version   string
	tokens    *tokenCache
	userAgent string
	timeout   time.Duration
	retry     retry.Policy
	logger    *slog.Logger
	editors   []func(context.Context, *http.Request) error
	now       func() time.Time
}

// WithToken authenticates with a system-user access token (Authorization: Bearer). Use it
// for non-expiring tokens; for tokens that expire after 60 days, use WithTokenSource.
func WithToken(token string) Option {
	return func(c *config) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("wabiz: cloud: WithToken: empty token")
		}
		if c.tokens != nil {
			return errors.New("wabiz: cloud: WithToken and WithTokenSource are mutually exclusive")
		}
		c.tokens = staticTokens(token)
		return nil
	}
}

// WithTokenSource gets access tokens from src: the client caches each one until five
// minutes before its Expiry (or half its remaining life, if shorter), asks src again then,
// and also when the API rejects the token with code 190, in which case the request is sent
// once more with the new token (an authentication failure means the request was not acted
// on). Concurrent callers share one call to src.
func WithTokenSource(src TokenSource) Option {
	return func(c *config) error {
		if src == nil {
			return errors.New("wabiz: cloud: WithTokenSource: nil source")
		}
		if c.tokens != nil {
			return errors.New("wabiz: cloud: WithToken and WithTokenSource are mutually exclusive")
		}
		c.tokens = &tokenCache{src: src}
		return nil
	}
}

// WithBaseURL sends requests to baseURL instead of https://graph.facebook.com, for example
// to the fake server or a proxy. A path prefix is kept; the Graph version follows it.
func WithBaseURL(baseURL string) Option {
	return func(c *config) error {
		u, err := url.Parse(strings.TrimSpace(baseURL))
		if err != nil {
			// url.Parse quotes the whole input, which may hold a secret: keep only the reason.
			var uerr *url.Error
			if errors.As(err, &uerr) {
				err = uerr.Err
			}
			return fmt.Errorf("wabiz: cloud: WithBaseURL: invalid URL: %w", err)
		}
		if u.User != nil || u.RawQuery != "" {
			return errors.New("wabiz: cloud: WithBaseURL: the URL must not contain credentials or a query; use WithToken")
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("wabiz: cloud: WithBaseURL: want http(s)://host[:port][/prefix]")
		}
		c.baseURL = strings.TrimSuffix(u.Scheme+"://"+u.Host+u.EscapedPath(), "/")
		return nil
	}
}

var graphVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// WithGraphVersion pins another Graph API version (default v23.0), written `v` followed by
// major and minor.
func WithGraphVersion(version string) Option {
	return func(c *config) error {
		if !graphVersion.MatchString(version) {
			return fmt.Errorf("wabiz: cloud: WithGraphVersion: %q is not a Graph version such as v23.0", version)
		}
		c.version = version
		return nil
	}
}

// WithHTTPClient sends requests through a copy of hc (its transport, jar and redirect
// policy); hc itself is never modified. hc.Timeout bounds whole requests, body included,
// which cuts off large media transfers: prefer WithTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("wabiz: cloud: WithHTTPClient: nil *http.Client")
		}
		c.hc = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if strings.TrimSpace(ua) == "" {
			return errors.New("wabiz: cloud: WithUserAgent: empty user agent")
		}
		c.userAgent = ua
		return nil
	}
}

// WithTimeout bounds how long an attempt may wait for the server without progress (default
// 30s; 0 disables it): until the response headers arrive, restarted by every chunk of a
// request body that is read. An attempt that runs out ends with an *AttemptTimeoutError,
// and only idempotent requests are then retried (a send may have been acted on). Reading a
// response body, such as a media download, is bounded by the caller's context only.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("wabiz: cloud: WithTimeout: negative duration %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithMaxRetries sets how many times a retryable failure is retried (default 2; 0 turns
// retries off). The policy is in retry.go and the README.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("wabiz: cloud: WithMaxRetries: negative count %d", n)
		}
		c.retry.MaxRetries = n
		return nil
	}
}

// WithRetryBackoff sets the first backoff delay and the cap of every delay, Retry-After
// included (defaults 500ms and 30s).
func WithRetryBackoff(base, maxDelay time.Duration) Option {
	return func(c *config) error {
		if base <= 0 || maxDelay < base {
			return fmt.Errorf("wabiz: cloud: WithRetryBackoff: want 0 < base <= max, got %s and %s", base, maxDelay)
		}
		c.retry.BaseDelay, c.retry.MaxDelay = base, maxDelay
		return nil
	}
}

// WithLogger logs each attempt at debug level (method, path, status, attempt, duration,
// fbtrace id). Tokens are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("wabiz: cloud: WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithRequestEditor adds a function that edits every outgoing request (a tracing header, for
// example). Editors run on every attempt, on a fresh copy of the headers, before
// authentication, so they cannot read the token.
func WithRequestEditor(fn func(ctx context.Context, req *http.Request) error) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("wabiz: cloud: WithRequestEditor: nil function")
		}
		c.editors = append(c.editors, fn)
		return nil
	}
}

// withSleep replaces the retry sleep (tests).
func withSleep(fn func(ctx context.Context, d time.Duration) error) Option {
	return func(c *config) error {
		c.retry.Sleep = fn
		return nil
	}
}

// withClock replaces the clock that decides when a cached token needs renewing (tests).
func withClock(now func() time.Time) Option {
	return func(c *config) error {
		c.now = now
		return nil
	}
}
