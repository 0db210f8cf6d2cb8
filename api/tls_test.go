package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTLSServer is newServer over HTTPS with httptest's self-signed certificate, the situation
// of a default On-Premises deployment. It also returns that certificate as PEM.
func newTLSServer(t *testing.T) (*http.ServeMux, string, []byte) {
	t.Helper()
	mux := http.NewServeMux()
	root := http.NewServeMux()
	root.Handle(baseURLPath+"/", http.StripPrefix(baseURLPath, mux))
	srv := httptest.NewTLSServer(root)
	t.Cleanup(srv.Close)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return mux, srv.URL + baseURLPath, certPEM
}

func TestTLSWithTestCA(t *testing.T) {
	t.Parallel()
	poolOf := func(t *testing.T, certPEM []byte) *x509.CertPool {
		block, _ := pem.Decode(certPEM)
		cert, err := x509.ParseCertificate(block.Bytes)
		require.NoError(t, err)
		pool := x509.NewCertPool()
		pool.AddCert(cert)
		return pool
	}
	tests := []struct {
		name      string
		opts      func(t *testing.T, certPEM []byte) []Option
		wantError bool
	}{
		{"WithRootCAs", func(t *testing.T, certPEM []byte) []Option { return []Option{WithRootCAs(poolOf(t, certPEM))} }, false},
		{"WithCACertPEM", func(_ *testing.T, certPEM []byte) []Option { return []Option{WithCACertPEM(certPEM)} }, false},
		{"system_roots_reject_the_self_signed_certificate", func(*testing.T, []byte) []Option { return nil }, true},
		{"insecure_for_development", func(*testing.T, []byte) []Option {
			return []Option{WithInsecureSkipVerifyForLocalDevelopment()}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mux, baseURL, certPEM := newTLSServer(t)
			var calls atomic.Int32
			mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				health(w, r)
			})
			var s sleeps
			c, err := NewClient(baseURL, append([]Option{WithToken(testToken), withSleep(s.sleep)}, tc.opts(t, certPEM)...)...)
			require.NoError(t, err)
			_, err = c.CheckHealth(t.Context())
			if !tc.wantError {
				require.NoError(t, err)
				assert.Equal(t, int32(1), calls.Load())
				return
			}
			var verr *tls.CertificateVerificationError
			require.ErrorAs(t, err, &verr)
			var unknown x509.UnknownAuthorityError
			assert.ErrorAs(t, err, &unknown)
			assert.Empty(t, s.get(), "a certificate that fails verification is not retried")
			assert.Equal(t, int32(0), calls.Load())
		})
	}
}

func TestInsecureOptionLogsAWarning(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	_, err := NewClient("https://localhost:9090", WithLogger(logger), WithInsecureSkipVerifyForLocalDevelopment())
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), "verification is disabled")
}

// newCA makes a self-signed CA certificate unrelated to the test server's.
func newCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(42),
		Subject:               pkix.Name{CommonName: "impostor CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestFetchCACertificate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		served  func(own []byte) []byte
		wantErr string
	}{
		{"the_server_serves_its_own_CA", func(own []byte) []byte { return own }, ""},
		{"the_CA_does_not_sign_the_presented_chain", func([]byte) []byte { return newCA(t) }, "does not chain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mux, baseURL, certPEM := newTLSServer(t)
			srv := newAuthServer(t, newFakeClock())
			var loggedOut atomic.Bool
			served := tc.served(certPEM)
			mux.HandleFunc("POST /v1/users/login", srv.login)
			mux.HandleFunc("GET /v1/certificates/external/ca", srv.protect(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				_, _ = w.Write(served)
			}))
			mux.HandleFunc("POST /v1/users/logout", srv.protect(func(w http.ResponseWriter, r *http.Request) {
				loggedOut.Store(true)
				writeJSON(w, http.StatusOK, metaOnly)
			}))

			got, err := FetchCACertificate(t.Context(), baseURL, "admin", adminPassword)
			assert.True(t, loggedOut.Load(), "the token is revoked afterwards")
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, certPEM, got)

			// The fetched PEM is what later connections trust.
			c, err := NewClient(baseURL, WithCredentials("admin", adminPassword), WithCACertPEM(got))
			require.NoError(t, err)
			_, err = c.DownloadExternalCACertificate(t.Context())
			require.NoError(t, err)
		})
	}
}

func TestFetchCACertificateRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	mux, baseURL := newServer(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("credentials sent in clear text to %s", r.URL.Path)
	})
	_, err := FetchCACertificate(t.Context(), baseURL, "admin", adminPassword)
	assert.ErrorContains(t, err, "must be https")
}
