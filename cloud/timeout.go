package cloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// AttemptTimeoutError reports an attempt that made no progress, and got no response
// headers, within the duration set by WithTimeout. It matches context.DeadlineExceeded
// with errors.Is. Unlike the caller's own deadline it ends one attempt: an idempotent
// request is retried.
type AttemptTimeoutError struct {
	// Method and Path identify the request (the path without query string).
	Method, Path string
	// Timeout is the duration set by WithTimeout.
	Timeout time.Duration
}

// Error names the request and the timeout.
func (e *AttemptTimeoutError) Error() string {
	return fmt.Sprintf("wabiz: cloud: %s %s: no response within %s", e.Method, e.Path, e.Timeout)
}

// Unwrap returns context.DeadlineExceeded.
func (e *AttemptTimeoutError) Unwrap() error { return context.DeadlineExceeded }

// progressThreshold is the size from which a request body restarts the timer as it is read
// (bodies of unknown size always do). A smaller body is written at once; wrapping it would
// hide from net/http that it is in memory.
const progressThreshold = 1 << 20

// sendAttempt performs one attempt under the per-attempt timeout: a timer, restarted by
// every read of a large request body, cancels the attempt's context when it fires before
// the response headers arrive; after that the body is bounded by the caller's context only.
func (c *Client) sendAttempt(r *http.Request) (*http.Response, error) {
	if c.timeout <= 0 {
		return c.hc.Do(r)
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	terr := &AttemptTimeoutError{Method: r.Method, Path: r.URL.Path, Timeout: c.timeout}
	timer := time.AfterFunc(c.timeout, func() { cancel(terr) })
	r = r.WithContext(ctx)
	var pb *progressBody
	if r.Body != nil && r.Body != http.NoBody && (r.ContentLength <= 0 || r.ContentLength > progressThreshold) {
		pb = &progressBody{ReadCloser: r.Body, timer: timer, d: c.timeout}
		r.Body = pb
	}
	resp, err := c.hc.Do(r)
	var stopped bool
	if pb != nil {
		stopped = pb.stop()
	} else {
		stopped = timer.Stop()
	}
	stopped = stopped && context.Cause(ctx) == nil
	if err != nil {
		cancel(nil)
		if errors.Is(context.Cause(ctx), terr) {
			return nil, terr // rather than the transport's "context canceled"
		}
		return nil, err
	}
	if !stopped {
		// The timer fired as the headers arrived; the body would fail on first read.
		drain(resp)
		cancel(nil)
		return nil, terr
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelBody releases the attempt's context when the response body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelCauseFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}

// progressBody restarts the attempt's timer on every read of the request body, until the
// response headers arrived: the transport may go on reading the body after that (a server
// that answered early), and the timer must not come back to life then.
type progressBody struct {
	io.ReadCloser
	timer *time.Timer
	d     time.Duration

	mu   sync.Mutex
	done bool
}

func (b *progressBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.mu.Lock()
		if !b.done {
			b.timer.Reset(b.d)
		}
		b.mu.Unlock()
	}
	return n, err
}

// stop stops the timer for good and reports whether it had not fired.
func (b *progressBody) stop() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	return b.timer.Stop()
}
