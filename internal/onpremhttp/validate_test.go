package onpremhttp

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// bodyRecorder is a stubServer whose CreateUser records what the handler was given.
type bodyRecorder struct {
	stubServer
	mu        sync.Mutex
	username  string
	validated bool
}

func (s *bodyRecorder) CreateUser(ctx context.Context, req gen.CreateUserRequestObject) (gen.CreateUserResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.username = req.Body.Username
	_, s.validated = RequestFrom(ctx).Body.(interface{ ValidatedValue() any })
	return nil, reached(ctx)
}

// TestCompiledBodyCheckAnswersAsKinOpenAPI sends the same requests to a router whose JSON
// bodies go through the compiled checks and to one where kin-openapi checks every body, and
// requires the same answer, error code and details on each: the fast path must change no
// error a client sees.
func TestCompiledBodyCheckAnswersAsKinOpenAPI(t *testing.T) {
	t.Parallel()
	fast := newTestRouter(t, nil)
	slow := newTestRouter(t, nil)
	compiled := 0
	for _, o := range slow.ops {
		if o.body != nil {
			compiled++
		}
		o.body = nil
	}
	require.Greater(t, compiled, 20, "JSON bodies with a compiled check")
	require.NotNil(t, fast.Operation("createUser").body)
	require.NotNil(t, fast.Operation("updateUser").body, "an operation with a path parameter")

	long := strings.Repeat("x", 5000)
	for _, c := range []struct{ method, path, ct, body string }{
		{"POST", "/v1/users", "application/json", `{"username":"carol","password":"Secret-pass-1"}`},
		{"POST", "/v1/users", "application/json", `{"username":"carol"}`},
		{"POST", "/v1/users", "application/json", `{"username":7,"password":"Secret-pass-1"}`},
		{"POST", "/v1/users", "application/json", `{"username":"` + long + `","password":"x"}`},
		{"POST", "/v1/users", "application/json", `{"username":"carol","password":"Secret-pass-1"} trailing`},
		{"POST", "/v1/users", "application/json", `{"username":"carol",`},
		{"POST", "/v1/users", "application/json", `[]`},
		{"POST", "/v1/users", "application/json", `null`},
		{"POST", "/v1/users", "application/json", ``},
		{"POST", "/v1/users", "application/json; charset=utf-8", `{"username":"carol","password":"Secret-pass-1"}`},
		{"POST", "/v1/users", "APPLICATION/JSON", `{"username":"carol","password":"Secret-pass-1"}`},
		{"POST", "/v1/users", "text/plain", `{"username":"carol","password":"Secret-pass-1"}`},
		{"POST", "/v1/users", "", `{"username":"carol","password":"Secret-pass-1"}`},
		{"PUT", "/v1/users/carol", "application/json", `{"password":"Secret-pass-2"}`},
		{"PUT", "/v1/users/carol", "application/json", `{"password":5}`},
		{"PUT", "/v1/users/carol", "application/json", `{}`},
		{"POST", "/v1/users/login", "application/json", `{"new_password":"Secret-pass-3"}`},
		{"POST", "/v1/users/login", "application/json", `{"new_password":""}`},
	} {
		name := c.method + " " + c.path + " " + c.ct + " " + c.body
		if len(name) > 120 {
			name = name[:120]
		}
		got, want := send(t, fast, c.method, c.path, c.ct, c.body), send(t, slow, c.method, c.path, c.ct, c.body)
		got.header, want.header = nil, nil // the request ids differ
		assert.Equal(t, want, got, name)
	}
}

// TestCompiledBodyCheckHandsTheDecodedValueToTheHandler checks that a body the compiled check
// accepts reaches the handler decoded once: the generated binder finds the validated value.
func TestCompiledBodyCheckHandsTheDecodedValueToTheHandler(t *testing.T) {
	t.Parallel()
	srv := &bodyRecorder{}
	rt := newTestRouter(t, func(c *Config) { c.Server = srv })
	a := send(t, rt, "POST", "/v1/users", "application/json", `{"username":"carol","password":"Secret-pass-1"}`)
	require.Equal(t, "reached admin", a.details)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	assert.Equal(t, "carol", srv.username)
	assert.True(t, srv.validated, "the body carries the validated value")
}

// TestCompiledBodyCheckReportsOversizedBodies checks that a body over MaxJSONBody is refused
// with the size error, as kin-openapi reported it.
func TestCompiledBodyCheckReportsOversizedBodies(t *testing.T) {
	t.Parallel()
	rt := newTestRouter(t, nil)
	body := `{"username":"carol","password":"` + strings.Repeat("x", MaxJSONBody) + `"}`
	a := send(t, rt, "POST", "/v1/users", "application/json", body)
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, CodeInvalidParameter, a.code)
	assert.Contains(t, a.details, "larger than")
}

// send is serve with a Content-Type of the caller's choosing, authenticated as admin.
func send(t *testing.T, h http.Handler, method, path, ct, body string) answer {
	t.Helper()
	return serveWith(t, h, method, path, "Bearer t-admin", body, func(r *http.Request) {
		r.Header.Del("Content-Type")
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
	})
}
