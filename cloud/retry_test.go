package cloud

import (
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failThen answers the first n requests with fail and the others with ok, counting them.
func failThen(n int32, fail, ok func(w http.ResponseWriter, r *http.Request)) (http.HandlerFunc, *atomic.Int32) {
	var calls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			fail(w, r)
			return
		}
		ok(w, r)
	}, &calls
}

func answer(status int, body string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { writeJSON(w, status, body) }
}

// hangUp closes the connection without an answer, after reading the request: the server may
// have acted on it.
func hangUp(t *testing.T) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		require.NoError(t, err)
		_ = conn.Close()
	}
}

const mediaMeta = `{"id":"m","url":"https://lookaside.example.com/m","mime_type":"image/png"}`

// TestRetryRulesForIdempotentRequests checks GET and DELETE (and mark-read, which is safe to
// repeat): throttles, 5xx, transient codes and broken connections are retried; other 4xx
// are not.
func TestRetryRulesForIdempotentRequests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		fail      func(t *testing.T) func(w http.ResponseWriter, r *http.Request)
		wantCalls int32
	}{
		{"throttle_130429", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(400, graphError(130429, "(#130429) Rate limit hit", ""))
		}, 2},
		{"500", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(500, graphError(131000, "Something went wrong", ""))
		}, 2},
		{"503_code_2", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(503, graphError(2, "(#2) Service temporarily unavailable", ""))
		}, 2},
		{"connection_broken", hangUp, 2},
		{"bad_parameter_not_retried", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(400, graphError(100, "(#100) Invalid parameter", ""))
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, sl := setup(t)
			get, gets := failThen(1, tc.fail(t), answer(200, mediaMeta))
			mux.HandleFunc("GET "+v+"/m", get)
			del, dels := failThen(1, tc.fail(t), answer(200, `{"success":true}`))
			mux.HandleFunc("DELETE "+v+"/m", del)
			read, reads := failThen(1, tc.fail(t), answer(200, `{"success":true}`))
			mux.HandleFunc("POST "+v+"/"+pnid+"/messages", read)

			_, getErr := c.GetMedia(t.Context(), "m")
			delErr := c.DeleteMedia(t.Context(), "m")
			readErr := c.MarkRead(t.Context(), "wamid.in")
			assert.Equal(t, tc.wantCalls, gets.Load(), "GET")
			assert.Equal(t, tc.wantCalls, dels.Load(), "DELETE")
			assert.Equal(t, tc.wantCalls, reads.Load(), "mark-read")
			if tc.wantCalls == 2 {
				assert.NoError(t, getErr)
				assert.NoError(t, delErr)
				assert.NoError(t, readErr)
				assert.Len(t, sl.get(), 3, "one backoff per retried request")
			} else {
				assert.Error(t, getErr)
				assert.Error(t, delErr)
				assert.Error(t, readErr)
				assert.Empty(t, sl.get())
			}
		})
	}
}

// TestUploadRetriedOnlyWhenTheServerCannotHaveActed checks a non-idempotent POST: a throttle
// is retried; a 500 or a broken connection (the media may exist) is not.
func TestUploadRetriedOnlyWhenTheServerCannotHaveActed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		fail      func(t *testing.T) func(w http.ResponseWriter, r *http.Request)
		wantCalls int32
	}{
		{"throttle_130429", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(400, graphError(130429, "(#130429) Rate limit hit", ""))
		}, 2},
		{"maintenance_131057", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(500, graphError(131057, "(#131057) Account in maintenance mode", ""))
		}, 2},
		{"500_ambiguous", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(500, graphError(131000, "Something went wrong", ""))
		}, 1},
		{"transient_ambiguous", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(400, `{"error":{"message":"(#1) An unknown error occurred","type":"OAuthException","code":1,"is_transient":true}}`)
		}, 1},
		{"connection_broken_ambiguous", hangUp, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			h, calls := failThen(1, tc.fail(t), answer(200, `{"id":"m-1"}`))
			mux.HandleFunc("POST "+v+"/"+pnid+"/media", h)
			_, err := c.UploadMedia(t.Context(), bytesReader("data"), "text/plain")
			assert.Equal(t, tc.wantCalls, calls.Load())
			if tc.wantCalls == 2 {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

// TestRetryBackoffHonoursRetryAfterAndGrows checks the delays: Retry-After when given
// (capped), else exponential backoff with jitter within [d/2, d].
func TestRetryBackoffHonoursRetryAfterAndGrows(t *testing.T) {
	t.Parallel()
	c, mux, sl := setup(t, WithMaxRetries(3), WithRetryBackoff(100*time.Millisecond, 2*time.Second))
	throttle := graphError(131056, "(#131056) pair rate limit hit", "")
	var calls atomic.Int32
	mux.HandleFunc("GET "+v+"/m", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 400, throttle)
		case 2:
			w.Header().Set("Retry-After", "3600")
			writeJSON(w, 400, throttle)
		case 3:
			writeJSON(w, 400, throttle)
		default:
			writeJSON(w, 200, mediaMeta)
		}
	})
	_, err := c.GetMedia(t.Context(), "m")
	require.NoError(t, err)
	d := sl.get()
	require.Len(t, d, 3)
	assert.Equal(t, time.Second, d[0], "Retry-After in seconds")
	assert.Equal(t, 2*time.Second, d[1], "Retry-After capped at the maximum delay")
	assert.GreaterOrEqual(t, d[2], 200*time.Millisecond, "third retry: base*4 with jitter in [d/2, d]")
	assert.LessOrEqual(t, d[2], 400*time.Millisecond)
}

// TestRetryStopsAtMaxRetries checks that a persistent throttle ends with the *Error after
// the configured number of retries.
func TestRetryStopsAtMaxRetries(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithMaxRetries(2))
	var calls atomic.Int32
	mux.HandleFunc("GET "+v+"/m", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 400, graphError(130429, "(#130429) Rate limit hit", ""))
	})
	_, err := c.GetMedia(t.Context(), "m")
	require.True(t, HasCode(err, CodeThroughputRateLimit))
	assert.Equal(t, int32(3), calls.Load())
}

// TestConnectionRefusedIsRetriedForAnyRequest checks that a dial failure, which sent
// nothing, is retried even for an upload.
func TestConnectionRefusedIsRetriedForAnyRequest(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now
	var s sleeps
	c, err := NewClient(pnid, WithToken(testToken), WithBaseURL("http://"+addr), withSleep(s.sleep))
	require.NoError(t, err)
	_, err = c.UploadMedia(t.Context(), bytesReader("x"), "text/plain")
	require.Error(t, err)
	assert.Len(t, s.get(), 2, "both retries used")
}
