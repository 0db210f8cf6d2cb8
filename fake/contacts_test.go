package fake

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func TestNormalizePhoneAndDefaultRule(t *testing.T) {
	t.Parallel()
	cases := []struct {
		input  string
		status gen.ContactCheckResultStatus
		waID   string
	}{
		{"+1 631 555 1000", "valid", "16315551000"},
		{"1-631-555-1005", "valid", "16315551005"},
		{"(631) 555.1002", "valid", "6315551002"},
		{"16315551001", "valid", "16315551001"},
		{"+16315550404", "invalid", ""},
		{"+163155588", "failed", ""},
		{"+1 631 555 1000 ext 5", "failed", ""},
		{"1234567890123456", "failed", ""},
		{"06315551000", "failed", ""},
		{"", "failed", ""},
	}
	check := DefaultContactChecker("16315550404")
	for _, c := range cases {
		got := check(c.input)
		assert.Equal(t, c.status, got.Status, c.input)
		assert.Equal(t, c.waID, got.WaID, c.input)
	}
}

func TestCheckContactsBlockingAndWebhookResults(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t, WithInvalidContacts("16315550404"), WithSeedContacts(ContactSeed{WaID: "16315557777", Valid: true, Name: "Seeded"}))

	r := h.send("POST", "/v1/contacts", `{"blocking":"wait","contacts":["+1 631 555 1000","+16315550404","+163155588"]}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var env gen.ContactCheckEnvelope
	r.decode(t, &env)
	require.Len(t, env.Contacts, 3)
	assert.Equal(t, gen.ContactCheckResultStatusValid, env.Contacts[0].Status)
	assert.Equal(t, "16315551000", *env.Contacts[0].WaID)
	assert.Equal(t, "+1 631 555 1000", env.Contacts[0].Input)
	assert.Equal(t, gen.ContactCheckResultStatusInvalid, env.Contacts[1].Status)
	assert.Nil(t, env.Contacts[1].WaID)
	assert.Equal(t, gen.ContactCheckResultStatusFailed, env.Contacts[2].Status)

	// no_wait without a webhook URL cannot deliver its results.
	requireError(t, h.send("POST", "/v1/contacts", `{"contacts":["16315552000"]}`), 412, codeNoWebhookURL)

	h.setWebhook(rec.URL, false, false, false)
	r = h.send("POST", "/v1/contacts", `{"contacts":["16315551000","16315552000","16315557777","bad"]}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r.decode(t, &env)
	got := []gen.ContactCheckResultStatus{}
	for _, c := range env.Contacts {
		got = append(got, c.Status)
	}
	assert.Equal(t, []gen.ContactCheckResultStatus{"valid", "processing", "valid", "failed"}, got, "cached and seeded numbers answer at once")
	h.advance(time.Second)
	notes := rec.Notifications()
	require.Len(t, notes, 1)
	require.NotNil(t, notes[0].Contacts)
	items := *notes[0].Contacts
	require.Len(t, items, 1)
	assert.Equal(t, "16315552000", *items[0].Input)
	assert.Equal(t, "valid", *items[0].Status)
	assert.Equal(t, "16315552000", *items[0].WaID)
	requireValidNotifications(t, rec.Bodies())

	// force_check bypasses the cache.
	r = h.send("POST", "/v1/contacts", `{"contacts":["16315551000"],"force_check":true}`)
	r.decode(t, &env)
	assert.Equal(t, gen.ContactCheckResultStatusProcessing, env.Contacts[0].Status)

	// The cache lasts 7 days.
	h.advance(contactCacheTTL)
	h.admin = h.login("admin", testAdminPassword) // the token expired too
	r = h.send("POST", "/v1/contacts", `{"contacts":["16315552000"]}`)
	r.decode(t, &env)
	assert.Equal(t, gen.ContactCheckResultStatusProcessing, env.Contacts[0].Status)

	for _, body := range []string{`{"contacts":[]}`, `{"contacts":"16315551000"}`, `{"contacts":["1"],"blocking":"later"}`} {
		requireError(t, h.send("POST", "/v1/contacts", body), 400, codeInvalidParameter)
	}
	requireError(t, h.send("POST", "/v1/contacts", `{}`), 400, codeMissingParameter)
}

func TestContactIdentity(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t, WithInvalidContacts("16315550404"))
	h.setWebhook(rec.URL, false, false, false)
	require.Equal(t, 200, h.send("PATCH", "/v1/settings/application", `{"show_security_notifications":true}`).status)

	r := h.get("/v1/contacts/16315551234/identity")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var env gen.ContactIdentityEnvelope
	r.decode(t, &env)
	assert.True(t, *env.Contacts.Acknowledged)
	first := *env.Contacts.Hash
	requireError(t, h.get("/v1/contacts/16315550404/identity"), 404, codeNotFound)
	requireError(t, h.get("/v1/contacts/abc/identity"), 400, codeInvalidParameter)

	hash, err := h.srv.ChangeIdentity("16315551234")
	require.NoError(t, err)
	assert.NotEqual(t, first, hash)
	h.advance(time.Second)
	msgs := rec.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "system", msgs[0].Type)
	assert.Equal(t, "user_identity_changed", *msgs[0].System.Type)
	assert.Equal(t, hash, *msgs[0].System.Identity)

	// Until acknowledged, messages to the customer fail with 480.
	id := h.sendText("16315551234", "are you still you?")
	h.advance(time.Second)
	m, ok := h.srv.SentMessage(id)
	require.True(t, ok)
	require.Len(t, m.Statuses, 1)
	assert.Equal(t, "failed", m.Statuses[0].Status)
	assert.Equal(t, 480, m.Statuses[0].ErrorCode)

	requireError(t, h.send("PUT", "/v1/contacts/16315551234/identity", gen.ContactIdentityAcknowledgement{Hash: first}), 400, codeInvalidParameter)
	requireError(t, h.send("PUT", "/v1/contacts/16315551234/identity", `{}`), 400, codeMissingParameter)
	require.Equal(t, 200, h.send("PUT", "/v1/contacts/16315551234/identity", gen.ContactIdentityAcknowledgement{Hash: hash}).status)
	h.get("/v1/contacts/16315551234/identity").decode(t, &env)
	assert.True(t, *env.Contacts.Acknowledged)
	assert.Equal(t, hash, *env.Contacts.Hash)
	requireValidNotifications(t, rec.Bodies())
}
