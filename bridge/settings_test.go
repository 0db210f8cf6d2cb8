package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

func getSettings(t *testing.T, b *Bridge) gen.ApplicationSettings {
	t.Helper()
	resp, err := b.GetApplicationSettings(t.Context(), gen.GetApplicationSettingsRequestObject{})
	require.NoError(t, err)
	return resp.(gen.GetApplicationSettings200JSONResponse).Body.Settings.Application
}

func patch(t *testing.T, b *Bridge, body string) error {
	t.Helper()
	var s gen.ApplicationSettings
	require.NoError(t, json.Unmarshal([]byte(body), &s))
	_, err := b.UpdateApplicationSettings(t.Context(), gen.UpdateApplicationSettingsRequestObject{Body: &s})
	return err
}

func TestSettingsStartAtTheFakesDefaults(t *testing.T) {
	t.Parallel()
	b, _ := newConfigBridge(t)
	assert.Equal(t, onpremhttp.DefaultSettings(), getSettings(t, b))
}

func TestSettingsPatchIsPartialAndPersistsInTheStore(t *testing.T) {
	t.Parallel()
	b, st := newConfigBridge(t)
	require.NoError(t, patch(t, b, `{"webhooks":{"url":"https://hooks.example.com/wa","max_concurrent_requests":12}}`))
	require.NoError(t, patch(t, b, `{"webhooks":{"message":{"sent":true}},"callback_backoff_delay_ms":"5000","media":{"auto_download":["image"]}}`))
	got := getSettings(t, b)
	assert.Equal(t, "https://hooks.example.com/wa", *got.Webhooks.URL)
	assert.EqualValues(t, 12, *got.Webhooks.MaxConcurrentRequests)
	assert.True(t, *got.Webhooks.Message.Sent)
	assert.True(t, *got.Webhooks.Message.Delivered, "untouched field keeps its default")
	assert.Equal(t, json.Number("5000"), *got.CallbackBackoffDelayMs)
	assert.Equal(t, []gen.AutoDownloadMediaType{"image"}, *got.Media.AutoDownload)

	// A second Bridge on the same store sees the same document (the state is in the store).
	cc, err := cloud.NewClient("1", cloud.WithToken("t"))
	require.NoError(t, err)
	b2, err := New(t.Context(), Config{Cloud: cc, Store: st})
	require.NoError(t, err)
	assert.Equal(t, got, getSettings(t, b2))

	_, err = b.ResetApplicationSettings(t.Context(), gen.ResetApplicationSettingsRequestObject{})
	require.NoError(t, err)
	assert.Equal(t, onpremhttp.DefaultSettings(), getSettings(t, b))
}

func TestSettingsPatchRefusesWhatTheFakeRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		code       int
	}{
		{"empty", `{}`, onpremhttp.CodeInvalidParameter},
		{"wa_id read-only", `{"wa_id":"1"}`, onpremhttp.CodeParameterNotWanted},
		{"http url", `{"webhooks":{"url":"http://hooks.example.com/wa"}}`, onpremhttp.CodeInvalidParameter},
		{"relative url", `{"webhooks":{"url":"/wa"}}`, onpremhttp.CodeInvalidParameter},
		{"concurrency", `{"webhooks":{"max_concurrent_requests":7}}`, onpremhttp.CodeInvalidParameter},
		{"negative backoff", `{"callback_backoff_delay_ms":"-1"}`, onpremhttp.CodeInvalidParameter},
		{"unknown media type", `{"media":{"auto_download":["hologram"]}}`, onpremhttp.CodeInvalidParameter},
		{"heartbeat", `{"heartbeat_interval":0}`, onpremhttp.CodeInvalidParameter},
		{"pass_through", `{"pass_through":true}`, onpremhttp.CodeInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, _ := newConfigBridge(t)
			err := patch(t, b, c.body)
			var e *onpremhttp.Error
			require.True(t, errors.As(err, &e), "want an envelope error, got %v", err)
			assert.Equal(t, c.code, e.Code)
			assert.Equal(t, 400, e.Status)
			assert.Equal(t, onpremhttp.DefaultSettings(), getSettings(t, b), "a refused PATCH changes nothing")
		})
	}
}

// racingStore makes the first UpdateSettings lose a race: another writer changes the document
// just before it, so the compare-and-swap sees a newer version.
type racingStore struct {
	store.Store
	once sync.Once
}

func (r *racingStore) UpdateSettings(ctx context.Context, v int64, doc json.RawMessage) (store.Settings, error) {
	r.once.Do(func() {
		s, _ := r.Store.Settings(ctx)
		_, _ = r.Store.UpdateSettings(ctx, s.Version, json.RawMessage(`{"other_writer":true,"application":{"log_level":"debug"}}`))
	})
	return r.Store.UpdateSettings(ctx, v, doc)
}

