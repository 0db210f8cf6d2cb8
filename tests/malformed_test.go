package tests

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/fake"
)

// authKind is how a raw request authenticates; the fuzz test uses the same kinds.
type authKind uint8

const (
	authNone        authKind = iota
	authAdmin                // a valid admin bearer token
	authUser                 // a valid bearer token of an ordinary user
	authAPIKey               // Authorization: Apikey <the right key>
	authBasicAdmin           // HTTP Basic with the admin's password
	authBasicWrong           // HTTP Basic with a wrong password
	authGarbage              // a bearer token the fake never issued
	authExpired              // an admin token past its 7 days
	authEmptyBearer          // "Bearer " and nothing else
	authWrongAPIKey          // Authorization: Apikey <another key>
	authKinds                // how many kinds there are
)

// rawCredentials are the credentials of a raw-request fixture.
type rawCredentials struct {
	admin, user, expired string
}

func (c rawCredentials) header(k authKind) string {
	switch k {
	case authAdmin:
		return "Bearer " + c.admin
	case authUser:
		return "Bearer " + c.user
	case authAPIKey:
		return "Apikey " + contractAPIKey
	case authBasicAdmin:
		return "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+contractAdminPass))
	case authBasicWrong:
		return "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:Wrong-Passw0rd!"))
	case authGarbage:
		return "Bearer eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYWRtaW4ifQ.bm90LXNpZ25lZA"
	case authExpired:
		return "Bearer " + c.expired
	case authEmptyBearer:
		return "Bearer "
	case authWrongAPIKey:
		return "Apikey not-the-right-api-key"
	}
	return ""
}

// Placeholders of raw-request paths, replaced by ids of the fixture.
const (
	groupPlaceholder = "{group}"
	mediaPlaceholder = "{media}"
)

// rawRequest is one request of the malformed table (and a seed of the fuzz test).
type rawRequest struct {
	name        string
	method      string
	path        string // may hold groupPlaceholder or mediaPlaceholder
	auth        authKind
	contentType string
	body        string
	wantStatus  int
	wantCode    int
}

// rawFixture is a fake for raw requests: the admin password is already set, the clock is
// manual, and it holds a group and an image.
type rawFixture struct {
	*fixture
	creds rawCredentials
	group string
	media string
}

