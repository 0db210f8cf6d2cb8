package api

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	// baseURLPath is the path prefix the test server mounts the API under, as a reverse proxy
	// would, so that every test also proves that the prefix is kept.
	baseURLPath = "/wa-proxy"
	// testToken is the bearer token of clients made by setup.
	testToken = "test-token-8d1f"
	// metaOnly is the body of a success without payload.
	metaOnly = `{"meta":{"api_status":"stable","version":"v2.45.1"}}`
)

// newHTTPServer starts an httptest server that serves handler under baseURLPath, closed when
// the test ends, and fails the test on any request outside the prefix. It returns the base
// URL to give NewClient.
func newHTTPServer(t testing.TB, handler http.Handler) string {
	t.Helper()
	root := http.NewServeMux()
	root.Handle(baseURLPath+"/", http.StripPrefix(baseURLPath, handler))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base URL prefix: %s %s", r.Method, r.URL.Path)
		http.Error(w, "outside the prefix", http.StatusBadGateway)
	})
	srv := httptest.NewServer(root)
	t.Cleanup(srv.Close)
	return srv.URL + baseURLPath
}

// newServer is newHTTPServer with a fresh mux, which it returns with the base URL.
func newServer(t *testing.T) (*http.ServeMux, string) {
	t.Helper()
	mux := http.NewServeMux()
	return mux, newHTTPServer(t, mux)
}

// sleeps records the delays the retry policy asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// setup returns a client with a static bearer token (and retries that do not wait) talking
// to a fresh test server under a path prefix, and the server's mux. opts come last and may
// override the defaults.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux) {
	t.Helper()
	mux, baseURL := newServer(t)
	var s sleeps
	c, err := NewClient(baseURL, append([]Option{WithToken(testToken), withSleep(s.sleep)}, opts...)...)
	require.NoError(t, err)
	return c, mux
}

// writeJSON answers status with a JSON body and an X-Request-ID header.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-ID", "req-42")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// wrapperCase describes one wrapper call and the exchange it must produce.
type wrapperCase struct {
	name   string
	method string
	path   string // as the server sees it, without the prefix
	query  string // expected raw query
	body   string // expected JSON request body; empty for none
	status int    // answer status, 200 by default
	resp   string // answer body, metaOnly by default
	call   func(ctx context.Context, c *Client) (any, error)
	want   any // the decoded result; nil for wrappers that return only an error
}

// runWrapperCases runs each case against its own server and checks method, path, query,
// authentication, request body and decoded result.
func runWrapperCases(t *testing.T, cases []wrapperCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			var calls atomic.Int32
			mux.HandleFunc(tc.method+" "+tc.path, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				assert.Equal(t, tc.query, r.URL.RawQuery, "query")
				assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
				got, err := io.ReadAll(r.Body)
				assert.NoError(t, err)
				if tc.body == "" {
					assert.Empty(t, string(got), "request body")
				} else {
					assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
					assert.JSONEq(t, tc.body, string(got), "request body")
				}
				writeJSON(w, cmp.Or(tc.status, http.StatusOK), cmp.Or(tc.resp, metaOnly))
			})
			got, err := tc.call(t.Context(), c)
			require.NoError(t, err)
			assert.Equal(t, int32(1), calls.Load(), "requests")
			assert.Equal(t, tc.want, got)
		})
	}
}

// noResult adapts a wrapper that returns only an error to wrapperCase.call.
func noResult(err error) (any, error) { return nil, err }

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// requiredArgCase is a wrapper called with an empty path parameter.
type requiredArgCase struct {
	name string
	call func(ctx context.Context, c *Client) error
}

// runRequiredArgCases checks that each call fails before sending anything.
func runRequiredArgCases(t *testing.T, cases []requiredArgCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
			})
			err := tc.call(t.Context(), c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "empty")
		})
	}
}
