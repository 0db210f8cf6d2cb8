package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wabiz/wabiz/bridge"
	"github.com/wabiz/wabiz/bridge/relay"
	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
)

// HealthPath answers orchestrators' liveness and readiness probes.
const HealthPath = "/_bridge/health"

func newLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Errorf("-log-level: %w", err)}
	}
	o := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, usageError{fmt.Errorf("-log-format: want text or json, got %q", format)}
}

// serve runs the bridge until ctx ends, then shuts it down in order.
func serve(ctx context.Context, c *config, stdout, stderr io.Writer) error {
	log, err := newLogger(c.logLevel, c.logFormat, stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("-listen: %w", err)
	}
	defer ln.Close()

	var demo *demoGraph
	if c.demo {
		if demo, err = startDemo(c, ln.Addr().String(), log); err != nil {
			return err
		}
		defer demo.close()
	}
	tlsConf, caFile, err := c.tlsConfig(ln.Addr().String())
	if err != nil {
		return err
	}
	if demo != nil {
		if err := demo.startFake(c, tlsConf, log); err != nil {
			return err
		}
	}

	opts := []store.Option{}
	if c.initStore {
		opts = append(opts, store.WithCreate())
	}
	st, err := store.Open(ctx, c.store, opts...)
	if err != nil {
		return err // an *store.OpenError naming the path: missing, corrupt or newer schema
	}
	defer st.Close()

	cloudOpts := []cloud.Option{cloud.WithToken(c.graphToken), cloud.WithBaseURL(c.graphURL)}
	if demo != nil {
		cloudOpts = append(cloudOpts, cloud.WithHTTPClient(demo.client))
	}
	cc, err := cloud.NewClient(c.phoneNumberID, cloudOpts...)
	if err != nil {
		return usageError{err}
	}
	var b *bridge.Bridge
	rl, err := relay.New(st, relay.Config{AppSecret: c.appSecret, VerifyToken: c.verifyToken,
		Settings: func(ctx context.Context) (relay.Settings, error) { return b.RelaySettings(ctx) }},
		relay.WithLogger(log))
	if err != nil {
		return err
	}
	defer rl.Close()
	bopts := []bridge.Option{bridge.WithFailedLoginLimit(c.failedLogins, time.Hour)}
	if c.apiKey != "" {
		bopts = append(bopts, bridge.WithAPIKey(c.apiKey))
	}
	if c.plainHTTPWebhooks {
		bopts = append(bopts, bridge.WithPlainHTTPWebhooks())
	}
	if demo != nil {
		bopts = append(bopts, bridge.WithPasswordIterations(store.MinPBKDF2Iterations))
	}
	b, err = bridge.New(ctx, bridge.Config{Cloud: cc, Store: st, WABAID: c.wabaID, AppSecret: c.appSecret,
		VerifyToken: c.verifyToken, PublicURL: c.publicURL, Relay: rl, Logger: log}, bopts...)
	if err != nil {
		return usageError{err}
	}

	mux := http.NewServeMux()
	mux.Handle("GET "+HealthPath, &health{store: st, started: time.Now()})
	mux.Handle("/", b)
	hs := &http.Server{Handler: mux, TLSConfig: tlsConf, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 1 << 20,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	served := make(chan error, 1)
	go func() { served <- hs.ServeTLS(ln, "", "") }()
	relayCtx, stopRelay := context.WithCancel(context.Background())
	relayDone := make(chan error, 1)
	go func() { relayDone <- rl.Run(relayCtx) }()

	base := "https://" + ln.Addr().String()
	log.Info("wabridge listening", "url", base, "cloud_webhook", c.publicURL, "graph", c.graphURL,
		"phone_number_id", c.phoneNumberID, "store", c.store, "ca", caFile, "version", bridge.Version())
	if c.registerWebhook {
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := cc.SetWebhookOverride(rctx, c.publicURL, c.verifyToken)
		cancel()
		if err != nil {
			log.Error("wabridge: registering the Cloud webhook override failed", "error", err)
		} else {
			log.Info("wabridge: the number's webhook override points at this bridge", "url", c.publicURL)
		}
	}
	if demo != nil {
		demo.describe(stdout, base, caFile)
	}

	select {
	case err := <-served:
		stopRelay()
		<-relayDone
		return err
	case <-ctx.Done():
	}
	log.Info("wabridge shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("wabridge: shutdown", "error", err)
	}
	stopRelay()
	<-relayDone
	log.Info("wabridge stopped")
	return nil
}

// health answers 200 while the store answers, 503 otherwise, with a small JSON body.
type health struct {
	store   store.Store
	started time.Time
}

func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	body := map[string]any{"status": "ok", "uptime_s": int(time.Since(h.started).Seconds())}
	status := http.StatusOK
	if n, err := h.store.Pending(ctx); err != nil {
		status, body["status"], body["store"] = http.StatusServiceUnavailable, "unavailable", err.Error()
	} else {
		body["store"], body["outbox_pending"] = "ok", n
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// tlsConfig loads -tls-cert/-tls-key, or the self-signed CA and certificate kept in the TLS
// directory, generating them at the first start. It returns the CA file clients trust
// (empty with given certificates).
func (c *config) tlsConfig(addr string) (*tls.Config, string, error) {
	if c.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
		if err != nil {
			return nil, "", usageError{fmt.Errorf("-tls-cert/-tls-key: %w", err)}
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, "", nil
	}
	dir := c.tlsDir
	if dir == "" {
		dir = filepath.Dir(c.store)
	}
	caFile, certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")
	if cert, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, caFile, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, "", fmt.Errorf("the generated certificate in %s: %w (delete server.pem and server-key.pem to generate new ones)", dir, err)
	}
	hosts := []string{"localhost", "127.0.0.1"}
	if host, _, err := net.SplitHostPort(addr); err == nil && host != "" && host != "::" && host != "0.0.0.0" {
		hosts = append(hosts, host)
	}
	if u, err := url.Parse(c.publicURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	for _, h := range strings.Split(c.tlsHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	conf, caPEM, err := fake.GenerateTLS(hosts...)
	if err != nil {
		return nil, "", err
	}
	leaf := conf.Certificates[0]
	keyDER, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		return nil, "", err
	}
	var chain []byte
	for _, der := range leaf.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{
		{caFile, caPEM, 0o644},
		{certFile, chain, 0o644},
		{keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600},
	} {
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			return nil, "", err
		}
	}
	conf.MinVersion = tls.VersionTLS12
	return conf, caFile, nil
}
