// Command wafake runs the wabiz fake WhatsApp Business On-Premises API server as a standalone
// program, for tests written in any language.
//
// It serves the API of spec/openapi.yaml (`/v1/...` and `/metrics`) with in-memory state, sends
// webhooks like the real client, and offers the control API under `/_fake/` (inject inbound
// messages, read sent messages and the webhook delivery log, set the health state, advance the
// clock, inject faults, reset). By default it listens on 127.0.0.1:9090 with HTTPS, using a
// certificate issued by a CA generated at start; the CA is served by
// GET /v1/certificates/external/ca and can be written to a file with -ca-out. With -http it
// serves plain HTTP.
//
// # Starting state
//
// Without flags the fake starts as a new deployment does: the number is not registered (the
// health check says gateway_status "unregistered" and sends fail with 500, code 1011, until
// POST /v1/account and /v1/account/verify register it), no webhook URL is set (sends fail
// with 412, code 1022, until PATCH /v1/settings/application sets webhooks.url), and the admin
// user's password is "secret", which the first login must change (401, code 1024). Rate limits
// are on.
//
// -preset ready starts it ready to send instead: the number +1 6315551019 registered and
// connected, the admin password already changed to "Adm1n-Pass!" (log in with it directly),
// and webhooks.url pointing at a sink that wafake serves on another port of 127.0.0.1 and that
// answers 200 to every callback (read them in the delivery log, GET /_fake/webhooks/log).
// Flags and variables given explicitly win over the preset (-webhook-url sends the webhooks
// to your receiver instead). POST /_fake/reset goes back to the starting state, preset
// included.
//
// Every flag can also be set with the environment variable named in its help (flags win); a
// value that does not parse is an error that names the variable.
// Logs are structured (log/slog) on standard error. SIGINT and SIGTERM shut the server down
// gracefully: requests in progress finish (up to 10 seconds), then webhook delivery stops.
//
// Usage:
//
//	wafake [flags]
//
// Examples:
//
//	wafake -preset ready -ca-out /tmp/wafake-ca.pem
//	wafake -http -admin-password 'N3w-Passw0rd!' -plain-http-webhooks -webhook-url http://127.0.0.1:8080/hook
//
// Like the real server, webhooks.url must be https:// unless -plain-http-webhooks relaxes the
// rule for a local receiver without TLS; per-kind media limits apply at send unless
// -media-limits-at-upload moves them to the upload.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/internal/envflag"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "wafake:", err)
		os.Exit(1)
	}
}

// settings are the parsed flags.
type settings struct {
	addr, tlsHosts, caOut                string
	plainHTTP, noRateLimits, careWindow  bool
	plainHTTPWebhooks, limitsAtUpload    bool
	adminPassword, apiKey, version, code string
	registered, contacts, webhookURL     string
	statusDelays, templates, mediaDir    string
	publicURL, logLevel, logFormat       string
	contactDelay, webhookTimeout         time.Duration
	queueCapacity                        int
	seed                                 uint64
	shutdownTimeout                      time.Duration
	idleTimeout, readTimeout             time.Duration
	preset                               string
	webhookSink                          bool // the preset's sink receives the webhooks
}

// The ready preset (see the package doc).
const (
	presetReady        = "ready"
	readyAdminPassword = "Adm1n-Pass!"
	readyNumber        = fake.TestBusinessCC + ":" + fake.TestBusinessPhone
)

// durationValue replaces the flag package's duration flags, whose error for a bad value is
// only "parse error", with one that says what a duration looks like.
type durationValue struct{ flag.Value }

func (d durationValue) Set(v string) error {
	if _, err := time.ParseDuration(v); err != nil {
		return fmt.Errorf("want a duration such as 10s, 1m30s or 250ms: %w", err)
	}
	return d.Value.Set(v)
}

