package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inFiveSeconds stands for a Retry-After HTTP date five seconds after the answer.
const inFiveSeconds = "date:+5s"

// TestRetryPolicyByStatus is the retry table per status: which statuses are retried, how
// many times, and how long the client waits.
func TestRetryPolicyByStatus(t *testing.T) {
	t.Parallel()
	type answer struct {
		status     int
		retryAfter string
	}
	rateLimited := answer{429, ""}
	overloaded := answer{503, ""}
	ok := answer{0, ""}
	tests := []struct {
		name       string
		send       bool // POST /v1/messages rather than GET /v1/health
		opts       []Option
		answers    []answer // the last one repeats
		wantCalls  int
		wantSleeps []time.Duration // exact delays; nil with wantRange
		wantRange  [][2]time.Duration
		wantStatus int // 0: success
	}{
		{name: "429_retry_after_seconds_then_ok", send: true, answers: []answer{{429, "2"}, ok},
			wantCalls: 2, wantSleeps: []time.Duration{2 * time.Second}},
		{name: "429_gives_up_after_two_retries", send: true, answers: []answer{{429, "1"}},
			wantCalls: 3, wantSleeps: []time.Duration{time.Second, time.Second}, wantStatus: 429},
		{name: "503_retry_after_http_date", answers: []answer{{503, inFiveSeconds}, ok},
			wantCalls: 2, wantRange: [][2]time.Duration{{3 * time.Second, 5 * time.Second}}},
		{name: "503_backoff_with_jitter", send: true, answers: []answer{overloaded},
			wantCalls: 3, wantStatus: 503, wantRange: [][2]time.Duration{
				{defaultBaseDelay / 2, defaultBaseDelay}, {defaultBaseDelay, 2 * defaultBaseDelay}}},
		{name: "retry_after_capped", opts: []Option{WithRetryBackoff(10*time.Millisecond, 3*time.Second)},
			answers: []answer{{429, "3600"}, ok}, wantCalls: 2, wantSleeps: []time.Duration{3 * time.Second}},
		{name: "unparsable_retry_after_falls_back_to_backoff", answers: []answer{{429, "soon"}, ok},
			wantCalls: 2, wantRange: [][2]time.Duration{{defaultBaseDelay / 2, defaultBaseDelay}}},
		{name: "500_not_retried", send: true, answers: []answer{{500, ""}}, wantCalls: 1, wantStatus: 500},
		{name: "500_get_not_retried", answers: []answer{{500, ""}}, wantCalls: 1, wantStatus: 500},
		{name: "400_not_retried", send: true, answers: []answer{{400, ""}}, wantCalls: 1, wantStatus: 400},
		{name: "404_not_retried", answers: []answer{{404, ""}}, wantCalls: 1, wantStatus: 404},
		{name: "502_not_retried", answers: []answer{{502, ""}}, wantCalls: 1, wantStatus: 502},
		{name: "max_retries_0", opts: []Option{WithMaxRetries(0)}, answers: []answer{rateLimited},
			wantCalls: 1, wantStatus: 429},
		{name: "max_retries_4", opts: []Option{WithMaxRetries(4), WithRetryBackoff(time.Millisecond, time.Millisecond)},
			answers: []answer{overloaded}, wantCalls: 5, wantStatus: 503,
			wantRange: [][2]time.Duration{{time.Millisecond / 2, time.Millisecond}, {time.Millisecond / 2, time.Millisecond}, {time.Millisecond / 2, time.Millisecond}, {time.Millisecond / 2, time.Millisecond}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var s sleeps
			c, mux := setup(t, append([]Option{withSleep(s.sleep)}, tc.opts...)...)
			var calls atomic.Int32
			handler := func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1))
				a := tc.answers[min(n, len(tc.answers))-1]
				if a.status == 0 {
					if r.Method == http.MethodPost {
						writeJSON(w, http.StatusCreated, sentResp)
					} else {
						writeJSON(w, http.StatusOK, `{"health":{"gateway_status":"connected"}}`)
					}
					return
				}
				switch a.retryAfter {
				case "":
				case inFiveSeconds: // an HTTP date, made when the answer leaves
					w.Header().Set("Retry-After", time.Now().Add(5*time.Second).UTC().Format(http.TimeFormat))
				default:
					w.Header().Set("Retry-After", a.retryAfter)
				}
				writeJSON(w, a.status, fmt.Sprintf(`{"errors":[{"code":%d,"title":"x"}]}`, a.status))
			}
			mux.HandleFunc("POST /v1/messages", handler)
			mux.HandleFunc("GET /v1/health", handler)

			var err error
			if tc.send {
				_, err = c.SendText(t.Context(), customer, "hi")
			} else {
				_, err = c.CheckHealth(t.Context())
			}

			assert.Equal(t, int32(tc.wantCalls), calls.Load(), "requests")
			if tc.wantStatus == 0 {
				assert.NoError(t, err)
			} else {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tc.wantStatus, apiErr.StatusCode)
			}
			got := s.get()
			if tc.wantRange != nil {
				require.Len(t, got, len(tc.wantRange))
				for i, r := range tc.wantRange {
					assert.GreaterOrEqual(t, got[i], r[0], "sleep %d", i)
					assert.LessOrEqual(t, got[i], r[1], "sleep %d", i)
				}
				return
			}
			assert.Equal(t, tc.wantSleeps, got)
		})
	}
}