// rawDo sends a raw request and returns the status, the headers and the body.
func rawDo(t testing.TB, client *http.Client, method, url, auth, contentType string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

// rawLogin logs in with HTTP Basic and returns the token.
func rawLogin(t testing.TB, client *http.Client, base, user, password string) string {
	t.Helper()
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	status, _, body := rawDo(t, client, http.MethodPost, base+"/v1/users/login", auth, "", nil)
	require.Equal(t, http.StatusOK, status, "login: %s", body)
	var env struct {
		Users []struct {
			Token string `json:"token"`
		} `json:"users"`
	}
	require.NoError(t, json.Unmarshal(body, &env))
	require.NotEmpty(t, env.Users)
	return env.Users[0].Token
}

// newRawFixture starts the fake of the malformed table.
func newRawFixture(t *testing.T) *rawFixture {
	t.Helper()
	// The kind limits at upload make "oversized image" a cheap 5 MB request instead of one
	// over the 100 MB ceiling.
	f := newFixture(t, nil, withManualClock(), withFake(fake.WithAdminPassword(contractAdminPass), fake.WithMediaKindLimitsAtUpload()))
	c := f.http.Client()
	rf := &rawFixture{fixture: f}
	rf.creds.expired = rawLogin(t, c, f.URL, "admin", contractAdminPass)
	f.clock.Advance(fake.TokenLifetime + time.Hour)
	rf.creds.admin = rawLogin(t, c, f.URL, "admin", contractAdminPass)
	status, _, body := rawDo(t, c, http.MethodPost, f.URL+"/v1/users", "Bearer "+rf.creds.admin, "application/json",
		strings.NewReader(`{"username":"table_user","password":"`+contractUserPass+`"}`))
	require.Equal(t, http.StatusCreated, status, "create user: %s", body)
	rf.creds.user = rawLogin(t, c, f.URL, "table_user", contractUserPass)

	status, _, body = rawDo(t, c, http.MethodPost, f.URL+"/v1/groups", "Bearer "+rf.creds.admin, "application/json",
		strings.NewReader(`{"subject":"Table group"}`))
	require.Equal(t, http.StatusCreated, status, "create group: %s", body)
	var g struct {
		Groups []struct {
			ID string `json:"id"`
		} `json:"groups"`
	}
	require.NoError(t, json.Unmarshal(body, &g))
	rf.group = g.Groups[0].ID

	status, _, body = rawDo(t, c, http.MethodPost, f.URL+"/v1/media", "Bearer "+rf.creds.admin, "image/jpeg", bytes.NewReader(jpegBytes(2048, 1)))
	require.Equal(t, http.StatusCreated, status, "upload: %s", body)
	var m struct {
		Media []struct {
			ID string `json:"id"`
		} `json:"media"`
	}
	require.NoError(t, json.Unmarshal(body, &m))
	rf.media = m.Media[0].ID
	return rf
}

func (rf *rawFixture) path(p string) string {
	return strings.NewReplacer(groupPlaceholder, rf.group, mediaPlaceholder, rf.media).Replace(p)
}

const (
	jsonCT   = "application/json"
	validMsg = `{"to":"16315551234","type":"text","text":{"body":"hi"}}`
)

// Large bodies of the table, built once.
var (
	longText      = `{"to":"16315551234","type":"text","text":{"body":"` + strings.Repeat("a", 4097) + `"}}`
	oversizedJPEG = string(jpegBytes(5<<20+1, 2))
	hugeJSON      = `{"to":"16315551234","type":"text","text":{"body":"` + strings.Repeat("b", 16<<20) + `"}}`
)

// malformedRequests is the table of requests the fake must refuse, each with the status and
// the code of the API's answer.
func malformedRequests() []rawRequest {
	return []rawRequest{
		// Authentication and roles.
		{"no credentials on health", "GET", "/v1/health", authNone, "", "", 401, 1005},
		{"no credentials on send", "POST", "/v1/messages", authNone, jsonCT, validMsg, 401, 1005},
		{"token never issued", "GET", "/v1/groups", authGarbage, "", "", 401, 1005},
		{"expired token", "GET", "/v1/groups", authExpired, "", "", 401, 1005},
		{"empty bearer", "GET", "/v1/groups", authEmptyBearer, "", "", 401, 1005},
		{"basic on a bearer route", "GET", "/v1/settings/application", authBasicAdmin, "", "", 401, 1005},
		{"bearer on login", "POST", "/v1/users/login", authAdmin, "", "", 401, 1005},
		{"no credentials on login", "POST", "/v1/users/login", authNone, "", "", 401, 1005},
		{"wrong password on login", "POST", "/v1/users/login", authBasicWrong, "", "", 401, 1005},
		{"user token on admin settings", "GET", "/v1/settings/application", authUser, "", "", 403, 1005},
		{"user token on create user", "POST", "/v1/users", authUser, jsonCT, `{"username":"mallory","password":"Mall0ry-Pass!"}`, 403, 1005},
		{"user token on delete user", "DELETE", "/v1/users/admin", authUser, "", "", 403, 1005},
		{"user token reading another user", "GET", "/v1/users/admin", authUser, "", "", 403, 1005},
		{"user token on backup", "POST", "/v1/settings/backup", authUser, jsonCT, `{"password":"p"}`, 403, 1005},
		{"api key on a user route", "POST", "/v1/messages", authAPIKey, jsonCT, validMsg, 403, 1005},
		{"api key on an admin route", "GET", "/v1/account/shards", authAPIKey, "", "", 403, 1005},
		{"wrong api key on health", "GET", "/v1/health", authWrongAPIKey, "", "", 401, 1005},
		{"wrong api key on metrics", "GET", "/metrics", authWrongAPIKey, "", "", 401, 1005},

		// Routing.
		{"unknown route", "GET", "/v1/nothing-here", authAdmin, "", "", 404, 1006},
		{"unknown version", "GET", "/v2/health", authAdmin, "", "", 404, 1006},
		{"wrong method on messages", "DELETE", "/v1/messages", authAdmin, "", "", 405, 1025},
		{"wrong method on health", "POST", "/v1/health", authAdmin, jsonCT, `{}`, 405, 1025},
		{"wrong method on media", "PUT", "/v1/media", authAdmin, "image/jpeg", "x", 405, 1025},

		// Bodies that are not what the operation takes.
		{"not JSON", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":`, 400, 1025},
		{"JSON array instead of object", "POST", "/v1/messages", authAdmin, jsonCT, `[]`, 400, 1009},
		{"empty JSON body", "POST", "/v1/messages", authAdmin, jsonCT, ``, 400, 1008},
		{"text/plain body", "POST", "/v1/messages", authAdmin, "text/plain", validMsg, 400, 1009},
		{"no content type", "POST", "/v1/messages", authAdmin, "", validMsg, 400, 1008},
		{"missing to", "POST", "/v1/messages", authAdmin, jsonCT, `{"type":"text","text":{"body":"hi"}}`, 400, 1008},
		{"to of the wrong type", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":16315551234,"type":"text","text":{"body":"hi"}}`, 400, 1009},
		{"unknown message type", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"carousel","text":{"body":"hi"}}`, 400, 1009},
		{"block named by type missing", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"image","text":{"body":"hi"}}`, 400, 1008},
		{"block not matching type", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"text","text":{"body":"hi"},"location":{"latitude":1,"longitude":2}}`, 400, 1010},
		{"text too long", "POST", "/v1/messages", authAdmin, jsonCT, longText, 400, 1001},
		{"bad recipient_type", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","recipient_type":"broadcast","type":"text","text":{"body":"hi"}}`, 400, 1002},
		{"media with id and link", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"image","image":{"id":"` + mediaPlaceholder + `","link":"https://x.example.com/a.jpg"}}`, 400, 1009},
		{"unknown media id", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"image","image":{"id":"00000000-0000-4000-8000-000000000000"}}`, 404, 1006},
		{"preview_url as a string", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"text","preview_url":"yes","text":{"body":"hi"}}`, 400, 1009},
		{"negative ttl", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"text","ttl":-5,"text":{"body":"hi"}}`, 400, 1009},
		{"latitude out of range", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"location","location":{"latitude":200,"longitude":2}}`, 400, 1009},
		{"four reply buttons", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"interactive","interactive":{"type":"button","body":{"text":"?"},"action":{"buttons":[` +
			`{"type":"reply","reply":{"id":"1","title":"1"}},{"type":"reply","reply":{"id":"2","title":"2"}},{"type":"reply","reply":{"id":"3","title":"3"}},{"type":"reply","reply":{"id":"4","title":"4"}}]}}}`, 400, 1009},
		{"template without language", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"template","template":{"namespace":"ns","name":"t"}}`, 400, 1008},
		{"empty contacts", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"16315551234","type":"contacts","contacts":[]}`, 400, 1009},
		{"recipient not a number", "POST", "/v1/messages", authAdmin, jsonCT, `{"to":"pasta","type":"text","text":{"body":"hi"}}`, 400, 1013},
		{"JSON body over 16 MiB", "POST", "/v1/messages", authAdmin, jsonCT, hugeJSON, 400, 1009},
		{"mark read with another status", "PUT", "/v1/messages/ABGGFlA5FpafAgo6tHcNmNjXmuSf", authAdmin, jsonCT, `{"status":"delivered"}`, 400, 1009},
		{"mark read of an unknown message", "PUT", "/v1/messages/ABGGFlA5FpafAgo6tHcNmNjXmuSf", authAdmin, jsonCT, `{"status":"read"}`, 404, 1006},

		// Users and login.
		{"user without password", "POST", "/v1/users", authAdmin, jsonCT, `{"username":"newuser"}`, 400, 1008},
		{"username too short", "POST", "/v1/users", authAdmin, jsonCT, `{"username":"ab","password":"` + contractUserPass + `"}`, 400, 1009},
		{"weak password", "POST", "/v1/users", authAdmin, jsonCT, `{"username":"newuser","password":"password"}`, 400, 1009},
		{"password of the wrong type", "PUT", "/v1/users/table_user", authAdmin, jsonCT, `{"password":12345678}`, 400, 1009},
		{"weak new_password at login", "POST", "/v1/users/login", authBasicAdmin, jsonCT, `{"new_password":"short"}`, 400, 1009},
		{"login body not JSON", "POST", "/v1/users/login", authBasicAdmin, jsonCT, `{"new_password":`, 400, 1025},
		{"unknown user", "GET", "/v1/users/nobody_here", authAdmin, "", "", 404, 1006},
		{"username path parameter off the pattern", "GET", "/v1/users/no%20way!", authAdmin, "", "", 400, 1009},
		{"username path parameter too short", "DELETE", "/v1/users/abc", authAdmin, "", "", 400, 1009},

		// Settings.
		{"webhook URL not a URL", "PATCH", "/v1/settings/application", authAdmin, jsonCT, `{"webhooks":{"url":"not a url"}}`, 400, 1009},
		{"empty settings patch", "PATCH", "/v1/settings/application", authAdmin, jsonCT, `{}`, 400, 1009},
		{"max_concurrent_requests off the enum", "PATCH", "/v1/settings/application", authAdmin, jsonCT, `{"webhooks":{"max_concurrent_requests":7}}`, 400, 1009},
		{"read-only wa_id", "PATCH", "/v1/settings/application", authAdmin, jsonCT, `{"wa_id":"16315551019"}`, 400, 1010},
		{"three websites", "POST", "/v1/settings/business/profile", authAdmin, jsonCT, `{"websites":["https://a.example.com","https://b.example.com","https://c.example.com"]}`, 400, 1009},
		{"about too long", "PATCH", "/v1/settings/profile/about", authAdmin, jsonCT, `{"text":"` + strings.Repeat("a", 140) + `"}`, 400, 1009},
		{"two-step pin not six digits", "POST", "/v1/settings/account/two-step", authAdmin, jsonCT, `{"pin":"12ab"}`, 400, 1009},
		{"two media providers at once", "POST", "/v1/settings/application/media/providers", authAdmin, jsonCT,
			`[{"name":"a","type":"www","config":{"bearer":"x"}},{"name":"b","type":"www","config":{"bearer":"y"}}]`, 400, 1009},
		{"unknown media provider", "DELETE", "/v1/settings/application/media/providers/nope", authAdmin, "", "", 404, 1006},
		{"provider name off the pattern", "DELETE", "/v1/settings/application/media/providers/no%20way!", authAdmin, "", "", 400, 1009},
		{"restore of garbage", "POST", "/v1/settings/restore", authAdmin, jsonCT, `{"password":"p","data":"bm90IGEgYmFja3Vw"}`, 400, 1009},
		{"backup without password", "POST", "/v1/settings/backup", authAdmin, jsonCT, `{}`, 400, 1008},

		// Registration.
		{"code by fax", "POST", "/v1/account", authAdmin, jsonCT, `{"cc":"1","phone_number":"6315550000","method":"fax","cert":"Y2VydA=="}`, 400, 1009},
		{"three shards", "POST", "/v1/account/shards", authAdmin, jsonCT, `{"cc":"1","phone_number":"6315551019","shards":3,"cert":"Y2VydA=="}`, 400, 1009},
		{"verify without code", "POST", "/v1/account/verify", authAdmin, jsonCT, `{}`, 400, 1008},

		// Media, photo, icon.
		{"upload of an undeclared type", "POST", "/v1/media", authAdmin, "image/gif", "GIF89a", 400, 1009},
		{"upload without content type", "POST", "/v1/media", authAdmin, "", "\xff\xd8\xff", 400, 1008},
		{"empty upload", "POST", "/v1/media", authAdmin, "image/jpeg", "", 400, 1008},
		{"oversized image with the limits at upload", "POST", "/v1/media", authAdmin, "image/jpeg", oversizedJPEG, 400, 1009},
		{"download of unknown media", "GET", "/v1/media/00000000-0000-4000-8000-000000000000", authAdmin, "", "", 404, 1006},
		{"delete of unknown media", "DELETE", "/v1/media/00000000-0000-4000-8000-000000000000", authAdmin, "", "", 404, 1006},
		{"photo as gif", "POST", "/v1/settings/profile/photo", authAdmin, "image/gif", "GIF89a", 400, 1009},
		{"empty photo", "POST", "/v1/settings/profile/photo", authAdmin, "image/jpeg", "", 400, 1008},
		{"photo format off the enum", "GET", "/v1/settings/profile/photo?format=xml", authAdmin, "", "", 400, 1009},
		{"icon of an unknown group", "POST", "/v1/groups/16315551019-1000000000/icon", authAdmin, "image/jpeg", "\xff\xd8\xff", 404, 1012},

		// Enum query values.
		{"metrics format off the enum", "GET", "/metrics?format=xml", authAPIKey, "", "", 400, 1009},
		{"stats format off the enum", "GET", "/v1/stats/db?format=csv", authAPIKey, "", "", 400, 1009},
		{"stickerpack namespace off the enum", "GET", "/v1/stickerpacks?namespace=bogus", authAdmin, "", "", 400, 1009},

		// Groups.
		{"group without subject", "POST", "/v1/groups", authAdmin, jsonCT, `{}`, 400, 1008},
		{"group subject too long", "POST", "/v1/groups", authAdmin, jsonCT, `{"subject":"` + strings.Repeat("s", 26) + `"}`, 400, 1009},
		{"unknown group", "GET", "/v1/groups/16315551019-1000000000", authAdmin, "", "", 404, 1012},
		{"promote an empty list", "PATCH", "/v1/groups/" + groupPlaceholder + "/admins", authAdmin, jsonCT, `{"wa_ids":[]}`, 400, 1009},
		{"promote without wa_ids", "PATCH", "/v1/groups/" + groupPlaceholder + "/admins", authAdmin, jsonCT, `{}`, 400, 1008},
		{"remove a participant that is not a wa_id", "DELETE", "/v1/groups/" + groupPlaceholder + "/participants", authAdmin, jsonCT, `{"wa_ids":["abc"]}`, 400, 1009},

		// Contacts and certificates.
		{"contacts missing", "POST", "/v1/contacts", authAdmin, jsonCT, `{}`, 400, 1008},
		{"blocking off the enum", "POST", "/v1/contacts", authAdmin, jsonCT, `{"contacts":["+16315551234"],"blocking":"sometimes"}`, 400, 1009},
		{"identity of a wa_id that is not digits", "GET", "/v1/contacts/pasta/identity", authAdmin, "", "", 400, 1009},
		{"webhook CA as JSON", "POST", "/v1/certificates/webhooks/ca", authAdmin, jsonCT, `{"cert":"x"}`, 400, 1009},
		{"empty webhook CA", "POST", "/v1/certificates/webhooks/ca", authAdmin, "text/plain", "", 400, 1008},
		{"external certificate of one block", "POST", "/v1/certificates/external", authAdmin, "text/plain", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 400, 1009},

		// Stickerpacks.
		{"stickerpack without name", "POST", "/v1/stickerpacks", authAdmin, jsonCT, `{"publisher":"Pasta Co"}`, 400, 1008},
		{"unknown stickerpack", "GET", "/v1/stickerpacks/00000000-0000-4000-8000-000000000000", authAdmin, "", "", 404, 1006},
		{"sticker without image", "POST", "/v1/stickerpacks/00000000-0000-4000-8000-000000000000/stickers", authAdmin, jsonCT, `{"emojis":["x"]}`, 400, 1008},
	}
}

