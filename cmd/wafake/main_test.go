package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/fake"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var urlRE = regexp.MustCompile(`"?url"?[=:]"?(https?://[0-9.:]+)`)

// start runs wafake with args until the test ends and returns its base URL and log.
func start(t *testing.T, args []string, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, func(k string) string { return env[k] }, logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("wafake did not stop")
		}
		assert.Contains(t, logs.String(), "wafake stopped")
	})
	var base string
	require.Eventually(t, func() bool {
		if m := urlRE.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
			return true
		}
		return false
	}, 10*time.Second, 5*time.Millisecond, "wafake did not start: %s", logs)
	return base, logs
}

func TestPlainHTTPLoginAndControlAPI(t *testing.T) {
	t.Parallel()
	base, logs := start(t, []string{"-http", "-addr", "127.0.0.1:0", "-api-key", "an-api-key-for-tests"},
		map[string]string{"WAFAKE_VERSION": "v2.99.0", "WAFAKE_REGISTERED": "1:6315551019"})
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/users/login", strings.NewReader(`{"new_password":"N3w-Passw0rd!"}`))
	req.SetBasicAuth("admin", "secret")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	assert.Contains(t, string(body), `"version":"v2.99.0"`, "environment variables configure the fake")

	req, _ = http.NewRequest(http.MethodGet, base+"/v1/health", nil)
	req.Header.Set("Authorization", "Apikey an-api-key-for-tests")
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	assert.Contains(t, string(body), `"gateway_status":"connected"`)

	res, err = http.Get(base + "/_fake/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, logs.String(), "msg=request")
}

func TestHTTPSWithGeneratedCA(t *testing.T) {
	t.Parallel()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	base, _ := start(t, []string{"-addr", "127.0.0.1:0", "-ca-out", caFile, "-admin-password", "Kn0wn-Pass!", "-log-format", "json"}, nil)
	require.True(t, strings.HasPrefix(base, "https://"))
	ca, err := os.ReadFile(caFile)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(ca))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/users/login", nil)
	req.SetBasicAuth("admin", "Kn0wn-Pass!")
	res, err := client.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	tok := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(string(body))[1]
	req, _ = http.NewRequest(http.MethodGet, base+"/v1/certificates/external/ca", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err = client.Do(req)
	require.NoError(t, err)
	served, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, ca, served, "the generated CA is served by the API")
}

