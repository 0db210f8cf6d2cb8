package fake

import (
	"bytes"
	"encoding/json"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"

	"github.com/wabiz/wabiz/internal/onpremhttp"
)

func TestValidationErrorMapping(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"))
	user := h.userToken("mapper")
	cases := []struct {
		name   string
		r      req
		status int
		code   int
	}{
		{"unknown route", req{method: "GET", path: "/v1/unknown", token: h.admin}, 404, codeNotFound},
		{"unknown route without auth", req{method: "GET", path: "/v2/messages"}, 404, codeNotFound},
		{"trailing slash is the operation", req{method: "POST", path: "/v1/messages/", token: h.admin}, 400, codeMissingParameter},
		{"a segment below the twin", req{method: "GET", path: "/v1/health/extra", token: h.admin}, 404, codeNotFound},
		{"slash after a parameter is the operation", req{method: "GET", path: "/v1/contacts/12ab/identity/", token: h.admin}, 400, codeInvalidParameter},
		{"wrong method with a trailing slash", req{method: "DELETE", path: "/v1/contacts/", token: h.admin}, 405, codeRequestNotValid},
		{"wrong method", req{method: "DELETE", path: "/v1/contacts", token: h.admin}, 405, codeRequestNotValid},
		{"wrong method on metrics", req{method: "POST", path: "/metrics", token: h.admin}, 405, codeRequestNotValid},
		{"missing token", req{method: "GET", path: "/v1/groups"}, 401, codeAccessDenied},
		{"garbage token", req{method: "GET", path: "/v1/groups", token: "not-a-token"}, 401, codeAccessDenied},
		{"basic on bearer route", req{method: "GET", path: "/v1/groups", header: map[string]string{"Authorization": basic("admin", testAdminPassword)}}, 401, codeAccessDenied},
		{"api key on user route", req{method: "GET", path: "/v1/groups", header: map[string]string{"Authorization": "Apikey harness-api-key-0001"}}, 403, codeAccessDenied},
		{"wrong api key on health", req{method: "GET", path: "/v1/health", header: map[string]string{"Authorization": "Apikey wrong-key-000000"}}, 401, codeAccessDenied},
		{"user token on admin route", req{method: "GET", path: "/v1/settings/application", token: user}, 403, codeAccessDenied},
		{"user token on account", req{method: "POST", path: "/v1/account", token: user, body: `{}`}, 403, codeAccessDenied},
		{"user token on certificates", req{method: "DELETE", path: "/v1/certificates/webhooks/ca", token: user}, 403, codeAccessDenied},
		{"missing body", req{method: "POST", path: "/v1/messages", token: h.admin}, 400, codeMissingParameter},
		{"body not JSON", req{method: "POST", path: "/v1/messages", token: h.admin, body: "to=1"}, 400, codeRequestNotValid},
		{"wrong content type", req{method: "POST", path: "/v1/messages", token: h.admin, body: `{"to":"1"}`, contentType: "text/plain"}, 400, codeInvalidParameter},
		{"JSON array", req{method: "POST", path: "/v1/groups", token: h.admin, body: `[]`}, 400, codeInvalidParameter},
		{"wrong type", req{method: "POST", path: "/v1/groups", token: h.admin, body: `{"subject":42}`}, 400, codeInvalidParameter},
		{"missing property", req{method: "POST", path: "/v1/users", token: h.admin, body: `{"username":"abcd"}`}, 400, codeMissingParameter},
		{"nested missing property", req{method: "POST", path: "/v1/messages", token: h.admin, body: `{"to":"1","type":"template","template":{"name":"x"}}`}, 400, codeMissingParameter},
		{"enum", req{method: "POST", path: "/v1/contacts", token: h.admin, body: `{"contacts":["1"],"blocking":"soon"}`}, 400, codeInvalidParameter},
		{"bad query enum", req{method: "GET", path: "/metrics?format=xml", token: h.admin}, 400, codeInvalidParameter},
		{"bad path pattern", req{method: "GET", path: "/v1/contacts/12ab/identity", token: h.admin}, 400, codeInvalidParameter},
		{"read-only", req{method: "PATCH", path: "/v1/settings/application", token: h.admin, body: `{"wa_id":"1"}`}, 400, codeParameterNotWanted},
		{"not a uri", req{method: "POST", path: "/v1/stickerpacks", token: h.admin, body: `{"publisher":"p","name":"n","ios_app_store_link":"not a link"}`}, 400, codeInvalidParameter},
		{"huge body", req{method: "POST", path: "/v1/contacts", token: h.admin, body: `{"contacts":["` + strings.Repeat("1", maxJSONBody) + `"]}`}, 400, codeInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(c.r)
			d := requireError(t, r, c.status, c.code)
			assert.NotEmpty(t, d.Details)
			assert.Regexp(t, `^[0-9a-f]{16}$`, r.header.Get("X-Request-ID"))
		})
	}
	r := h.do(req{method: "PUT", path: "/v1/health", token: h.admin})
	assert.Equal(t, "GET", r.header.Get("Allow"))
}

