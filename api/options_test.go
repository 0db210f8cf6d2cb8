package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// customRoundTripper is a transport that is not an *http.Transport.
type customRoundTripper struct{ calls atomic.Int32 }

func (rt *customRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.calls.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	const weak = "weakpass"
	pool := x509.NewCertPool()
	tests := []struct {
		name    string
		opts    []Option
		wantErr string // empty: the options are valid
	}{
		{"no_options", nil, ""},
		{"all_valid", []Option{
			WithHTTPClient(&http.Client{}), WithCredentials("admin", "secret"), WithNewPassword("N3w-Passw0rd!"),
			WithAPIKey("0123456789abcdef"), WithUserAgent("shop/1.0"), WithTimeout(time.Second), WithMaxRetries(0),
			WithRetryBackoff(time.Millisecond, time.Second), WithLogger(slog.Default()),
			WithRequestEditor(func(context.Context, *http.Request) error { return nil }), WithRootCAs(pool),
		}, ""},
		{"timeout_zero_disables", []Option{WithTimeout(0)}, ""},
		{"insecure_for_development", []Option{WithInsecureSkipVerifyForLocalDevelopment()}, ""},
		{"nil_option", []Option{nil}, "nil option"},
		{"nil_http_client", []Option{WithHTTPClient(nil)}, "nil *http.Client"},
		{"empty_username", []Option{WithCredentials("", "secret")}, "must not be empty"},
		{"empty_password", []Option{WithCredentials("admin", "")}, "must not be empty"},
		{"empty_token", []Option{WithToken("  ")}, "empty token"},
		{"credentials_then_token", []Option{WithCredentials("admin", "secret"), WithToken("t")}, "mutually exclusive"},
		{"token_then_credentials", []Option{WithToken("t"), WithCredentials("admin", "secret")}, "mutually exclusive"},
		{"short_api_key", []Option{WithAPIKey("short")}, "12 to 128"},
		{"long_api_key", []Option{WithAPIKey(strings.Repeat("k", 129))}, "12 to 128"},
		{"empty_user_agent", []Option{WithUserAgent(" ")}, "empty user agent"},
		{"negative_timeout", []Option{WithTimeout(-time.Second)}, "negative duration"},
		{"negative_retries", []Option{WithMaxRetries(-1)}, "negative count"},
		{"zero_backoff", []Option{WithRetryBackoff(0, time.Second)}, "want 0 < base <= max"},
		{"backoff_above_cap", []Option{WithRetryBackoff(2*time.Second, time.Second)}, "want 0 < base <= max"},
		{"nil_logger", []Option{WithLogger(nil)}, "nil logger"},
		{"nil_editor", []Option{WithRequestEditor(nil)}, "nil function"},
		{"nil_pool", []Option{WithRootCAs(nil)}, "nil pool"},
		{"pem_without_certificate", []Option{WithCACertPEM([]byte("not a certificate"))}, "no certificate"},
		{"weak_new_password", []Option{WithCredentials("admin", "secret"), WithNewPassword(weak)}, "upper-case"},
		{"short_new_password", []Option{WithCredentials("admin", "secret"), WithNewPassword("Aa1!")}, "8 to 64"},
		{"new_password_without_credentials", []Option{WithNewPassword("N3w-Passw0rd!")}, "needs WithCredentials"},
		{"tls_option_with_custom_transport", []Option{
			WithHTTPClient(&http.Client{Transport: &customRoundTripper{}}), WithRootCAs(pool),
		}, "*http.Transport"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient("https://wa.example.com", tc.opts...)
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, c.Raw)
				return
			}
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.NotContains(t, err.Error(), weak)
		})
	}
}

// TestWithHTTPClientDoesNotMutate checks that the caller's client, transport and TLS
// configuration come out of NewClient, TLS options included, with their settings unchanged.
// (net/http's Transport.Clone fills in the transport's HTTP/2 defaults, the "h2" protocol, as
// its first request would; that is the only trace it leaves.)
func TestWithHTTPClientDoesNotMutate(t *testing.T) {
	t.Parallel()
	callerTLS := &tls.Config{ServerName: "wa.internal", MinVersion: tls.VersionTLS13}
	tr := &http.Transport{MaxIdleConns: 7, TLSClientConfig: callerTLS}
	hc := &http.Client{Transport: tr, Timeout: 3 * time.Minute}
	pool := x509.NewCertPool()

	c, err := NewClient("https://wa.example.com", WithHTTPClient(hc), WithRootCAs(pool),
		WithInsecureSkipVerifyForLocalDevelopment())
	require.NoError(t, err)

	assert.Same(t, tr, hc.Transport)
	assert.Equal(t, 3*time.Minute, hc.Timeout)
	assert.Same(t, callerTLS, tr.TLSClientConfig)
	assert.Nil(t, callerTLS.RootCAs, "the caller's TLS config does not get the client's roots")
	assert.False(t, callerTLS.InsecureSkipVerify)
	assert.Equal(t, "wa.internal", callerTLS.ServerName)

	assert.NotSame(t, hc, c.hc)
	own, ok := c.hc.Transport.(*http.Transport)
	require.True(t, ok)
	assert.NotSame(t, tr, own)
	assert.Equal(t, 7, own.MaxIdleConns, "the clone keeps the caller's settings")
	assert.Equal(t, "wa.internal", own.TLSClientConfig.ServerName)
	assert.Same(t, pool, own.TLSClientConfig.RootCAs)
	assert.True(t, own.TLSClientConfig.InsecureSkipVerify)
}

// TestWithHTTPClientUsesTheTransport checks that requests go through the caller's transport
// when no TLS option asks for a clone.
func TestWithHTTPClientUsesTheTransport(t *testing.T) {
	t.Parallel()
	mux, baseURL := newServer(t)
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"health":{"gateway_status":"connected"}}`)
	})
	rt := &customRoundTripper{}
	c, err := NewClient(baseURL, WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	_, err = c.CheckHealth(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int32(1), rt.calls.Load())
}
