package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// The per-attempt timeout (WithTimeout) bounds every wait for the server while an attempt is
// in flight: connecting, each stretch between two reads of the request body, and the response
// headers after the body has been read. An upload may therefore take as long as it needs
// while the transport keeps reading it. What the transport reads lands in the kernel's send
// buffer, not on the wire: the last few MiB of a body are "read" long before the server has
// them, and their transfer counts against the wait for the headers (documented on
// WithTimeout; user space cannot see the send buffer drain portably). Reading the response
// body is bounded by the caller's context only, so that a large media download is not cut
// off by a timeout meant for a stalled server.

// AttemptTimeoutError reports an attempt that got no response headers within the duration
// set by WithTimeout. It matches context.DeadlineExceeded with errors.Is. Unlike the
// caller's own deadline, it ends only one attempt: an idempotent request is retried.
type AttemptTimeoutError struct {
	// Method and Path identify the request (the path without query string).
	Method, Path string
	// Timeout is the duration set by WithTimeout.
	Timeout time.Duration
}

// Error names the request and the timeout.
func (e *AttemptTimeoutError) Error() string {
	return fmt.Sprintf("wabiz: %s %s: no response within %s", e.Method, e.Path, e.Timeout)
}

// Unwrap returns context.DeadlineExceeded.
func (e *AttemptTimeoutError) Unwrap() error { return context.DeadlineExceeded }

// watchdog cancels the attempts that have waited longer than the timeout. A single goroutine
// per client, started on demand and gone once no attempt is waiting, checks them every
// timeout/8, so an attempt ends between 1 and 1.125 timeouts after its last progress: precise
// enough for a timeout meant to catch a stalled server, and far cheaper than arming a
// runtime timer for every request (which showed in BenchmarkSendText).
//
// An attempt needs a context of its own that the watchdog can cancel, and creating one costs
// five allocations (the context, its cancel function, its Done channel, the children map
// the transport's own context registers in, the attempt's state): about 2.4 µs of a send
// over loopback. Almost every attempt ends with its context untouched, so the watchdog keeps
// the last such attempt state (idle) and the next attempt under the same parent context
// reuses it: the steady state of a client sending with one context allocates only the small
// response body wrapper per request. At most one state is kept, and it is canceled (which
// unregisters it from its parent) when a different context comes along or on Close.
type watchdog struct {
	timeout time.Duration

	mu       sync.Mutex
	waiting  map[*attemptState]struct{}
	checking bool // the goroutine runs

	idle atomic.Pointer[attemptState] // an unexpired state to reuse, whose context is live
}

// newAttempt prepares the timeout of one attempt at req: the state its progress and response
// body share, and the context to send it with. The state is nil, and the context req's, when
// WithTimeout(0) turned the timeout off.
func (c *Client) newAttempt(req *http.Request) (*attemptState, context.Context) {
	if c.watch == nil {
		return nil, req.Context()
	}
	parent := req.Context()
	if a := c.watch.idle.Swap(nil); a != nil {
		if sameContext(a.parent, parent) && a.ctx.Err() == nil {
			// Nothing else refers to a: its last attempt's body was closed and no error
			// points at a.err (an expired state is never kept).
			a.err.Method, a.err.Path = req.Method, req.URL.Path
			return a, a.ctx
		}
		a.cancel(nil)
	}
	a := &attemptState{w: c.watch, parent: parent, err: AttemptTimeoutError{Method: req.Method, Path: req.URL.Path, Timeout: c.timeout}}
	a.ctx, a.cancel = context.WithCancelCause(parent)
	return a, a.ctx
}

// sameContext reports whether a and b are the same context. Comparing two interfaces panics
// when both hold the same uncomparable type, which a caller's own context type may be, so
// only pointers (every context of package context but Background and TODO) and Background
// itself are compared; any other type never matches, which only costs a new state.
func sameContext(a, b context.Context) bool {
	if a == context.Background() { // no panic: Background's type is comparable
		return b == context.Background()
	}
	t := reflect.TypeOf(a)
	return t != nil && t.Kind() == reflect.Pointer && t == reflect.TypeOf(b) && a == b
}

