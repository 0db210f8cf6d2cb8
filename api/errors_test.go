package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// TestErrorMapping covers how a failed response becomes an *APIError, whatever its body.
func TestErrorMapping(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("<p>proxy error</p>", 10_000) // 180 kB of HTML
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantErrors  []gen.ErrorDetail
		wantMeta    *gen.Meta
		wantBody    string
		wantMessage string
	}{
		{
			name: "api_envelope", status: 400, contentType: "application/json",
			body: `{"errors":[{"code":1008,"title":"Required parameter is missing","details":"text"},
				{"code":1009,"title":"Parameter value is not valid","href":"https://developers.facebook.com"}],
				"meta":{"api_status":"stable","version":"v2.45.1"}}`,
			wantErrors: []gen.ErrorDetail{
				{Code: 1008, Title: "Required parameter is missing", Details: ptr("text")},
				{Code: 1009, Title: "Parameter value is not valid", Href: ptr("https://developers.facebook.com")},
			},
			wantMeta:    &gen.Meta{APIStatus: ptr(gen.MetaAPIStatusStable), Version: ptr("v2.45.1")},
			wantMessage: "wabiz: POST /wa-proxy/v1/messages: 400 Bad Request: 1008 Required parameter is missing (text) and 1 more [request req-42]",
		},
		{
			name: "non_json_body", status: 502, contentType: "text/html",
			body:        "<html><body>Bad Gateway</body></html>",
			wantBody:    "<html><body>Bad Gateway</body></html>",
			wantMessage: "wabiz: POST /wa-proxy/v1/messages: 502 Bad Gateway [request req-42]",
		},
		{
			name: "malformed_json", status: 500, contentType: "application/json",
			body:        `{"errors":[{"code":`,
			wantBody:    `{"errors":[{"code":`,
			wantMessage: "wabiz: POST /wa-proxy/v1/messages: 500 Internal Server Error [request req-42]",
		},
		{
			name: "empty_401_from_basic_auth", status: 401,
			wantMessage: "wabiz: POST /wa-proxy/v1/messages: 401 Unauthorized [request req-42]",
		},
		{
			name: "huge_body_truncated", status: 502, contentType: "text/html",
			body:        huge,
			wantBody:    huge[:maxErrorBody],
			wantMessage: "wabiz: POST /wa-proxy/v1/messages: 502 Bad Gateway [request req-42]",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.Header().Set("X-Request-ID", "req-42")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			_, err := c.SendText(t.Context(), customer, "hi")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, "POST", apiErr.Method)
			assert.Equal(t, baseURLPath+"/v1/messages", apiErr.Path)
			assert.Equal(t, "req-42", apiErr.RequestID)
			assert.Equal(t, tc.wantErrors, apiErr.Errors)
			assert.Equal(t, tc.wantMeta, apiErr.Meta)
			if tc.wantBody != "" {
				assert.Equal(t, tc.wantBody, string(apiErr.Body))
			}
			assert.LessOrEqual(t, len(apiErr.Body), maxErrorBody)
			assert.Equal(t, tc.wantMessage, apiErr.Error())
		})
	}
}

func TestAPIErrorPredicates(t *testing.T) {
	t.Parallel()
	withCode := func(status, code int) *APIError {
		return &APIError{StatusCode: status, Errors: []gen.ErrorDetail{{Code: code, Title: "t"}}}
	}
	tests := []struct {
		name                                          string
		err                                           *APIError
		notFound, unauthorized, forbidden, rate, busy bool
	}{
		{name: "404", err: &APIError{StatusCode: 404}, notFound: true},
		{name: "code_1006", err: withCode(400, CodeNotFound), notFound: true},
		{name: "unknown_group", err: withCode(404, CodeGroupUnknown), notFound: true},
		{name: "401", err: withCode(401, 1005), unauthorized: true},
		{name: "password_change", err: withCode(401, CodePasswordChangeRequired), unauthorized: true},
		{name: "403", err: withCode(403, CodeAccessDenied), forbidden: true},
		{name: "429", err: &APIError{StatusCode: 429}, rate: true},
		{name: "code_1015", err: withCode(400, CodeTooManyRequests), rate: true},
		{name: "503", err: &APIError{StatusCode: 503}, busy: true},
		{name: "code_1016", err: withCode(500, CodeSystemOverloaded), busy: true},
		{name: "500", err: withCode(500, 1000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wrapped := fmt.Errorf("sending: %w", tc.err)
			assert.Equal(t, tc.notFound, tc.err.IsNotFound())
			assert.Equal(t, tc.notFound, IsNotFound(wrapped))
			assert.Equal(t, tc.unauthorized, tc.err.IsUnauthorized())
			assert.Equal(t, tc.unauthorized, IsUnauthorized(wrapped))
			assert.Equal(t, tc.forbidden, tc.err.IsForbidden())
			assert.Equal(t, tc.rate, tc.err.IsRateLimited())
			assert.Equal(t, tc.rate, IsRateLimited(wrapped))
			assert.Equal(t, tc.busy, tc.err.IsOverloaded())
			assert.Equal(t, tc.busy, IsOverloaded(wrapped))
		})
	}
	t.Run("HasCode", func(t *testing.T) {
		t.Parallel()
		err := fmt.Errorf("x: %w", &APIError{StatusCode: 400, Errors: []gen.ErrorDetail{{Code: 1008}, {Code: 2000}}})
		assert.True(t, HasCode(err, 2000))
		assert.False(t, HasCode(err, 1009))
		assert.False(t, HasCode(errors.New("plain"), 1008))
		assert.False(t, IsNotFound(nil))
	})
}
