package retry

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestDelay checks Retry-After (seconds, date, capped, invalid) and the backoff with jitter.
func TestDelay(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	p := Default()
	p.Jitter = func(n int64) int64 { return n - 1 } // the top of [d/2, d]
	for _, tc := range []struct {
		name       string
		retry      int
		retryAfter string
		want       time.Duration
	}{
		{"seconds", 0, "3", 3 * time.Second},
		{"date", 0, now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second},
		{"past_date_is_now", 0, now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"capped", 0, "3600", DefaultMaxDelay},
		{"negative_falls_back_to_backoff", 0, "-1", DefaultBaseDelay},
		{"garbage_falls_back_to_backoff", 1, "soon", 2 * DefaultBaseDelay},
		{"backoff_doubles", 2, "", 4 * DefaultBaseDelay},
		{"backoff_capped", 20, "", DefaultMaxDelay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, p.Delay(tc.retry, tc.retryAfter, now))
		})
	}
	low := p // a copy: the parallel subtests above run after this line
	low.Jitter = func(int64) int64 { return 0 }
	assert.Equal(t, DefaultBaseDelay/2, low.Delay(0, "", now), "the bottom of [d/2, d]")
}

// TestErrorClasses checks the transport error classification.
func TestErrorClasses(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Err: errors.New("connection reset")}
	assert.True(t, NotSent(dial))
	assert.True(t, NotSent(&net.DNSError{Err: "no such host"}))
	assert.False(t, NotSent(read))
	assert.True(t, Permanent(context.Canceled))
	assert.True(t, Permanent(context.DeadlineExceeded))
	assert.False(t, Permanent(read))
	for _, m := range []string{"GET", "HEAD", "OPTIONS", "PUT", "DELETE"} {
		assert.True(t, Idempotent(m), m)
	}
	assert.False(t, Idempotent("POST"))
	assert.False(t, Idempotent("PATCH"))
}

// TestSleepContextStopsWithTheContext checks that a cancelled context ends the wait.
func TestSleepContextStopsWithTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	assert.ErrorIs(t, SleepContext(ctx, time.Hour), context.Canceled)
	assert.Less(t, time.Since(start), time.Second)
	assert.NoError(t, SleepContext(t.Context(), time.Millisecond))
}