// TestMalformedRequests sends each malformed request with plain net/http and checks the exact
// status, the error code and that the body is the API's envelope, valid against the spec's
// ErrorEnvelope schema. The contract middleware validates every answer as well.
func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	rows := malformedRequests()
	require.GreaterOrEqual(t, len(rows), 50)
	rf := newRawFixture(t)
	envelope := mustSpecView(t).errorEnvelope
	client := rf.http.Client()
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := rf.path(tc.body)
			status, header, got := rawDo(t, client, tc.method, rf.URL+rf.path(tc.path), rf.creds.header(tc.auth), tc.contentType, strings.NewReader(body))
			assert.Equal(t, tc.wantStatus, status, "status; body %s", truncate(string(got), 300))
			assert.Equal(t, "application/json", header.Get("Content-Type"))
			var v any
			require.NoError(t, json.Unmarshal(got, &v), "the body must be JSON: %s", got)
			require.NoError(t, envelope.VisitJSON(v, validationOptions...), "the body must be an ErrorEnvelope: %s", got)
			var env struct {
				Errors []struct {
					Code int `json:"code"`
				} `json:"errors"`
			}
			require.NoError(t, json.Unmarshal(got, &env))
			require.NotEmpty(t, env.Errors)
			assert.Equal(t, tc.wantCode, env.Errors[0].Code, "code; body %s", truncate(string(got), 300))
			assert.NotEmpty(t, header.Get("X-Request-ID"))
		})
	}
}
