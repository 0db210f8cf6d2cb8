package onpremhttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/spec"
)

// stubServer answers the operations the tests call with an Error that says who reached the
// handler (404/1006 "reached <user>"), so a test can tell the pipeline's answers from the
// handler's. The other operations are nil methods of the embedded interface: calling one
// panics, which the Router turns into a 500.
type stubServer struct {
	gen.StrictServerInterface
	health func(ctx context.Context) error
}

func reached(ctx context.Context) error {
	return Errorf(CodeNotFound, "reached %s", PrincipalFrom(ctx).Username)
}

func (s *stubServer) CheckHealth(ctx context.Context, _ gen.CheckHealthRequestObject) (gen.CheckHealthResponseObject, error) {
	if s.health != nil {
		return nil, s.health(ctx)
	}
	return nil, reached(ctx)
}

func (s *stubServer) GetUser(ctx context.Context, _ gen.GetUserRequestObject) (gen.GetUserResponseObject, error) {
	return nil, reached(ctx)
}

func (s *stubServer) UpdateUser(ctx context.Context, _ gen.UpdateUserRequestObject) (gen.UpdateUserResponseObject, error) {
	return nil, reached(ctx)
}

func (s *stubServer) CreateUser(ctx context.Context, _ gen.CreateUserRequestObject) (gen.CreateUserResponseObject, error) {
	return nil, reached(ctx)
}

func (s *stubServer) Login(ctx context.Context, _ gen.LoginRequestObject) (gen.LoginResponseObject, error) {
	return nil, reached(ctx)
}

// stubAuth knows the user admin (password "pw-admin", token "t-admin"), the user bobby
// ("pw-bobby", "t-bobby") and the API key "key"; after limit failed Basic logins it answers 429.
type stubAuth struct {
	mu     sync.Mutex
	failed int
	limit  int
	basics []string // the users Basic was asked about
}

func (a *stubAuth) Basic(_ *http.Request, user, password string) (*Principal, *Error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.basics = append(a.basics, user)
	if a.limit > 0 && a.failed >= a.limit {
		return nil, Statusf(http.StatusTooManyRequests, CodeTooManyRequests, "too many failed logins")
	}
	switch {
	case user == "admin" && password == "pw-admin":
		return &Principal{Username: "admin", Role: gen.UserRoleAdmin}, nil
	case user == "bobby" && password == "pw-bobby":
		return &Principal{Username: "bobby", Role: gen.UserRoleUser}, nil
	}
	a.failed++
	return nil, Statusf(http.StatusUnauthorized, CodeAccessDenied, InvalidCredentials)
}

func (a *stubAuth) Bearer(_ *http.Request, token string) (*Principal, *Error) {
	switch token {
	case "t-admin":
		return &Principal{Username: "admin", Role: gen.UserRoleAdmin, Token: token}, nil
	case "t-bobby":
		return &Principal{Username: "bobby", Role: gen.UserRoleUser, Token: token}, nil
	}
	return nil, Statusf(http.StatusUnauthorized, CodeAccessDenied, InvalidCredentials)
}

func (a *stubAuth) APIKey(_ *http.Request, key string) (*Principal, *Error) {
	if key == "key" {
		return &Principal{Username: "_apiuser", Role: "ROLE_API", APIKey: true}, nil
	}
	return nil, Statusf(http.StatusUnauthorized, CodeAccessDenied, InvalidCredentials)
}

func newTestRouter(t *testing.T, mod func(*Config)) *Router {
	t.Helper()
	doc, err := Spec()
	require.NoError(t, err)
	version := "test"
	cfg := Config{Doc: doc, Server: &stubServer{}, Meta: &gen.Meta{Version: &version}, Auth: &stubAuth{}, Validate: true, Name: "the test server"}
	if mod != nil {
		mod(&cfg)
	}
	rt, err := New(cfg)
	require.NoError(t, err)
	return rt
}

type answer struct {
	status  int
	code    int
	details string
	header  http.Header
}

func serve(t *testing.T, h http.Handler, method, path, authz, body string) answer {
	t.Helper()
	return serveWith(t, h, method, path, authz, body, nil)
}

