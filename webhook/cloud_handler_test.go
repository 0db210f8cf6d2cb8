package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAppSecret   = "3d1f8e0c5b7a4e2f9c6d1a0b8e7f6c5d"
	testVerifyToken = "hook-verify-7Yq2"
)

// cloudRecorder collects what a Cloud Handler's callbacks received.
type cloudRecorder struct {
	mu       sync.Mutex
	messages []*Message
	statuses []*Status
	errs     []*ErrorNotice
	unknown  []*Unknown
}

func (r *cloudRecorder) options() []Option {
	return []Option{
		WithMessageFunc(func(_ context.Context, m *Message) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.messages = append(r.messages, m)
			return nil
		}),
		WithStatusFunc(func(_ context.Context, s *Status) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.statuses = append(r.statuses, s)
			return nil
		}),
		WithErrorNoticeFunc(func(_ context.Context, e *ErrorNotice) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.errs = append(r.errs, e)
			return nil
		}),
		WithUnknownFunc(func(_ context.Context, u *Unknown) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.unknown = append(r.unknown, u)
			return nil
		}),
	}
}

func (r *cloudRecorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.messages) + len(r.statuses) + len(r.errs) + len(r.unknown)
}

func newCloudHandler(t testing.TB, extra ...Option) (*Handler, *cloudRecorder) {
	t.Helper()
	rec := &cloudRecorder{}
	opts := append([]Option{WithLogger(quietLogger()), WithCloud(testAppSecret, testVerifyToken)}, rec.options()...)
	h, err := NewHandler(append(opts, extra...)...)
	require.NoError(t, err)
	return h, rec
}

func cloudFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "cloud", name))
	require.NoError(t, err)
	return data
}

// postCloud sends body with the given X-Hub-Signature-256 values (none when sigs is empty).
func postCloud(t testing.TB, h http.Handler, body []byte, sigs ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/cloud", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, s := range sigs {
		req.Header.Add(CloudSignatureHeader, s)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func sign(body []byte) string { return SignCloudBody([]byte(testAppSecret), body) }

func TestCloudHandshake(t *testing.T) {
	t.Parallel()
	h, rec := newCloudHandler(t)
	tests := []struct {
		name   string
		query  url.Values
		status int
		body   string
	}{
		{"echoes the challenge", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1158201444"}},
			http.StatusOK, "1158201444"},
		{"wrong token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken + "x"}, "hub.challenge": {"1"}},
			http.StatusForbidden, ""},
		{"token prefix", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken[:4]}, "hub.challenge": {"1"}},
			http.StatusForbidden, ""},
		{"no token", url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1"}}, http.StatusForbidden, ""},
		{"wrong mode", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1"}},
			http.StatusForbidden, ""},
		{"no challenge", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken}}, http.StatusForbidden, ""},
		{"nothing", url.Values{}, http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/cloud?"+tt.query.Encode(), nil)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req) // no signature header: a GET never has one
			assert.Equal(t, tt.status, w.Code)
			if tt.status == http.StatusOK {
				assert.Equal(t, tt.body, w.Body.String())
				assert.Equal(t, "text/plain; charset=utf-8", w.Header().Get("Content-Type"))
				assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
			} else {
				assertEnvelope(t, w, codeAccessDenied)
			}
		})
	}
	assert.Zero(t, rec.calls())
}

