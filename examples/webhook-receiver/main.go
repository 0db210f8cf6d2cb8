// Command webhook-receiver receives the webhooks of a WhatsApp Business On-Premises API
// deployment: it logs every notification it receives and marks inbound messages read.
//
// Configuration comes from flags, each with an environment variable as its default:
//
//	-listen        LISTEN_ADDR            address to listen on (default :8443, or :8080 without TLS)
//	-path          WEBHOOK_PATH           path of the webhook (default /webhook)
//	-wa-base-url   WA_BASE_URL            the API, e.g. https://wa.example.com:9090; empty: log only
//	-wa-username   WA_USERNAME            API user that marks messages read
//	               WA_PASSWORD            its password (environment only, never a flag)
//	-wa-ca-file    WA_CA_FILE             CA of the API's certificate (the default one is self-signed)
//	-tls-cert      TLS_CERT_FILE          certificate of this receiver (PEM)
//	-tls-key       TLS_KEY_FILE           its private key (PEM)
//	-client-ca     WEBHOOK_CLIENT_CA_FILE require client certificates signed by these CAs (mutual TLS)
//	-secret-header WEBHOOK_SECRET_HEADER  require this header to carry WEBHOOK_SECRET (behind a proxy)
//	-debug         DEBUG                  log at debug level
//
// The WhatsApp client posts only to HTTPS URLs. Give the receiver a certificate (with a
// private CA, upload the CA with POST /v1/certificates/webhooks/ca), or terminate TLS in a
// proxy in front of it. See the documentation of package webhook for the TLS recipe, and set
// webhooks.url with PATCH /v1/settings/application.
//
// The process stops cleanly on SIGINT or SIGTERM: it stops accepting callbacks, finishes the
// ones in progress and the pending read receipts, then exits.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/webhook"
)

func main() {
	if err := run(os.Args[1:], os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage is printed, which is a success
		}
		fmt.Fprintln(os.Stderr, "webhook-receiver:", err)
		os.Exit(1)
	}
}