// serveWith is serve with a last change to the request.
func serveWith(t *testing.T, h http.Handler, method, path, authz, body string, mod func(*http.Request)) answer {
	t.Helper()
	var rd *bytes.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	} else {
		rd = bytes.NewReader(nil)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	if mod != nil {
		mod(r)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	a := answer{status: rec.Code, header: rec.Header()}
	var env gen.ErrorEnvelope
	if json.Unmarshal(rec.Body.Bytes(), &env) == nil && len(env.Errors) > 0 {
		a.code = env.Errors[0].Code
		if env.Errors[0].Details != nil {
			a.details = *env.Errors[0].Details
		}
	}
	return a
}

func basic(user, password string) string {
	return "Basic " + base64Std(user+":"+password)
}

func TestRouterAuthenticatesAndAuthorises(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, nil)
	const reachedCode = CodeNotFound
	for _, c := range []struct {
		name, method, path, authz string
		body                      string
		status, code              int
		details                   string
	}{
		{"no credentials", "GET", "/v1/health", "", "", 401, CodeAccessDenied, InvalidCredentials},
		{"bearer", "GET", "/v1/health", "Bearer t-bobby", "", 404, reachedCode, "reached bobby"},
		{"unknown bearer", "GET", "/v1/health", "Bearer nope", "", 401, CodeAccessDenied, InvalidCredentials},
		{"empty bearer", "GET", "/v1/health", "Bearer ", "", 401, CodeAccessDenied, InvalidCredentials},
		{"API key where listed", "GET", "/v1/health", "Apikey key", "", 404, reachedCode, "reached _apiuser"},
		{"wrong API key", "GET", "/v1/health", "Apikey nope", "", 401, CodeAccessDenied, InvalidCredentials},
		{"API key where not listed", "GET", "/v1/users/bobby", "Apikey key", "", 403, CodeAccessDenied, "the API key is not accepted by this operation; log in and use a bearer token"},
		{"Basic where not listed", "GET", "/v1/health", basic("admin", "pw-admin"), "", 401, CodeAccessDenied, InvalidCredentials},
		{"self reads self", "GET", "/v1/users/bobby", "Bearer t-bobby", "", 404, reachedCode, "reached bobby"},
		{"self reads other", "GET", "/v1/users/carol", "Bearer t-bobby", "", 403, CodeAccessDenied, "Regular user cannot read other user information"},
		{"self modifies other", "PUT", "/v1/users/carol", "Bearer t-bobby", `{"password":"Secret-123"}`, 403, CodeAccessDenied, "Regular user cannot modify other user"},
		{"admin reads other", "GET", "/v1/users/carol", "Bearer t-admin", "", 404, reachedCode, "reached admin"},
		{"user on admin operation", "POST", "/v1/users", "Bearer t-bobby", `{"username":"carol","password":"Secret-123"}`, 403, CodeAccessDenied, "only the admin user may call createUser"},
		{"admin on admin operation", "POST", "/v1/users", "Bearer t-admin", `{"username":"carol","password":"Secret-123"}`, 404, reachedCode, "reached admin"},
		{"login", "POST", "/v1/users/login", basic("bobby", "pw-bobby"), "", 404, reachedCode, "reached bobby"},
		{"login wrong password", "POST", "/v1/users/login", basic("bobby", "nope"), "", 401, CodeAccessDenied, InvalidCredentials},
		{"login with bearer", "POST", "/v1/users/login", "Bearer t-bobby", "", 401, CodeAccessDenied, InvalidCredentials},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := serve(t, rt, c.method, c.path, c.authz, c.body)
			assert.Equal(t, c.status, a.status)
			assert.Equal(t, c.code, a.code)
			assert.Equal(t, c.details, a.details)
		})
	}
}

func TestRouterChallengesRefusedBasicLogins(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, nil)
	for _, authz := range []string{basic("bobby", "nope"), "Bearer t-bobby", "Basic !!!not-base64"} {
		a := serve(t, rt, "POST", "/v1/users/login", authz, "")
		assert.Equal(t, http.StatusUnauthorized, a.status, authz)
		assert.Equal(t, BasicRealm, a.header.Get("WWW-Authenticate"), authz)
	}
}