// TestRetryConnectionErrors is the retry table per error class: a request that never left is
// retried whatever its method, one that may have reached the server only when idempotent.
func TestRetryConnectionErrors(t *testing.T) {
	t.Parallel()

	t.Run("dial_error_retried_even_for_a_send", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close()) // nothing listens there any more: connection refused
		var s sleeps
		c, err := NewClient("http://"+addr, WithToken(testToken), withSleep(s.sleep))
		require.NoError(t, err)
		_, err = c.SendText(t.Context(), customer, "hi")
		var opErr *net.OpError
		require.ErrorAs(t, err, &opErr)
		assert.Equal(t, "dial", opErr.Op)
		assert.Len(t, s.get(), 2, "two retries")
	})

	for _, tc := range []struct {
		name      string
		send      bool
		wantCalls int32
	}{
		{"connection_lost_after_writing_a_send_is_not_retried", true, 1},
		{"connection_lost_after_writing_a_get_is_retried", false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			var calls atomic.Int32
			hangUp := func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				_, _ = io.ReadAll(r.Body) // the request arrived in full...
				conn, _, err := w.(http.Hijacker).Hijack()
				if assert.NoError(t, err) {
					conn.Close() // ...and the answer never leaves
				}
			}
			mux.HandleFunc("POST /v1/messages", hangUp)
			mux.HandleFunc("GET /v1/health", hangUp)
			var err error
			if tc.send {
				_, err = c.SendText(t.Context(), customer, "hi")
			} else {
				_, err = c.CheckHealth(t.Context())
			}
			require.Error(t, err)
			var apiErr *APIError
			assert.False(t, errors.As(err, &apiErr), "a transport error, not an API error: %v", err)
			assert.Equal(t, tc.wantCalls, calls.Load())
		})
	}

	t.Run("stream_without_replay_is_not_retried", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t)
		var calls atomic.Int32
		mux.HandleFunc("POST /v1/media", func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			_, _ = io.Copy(io.Discard, r.Body)
			writeJSON(w, http.StatusServiceUnavailable, `{"errors":[{"code":1016,"title":"System overloaded"}]}`)
		})
		stream := io.MultiReader(strings.NewReader("%PDF-1.7 not seekable"))
		_, err := c.UploadMedia(t.Context(), stream, "application/pdf")
		assert.True(t, IsOverloaded(err))
		assert.Equal(t, int32(1), calls.Load())
	})

	t.Run("seekable_upload_is_replayed_from_the_start", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t)
		data := bytes.Repeat([]byte("0123456789"), 10_000)
		var bodies [][]byte
		mux.HandleFunc("POST /v1/media", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			bodies = append(bodies, b)
			if len(bodies) < 3 {
				writeJSON(w, http.StatusTooManyRequests, `{"errors":[{"code":1015,"title":"Too many requests"}]}`)
				return
			}
			writeJSON(w, http.StatusCreated, `{"media":[{"id":"m-1"}]}`)
		})
		r := bytes.NewReader(data)
		id, err := c.UploadMedia(t.Context(), r, "application/pdf")
		require.NoError(t, err)
		assert.Equal(t, "m-1", id)
		require.Len(t, bodies, 3)
		for i, b := range bodies {
			assert.Equal(t, data, b, "attempt %d sent the whole file", i+1)
		}
	})
}

// TestRetryStopsWhenTheContextEnds uses the real sleep: cancelling the context while the
// client waits for a long Retry-After returns at once, with an error that matches both the
// cancellation and the last answer.
func TestRetryStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	mux, baseURL := newServer(t)
	c, err := NewClient(baseURL, WithToken(testToken)) // real sleep
	require.NoError(t, err)
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(t.Context())
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			// Cancel once the answer is on its way (a timer started before the call could
			// fire during the first attempt on a loaded machine).
			time.AfterFunc(50*time.Millisecond, cancel)
		}
		w.Header().Set("Retry-After", "20")
		writeJSON(w, http.StatusServiceUnavailable, `{"errors":[{"code":1016,"title":"System overloaded"}]}`)
	})
	start := time.Now()
	_, err = c.CheckHealth(ctx)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.Equal(t, int32(1), calls.Load())
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"5", 5 * time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Wed, 25 Nov 2026 15:00:30 GMT", 30 * time.Second, true},
		{"Wednesday, 25-Nov-26 15:01:00 GMT", time.Minute, true}, // RFC 850, still valid
		{"Wed Nov 25 15:00:10 2026", 10 * time.Second, true},     // ANSI C asctime
		{"Wed, 25 Nov 2026 14:00:00 GMT", 0, true},               // in the past: now
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, ok := parseRetryAfter(tc.in, now)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestBackoffDelay(t *testing.T) {
	t.Parallel()
	p := retryPolicy{baseDelay: 500 * time.Millisecond, maxDelay: 5 * time.Second}
	now := time.Now()
	p.jitter = func(n int64) int64 { return n - 1 } // the top of [d/2, d]
	for attempt, want := range []time.Duration{
		500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second,
	} {
		assert.Equal(t, want, p.delay(attempt, "", now), "attempt %d", attempt)
	}
	p.jitter = func(int64) int64 { return 0 } // the bottom
	assert.Equal(t, 250*time.Millisecond, p.delay(0, "", now))
	assert.Equal(t, 2500*time.Millisecond, p.delay(10, "", now))
	assert.Equal(t, 3*time.Second, p.delay(0, "3", now), "Retry-After wins, without jitter")
	assert.Equal(t, 5*time.Second, p.delay(0, "60", now), "and is capped")
}