type config struct {
	listen       string
	path         string
	baseURL      string
	username     string
	password     string
	waCAFile     string
	certFile     string
	keyFile      string
	clientCAFile string
	secretHeader string
	secret       string
	debug        bool
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	var c config
	fs := flag.NewFlagSet("webhook-receiver", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: webhook-receiver [flags]
  receives the webhooks, logs them and marks inbound messages read; each flag defaults to
  an environment variable (go doc ./examples/webhook-receiver lists them), WA_PASSWORD and
  WEBHOOK_SECRET are read from the environment only

`)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.listen, "listen", getenv("LISTEN_ADDR"), "address to listen on")
	fs.StringVar(&c.path, "path", or(getenv("WEBHOOK_PATH"), "/webhook"), "path of the webhook")
	fs.StringVar(&c.baseURL, "wa-base-url", getenv("WA_BASE_URL"), "base URL of the WhatsApp Business API; empty: log only")
	fs.StringVar(&c.username, "wa-username", getenv("WA_USERNAME"), "API user (password in WA_PASSWORD)")
	fs.StringVar(&c.waCAFile, "wa-ca-file", getenv("WA_CA_FILE"), "PEM file of the CA of the API's certificate")
	fs.StringVar(&c.certFile, "tls-cert", getenv("TLS_CERT_FILE"), "PEM certificate of this receiver")
	fs.StringVar(&c.keyFile, "tls-key", getenv("TLS_KEY_FILE"), "PEM private key of this receiver")
	fs.StringVar(&c.clientCAFile, "client-ca", getenv("WEBHOOK_CLIENT_CA_FILE"), "PEM CAs that sign the allowed client certificates (mutual TLS)")
	fs.StringVar(&c.secretHeader, "secret-header", getenv("WEBHOOK_SECRET_HEADER"), "header that must carry WEBHOOK_SECRET")
	debug, _ := strconv.ParseBool(getenv("DEBUG"))
	fs.BoolVar(&c.debug, "debug", debug, "log at debug level")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.password = getenv("WA_PASSWORD")
	c.secret = getenv("WEBHOOK_SECRET")

	switch {
	case len(c.path) == 0 || c.path[0] != '/':
		return c, fmt.Errorf("-path %q must start with /", c.path)
	case (c.certFile == "") != (c.keyFile == ""):
		return c, errors.New("-tls-cert and -tls-key go together")
	case c.clientCAFile != "" && c.certFile == "":
		return c, errors.New("-client-ca (mutual TLS) needs -tls-cert and -tls-key")
	case c.baseURL != "" && (c.username == "" || c.password == ""):
		return c, errors.New("-wa-base-url needs -wa-username and WA_PASSWORD")
	case (c.secretHeader == "") != (c.secret == ""):
		return c, errors.New("-secret-header and WEBHOOK_SECRET go together")
	}
	if c.listen == "" {
		c.listen = ":8080"
		if c.certFile != "" {
			c.listen = ":8443"
		}
	}
	return c, nil
}

func run(args []string, getenv func(string) string) error {
	cfg, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if cfg.debug {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var marker *readMarker
	if cfg.baseURL != "" {
		opts := []api.Option{api.WithCredentials(cfg.username, cfg.password)}
		if cfg.waCAFile != "" {
			pem, err := os.ReadFile(cfg.waCAFile)
			if err != nil {
				return err
			}
			opts = append(opts, api.WithCACertPEM(pem))
		}
		client, err := api.NewClient(cfg.baseURL, opts...)
		if err != nil {
			return err
		}
		marker = newReadMarker(client, logger, 4, 1024)
	} else {
		logger.Info("no WA_BASE_URL: messages are logged, not marked read")
	}

	handler, err := newHandler(cfg, logger, marker)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(cfg.path, handler) // every method: the handler itself answers 405 to all but POST

	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if cfg.certFile != "" {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.clientCAFile != "" {
			pem, err := os.ReadFile(cfg.clientCAFile)
			if err != nil {
				return err
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("%s: no certificate found", cfg.clientCAFile)
			}
			srv.TLSConfig.ClientAuth = tls.RequireAndVerifyClientCert
			srv.TLSConfig.ClientCAs = pool
		}
	}

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() {
		if cfg.certFile != "" {
			logger.Info("listening", "addr", ln.Addr().String(), "path", cfg.path, "tls", true,
				"mutual_tls", cfg.clientCAFile != "")
			served <- srv.ServeTLS(ln, cfg.certFile, cfg.keyFile)
			return
		}
		logger.Warn("listening without TLS: the WhatsApp client posts only to HTTPS URLs, so terminate TLS in front of this process",
			"addr", ln.Addr().String(), "path", cfg.path)
		served <- srv.Serve(ln)
	}()

	select {
	case err := <-served:
		if marker != nil {
			marker.stop(context.Background())
		}
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx) // waits for callbacks in progress
	if marker != nil {
		marker.stop(shutdownCtx) // then for the read receipts they queued
	}
	if err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newHandler(cfg config, logger *slog.Logger, marker *readMarker) (*webhook.Handler, error) {
	dedupe, err := webhook.NewDedupe(100_000, 24*time.Hour)
	if err != nil {
		return nil, err
	}
	opts := []webhook.Option{
		webhook.WithLogger(logger),
		webhook.WithDedupe(dedupe),
		webhook.WithMessageFunc(func(ctx context.Context, m *webhook.Message) error {
			attrs := []any{"id", m.ID, "from", m.From, "type", m.Type}
			if m.Sender != nil && m.Sender.Profile != nil && m.Sender.Profile.Name != nil {
				attrs = append(attrs, "name", *m.Sender.Profile.Name)
			}
			if m.GroupID != nil {
				attrs = append(attrs, "group", *m.GroupID)
			}
			switch {
			case m.Text != nil:
				attrs = append(attrs, "text_length", len(m.Text.Body))
			case m.Media() != nil:
				attrs = append(attrs, "media_id", m.Media().ID)
			case m.System != nil && m.System.Type != nil:
				attrs = append(attrs, "event", *m.System.Type)
			}
			logger.InfoContext(ctx, "message", attrs...)
			logger.DebugContext(ctx, "message JSON", "id", m.ID, "raw", string(m.Raw()))
			if ic, ok := m.IdentityChange(); ok {
				logger.WarnContext(ctx, "customer identity changed; acknowledge it before sending",
					"wa_id", ic.WaID, "hash", ic.Hash)
			}
			if marker != nil && m.Type != webhook.MessageTypeSystem {
				marker.enqueue(m.ID)
			}
			return nil
		}),
		webhook.WithStatusFunc(func(ctx context.Context, s *webhook.Status) error {
			attrs := []any{"id", s.ID, "status", s.Status, "timestamp", s.Timestamp}
			if s.RecipientID != nil {
				attrs = append(attrs, "recipient", *s.RecipientID)
			}
			if s.Conversation != nil && s.Conversation.Origin != nil && s.Conversation.Origin.Type != nil {
				attrs = append(attrs, "conversation", *s.Conversation.Origin.Type)
			}
			if s.Errors != nil {
				for _, e := range *s.Errors {
					attrs = append(attrs, "error_code", e.Code, "error_title", e.Title)
				}
			}
			logger.InfoContext(ctx, "status", attrs...)
			return nil
		}),
		webhook.WithErrorNoticeFunc(func(ctx context.Context, e *webhook.ErrorNotice) error {
			logger.WarnContext(ctx, "error notice", "code", e.Code, "title", e.Title, "details", deref(e.Details))
			return nil
		}),
		webhook.WithServiceNoticeFunc(func(ctx context.Context, s *webhook.ServiceNotice) error {
			if gc, job := s.GC(); gc != nil {
				logger.InfoContext(ctx, "garbage collection finished", "job", job, "status", deref(gc.Status),
					"node", deref(gc.Node))
			}
			return nil
		}),
		webhook.WithContactCheckFunc(func(ctx context.Context, c *webhook.Contact) error {
			logger.InfoContext(ctx, "contact check", "input", deref(c.Input), "status", deref(c.Status),
				"wa_id", deref(c.WaID))
			return nil
		}),
		webhook.WithUnknownFunc(func(ctx context.Context, u *webhook.Unknown) error {
			logger.InfoContext(ctx, "notification this build does not know", "key", u.Key, "type", u.Type,
				"id", u.ID, "error", u.Err, "raw", string(u.Raw))
			if marker != nil && u.Key == "messages" && u.ID != "" && u.Err == nil {
				marker.enqueue(u.ID) // a message of a newer type is still a message the customer sent
			}
			return nil
		}),
	}
	if cfg.secretHeader != "" {
		opts = append(opts, webhook.WithSharedHeader(cfg.secretHeader, cfg.secret))
	}
	return webhook.NewHandler(opts...)
}

// readMarker marks messages read in the background, so that a slow API never delays the
// answer to a callback (the client has few callbacks in flight and retries slow ones). Read
// receipts are best effort: when the queue is full, one is dropped and logged.
type readMarker struct {
	client *api.Client
	logger *slog.Logger
	queue  chan string
	wg     sync.WaitGroup

	mu     sync.Mutex
	ctx    context.Context // cancelled when stop gives up waiting
	cancel context.CancelFunc
	closed bool
}

func newReadMarker(client *api.Client, logger *slog.Logger, workers, queue int) *readMarker {
	ctx, cancel := context.WithCancel(context.Background())
	r := &readMarker{client: client, logger: logger, queue: make(chan string, queue), ctx: ctx, cancel: cancel}
	for range workers {
		r.wg.Go(r.work)
	}
	return r
}

func (r *readMarker) enqueue(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	select {
	case r.queue <- id:
	default:
		r.logger.Warn("read receipt dropped: queue full", "id", id)
	}
}

func (r *readMarker) work() {
	for id := range r.queue {
		ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
		err := r.client.MarkRead(ctx, id)
		cancel()
		if err != nil {
			r.logger.Warn("marking read failed", "id", id, "error", err)
			continue
		}
		r.logger.Debug("marked read", "id", id)
	}
}

// stop lets the workers finish the queue, or cancels them when ctx ends first.
func (r *readMarker) stop(ctx context.Context) {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		r.cancel()
		<-done
	}
	r.cancel()
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
