// Package bridge is wabridge: the On-Premises API (spec/openapi.yaml, /v1) served on top of
// the Cloud API, so that code written for an On-Premises client keeps working after the
// number moves to Cloud.
//
// A Bridge is a second implementation of gen.StrictServerInterface behind the request
// pipeline the fake uses (package internal/onpremhttp): routing with trailing-slash twins,
// 404/405, authentication and x-wabiz-access, validation against the On-Premises spec and
// the On-Premises error envelope, so both servers answer the same input alike.
//
// Users and tokens are the bridge's own, kept in a store.Store: a store without users gets
// admin/secret, whose first login must set new_password; tokens live 7 days on Config.Now
// and are stored by hash. The API key is off unless WithAPIKey is given. Config.Relay, the
// Cloud webhook endpoint, is served at the path of Config.PublicURL, or at
// DefaultWebhookPath when PublicURL is empty.
package bridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

var _ gen.StrictServerInterface = (*Bridge)(nil)

// Config is what a Bridge needs. Cloud and Store are required; the bridge does not own
// them (the caller closes them after the Bridge).
type Config struct {
	// Cloud is the client of the Cloud API number the bridge serves.
	Cloud *cloud.Client
	// Store keeps users, tokens, settings, the webhook outbox and dedupe keys.
	Store store.Store
	// WABAID is the WhatsApp Business Account of the number (for calls on the account).
	WABAID string
	// AppSecret checks X-Hub-Signature-256 on the Cloud webhooks the bridge receives.
	AppSecret string
	// VerifyToken answers Meta's GET verification handshake of the Cloud webhook endpoint.
	VerifyToken string
	// PublicURL is the public https URL of the bridge's Cloud webhook endpoint, as
	// registered with Meta (or with the fake's Cloud dialect). The bridge serves Relay at its
	// path; when PublicURL is empty and Relay is set, at DefaultWebhookPath.
	PublicURL string
	// Relay is the webhook side (package bridge/relay's *Relay satisfies it). The bridge
	// serves it at the path of PublicURL and asks it before every send; nil means the bridge
	// forwards no webhooks (tests of the API alone).
	Relay Relay
	// Logger receives the bridge's logs; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now. Tests move it to expire tokens.
	Now func() time.Time
}

// Relay is the webhook side of the bridge, as the bridge sees it.
type Relay interface {
	// ServeHTTP serves the Cloud webhook endpoint: Meta's GET handshake and signed POSTs.
	http.Handler
	// Admit reports whether a send may be accepted: an error while the outbox is at its
	// capacity, which the bridge answers with 1016 like the Webapp with a full callback queue.
	Admit(ctx context.Context) error
}

// Bridge serves the On-Premises API (spec/openapi.yaml) on top of the Cloud API. It
// implements gen.StrictServerInterface; New puts the same request pipeline in front of it
// that the fake uses. It is safe for concurrent use.
type Bridge struct {
	cfg   Config
	store store.Store
	cloud *cloud.Client
	log   *slog.Logger
	now   func() time.Time
	meta  *gen.Meta
	acct  accountState // the two-step PIN of account.go (cloudops)

	handler http.Handler
	auth    *authState // users.go: API key, password work factor, token purge

	plainHTTPWebhooks bool // WithPlainHTTPWebhooks: settings.go and backup.go accept http:// URLs
}

// DefaultWebhookPath is where the bridge serves Config.Relay when Config.PublicURL is empty.
const DefaultWebhookPath = "/cloud/webhook"

// Option configures what Config does not: settings with a default that most bridges keep.
// Options validate their input; New fails on a bad one.
type Option func(*options) error

type options struct {
	apiKey       string
	iterations   int
	plainHTTP    bool
	failedLogins int
	failedPer    time.Duration
}

// WithFailedLoginLimit allows n failed Basic logins per client address in each period per
// (refilled evenly), then answers 429 with Retry-After until the address has one again. The
// default is the Webapp's, 30 an hour; n = 0 turns the limit off. The address is the TCP
// peer's: behind a proxy every client shares the proxy's, so keep the limit where the
// proxy cannot apply its own.
func WithFailedLoginLimit(n int, per time.Duration) Option {
	return func(o *options) error {
		if n < 0 || (n > 0 && per <= 0) {
			return fmt.Errorf("bridge: WithFailedLoginLimit(%d, %v): want n ≥ 0 and a positive period", n, per)
		}
		o.failedLogins, o.failedPer = n, per
		return nil
	}
}

// WithPlainHTTPWebhooks lets webhooks.url be an http:// URL, for a receiver on the same
// machine or in tests (the Webapp, and the bridge by default, post to https:// only).
func WithPlainHTTPWebhooks() Option {
	return func(o *options) error { o.plainHTTP = true; return nil }
}