func TestFlagsAndOptions(t *testing.T) {
	t.Parallel()
	seeds, err := parseContacts("16315551234:valid:Kerry Fisher, 16315550000:invalid,16315559999")
	require.NoError(t, err)
	assert.Equal(t, []fake.ContactSeed{
		{WaID: "16315551234", Valid: true, Name: "Kerry Fisher"},
		{WaID: "16315550000", Valid: false},
		{WaID: "16315559999", Valid: true},
	}, seeds)
	_, err = parseContacts("1:maybe")
	require.Error(t, err)

	s, err := parseFlags([]string{"-status-delays", "1s,2s,3s", "-no-rate-limits", "-contacts", "16315551234"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9090", s.addr, "the default address")
	opts, err := s.options(slogDiscard())
	require.NoError(t, err)
	srv, err := fake.New(opts...)
	require.NoError(t, err)
	require.NoError(t, srv.Close())

	for _, args := range [][]string{{"-status-delays", "1s"}, {"-registered", "16315551019"}, {"-templates", "/does/not/exist"}} {
		s, err := parseFlags(args, func(string) string { return "" }, io.Discard)
		require.NoError(t, err)
		_, err = s.options(slogDiscard())
		assert.Error(t, err, "%v", args)
	}
	_, err = parseFlags([]string{"extra"}, func(string) string { return "" }, io.Discard)
	require.Error(t, err)
	require.Error(t, run(t.Context(), []string{"-log-level", "loud"}, func(string) string { return "" }, io.Discard))
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// do sends one request with an optional JSON body and returns the status and body.
func do(t *testing.T, method, url, auth, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, r)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user, pass, ok := strings.Cut(auth, ":"); ok {
		req.SetBasicAuth(user, pass)
	} else if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(data)
}

var tokenRE = regexp.MustCompile(`"token":"([^"]+)"`)

// TestPresetReadySendsAtOnce starts wafake with -preset ready and sends a text with nothing
// else configured: login without a password change, a registered number and a webhook URL
// whose sink answers 200 to the status callbacks.
func TestPresetReadySendsAtOnce(t *testing.T) {
	t.Parallel()
	base, logs := start(t, []string{"-http", "-addr", "127.0.0.1:0", "-preset", "ready"}, nil)
	assert.Contains(t, logs.String(), "wafake starting state: registered as 1:6315551019; webhooks.url http://127.0.0.1:")

	status, body := do(t, http.MethodPost, base+"/v1/users/login", "admin:"+readyAdminPassword, "")
	require.Equal(t, http.StatusOK, status, body)
	token := tokenRE.FindStringSubmatch(body)[1]
	status, body = do(t, http.MethodPost, base+"/v1/messages", token, `{"to":"16315551234","type":"text","text":{"body":"hi"}}`)
	require.Equal(t, http.StatusCreated, status, body)

	var log string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, log = do(t, http.MethodGet, base+"/_fake/webhooks/log", "", ""); strings.Contains(log, `"status": "read"`) {
			break
		}
	}
	// webhooks.message.sent is off by default, as on the real server: delivered and read.
	require.Contains(t, log, `"status": "read"`, "the sink accepts the status callbacks: %s", log)
	assert.Equal(t, 2, strings.Count(log, `"status_code": 200`), "delivered and read, each accepted at the first attempt: %s", log)

	// Reset goes back to the preset's state, not to an unregistered server.
	status, body = do(t, http.MethodPost, base+"/_fake/reset", "", "")
	require.Equal(t, http.StatusOK, status, body)
	status, body = do(t, http.MethodPost, base+"/v1/users/login", "admin:"+readyAdminPassword, "")
	require.Equal(t, http.StatusOK, status, body)
	status, body = do(t, http.MethodPost, base+"/v1/messages", tokenRE.FindStringSubmatch(body)[1], `{"to":"16315551234","type":"text","text":{"body":"hi"}}`)
	assert.Equal(t, http.StatusCreated, status, body)
}

// TestDefaultStartIsDescribed checks the documented starting state without a preset: the log
// says it, and a send fails as the log says it will.
func TestDefaultStartIsDescribed(t *testing.T) {
	t.Parallel()
	base, logs := start(t, []string{"-http", "-addr", "127.0.0.1:0", "-admin-password", "Kn0wn-Pass!"}, nil)
	assert.Contains(t, logs.String(), "wafake starting state: unregistered (sends fail with 1011")
	assert.Contains(t, logs.String(), "no webhook URL (sends fail with 412/1022")
	assert.Contains(t, logs.String(), "-preset ready starts ready to send")
	status, body := do(t, http.MethodPost, base+"/v1/users/login", "admin:Kn0wn-Pass!", "")
	require.Equal(t, http.StatusOK, status, body)
	status, body = do(t, http.MethodPost, base+"/v1/messages", tokenRE.FindStringSubmatch(body)[1], `{"to":"16315551234","type":"text","text":{"body":"hi"}}`)
	assert.Equal(t, http.StatusInternalServerError, status, body)
	assert.Contains(t, body, `"code":1011`)
}

func TestPresetGivesWayToExplicitSettings(t *testing.T) {
	t.Parallel()
	env := map[string]string{"WAFAKE_ADMIN_PASSWORD": "From-Env-1!"}
	s, err := parseFlags([]string{"-preset", "ready", "-webhook-url", "http://127.0.0.1:8080/hook"}, func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, readyNumber, s.registered, "the preset fills in what nobody gave")
	assert.Equal(t, "From-Env-1!", s.adminPassword, "a variable wins over the preset")
	assert.Equal(t, "http://127.0.0.1:8080/hook", s.webhookURL, "a flag wins over the preset")
	assert.False(t, s.webhookSink, "no sink when a webhook URL is given")

	_, err = parseFlags([]string{"-preset", "demo"}, func(string) string { return "" }, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `-preset: want "ready", got "demo"`)
}

// TestUnparsableValuesSaySo: a duration, number or boolean that does not parse, in a flag or
// a variable, is an error that names it and says what was expected (the variables used to
// fall back to the default silently, and duration flags said only "parse error").
func TestUnparsableValuesSaySo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"duration_variable", nil, map[string]string{"WAFAKE_WEBHOOK_TIMEOUT": "10 seconds"},
			`WAFAKE_WEBHOOK_TIMEOUT="10 seconds": want a duration such as 10s, 1m30s or 250ms`},
		{"duration_flag", []string{"-contact-check-delay", "5q"}, nil,
			`invalid value "5q" for flag -contact-check-delay: want a duration such as 10s, 1m30s or 250ms: time: unknown unit "q"`},
		{"integer_variable", nil, map[string]string{"WAFAKE_QUEUE_CAPACITY": "lots"}, `WAFAKE_QUEUE_CAPACITY="lots": want an integer`},
		{"boolean_variable", nil, map[string]string{"WAFAKE_HTTP": "yes"}, `WAFAKE_HTTP="yes": want true or false`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseFlags(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestPlainHTTPWebhooksFlag: an http:// -webhook-url is refused like on the real server unless
// -plain-http-webhooks relaxes the rule; -media-limits-at-upload is accepted.
func TestPlainHTTPWebhooksFlag(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"-webhook-url", "http://127.0.0.1:8080/hook"}, false},
		{[]string{"-plain-http-webhooks", "-webhook-url", "http://127.0.0.1:8080/hook"}, true},
		{[]string{"-webhook-url", "https://127.0.0.1:8443/hook", "-media-limits-at-upload"}, true},
	} {
		s, err := parseFlags(tc.args, noEnv, io.Discard)
		require.NoError(t, err)
		opts, err := s.options(slogDiscard())
		require.NoError(t, err)
		srv, err := fake.New(opts...)
		if !tc.ok {
			assert.ErrorContains(t, err, "https", "%v", tc.args)
			continue
		}
		require.NoError(t, err, "%v", tc.args)
		require.NoError(t, srv.Close())
	}
	s, err := parseFlags(nil, func(k string) string {
		return map[string]string{"WAFAKE_PLAIN_HTTP_WEBHOOKS": "1", "WAFAKE_WEBHOOK_URL": "http://127.0.0.1:1/h"}[k]
	}, io.Discard)
	require.NoError(t, err)
	opts, err := s.options(slogDiscard())
	require.NoError(t, err)
	srv, err := fake.New(opts...)
	require.NoError(t, err, "the environment variable sets the relaxation too")
	require.NoError(t, srv.Close())
}
