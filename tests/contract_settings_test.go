package tests

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

func ptrNumber(s string) *json.Number {
	n := json.Number(s)
	return &n
}

// statusesOf returns the statuses the recorder accepted for one message, in arrival order.
func statusesOf(r *fake.WebhookRecorder, id string) []string {
	var out []string
	for _, s := range r.Statuses() {
		if s.ID == id {
			out = append(out, s.Status)
		}
	}
	return out
}

// requireWebhooksMatchSpec validates every notification a recorder accepted against the
// spec's WebhookNotification schema: the fake's callbacks are part of the contract too.
func requireWebhooksMatchSpec(t *testing.T, r *fake.WebhookRecorder) {
	t.Helper()
	schema := mustSpecView(t).doc.Components.Schemas["WebhookNotification"]
	require.NotNil(t, schema, "the spec has no WebhookNotification schema")
	var bad []string
	for _, body := range r.Bodies() {
		var v any
		require.NoError(t, json.Unmarshal(body, &v))
		if err := schema.Value.VisitJSON(v, validationOptions...); err != nil {
			bad = append(bad, truncate(err.Error(), 300)+" in "+truncate(string(body), 300))
		}
	}
	assert.Empty(t, bad, "webhook payloads that do not match WebhookNotification")
}

// scenarioSettingsAndWebhooks sets up the webhook from scratch with the application settings,
// then receives the status webhooks of a message and an inbound message.
func scenarioSettingsAndWebhooks(t *testing.T, cov *coverage) {
	ctx := t.Context()
	hooks := fake.NewWebhookRecorder(t, fake.RecorderTLS())
	f := newFixture(t, cov, withoutWebhook(), withFake(fake.WithWebhookHTTPClient(hooks.Client())))
	admin := f.adminClient(t)
	user := f.userClient(t, "viewer")

	set, err := admin.GetApplicationSettings(ctx)
	require.NoError(t, err)
	require.NotNil(t, set.Webhooks)
	assert.Nil(t, set.Webhooks.URL, "no webhook URL by default")
	require.NotNil(t, set.CallbackBackoffDelayMs)
	assert.Equal(t, "3000", set.CallbackBackoffDelayMs.String())
	_, err = user.GetApplicationSettings(ctx)
	requireAPIError(t, err, http.StatusForbidden, api.CodeAccessDenied)

	// Without a webhook URL a send has nowhere to report its statuses: 412 with code 1022.
	_, err = admin.SendText(ctx, contractCustomer, "hello?")
	requireAPIError(t, err, http.StatusPreconditionFailed, api.CodeWebhookURLNotSet)

	requireAPIError(t, admin.UpdateApplicationSettings(ctx, gen.ApplicationSettings{
		Webhooks: &gen.ApplicationWebhookSettings{URL: ptr("ftp://hooks.example.com")},
	}), http.StatusBadRequest, api.CodeInvalidParameter)
	requireAPIError(t, admin.UpdateApplicationSettings(ctx, gen.ApplicationSettings{WaID: ptr("16315551019")}),
		http.StatusBadRequest, api.CodeParameterNotRequired)
	requireAPIError(t, user.UpdateApplicationSettings(ctx, gen.ApplicationSettings{SentStatus: ptr(true)}),
		http.StatusForbidden, api.CodeAccessDenied)
	require.NoError(t, admin.UpdateApplicationSettings(ctx, gen.ApplicationSettings{
		Webhooks: &gen.ApplicationWebhookSettings{
			URL:     &hooks.URL,
			Message: &gen.ApplicationWebhookMessageSettings{Sent: ptr(true), Delivered: ptr(true), Read: ptr(true)},
		},
	}))
	set, err = admin.GetApplicationSettings(ctx)
	require.NoError(t, err)
	require.NotNil(t, set.Webhooks.URL)
	assert.Equal(t, hooks.URL, *set.Webhooks.URL)

	// A message's statuses all arrive: sent, delivered, read. Webhook ordering is not
	// guaranteed (Meta's webhooks page), and over HTTPS each concurrent delivery may open its
	// own TLS connection, so under load they can arrive out of order.
	id, err := admin.SendText(ctx, contractCustomer, "Your order has shipped")
	require.NoError(t, err)
	ctxWait := func(cond func(*fake.WebhookRecorder) bool) {
		t.Helper()
		require.NoError(t, hooks.WaitFor(ctx, cond))
	}
	ctxWait(func(r *fake.WebhookRecorder) bool { return len(statusesOf(r, id)) >= 3 })
	assert.ElementsMatch(t, []string{"sent", "delivered", "read"}, statusesOf(hooks, id))

	// An inbound message arrives by webhook and is marked read with its id.
	in, err := f.srv.InjectInbound(fake.Inbound{Message: gen.InboundMessage{
		From: contractCustomer, Type: "text", Text: &gen.InboundText{Body: "Thanks!"},
	}})
	require.NoError(t, err)
	ctxWait(func(r *fake.WebhookRecorder) bool {
		return slices.ContainsFunc(r.Messages(), func(m gen.InboundMessage) bool { return m.ID == in.ID })
	})
	require.NoError(t, admin.MarkRead(ctx, in.ID))
	requireAPIError(t, admin.MarkRead(ctx, "ABGGFlA5FpafAgo6tHcNmNjXmuSf"), http.StatusNotFound, api.CodeNotFound)
	requireWebhooksMatchSpec(t, hooks)

	// Reset restores every default, the webhook URL included.
	requireAPIError(t, user.ResetApplicationSettings(ctx), http.StatusForbidden, api.CodeAccessDenied)
	require.NoError(t, admin.ResetApplicationSettings(ctx))
	set, err = admin.GetApplicationSettings(ctx)
	require.NoError(t, err)
	assert.Nil(t, set.Webhooks.URL)
	_, err = admin.SendText(ctx, contractCustomer, "after reset")
	requireAPIError(t, err, http.StatusPreconditionFailed, api.CodeWebhookURLNotSet)
}