func TestSettingsUpdateRetriesAfterACompareAndSwapConflict(t *testing.T) {
	t.Parallel()
	mem, err := store.NewMemory()
	require.NoError(t, err)
	t.Cleanup(func() { _ = mem.Close() })
	cc, err := cloud.NewClient("1", cloud.WithToken("t"))
	require.NoError(t, err)
	b, err := New(t.Context(), Config{Cloud: cc, Store: &racingStore{Store: mem}})
	require.NoError(t, err)
	require.NoError(t, patch(t, b, `{"verbose_logging":true}`))
	got := getSettings(t, b)
	assert.True(t, *got.VerboseLogging, "the PATCH landed after the retry")
	assert.Equal(t, "debug", *got.LogLevel, "the other writer's change was not overwritten")
	s, err := mem.Settings(t.Context())
	require.NoError(t, err)
	assert.Contains(t, string(s.Document), `"other_writer":true`, "keys of other owners are kept")
}

func TestSettingsConcurrentPatchesAllLand(t *testing.T) {
	t.Parallel()
	b, _ := newConfigBridge(t)
	bodies := []string{
		`{"verbose_logging":true}`, `{"log_level":"debug"}`, `{"heartbeat_interval":9}`,
		`{"unhealthy_interval":40}`, `{"callback_persist":false}`, `{"webhooks":{"message":{"read":false}}}`,
	}
	var wg sync.WaitGroup
	for _, body := range bodies {
		wg.Go(func() { assert.NoError(t, patch(t, b, body)) })
	}
	wg.Wait()
	got := getSettings(t, b)
	assert.True(t, *got.VerboseLogging)
	assert.Equal(t, "debug", *got.LogLevel)
	assert.Equal(t, 9, *got.HeartbeatInterval)
	assert.Equal(t, 40, *got.UnhealthyInterval)
	assert.False(t, *got.CallbackPersist)
	assert.False(t, *got.Webhooks.Message.Read)
}

func TestRelaySettingsFollowTheDocument(t *testing.T) {
	t.Parallel()
	b, _ := newConfigBridge(t)
	rs, err := b.RelaySettings(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "", rs.URL)
	assert.Equal(t, 6, rs.MaxConcurrent)
	assert.Equal(t, 3*time.Second, rs.BackoffDelay)
	assert.Equal(t, 15*time.Minute, rs.MaxBackoffDelay)
	assert.False(t, rs.Sent)
	assert.True(t, rs.Delivered)
	assert.True(t, rs.Read)
	assert.Nil(t, rs.RootCAs)

	require.NoError(t, patch(t, b, `{"sent_status":true,"webhooks":{"url":"https://h.example.com/x","max_concurrent_requests":24,"message":{"read":false}},"callback_backoff_delay_ms":"250","max_callback_backoff_delay_ms":"1000"}`))
	rs, err = b.RelaySettings(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "https://h.example.com/x", rs.URL)
	assert.Equal(t, 24, rs.MaxConcurrent)
	assert.Equal(t, 250*time.Millisecond, rs.BackoffDelay)
	assert.Equal(t, time.Second, rs.MaxBackoffDelay)
	assert.True(t, rs.Sent, "legacy sent_status switches sent statuses on")
	assert.False(t, rs.Read)
}

func TestWebhookCAUploadFeedsTheRelayAndCanBeRemoved(t *testing.T) {
	t.Parallel()
	b, _ := newConfigBridge(t)
	_, caPEM, err := fake.GenerateTLS()
	require.NoError(t, err)
	_, err = b.DownloadWebhookCACertificate(t.Context(), gen.DownloadWebhookCACertificateRequestObject{})
	var e *onpremhttp.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, 404, e.Status)

	body := string(caPEM)
	_, err = b.UploadWebhookCACertificate(t.Context(), gen.UploadWebhookCACertificateRequestObject{Body: &body})
	require.NoError(t, err)
	resp, err := b.DownloadWebhookCACertificate(t.Context(), gen.DownloadWebhookCACertificateRequestObject{})
	require.NoError(t, err)
	assert.Equal(t, body, resp.(gen.DownloadWebhookCACertificate200TextResponse).Body)
	rs, err := b.RelaySettings(t.Context())
	require.NoError(t, err)
	require.NotNil(t, rs.RootCAs)

	_, err = b.DeleteWebhookCACertificate(t.Context(), gen.DeleteWebhookCACertificateRequestObject{})
	require.NoError(t, err)
	rs, err = b.RelaySettings(t.Context())
	require.NoError(t, err)
	assert.Nil(t, rs.RootCAs)
}

func TestWebhookCAUploadRefusesWhatIsNotACertificateBundle(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		code       int
	}{
		{"empty", "  \n", onpremhttp.CodeMissingParameter},
		{"not pem", "hello", onpremhttp.CodeInvalidParameter},
		{"a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", onpremhttp.CodeInvalidParameter},
		{"garbage certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", onpremhttp.CodeInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, _ := newConfigBridge(t)
			body := c.body
			_, err := b.UploadWebhookCACertificate(t.Context(), gen.UploadWebhookCACertificateRequestObject{Body: &body})
			var e *onpremhttp.Error
			require.True(t, errors.As(err, &e), "got %v", err)
			assert.Equal(t, c.code, e.Code)
			assert.Equal(t, 400, e.Status)
		})
	}
}
