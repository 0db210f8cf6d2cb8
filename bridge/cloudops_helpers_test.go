package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/internal/onpremhttp"
	"github.com/wabiz/wabiz/spec"
)

// Helpers of the tests of messages.go, media.go, account.go and errors.go: a Bridge over the
// fake's Cloud dialect or over a Graph stub, and a check of every answer against the
// On-Premises spec (the method's response object rendered as the strict server renders it).

// opsBridge returns a Bridge whose Cloud client talks to the fake's Cloud dialect, and the
// fake. Retries are off so that failure paths answer at once.
func opsBridge(t *testing.T, opts ...fake.Option) (*Bridge, *fake.TestServer) {
	t.Helper()
	srv := fake.NewTestServer(t, opts...)
	c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(fake.DefaultCloudToken),
		cloud.WithBaseURL(srv.URL+"/graph"), cloud.WithHTTPClient(srv.Client()), cloud.WithMaxRetries(0))
	require.NoError(t, err)
	return bridgeFor(t, c), srv
}

// bridgeFor returns a Bridge over the Cloud client c.
func bridgeFor(t *testing.T, c *cloud.Client, relay ...Relay) *Bridge {
	t.Helper()
	st, err := store.NewMemory()
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	cfg := Config{Cloud: c, Store: st, WABAID: fake.DefaultCloudWABAID, Logger: slog.New(slog.DiscardHandler)}
	if len(relay) > 0 {
		cfg.Relay = relay[0]
	}
	// The lowest password work factor: New hashes the initial admin password.
	b, err := New(t.Context(), cfg, WithPasswordIterations(store.MinPBKDF2Iterations))
	require.NoError(t, err)
	return b
}

// graphStub answers every Graph request with handler and records the requests' method and
// path.
type graphStub struct {
	*httptest.Server
	mu    sync.Mutex
	calls []string
}

func (g *graphStub) Calls() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.calls...)
}

// newGraphStub starts a Graph stub and returns a Bridge over it.
func newGraphStub(t *testing.T, handler http.HandlerFunc) (*Bridge, *graphStub) {
	t.Helper()
	g := &graphStub{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.calls = append(g.calls, r.Method+" "+r.URL.Path)
		g.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(g.Close)
	c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(stubToken),
		cloud.WithBaseURL(g.URL), cloud.WithMaxRetries(0))
	require.NoError(t, err)
	return bridgeFor(t, c), g
}

// stubToken is the Graph token of the stub bridges; no answer may contain it.
const stubToken = "EAAG-secret-system-user-token-of-the-bridge"

// graphErrorHandler answers with a Graph error envelope.
func graphErrorHandler(status, code int, typ, message, details, trace string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"message": message, "type": typ, "code": code, "fbtrace_id": trace,
			"error_data": map[string]any{"messaging_product": "whatsapp", "details": details},
		}})
	}
}

// onPremError requires err to be the On-Premises answer with status and code.
func onPremError(t *testing.T, err error, status, code int) *onpremhttp.Error {
	t.Helper()
	require.Error(t, err)
	var oe *onpremhttp.Error
	require.True(t, errors.As(err, &oe), "%T %v is not an *onpremhttp.Error", err, err)
	require.Equal(t, code, oe.Code, "code of %v", oe)
	require.Equal(t, status, oe.Status, "status of %v", oe)
	return oe
}

// specRouter routes requests on the On-Premises spec by path alone.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	return legacy.NewRouter(doc)
})

// specDoc is the On-Premises spec.
var specDoc = sync.OnceValues(spec.Load)

// render writes a bridge method's answer as the strict server does: the response object
// through its Visit method, an error as the error envelope.
func render(t *testing.T, b *Bridge, resp any, err error) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	if err != nil {
		onpremhttp.WriteError(rec, b.meta, onpremhttp.AsError(err))
		return rec
	}
	v := reflect.ValueOf(resp)
	require.True(t, v.IsValid(), "no response and no error")
	for i := 0; i < v.NumMethod(); i++ {
		if name := v.Type().Method(i).Name; strings.HasPrefix(name, "Visit") {
			out := v.Method(i).Call([]reflect.Value{reflect.ValueOf(http.ResponseWriter(rec))})
			if e, _ := out[0].Interface().(error); e != nil {
				t.Fatalf("%s: %v", name, e)
			}
			return rec
		}
	}
	t.Fatalf("%T has no Visit method", resp)
	return nil
}

// checkAnswer renders a bridge method's answer and validates it against the On-Premises
// spec's response for method and path (status, headers, content type and, for JSON, the
// body). It returns the recorder.
func checkAnswer(t *testing.T, b *Bridge, method, path string, resp any, err error) *httptest.ResponseRecorder {
	t.Helper()
	rec := render(t, b, resp, err)
	validateRecorded(t, method, path, rec)
	return rec
}

// validateRecorded validates a recorded answer against the spec.
func validateRecorded(t *testing.T, method, path string, rec *httptest.ResponseRecorder) {
	t.Helper()
	router, rerr := specRouter()
	require.NoError(t, rerr)
	req := httptest.NewRequest(method, path, nil)
	route, params, rerr := router.FindRoute(req)
	require.NoError(t, rerr, "%s %s is no operation of the spec", method, path)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if ct := rec.Header().Get("Content-Type"); strings.HasPrefix(ct, "application/json") {
		in.SetBodyBytes(rec.Body.Bytes())
	} else {
		in.Options.ExcludeResponseBody = true
	}
	require.NoError(t, openapi3filter.ValidateResponse(context.Background(), in),
		"%s %s answered %d %s", method, path, rec.Code, truncated(rec.Body.String()))
}

// validateEnvelope checks a body against the spec's ErrorEnvelope schema.
func validateEnvelope(t *testing.T, body []byte) {
	t.Helper()
	doc, err := specDoc()
	require.NoError(t, err)
	schema := doc.Components.Schemas["ErrorEnvelope"]
	require.NotNil(t, schema)
	var v any
	require.NoError(t, json.Unmarshal(body, &v))
	require.NoError(t, schema.Value.VisitJSON(v, openapi3.MultiErrors()), "%s", body)
}

func truncated(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// fakeRelay is a Relay whose Admit answers err.
type fakeRelay struct {
	http.Handler
	err error
}

func (f fakeRelay) Admit(context.Context) error { return f.err }

// errOutboxFull is the admission refusal of the tests.
var errOutboxFull = fmt.Errorf("outbox at capacity (%d)", 10000)

// cloudClientOf returns a Cloud client of the fake's Cloud dialect, with token if given.
func cloudClientOf(t *testing.T, srv *fake.TestServer, token ...string) *cloud.Client {
	t.Helper()
	tok := fake.DefaultCloudToken
	if len(token) > 0 {
		tok = token[0]
	}
	c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(tok),
		cloud.WithBaseURL(srv.URL+"/graph"), cloud.WithHTTPClient(srv.Client()), cloud.WithMaxRetries(0))
	require.NoError(t, err)
	return c
}