// WithAPIKey accepts `Authorization: Apikey <key>` on the operations whose security lists
// the API key (health, metrics and stats: monitors that must not hold a 7-day token). The
// key has 12 to 128 characters and no spaces, as the fake's. Without it the bridge has no
// API key and refuses the scheme with 401.
func WithAPIKey(key string) Option {
	return func(o *options) error {
		if len(key) < 12 || len(key) > 128 || strings.ContainsAny(key, " \t\r\n") {
			return errors.New("bridge: WithAPIKey: the key must have 12 to 128 characters and no spaces")
		}
		o.apiKey = key
		return nil
	}
}

// WithPasswordIterations sets the PBKDF2 work factor of the password hashes the bridge writes
// (default store.PBKDF2Iterations, at least store.MinPBKDF2Iterations). Tests lower it:
// every login and password change costs one hash, seconds under the race detector.
func WithPasswordIterations(n int) Option {
	return func(o *options) error {
		if n < store.MinPBKDF2Iterations {
			return fmt.Errorf("bridge: WithPasswordIterations: %d, want at least %d", n, store.MinPBKDF2Iterations)
		}
		o.iterations = n
		return nil
	}
}

// New returns a Bridge for cfg: the request pipeline the fake uses (package onpremhttp:
// routing with trailing-slash twins, authentication against the store's users and tokens,
// x-wabiz-access, validation against spec/openapi.yaml, the On-Premises error envelope) in
// front of the bridge's methods, and Config.Relay at the path of Config.PublicURL. A store
// without users gets the initial admin/secret, whose first login must set a new password.
func New(ctx context.Context, cfg Config, opts ...Option) (*Bridge, error) {
	if cfg.Cloud == nil {
		return nil, errors.New("bridge: Config.Cloud is required")
	}
	if cfg.Store == nil {
		return nil, errors.New("bridge: Config.Store is required")
	}
	o := options{iterations: store.PBKDF2Iterations, failedLogins: 30, failedPer: time.Hour}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("bridge: nil option")
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	b := &Bridge{cfg: cfg, store: cfg.Store, cloud: cfg.Cloud, log: cfg.Logger, now: cfg.Now}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.now == nil {
		b.now = time.Now
	}
	status := gen.MetaAPIStatusStable
	version := Version()
	b.meta = &gen.Meta{APIStatus: &status, Version: &version}
	b.auth = newAuthState(o, b.now)
	b.plainHTTPWebhooks = o.plainHTTP
	if err := b.ensureAdmin(ctx); err != nil {
		return nil, err
	}
	load := onpremhttp.Spec
	if o.plainHTTP {
		load = onpremhttp.PlainHTTPSpec
	}
	doc, err := load()
	if err != nil {
		return nil, fmt.Errorf("bridge: %w", err)
	}
	var mounts []onpremhttp.Mount
	if cfg.Relay != nil {
		path, err := webhookPath(cfg.PublicURL)
		if err != nil {
			return nil, err
		}
		mounts = append(mounts, onpremhttp.Mount{Path: path, Handler: cfg.Relay})
	}
	rt, err := onpremhttp.New(onpremhttp.Config{
		Doc:      doc,
		Server:   b,
		Meta:     b.meta,
		Auth:     authenticator{b},
		Validate: true,
		Logger:   b.log,
		Name:     "the bridge",
		Mounts:   mounts,
	})
	if err != nil {
		return nil, fmt.Errorf("bridge: %w", err)
	}
	b.handler = rt
	return b, nil
}

// webhookPath is the path the relay is served at: that of publicURL, or DefaultWebhookPath.
func webhookPath(publicURL string) (string, error) {
	if publicURL == "" {
		return DefaultWebhookPath, nil
	}
	u, err := url.Parse(publicURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("bridge: Config.PublicURL %q is not an absolute URL", publicURL)
	}
	if u.Path == "" || u.Path == "/" {
		return "", fmt.Errorf("bridge: Config.PublicURL %q has no path to serve the webhook at", publicURL)
	}
	if strings.HasPrefix(u.Path, "/v1/") || u.Path == "/metrics" {
		return "", fmt.Errorf("bridge: Config.PublicURL %q has a path of the On-Premises API", publicURL)
	}
	return u.Path, nil
}

// Version is the version the bridge reports in `meta.version`: wabridge-<the module's
// version>, or wabridge-dev in a build without one (go run, tests).
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return "wabridge-" + bi.Main.Version
	}
	return "wabridge-dev"
}

// ServeHTTP serves the On-Premises API.
func (b *Bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.handler.ServeHTTP(w, r)
}

// cloudHasNo is the answer to an operation the Cloud API cannot carry, with what to do
// instead: the refusal answer of refusals.go (RefusalStatus, RefusalCode), which
// spec/openapi.yaml declares on exactly the operations the bridge refuses. Not 403 with 1005, which the Webapp used for
// sandbox limits: On-Premises clients read 403 as "this user may not", and the auth matrix
// of the API must hold on the bridge.
func cloudHasNo(what, instead string) *onpremhttp.Error {
	return onpremhttp.Statusf(RefusalStatus, RefusalCode, "the Cloud API has no %s, so wabridge cannot do this: %s",
		what, instead)
}
