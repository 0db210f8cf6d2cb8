package fake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// Defaults of NewTestServer.
const (
	// TestBusinessCC and TestBusinessPhone form the number a TestServer starts registered with
	// (wa_id 16315551019).
	TestBusinessCC    = "1"
	TestBusinessPhone = "6315551019"
	// TestAPIKey is the API key a TestServer accepts.
	TestAPIKey = "wabiz-test-api-key"
	// TestAdminNewPassword is the password TestServer.AdminToken sets on the first login.
	TestAdminNewPassword = "Adm1n-Test!Pass"
)

// TestServer is a fake served by an httptest server for one test.
type TestServer struct {
	// Server is the fake itself: its control methods (InjectInbound, InjectFault, Advance,
	// SentMessages, DeliveryLog, ...) are available on the TestServer.
	*Server
	// URL is the base URL, without a trailing slash (https:// with WithTLS).
	URL string
	// AdminUsername is "admin".
	AdminUsername string
	// AdminPassword is the admin's current password: DefaultAdminPassword ("secret", which
	// the first login must change) unless WithAdminPassword was given; AdminToken updates it.
	AdminPassword string
	// APIKey is the API key the server accepts (TestAPIKey unless WithAPIKey was given).
	APIKey string
	// CACertPEM is the CA that signed the server's certificate (WithTLS only).
	CACertPEM []byte
	// HTTP is the underlying httptest server.
	HTTP *httptest.Server

	client *http.Client
	mu     sync.Mutex
}

// NewTestServer starts a fake on a local httptest server and closes it when the test ends.
// Compared with New it starts with the number TestBusinessCC+TestBusinessPhone registered and
// connected, the API key TestAPIKey, and no rate limits; opts are applied after these
// defaults and can change them (WithUnregistered, WithAPIKey, WithRateLimits, WithTLS...). The
// admin password is still "secret" and must be changed at the first login unless
// WithAdminPassword is given; AdminToken does that for tests that do not care.
func NewTestServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	all := append([]Option{WithRegistered(TestBusinessCC, TestBusinessPhone), WithAPIKey(TestAPIKey), WithoutRateLimits()}, opts...)
	probe := defaultConfig()
	for _, o := range all {
		if o != nil {
			_ = o(&probe)
		}
	}
	var tlsConf *tls.Config
	var caPEM []byte
	if probe.tls {
		var err error
		tlsConf, caPEM, err = GenerateTLS()
		if err != nil {
			t.Fatalf("fake.NewTestServer: %v", err)
		}
		if len(probe.externalCA) == 0 {
			all = append(all, WithExternalCA(caPEM))
		}
	}
	srv, err := New(all...)
	if err != nil {
		t.Fatalf("fake.NewTestServer: %v", err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config.ConnState = srv.ConnState
	ts := &TestServer{Server: srv, AdminUsername: "admin", AdminPassword: probe.adminPassword, APIKey: probe.apiKey, HTTP: hs}
	if tlsConf != nil {
		hs.TLS = tlsConf
		hs.StartTLS()
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(caPEM)
		ts.CACertPEM = caPEM
		ts.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	} else {
		hs.Start()
		ts.client = hs.Client()
	}
	ts.URL = hs.URL
	t.Cleanup(ts.Close)
	return ts
}

// Close stops the HTTP server and the fake; it runs automatically at the end of the test.
func (ts *TestServer) Close() {
	ts.HTTP.Close()
	_ = ts.Server.Close()
}

// Client returns an HTTP client for the server (trusting its CA with WithTLS).
func (ts *TestServer) Client() *http.Client { return ts.client }

// AdminToken logs in as admin and returns a bearer token. On the first login it changes the
// default password to TestAdminNewPassword (and records it in AdminPassword).
func (ts *TestServer) AdminToken(t testing.TB) string {
	t.Helper()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	tok, code, err := ts.login(ts.AdminUsername, ts.AdminPassword, "")
	if err == nil {
		return tok
	}
	if code != codePasswordChange {
		t.Fatalf("fake: admin login: %v", err)
	}
	tok, _, err = ts.login(ts.AdminUsername, ts.AdminPassword, TestAdminNewPassword)
	if err != nil {
		t.Fatalf("fake: admin login with a new password: %v", err)
	}
	ts.AdminPassword = TestAdminNewPassword
	return tok
}

// UserToken creates an ordinary user (with the admin token) and returns a token of that user.
func (ts *TestServer) UserToken(t testing.TB, username, password string) string {
	t.Helper()
	admin := ts.AdminToken(t)
	body, _ := json.Marshal(gen.UserCredentials{Username: username, Password: password})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/users", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatalf("fake: create user: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("fake: create user %s: status %d", username, resp.StatusCode)
	}
	tok, _, err := ts.login(username, password, "")
	if err != nil {
		t.Fatalf("fake: user login: %v", err)
	}
	return tok
}

// login performs POST /v1/users/login and returns the token, or the error code.
func (ts *TestServer) login(user, password, newPassword string) (string, int, error) {
	var body io.Reader = http.NoBody
	if newPassword != "" {
		b, _ := json.Marshal(gen.PasswordChange{NewPassword: &newPassword})
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/v1/users/login", body)
	if err != nil {
		return "", 0, err
	}
	req.SetBasicAuth(user, password)
	if newPassword != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ts.client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var env gen.ErrorEnvelope
		_ = json.Unmarshal(raw, &env)
		code := 0
		if len(env.Errors) > 0 {
			code = env.Errors[0].Code
		}
		return "", code, fmt.Errorf("status %d: %s", resp.StatusCode, raw)
	}
	var env gen.LoginEnvelope
	if err := json.Unmarshal(raw, &env); err != nil || len(env.Users) == 0 {
		return "", 0, fmt.Errorf("unexpected login answer: %s", raw)
	}
	return env.Users[0].Token, 0, nil
}

