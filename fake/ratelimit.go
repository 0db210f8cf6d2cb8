package fake

import (
	"strings"
	"time"

	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// rateClass says which bucket an operation draws from.
type rateClass int

const (
	rateDefault rateClass = iota
	rateMessages
	rateHealth
	rateUserWrites
)

// classify assigns an operation to its rate-limit class.
func classify(o *onpremhttp.Operation) rateClass {
	switch {
	case strings.HasPrefix(o.Path, "/v1/messages"):
		return rateMessages
	case o.ID == "checkHealth":
		return rateHealth
	case o.ID == "createUser" || o.ID == "updateUser":
		return rateUserWrites
	}
	return rateDefault
}

// rateLimiter applies the fake's RateLimits, per class and client address.
type rateLimiter struct {
	limits  *RateLimits
	buckets *onpremhttp.Buckets
}

func newRateLimiter(c Clock, l *RateLimits) *rateLimiter {
	return &rateLimiter{limits: l, buckets: onpremhttp.NewBuckets(c.Now)}
}

func (rl *rateLimiter) reset() { rl.buckets.Reset() }

// take draws one token from the bucket key of limit l; when empty it returns how long until
// one is available.
func (rl *rateLimiter) take(key string, l Limit, consume bool) (bool, time.Duration) {
	return rl.buckets.Take(key, l.Rate, l.Burst, consume)
}

// tooMany builds the 429 answer with a Retry-After header in whole seconds.
func tooMany(wait time.Duration, details string) *apiError { return onpremhttp.TooMany(wait, details) }

// allow applies the operation's request limit for the client address ip.
func (rl *rateLimiter) allow(o *onpremhttp.Operation, ip string) *apiError {
	if rl.limits == nil {
		return nil
	}
	var l Limit
	key := ip
	switch classify(o) {
	case rateMessages:
		l, key = rl.limits.Messages, "messages|"+ip
	case rateHealth:
		l, key = rl.limits.Health, "health"
	case rateUserWrites:
		l, key = rl.limits.UserWrites, "users|"+ip
	default:
		l, key = rl.limits.Default, "default|"+ip
	}
	if ok, wait := rl.take(key, l, true); !ok {
		return tooMany(wait, "Too many requests: the rate limit of this endpoint was exceeded")
	}
	return nil
}

// failedLoginsExhausted answers 429 once the address used up its failed logins.
func (rl *rateLimiter) failedLoginsExhausted(ip string) *apiError {
	if rl.limits == nil {
		return nil
	}
	if ok, wait := rl.take("login|"+ip, rl.limits.FailedLogins, false); !ok {
		return tooMany(wait, "Rate limiting exceeded on bad login attempts")
	}
	return nil
}

// failedLogin counts a failed login of the address.
func (rl *rateLimiter) failedLogin(ip string) {
	if rl.limits == nil {
		return
	}
	rl.take("login|"+ip, rl.limits.FailedLogins, true)
}
