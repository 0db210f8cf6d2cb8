package fake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func TestNewTestServerEndToEnd(t *testing.T) {
	t.Parallel()
	ts := NewTestServer(t, WithPlainHTTPWebhooks())
	require.True(t, strings.HasPrefix(ts.URL, "http://127.0.0.1:"))
	assert.Equal(t, "admin", ts.AdminUsername)
	assert.Equal(t, DefaultAdminPassword, ts.AdminPassword, "the first login must change it")
	assert.Equal(t, TestAPIKey, ts.APIKey)
	admin := ts.AdminToken(t)

	rec := NewWebhookRecorder(t)
	call := func(method, path, token, body string) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, ts.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := ts.Client().Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	res := call("PATCH", "/v1/settings/application", admin, `{"webhooks":{"url":"`+rec.URL+`","message":{"sent":true}}}`)
	require.Equal(t, http.StatusOK, res.StatusCode)

	user := ts.UserToken(t, "operator", "0perator-Pass!")
	res = call("POST", "/v1/messages", user, `{"to":"16315551234","type":"text","text":{"body":"hello"}}`)
	require.Equal(t, http.StatusCreated, res.StatusCode, "registered out of the box")

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, rec.WaitFor(ctx, func(r *WebhookRecorder) bool { return len(r.Statuses()) == 3 }),
		"the real clock delivers sent, delivered and read within milliseconds")
	requireValidNotifications(t, rec.Bodies())

	// No rate limits by default in tests.
	for i := 0; i < 100; i++ {
		require.Equal(t, http.StatusOK, call("GET", "/v1/health", admin, "").StatusCode)
	}
	res = call("GET", "/metrics", admin, "")
	var m gen.MetricsEnvelope
	require.NoError(t, jsonDecode(res, &m))
	assert.GreaterOrEqual(t, *(*m.Metrics["web_connections"].Data)[0].Value, 1.0, "connections are counted through ConnState")
}

func TestNewTestServerOptions(t *testing.T) {
	t.Parallel()
	ts := NewTestServer(t, WithUnregistered(), WithAdminPassword("Known-Pass1!"), WithRateLimits(DefaultRateLimits()))
	assert.Equal(t, "Known-Pass1!", ts.AdminPassword)
	tok := ts.AdminToken(t)
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v1/health", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := ts.Client().Do(req)
	require.NoError(t, err)
	var h gen.HealthEnvelope
	require.NoError(t, jsonDecode(res, &h))
	assert.Equal(t, gen.GatewayStatusUnregistered, *h.Health.GatewayStatus)
	assert.Equal(t, "Known-Pass1!", ts.AdminPassword, "no change needed")
}

func TestWebhookRecorderFailuresAreDeterministic(t *testing.T) {
	t.Parallel()
	outcomes := func() []int {
		rec := NewWebhookRecorder(t, FailRate(0.5, 99), FailStatus(http.StatusBadGateway))
		var out []int
		for i := 0; i < 20; i++ {
			res, err := http.Post(rec.URL, "application/json", bytes.NewReader([]byte(`{"messages":[]}`)))
			require.NoError(t, err)
			res.Body.Close()
			out = append(out, res.StatusCode)
		}
		return out
	}
	a, b := outcomes(), outcomes()
	assert.Equal(t, a, b)
	assert.Contains(t, a, http.StatusBadGateway)
	assert.Contains(t, a, http.StatusOK)
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	bad := []Option{
		nil, WithClock(nil), WithAdminPassword("weak"), WithAPIKey("x"), WithVersion(" "), WithVerificationCode(""),
		WithRegistered("0", "123"), WithVerifiedName(""), WithContactChecker(nil), WithInvalidContacts("+1"),
		WithSeedContacts(ContactSeed{WaID: "x"}), WithWebhookURL("nope"), WithStatusDelays(StatusDelays{Sent: -1}),
		WithContactCheckDelay(-1), WithWebhookTimeout(0), WithWebhookHTTPClient(nil), WithWebhookQueueCapacity(0),
		WithMediaDir(""), WithMediaDir("/does/not/exist"), WithLogger(nil), WithTemplates(Template{}),
		WithTemplates(Template{Name: "t", HeaderFormat: "audio"}), WithRecipient("x", RecipientBehavior{}),
		WithExternalCA(nil), WithNodeName(""), WithMessageHistory(0), WithDeliveryLogSize(0), WithMaxUploadBytes(0),
		WithPublicURL("ftp://x"), WithWebhookURL("http://127.0.0.1:1/hook"),
	}
	for i, o := range bad {
		s, err := New(o)
		assert.Error(t, err, "option %d", i)
		assert.Nil(t, s)
	}
}

func jsonDecode(res *http.Response, v any) error {
	defer res.Body.Close()
	return decodeJSON(res.Body, v)
}

func decodeJSON(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
