package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(t *testing.T, c config)
		wantErr string
	}{
		{
			name: "defaults",
			want: func(t *testing.T, c config) {
				assert.Equal(t, ":8080", c.listen)
				assert.Equal(t, "/webhook", c.path)
				assert.Empty(t, c.baseURL)
			},
		},
		{
			name: "environment",
			env: map[string]string{"WA_BASE_URL": "https://wa.example.com:9090", "WA_USERNAME": "admin",
				"WA_PASSWORD": "S3cret!pass", "TLS_CERT_FILE": "s.pem", "TLS_KEY_FILE": "s.key", "DEBUG": "true"},
			want: func(t *testing.T, c config) {
				assert.Equal(t, ":8443", c.listen)
				assert.Equal(t, "S3cret!pass", c.password)
				assert.True(t, c.debug)
			},
		},
		{
			name: "flags override the environment",
			args: []string{"-listen", "127.0.0.1:9000", "-path", "/hooks/wa"},
			env:  map[string]string{"LISTEN_ADDR": ":1", "WEBHOOK_PATH": "/x"},
			want: func(t *testing.T, c config) {
				assert.Equal(t, "127.0.0.1:9000", c.listen)
				assert.Equal(t, "/hooks/wa", c.path)
			},
		},
		{name: "cert without key", args: []string{"-tls-cert", "s.pem"}, wantErr: "go together"},
		{name: "mutual TLS without TLS", args: []string{"-client-ca", "ca.pem"}, wantErr: "needs -tls-cert"},
		{name: "API without password", env: map[string]string{"WA_BASE_URL": "https://wa", "WA_USERNAME": "admin"}, wantErr: "WA_PASSWORD"},
		{name: "secret header without secret", args: []string{"-secret-header", "X-Secret"}, wantErr: "WEBHOOK_SECRET"},
		{name: "relative path", args: []string{"-path", "webhook"}, wantErr: "must start with /"},
		{name: "unknown flag", args: []string{"-verbose"}, wantErr: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseConfig(tt.args, env(tt.env))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.want(t, c)
		})
	}
}

// TestReceiverMarksMessagesRead runs the receiver's handler against a stand-in for the API and
// checks that inbound messages, and only those, are marked read.
func TestReceiverMarksMessagesRead(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var marked []string
	apiSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/users/login":
			_, _ = io.WriteString(w, `{"users":[{"token":"tok","expires_after":"2099-01-01 00:00:00+00:00"}],"meta":{"api_status":"stable","version":"v2.45.1"}}`)
		case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/v1/messages/"):
			body, _ := io.ReadAll(r.Body)
			assert.JSONEq(t, `{"status":"read"}`, string(body))
			assert.Equal(t, "Bearer tok", r.Header.Get("Authorization"))
			mu.Lock()
			marked = append(marked, strings.TrimPrefix(r.URL.Path, "/v1/messages/"))
			mu.Unlock()
			_, _ = io.WriteString(w, `{"meta":{"api_status":"stable","version":"v2.45.1"}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"errors":[{"code":1006,"title":"Resource not found"}]}`)
		}
	}))
	t.Cleanup(apiSrv.Close)

	client, err := api.NewClient(apiSrv.URL, api.WithCredentials("admin", "S3cret!pass"))
	require.NoError(t, err)
	logger := slog.New(slog.DiscardHandler)
	marker := newReadMarker(client, logger, 2, 16)
	h, err := newHandler(config{path: "/webhook"}, logger, marker)
	require.NoError(t, err)

	for _, file := range []string{"combined_all_kinds.json", "future_message_type_reaction.json", "status_read.json"} {
		body, err := os.ReadFile(filepath.Join("..", "..", "webhook", "testdata", file))
		require.NoError(t, err)
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhook", strings.NewReader(string(body)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, file)
	}
	marker.stop(t.Context())

	assert.ElementsMatch(t, []string{
		"ABGGFlA5FpafAgo6tHcNmNjXmuT5", // interactive reply
		"ABGGFlA5FpafAgo6tHcNmNjXmuT6", // reaction: a type this build does not know
		"ABGGFlA5FpafAgo6tHcNmNjXmuT7", // text
	}, marked, "system messages and statuses are not marked read")
}