// parseFlags reads flags, falling back to the WAFAKE_* environment variables.
func parseFlags(args []string, getenv func(string) string, out io.Writer) (*settings, error) {
	fs := flag.NewFlagSet("wafake", flag.ContinueOnError)
	fs.SetOutput(out)
	ev := envflag.New(getenv)
	env, envBool, envDur := ev.String, ev.Bool, ev.Duration
	envInt := ev.Int
	s := &settings{}
	fs.StringVar(&s.addr, "addr", env("WAFAKE_ADDR", "127.0.0.1:9090"), "listen address (WAFAKE_ADDR)")
	fs.BoolVar(&s.plainHTTP, "http", envBool("WAFAKE_HTTP"), "serve plain HTTP instead of HTTPS (WAFAKE_HTTP)")
	fs.StringVar(&s.tlsHosts, "tls-hosts", env("WAFAKE_TLS_HOSTS", ""), "extra host names or IPs for the generated certificate, comma-separated (WAFAKE_TLS_HOSTS)")
	fs.StringVar(&s.caOut, "ca-out", env("WAFAKE_CA_OUT", ""), "write the generated CA certificate (PEM) to this file (WAFAKE_CA_OUT)")
	fs.StringVar(&s.adminPassword, "admin-password", env("WAFAKE_ADMIN_PASSWORD", fake.DefaultAdminPassword),
		"initial admin password; anything but 'secret' starts with the password already changed (WAFAKE_ADMIN_PASSWORD)")
	fs.StringVar(&s.apiKey, "api-key", env("WAFAKE_API_KEY", ""), "API key accepted as 'Authorization: Apikey <key>', 12 to 128 characters (WAFAKE_API_KEY)")
	fs.StringVar(&s.version, "version", env("WAFAKE_VERSION", fake.DefaultVersion), "version reported in meta.version (WAFAKE_VERSION)")
	fs.StringVar(&s.code, "verification-code", env("WAFAKE_VERIFICATION_CODE", fake.DefaultVerificationCode), "registration code accepted by POST /v1/account/verify (WAFAKE_VERIFICATION_CODE)")
	fs.StringVar(&s.registered, "registered", env("WAFAKE_REGISTERED", ""), "start registered with this number, as cc:phone, e.g. 1:6315551019 (WAFAKE_REGISTERED)")
	fs.StringVar(&s.contacts, "contacts", env("WAFAKE_CONTACTS", ""), "seed contacts, comma-separated wa_id[:valid|invalid][:profile name] (WAFAKE_CONTACTS)")
	fs.StringVar(&s.webhookURL, "webhook-url", env("WAFAKE_WEBHOOK_URL", ""), "initial webhooks.url application setting (WAFAKE_WEBHOOK_URL)")
	fs.StringVar(&s.statusDelays, "status-delays", env("WAFAKE_STATUS_DELAYS", ""), "delays of the sent, delivered and read statuses, e.g. 1s,2s,5s (WAFAKE_STATUS_DELAYS)")
	fs.DurationVar(&s.contactDelay, "contact-check-delay", envDur("WAFAKE_CONTACT_CHECK_DELAY", 10*time.Millisecond), "delay of non-blocking contact-check results (WAFAKE_CONTACT_CHECK_DELAY)")
	fs.DurationVar(&s.webhookTimeout, "webhook-timeout", envDur("WAFAKE_WEBHOOK_TIMEOUT", 10*time.Second), "timeout of each webhook request (WAFAKE_WEBHOOK_TIMEOUT)")
	fs.IntVar(&s.queueCapacity, "queue-capacity", envInt("WAFAKE_QUEUE_CAPACITY", fake.DefaultQueueCapacity), "pending webhooks beyond which sends fail with 1016 (WAFAKE_QUEUE_CAPACITY)")
	fs.BoolVar(&s.plainHTTPWebhooks, "plain-http-webhooks", envBool("WAFAKE_PLAIN_HTTP_WEBHOOKS"), "relax the real server's rule: accept http:// webhook URLs, for local receivers without TLS (WAFAKE_PLAIN_HTTP_WEBHOOKS)")
	fs.BoolVar(&s.limitsAtUpload, "media-limits-at-upload", envBool("WAFAKE_MEDIA_LIMITS_AT_UPLOAD"), "check the per-kind media size limits at upload instead of at send, where the real server checks them (WAFAKE_MEDIA_LIMITS_AT_UPLOAD)")
	fs.BoolVar(&s.noRateLimits, "no-rate-limits", envBool("WAFAKE_NO_RATE_LIMITS"), "turn rate limits off, for load tests (WAFAKE_NO_RATE_LIMITS)")
	fs.BoolVar(&s.careWindow, "customer-care-window", envBool("WAFAKE_CUSTOMER_CARE_WINDOW"), "fail free-form messages outside the 24-hour window with 470 (WAFAKE_CUSTOMER_CARE_WINDOW)")
	fs.StringVar(&s.templates, "templates", env("WAFAKE_TEMPLATES", ""), "JSON file with approved templates (a list of fake.Template) (WAFAKE_TEMPLATES)")
	fs.StringVar(&s.mediaDir, "media-dir", env("WAFAKE_MEDIA_DIR", ""), "directory for uploaded media (default: a temporary one) (WAFAKE_MEDIA_DIR)")
	fs.StringVar(&s.publicURL, "public-url", env("WAFAKE_PUBLIC_URL", ""), "base URL used in photo and icon links (WAFAKE_PUBLIC_URL)")
	fs.Uint64Var(&s.seed, "seed", uint64(envInt("WAFAKE_SEED", 1)), "seed of generated ids (WAFAKE_SEED)")
	fs.StringVar(&s.logLevel, "log-level", env("WAFAKE_LOG_LEVEL", "info"), "debug, info, warn or error (WAFAKE_LOG_LEVEL)")
	fs.StringVar(&s.logFormat, "log-format", env("WAFAKE_LOG_FORMAT", "text"), "text or json (WAFAKE_LOG_FORMAT)")
	fs.DurationVar(&s.shutdownTimeout, "shutdown-timeout", envDur("WAFAKE_SHUTDOWN_TIMEOUT", 10*time.Second), "how long requests in progress may take to finish on shutdown (WAFAKE_SHUTDOWN_TIMEOUT)")
	fs.DurationVar(&s.idleTimeout, "idle-timeout", envDur("WAFAKE_IDLE_TIMEOUT", defaultIdleTimeout), "how long an idle keep-alive connection stays open (WAFAKE_IDLE_TIMEOUT)")
	fs.DurationVar(&s.readTimeout, "read-timeout", envDur("WAFAKE_READ_TIMEOUT", defaultReadTimeout), "how long reading one request, body included, may take (WAFAKE_READ_TIMEOUT)")
	fs.StringVar(&s.preset, "preset", env("WAFAKE_PRESET", ""), "'ready': registered, admin password "+readyAdminPassword+", webhooks to a sink; ready to send (WAFAKE_PRESET)")
	fs.VisitAll(func(f *flag.Flag) {
		if g, ok := f.Value.(flag.Getter); ok {
			if _, isDur := g.Get().(time.Duration); isDur {
				f.Value = durationValue{f.Value}
			}
		}
	})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if err := ev.Err(); err != nil {
		return nil, err
	}
	if err := s.applyPreset(fs, getenv); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if s.idleTimeout <= 0 || s.readTimeout <= 0 {
		return nil, errors.New("-idle-timeout and -read-timeout must be positive")
	}
	return s, nil
}

