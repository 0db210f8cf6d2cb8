package onpremhttp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/spec"
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
		if o.validator.body != nil {
			compiled++
		}
		o.validator.body = nil
	}
	require.Greater(t, compiled, 20, "JSON bodies with a compiled check")
	require.NotNil(t, fast.Operation("createUser").validator.body)
	require.NotNil(t, fast.Operation("updateUser").validator.body, "an operation with a path parameter")

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

// TestRequestValidatorAnswersAsKinOpenAPIOnTheCloudSpec checks the validator the fake's Cloud
// dialect uses against kin-openapi's ValidateRequest on the Cloud send: the same verdict and
// the same error on every request.
func TestRequestValidatorAnswersAsKinOpenAPIOnTheCloudSpec(t *testing.T) {
	t.Parallel()
	doc, err := spec.LoadCloud()
	require.NoError(t, err)
	const path = "/{phone_number_id}/messages"
	item := doc.Paths.Value(path)
	require.NotNil(t, item)
	op := *item.Post
	op.Security = &openapi3.SecurityRequirements{}
	route := &routers.Route{Spec: doc, Path: path, PathItem: item, Method: "POST", Operation: &op}
	uri := openapi3.NewCallbackValidator(ValidateURIFormat)
	opts := &openapi3filter.Options{SkipSettingDefaults: true, KeepValidatedValue: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails(), openapi3.WithStringFormatValidator("uri", uri)}}
	v := NewRequestValidator(route, opts, map[string]openapi3.StringFormatValidator{"uri": uri})
	require.NotNil(t, v.body, "the Cloud send body compiles")
	params := map[string]string{"phone_number_id": "106540352242922"}
	valid := 0
	for _, body := range []string{
		`{"messaging_product":"whatsapp","to":"16315551234","type":"text","text":{"body":"hi"}}`,
		`{"messaging_product":"whatsapp","to":"16315551234","type":"text","text":{"body":"hi","preview_url":true}}`,
		`{"messaging_product":"whatsapp","to":"16315551234","type":"image","image":{"link":"https://example.com/a.png"}}`,
		`{"messaging_product":"whatsapp","to":"16315551234","type":"image","image":{"link":"not a uri"}}`,
		`{"messaging_product":"whatsapp","to":"16315551234","type":"text"}`,
		`{"messaging_product":"sms","to":"16315551234","type":"text","text":{"body":"hi"}}`,
		`{"to":"16315551234","type":"text","text":{"body":"hi"}}`,
		`{"messaging_product":"whatsapp","to":"16315551234","type":"text","text":{"body":"` + strings.Repeat("x", 5000) + `"}}`,
		`{"messaging_product":"whatsapp","to":"16315551234","type":"text","text":{"body":"esc\"aped"}}`,
		`{"messaging_product":"whatsapp"`, `[]`, `null`, ``,
	} {
		fast, slow := cloudRequest(body), cloudRequest(body)
		got := v.Validate(fast, params)
		want := openapi3filter.ValidateRequest(slow.Context(), &openapi3filter.RequestValidationInput{Request: slow, PathParams: params, Route: route, Options: opts})
		if want == nil {
			valid++
			assert.NoError(t, got, body)
			continue
		}
		if assert.Error(t, got, body) {
			assert.Equal(t, want.Error(), got.Error(), body)
		}
	}
	assert.Equal(t, 5, valid, "valid bodies among the cases (kin-openapi's verdict)")
}

func cloudRequest(body string) *http.Request {
	r := httptest.NewRequest("POST", "/106540352242922/messages", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}
