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

// attempt is the per-attempt timeout of one attempt: a timer, restarted by every read of a
// large request body, cancels the attempt's context when it fires before the response
// headers arrive; after that the body is bounded by the caller's context only. The zero
// timer means no timeout (WithTimeout(0)).
type attempt struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	method string
	path   string
	d      time.Duration
}

// startAttempt starts the timeout of an attempt at req.
func (c *Client) startAttempt(req *http.Request) attempt {
	if c.timeout <= 0 {
		return attempt{ctx: req.Context()}
	}
	a := attempt{method: req.Method, path: req.URL.Path, d: c.timeout}
	a.ctx, a.cancel = context.WithCancelCause(req.Context())
	cancel, method, path, d := a.cancel, a.method, a.path, a.d
	// The error is built only when the timer fires: most attempts never need it.
	a.timer = time.AfterFunc(d, func() { cancel(&AttemptTimeoutError{Method: method, Path: path, Timeout: d}) })
	return a
}

// abandon releases an attempt that was never sent.
func (a attempt) abandon() {
	if a.timer != nil {
		a.timer.Stop()
		a.cancel(nil)
	}
}

// timedOut returns the attempt's timeout error if the timer fired.
func (a attempt) timedOut() *AttemptTimeoutError {
	var terr *AttemptTimeoutError
	if errors.As(context.Cause(a.ctx), &terr) {
		return terr
	}
	return nil
}

// sendAttempt sends r, built on a's context, under a's timeout.
func (c *Client) sendAttempt(r *http.Request, a attempt) (*http.Response, error) {
	if a.timer == nil {
		return c.hc.Do(r)
	}
	var pb *progressBody
	if r.Body != nil && r.Body != http.NoBody && (r.ContentLength <= 0 || r.ContentLength > progressThreshold) {
		pb = &progressBody{ReadCloser: r.Body, timer: a.timer, d: a.d}
		r.Body = pb
	}
	resp, err := c.hc.Do(r)
	if pb != nil {
		pb.stop()
	} else {
		a.timer.Stop()
	}
	if err != nil {
		a.cancel(nil)
		if terr := a.timedOut(); terr != nil {
			return nil, terr // rather than the transport's "context canceled"
		}
		return nil, err
	}
	if terr := a.timedOut(); terr != nil {
		// The timer fired as the headers arrived; the body would fail on first read.
		drain(resp)
		a.cancel(nil)
		return nil, terr
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: a.cancel}
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

// stop stops the timer for good.
func (b *progressBody) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	b.timer.Stop()
}