func TestRouterPassesUndecodableBasicCredentialsAsEmpty(t *testing.T) {
	t.Parallel()
	auth := &stubAuth{}
	rt := newTestRouter(t, func(c *Config) { c.Auth = auth })
	for _, authz := range []string{"Basic !!!", "Basic " + base64Std("no-colon")} {
		assert.Equal(t, http.StatusUnauthorized, serve(t, rt, "POST", "/v1/users/login", authz, "").status)
	}
	assert.Equal(t, []string{"", ""}, auth.basics, "malformed credentials must reach Basic, to count as failed logins")
}

func TestRouterAnswersAuthenticatorRefusalsOtherThan401AsTheyAre(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, func(c *Config) { c.Auth = &stubAuth{limit: 1} })
	assert.Equal(t, http.StatusUnauthorized, serve(t, rt, "POST", "/v1/users/login", basic("bobby", "nope"), "").status)
	a := serve(t, rt, "POST", "/v1/users/login", basic("bobby", "pw-bobby"), "")
	assert.Equal(t, http.StatusTooManyRequests, a.status)
	assert.Equal(t, CodeTooManyRequests, a.code)
	assert.Empty(t, a.header.Get("WWW-Authenticate"))
}

func TestRouterWithoutAuthenticatorRefusesEveryCredential(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, func(c *Config) { c.Auth = nil })
	for _, authz := range []string{"Bearer t-admin", "Apikey key", basic("admin", "pw-admin")} {
		assert.Equal(t, http.StatusUnauthorized, serve(t, rt, "GET", "/v1/health", authz, "").status, authz)
	}
}

func TestRouterServesTrailingSlashTwinsAndAnswersUnroutedRequests(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, nil)
	assert.Equal(t, "reached bobby", serve(t, rt, "GET", "/v1/health/", "Bearer t-bobby", "").details)
	a := serve(t, rt, "DELETE", "/v1/health", "Bearer t-bobby", "")
	assert.Equal(t, http.StatusMethodNotAllowed, a.status)
	assert.Equal(t, CodeRequestNotValid, a.code)
	assert.Equal(t, "GET", a.header.Get("Allow"))
	a = serve(t, rt, "GET", "/v1/health/deeper", "Bearer t-bobby", "")
	assert.Equal(t, http.StatusNotFound, a.status)
	assert.Equal(t, "no operation at GET /v1/health/deeper", a.details)
	_, pattern := rt.Handler(httptest.NewRequest("GET", "/v1/health/", nil))
	assert.Equal(t, "GET /v1/health", CanonicalPattern(pattern))
}

func TestRouterValidatesAfterAuthentication(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, nil)
	body := `{"username":"carol"}`
	assert.Equal(t, http.StatusUnauthorized, serve(t, rt, "POST", "/v1/users", "", body).status)
	a := serve(t, rt, "POST", "/v1/users", "Bearer t-admin", body)
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, CodeMissingParameter, a.code)
	assert.Equal(t, "Parameter 'password' is required", a.details)
	off := newTestRouter(t, func(c *Config) { c.Validate = false })
	assert.Equal(t, "reached admin", serve(t, off, "POST", "/v1/users", "Bearer t-admin", body).details)
}

