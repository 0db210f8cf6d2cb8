package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	cloudgen "github.com/wabiz/wabiz/gen/cloud"
)

const (
	// prefix is the path the test server mounts Graph under, as a proxy would, so that every
	// test also proves that a base URL's path is kept.
	prefix = "/graph"
	// testToken is the access token of clients made by setup.
	testToken = "EAAGtest-token-8d1f"
	// pnid is the business phone number id of the tests.
	pnid = "106540352242922"
	// v is the path of the Graph version.
	v = "/" + DefaultGraphVersion
	// customer is a recipient.
	customer = "16315551234"
	// sentID is the id the test servers give a sent message.
	sentID = "wamid.HBgLMTYzMTU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
	// sentResp is the Cloud API's answer to a send.
	sentResp = `{"messaging_product":"whatsapp","contacts":[{"input":"16315551234","wa_id":"16315551234"}],"messages":[{"id":"` + sentID + `","message_status":"accepted"}]}`
)

// newHTTPServer serves handler under prefix and fails the test on any request outside it.
// It returns the server and the base URL to give WithBaseURL.
func newHTTPServer(t testing.TB, handler http.Handler) (*httptest.Server, string) {
	t.Helper()
	root := http.NewServeMux()
	root.Handle(prefix+"/", http.StripPrefix(prefix, handler))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base URL prefix: %s %s", r.Method, r.URL.Path)
		http.Error(w, "outside the prefix", http.StatusBadGateway)
	})
	srv := httptest.NewServer(root)
	t.Cleanup(srv.Close)
	return srv, srv.URL + prefix
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

// setup returns a client with a static token and retries that do not wait, talking to a
// fresh test server, with the server's mux and the recorded sleeps. opts come last.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *sleeps) {
	t.Helper()
	mux := http.NewServeMux()
	_, base := newHTTPServer(t, mux)
	s := &sleeps{}
	c, err := NewClient(pnid, append([]Option{WithToken(testToken), WithBaseURL(base), withSleep(s.sleep)}, opts...)...)
	require.NoError(t, err)
	return c, mux, s
}

// writeJSON answers status with a JSON body and an X-FB-Trace-ID header.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-FB-Trace-ID", "AbCtrace")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// graphError is a Graph error envelope with code and details.
func graphError(code int, message, details string) string {
	return `{"error":{"message":"` + message + `","type":"OAuthException","code":` + strconv.Itoa(code) +
		`,"error_data":{"messaging_product":"whatsapp","details":"` + details + `"},"fbtrace_id":"AzTrace42"}}`
}

// bytesReader is a replayable upload body.
func bytesReader(s string) *bytes.Reader { return bytes.NewReader([]byte(s)) }

// newCloudMessage decodes a Cloud message from JSON.
func newCloudMessage(t *testing.T, raw string) cloudgen.Message {
	t.Helper()
	var m cloudgen.Message
	require.NoError(t, json.Unmarshal([]byte(raw), &m))
	return m
}
