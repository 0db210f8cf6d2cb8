package api

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/wabiz/wabiz/internal/retry"
)

// The retry policy, in one place.
//
// What is retried:
//   - 429 (code 1015, rate limited) and 503 (code 1016, overloaded): the server rejected the
//     request without acting on it, so every request is retried, sends included;
//   - connection errors: a request that never reached the server (dial and DNS failures) is
//     retried whatever its method; a connection that broke after the request may have been
//     written, or an attempt that timed out (WithTimeout), is retried only for idempotent
//     methods (GET, HEAD, PUT, DELETE), because the On-Premises API has no idempotency key
//     and a replayed POST /v1/messages would send the message twice. (net/http itself
//     replays a request on a reused keep-alive connection that failed before anything was
//     written, which is equally safe.)
//
// What is never retried: any other status (4xx are the caller's to fix; a 500 may have acted),
// TLS verification failures, the caller's context ending (also while waiting to retry), and
// requests whose body cannot be replayed (a streamed upload from a plain io.Reader).
//
// A 401 with a session token is not a retry: the client logs in again once and replays the
// request (when its body can be replayed); see session.go. A failed login fails the request
// at once: the login request itself follows this policy.
//
// How long to wait: the Retry-After header when present (seconds or an HTTP date, capped at
// the maximum delay), otherwise capped exponential backoff with jitter: a random delay in
// [d/2, d] with d = base delay * 2^retry, at most the maximum delay (WithRetryBackoff sets
// both; 500ms and 30s by default).
type retryPolicy struct {
	maxRetries int
	baseDelay  time.Duration
	maxDelay   time.Duration
	// sleep waits for d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a value in [0, n); tests replace it for determinism.
	jitter func(n int64) int64
}

// The defaults, delays, Retry-After parsing and transport-error classes are those of
// internal/retry, which the Cloud client shares; what is the On-Premises API's own is which
// statuses and codes are retried (retryableStatus and the callers in client.go).
const (
	defaultMaxRetries = retry.DefaultMaxRetries
	defaultBaseDelay  = retry.DefaultBaseDelay
	defaultMaxDelay   = retry.DefaultMaxDelay
)

func defaultRetryPolicy() retryPolicy {
	return retryPolicy{
		maxRetries: defaultMaxRetries,
		baseDelay:  defaultBaseDelay,
		maxDelay:   defaultMaxDelay,
		sleep:      sleepContext,
		jitter:     rand.Int64N,
	}
}

func sleepContext(ctx context.Context, d time.Duration) error { return retry.SleepContext(ctx, d) }

// retryableStatus reports the statuses at which the server has not acted on the request.
func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable
}

func idempotent(method string) bool { return retry.Idempotent(method) }

// retryableError classifies a transport error. It returns whether to retry the request made
// with method. The caller has already checked that its own context is still alive.
func retryableError(method string, err error) bool {
	if err == nil {
		return false
	}
	// The per-attempt timeout may have fired after the request was written.
	var timeout *AttemptTimeoutError
	if errors.As(err, &timeout) {
		return idempotent(method)
	}
	// The caller's context ending, or a certificate the client does not trust, will not be
	// mended by asking again.
	if retry.Permanent(err) {
		return false
	}
	if notSent(err) {
		return true
	}
	return idempotent(method)
}

// notSent reports errors that happen before any byte of the request reaches the server.
func notSent(err error) bool { return retry.NotSent(err) }

// delay returns how long to wait before retry number attempt (0 for the first retry), given the
// response's Retry-After header (may be empty) and the current time.
func (p retryPolicy) delay(attempt int, retryAfter string, now time.Time) time.Duration {
	return retry.Policy{BaseDelay: p.baseDelay, MaxDelay: p.maxDelay, Jitter: p.jitter}.Delay(attempt, retryAfter, now)
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
// A date in the past means "now".
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	return retry.ParseRetryAfter(v, now)
}
