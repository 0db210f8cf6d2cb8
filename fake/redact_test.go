package fake

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// lockedBuffer is a log sink safe for the webhook workers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"https://hooks.example.com/wa", "https://hooks.example.com/wa"},
		{"https://bot:hunter2@hooks.example.com/wa", "https://bot:xxxxx@hooks.example.com/wa"},
		{"https://bot@hooks.example.com/wa", "https://bot@hooks.example.com/wa"},
		{"https://hooks.example.com/wa?token=abc&page=2", "https://hooks.example.com/wa?page=2&token=xxxxx"},
		{"https://hooks.example.com/wa?API_KEY=abc&sig=d&x=1", "https://hooks.example.com/wa?API_KEY=xxxxx&sig=xxxxx&x=1"},
		{"https://u:p@host/%zz?token=abc", "https://xxxxx@host/xxxxx"},
		{"not a url %zz", "xxxxx"},
	} {
		assert.Equal(t, c.want, redactURL(c.in), c.in)
	}
}

func TestFailedDeliveryNeverShowsTheWebhookCredentials(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Port 1 on loopback refuses the connection: every delivery fails with a transport error.
	const hook = "http://bot:hunter2@127.0.0.1:1/hook?token=s3cr3t-t0k3n&tenant=a&b=1"
	h := newHarness(t, WithLogger(logger), WithWebhookURL(hook))
	require.NoError(t, h.srv.InjectNotification(sampleErrorsNotification()))
	require.Eventually(t, func() bool { return h.srv.WebhookStats().FailedTries > 0 }, 10*time.Second, 5*time.Millisecond)

	for name, text := range map[string]string{
		"log":                     logs.String(),
		"GET /_fake/webhooks/log": string(h.get("/_fake/webhooks/log").body),
		"GET /_fake/webhooks":     string(h.get("/_fake/webhooks").body),
	} {
		assert.NotContains(t, text, "hunter2", name)
		assert.NotContains(t, text, "s3cr3t-t0k3n", name)
		assert.Contains(t, text, "xxxxx", name)
	}
	d := h.srv.DeliveryLog()
	require.NotEmpty(t, d)
	assert.Equal(t, "http://bot:xxxxx@127.0.0.1:1/hook?b=1&tenant=a&token=xxxxx", d[0].URL)
	assert.NotContains(t, d[0].Error, "s3cr3t")
	assert.Contains(t, d[0].Error, "xxxxx", "the transport error names the redacted URL")
}

func TestControlListingPrintsAmpersandsUnescaped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.setWebhook("http://127.0.0.1:1/hook?a=1&b=2", false, false, false)
	h.sendText("16315551234", "Tom & Jerry <3 https://shop.example.com/?a=1&b=2")
	require.NoError(t, h.srv.InjectNotification(sampleErrorsNotification()))
	require.Eventually(t, func() bool { return h.srv.WebhookStats().FailedTries > 0 }, 10*time.Second, 5*time.Millisecond)
	for _, path := range []string{"/_fake/messages", "/_fake/webhooks/log", "/_fake/webhooks"} {
		r := h.get(path)
		require.Equal(t, http.StatusOK, r.status, path)
		body := string(r.body)
		assert.NotContains(t, body, `\u0026`, path)
		assert.NotContains(t, body, `\u003c`, path)
		assert.True(t, strings.Contains(body, "a=1&b=2"), "%s: %s", path, body)
	}
}

// sampleErrorsNotification is an out-of-band errors callback, the simplest notification.
func sampleErrorsNotification() gen.WebhookNotification {
	return gen.WebhookNotification{Errors: &[]gen.ErrorDetail{{Code: 400, Title: "Media download error"}}}
}

// TestRefusedWebhookURLNeverShowsItsCredentials: the error for a webhook URL the fake refuses
// (plain http, or not a URL at all) names the URL without its password or secret query values,
// both from WithWebhookURL and in the 400 answer of the settings PATCH.
func TestRefusedWebhookURLNeverShowsItsCredentials(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://hook:S3cretPW@127.0.0.1:8080/h?token=T0kenValue", "ftp://hook:S3cretPW@x/h?token=T0kenValue"} {
		_, err := New(WithWebhookURL(u))
		require.Error(t, err, u)
		assert.NotContains(t, err.Error(), "S3cretPW")
		assert.NotContains(t, err.Error(), "T0kenValue")
		assert.Contains(t, err.Error(), redacted)
	}

	h := newHarness(t)
	r := h.send("PATCH", "/v1/settings/application", `{"webhooks":{"url":"ftp://hook:S3cretPW@127.0.0.1:8080/h?token=T0kenValue"}}`)
	assert.Equal(t, http.StatusBadRequest, r.status, string(r.body))
	assert.NotContains(t, string(r.body), "S3cretPW")
	assert.NotContains(t, string(r.body), "T0kenValue")
}
