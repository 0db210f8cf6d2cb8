// Package retry holds the parts of a retry policy that do not depend on an API dialect:
// capped exponential backoff with jitter, Retry-After parsing, a context-aware sleep, and
// the classification of transport errors by whether the server can have acted on the
// request.
//
// Packages api and cloud both build their retry policies on it; what each retries (statuses,
// error codes) stays in its own package.
package retry

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

// Defaults shared by the clients.
const (
	DefaultMaxRetries = 2
	DefaultBaseDelay  = 500 * time.Millisecond
	DefaultMaxDelay   = 30 * time.Second
)

// Policy says how many times to retry and how long to wait in between. The zero Policy
// never retries; start from Default.
type Policy struct {
	// MaxRetries is how many retries follow the first attempt.
	MaxRetries int
	// BaseDelay is the first backoff delay; each retry doubles it, up to MaxDelay.
	BaseDelay time.Duration
	// MaxDelay caps every delay, a Retry-After header included.
	MaxDelay time.Duration
	// Sleep waits for d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a value in [0, n); tests replace it for determinism.
	Jitter func(n int64) int64
}

// Default returns the policy both clients start from: 2 retries, 500 ms doubling, at most
// 30 s.
func Default() Policy {
	return Policy{
		MaxRetries: DefaultMaxRetries,
		BaseDelay:  DefaultBaseDelay,
		MaxDelay:   DefaultMaxDelay,
		Sleep:      SleepContext,
		Jitter:     rand.Int64N,
	}
}

// SleepContext waits for d or until ctx ends, whichever comes first, and returns ctx's error
// in the second case.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Delay returns how long to wait before retry number retry (0 for the first retry), given
// the response's Retry-After header (may be empty) and the current time: the header when it
// parses, capped at MaxDelay, otherwise a random delay in [d/2, d] with
// d = BaseDelay * 2^retry, capped at MaxDelay.
func (p Policy) Delay(retry int, retryAfter string, now time.Time) time.Duration {
	if d, ok := ParseRetryAfter(retryAfter, now); ok {
		return min(d, p.MaxDelay)
	}
	d := p.BaseDelay
	for i := 0; i < retry && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if half := int64(d / 2); half > 0 {
		jitter := p.Jitter
		if jitter == nil {
			jitter = rand.Int64N
		}
		return time.Duration(half + jitter(half+1))
	}
	return d
}

// ParseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date (RFC 9110
// §10.2.3). A date in the past means "now".
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
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

// Idempotent reports the HTTP methods whose replay cannot do more than the first attempt.
func Idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// NotSent reports transport errors that happen before any byte of the request reaches the
// server (dial and DNS failures): retrying them is safe for any request.
func NotSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// Permanent reports transport errors that asking again cannot fix: the caller's context
// ending, and a certificate the client does not trust.
func Permanent(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}
