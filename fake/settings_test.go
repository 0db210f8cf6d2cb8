package fake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func appSettings(t *testing.T, h *harness) gen.ApplicationSettings {
	t.Helper()
	r := h.get("/v1/settings/application")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var env gen.ApplicationSettingsEnvelope
	r.decode(t, &env)
	return env.Settings.Application
}

func TestApplicationSettingsDefaultsPatchReset(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	set := appSettings(t, h)
	assert.Equal(t, json.Number("3000"), *set.CallbackBackoffDelayMs)
	assert.Equal(t, json.Number("900000"), *set.MaxCallbackBackoffDelayMs)
	assert.True(t, *set.CallbackPersist)
	assert.Equal(t, gen.ApplicationWebhookSettingsMaxConcurrentRequestsN6, *set.Webhooks.MaxConcurrentRequests)
	assert.Nil(t, set.Webhooks.URL)
	assert.False(t, *set.Webhooks.Message.Sent)
	assert.True(t, *set.Webhooks.Message.Delivered)
	assert.Equal(t, 5, *set.HeartbeatInterval)
	assert.Equal(t, "16315551019", *set.WaID)

	r := h.send("PATCH", "/v1/settings/application", `{
		"callback_backoff_delay_ms": "1500",
		"max_callback_backoff_delay_ms": 60000,
		"media": {"auto_download": ["image", "voice"]},
		"webhooks": {"url": "https://hooks.example.com/wa", "max_concurrent_requests": 12, "message": {"sent": true}}
	}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	set = appSettings(t, h)
	assert.Equal(t, json.Number("1500"), *set.CallbackBackoffDelayMs)
	assert.Equal(t, json.Number("60000"), *set.MaxCallbackBackoffDelayMs)
	assert.Equal(t, []gen.AutoDownloadMediaType{"image", "voice"}, *set.Media.AutoDownload)
	assert.Equal(t, "https://hooks.example.com/wa", *set.Webhooks.URL)
	assert.Equal(t, gen.ApplicationWebhookSettingsMaxConcurrentRequestsN12, *set.Webhooks.MaxConcurrentRequests)
	assert.True(t, *set.Webhooks.Message.Sent)
	assert.True(t, *set.Webhooks.Message.Delivered, "a status left out keeps its value")
	stats := h.srv.WebhookStats()
	assert.Equal(t, 12, stats.MaxConcurrent)
	assert.Equal(t, "https://hooks.example.com/wa", stats.URL)

	require.Equal(t, http.StatusOK, h.send("DELETE", "/v1/settings/application", nil).status)
	set = appSettings(t, h)
	assert.Nil(t, set.Webhooks.URL)
	assert.Equal(t, json.Number("3000"), *set.CallbackBackoffDelayMs)
	assert.Equal(t, "16315551019", *set.WaID, "wa_id survives a reset")
}

func TestApplicationSettingsValueChecks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct {
		name string
		body string
		code int
	}{
		{"empty object", `{}`, codeInvalidParameter},
		{"only unknown keys", `{"colour":"blue"}`, codeInvalidParameter},
		{"boolean as string", `{"callback_persist":"yes"}`, codeInvalidParameter},
		{"read-only wa_id", `{"wa_id":"16315551019"}`, codeParameterNotWanted},
		{"negative backoff", `{"callback_backoff_delay_ms":-1}`, codeInvalidParameter},
		{"backoff not digits", `{"callback_backoff_delay_ms":"3s"}`, codeInvalidParameter},
		{"concurrency not allowed", `{"webhooks":{"max_concurrent_requests":7}}`, codeInvalidParameter},
		{"relative webhook url", `{"webhooks":{"url":"/hook"}}`, codeInvalidParameter},
		{"ftp webhook url", `{"webhooks":{"url":"ftp://example.com/hook"}}`, codeInvalidParameter},
		{"unknown media type", `{"media":{"auto_download":["hologram"]}}`, codeInvalidParameter},
		{"heartbeat zero", `{"heartbeat_interval":0}`, codeInvalidParameter},
		{"re-enable pass_through", `{"pass_through":true}`, codeInvalidParameter},
		{"not JSON", `{"callback_persist":`, codeRequestNotValid},
		{"array body", `[]`, codeInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireError(t, h.send("PATCH", "/v1/settings/application", c.body), 400, c.code)
		})
	}
}

func TestMediaProviders(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	list := func() []gen.MediaProvider {
		r := h.get("/v1/settings/application/media/providers")
		require.Equal(t, http.StatusOK, r.status)
		var env gen.MediaProvidersEnvelope
		r.decode(t, &env)
		return env.Settings.Application.Media.Providers
	}
	assert.Empty(t, list())
	require.Equal(t, 200, h.send("POST", "/v1/settings/application/media/providers",
		`[{"name":"cdn-basic","type":"www","config":{"basic":{"username":"u","password":"p"}}}]`).status)
	require.Equal(t, 200, h.send("POST", "/v1/settings/application/media/providers",
		`[{"name":"cdn-bearer","type":"www","config":{"bearer":"tok"}}]`).status)
	require.Equal(t, 200, h.send("POST", "/v1/settings/application/media/providers",
		`[{"name":"cdn-basic","type":"www","config":{"bearer":"new"}}]`).status)
	got := list()
	require.Len(t, got, 2)
	assert.Equal(t, "new", *got[0].Config.Bearer, "same name replaces")

	for name, body := range map[string]string{
		"two configs":   `[{"name":"a","type":"www","config":{"bearer":"x"}},{"name":"b","type":"www","config":{"bearer":"y"}}]`,
		"none":          `[]`,
		"both auths":    `[{"name":"a","type":"www","config":{"bearer":"x","basic":{"username":"u","password":"p"}}}]`,
		"bad type":      `[{"name":"a","type":"everstore","config":{"bearer":"x"}}]`,
		"bad name":      `[{"name":"a b","type":"www","config":{"bearer":"x"}}]`,
		"object body":   `{"name":"a","type":"www","config":{"bearer":"x"}}`,
		"missing field": `[{"name":"a","type":"www"}]`,
	} {
		r := h.send("POST", "/v1/settings/application/media/providers", body)
		want := codeInvalidParameter
		if name == "missing field" {
			want = codeMissingParameter
		}
		requireError(t, r, 400, want)
		if name == "two configs" {
			assert.Contains(t, string(r.body), "Can only add 1 config at a time")
		}
	}
	require.Equal(t, 200, h.send("DELETE", "/v1/settings/application/media/providers/cdn-basic", nil).status)
	requireError(t, h.send("DELETE", "/v1/settings/application/media/providers/cdn-basic", nil), 404, codeNotFound)
	assert.Len(t, list(), 1)
}

func TestBusinessProfileAndAbout(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.send("POST", "/v1/settings/business/profile", `{"address":"1 Main St","email":"hi@example.com","vertical":"Restaurant","websites":["https://example.com"]}`)
	require.Equal(t, 200, r.status, string(r.body))
	require.Equal(t, 200, h.send("POST", "/v1/settings/business/profile", `{"description":"Fresh pasta"}`).status)
	r = h.get("/v1/settings/business/profile")
	var env gen.BusinessProfileEnvelope
	r.decode(t, &env)
	p := env.Settings.Business.Profile
	assert.Equal(t, "1 Main St", *p.Address, "partial update keeps other fields")
	assert.Equal(t, "Fresh pasta", *p.Description)
	assert.Equal(t, gen.BusinessVerticalRestaurant, *p.Vertical)

	for _, body := range []string{
		`{"vertical":""}`, `{"websites":["https://a.example","https://b.example","https://c.example"]}`,
		`{"websites":["ftp://a.example"]}`, `{"email":"not an email"}`, `{"vertical":"Bakery"}`,
		`{"address":"` + strings.Repeat("x", 257) + `"}`, `{}`,
	} {
		requireError(t, h.send("POST", "/v1/settings/business/profile", body), 400, codeInvalidParameter)
	}

	r = h.get("/v1/settings/profile/about")
	var about gen.ProfileAboutEnvelope
	r.decode(t, &about)
	assert.NotEmpty(t, about.Settings.Profile.About.Text)
	require.Equal(t, 200, h.send("PATCH", "/v1/settings/profile/about", `{"text":"Open 9-5"}`).status)
	h.get("/v1/settings/profile/about").decode(t, &about)
	assert.Equal(t, "Open 9-5", about.Settings.Profile.About.Text)
	requireError(t, h.send("PATCH", "/v1/settings/profile/about", `{}`), 400, codeMissingParameter)
	requireError(t, h.send("PATCH", "/v1/settings/profile/about", `{"text":"`+strings.Repeat("a", 140)+`"}`), 400, codeInvalidParameter)
}

func TestProfilePhoto(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	requireError(t, h.get("/v1/settings/profile/photo"), 404, codeNotFound)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 1000)...)
	r := h.do(req{method: "POST", path: "/v1/settings/profile/photo", token: h.admin, body: png, contentType: "image/png"})
	require.Equal(t, http.StatusOK, r.status, string(r.body))

	r = h.get("/v1/settings/profile/photo")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "image/jpeg", r.header.Get("Content-Type"))
	assert.Equal(t, "attachment; filename=profilePicture.jpg", r.header.Get("Content-Disposition"))
	assert.Equal(t, png, r.body)

	r = h.get("/v1/settings/profile/photo?format=link")
	require.Equal(t, http.StatusOK, r.status)
	var link gen.ProfilePhotoEnvelope
	r.decode(t, &link)
	u := link.Settings.Profile.Photo.Link
	require.Contains(t, u, "/_fake/cdn/")
	cdn := h.do(req{method: "GET", path: u[strings.Index(u, "/_fake/"):]})
	require.Equal(t, http.StatusOK, cdn.status, "the link needs no credentials")
	assert.Equal(t, png, cdn.body)

	cases := []struct {
		name string
		ct   string
		body []byte
		code int
	}{
		{"gif", "image/gif", png, codeInvalidParameter},
		{"no content type", "", png, codeMissingParameter},
		{"empty", "image/png", []byte{}, codeMissingParameter},
		{"5 MiB", "image/jpeg", make([]byte, 5<<20), codeInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rr := req{method: "POST", path: "/v1/settings/profile/photo", token: h.admin, body: c.body, contentType: c.ct}
			if c.ct == "" {
				rr.header = map[string]string{"Content-Type": ""}
			}
			requireError(t, h.do(rr), 400, c.code)
		})
	}
	requireError(t, h.get("/v1/settings/profile/photo?format=url"), 400, codeInvalidParameter)
	require.Equal(t, 200, h.send("DELETE", "/v1/settings/profile/photo", nil).status)
	requireError(t, h.get("/v1/settings/profile/photo"), 404, codeNotFound)
}

func TestBackupRestoreAcrossInstances(t *testing.T) {
	t.Parallel()
	a := newHarness(t)
	require.Equal(t, 200, a.send("PATCH", "/v1/settings/application", `{"callback_backoff_delay_ms":"1234","webhooks":{"url":"https://hooks.example.com/a"}}`).status)
	require.Equal(t, 200, a.send("POST", "/v1/settings/business/profile", `{"email":"shop@example.com","vertical":"Education"}`).status)
	require.Equal(t, 200, a.send("PATCH", "/v1/settings/profile/about", `{"text":"Backed up"}`).status)
	require.Equal(t, 200, a.send("POST", "/v1/settings/application/media/providers", `[{"name":"cdn","type":"www","config":{"bearer":"t"}}]`).status)
	require.Equal(t, 201, a.send("POST", "/v1/account/shards", map[string]any{"cc": "1", "phone_number": "6315551019", "shards": 4, "cert": exampleCert}).status)

	requireError(t, a.send("POST", "/v1/settings/backup", `{}`), 400, codeMissingParameter)
	r := a.send("POST", "/v1/settings/backup", `{"password":"Backup-Pass1!"}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var backup gen.BackupEnvelope
	r.decode(t, &backup)
	data := backup.Settings.Data
	assert.NotContains(t, data, "hooks.example.com", "the backup is encrypted")

	b := newHarness(t, WithUnregistered())
	assert.Equal(t, gen.GatewayStatusUnregistered, health(t, b))
	d := requireError(t, b.send("POST", "/v1/settings/restore", gen.EncryptedBackup{Password: "wrong", Data: data}), 400, codeInvalidParameter)
	assert.Contains(t, *d.Details, "password")
	tampered := []byte(data)
	tampered[len(tampered)/2] ^= 1
	requireError(t, b.send("POST", "/v1/settings/restore", gen.EncryptedBackup{Password: "Backup-Pass1!", Data: string(tampered)}), 400, codeInvalidParameter)
	requireError(t, b.send("POST", "/v1/settings/restore", gen.EncryptedBackup{Password: "Backup-Pass1!", Data: "bm90IGEgYmFja3Vw"}), 400, codeInvalidParameter)

	r = b.send("POST", "/v1/settings/restore", gen.EncryptedBackup{Password: "Backup-Pass1!", Data: data})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	set := appSettings(t, b)
	assert.Equal(t, json.Number("1234"), *set.CallbackBackoffDelayMs)
	assert.Equal(t, "https://hooks.example.com/a", *set.Webhooks.URL)
	assert.Equal(t, "16315551019", *set.WaID)
	assert.Equal(t, gen.GatewayStatusConnected, health(t, b), "a new deployment initialises itself from the backup")
	var prof gen.BusinessProfileEnvelope
	b.get("/v1/settings/business/profile").decode(t, &prof)
	assert.Equal(t, "shop@example.com", *prof.Settings.Business.Profile.Email)
	var about gen.ProfileAboutEnvelope
	b.get("/v1/settings/profile/about").decode(t, &about)
	assert.Equal(t, "Backed up", about.Settings.Profile.About.Text)
	var shards gen.ShardsEnvelope
	b.get("/v1/account/shards").decode(t, &shards)
	assert.Equal(t, gen.ShardCountN4, shards.Account.Shards)
	assert.Equal(t, "https://hooks.example.com/a", b.srv.WebhookStats().URL)

	unregistered := newHarness(t, WithUnregistered())
	requireError(t, unregistered.send("POST", "/v1/settings/backup", `{"password":"x"}`), 500, codeServiceNotReady)
}

func TestBackupFormat(t *testing.T) {
	t.Parallel()
	data, err := encryptBackup("pw", []byte(`{"a":1}`))
	require.NoError(t, err)
	other, err := encryptBackup("pw", []byte(`{"a":1}`))
	require.NoError(t, err)
	assert.NotEqual(t, data, other, "random salt and nonce")
	plain, err := decryptBackup("pw", data)
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":1}`, string(plain))
	_, err = decryptBackup("PW", data)
	assert.ErrorIs(t, err, errBadBackup)
	_, err = decryptBackup("pw", "")
	assert.ErrorIs(t, err, errBadBackup)
}

// TestEmptyWebhookURLRemovesIt follows the spec: an empty webhooks.url removes the URL, after
// which sends fail with 412 and code 1022.
func TestEmptyWebhookURLRemovesIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:9/hook"))
	r := h.send("PATCH", "/v1/settings/application", `{"webhooks":{"url":""}}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	requireError(t, h.send("POST", "/v1/messages", `{"to":"16315551234","text":{"body":"hi"}}`), 412, codeNoWebhookURL)
	requireError(t, h.send("PATCH", "/v1/settings/application", `{"webhooks":{"url":"ftp://example.com"}}`), 400, codeInvalidParameter)
}