func TestRouterRunsHooksInOrder(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var calls []string
	note := func(s string) {
		mu.Lock()
		calls = append(calls, s)
		mu.Unlock()
	}
	rt := newTestRouter(t, func(c *Config) {
		c.BeforeAuth = func(op *Operation, r *http.Request) *Error {
			note("before " + op.ID)
			if r.Header.Get("X-Limit") != "" {
				return Statusf(http.StatusTooManyRequests, CodeTooManyRequests, "limited")
			}
			return nil
		}
		c.AfterAuth = func(op *Operation, p *Principal, r *http.Request) *Error {
			note("after " + op.ID + " " + p.Username)
			if r.Header.Get("X-Fault") != "" {
				return Statusf(http.StatusServiceUnavailable, CodeOverloaded, "fault")
			}
			return nil
		}
		c.Server = &stubServer{health: func(ctx context.Context) error {
			note("handler " + OperationFrom(ctx).ID + " " + RequestFrom(ctx).Header.Get("Authorization"))
			return reached(ctx)
		}}
	})
	assert.Equal(t, http.StatusUnauthorized, serve(t, rt, "GET", "/v1/health", "Bearer nope", "").status)
	assert.Equal(t, http.StatusNotFound, serve(t, rt, "GET", "/v1/health", "Bearer t-bobby", "").status)
	r := httptest.NewRequest("GET", "/v1/health", nil)
	r.Header.Set("Authorization", "Bearer t-bobby")
	r.Header.Set("X-Fault", "1")
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, r)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	r.Header.Set("X-Limit", "1")
	rec = httptest.NewRecorder()
	rt.ServeHTTP(rec, r)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, []string{
		"before checkHealth",
		"before checkHealth", "after checkHealth bobby", "handler checkHealth Bearer t-bobby",
		"before checkHealth", "after checkHealth bobby",
		"before checkHealth",
	}, calls)
}

func TestRouterRecoversPanicsWithThe500Envelope(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, func(c *Config) {
		c.Server = &stubServer{health: func(context.Context) error { panic("a bug") }}
	})
	a := serve(t, rt, "GET", "/v1/health", "Bearer t-bobby", "")
	assert.Equal(t, http.StatusInternalServerError, a.status)
	assert.Equal(t, CodeInternal, a.code)
	assert.Equal(t, "internal error of the test server", a.details)
	assert.Len(t, a.header.Get("X-Request-Id"), 16)
}

func TestRouterRepanicsErrAbortHandler(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, func(c *Config) {
		c.Server = &stubServer{health: func(context.Context) error { panic(http.ErrAbortHandler) }}
	})
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() { serve(t, rt, "GET", "/v1/health", "Bearer t-bobby", "") })
}

func TestRouterAnswersHandlerErrorsThatAreNotErrorWith500(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, func(c *Config) {
		c.Server = &stubServer{health: func(context.Context) error { return errors.New("disk on fire") }}
	})
	a := serve(t, rt, "GET", "/v1/health", "Bearer t-bobby", "")
	assert.Equal(t, http.StatusInternalServerError, a.status)
	assert.Equal(t, "internal error of the test server: disk on fire", a.details)
}

func TestRouterServesMountsWithRequestIDAndObserve(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var done []Done
	ids := 0
	rt := newTestRouter(t, func(c *Config) {
		c.RequestID = func() string { mu.Lock(); defer mu.Unlock(); ids++; return fmt.Sprintf("rid-%d", ids) }
		c.Mounts = []Mount{
			{Path: "/hook", Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) })},
			{Path: "/ctl/", Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("mount bug") })},
		}
		c.Observe = func(d Done) { mu.Lock(); done = append(done, d); mu.Unlock() }
	})
	a := serve(t, rt, "POST", "/hook", "", "")
	assert.Equal(t, http.StatusAccepted, a.status)
	assert.Equal(t, "rid-1", a.header.Get("X-Request-Id"))
	assert.Equal(t, http.StatusNotFound, serve(t, rt, "POST", "/hook/below", "", "").status, "a mount without a trailing slash serves its path only")
	assert.Equal(t, http.StatusInternalServerError, serve(t, rt, "GET", "/ctl/x", "", "").status)
	assert.Equal(t, http.StatusNotFound, serve(t, rt, "GET", "/v1/health", "Bearer t-bobby", "").status)
	require.Len(t, done, 4)
	assert.Nil(t, done[0].Operation)
	assert.Equal(t, http.StatusAccepted, done[0].Status)
	assert.Equal(t, http.StatusInternalServerError, done[2].Status)
	require.NotNil(t, done[3].Operation)
	assert.Equal(t, "GET_v1_health", done[3].Operation.Label)
	assert.Equal(t, "rid-4", done[3].RequestID)
	assert.Positive(t, done[3].Bytes)
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	t.Parallel()
	doc, err := Spec()
	require.NoError(t, err)
	meta := &gen.Meta{}
	for name, cfg := range map[string]Config{
		"no doc":      {Server: &stubServer{}, Meta: meta},
		"no server":   {Doc: doc, Meta: meta},
		"no meta":     {Doc: doc, Server: &stubServer{}},
		"bad mount":   {Doc: doc, Server: &stubServer{}, Meta: meta, Mounts: []Mount{{Path: "hook", Handler: http.NotFoundHandler()}}},
		"nil handler": {Doc: doc, Server: &stubServer{}, Meta: meta, Mounts: []Mount{{Path: "/hook"}}},
	} {
		_, err := New(cfg)
		assert.Error(t, err, name)
	}
}

