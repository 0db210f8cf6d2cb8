package webhook

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCloudChallengeAcceptsOnlyTheVerifyToken(t *testing.T) {
	t.Parallel()
	ok := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"tok"}, "hub.challenge": {"42"}}
	tests := []struct {
		name  string
		q     url.Values
		token string
		want  string
	}{
		{"valid", ok, "tok", "42"},
		{"wrong token", ok, "other", ""},
		{"empty configured token", url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"42"}}, "", ""},
		{"wrong mode", url.Values{"hub.mode": {"x"}, "hub.verify_token": {"tok"}, "hub.challenge": {"42"}}, "tok", ""},
		{"no challenge", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"tok"}}, "tok", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CloudChallenge(tt.q, tt.token)
			if tt.want == "" {
				require.ErrorIs(t, err, ErrCloudHandshake)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			rec := httptest.NewRecorder()
			WriteCloudChallenge(rec, got)
			assert.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, "42", rec.Body.String())
			assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
		})
	}
}
