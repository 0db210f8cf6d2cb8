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
// Every flag can also be set with the environment variable named in its help (flags win).
// Logs are structured (log/slog) on standard error. SIGINT and SIGTERM shut the server down
// gracefully: requests in progress finish (up to 10 seconds), then webhook delivery stops.
//
// Usage:
//
//	wafake [flags]
//
// Example:
//
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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wabiz/wabiz/fake"
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
}

// parseFlags reads flags, falling back to the WAFAKE_* environment variables.
func parseFlags(args []string, getenv func(string) string, out io.Writer) (*settings, error) {
	fs := flag.NewFlagSet("wafake", flag.ContinueOnError)
	fs.SetOutput(out)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	envBool := func(name string) bool {
		b, _ := strconv.ParseBool(getenv(name))
		return b
	}
	envDur := func(name string, def time.Duration) time.Duration {
		if d, err := time.ParseDuration(getenv(name)); err == nil {
			return d
		}
		return def
	}
	envInt := func(name string, def int) int {
		if n, err := strconv.Atoi(getenv(name)); err == nil {
			return n
		}
		return def
	}
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
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return s, nil
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
	opts, err := s.options(logger)
	if err != nil {
		return err
	}
	var caPEM []byte
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
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