// scenarioMediaProviders manages the credentials used to fetch media sent by link.
func scenarioMediaProviders(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov)
	admin := f.adminClient(t)
	user := f.userClient(t, "sender")

	ps, err := admin.GetMediaProviders(ctx)
	require.NoError(t, err)
	assert.Empty(t, ps)
	_, err = user.GetMediaProviders(ctx)
	requireAPIError(t, err, http.StatusForbidden, api.CodeAccessDenied)

	requireAPIError(t, admin.UpdateMediaProvider(ctx, gen.MediaProvider{Name: "both", Config: gen.MediaProviderConfig{
		Bearer: ptr("token"), Basic: &gen.MediaProviderBasicAuth{Username: "u", Password: "p"},
	}}), http.StatusBadRequest, api.CodeInvalidParameter)
	require.NoError(t, admin.UpdateMediaProvider(ctx, gen.MediaProvider{Name: "cdn", Config: gen.MediaProviderConfig{Bearer: ptr("token")}}))
	require.NoError(t, admin.UpdateMediaProvider(ctx, gen.MediaProvider{Name: "intranet", Config: gen.MediaProviderConfig{
		Basic: &gen.MediaProviderBasicAuth{Username: "fetcher", Password: "s3cret"},
	}}))
	ps, err = admin.GetMediaProviders(ctx)
	require.NoError(t, err)
	require.Len(t, ps, 2)
	assert.Equal(t, "cdn", ps[0].Name)
	assert.Equal(t, gen.MediaProviderTypeWww, ps[0].Type)

	// A media message by link names a provider by its name.
	_, err = user.SendImage(ctx, contractCustomer, api.Media{Link: "https://cdn.example.com/menu.jpg", Provider: "cdn", Caption: "Menu"})
	require.NoError(t, err)
	_, err = user.SendImage(ctx, contractCustomer, api.Media{Link: "https://cdn.example.com/menu.jpg", Provider: "unknown"})
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)

	require.NoError(t, admin.DeleteMediaProvider(ctx, "cdn"))
	requireAPIError(t, admin.DeleteMediaProvider(ctx, "cdn"), http.StatusNotFound, api.CodeNotFound)
	requireAPIError(t, user.DeleteMediaProvider(ctx, "intranet"), http.StatusForbidden, api.CodeAccessDenied)
}

// jpegBytes returns n bytes that start like a JPEG file (the fake checks media types and
// sizes, not pixels).
func jpegBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed
	}
	copy(b, []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00})
	return b
}

