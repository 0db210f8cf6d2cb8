package relay

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/webhook"
)

func TestHandshakeEchoesTheChallengeOnlyForTheVerifyToken(t *testing.T) {
	t.Parallel()
	r := newTestRelay(t, newMemory(t), (&settingsBox{}).get)
	tests := []struct {
		name  string
		query url.Values
		want  int
	}{
		{"valid", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testToken}, "hub.challenge": {"1158201444"}}, http.StatusOK},
		{"wrong token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"nope"}, "hub.challenge": {"1"}}, http.StatusForbidden},
		{"token prefix", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testToken[:5]}, "hub.challenge": {"1"}}, http.StatusForbidden},
		{"no token", url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1"}}, http.StatusForbidden},
		{"wrong mode", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {testToken}, "hub.challenge": {"1"}}, http.StatusForbidden},
		{"no challenge", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testToken}}, http.StatusForbidden},
		{"nothing", url.Values{}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := serve(r, httptest.NewRequest(http.MethodGet, "/cloud?"+tt.query.Encode(), nil))
			assert.Equal(t, tt.want, rec.Code)
			if tt.want == http.StatusOK {
				assert.Equal(t, tt.query.Get("hub.challenge"), rec.Body.String())
				assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))
			} else {
				assert.NotEqual(t, tt.query.Get("hub.challenge"), rec.Body.String())
			}
		})
	}
}

// TestPostNeedsExactlyOneValidSignatureBeforeAnythingIsStored sends the same body with
// every kind of bad signature: none is enqueued, and the valid one is.
func TestPostNeedsExactlyOneValidSignatureBeforeAnythingIsStored(t *testing.T) {
	t.Parallel()
	body := textWebhook(1)
	good := webhook.SignCloudBody([]byte(testSecret), body)
	tests := []struct {
		name    string
		sigs    []string
		body    []byte
		method  string
		want    int
		enqueue int
	}{
		{"valid", []string{good}, body, http.MethodPost, http.StatusOK, 1},
		{"missing", nil, body, http.MethodPost, http.StatusUnauthorized, 0},
		{"empty", []string{""}, body, http.MethodPost, http.StatusUnauthorized, 0},
		{"two headers", []string{good, good}, body, http.MethodPost, http.StatusUnauthorized, 0},
		{"other secret", []string{webhook.SignCloudBody([]byte("other"), body)}, body, http.MethodPost, http.StatusForbidden, 0},
		{"no prefix", []string{good[len("sha256="):]}, body, http.MethodPost, http.StatusForbidden, 0},
		{"sha1 prefix", []string{"sha1=" + good[len("sha256="):]}, body, http.MethodPost, http.StatusForbidden, 0},
		{"not hex", []string{"sha256=" + string(bytes.Repeat([]byte("z"), 64))}, body, http.MethodPost, http.StatusForbidden, 0},
		{"short", []string{good[:len(good)-2]}, body, http.MethodPost, http.StatusForbidden, 0},
		{"body changed", []string{good}, append(bytes.Clone(body), ' '), http.MethodPost, http.StatusForbidden, 0},
		{"put", []string{good}, body, http.MethodPut, http.StatusMethodNotAllowed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newMemory(t)
			r := newTestRelay(t, st, (&settingsBox{s: allSettings("")}).get)
			req := httptest.NewRequest(tt.method, "/cloud", bytes.NewReader(tt.body))
			for _, s := range tt.sigs {
				req.Header.Add(webhook.CloudSignatureHeader, s)
			}
			rec := serve(r, req)
			assert.Equal(t, tt.want, rec.Code, rec.Body.String())
			n, err := st.Pending(t.Context())
			require.NoError(t, err)
			assert.Equal(t, tt.enqueue, n)
		})
	}
}

func TestPostOverTheBodyLimitIs413(t *testing.T) {
	t.Parallel()
	st := newMemory(t)
	r := newTestRelay(t, st, (&settingsBox{s: allSettings("")}).get, WithMaxBodyBytes(100))
	body := textWebhook(1)
	require.Greater(t, len(body), 100)
	assert.Equal(t, http.StatusRequestEntityTooLarge, serve(r, signedPost(body)).Code)
	// Without a Content-Length the limit holds while reading.
	req := signedPost(body)
	req.ContentLength = -1
	assert.Equal(t, http.StatusRequestEntityTooLarge, serve(r, req).Code)
	n, _ := st.Pending(t.Context())
	assert.Zero(t, n)
}

// TestSignedUndecodableBodyIsAcknowledged: Meta would redeliver it for 7 days.
func TestSignedUndecodableBodyIsAcknowledged(t *testing.T) {
	t.Parallel()
	st := newMemory(t)
	r := newTestRelay(t, st, (&settingsBox{s: allSettings("")}).get)
	for _, body := range []string{`not json`, `[1,2]`, `{"entry":`, ``} {
		assert.Equal(t, http.StatusOK, serve(r, signedPost([]byte(body))).Code, "%q", body)
	}
	assert.EqualValues(t, 4, r.Stats().Undecodable)
	n, _ := st.Pending(t.Context())
	assert.Zero(t, n)
}

// TestMetaRedeliveryIsAbsorbed: the same webhook twice (Meta saw no 200 the first time)
// is one callback in the outbox and one delivery.
func TestMetaRedeliveryIsAbsorbed(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	st := newMemory(t)
	r := newTestRelay(t, st, (&settingsBox{s: allSettings(rc.srv.URL)}).get)
	for range 3 {
		require.Equal(t, http.StatusOK, serve(r, signedPost(textWebhook(7))).Code)
		require.Equal(t, http.StatusOK, serve(r, signedPost(statusWebhook(7, "read"))).Code)
	}
	stats := r.Stats()
	assert.EqualValues(t, 2, stats.Enqueued)
	assert.EqualValues(t, 4, stats.Duplicates)
	runRelay(t, r)
	eventually(t, 5*time.Second, func() bool { return r.Stats().Delivered == 2 }, "2 deliveries")
	assert.EqualValues(t, 2, rc.posts.Load())
}

// failingStore fails Enqueue after ok successes.
type failingStore struct {
	store.Store
	ok int
}

func (f *failingStore) Enqueue(ctx context.Context, m store.Message) (bool, error) {
	if f.ok <= 0 {
		return false, errors.New("disk full")
	}
	f.ok--
	return f.Store.Enqueue(ctx, m)
}

// TestStoreFailureIs503AndTheRedeliveryCompletesTheWebhook: a webhook of two messages
// whose second Enqueue fails gets 503; Meta's redelivery stores the second only.
func TestStoreFailureIs503AndTheRedeliveryCompletesTheWebhook(t *testing.T) {
	t.Parallel()
	mem := newMemory(t)
	fs := &failingStore{Store: mem, ok: 1}
	r := newTestRelay(t, fs, (&settingsBox{s: allSettings("")}).get)
	body := bytes.Replace(textWebhook(1), []byte(`"messages":[`),
		[]byte(`"messages":[{"from":"16505551234","id":"wamid.second","timestamp":"1749416383","type":"text","text":{"body":"2"}},`), 1)
	assert.Equal(t, http.StatusServiceUnavailable, serve(r, signedPost(body)).Code)
	n, _ := mem.Pending(t.Context())
	assert.Equal(t, 1, n)
	fs.ok = 10
	assert.Equal(t, http.StatusOK, serve(r, signedPost(body)).Code)
	n, _ = mem.Pending(t.Context())
	assert.Equal(t, 2, n)
	assert.EqualValues(t, 1, r.Stats().Duplicates)
}