// WithUnregistered makes NewTestServer start unregistered, like New.
func WithUnregistered() Option {
	return func(cfg *config) error {
		cfg.registered, cfg.cc, cfg.phone = false, "", ""
		return nil
	}
}

// WebhookRecorder is a webhook endpoint for tests: it records every notification it accepts
// and can refuse a share of the requests, deterministically, to exercise retries.
type WebhookRecorder struct {
	// URL is the endpoint to set as webhooks.url.
	URL string
	// Server is the underlying httptest server.
	Server *httptest.Server

	mu       sync.Mutex
	changed  chan struct{}
	accepted []gen.WebhookNotification
	bodies   [][]byte
	seen     map[[32]byte]int
	requests int
	failed   int
	failRate float64
	seed     uint64
	status   int
	tls      bool
}

// RecorderOption configures a WebhookRecorder.
type RecorderOption func(*WebhookRecorder)

// FailRate makes the recorder answer a share p (0 to 1) of the requests with 500. Whether a
// request fails is a function of seed, the body and how many times that body was received,
// so the outcome does not depend on the order concurrent deliveries arrive in.
func FailRate(p float64, seed uint64) RecorderOption {
	return func(r *WebhookRecorder) { r.failRate, r.seed = p, seed }
}

// RecorderTLS serves the recorder over HTTPS (httptest.NewTLSServer), as a real webhook
// endpoint must be. Give the fake Client() with WithWebhookHTTPClient so that it trusts the
// recorder's certificate; without RecorderTLS the recorder is plain HTTP and the fake needs
// WithPlainHTTPWebhooks.
func RecorderTLS() RecorderOption {
	return func(r *WebhookRecorder) { r.tls = true }
}

// Client returns an HTTP client that trusts the recorder (its certificate, with RecorderTLS).
func (r *WebhookRecorder) Client() *http.Client { return r.Server.Client() }

// FailStatus sets the status of refused requests (default 500).
func FailStatus(code int) RecorderOption {
	return func(r *WebhookRecorder) { r.status = code }
}

// NewWebhookRecorder starts a recorder that is closed at the end of the test.
func NewWebhookRecorder(t testing.TB, opts ...RecorderOption) *WebhookRecorder {
	t.Helper()
	r := &WebhookRecorder{changed: make(chan struct{}), seen: map[[32]byte]int{}, status: http.StatusInternalServerError}
	for _, o := range opts {
		o(r)
	}
	if r.tls {
		r.Server = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	} else {
		r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	}
	r.URL = r.Server.URL + "/webhook"
	t.Cleanup(r.Server.Close)
	return r
}

func (r *WebhookRecorder) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	sum := sha256.Sum256(body)
	r.mu.Lock()
	r.requests++
	n := r.seen[sum]
	r.seen[sum] = n + 1
	fail := r.failRate > 0 && draw(r.seed, sum, n) < r.failRate
	if fail {
		r.failed++
	} else {
		var note gen.WebhookNotification
		if json.Unmarshal(body, &note) == nil {
			r.accepted = append(r.accepted, note)
			r.bodies = append(r.bodies, body)
		}
	}
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	if fail {
		w.WriteHeader(r.status)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// draw maps (seed, body, attempt) to [0, 1).
func draw(seed uint64, sum [32]byte, n int) float64 {
	h := sha256.New()
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], seed)
	binary.BigEndian.PutUint64(buf[8:], uint64(n))
	h.Write(buf[:])
	h.Write(sum[:])
	return float64(binary.BigEndian.Uint64(h.Sum(nil))>>11) / (1 << 53)
}

// Notifications returns the accepted notifications in arrival order.
func (r *WebhookRecorder) Notifications() []gen.WebhookNotification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]gen.WebhookNotification(nil), r.accepted...)
}

// Bodies returns the raw bodies of the accepted notifications.
func (r *WebhookRecorder) Bodies() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

// Statuses returns every accepted message status.
func (r *WebhookRecorder) Statuses() []gen.MessageStatus {
	var out []gen.MessageStatus
	for _, n := range r.Notifications() {
		if n.Statuses != nil {
			out = append(out, *n.Statuses...)
		}
	}
	return out
}

// Messages returns every accepted inbound message.
func (r *WebhookRecorder) Messages() []gen.InboundMessage {
	var out []gen.InboundMessage
	for _, n := range r.Notifications() {
		if n.Messages != nil {
			out = append(out, *n.Messages...)
		}
	}
	return out
}

// Requests returns how many requests arrived, and how many of them were refused.
func (r *WebhookRecorder) Requests() (total, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, r.failed
}

// WaitFor waits until cond holds (it is checked after every request) or ctx ends.
func (r *WebhookRecorder) WaitFor(ctx context.Context, cond func(*WebhookRecorder) bool) error {
	for {
		r.mu.Lock()
		ch := r.changed
		r.mu.Unlock()
		if cond(r) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return errors.Join(ctx.Err(), errors.New("fake: WebhookRecorder.WaitFor: condition not met"))
		case <-time.After(50 * time.Millisecond):
		}
	}
}
