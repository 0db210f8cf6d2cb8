// Package bridgetest starts wabridge in front of the fake's Cloud dialect, for tests of
// On-Premises integrations that move to the Cloud API through the bridge: the bridge (on a
// SQLite store in the test's temporary directory, with its relay running) serves the
// On-Premises API over TLS, the fake stands in for Graph, and the fake's signed Cloud
// webhooks reach the bridge's Cloud endpoint, which forwards them to the integration's
// webhooks.url. Nothing leaves 127.0.0.1.
//
// Point the integration at Server.URL, trusting Server.CACertPEM, and log in as admin with
// the initial password "secret" (the first login must set a new one, as on the Webapp);
// tests/bridge_e2e_test.go and examples/quickstart/bridge_test.go do so. The fake plays the customer: srv.Fake.InjectInbound delivers a message to the bridge as a
// Cloud webhook.
package bridgetest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/wabiz/wabiz/bridge"
	"github.com/wabiz/wabiz/bridge/relay"
	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
)

// The Meta app's secrets shared by the fake and the bridge.
const (
	AppSecret   = "bridgetest-app-secret-0123456789"
	VerifyToken = "bridgetest-verify-token"
)

// Server is a running bridge in front of the fake's Cloud dialect.
type Server struct {
	// URL is the bridge's On-Premises API, https://127.0.0.1:port.
	URL string
	// CACertPEM is the CA of the bridge's certificate (what WA_CA_FILE holds for a Webapp).
	CACertPEM []byte
	// Fake is the Cloud API stand-in; its On-Premises routes are not used.
	Fake *fake.TestServer
	// Bridge, Relay and Store are the bridge's parts, for tests that look inside.
	Bridge *bridge.Bridge
	Relay  *relay.Relay
	Store  store.Store

	client *http.Client
}

// Client returns an HTTP client that trusts the bridge's certificate.
func (s *Server) Client() *http.Client { return s.client }

type options struct {
	fakeOpts   []fake.Option
	bridgeOpts []bridge.Option
	wrap       func(http.Handler) http.Handler
	logger     *slog.Logger
}

// Option configures New.
type Option func(*options)

// WithFakeOptions adds options of the fake (after the defaults: no service window, no
// rate limits).
func WithFakeOptions(opts ...fake.Option) Option {
	return func(o *options) { o.fakeOpts = append(o.fakeOpts, opts...) }
}

// WithBridgeOptions adds options of the bridge (after the defaults: the cheapest password
// hashes the bridge accepts, http:// webhook URLs allowed).
func WithBridgeOptions(opts ...bridge.Option) Option {
	return func(o *options) { o.bridgeOpts = append(o.bridgeOpts, opts...) }
}

// WithHandlerWrapper wraps the bridge's On-Premises API (not its Cloud endpoint), for
// example with a middleware that validates every answer against the spec.
func WithHandlerWrapper(wrap func(http.Handler) http.Handler) Option {
	return func(o *options) { o.wrap = wrap }
}

// WithLogger sets the logger of the fake, the bridge and the relay (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// New starts the fake, the bridge and its relay, registers the bridge's Cloud endpoint with
// the fake (Meta's GET handshake included), and stops everything when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	o := options{logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	tlsConf, caPEM, err := fake.GenerateTLS()
	if err != nil {
		t.Fatalf("bridgetest: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}

	var handler http.Handler = http.NotFoundHandler()
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.ServeHTTP(w, r)
	}))
	front.TLS = tlsConf
	front.StartTLS()

	fakeOpts := append([]fake.Option{fake.WithLogger(o.logger), fake.WithCloudAppSecret(AppSecret),
		fake.WithoutCloudServiceWindow(), fake.WithWebhookHTTPClient(trusting)}, o.fakeOpts...)
	f := fake.NewTestServer(t, fakeOpts...)

	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "wabridge.db"), store.WithCreate())
	if err != nil {
		t.Fatalf("bridgetest: %v", err)
	}
	c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(fake.DefaultCloudToken),
		cloud.WithBaseURL(f.URL+"/graph"), cloud.WithHTTPClient(f.Client()))
	if err != nil {
		t.Fatalf("bridgetest: %v", err)
	}
	var b *bridge.Bridge
	r, err := relay.New(st, relay.Config{AppSecret: AppSecret, VerifyToken: VerifyToken,
		Settings: func(ctx context.Context) (relay.Settings, error) { return b.RelaySettings(ctx) }},
		relay.WithLogger(o.logger))
	if err != nil {
		t.Fatalf("bridgetest: %v", err)
	}
	bridgeOpts := append([]bridge.Option{bridge.WithPasswordIterations(store.MinPBKDF2Iterations),
		bridge.WithPlainHTTPWebhooks()}, o.bridgeOpts...)
	b, err = bridge.New(context.Background(), bridge.Config{Cloud: c, Store: st, Relay: r,
		AppSecret: AppSecret, VerifyToken: VerifyToken, PublicURL: front.URL + bridge.DefaultWebhookPath,
		Logger: o.logger}, bridgeOpts...)
	if err != nil {
		t.Fatalf("bridgetest: %v", err)
	}
	api := http.Handler(b)
	if o.wrap != nil {
		api = o.wrap(b)
	}
	handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == bridge.DefaultWebhookPath {
			b.ServeHTTP(w, req) // the relay: not an operation of the On-Premises spec
			return
		}
		api.ServeHTTP(w, req)
	})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = r.Close()
		front.Close()
		_ = st.Close()
	})
	if err := c.SetWebhookOverride(context.Background(), front.URL+bridge.DefaultWebhookPath, VerifyToken); err != nil {
		t.Fatalf("bridgetest: registering the bridge's Cloud endpoint with the fake: %v", err)
	}
	return &Server{URL: front.URL, CACertPEM: caPEM, Fake: f, Bridge: b, Relay: r, Store: st, client: trusting}
}
