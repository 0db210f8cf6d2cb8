package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/wabiz/wabiz/internal/envflag"
)

// config is what wabridge runs with, from flags and WABRIDGE_* variables.
type config struct {
	graphToken, phoneNumberID, wabaID string
	graphURL                          string
	appSecret, verifyToken            string
	publicURL                         string
	registerWebhook                   bool
	listen                            string
	tlsCert, tlsKey, tlsDir           string
	tlsHosts                          string
	store                             string
	initStore                         bool
	apiKey                            string
	failedLogins                      int
	plainHTTPWebhooks                 bool
	logLevel, logFormat               string
	shutdownTimeout                   time.Duration
	demo                              bool
}

// secretFlags are never printed, logged or echoed in an error.
var secretFlags = []string{"graph-token", "app-secret", "verify-token", "api-key"}

func parseFlags(args []string, getenv func(string) string, out io.Writer) (*config, error) {
	fs := flag.NewFlagSet("wabridge", flag.ContinueOnError)
	fs.SetOutput(out)
	ev := envflag.New(getenv)
	env, envBool, envDur := ev.String, ev.Bool, ev.Duration
	c := &config{}
	fs.StringVar(&c.graphToken, "graph-token", env("WABRIDGE_GRAPH_TOKEN", ""), "system-user access token of the Cloud API (WABRIDGE_GRAPH_TOKEN; required)")
	fs.StringVar(&c.phoneNumberID, "phone-number-id", env("WABRIDGE_PHONE_NUMBER_ID", ""), "Cloud API phone number id the bridge serves (WABRIDGE_PHONE_NUMBER_ID; required)")
	fs.StringVar(&c.wabaID, "waba-id", env("WABRIDGE_WABA_ID", ""), "WhatsApp Business Account id of the number (WABRIDGE_WABA_ID)")
	fs.StringVar(&c.graphURL, "graph-url", env("WABRIDGE_GRAPH_URL", "https://graph.facebook.com"), "Graph API root, without the version (WABRIDGE_GRAPH_URL)")
	fs.StringVar(&c.appSecret, "app-secret", env("WABRIDGE_APP_SECRET", ""), "Meta app secret, checks X-Hub-Signature-256 of Cloud webhooks (WABRIDGE_APP_SECRET; required)")
	fs.StringVar(&c.verifyToken, "verify-token", env("WABRIDGE_VERIFY_TOKEN", ""), "verify token of the Cloud webhook handshake (WABRIDGE_VERIFY_TOKEN; required)")
	fs.StringVar(&c.publicURL, "public-url", env("WABRIDGE_PUBLIC_URL", ""), "public https URL of the bridge's Cloud webhook endpoint, e.g. https://bridge.example.com/cloud/webhook (WABRIDGE_PUBLIC_URL; required)")
	fs.BoolVar(&c.registerWebhook, "register-webhook", envBool("WABRIDGE_REGISTER_WEBHOOK"), "at start, set the number's webhook override to -public-url (Meta's handshake runs against this bridge) (WABRIDGE_REGISTER_WEBHOOK)")
	fs.StringVar(&c.listen, "listen", env("WABRIDGE_LISTEN", ":9090"), "listen address of the On-Premises API and the Cloud endpoint (WABRIDGE_LISTEN)")
	fs.StringVar(&c.tlsCert, "tls-cert", env("WABRIDGE_TLS_CERT", ""), "PEM certificate chain; with -tls-key, replaces the generated self-signed one (WABRIDGE_TLS_CERT)")
	fs.StringVar(&c.tlsKey, "tls-key", env("WABRIDGE_TLS_KEY", ""), "PEM private key of -tls-cert (WABRIDGE_TLS_KEY)")
	fs.StringVar(&c.tlsDir, "tls-dir", env("WABRIDGE_TLS_DIR", ""), "where the generated CA (ca.pem) and server certificate are kept (default: the store's directory) (WABRIDGE_TLS_DIR)")
	fs.StringVar(&c.tlsHosts, "tls-hosts", env("WABRIDGE_TLS_HOSTS", ""), "extra host names or IPs of the generated certificate, comma-separated (WABRIDGE_TLS_HOSTS)")
	fs.StringVar(&c.store, "store", env("WABRIDGE_STORE", "wabridge.db"), "SQLite store: users, tokens, settings, webhook outbox (WABRIDGE_STORE)")
	fs.BoolVar(&c.initStore, "init", envBool("WABRIDGE_INIT"), "create the store if it does not exist (without it a missing file is an error) (WABRIDGE_INIT)")
	fs.StringVar(&c.apiKey, "api-key", env("WABRIDGE_API_KEY", ""), "API key for monitors (health, metrics, stats), 12 to 128 characters (WABRIDGE_API_KEY)")
	fs.IntVar(&c.failedLogins, "failed-logins", ev.Int("WABRIDGE_FAILED_LOGINS", 30), "failed Basic logins allowed per client address and hour, then 429 (the Webapp's 30); 0 turns the limit off (WABRIDGE_FAILED_LOGINS)")
	fs.BoolVar(&c.plainHTTPWebhooks, "plain-http-webhooks", envBool("WABRIDGE_PLAIN_HTTP_WEBHOOKS"), "accept http:// in webhooks.url, for a receiver on the same machine (WABRIDGE_PLAIN_HTTP_WEBHOOKS)")
	fs.StringVar(&c.logLevel, "log-level", env("WABRIDGE_LOG_LEVEL", "info"), "debug, info, warn or error (WABRIDGE_LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log-format", env("WABRIDGE_LOG_FORMAT", "text"), "text or json (WABRIDGE_LOG_FORMAT)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", envDur("WABRIDGE_SHUTDOWN_TIMEOUT", 20*time.Second), "how long requests and deliveries in progress may take to finish on shutdown (WABRIDGE_SHUTDOWN_TIMEOUT)")
	fs.BoolVar(&c.demo, "demo", envBool("WABRIDGE_DEMO"), "run offline against the wabiz fake's Cloud dialect in-process, with a temporary store (WABRIDGE_DEMO)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if err := ev.Err(); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q: wabridge takes flags only (see -h)", fs.Args())
	}
	return c, c.check()
}

// check reports what is missing or inconsistent, naming flags and variables, never values.
func (c *config) check() error {
	var errs []error
	if !c.demo {
		for _, r := range []struct{ flag, env, v string }{
			{"graph-token", "WABRIDGE_GRAPH_TOKEN", c.graphToken},
			{"phone-number-id", "WABRIDGE_PHONE_NUMBER_ID", c.phoneNumberID},
			{"app-secret", "WABRIDGE_APP_SECRET", c.appSecret},
			{"verify-token", "WABRIDGE_VERIFY_TOKEN", c.verifyToken},
			{"public-url", "WABRIDGE_PUBLIC_URL", c.publicURL},
		} {
			if strings.TrimSpace(r.v) == "" {
				errs = append(errs, fmt.Errorf("-%s (%s) is required", r.flag, r.env))
			}
		}
		if c.publicURL != "" {
			if u, err := url.Parse(c.publicURL); err != nil || u.Scheme != "https" || u.Host == "" {
				errs = append(errs, errors.New("-public-url must be an absolute https:// URL (Meta posts webhooks to HTTPS only)"))
			}
		}
	}
	if c.failedLogins < 0 {
		errs = append(errs, errors.New("-failed-logins must be 0 (no limit) or more"))
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		errs = append(errs, errors.New("-tls-cert and -tls-key go together"))
	}
	if c.shutdownTimeout <= 0 {
		errs = append(errs, errors.New("-shutdown-timeout must be positive"))
	}
	return errors.Join(errs...)
}