// assertEnvelope checks that an error answer carries the API's error envelope with code.
func assertEnvelope(t *testing.T, w *httptest.ResponseRecorder, code int) {
	t.Helper()
	var env struct {
		Errors []struct {
			Code    int    `json:"code"`
			Title   string `json:"title"`
			Details string `json:"details"`
		} `json:"errors"`
		Meta map[string]any `json:"meta"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &env), "body %q", w.Body.String())
	require.Len(t, env.Errors, 1)
	assert.Equal(t, code, env.Errors[0].Code)
	assert.NotEmpty(t, env.Errors[0].Details)
	assert.NotNil(t, env.Meta)
}

// TestCloudPostWithoutSignatureIsRejectedNotWarned is the jaspers-market bypass: a POST
// without X-Hub-Signature-256 must be refused (401) and reach no callback, not be accepted
// with a warning.
func TestCloudPostWithoutSignatureIsRejectedNotWarned(t *testing.T) {
	t.Parallel()
	h, rec := newCloudHandler(t)
	body := cloudFile(t, "message_text.json")
	w := postCloud(t, h, body)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assertEnvelope(t, w, codeAccessDenied)
	assert.Zero(t, rec.calls())
}

func TestCloudPostSignature(t *testing.T) {
	t.Parallel()
	body := cloudFile(t, "message_text.json")
	// The same JSON re-encoded (compact): a signature of those bytes is not one of the body.
	var v any
	require.NoError(t, json.Unmarshal(body, &v))
	reencoded, err := json.Marshal(v)
	require.NoError(t, err)
	good := sign(body)
	tests := []struct {
		name   string
		sigs   []string
		status int
	}{
		{"valid", []string{good}, http.StatusOK},
		{"empty header", []string{""}, http.StatusUnauthorized},
		{"two headers", []string{good, good}, http.StatusUnauthorized},
		{"no prefix", []string{strings.TrimPrefix(good, "sha256=")}, http.StatusUnauthorized},
		{"sha1 prefix", []string{"sha1=" + strings.TrimPrefix(good, "sha256=")}, http.StatusUnauthorized},
		{"upper-case hex", []string{"sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256="))}, http.StatusOK},
		{"not hex", []string{"sha256=" + strings.Repeat("zz", 32)}, http.StatusUnauthorized},
		{"truncated", []string{good[:len(good)-2]}, http.StatusUnauthorized},
		{"one digit off", []string{good[:len(good)-1] + flipHex(good[len(good)-1])}, http.StatusUnauthorized},
		{"other secret", []string{SignCloudBody([]byte("another-secret"), body)}, http.StatusUnauthorized},
		{"signature of the re-encoded JSON", []string{sign(reencoded)}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, rec := newCloudHandler(t)
			w := postCloud(t, h, body, tt.sigs...)
			assert.Equal(t, tt.status, w.Code, w.Body.String())
			if tt.status == http.StatusOK {
				assert.Equal(t, 1, rec.calls())
			} else {
				assertEnvelope(t, w, codeAccessDenied)
				assert.Zero(t, rec.calls(), "a callback ran for an unauthenticated body")
			}
		})
	}
}

func flipHex(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

func TestVerifyCloudSignatureErrors(t *testing.T) {
	t.Parallel()
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	secret := []byte(testAppSecret)
	require.NoError(t, VerifyCloudSignature(secret, SignCloudBody(secret, body), body))
	assert.ErrorIs(t, VerifyCloudSignature(secret, "", body), ErrCloudSignatureMissing)
	assert.ErrorIs(t, VerifyCloudSignature(secret, "sha256=00", body), ErrCloudSignatureInvalid)
	assert.ErrorIs(t, VerifyCloudSignature(secret, SignCloudBody(secret, body), append(body, ' ')), ErrCloudSignatureInvalid)
	err := VerifyCloudSignature(nil, SignCloudBody(secret, body), body)
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrCloudSignatureInvalid), "an empty secret is a setup error")
	// A vector computed with another implementation (Python hmac): HMAC-SHA256 of "{}" keyed "secret".
	assert.Equal(t, "sha256=77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13",
		SignCloudBody([]byte("secret"), []byte("{}")))
}

func TestCloudHandlerAnswers(t *testing.T) {
	t.Parallel()
	t.Run("method", func(t *testing.T) {
		t.Parallel()
		h, _ := newCloudHandler(t)
		for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead} {
			req := httptest.NewRequestWithContext(t.Context(), m, "/cloud", nil)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			assert.Equal(t, http.StatusMethodNotAllowed, w.Code, m)
			assert.Equal(t, "GET, POST", w.Header().Get("Allow"))
		}
	})
	t.Run("signed but malformed body is 400", func(t *testing.T) {
		t.Parallel()
		h, rec := newCloudHandler(t)
		body := []byte(`{"entry":[`)
		w := postCloud(t, h, body, sign(body))
		assert.Equal(t, http.StatusBadRequest, w.Code)
		assertEnvelope(t, w, codeInvalidValue)
		assert.Zero(t, rec.calls())
	})
	t.Run("body over the limit is 413 and not verified", func(t *testing.T) {
		t.Parallel()
		h, rec := newCloudHandler(t, WithMaxBodyBytes(64))
		body := cloudFile(t, "message_text.json")
		w := postCloud(t, h, body, sign(body))
		assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
		assert.Zero(t, rec.calls())
	})
	t.Run("callback failure is 500", func(t *testing.T) {
		t.Parallel()
		h, err := NewHandler(WithLogger(quietLogger()), WithCloud(testAppSecret, testVerifyToken),
			WithMessageFunc(func(context.Context, *Message) error { return errors.New("db down") }))
		require.NoError(t, err)
		body := cloudFile(t, "message_text.json")
		w := postCloud(t, h, body, sign(body))
		assert.Equal(t, http.StatusInternalServerError, w.Code)
		assertEnvelope(t, w, codeGeneric)
	})
	t.Run("shared header still applies", func(t *testing.T) {
		t.Parallel()
		h, rec := newCloudHandler(t, WithSharedHeader("X-Proxy-Key", "k1"))
		body := cloudFile(t, "message_text.json")
		w := postCloud(t, h, body, sign(body))
		assert.Equal(t, http.StatusForbidden, w.Code)
		assert.Zero(t, rec.calls())
	})
}

func TestWithCloudValidates(t *testing.T) {
	t.Parallel()
	noop := WithMessageFunc(func(context.Context, *Message) error { return nil })
	for _, tt := range []struct{ secret, token string }{{"", "t"}, {"s", ""}, {"", ""}} {
		_, err := NewHandler(WithCloud(tt.secret, tt.token), noop)
		assert.Error(t, err, "secret %q token %q", tt.secret, tt.token)
	}
	_, err := NewHandler(WithCloud("s", "t"), noop)
	assert.NoError(t, err)
}

// TestCloudHandlerDispatchesEveryChange serves the multi-entry and multi-field payloads:
// every message and status reaches its callback with its source, and a change of another
// field reaches the catch-all with its raw value.
func TestCloudHandlerDispatchesEveryChange(t *testing.T) {
	t.Parallel()
	h, rec := newCloudHandler(t)
	for _, name := range []string{"combined_two_numbers.json", "combined_messages_and_template_update.json",
		"field_account_update.json", "errors_value_130429.json"} {
		body := cloudFile(t, name)
		w := postCloud(t, h, body, sign(body))
		require.Equal(t, http.StatusOK, w.Code, name)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.Len(t, rec.messages, 3)
	require.Len(t, rec.statuses, 1)
	require.Len(t, rec.errs, 1)
	require.Len(t, rec.unknown, 2)
	assert.Equal(t, corpusPNID, rec.messages[0].Cloud.Source.PhoneNumberID)
	assert.Equal(t, "331298754410277", rec.statuses[0].Cloud.Source.PhoneNumberID)
	assert.Equal(t, "210934781223405", rec.statuses[0].Cloud.Source.WABAID)
	assert.Equal(t, CloudFieldMessageTemplateStatusUpdate, rec.unknown[0].Key)
	assert.Equal(t, CloudFieldAccountUpdate, rec.unknown[1].Key)
	assert.JSONEq(t, `{"phone_number":"15550783881","event":"VERIFIED_ACCOUNT"}`, string(rec.unknown[1].Raw))
	assert.Equal(t, 130429, rec.errs[0].Code)
}

// TestCloudHandlerDedupesRedeliveries: Meta redelivers a POST it got no 200 for; with
// WithDedupe the second delivery runs no callback again.
func TestCloudHandlerDedupesRedeliveries(t *testing.T) {
	t.Parallel()
	d, err := NewDedupe(64, time.Hour)
	require.NoError(t, err)
	h, rec := newCloudHandler(t, WithDedupe(d))
	body := cloudFile(t, "combined_status_batch.json")
	for range 2 {
		w := postCloud(t, h, body, sign(body))
		require.Equal(t, http.StatusOK, w.Code)
	}
	assert.Len(t, rec.statuses, 3)
}

// TestCloudHandlerServesTheCorpus posts every signed Cloud payload: all are answered 200,
// and every item reaches exactly one callback.
func TestCloudHandlerServesTheCorpus(t *testing.T) {
	t.Parallel()
	for _, f := range loadCloudCorpus(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			h, rec := newCloudHandler(t)
			w := postCloud(t, h, f.data, sign(f.data))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			n, err := DecodeCloud(f.data)
			require.NoError(t, err)
			assert.Equal(t, len(n.Messages)+len(n.Statuses)+len(n.Errors)+len(n.Unknown), rec.calls())
		})
	}
}

// TestOnPremisesHandlerUnchangedByCloud: without WithCloud a GET is still 405 and a POST
// needs no signature.
func TestOnPremisesHandlerUnchangedByCloud(t *testing.T) {
	t.Parallel()
	h, err := NewHandler(WithLogger(quietLogger()), WithMessageFunc(func(context.Context, *Message) error { return nil }))
	require.NoError(t, err)
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet,
		"/?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	w = postCloud(t, h, []byte(`{"messages":[]}`))
	assert.Equal(t, http.StatusOK, w.Code)
}

// TestCloudHandlerRefusesCallbacksOverTheItemLimit: a signed Cloud body with more items than
// WithMaxItems allows is refused with 413 and the envelope before any callback runs, like an
// On-Premises one.
func TestCloudHandlerRefusesCallbacksOverTheItemLimit(t *testing.T) {
	t.Parallel()
	statuses := make([]string, 5)
	for i := range statuses {
		statuses[i] = fmt.Sprintf(`{"id":"wamid.%d","status":"sent","timestamp":"1700000000","recipient_id":"16315551234"}`, i)
	}
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"16315551019","phone_number_id":"106540352242922"},` +
		`"statuses":[` + strings.Join(statuses, ",") + `]}}]}]}`)

	h, rec := newCloudHandler(t, WithMaxItems(4))
	res := postCloud(t, h, body, sign(body))
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.Code, res.Body.String())
	assert.Contains(t, res.Body.String(), `"errors"`)
	assert.Zero(t, rec.calls(), "no callback runs for a refused body")

	h, rec = newCloudHandler(t, WithMaxItems(5))
	res = postCloud(t, h, body, sign(body))
	assert.Equal(t, http.StatusOK, res.Code, res.Body.String())
	assert.Equal(t, 5, rec.calls())
}