func TestAPIKeyAccess(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	key := map[string]string{"Authorization": "Apikey harness-api-key-0001"}
	for _, p := range []string{"/v1/health", "/metrics", "/v1/stats/app", "/v1/stats/db", "/v1/stats/app/internal", "/v1/stats/db/internal"} {
		r := h.do(req{method: "GET", path: p, header: key})
		assert.Equal(t, http.StatusOK, r.status, "%s: %s", p, r.body)
	}
	requireError(t, h.do(req{method: "GET", path: "/v1/support", header: key}), 403, codeAccessDenied)
	require.Error(t, func() error { _, err := New(WithAPIKey("short")); return err }())
}

func TestPanicsBecome500Envelopes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.srv.ctlMux.HandleFunc("GET /_fake/panic-for-test", func(http.ResponseWriter, *http.Request) { panic("a bug") })
	r := h.get("/_fake/panic-for-test")
	requireError(t, r, http.StatusInternalServerError, codeInternal)
}

// allowed5xx lists the server errors the API documents for well-formed requests: a duplicate
// user (500/1014, as the real Webapp answers).
func allowed5xx(op string, env gen.ErrorEnvelope) bool {
	return op == "createUser" && len(env.Errors) == 1 && env.Errors[0].Code == codeInternal
}

// requestFor builds a request for an operation from fuzz inputs.
func requestFor(o *operation, pathArg, query, body, ct, auth string) *http.Request {
	path := o.path
	for _, p := range o.pathParams {
		path = strings.ReplaceAll(path, "{"+p+"}", urlSegment(pathArg))
	}
	r := httptest.NewRequest(o.method, "http://fake.test/", bytes.NewReader([]byte(body)))
	r.URL.Path = path
	r.URL.RawQuery = query
	r.RequestURI = ""
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}

func urlSegment(s string) string {
	if s == "" {
		return "x"
	}
	return strings.NewReplacer("/", "%2F", "?", "%3F", "#", "%23", " ", "%20", "%", "%25").Replace(s)
}

// checkNo5xx serves the request, fails on a panic-born 500 or any undocumented 5xx, checks
// that the response of an operation matches the spec (status, headers, body), and returns the
// status.
func checkNo5xx(t *testing.T, s *Server, o *operation, r *http.Request) int {
	t.Helper()
	body := []byte(nil)
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, r)
	if _, pattern := s.apiMux.Handler(r); onpremhttp.CanonicalPattern(pattern) == o.method+" "+o.path && rec.Code != http.StatusMethodNotAllowed {
		checkResponse(t, s, o, r, body, rec)
	}
	if rec.Code < 500 {
		return rec.Code
	}
	var env gen.ErrorEnvelope
	_ = json.Unmarshal(rec.Body.Bytes(), &env)
	if !allowed5xx(o.id, env) {
		t.Fatalf("%s %s answered %d: %s", r.Method, r.URL, rec.Code, rec.Body)
	}
	return rec.Code
}

