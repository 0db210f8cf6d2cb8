package fake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWebhookURLMustBeHTTPS follows the spec (and the real server): webhooks.url is https://
// only, in the PATCH and in WithWebhookURL; WithPlainHTTPWebhooks is the documented relaxation
// that admits http:// receivers.
func TestWebhookURLMustBeHTTPS(t *testing.T) {
	t.Parallel()
	_, err := New(WithWebhookURL("http://127.0.0.1:1/hook"))
	require.Error(t, err, "an http:// webhook URL needs WithPlainHTTPWebhooks")
	assert.Contains(t, err.Error(), "WithPlainHTTPWebhooks")

	strict, err := New(WithAdminPassword(testAdminPassword), WithRegistered("1", "6315551019"), WithoutRateLimits())
	require.NoError(t, err)
	t.Cleanup(func() { _ = strict.Close() })
	h := &harness{t: t, srv: strict}
	h.admin = h.login("admin", testAdminPassword)
	for _, tc := range []struct {
		name, url string
		status    int
	}{
		{"https", "https://hooks.example.com/wa", http.StatusOK},
		{"http", "http://hooks.example.com/wa", http.StatusBadRequest},
		{"empty removes it", "", http.StatusOK},
	} {
		r := h.send("PATCH", "/v1/settings/application", `{"webhooks":{"url":"`+tc.url+`"}}`)
		if tc.status != http.StatusOK {
			requireError(t, r, tc.status, codeInvalidParameter)
			continue
		}
		assert.Equal(t, tc.status, r.status, "%s: %s", tc.name, r.body)
	}

	relaxed := newHarness(t) // the harness passes WithPlainHTTPWebhooks
	r := relaxed.send("PATCH", "/v1/settings/application", `{"webhooks":{"url":"http://127.0.0.1:1/hook"}}`)
	assert.Equal(t, http.StatusOK, r.status, string(r.body))
	requireError(t, relaxed.send("PATCH", "/v1/settings/application", `{"webhooks":{"url":"ftp://example.com/hook"}}`), 400, codeInvalidParameter)
	// The relaxation is per server: the strict one still refuses.
	requireError(t, h.send("PATCH", "/v1/settings/application", `{"webhooks":{"url":"http://127.0.0.1:1/hook"}}`), 400, codeInvalidParameter)
}

// TestTrailingSlashTwinRunsTheWholePipeline sends the same requests to an operation and to
// its trailing-slash twin: authentication, validation and the handler answer alike.
func TestTrailingSlashTwinRunsTheWholePipeline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"))
	for _, p := range []string{"/v1/messages", "/v1/messages/"} {
		r := h.send("POST", p, `{"to":"16315551234","type":"text","text":{"body":"hi"}}`)
		assert.Equal(t, http.StatusCreated, r.status, "%s: %s", p, r.body)
		requireError(t, h.send("POST", p, `{"to":"16315551234","type":"image"}`), 400, codeMissingParameter)
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, httptest.NewRequest("POST", p, strings.NewReader(`{}`)))
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "%s without credentials", p)
	}
	for _, p := range []string{"/v1/groups/", "/v1/contacts/", "/v1/health/", "/metrics/"} {
		assert.NotEqual(t, http.StatusNotFound, h.get(p).status, p)
	}
	r := h.get("/v1/media/00000000-0000-4000-8000-000000000000/")
	requireError(t, r, http.StatusNotFound, codeNotFound)
	assert.Contains(t, string(r.body), "00000000-0000-4000-8000-000000000000", "the path parameter reaches the handler")
}

// TestGapsOfTheFinalReference covers the rules the audit found missing: hsm-only fields inside
// a template, template text parameter lengths, outbound contact images, password classes and
// the reserved user name, and locations without name or address.
func TestGapsOfTheFinalReference(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"))
	const to = `"to":"16315551234"`
	tpl := func(extra, components string) string {
		return `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"policy":"deterministic","code":"en"}` + extra + `,"components":` + components + `}}`
	}
	text := func(n int) string { return `{"type":"text","text":"` + strings.Repeat("a", n) + `"}` }
	header := func(n int) string { return `{"type":"header","parameters":[` + text(n) + `]}` }
	body := func(n int) string { return `{"type":"body","parameters":[` + text(n) + `]}` }
	card := `{"name":{"formatted_name":"Ana Lima","first_name":"Ana"}`
	for _, tc := range []struct {
		name, path, body string
		status, code     int
	}{
		{"element_name inside a template", "/v1/messages", tpl(`,"element_name":"e"`, `[`+body(5)+`]`), 400, codeParameterNotWanted},
		{"localizable_params inside a template", "/v1/messages", tpl(`,"localizable_params":[{"default":"a"}]`, `[`+body(5)+`]`), 400, codeParameterNotWanted},
		{"header text of 60", "/v1/messages", tpl("", `[`+header(60)+`,`+body(5)+`]`), 201, 0},
		{"header text of 61", "/v1/messages", tpl("", `[`+header(61)+`,`+body(5)+`]`), 400, codeTemplateParamLen},
		{"body text of 1024 beside a header", "/v1/messages", tpl("", `[`+header(5)+`,`+body(1024)+`]`), 201, 0},
		{"body text of 1025 beside a header", "/v1/messages", tpl("", `[`+header(5)+`,`+body(1025)+`]`), 400, codeTemplateParamLen},
		{"body text of 32768 alone", "/v1/messages", tpl("", `[`+body(32768)+`]`), 201, 0},
		{"body text of 32769 alone", "/v1/messages", tpl("", `[`+body(32769)+`]`), 400, codeTemplateParamLen},
		{"outbound contact_image", "/v1/messages", `{` + to + `,"type":"contacts","contacts":[` + card + `,"contact_image":"aGk="}]}`, 400, codeParameterNotWanted},
		{"contact card with formatted_name only", "/v1/messages", `{` + to + `,"type":"contacts","contacts":[{"name":{"formatted_name":"Ana"}}]}`, 400, codeMissingParameter},
		{"location without name or address", "/v1/messages", `{` + to + `,"type":"location","location":{"latitude":1,"longitude":2}}`, 201, 0},
		{"password without a digit", "/v1/users", `{"username":"gapuser","password":"Password!x"}`, 400, codeInvalidParameter},
		{"password without a special", "/v1/users", `{"username":"gapuser","password":"Passw0rdxx"}`, 400, codeInvalidParameter},
		{"reserved _apiuser", "/v1/users", `{"username":"_apiuser","password":"Passw0rd!x"}`, 400, codeInvalidParameter},
		{"good user", "/v1/users", `{"username":"gapuser","password":"Passw0rd!x"}`, 201, 0},
	} {
		r := h.send("POST", tc.path, tc.body)
		if tc.code == 0 {
			assert.Equal(t, tc.status, r.status, "%s: %s", tc.name, r.body)
			continue
		}
		t.Run(tc.name, func(t *testing.T) { requireError(t, r, tc.status, tc.code) })
	}
}
