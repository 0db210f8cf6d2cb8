package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowReader yields chunks of 4 KiB, pausing before each; pauseAt, if set, is one much
// longer pause before that chunk.
type slowReader struct {
	chunks, pauseAt int
	pause, long     time.Duration
	n               int
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.n == s.chunks {
		return 0, io.EOF
	}
	s.n++
	if s.n == s.pauseAt {
		time.Sleep(s.long)
	} else {
		time.Sleep(s.pause)
	}
	return copy(p, make([]byte, min(len(p), 4<<10))), nil
}

// TestTimeoutCountsUploadProgress checks that WithTimeout bounds the wait for the server, not
// the length of an upload: one that takes several timeouts but keeps moving succeeds, one
// that stalls for longer than the timeout fails with an *AttemptTimeoutError.
func TestTimeoutCountsUploadProgress(t *testing.T) {
	t.Parallel()
	const timeout = 150 * time.Millisecond
	tests := []struct {
		name    string
		body    *slowReader
		wantErr bool
	}{
		{"slow_but_moving", &slowReader{chunks: 12, pause: 40 * time.Millisecond}, false}, // ~3 timeouts in all
		{"stalled", &slowReader{chunks: 4, pause: time.Millisecond, pauseAt: 3, long: 4 * timeout}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t, WithTimeout(timeout))
			var uploads atomic.Int32
			mux.HandleFunc("POST /v1/media", func(w http.ResponseWriter, r *http.Request) {
				uploads.Add(1)
				if _, err := io.Copy(io.Discard, r.Body); err != nil {
					return
				}
				writeJSON(w, http.StatusCreated, `{"media":[{"id":"m-1"}]}`)
			})
			start := time.Now()
			id, err := c.UploadMedia(t.Context(), tc.body, "application/pdf")
			if !tc.wantErr {
				require.NoError(t, err)
				assert.Equal(t, "m-1", id)
				assert.Greater(t, time.Since(start), 2*timeout, "the upload outlasted the timeout")
				return
			}
			var timeoutErr *AttemptTimeoutError
			require.ErrorAs(t, err, &timeoutErr)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, int32(1), uploads.Load(), "an upload that may have arrived is not retried")
		})
	}
}

// TestWatchdogStopsWhenIdle checks that the goroutine that enforces the timeout does not
// outlive the requests it watches.
func TestWatchdogStopsWhenIdle(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithTimeout(80*time.Millisecond))
	mux.HandleFunc("GET /v1/health", health)
	for range 3 {
		_, err := c.CheckHealth(t.Context())
		require.NoError(t, err)
	}
	checking := func() bool {
		c.watch.mu.Lock()
		defer c.watch.mu.Unlock()
		return c.watch.checking
	}
	assert.Eventually(t, func() bool { return !checking() }, 2*time.Second, 10*time.Millisecond)
	assert.Empty(t, c.watch.waiting)

	noTimeout, _ := setup(t, WithTimeout(0))
	assert.Nil(t, noTimeout.watch, "WithTimeout(0) starts nothing")
}

// TestTimeoutBoundsTheWaitForHeadersAfterTheBodyWasRead pins the rule WithTimeout documents
// for the tail of an upload: once the transport has read the whole body (here at once, into
// the socket buffers), the server must answer within the timeout, however long the bytes
// still take to arrive; the POST is not retried.
func TestTimeoutBoundsTheWaitForHeadersAfterTheBodyWasRead(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithTimeout(150*time.Millisecond))
	var calls atomic.Int32
	mux.HandleFunc("POST /v1/media", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select { // a link slower than the timeout: the body arrives after it
		case <-time.After(600 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusCreated, `{"media":[{"id":"m1"}]}`)
	})
	start := time.Now()
	_, err := c.UploadMedia(t.Context(), bytes.NewReader(make([]byte, 256*kib)), "application/pdf")
	var timeout *AttemptTimeoutError
	require.ErrorAs(t, err, &timeout)
	assert.Less(t, time.Since(start), 550*time.Millisecond)
	assert.Equal(t, int32(1), calls.Load(), "an upload is not retried after a timeout")
}