// specExample returns the JSON example of an operation's request body, if any.
func specExample(o *operation) string {
	if o.spec.RequestBody == nil || o.spec.RequestBody.Value == nil {
		return ""
	}
	mt := o.spec.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return ""
	}
	ex := mt.Example
	for _, e := range mt.Examples {
		if ex == nil && e.Value != nil {
			ex = e.Value.Value
		}
	}
	if ex == nil {
		return ""
	}
	b, _ := json.Marshal(ex)
	return string(b)
}

// TestBadInputNeverCausesServerErrors throws thousands of generated requests, valid and broken,
// at every operation: none gets a 5xx (apart from the documented duplicate user) and none
// panics, while a good share of them succeed (so the generator reaches the handlers).
func TestBadInputNeverCausesServerErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"))
	img := h.uploadMedia("image/jpeg", []byte("jpeg"))
	webp := h.uploadMedia("image/webp", tinyWebP(1))
	group := createGroup(t, h, "Fuzz")
	var packs gen.StickerpackIDsEnvelope
	h.send("POST", "/v1/stickerpacks", `{"publisher":"p","name":"n"}`).decode(t, &packs)
	pack := packs.Stickerpacks[0].ID
	require.Equal(t, 200, h.send("POST", "/v1/stickerpacks/"+pack+"/stickers", `{"image_data_id":"`+webp+`"}`).status)
	require.Equal(t, 200, h.send("POST", "/v1/settings/application/media/providers", `[{"name":"cdn","type":"www","config":{"bearer":"b"}}]`).status)
	in, err := h.srv.InjectInbound(Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "text", Text: &gen.InboundText{Body: "hi"}}})
	require.NoError(t, err)
	h.userToken("leaver") // logs in and out; never changed
	h.userToken("target") // changed and deleted by the generated requests
	valid := map[string]string{
		"username": "target", "provider_name": "cdn", "wa_id": "16315551234", "group_id": group, "media_id": img,
		"message_id": in.ID, "pack_id": pack, "sticker_id": "0",
	}
	ids := make([]string, 0, len(h.srv.ops))
	for id := range h.srv.ops {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	bodies := []string{"", "{}", "[]", "null", "42", `"x"`, "{", `{"to":"16315551234","text":{"body":"hi"}}`,
		`{"to":"16315551234","type":"image","image":{"id":"` + img + `"}}`, `{"contacts":["+1 631 555 1000"],"blocking":"wait"}`,
		`{"subject":"s"}`, `{"wa_ids":["16315551234"]}`, `{"password":"P4ss-word!"}`, `{"webhooks":{"url":"http://x"}}`,
		`{"pin":"123456"}`, `{"hash":"AAAA"}`, `{"status":"read"}`, `{"image_data_id":"` + webp + `"}`, `{"password":"p","data":"AAAA"}`,
		"\x00\xff\xfe", strings.Repeat("[", 10000), `{"to":"1","type":"text","text":{"body":"` + strings.Repeat("a", 5000) + `"}}`}
	cts := []string{"", "text/plain", "image/jpeg", "image/webp", "audio/ogg; codecs=opus", "multipart/form-data", "application/json; charset=utf-8", ";;"}
	auths := []string{"", "Bearer x", "Apikey harness-api-key-0001", "Basic " + basicB64("admin", testAdminPassword), "Basic ***"}
	args := []string{"16315551234", img, "admin", "0", "../..", "%", strings.Repeat("9", 300), "é", ""}
	queries := []string{"", "format=prometheus", "format=link", "namespace=whatsapp", "format=%zz", "namespace=x&namespace=y"}
	rng := mrand.New(mrand.NewPCG(7, 11))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	often := func(good string, others []string) string {
		if rng.IntN(10) < 7 {
			return good
		}
		return pick(others)
	}
	statuses := map[int]int{}
	leaverPass := "Us3r-Pass!"
	backups := 0
	for i := 0; i < 5000; i++ {
		o := h.srv.ops[ids[rng.IntN(len(ids))]]
		if o.id == "backupSettings" {
			if backups++; backups > 3 {
				continue // each backup derives a key with 600,000 PBKDF2 rounds; a few suffice
			}
		}
		auth := often("Bearer "+h.admin, auths)
		if o.id == "logout" {
			auth = "Bearer " + h.login("leaver", leaverPass) // keep the admin token alive
		}
		if o.id == "login" {
			auth = often("Basic "+basicB64("leaver", leaverPass), auths)
		}
		arg := pick(args)
		if len(o.pathParams) > 0 {
			arg = often(valid[o.pathParams[len(o.pathParams)-1]], args)
		}
		body := pick(bodies)
		if ex := specExample(o); ex != "" && rng.IntN(2) == 0 {
			body = ex
		}
		r := requestFor(o, arg, pick(queries), body, often("application/json", cts), auth)
		if o.pathParams != nil && len(o.pathParams) == 2 && arg == valid["sticker_id"] {
			r.URL.Path = strings.Replace(r.URL.Path, "/"+arg+"/stickers", "/"+pack+"/stickers", 1)
		}
		status := checkNo5xx(t, h.srv, o, r)
		statuses[status]++
		var change gen.PasswordChange
		if o.id == "login" && status == 200 && json.Unmarshal([]byte(body), &change) == nil && change.NewPassword != nil &&
			r.Header.Get("Authorization") == "Basic "+basicB64("leaver", leaverPass) {
			leaverPass = *change.NewPassword
		}
	}
	t.Logf("statuses: %v; responses validated against the spec: %d", statuses, checkedResponses.Load())
	assert.Greater(t, checkedResponses.Load(), int64(3000))
	assert.Greater(t, statuses[200]+statuses[201]+statuses[202], 1000, "a good share of the requests succeed: %v", statuses)
	assert.Greater(t, statuses[400], 1000, "and many are refused as invalid: %v", statuses)
}

