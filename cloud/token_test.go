package cloud

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rotatingSource hands out tok-1, tok-2, ... each valid for life (0: no expiry).
type rotatingSource struct {
	calls atomic.Int32
	life  time.Duration
	now   func() time.Time
}

func (s *rotatingSource) Token(ctx context.Context) (Token, error) {
	n := s.calls.Add(1)
	t := Token{AccessToken: "tok-" + itoa(int(n))}
	if s.life > 0 {
		t.Expiry = s.now().Add(s.life)
	}
	return t, nil
}

func itoa(n int) string { return string(rune('0' + n)) } // single digits are enough here

// TestTokenSourceRefreshedAfter190AndTheRequestReplayedOnce answers 190 to the first token:
// the client asks the source for a new one and sends the same request again, once, with
// it. The replay happens for a non-idempotent upload too, since the server did not act.
func TestTokenSourceRefreshedAfter190AndTheRequestReplayedOnce(t *testing.T) {
	t.Parallel()
	src := &rotatingSource{now: time.Now}
	c, mux, sl := setup(t, func(cfg *config) error { cfg.tokens = nil; return nil }, WithTokenSource(src))
	var seen []string
	var mu sync.Mutex
	mux.HandleFunc("POST "+v+"/"+pnid+"/media", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.Header.Get("Authorization") == "Bearer tok-1" {
			writeJSON(w, 401, graphError(190, "Error validating access token: Session has expired", ""))
			return
		}
		_ = r.ParseMultipartForm(1 << 20)
		writeJSON(w, 200, `{"id":"m-1"}`)
	})
	id, err := c.UploadMedia(t.Context(), bytesReader("hello"), "text/plain")
	require.NoError(t, err)
	assert.Equal(t, "m-1", id)
	assert.Equal(t, []string{"Bearer tok-1", "Bearer tok-2"}, seen)
	assert.Equal(t, int32(2), src.calls.Load())
	assert.Empty(t, sl.get(), "a token refresh is not a retry: no backoff")

	// The new token is cached: the next request does not ask the source.
	_, err = c.UploadMedia(t.Context(), bytesReader("again"), "text/plain")
	require.NoError(t, err)
	assert.Equal(t, int32(2), src.calls.Load())
}

// TestTokenSourceRefreshHappensOnceForAStillRejectedToken checks that a source whose new
// token is rejected too does not loop: one refresh, then the *Error.
func TestTokenSourceRefreshHappensOnceForAStillRejectedToken(t *testing.T) {
	t.Parallel()
	src := &rotatingSource{now: time.Now}
	c, mux, _ := setup(t, func(cfg *config) error { cfg.tokens = nil; return nil }, WithTokenSource(src))
	var calls atomic.Int32
	mux.HandleFunc("GET "+v+"/m", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 401, graphError(190, "Invalid OAuth access token", ""))
	})
	_, err := c.GetMedia(t.Context(), "m")
	require.True(t, IsUnauthorized(err), "%v", err)
	assert.Equal(t, int32(2), calls.Load())
	assert.Equal(t, int32(2), src.calls.Load())
}

// TestStaticTokenIsNotRefreshed checks that a 190 with WithToken fails at once.
func TestStaticTokenIsNotRefreshed(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("GET "+v+"/m", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 401, graphError(190, "Invalid OAuth access token", ""))
	})
	_, err := c.GetMedia(t.Context(), "m")
	require.True(t, IsUnauthorized(err))
	assert.Equal(t, int32(1), calls.Load())
}

// TestTokenSourceRenewedBeforeExpiry uses a clock: a 60-day token is reused until five
// minutes before it expires, then fetched again; concurrent callers share one fetch.
func TestTokenSourceRenewedBeforeExpiry(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	src := &rotatingSource{now: clock, life: 60 * 24 * time.Hour}
	c, mux, _ := setup(t, func(cfg *config) error { cfg.tokens = nil; return nil }, WithTokenSource(src), withClock(clock))
	var last atomic.Value
	mux.HandleFunc("GET "+v+"/m", func(w http.ResponseWriter, r *http.Request) {
		last.Store(r.Header.Get("Authorization"))
		writeJSON(w, 200, `{"id":"m","url":"https://x.example.com/m","mime_type":"image/png"}`)
	})
	get := func() {
		_, err := c.GetMedia(t.Context(), "m")
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(get)
	}
	wg.Wait()
	assert.Equal(t, int32(1), src.calls.Load(), "concurrent first requests share one fetch")
	assert.Equal(t, "Bearer tok-1", last.Load())

	advance(60*24*time.Hour - 6*time.Minute)
	get()
	assert.Equal(t, "Bearer tok-1", last.Load(), "still valid for six minutes")
	advance(2 * time.Minute)
	get()
	assert.Equal(t, "Bearer tok-2", last.Load(), "renewed within five minutes of expiry")
	assert.Equal(t, int32(2), src.calls.Load())
}

// TestTokenSourceErrorsFailTheRequest checks that a failing or empty source is an error
// that wraps the source's, and that nothing is sent.
func TestTokenSourceErrorsFailTheRequest(t *testing.T) {
	t.Parallel()
	boom := errors.New("vault sealed")
	for name, src := range map[string]TokenSource{
		"error": TokenSourceFunc(func(context.Context) (Token, error) { return Token{}, boom }),
		"empty": TokenSourceFunc(func(context.Context) (Token, error) { return Token{AccessToken: " "}, nil }),
	} {
		c, mux, _ := setup(t, func(cfg *config) error { cfg.tokens = nil; return nil }, WithTokenSource(src))
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("request sent without a token") })
		_, err := c.GetMedia(t.Context(), "m")
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "token source", name)
		if name == "error" {
			assert.ErrorIs(t, err, boom)
		}
	}
}