// applyPreset fills in the preset's values for the settings that no flag and no variable
// gave.
func (s *settings) applyPreset(fs *flag.FlagSet, getenv func(string) string) error {
	switch s.preset {
	case "":
		return nil
	case presetReady:
	default:
		return fmt.Errorf("-preset: want %q, got %q", presetReady, s.preset)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	unset := func(flagName, envName string) bool { return !given[flagName] && getenv(envName) == "" }
	if unset("registered", "WAFAKE_REGISTERED") {
		s.registered = readyNumber
	}
	if unset("admin-password", "WAFAKE_ADMIN_PASSWORD") {
		s.adminPassword = readyAdminPassword
	}
	s.webhookSink = unset("webhook-url", "WAFAKE_WEBHOOK_URL")
	if s.webhookSink {
		// The sink is plain HTTP on loopback, so the preset relaxes the https:// rule for it
		// (as -plain-http-webhooks would).
		s.plainHTTPWebhooks = true
	}
	return nil
}

// startSink serves the preset's webhook sink on a free port of 127.0.0.1 over plain HTTP (so
// the fake's webhook client needs no CA) and points webhooks.url at it. It answers 200 to
// every callback and keeps nothing: the delivery log has them.
func (s *settings) startSink(logger *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("-preset %s: webhook sink: %w", s.preset, err)
	}
	sink := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		logger.Debug("webhook sink: callback received", "bytes", n)
	})}
	go func() { _ = sink.Serve(ln) }()
	s.webhookURL = "http://" + ln.Addr().String() + "/webhook"
	return sink, nil
}