// checkedResponses counts the responses checkResponse validated.
var checkedResponses atomic.Int64

// checkResponse validates a response against the operation in the original spec, with
// undeclared statuses rejected (every operation declares `default`, so they only need a body
// of the right shape).
func checkResponse(t *testing.T, s *Server, o *operation, r *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	params := map[string]string{}
	for _, p := range o.pathParams {
		params[p] = r.PathValue(p)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: o.route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(rec.Body.Bytes())
	checkedResponses.Add(1)
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		t.Errorf("%s %s: response %d does not match the spec: %v\n%s", r.Method, r.URL, rec.Code, err, rec.Body)
	}
}

func basicB64(user, password string) string {
	return strings.TrimPrefix(basic(user, password), "Basic ")
}

// FuzzHandler feeds arbitrary requests to every operation; run it with
// `go test -fuzz FuzzHandler ./fake/`. Without -fuzz its seeds run as a regular test.
func FuzzHandler(f *testing.F) {
	f.Add(uint8(0), "16315551234", "", `{"to":"16315551234","text":{"body":"hi"}}`, "application/json", true)
	f.Add(uint8(10), "x", "format=link", "{", "text/plain", false)
	f.Add(uint8(33), "..", "", "\xff", "image/jpeg", true)
	f.Fuzz(func(t *testing.T, opIndex uint8, pathArg, query, body, ct string, authed bool) {
		h := fuzzHarness(t)
		ids := make([]string, 0, len(h.srv.ops))
		for id := range h.srv.ops {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		o := h.srv.ops[ids[int(opIndex)%len(ids)]]
		auth := ""
		if authed {
			auth = "Bearer " + h.admin
		}
		if strings.ContainsAny(query, " \x00\r\n#") {
			query = ""
		}
		_ = checkNo5xx(t, h.srv, o, requestFor(o, pathArg, query, body, ct, auth))
	})
}

// fuzzHarness builds a server for one fuzz input (cheap: no socket, nothing on disk but an
// empty media directory).
func fuzzHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"))
	return h
}
