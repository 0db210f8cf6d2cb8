package cloud

import (
	"errors"

	"github.com/wabiz/wabiz/internal/retry"
)

// The retry policy, in one place; the same rule as package api's: a request is retried only
// when the server cannot have acted on it, or when acting twice does no harm.
//
// Retried, for every request, sends included:
//   - throttles (*Error.IsThrottled): 130429 (the number's throughput), 131056 (the pair
//     rate limit), the app, user and WABA rate limits 4, 17 and 80007, and a bare 429. The
//     server rejected the request without acting on it;
//   - 131057 (account in maintenance during a throughput upgrade), likewise a rejection;
//   - connection failures before the request was written (dial and DNS errors).
//
// Retried only for idempotent requests (GET, DELETE, and marking a message read, which
// means the same when repeated): 5xx, Graph's transient codes 1 and 2 and is_transient,
// a connection that broke after the request may have been written, and an attempt that ran
// out of WithTimeout. For a send these are ambiguous (the message may be on its way) and
// the Cloud API has no idempotency key, so sending again could deliver it twice: the error is
// returned and the caller decides, for example by waiting for the status webhook.
//
// Never retried: other errors (the caller's to fix: 131047, 131026, 100, 132xxx...), the
// spam limit 131048 (a quality problem that retrying makes worse), TLS verification
// failures, the caller's context ending (also while waiting), and requests whose body
// cannot be replayed (an upload from a plain io.Reader).
//
// A rejected token (190, or a 401) is not a retry: with WithTokenSource the client fetches a
// new token and sends once more.
//
// Waiting: the Retry-After header when present (capped), otherwise capped exponential
// backoff with jitter, 500 ms doubling to at most 30 s (internal/retry, shared with the
// rules of package api).

// retryableStatus reports whether a request that failed with e may be sent again.
func retryableStatus(e *Error, idempotent bool) bool {
	if e.IsThrottled() || e.HasCode(CodeAccountInMaintenance) {
		return true
	}
	if !idempotent {
		return false
	}
	return e.StatusCode >= 500 || e.HasCode(CodeAPIUnknown) || e.HasCode(CodeServiceUnavailable) || e.Transient
}

// retryableError reports whether a transport error may be retried. The caller has checked
// that its own context is alive.
func retryableError(err error, idempotent bool) bool {
	var timeout *AttemptTimeoutError
	if errors.As(err, &timeout) {
		return idempotent
	}
	if retry.Permanent(err) {
		return false
	}
	return retry.NotSent(err) || idempotent
}
