package fake

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRateLimits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithRateLimits(RateLimits{
		Messages: Limit{Rate: 50, Burst: 150},
		Default:  Limit{Rate: 20, Burst: 60},
		Health:   Limit{Rate: 10.0 / 60, Burst: 10},
	}), WithWebhookURL("http://127.0.0.1:1/hook"))

	// /v1/messages: bursts of 150, then 50 per second.
	for i := 0; i < 150; i++ {
		r := h.send("POST", "/v1/messages", `{"to":"16315551234","text":{"body":"hi"}}`)
		require.Equal(t, http.StatusCreated, r.status, "request %d: %s", i, r.body)
	}
	r := h.send("POST", "/v1/messages", `{"to":"16315551234","text":{"body":"hi"}}`)
	requireError(t, r, http.StatusTooManyRequests, codeTooManyRequests)
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	// Other routes have their own bucket.
	assert.Equal(t, http.StatusOK, h.get("/v1/groups").status)
	h.clock.Advance(100 * time.Millisecond) // 5 more tokens
	for i := 0; i < 5; i++ {
		require.Equal(t, http.StatusCreated, h.send("POST", "/v1/messages", `{"to":"16315551234","text":{"body":"hi"}}`).status)
	}
	requireError(t, h.send("POST", "/v1/messages", `{"to":"16315551234","text":{"body":"hi"}}`), 429, codeTooManyRequests)

	// Default bucket: 60, then 20 per second (the 100 ms above refilled it to 60).
	for i := 0; i < 60; i++ {
		require.Equal(t, http.StatusOK, h.get("/v1/groups").status, "request %d", i)
	}
	requireError(t, h.get("/v1/groups"), 429, codeTooManyRequests)

	// Health: 10 per 60 seconds, for every caller together.
	for i := 0; i < 10; i++ {
		require.Equal(t, http.StatusOK, h.get("/v1/health").status)
	}
	r = h.get("/v1/health")
	requireError(t, r, 429, codeTooManyRequests)
	wait, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err)
	assert.Equal(t, 6, wait, "one check every 6 seconds")
	h.clock.Advance(6 * time.Second)
	assert.Equal(t, http.StatusOK, h.get("/v1/health").status)
}

func TestRateLimitsOffSwitch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithoutRateLimits())
	for i := 0; i < 300; i++ {
		require.Equal(t, http.StatusOK, h.get("/v1/health").status)
	}
	_, err := New(WithRateLimits(RateLimits{Default: Limit{Rate: 0, Burst: 5}}))
	require.Error(t, err)
}

func TestUserWriteLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithRateLimits(RateLimits{UserWrites: Limit{Rate: 1.0 / 3600, Burst: 2}}))
	assert.Equal(t, 200, h.send("PUT", "/v1/users/admin", `{"password":"N3w-Passw0rd!"}`).status)
	assert.Equal(t, 200, h.send("PUT", "/v1/users/admin", `{"password":"N3w-Passw0rd!"}`).status)
	requireError(t, h.send("POST", "/v1/users", `{"username":"late1","password":"L4te-Pass!"}`), 429, codeTooManyRequests)
}