// scenarioProfile: business profile, about text and profile photo.
func scenarioProfile(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov)
	admin := f.adminClient(t)
	user := f.userClient(t, "marketer")

	p, err := admin.GetBusinessProfile(ctx)
	require.NoError(t, err)
	assert.Nil(t, p.Description)
	_, err = user.GetBusinessProfile(ctx)
	requireAPIError(t, err, http.StatusForbidden, api.CodeAccessDenied)
	requireAPIError(t, admin.UpdateBusinessProfile(ctx, gen.BusinessProfile{
		Websites: &[]string{"https://a.example.com", "https://b.example.com", "https://c.example.com"},
	}), http.StatusBadRequest, api.CodeInvalidParameter)
	vertical := gen.BusinessVertical("Restaurant")
	want := gen.BusinessProfile{
		Address: ptr("1 Pasta Way"), Description: ptr("Fresh pasta"), Email: ptr("hello@pasta.example.com"),
		Vertical: &vertical, Websites: &[]string{"https://pasta.example.com"},
	}
	require.NoError(t, admin.UpdateBusinessProfile(ctx, want))
	p, err = admin.GetBusinessProfile(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, *p)

	about, err := admin.GetProfileAbout(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, about)
	requireAPIError(t, admin.UpdateProfileAbout(ctx, strings.Repeat("a", 140)), http.StatusBadRequest, api.CodeInvalidParameter)
	require.NoError(t, admin.UpdateProfileAbout(ctx, "Open 9 to 5"))
	about, err = admin.GetProfileAbout(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Open 9 to 5", about)
	_, err = user.GetProfileAbout(ctx)
	requireAPIError(t, err, http.StatusForbidden, api.CodeAccessDenied)

	// The photo: binary up and down, a public link, and deletion.
	_, _, err = admin.GetProfilePhoto(ctx)
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
	requireAPIError(t, admin.UpdateProfilePhoto(ctx, bytes.NewReader([]byte("GIF89a....")), "image/gif"),
		http.StatusBadRequest, api.CodeInvalidParameter)
	photo := jpegBytes(64<<10, 7)
	require.NoError(t, admin.UpdateProfilePhoto(ctx, bytes.NewReader(photo), "image/jpeg"))
	body, ct, err := admin.GetProfilePhoto(ctx)
	require.NoError(t, err)
	got, err := io.ReadAll(body)
	require.NoError(t, body.Close())
	require.NoError(t, err)
	assert.Equal(t, "image/jpeg", ct)
	assert.Equal(t, photo, got)
	link, err := admin.GetProfilePhotoLink(ctx)
	require.NoError(t, err)
	assert.Equal(t, photo, fetch(t, link), "the public link serves the same photo")
	requireAPIError(t, user.DeleteProfilePhoto(ctx), http.StatusForbidden, api.CodeAccessDenied)
	require.NoError(t, admin.DeleteProfilePhoto(ctx))
	_, err = admin.GetProfilePhotoLink(ctx)
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
}

// fetch GETs a public URL (the fake's CDN) and returns the body.
func fetch(t *testing.T, url string) []byte {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}

// certBundle returns a PEM bundle as POST /v1/certificates/external wants it (private key,
// server certificate, CA) and the CA alone.
func certBundle(t *testing.T) (bundle, ca []byte) {
	t.Helper()
	conf, caPEM, err := fake.GenerateTLS("wa.example.com")
	require.NoError(t, err)
	leaf := conf.Certificates[0]
	key, ok := leaf.PrivateKey.(*ecdsa.PrivateKey)
	require.True(t, ok)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, pem.Encode(&b, &pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	require.NoError(t, pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]}))
	b.Write(caPEM)
	return b.Bytes(), caPEM
}

// scenarioCertificates: the external (HTTPS) certificate and the webhook CA.
func scenarioCertificates(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov)
	admin := f.adminClient(t)
	user := f.userClient(t, "tls_viewer")
	bundle, ca := certBundle(t)

	_, err := user.DownloadExternalCACertificate(ctx)
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
	requireAPIError(t, admin.UploadExternalCertificate(ctx, ca), http.StatusBadRequest, api.CodeInvalidParameter)
	requireAPIError(t, user.UploadExternalCertificate(ctx, bundle), http.StatusForbidden, api.CodeAccessDenied)
	require.NoError(t, admin.UploadExternalCertificate(ctx, bundle))
	got, err := user.DownloadExternalCACertificate(ctx)
	require.NoError(t, err)
	assert.Equal(t, ca, got)

	_, err = admin.DownloadWebhookCACertificate(ctx)
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
	requireAPIError(t, admin.UploadWebhookCACertificate(ctx, nil), http.StatusBadRequest, api.CodeRequiredParamMissing)
	require.NoError(t, admin.UploadWebhookCACertificate(ctx, ca))
	got, err = admin.DownloadWebhookCACertificate(ctx)
	require.NoError(t, err)
	assert.Equal(t, ca, got)
	_, err = user.DownloadWebhookCACertificate(ctx)
	requireAPIError(t, err, http.StatusForbidden, api.CodeAccessDenied)
	requireAPIError(t, user.DeleteWebhookCACertificate(ctx), http.StatusForbidden, api.CodeAccessDenied)
	require.NoError(t, admin.DeleteWebhookCACertificate(ctx))
	_, err = admin.DownloadWebhookCACertificate(ctx)
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
}
