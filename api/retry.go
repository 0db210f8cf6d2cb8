package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
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

const (
	defaultMaxRetries = 2
	defaultBaseDelay  = 500 * time.Millisecond
	defaultMaxDelay   = 30 * time.Second
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

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryableStatus reports the statuses at which the server has not acted on the request.
func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

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
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	// A certificate the client does not trust will not become trusted by asking again.
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return false
	}
	if notSent(err) {
		return true
	}
	return idempotent(method)
}

// notSent reports errors that happen before any byte of the request reaches the server.
func notSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// delay returns how long to wait before retry number attempt (0 for the first retry), given the
// response's Retry-After header (may be empty) and the current time.
func (p retryPolicy) delay(attempt int, retryAfter string, now time.Time) time.Duration {
	if d, ok := parseRetryAfter(retryAfter, now); ok {
		return min(d, p.maxDelay)
	}
	d := p.baseDelay
	for i := 0; i < attempt && d < p.maxDelay; i++ {
		d *= 2
	}
	d = min(d, p.maxDelay)
	if half := int64(d / 2); half > 0 {
		return time.Duration(half + p.jitter(half+1))
	}
	return d
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
// A date in the past means "now".
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
