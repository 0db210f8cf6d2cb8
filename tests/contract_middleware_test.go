package tests

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContractMiddlewareCatches proves that the middleware of the contract tests reports what
// it is there to report: a handler that answers outside the spec in each way must produce the
// violation named, and a handler that answers within it must produce none.
func TestContractMiddlewareCatches(t *testing.T) {
	t.Parallel()
	const envelope404 = `{"errors":[{"code":1006,"title":"Resource not found"}],"meta":{"api_status":"stable","version":"v2.45.1"}}`
	reply := func(status int, ct, body string, headers ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("X-Request-ID", "0123456789abcdef")
			for i := 0; i+1 < len(headers); i += 2 {
				w.Header().Set(headers[i], headers[i+1])
			}
			if ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	for _, tc := range []struct {
		name, method, path, ct, body string
		handler                      http.HandlerFunc
		want                         string // substring of one of the violations; "" for none
	}{
		{"valid health", "GET", "/v1/health", "", "",
			reply(200, "application/json", `{"health":{"gateway_status":"connected"},"meta":{"api_status":"stable","version":"v2.45.1"}}`), ""},
		{"valid error", "GET", "/v1/media/abc", "", "", reply(404, "application/json", envelope404), ""},
		{"trailing-slash twin is its operation", "GET", "/v1/health/", "", "",
			reply(200, "application/json", `{"health":{"gateway_status":"connected"},"meta":{"api_status":"stable","version":"v2.45.1"}}`), ""},
		{"twin checked like its operation", "GET", "/v1/health/", "", "",
			reply(409, "application/json", `{"errors":[{"code":1004,"title":"Resource already exists"}]}`), "status 409 is not declared by checkHealth"},
		{"two trailing slashes are no operation", "GET", "/v1/media/abc//", "", "",
			reply(400, "application/json", `{"errors":[{"code":1009,"title":"Parameter value is not valid"}]}`), "must get 404"},
		{"control API is exempt", "GET", "/_fake/anything", "", "", reply(500, "text/html", "<oops>"), ""},
		{"body outside the schema", "GET", "/v1/health", "", "",
			reply(200, "application/json", `{"health":{"gateway_status":"on fire"}}`), "response does not match the spec"},
		{"status only default would absorb", "GET", "/v1/health", "", "",
			reply(409, "application/json", `{"errors":[{"code":1004,"title":"Resource already exists"}]}`), "status 409 is not declared by checkHealth"},
		{"binary content type not declared", "GET", "/v1/settings/profile/photo", "", "",
			reply(200, "image/gif", "GIF89a"), `content type "image/gif" is not declared`},
		{"error that is not the envelope", "GET", "/v1/media/abc", "", "",
			reply(404, "text/plain", "not found"), "instead of the JSON envelope"},
		{"error envelope with a wrong shape", "GET", "/v1/media/abc", "", "",
			reply(404, "application/json", `{"errors":[]}`), "not an ErrorEnvelope"},
		{"code answered with another status", "GET", "/v1/media/abc", "", "",
			reply(400, "application/json", envelope404), "code 1006 is answered with 400"},
		{"unknown path not 404", "GET", "/v1/nothing", "", "",
			reply(400, "application/json", `{"errors":[{"code":1009,"title":"Parameter value is not valid"}]}`), "must get 404"},
		{"undeclared method not 405", "DELETE", "/v1/health", "", "",
			reply(404, "application/json", envelope404), "must get 405"},
		{"405 without Allow", "DELETE", "/v1/health", "", "",
			reply(405, "application/json", `{"errors":[{"code":1025,"title":"Request is not valid"}]}`), "405 without an Allow header"},
		{"2xx to a request the spec rejects", "POST", "/v1/messages", "application/json", `{"type":"text"}`,
			reply(201, "application/json", `{"messages":[{"id":"gBEGkYiEB1VXAglK1ZEqA1YKPrU"}]}`), "accepted a request the spec rejects"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := &contractMiddleware{spec: mustSpecView(t), next: tc.handler}
			req := httptest.NewRequestWithContext(t.Context(), tc.method, tc.path, strings.NewReader(tc.body))
			if tc.ct != "" {
				req.Header.Set("Content-Type", tc.ct)
			}
			m.ServeHTTP(httptest.NewRecorder(), req)
			v := m.Violations()
			if tc.want == "" {
				assert.Empty(t, v)
				return
			}
			assert.True(t, slices.ContainsFunc(v, func(s string) bool { return strings.Contains(s, tc.want) }),
				"want a violation with %q, got %v", tc.want, v)
		})
	}
}

// TestContractMiddlewareStreamsBinary checks that a binary answer goes through the middleware
// without being kept: a 64 MiB download is validated for status and content type only.
func TestContractMiddlewareStreamsBinary(t *testing.T) {
	t.Parallel()
	const size = 64 << 20
	chunk := make([]byte, 1<<20)
	m := &contractMiddleware{spec: mustSpecView(t), next: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Header().Set("X-Request-ID", "0123456789abcdef")
		w.WriteHeader(http.StatusOK)
		for i := 0; i < size/len(chunk); i++ {
			_, _ = w.Write(chunk)
		}
	})}
	var written int64
	var kept int
	m.next = wrapCapture(m.next, func(cw *captureWriter) { written, kept = cw.written, cw.body.Len() })
	m.ServeHTTP(discardWriter{header: http.Header{}}, httptest.NewRequestWithContext(t.Context(), "GET", "/v1/media/0c3e", nil))
	assert.Empty(t, m.Violations())
	assert.Equal(t, int64(size), written)
	assert.Zero(t, kept, "a binary body must not be buffered")
}

// wrapCapture calls inspect with the middleware's capture writer once next has answered.
func wrapCapture(next http.Handler, inspect func(*captureWriter)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if cw, ok := w.(*captureWriter); ok {
			inspect(cw)
		}
	})
}

// discardWriter is a ResponseWriter that throws the body away.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}

// TestContractExceptions keeps testdata/contract-exceptions.txt honest: every entry names an
// operation whose status the spec still does not declare, and the fake still answers that
// status to the entry's request. An entry that fails here is fixed: delete it.
func TestContractExceptions(t *testing.T) {
	t.Parallel()
	v := mustSpecView(t)
	rf := newRawFixture(t)
	client := rf.http.Client()
	for _, key := range sortedKeys(v.exceptions) {
		e := v.exceptions[key]
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			so, ok := v.ops[e.op]
			require.True(t, ok, "%s is not an operation of the spec", e.op)
			assert.False(t, declaresStatus(so.op, e.status), "the spec now declares %d for %s: remove the exception", e.status, e.op)
			req := httptest.NewRequestWithContext(t.Context(), e.method, e.target, nil)
			route, _, err := (&contractMiddleware{spec: v}).findRoute(req)
			require.NoError(t, err)
			assert.Equal(t, e.op, route.Operation.OperationID, "the entry's request must address its operation")
			status, _, body := rawDo(t, client, e.method, rf.URL+e.target, rf.creds.header(authAdmin), "", nil)
			assert.Equal(t, e.status, status, "the fake no longer answers %d (body %s): remove the exception", e.status, body)
		})
	}
}