func TestStartedSeesThroughWrappers(t *testing.T) {
	t.Parallel()
	rec := &responseRecorder{ResponseWriter: httptest.NewRecorder()}
	wrapped := struct{ unwrapper }{unwrapper{rec}}
	assert.False(t, Started(rec))
	assert.False(t, Started(wrapped))
	rec.WriteHeader(http.StatusOK)
	assert.True(t, Started(rec))
	assert.True(t, Started(wrapped))
	assert.False(t, Started(httptest.NewRecorder()))
}

type unwrapper struct{ http.ResponseWriter }

func (u unwrapper) Unwrap() http.ResponseWriter { return u.ResponseWriter }

func TestOperationsAreSortedAndComplete(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, nil)
	ops := rt.Operations()
	require.NotEmpty(t, ops)
	for i := 1; i < len(ops); i++ {
		assert.Less(t, ops[i-1].ID, ops[i].ID)
	}
	o := rt.Operation("uploadMedia")
	require.NotNil(t, o)
	assert.True(t, o.Binary)
	assert.Equal(t, "user", o.Access)
	assert.Nil(t, rt.Operation("noSuchOperation"))
}

// TestErrorCodesMatchSpecTable keeps the titles and statuses of the code table equal to the
// ErrorEnvelope table of the spec, in both directions.
func TestErrorCodesMatchSpecTable(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	desc := doc.Components.Schemas["ErrorEnvelope"].Value.Description
	row := regexp.MustCompile(`(?m)^\|\s*(\d{4})\s*\|([^|]*)\|\s*(\d{3})[^|]*\|([^|]*)\|\s*$`)
	seen := map[int]bool{}
	for _, m := range row.FindAllStringSubmatch(desc, -1) {
		code, _ := strconv.Atoi(m[1])
		status, _ := strconv.Atoi(m[3])
		seen[code] = true
		c, ok := errorCodes[code]
		if !assert.True(t, ok, "code %d of the spec is not in errorCodes", code) {
			continue
		}
		assert.Equal(t, strings.TrimSpace(m[2]), c.title, "title of %d", code)
		assert.Equal(t, status, c.status, "status of %d", code)
	}
	require.Greater(t, len(seen), 40, "the table was not read")
	for code := range errorCodes {
		assert.True(t, seen[code], "code %d of errorCodes is not in the spec's table", code)
	}
}

func TestFieldName(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "contacts[0].name.formatted_name", FieldName([]string{"contacts", "0", "name", "formatted_name"}))
	assert.Equal(t, "", FieldName(nil))
	assert.Equal(t, "[1]", FieldName([]string{"1"}))
	assert.Equal(t, 500, CodeStatus(9999))
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestSchemaErrorInsideAllOfNamesTheFieldOnce(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, nil)
	for _, c := range []struct {
		name, path, body, details string
	}{
		// PasswordChange.new_password: the upper-case rule is one pattern of an allOf.
		{"login's new_password", "/v1/users/login", `{"new_password":"n0-upper-case!"}`,
			`Parameter 'new_password' is not valid: string doesn't match the regular expression "[A-Z]"`},
		{"createUser's password", "/v1/users", `{"username":"carol","password":"n0-upper-case!"}`,
			`Parameter 'password' is not valid: string doesn't match the regular expression "[A-Z]"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			authz := "Bearer t-admin"
			if c.path == "/v1/users/login" {
				authz = basic("admin", "pw-admin")
			}
			a := serve(t, rt, "POST", c.path, authz, c.body)
			assert.Equal(t, http.StatusBadRequest, a.status)
			assert.Equal(t, CodeInvalidParameter, a.code)
			assert.Equal(t, c.details, a.details)
		})
	}
}
