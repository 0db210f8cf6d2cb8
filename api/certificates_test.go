package api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testPEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydA==\n-----END CERTIFICATE-----\n"

func TestCertificateUploads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		path   string
		status int
		call   func(ctx context.Context, c *Client, pem []byte) error
	}{
		{"UploadExternalCertificate", "/v1/certificates/external", http.StatusCreated,
			func(ctx context.Context, c *Client, pem []byte) error { return c.UploadExternalCertificate(ctx, pem) }},
		{"UploadWebhookCACertificate", "/v1/certificates/webhooks/ca", http.StatusOK,
			func(ctx context.Context, c *Client, pem []byte) error { return c.UploadWebhookCACertificate(ctx, pem) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("POST "+tc.path, func(w http.ResponseWriter, r *http.Request) {
				// The webhook CA upload is refused unless the type is exactly text/plain.
				assert.Equal(t, "text/plain", r.Header.Get("Content-Type"))
				got, _ := io.ReadAll(r.Body)
				assert.Equal(t, testPEM, string(got), "the PEM travels unchanged, newlines included")
				writeJSON(w, tc.status, metaOnly)
			})
			require.NoError(t, tc.call(t.Context(), c, []byte(testPEM)))
		})
	}
}

func TestCertificateDownloads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		path    string
		status  int
		body    string
		call    func(c *Client, ctx context.Context) ([]byte, error)
		wantErr error
	}{
		{"DownloadExternalCACertificate", "/v1/certificates/external/ca", 200, testPEM,
			(*Client).DownloadExternalCACertificate, nil},
		{"DownloadWebhookCACertificate", "/v1/certificates/webhooks/ca", 200, testPEM,
			(*Client).DownloadWebhookCACertificate, nil},
		{"not_PEM", "/v1/certificates/external/ca", 200, "hello",
			(*Client).DownloadExternalCACertificate, ErrUnexpectedResponse},
		{"too_large", "/v1/certificates/webhooks/ca", 200, testPEM + strings.Repeat("x", maxPEM),
			(*Client).DownloadWebhookCACertificate, ErrUnexpectedResponse},
		{"missing_bundle_without_body", "/v1/certificates/webhooks/ca", 404, "",
			(*Client).DownloadWebhookCACertificate, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("GET "+tc.path, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			got, err := tc.call(c, t.Context())
			switch {
			case tc.status == 404:
				assert.True(t, IsNotFound(err), "got %v", err)
			case tc.wantErr != nil:
				assert.ErrorIs(t, err, tc.wantErr)
			default:
				require.NoError(t, err)
				assert.Equal(t, testPEM, string(got))
			}
		})
	}
}

func TestDeleteWebhookCACertificate(t *testing.T) {
	t.Parallel()
	runWrapperCases(t, []wrapperCase{{
		name: "DeleteWebhookCACertificate", method: "DELETE", path: "/v1/certificates/webhooks/ca",
		call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.DeleteWebhookCACertificate(ctx)) },
	}})
}
