package fake

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultsFailTheNextCalls(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"))
	f, err := h.srv.InjectFault(Fault{OperationID: "sendMessage", Times: 2, Status: 503, RetryAfter: 2})
	require.NoError(t, err)
	assert.Equal(t, codeOverloaded, f.Code, "the code follows the status")
	assert.Equal(t, 2, f.Remaining)
	body := `{"to":"16315551234","text":{"body":"hi"}}`
	for i := 0; i < 2; i++ {
		r := h.send("POST", "/v1/messages", body)
		requireError(t, r, 503, codeOverloaded)
		assert.Equal(t, "2", r.header.Get("Retry-After"))
	}
	assert.Equal(t, 201, h.send("POST", "/v1/messages", body).status)
	assert.Empty(t, h.srv.Faults())

	// Go names work too; other operations are not affected; unlimited faults stay.
	_, err = h.srv.InjectFault(Fault{OperationID: "CheckHealth", Times: -1, Status: 500, Code: 1011, Details: "maintenance"})
	require.NoError(t, err)
	assert.Equal(t, 200, h.get("/v1/groups").status)
	for i := 0; i < 3; i++ {
		d := requireError(t, h.get("/v1/health"), 500, codeServiceNotReady)
		assert.Equal(t, "maintenance", *d.Details)
	}
	faults := h.srv.Faults()
	require.Len(t, faults, 1)
	assert.Equal(t, "checkHealth", faults[0].OperationID)
	assert.True(t, h.srv.RemoveFault(faults[0].ID))
	assert.False(t, h.srv.RemoveFault(faults[0].ID))
	assert.Equal(t, 200, h.get("/v1/health").status)

	// Faults apply after authentication: an anonymous call does not consume them.
	_, err = h.srv.InjectFault(Fault{OperationID: "listGroups", Status: 429})
	require.NoError(t, err)
	requireError(t, h.do(req{method: "GET", path: "/v1/groups"}), 401, codeAccessDenied)
	requireError(t, h.get("/v1/groups"), 429, codeTooManyRequests)
	assert.Equal(t, 200, h.get("/v1/groups").status)

	for _, bad := range []Fault{{OperationID: "nope", Status: 500}, {OperationID: "listGroups", Status: 302}, {OperationID: "listGroups"}, {OperationID: "listGroups", Delay: -1}} {
		_, err := h.srv.InjectFault(bad)
		assert.Error(t, err, "%+v", bad)
	}
	h.srv.ClearFaults()
}

func TestFaultDelays(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, err := h.srv.InjectFault(Fault{OperationID: "listGroups", Delay: 50 * time.Millisecond})
	require.NoError(t, err)
	start := time.Now()
	assert.Equal(t, 200, h.get("/v1/groups").status, "a delay alone only slows the call")
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	_, err = h.srv.InjectFault(Fault{OperationID: "listGroups", Delay: time.Hour})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	hr := httptest.NewRequestWithContext(ctx, http.MethodGet, "/v1/groups", nil)
	hr.Header.Set("Authorization", "Bearer "+h.admin)
	rec := httptest.NewRecorder()
	start = time.Now()
	h.srv.Handler().ServeHTTP(rec, hr)
	assert.Less(t, time.Since(start), time.Minute, "a client that gives up ends the wait")
	assert.True(t, strings.Contains(rec.Body.String(), "gave up"))
}
