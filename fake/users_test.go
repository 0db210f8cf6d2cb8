package fake

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

func TestFirstAdminLoginMustChangePassword(t *testing.T) {
	t.Parallel()
	srv, err := New(WithClock(NewManualClock(time.Time{})))
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	h := &harness{t: t, srv: srv}

	r := h.do(req{method: http.MethodPost, path: "/v1/users/login", header: map[string]string{"Authorization": basic("admin", "secret")}})
	d := requireError(t, r, http.StatusUnauthorized, codePasswordChange)
	assert.Equal(t, "Password must be changed", *d.Details)

	r = h.do(req{method: http.MethodPost, path: "/v1/users/login", body: `{}`, header: map[string]string{"Authorization": basic("admin", "secret")}})
	requireError(t, r, http.StatusUnauthorized, codePasswordChange)

	r = h.do(req{method: http.MethodPost, path: "/v1/users/login", body: `{"new_password":"weakpassword"}`,
		header: map[string]string{"Authorization": basic("admin", "secret")}})
	requireError(t, r, http.StatusBadRequest, codeInvalidParameter)

	r = h.do(req{method: http.MethodPost, path: "/v1/users/login", body: `{"new_password":"N3w-Passw0rd!"}`,
		header: map[string]string{"Authorization": basic("admin", "secret")}})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var env gen.LoginEnvelope
	r.decode(t, &env)
	require.Len(t, env.Users, 1)
	assert.Equal(t, "2026-01-08 00:00:00+00:00", env.Users[0].ExpiresAfter, "7 days on the fake's clock")
	assert.Regexp(t, `^[\w-]+\.[\w-]+\.[\w-]+$`, env.Users[0].Token)

	r = h.do(req{method: http.MethodPost, path: "/v1/users/login", header: map[string]string{"Authorization": basic("admin", "secret")}})
	requireError(t, r, http.StatusUnauthorized, codeAccessDenied)
	assert.Contains(t, r.header.Get("WWW-Authenticate"), "Basic")
	assert.NotEmpty(t, h.login("admin", "N3w-Passw0rd!"))
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct {
		name   string
		header string
		body   any
		status int
		code   int
	}{
		{"no credentials", "", nil, 401, codeAccessDenied},
		{"bearer instead of basic", "Bearer " + h.admin, nil, 401, codeAccessDenied},
		{"wrong password", basic("admin", "nope"), nil, 401, codeAccessDenied},
		{"unknown user", basic("ghost", "Gh0st-Pass!"), nil, 401, codeAccessDenied},
		{"not base64", "Basic %%%", nil, 401, codeAccessDenied},
		{"bad JSON body", basic("admin", testAdminPassword), `{"new_password":`, 400, codeRequestNotValid},
		{"password with a space", basic("admin", testAdminPassword), `{"new_password":"Has Space1!"}`, 400, codeInvalidParameter},
		{"password without digit", basic("admin", testAdminPassword), `{"new_password":"NoDigits!!"}`, 400, codeInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(req{method: http.MethodPost, path: "/v1/users/login", body: c.body, header: map[string]string{"Authorization": c.header}})
			requireError(t, r, c.status, c.code)
		})
	}
}

func TestTokensLogoutDeleteAndExpiry(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user1 := h.userToken("alice")
	user2 := h.login("alice", "Us3r-Pass!")

	// Logout revokes only the token sent.
	r := h.do(req{method: http.MethodPost, path: "/v1/users/logout", token: user1})
	require.Equal(t, http.StatusOK, r.status)
	requireError(t, h.do(req{method: http.MethodGet, path: "/v1/users/alice", token: user1}), 401, codeAccessDenied)
	require.Equal(t, http.StatusOK, h.do(req{method: http.MethodGet, path: "/v1/users/alice", token: user2}).status)

	// Changing the password keeps tokens; deleting the user revokes all of them.
	r = h.send(http.MethodPut, "/v1/users/alice", gen.UserPassword{Password: "An0ther#Secret"})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Equal(t, http.StatusOK, h.do(req{method: http.MethodGet, path: "/v1/users/alice", token: user2}).status)
	user3 := h.login("alice", "An0ther#Secret")
	require.Equal(t, http.StatusOK, h.send(http.MethodDelete, "/v1/users/alice", nil).status)
	requireError(t, h.do(req{method: http.MethodGet, path: "/v1/health", token: user2}), 401, codeAccessDenied)
	requireError(t, h.do(req{method: http.MethodGet, path: "/v1/health", token: user3}), 401, codeAccessDenied)

	// Tokens expire after exactly 7 days on the fake's clock.
	h.clock.Advance(TokenLifetime - time.Second)
	require.Equal(t, http.StatusOK, h.get("/v1/health").status)
	h.clock.Advance(time.Second)
	requireError(t, h.get("/v1/health"), 401, codeAccessDenied)
}

func TestUserManagementRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	bob := h.userToken("bobby")

	r := h.get("/v1/users/admin")
	require.Equal(t, http.StatusOK, r.status)
	var detail gen.UserDetailEnvelope
	r.decode(t, &detail)
	require.NotNil(t, detail.Users[0].ROLES)
	assert.Equal(t, gen.UserRoleAdmin, *detail.Users[0].ROLES)

	cases := []struct {
		name   string
		r      req
		status int
		code   int
	}{
		{"user reads itself", req{method: "GET", path: "/v1/users/bobby", token: bob}, 200, 0},
		{"user reads admin", req{method: "GET", path: "/v1/users/admin", token: bob}, 403, codeAccessDenied},
		{"user changes other", req{method: "PUT", path: "/v1/users/admin", token: bob, body: gen.UserPassword{Password: "An0ther#Secret"}}, 403, codeAccessDenied},
		{"user changes itself", req{method: "PUT", path: "/v1/users/bobby", token: bob, body: gen.UserPassword{Password: "An0ther#Secret"}}, 200, 0},
		{"user creates user", req{method: "POST", path: "/v1/users", token: bob, body: gen.UserCredentials{Username: "carol", Password: "Car0l-Pass!"}}, 403, codeAccessDenied},
		{"user deletes user", req{method: "DELETE", path: "/v1/users/bobby", token: bob}, 403, codeAccessDenied},
		{"user on admin settings", req{method: "GET", path: "/v1/settings/application", token: bob}, 403, codeAccessDenied},
		{"duplicate user", req{method: "POST", path: "/v1/users", token: h.admin, body: gen.UserCredentials{Username: "bobby", Password: "B0b-Pass!!"}}, 500, codeInternal},
		{"short username", req{method: "POST", path: "/v1/users", token: h.admin, body: gen.UserCredentials{Username: "bo", Password: "B0b-Pass!!"}}, 400, codeInvalidParameter},
		{"reserved username", req{method: "POST", path: "/v1/users", token: h.admin, body: gen.UserCredentials{Username: "_apiuser", Password: "B0b-Pass!!"}}, 400, codeInvalidParameter},
		{"weak password", req{method: "POST", path: "/v1/users", token: h.admin, body: gen.UserCredentials{Username: "carol", Password: "carolcarol"}}, 400, codeInvalidParameter},
		{"missing password", req{method: "POST", path: "/v1/users", token: h.admin, body: `{"username":"carol"}`}, 400, codeMissingParameter},
		{"unknown user", req{method: "GET", path: "/v1/users/nobody", token: h.admin}, 404, codeNotFound},
		{"delete admin", req{method: "DELETE", path: "/v1/users/admin", token: h.admin}, 400, codeInvalidParameter},
		{"delete unknown", req{method: "DELETE", path: "/v1/users/nobody", token: h.admin}, 404, codeNotFound},
		{"bad username in path", req{method: "GET", path: "/v1/users/a%20b", token: h.admin}, 400, codeInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(c.r)
			if c.code == 0 {
				require.Equal(t, c.status, r.status, string(r.body))
				return
			}
			requireError(t, r, c.status, c.code)
		})
	}
}

func TestFailedLoginRateLimit(t *testing.T) {
	t.Parallel()
	l := DefaultRateLimits()
	h := newHarness(t, WithRateLimits(l))
	for i := 0; i < 30; i++ {
		requireError(t, h.do(req{method: "POST", path: "/v1/users/login", header: map[string]string{"Authorization": basic("admin", "wrong")}}), 401, codeAccessDenied)
	}
	r := h.do(req{method: "POST", path: "/v1/users/login", header: map[string]string{"Authorization": basic("admin", testAdminPassword)}})
	requireError(t, r, http.StatusTooManyRequests, codeTooManyRequests)
	assert.NotEmpty(t, r.header.Get("Retry-After"))
	h.clock.Advance(3 * time.Minute) // 30 per hour: one failure is forgiven every 2 minutes
	hr := httptest.NewRequest(http.MethodPost, "/v1/users/login", nil)
	hr.SetBasicAuth("admin", testAdminPassword)
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, hr)
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}
