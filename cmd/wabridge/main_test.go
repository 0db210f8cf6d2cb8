package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"maps"
	"net"
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
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

var fullEnv = map[string]string{
	"WABRIDGE_GRAPH_TOKEN":     "EAAG-secret-token",
	"WABRIDGE_PHONE_NUMBER_ID": "106540352242922",
	"WABRIDGE_APP_SECRET":      "app-secret-value",
	"WABRIDGE_VERIFY_TOKEN":    "verify-token-value",
	"WABRIDGE_PUBLIC_URL":      "https://bridge.example.com/cloud/webhook",
}

func TestConfigFromFlagsAndEnvironment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr []string // substrings, all of them
		check   func(t *testing.T, c *config)
	}{
		{name: "environment only", env: fullEnv, check: func(t *testing.T, c *config) {
			assert.Equal(t, "106540352242922", c.phoneNumberID)
			assert.Equal(t, ":9090", c.listen)
			assert.Equal(t, "https://graph.facebook.com", c.graphURL)
			assert.Equal(t, "wabridge.db", c.store)
			assert.False(t, c.initStore)
			assert.Equal(t, 30, c.failedLogins, "the Webapp's failed-login limit")
		}},
		{name: "failed-login limit from the environment", env: with(fullEnv, "WABRIDGE_FAILED_LOGINS", "0"),
			check: func(t *testing.T, c *config) { assert.Equal(t, 0, c.failedLogins) }},
		{name: "negative failed-login limit", env: fullEnv, args: []string{"-failed-logins", "-1"}, wantErr: []string{"-failed-logins must be 0"}},
		{name: "flags win over the environment", env: fullEnv, args: []string{"-listen", "127.0.0.1:1", "-store", "/x/y.db", "-init"},
			check: func(t *testing.T, c *config) {
				assert.Equal(t, "127.0.0.1:1", c.listen)
				assert.Equal(t, "/x/y.db", c.store)
				assert.True(t, c.initStore)
			}},
		{name: "nothing given", wantErr: []string{"-graph-token (WABRIDGE_GRAPH_TOKEN) is required",
			"-phone-number-id (WABRIDGE_PHONE_NUMBER_ID) is required", "-app-secret (WABRIDGE_APP_SECRET) is required",
			"-verify-token (WABRIDGE_VERIFY_TOKEN) is required", "-public-url (WABRIDGE_PUBLIC_URL) is required"}},
		{name: "plain http public URL", env: fullEnv, args: []string{"-public-url", "http://bridge.example.com/hook"},
			wantErr: []string{"-public-url must be an absolute https:// URL"}},
		{name: "certificate without key", env: fullEnv, args: []string{"-tls-cert", "c.pem"}, wantErr: []string{"-tls-cert and -tls-key go together"}},
		{name: "bad boolean variable", env: map[string]string{"WABRIDGE_INIT": "maybe"}, wantErr: []string{`WABRIDGE_INIT="maybe"`}},
		{name: "stray argument", env: fullEnv, args: []string{"serve"}, wantErr: []string{`unexpected arguments ["serve"]`}},
		{name: "demo needs nothing", args: []string{"-demo"}, check: func(t *testing.T, c *config) { assert.True(t, c.demo) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseFlags(tc.args, envOf(tc.env), io.Discard)
			if len(tc.wantErr) > 0 {
				require.Error(t, err)
				for _, w := range tc.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				for _, v := range fullEnv {
					if strings.Contains(v, "secret") || strings.Contains(v, "token") {
						assert.NotContains(t, err.Error(), v, "a secret in an error")
					}
				}
				return
			}
			require.NoError(t, err)
			tc.check(t, c)
		})
	}
}

// TestMissingConfigurationIsAUsageError: exit status 2 with a message naming the flags.
func TestMissingConfigurationIsAUsageError(t *testing.T) {
	t.Parallel()
	err := run(t.Context(), nil, envOf(nil), io.Discard, io.Discard)
	var ue usageError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, err.Error(), "-graph-token")
}

// TestAMissingStoreIsAnErrorWithoutInit: a mistyped path never starts an empty bridge.
func TestAMissingStoreIsAnErrorWithoutInit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{}
	for k, v := range fullEnv {
		env[k] = v
	}
	env["WABRIDGE_STORE"] = filepath.Join(dir, "nope.db")
	env["WABRIDGE_LISTEN"] = "127.0.0.1:0"
	err := run(t.Context(), nil, envOf(env), io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nope.db")
	_, statErr := os.Stat(filepath.Join(dir, "nope.db"))
	assert.True(t, errors.Is(statErr, os.ErrNotExist), "the store was created")
}

// TestGeneratedCertificateIsKeptAcrossRestarts: clients trust the same ca.pem after a restart.
func TestGeneratedCertificateIsKeptAcrossRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &config{store: filepath.Join(dir, "wabridge.db"), publicURL: "https://bridge.example.com/cloud/webhook"}
	first, caFile, err := c.tlsConfig("127.0.0.1:9090")
	require.NoError(t, err)
	ca1, err := os.ReadFile(caFile)
	require.NoError(t, err)
	second, _, err := c.tlsConfig("127.0.0.1:9090")
	require.NoError(t, err)
	ca2, err := os.ReadFile(caFile)
	require.NoError(t, err)
	assert.Equal(t, ca1, ca2)
	assert.Equal(t, first.Certificates[0].Certificate[0], second.Certificates[0].Certificate[0])

	leaf, err := x509.ParseCertificate(second.Certificates[0].Certificate[0])
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(ca1))
	for _, host := range []string{"bridge.example.com", "127.0.0.1", "localhost"} {
		_, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: host})
		assert.NoError(t, err, host)
	}
	info, err := os.Stat(filepath.Join(dir, "server-key.pem"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

// TestDemoServesHealthAndShutsDown starts -demo, checks the health endpoint and the
// On-Premises API over the generated TLS, then stops it with the context (as SIGTERM does).
func TestDemoServesHealthAndShutsDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithCancel(t.Context())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-demo", "-listen", addr, "-log-level", "warn"}, envOf(nil), &out, io.Discard)
	}()

	caRE := regexp.MustCompile(`WA_CA_FILE=(\S+)`)
	var caFile string
	require.Eventually(t, func() bool {
		m := caRE.FindStringSubmatch(out.String())
		if m != nil {
			caFile = m[1]
		}
		return m != nil
	}, 20*time.Second, 20*time.Millisecond, "demo output: %s", out.String())
	ca, err := os.ReadFile(caFile)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(ca))
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	resp, err := hc.Get("https://" + addr + HealthPath)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"store":"ok"`)

	resp, err = hc.Get("https://" + addr + "/v1/health")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the On-Premises API asks for a token")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("wabridge did not shut down")
	}
	_, err = os.Stat(caFile)
	assert.True(t, errors.Is(err, os.ErrNotExist), "the demo's temporary directory is removed")
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// with returns a copy of env with name set to value.
func with(env map[string]string, name, value string) map[string]string {
	out := maps.Clone(env)
	out[name] = value
	return out
}