// describeStart says in which state the fake starts, so that the first failed send is not a
// surprise (see the package doc).
func (s *settings) describeStart(logger *slog.Logger) {
	registered := "unregistered (sends fail with 1011 until POST /v1/account registers a number)"
	if s.registered != "" {
		registered = "registered as " + s.registered
	}
	hooks := "no webhook URL (sends fail with 412/1022 until webhooks.url is set)"
	if s.webhookURL != "" {
		hooks = "webhooks.url " + s.webhookURL
	}
	password := "admin/" + fake.DefaultAdminPassword + ", to change at the first login (1024)"
	if s.adminPassword != fake.DefaultAdminPassword {
		password = "admin password set, no change needed"
	}
	hint := ""
	if s.preset == "" {
		hint = "; -preset ready starts ready to send"
	}
	logger.Info("wafake starting state: "+registered+"; "+hooks+"; "+password+hint, "preset", s.preset)
}

// The standalone server's connection limits. Without an idle timeout a client that stops
// using its keep-alive connection holds it forever (and a test runner waiting for it hangs);
// the read timeout covers a whole request, so it must leave room for a 100 MB upload over a
// slow link.
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultIdleTimeout       = 2 * time.Minute
	defaultReadTimeout       = 5 * time.Minute
)

// newHTTPServer returns the standalone server with its connection timeouts. WriteTimeout
// stays unset: a long download or a slow reader of a large file is not an error.
func (s *settings) newHTTPServer(logger *slog.Logger) *http.Server {
	return &http.Server{
		ReadHeaderTimeout: defaultReadHeaderTimeout,
		ReadTimeout:       s.readTimeout,
		IdleTimeout:       s.idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// options turns the settings into fake options.
func (s *settings) options(logger *slog.Logger) ([]fake.Option, error) {
	opts := []fake.Option{
		fake.WithLogger(logger),
		fake.WithAdminPassword(s.adminPassword),
		fake.WithVersion(s.version),
		fake.WithVerificationCode(s.code),
		fake.WithContactCheckDelay(s.contactDelay),
		fake.WithWebhookTimeout(s.webhookTimeout),
		fake.WithWebhookQueueCapacity(s.queueCapacity),
		fake.WithSeed(s.seed),
	}
	if s.apiKey != "" {
		opts = append(opts, fake.WithAPIKey(s.apiKey))
	}
	if s.registered != "" {
		cc, phone, ok := strings.Cut(s.registered, ":")
		if !ok {
			return nil, fmt.Errorf("-registered: want cc:phone, got %q", s.registered)
		}
		opts = append(opts, fake.WithRegistered(cc, phone))
	}
	if s.contacts != "" {
		seeds, err := parseContacts(s.contacts)
		if err != nil {
			return nil, err
		}
		opts = append(opts, fake.WithSeedContacts(seeds...))
	}
	if s.plainHTTPWebhooks {
		opts = append(opts, fake.WithPlainHTTPWebhooks())
	}
	if s.limitsAtUpload {
		opts = append(opts, fake.WithMediaKindLimitsAtUpload())
	}
	if s.webhookURL != "" {
		opts = append(opts, fake.WithWebhookURL(s.webhookURL))
	}
	if s.statusDelays != "" {
		parts := strings.Split(s.statusDelays, ",")
		if len(parts) != 3 {
			return nil, fmt.Errorf("-status-delays: want three durations, got %q", s.statusDelays)
		}
		var d [3]time.Duration
		for i, p := range parts {
			v, err := time.ParseDuration(strings.TrimSpace(p))
			if err != nil {
				return nil, fmt.Errorf("-status-delays: %w", err)
			}
			d[i] = v
		}
		opts = append(opts, fake.WithStatusDelays(fake.StatusDelays{Sent: d[0], Delivered: d[1], Read: d[2]}))
	}
	if s.noRateLimits {
		opts = append(opts, fake.WithoutRateLimits())
	}
	if s.careWindow {
		opts = append(opts, fake.WithCustomerCareWindow())
	}
	if s.templates != "" {
		data, err := os.ReadFile(s.templates)
		if err != nil {
			return nil, fmt.Errorf("-templates: %w", err)
		}
		var ts []fake.Template
		if err := json.Unmarshal(data, &ts); err != nil {
			return nil, fmt.Errorf("-templates: %w", err)
		}
		opts = append(opts, fake.WithTemplates(ts...))
	}
	if s.mediaDir != "" {
		opts = append(opts, fake.WithMediaDir(s.mediaDir))
	}
	if s.publicURL != "" {
		opts = append(opts, fake.WithPublicURL(s.publicURL))
	}
	return opts, nil
}

// parseContacts reads wa_id[:valid|invalid][:name],...
func parseContacts(list string) ([]fake.ContactSeed, error) {
	var out []fake.ContactSeed
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		parts := strings.SplitN(item, ":", 3)
		seed := fake.ContactSeed{WaID: parts[0], Valid: true}
		if len(parts) > 1 {
			switch parts[1] {
			case "valid", "":
			case "invalid":
				seed.Valid = false
			default:
				return nil, fmt.Errorf("-contacts: %q: the status must be valid or invalid", item)
			}
		}
		if len(parts) > 2 {
			seed.Name = parts[2]
		}
		out = append(out, seed)
	}
	return out, nil
}

func newLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level: %w", err)
	}
	o := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("-log-format: want text or json, got %q", format)
}

