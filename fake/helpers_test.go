package fake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/spec"

	"github.com/wabiz/wabiz/internal/onpremhttp"
)

const testAdminPassword = "Adm1n-Pass!"

// harness drives a fake through its handler, on a manual clock.
type harness struct {
	t     *testing.T
	srv   *Server
	clock *ManualClock
	admin string
}

// newHarness returns a registered fake (wa_id 16315551019) on a manual clock, with the admin
// password already changed and an admin token.
func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	clk := NewManualClock(time.Time{})
	// The harness's webhook receivers are plain-HTTP httptest servers: the documented
	// relaxation admits them (TestWebhookURLMustBeHTTPS covers the real rule).
	base := []Option{WithClock(clk), WithAdminPassword(testAdminPassword), WithRegistered("1", "6315551019"),
		WithAPIKey("harness-api-key-0001"), WithoutRateLimits(), WithPlainHTTPWebhooks()}
	srv, err := New(append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	h := &harness{t: t, srv: srv, clock: clk}
	h.admin = h.login("admin", testAdminPassword)
	return h
}

// resp is a recorded response.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// req is an API call; body is JSON-encoded unless it is a string or []byte.
type req struct {
	method, path, token string
	body                any
	contentType         string
	header              map[string]string
}

func (h *harness) do(r req) *resp {
	h.t.Helper()
	var raw []byte
	switch b := r.body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		data, err := json.Marshal(b)
		require.NoError(h.t, err)
		raw = data
	}
	var rd io.Reader = http.NoBody
	if r.body != nil {
		rd = bytes.NewReader(raw)
	}
	hr := httptest.NewRequest(r.method, r.path, rd)
	if r.body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, hr)
	// Every answer of an operation must match the spec, failures included.
	if _, pattern := h.srv.apiMux.Handler(hr); pattern != "" && pattern != "/" {
		for _, o := range h.srv.ops {
			if o.method+" "+o.path == onpremhttp.CanonicalPattern(pattern) {
				checkResponse(h.t, h.srv, o, hr, raw, rec)
			}
		}
	}
	return &resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// get, post, ... are shorthands with the admin token.
func (h *harness) get(path string) *resp {
	return h.do(req{method: http.MethodGet, path: path, token: h.admin})
}
func (h *harness) send(method, path string, body any) *resp {
	return h.do(req{method: method, path: path, token: h.admin, body: body})
}

func (h *harness) login(user, password string) string {
	h.t.Helper()
	hr := httptest.NewRequest(http.MethodPost, "/v1/users/login", nil)
	hr.SetBasicAuth(user, password)
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, hr)
	require.Equal(h.t, http.StatusOK, rec.Code, rec.Body.String())
	var env gen.LoginEnvelope
	require.NoError(h.t, json.Unmarshal(rec.Body.Bytes(), &env))
	return env.Users[0].Token
}

// userToken creates an ordinary user and logs it in.
func (h *harness) userToken(name string) string {
	h.t.Helper()
	r := h.send(http.MethodPost, "/v1/users", gen.UserCredentials{Username: name, Password: "Us3r-Pass!"})
	require.Equal(h.t, http.StatusCreated, r.status, string(r.body))
	return h.login(name, "Us3r-Pass!")
}

// decode unmarshals the body into v.
func (r *resp) decode(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), string(r.body))
}

// requireError checks an error envelope with status and code.
func requireError(t *testing.T, r *resp, status, code int) gen.ErrorDetail {
	t.Helper()
	require.Equal(t, status, r.status, string(r.body))
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	var env gen.ErrorEnvelope
	require.NoError(t, json.Unmarshal(r.body, &env), string(r.body))
	require.Len(t, env.Errors, 1)
	assert.Equal(t, code, env.Errors[0].Code, string(r.body))
	assert.Equal(t, codeTitle(code), env.Errors[0].Title)
	require.NotNil(t, env.Meta)
	assert.Equal(t, DefaultVersion, *env.Meta.Version)
	return env.Errors[0]
}

// setWebhook points the webhooks at url with the given status switches.
func (h *harness) setWebhook(url string, sent, delivered, read bool) {
	h.t.Helper()
	r := h.send(http.MethodPatch, "/v1/settings/application", map[string]any{
		"webhooks": map[string]any{"url": url, "message": map[string]bool{"sent": sent, "delivered": delivered, "read": read}},
	})
	require.Equal(h.t, http.StatusOK, r.status, string(r.body))
}

// advance moves the clock and waits until the resulting webhooks were delivered.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	_, err := h.srv.Advance(d)
	require.NoError(h.t, err)
	ctx, cancel := context.WithTimeout(h.t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(h.t, h.srv.WaitWebhooksIdle(ctx))
}

// sendText sends a text message and returns its id.
func (h *harness) sendText(to, body string) string {
	h.t.Helper()
	r := h.send(http.MethodPost, "/v1/messages", map[string]any{"to": to, "type": "text", "text": map[string]string{"body": body}})
	require.Equal(h.t, http.StatusCreated, r.status, string(r.body))
	var env gen.MessagesEnvelope
	r.decode(h.t, &env)
	return env.Messages[0].ID
}

// uploadMedia uploads data and returns the media id.
func (h *harness) uploadMedia(contentType string, data []byte) string {
	h.t.Helper()
	r := h.do(req{method: http.MethodPost, path: "/v1/media", token: h.admin, body: data, contentType: contentType})
	require.Equal(h.t, http.StatusCreated, r.status, string(r.body))
	var env gen.MediaEnvelope
	r.decode(h.t, &env)
	return env.Media[0].ID
}

// webhookSchema returns the spec's WebhookNotification schema, to check every payload.
func webhookSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	doc, err := spec.Load()
	require.NoError(t, err)
	return doc.Components.Schemas["WebhookNotification"].Value
}

// requireValidNotifications checks raw webhook bodies against the spec.
func requireValidNotifications(t *testing.T, bodies [][]byte) {
	t.Helper()
	schema := webhookSchema(t)
	for _, b := range bodies {
		var v any
		require.NoError(t, json.Unmarshal(b, &v))
		require.NoError(t, schema.VisitJSON(v), string(b))
	}
}