// closeIdle cancels the kept state, if any (Client.Close).
func (w *watchdog) closeIdle() {
	if a := w.idle.Swap(nil); a != nil {
		a.cancel(nil)
	}
}

// recycle keeps a for the next attempt when its context is still live and no state is kept
// yet, and cancels it otherwise.
func (w *watchdog) recycle(a *attemptState) {
	if a.ctx.Err() != nil || !w.idle.CompareAndSwap(nil, a) {
		a.cancel(nil)
	}
}

// progressThreshold is the size from which a request body counts as progress as it is read
// (bodies of unknown size always do). A smaller body is written at once, and wrapping it
// would hide from net/http that it is in memory, costing an extra write per request.
const progressThreshold = 1 << 20

// sendAttempt performs one attempt, r, under its timeout a (nil: none).
func (c *Client) sendAttempt(r *http.Request, a *attemptState) (*http.Response, error) {
	if a == nil {
		return c.hc.Do(r)
	}
	if r.Body != nil && r.Body != http.NoBody && (r.ContentLength == 0 || r.ContentLength > progressThreshold) {
		r.Body = &progressBody{ReadCloser: r.Body, a: a}
	}
	a.w.watch(a)
	resp, err := c.hc.Do(r)
	expired := a.w.forget(a)
	if err != nil {
		if errors.Is(context.Cause(r.Context()), &a.err) {
			err = &a.err // rather than the transport's "context canceled"
		}
		a.release()
		return nil, err
	}
	if expired {
		// The attempt expired just as the headers arrived; the body would fail on first read.
		drain(resp)
		a.release()
		return nil, &a.err
	}
	body := &attemptBody{ReadCloser: resp.Body}
	body.a.Store(a)
	resp.Body = body
	return resp, nil
}

// watch starts timing a, and the checking goroutine if it is not running.
func (w *watchdog) watch(a *attemptState) {
	a.progress()
	w.mu.Lock()
	if w.waiting == nil {
		w.waiting = make(map[*attemptState]struct{})
	}
	w.waiting[a] = struct{}{}
	if !w.checking {
		w.checking = true
		go w.check()
	}
	w.mu.Unlock()
}

// forget stops timing a and reports whether it had expired.
func (w *watchdog) forget(a *attemptState) (expired bool) {
	w.mu.Lock()
	_, waiting := w.waiting[a]
	delete(w.waiting, a)
	w.mu.Unlock()
	return !waiting
}

// check expires the attempts without progress for the timeout, every timeout/8, until none
// is waiting.
func (w *watchdog) check() {
	tick := time.NewTicker(max(w.timeout/8, time.Millisecond))
	defer tick.Stop()
	for now := range tick.C {
		w.mu.Lock()
		for a := range w.waiting {
			if now.UnixNano()-a.last.Load() >= int64(w.timeout) {
				delete(w.waiting, a)
				a.cancel(&a.err)
			}
		}
		if len(w.waiting) == 0 {
			w.checking = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
	}
}

// attemptState is one attempt's timeout state. It may serve several attempts in turn, one at
// a time (see watchdog).
type attemptState struct {
	w      *watchdog
	parent context.Context // the context ctx derives from
	ctx    context.Context
	cancel context.CancelCauseFunc
	err    AttemptTimeoutError
	last   atomic.Int64 // Unix nanoseconds of the last progress
}

// progress records that the attempt moved forward.
func (a *attemptState) progress() { a.last.Store(time.Now().UnixNano()) }

// release ends the attempt's context after a failure, so that whatever the transport still
// does for the attempt stops; a nil state has nothing to release.
func (a *attemptState) release() {
	if a != nil {
		a.cancel(nil)
	}
}

// attemptBody is the response body of an attempt: closing it hands the attempt's state back
// to the watchdog, once. It is separate from the state so that a caller reading a body after
// closing it never reaches the body of a later attempt that reuses the state.
type attemptBody struct {
	io.ReadCloser
	a atomic.Pointer[attemptState]
}

// Close closes the response body and hands the attempt's state back, once.
func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	if a := b.a.Swap(nil); a != nil {
		a.w.recycle(a)
	}
	return err
}

// progressBody is a request body that records progress on every read.
type progressBody struct {
	io.ReadCloser
	a *attemptState
}

func (b *progressBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.a.progress()
	}
	return n, err
}
