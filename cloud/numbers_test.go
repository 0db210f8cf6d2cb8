package cloud

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPhoneNumberWrappers checks the requests of the phone-number wrappers, which go
// through Raw and the client's authentication.
func TestPhoneNumberWrappers(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var bodies []string
	mux.HandleFunc("POST "+v+"/"+pnid, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		writeJSON(w, 200, `{"success":true}`)
	})
	mux.HandleFunc("GET "+v+"/"+pnid, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "verified_name,quality_rating", r.URL.Query().Get("fields"))
		writeJSON(w, 200, `{"id":"`+pnid+`","verified_name":"Wabiz Demo","quality_rating":"GREEN"}`)
	})
	ctx := t.Context()
	require.NoError(t, c.SetTwoStepPIN(ctx, "520816"))
	require.NoError(t, c.SetWebhookOverride(ctx, "https://hooks.example.com/wa", "verify-7c2e"))
	require.Len(t, bodies, 2)
	assert.JSONEq(t, `{"pin":"520816"}`, bodies[0])
	assert.JSONEq(t, `{"webhook_configuration":{"override_callback_uri":"https://hooks.example.com/wa","verify_token":"verify-7c2e"}}`, bodies[1])

	pn, err := c.GetPhoneNumber(ctx, "verified_name", "quality_rating")
	require.NoError(t, err)
	assert.Equal(t, "Wabiz Demo", *pn.VerifiedName)
	assert.Equal(t, "GREEN", *pn.QualityRating)

	var ae *ArgumentError
	assert.ErrorAs(t, c.SetTwoStepPIN(ctx, "12345"), &ae)
	assert.ErrorAs(t, c.SetWebhookOverride(ctx, "http://hooks.example.com", "t"), &ae)
	assert.ErrorAs(t, c.SetWebhookOverride(ctx, "https://hooks.example.com", ""), &ae)
	_, err = c.GetPhoneNumber(ctx, "a,b")
	assert.ErrorAs(t, err, &ae)
}

// TestRawGoesThroughTheClient checks the escape hatch: a call through Raw carries the token
// and a Graph error comes back as an *Error.
func TestRawGoesThroughTheClient(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithMaxRetries(0))
	mux.HandleFunc("DELETE "+v+"/m", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		writeJSON(w, 400, graphError(100, "(#100) Invalid parameter", "no such media"))
	})
	_, err := c.Raw.DeleteMediaWithResponse(t.Context(), "m", nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "no such media", e.Details)
}