// run starts the server and blocks until SIGINT or SIGTERM, or ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	s, err := parseFlags(args, getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	logger, err := newLogger(s.logLevel, s.logFormat, stderr)
	if err != nil {
		return err
	}
	if s.webhookSink {
		sink, err := s.startSink(logger)
		if err != nil {
			return err
		}
		defer sink.Close()
	}
	s.describeStart(logger)
	opts, err := s.options(logger)
	if err != nil {
		return err
	}
	var caPEM []byte
	hs := s.newHTTPServer(logger)
	if !s.plainHTTP {
		var hosts []string
		if host, _, err := net.SplitHostPort(s.addr); err == nil && host != "" {
			hosts = append(hosts, host)
		}
		for _, h := range strings.Split(s.tlsHosts, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hosts = append(hosts, h)
			}
		}
		tlsConf, ca, err := fake.GenerateTLS(hosts...)
		if err != nil {
			return err
		}
		hs.TLSConfig, caPEM = tlsConf, ca
		opts = append(opts, fake.WithExternalCA(ca))
		if s.caOut != "" {
			if err := os.WriteFile(s.caOut, ca, 0o644); err != nil {
				return fmt.Errorf("-ca-out: %w", err)
			}
		}
	}
	srv, err := fake.New(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	hs.Handler = srv.Handler()
	hs.ConnState = srv.ConnState

	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	scheme := "https"
	if s.plainHTTP {
		scheme = "http"
	}
	logger.Info("wafake listening", "url", scheme+"://"+ln.Addr().String(), "version", s.version,
		"control_api", scheme+"://"+ln.Addr().String()+"/_fake/", "ca_out", s.caOut, "ca_bytes", len(caPEM))

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		if s.plainHTTP {
			errc <- hs.Serve(ln)
		} else {
			errc <- hs.ServeTLS(ln, "", "")
		}
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	logger.Info("wafake shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), s.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		logger.Warn("wafake: shutdown", "error", err)
	}
	if err := srv.Close(); err != nil {
		logger.Warn("wafake: closing the fake", "error", err)
	}
	logger.Info("wafake stopped")
	return nil
}
