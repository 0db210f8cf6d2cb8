package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/spec"
	"github.com/wabiz/wabiz/webhook"
)

const (
	testSecret = "app-secret-for-tests"
	testToken  = "verify-token-for-tests"
)

// cloudCorpus is the Cloud webhook corpus of the webhook package.
var cloudCorpusDir = filepath.Join("..", "..", "webhook", "testdata", "cloud")

type corpusFile struct {
	name string
	data []byte
}

func loadCloudCorpus(t testing.TB) []corpusFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(cloudCorpusDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no Cloud corpus in %s", cloudCorpusDir)
	var out []corpusFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		out = append(out, corpusFile{name: filepath.Base(p), data: data})
	}
	return out
}

var loadSpec = sync.OnceValues(spec.Load)

// payloadSchema is the On-Premises callback body schema.
func payloadSchema(t testing.TB) *openapi3.Schema {
	t.Helper()
	doc, err := loadSpec()
	require.NoError(t, err)
	ref, ok := doc.Components.Schemas["WebhookNotification"]
	require.True(t, ok, "WebhookNotification not in spec/openapi.yaml")
	return ref.Value
}

// allSettings forwards everything to url.
func allSettings(url string) Settings {
	return Settings{URL: url, MaxConcurrent: 6, BackoffDelay: 10 * time.Millisecond,
		MaxBackoffDelay: 50 * time.Millisecond, Sent: true, Delivered: true, Read: true}
}

// settingsBox holds settings that a test changes while the relay runs.
type settingsBox struct {
	mu  sync.Mutex
	s   Settings
	err error
}

func (b *settingsBox) get(context.Context) (Settings, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.s, b.err
}

func (b *settingsBox) set(f func(*Settings)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f(&b.s)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestRelay(t testing.TB, st store.Store, settings SettingsFunc, opts ...Option) *Relay {
	t.Helper()
	r, err := New(st, Config{AppSecret: testSecret, VerifyToken: testToken, Settings: settings},
		append([]Option{WithLogger(quietLogger())}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func newMemory(t testing.TB, opts ...store.Option) *store.Memory {
	t.Helper()
	m, err := store.NewMemory(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// signedPost is a Cloud webhook POST of body signed with the test secret.
func signedPost(body []byte) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/cloud", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.CloudSignatureHeader, webhook.SignCloudBody([]byte(testSecret), body))
	return req
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// textWebhook is a Cloud webhook carrying one text message with id wamid.<i>.
func textWebhook(i int) []byte {
	return fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.%d","timestamp":"1749416383","type":"text","text":{"body":"Hello %d"}}]},"field":"messages"}]}]}`, i, i)
}

// statusWebhook is a Cloud webhook carrying one status of message wamid.<i>.
func statusWebhook(i int, status string) []byte {
	return fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.out.%d","status":%q,"timestamp":"1749416383","recipient_id":"16505551234"}]},"field":"messages"}]}]}`, i, status)
}

// receiver is the integration: a webhook.Handler with dedupe behind an httptest server,
// counting every POST and every first delivery of a message.
type receiver struct {
	srv *httptest.Server

	posts   atomic.Int64 // every POST
	handled atomic.Int64 // POSTs the webhook.Handler handled (duplicates included)
	mu      sync.Mutex
	unique  map[string]int // message ids seen by the message callback (after dedupe)
	// gate, when set, decides each POST before the Handler sees it: return a status to
	// answer without handling, 0 to handle, holdAnswer to handle and then never answer
	// (until the client gives up): delivered, but the sender cannot know.
	gate atomic.Pointer[func(*http.Request) int]
}

func newReceiver(t testing.TB) *receiver {
	t.Helper()
	rc := &receiver{unique: map[string]int{}}
	dd, err := webhook.NewDedupe(1<<20, time.Hour)
	require.NoError(t, err)
	h, err := webhook.NewHandler(
		webhook.WithDedupe(dd),
		webhook.WithLogger(quietLogger()),
		webhook.WithMessageFunc(func(_ context.Context, m *webhook.Message) error {
			rc.mu.Lock()
			rc.unique[m.ID]++
			rc.mu.Unlock()
			return nil
		}),
	)
	require.NoError(t, err)
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.posts.Add(1)
		if g := rc.gate.Load(); g != nil {
			switch status := (*g)(r); status {
			case 0:
			case holdAnswer:
				rc.handled.Add(1)
				h.ServeHTTP(httptest.NewRecorder(), r)
				<-r.Context().Done()
				return
			default:
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(status)
				return
			}
		}
		rc.handled.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// holdAnswer is the gate's answer for "handle, then hold the answer".
const holdAnswer = -1

func (rc *receiver) setGate(f func(*http.Request) int) {
	if f == nil {
		rc.gate.Store(nil)
		return
	}
	rc.gate.Store(&f)
}

// uniqueCount returns the number of distinct message ids handled and how many of them
// the handler ran more than once (dedupe failures).
func (rc *receiver) uniqueCount() (n, repeated int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, c := range rc.unique {
		if c > 1 {
			repeated++
		}
	}
	return len(rc.unique), repeated
}

// runRelay runs r.Run until the test ends (or stop is called) and returns stop, which
// waits for Run to return.
func runRelay(t testing.TB, r *Relay) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-errc })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// eventually waits for cond, failing the test after d.
func eventually(t testing.TB, d time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: "+format, append([]any{d}, args...)...)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_750_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// jsonPath returns the value at a dotted path ("messages.0.system.type") of a decoded
// JSON document, and whether it exists.
func jsonPath(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			var i int
			if _, err := fmt.Sscan(part, &i); err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func decodeJSON(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(b, &v), "%s", b)
	return v
}
