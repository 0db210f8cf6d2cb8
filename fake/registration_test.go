package fake

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// exampleCert is a well-formed verified-name certificate (details: serial 1, issuer "ent:wa",
// verified_name "My Business"; signature "sig!").
const exampleCert = "ChcIARIGZW50OndhIgtNeSBCdXNpbmVzcxIEc2lnIQ=="

// specExampleCert is a truncated certificate (the spec's first example) whose name field is cut
// short by the lengths it declares.
const specExampleCert = "CmEKHQiE0qPm3c2GAhIGZW50OndhIg5NeSBCdXNpbmVzcxBO"

func health(t *testing.T, h *harness) gen.GatewayStatus {
	t.Helper()
	r := h.get("/v1/health")
	require.Equal(t, http.StatusOK, r.status)
	var env gen.HealthEnvelope
	r.decode(t, &env)
	return *env.Health.GatewayStatus
}

func TestRegistrationStateMachine(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithUnregistered())
	assert.Equal(t, gen.GatewayStatusUnregistered, health(t, h))
	requireError(t, h.send("POST", "/v1/messages", `{"to":"16315551234","text":{"body":"hi"}}`), 500, codeServiceNotReady)

	requireError(t, h.send("POST", "/v1/account/verify", gen.AccountVerification{Code: "123456"}), 400, codeInvalidParameter)

	reg := map[string]any{"cc": "1", "phone_number": "6315550000", "method": "sms", "cert": exampleCert}
	r := h.send("POST", "/v1/account", reg)
	require.Equal(t, http.StatusAccepted, r.status, string(r.body))
	var vn gen.VerifiedNameEnvelope
	r.decode(t, &vn)
	assert.Equal(t, "My Business", vn.Account[0].Vname)

	requireError(t, h.send("POST", "/v1/account/verify", gen.AccountVerification{Code: "000000"}), 400, codeInvalidParameter)
	r = h.send("POST", "/v1/account/verify", gen.AccountVerification{Code: "123-456"})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	assert.Equal(t, gen.GatewayStatusConnected, health(t, h))

	r = h.get("/v1/settings/application")
	var set gen.ApplicationSettingsEnvelope
	r.decode(t, &set)
	assert.Equal(t, "16315550000", *set.Settings.Application.WaID)

	// Asking again for the same number: already registered.
	r = h.send("POST", "/v1/account", reg)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
}

func TestRegistrationChecks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	reg := func(extra map[string]any) map[string]any {
		m := map[string]any{"cc": "1", "phone_number": "6315551019", "method": "sms", "cert": exampleCert}
		for k, v := range extra {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   int
	}{
		{"missing cert", reg(map[string]any{"cert": nil}), 400, codeMissingParameter},
		{"bad method", reg(map[string]any{"method": "fax"}), 400, codeInvalidParameter},
		{"cert not base64", reg(map[string]any{"cert": "***"}), 400, codeInvalidParameter},
		{"pin with reset", reg(map[string]any{"pin": "123456", "reset": "wipe"}), 400, codeParameterNotWanted},
		{"bad cc", reg(map[string]any{"cc": "0"}), 400, codeInvalidParameter},
		{"reset re-registers", reg(map[string]any{"reset": "wipe"}), 202, 0},
		{"already registered", reg(nil), 201, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.send("POST", "/v1/account", c.body)
			if c.code == 0 {
				assert.Equal(t, c.status, r.status, string(r.body))
				return
			}
			requireError(t, r, c.status, c.code)
		})
	}
}

func TestTwoStepAndShards(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	requireError(t, h.send("POST", "/v1/settings/account/two-step", `{"pin":""}`), 400, codeInvalidParameter)
	requireError(t, h.send("POST", "/v1/settings/account/two-step", `{"pin":"12345a"}`), 400, codeInvalidParameter)
	require.Equal(t, http.StatusOK, h.send("POST", "/v1/settings/account/two-step", `{"pin":"012345"}`).status)

	reg := map[string]any{"cc": "1", "phone_number": "6315552222", "method": "voice", "cert": exampleCert}
	requireError(t, h.send("POST", "/v1/account", reg), 400, codeMissingParameter)
	reg["pin"] = "999999"
	requireError(t, h.send("POST", "/v1/account", reg), 400, codeInvalidParameter)
	reg["pin"] = "012345"
	assert.Equal(t, http.StatusAccepted, h.send("POST", "/v1/account", reg).status)

	shards := map[string]any{"cc": "1", "phone_number": "6315551019", "shards": 8, "cert": exampleCert}
	requireError(t, h.send("POST", "/v1/account/shards", shards), 400, codeMissingParameter)
	shards["pin"] = "012345"
	require.Equal(t, http.StatusCreated, h.send("POST", "/v1/account/shards", shards).status)
	shards["shards"] = 3
	requireError(t, h.send("POST", "/v1/account/shards", shards), 400, codeInvalidParameter)
	shards["shards"], shards["phone_number"] = 4, "6315550001"
	requireError(t, h.send("POST", "/v1/account/shards", shards), 400, codeInvalidParameter)

	r := h.get("/v1/account/shards")
	var env gen.ShardsEnvelope
	r.decode(t, &env)
	assert.Equal(t, gen.ShardCountN8, env.Account.Shards)

	require.Equal(t, http.StatusOK, h.send("DELETE", "/v1/settings/account/two-step", nil).status)
	delete(reg, "pin")
	assert.Equal(t, http.StatusAccepted, h.send("POST", "/v1/account", reg).status)
}

func TestRegistrationBlockedAfterSunset(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithRegistrationBlocked(), WithUnregistered())
	r := h.send("POST", "/v1/account", map[string]any{"cc": "1", "phone_number": "6315550000", "method": "sms", "cert": exampleCert})
	d := requireError(t, r, http.StatusForbidden, codeAccessDenied)
	assert.Equal(t, "Unknown error: biz_link_on_prem_reg_blocked", *d.Details)
}

func TestVerifiedNameFromCert(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cert string
		want string
		ok   bool
	}{
		{exampleCert, "My Business", true},
		{specExampleCert, "My Busines", true},
		{"AAAA", DefaultVerifiedName, true},
		{"not base64!", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := verifiedNameFromCert(c.cert)
		assert.Equal(t, c.ok, ok, c.cert)
		assert.Equal(t, c.want, got, c.cert)
	}
}

func TestHealthCanBeSetAndParksStatuses(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t)
	h.setWebhook(rec.URL, true, true, true)
	require.NoError(t, h.srv.SetHealth(gen.GatewayStatusDisconnected))
	assert.Equal(t, gen.GatewayStatusDisconnected, health(t, h))
	id := h.sendText("16315551234", "hello")
	h.advance(time.Second)
	assert.Empty(t, rec.Statuses(), "no status while disconnected")
	require.NoError(t, h.srv.SetHealth(gen.GatewayStatusConnected))
	h.advance(time.Second)
	h.advance(time.Second)
	var got []string
	for _, st := range rec.Statuses() {
		assert.Equal(t, id, st.ID)
		got = append(got, st.Status)
	}
	assert.ElementsMatch(t, []string{"sent", "delivered", "read"}, got)
	require.Error(t, h.srv.SetHealth("sleepy"))
	require.NoError(t, h.srv.SetHealth(gen.GatewayStatusUninitialized))
	requireError(t, h.send("POST", "/v1/messages", `{"to":"16315551234","text":{"body":"hi"}}`), 500, codeServiceNotReady)
}
