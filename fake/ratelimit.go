package fake

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
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

// bucket is a token bucket refilled on the fake's clock.
type bucket struct {
	tokens float64
	last   time.Time
}

// rateLimiter holds the buckets of every class and client address.
type rateLimiter struct {
	clock   Clock
	mu      sync.Mutex
	limits  *RateLimits
	buckets map[string]*bucket
}

func newRateLimiter(c Clock, l *RateLimits) *rateLimiter {
	return &rateLimiter{clock: c, limits: l, buckets: map[string]*bucket{}}
}

func (rl *rateLimiter) reset() {
	rl.mu.Lock()
	rl.buckets = map[string]*bucket{}
	rl.mu.Unlock()
}

// take draws one token from the bucket key of limit l; when empty it returns how long until
// one is available.
func (rl *rateLimiter) take(key string, l Limit, consume bool) (bool, time.Duration) {
	if l.Burst <= 0 {
		return true, 0
	}
	now := rl.clock.Now()
	rl.mu.Lock()
	defer rl.mu.Unlock()
	b := rl.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(l.Burst), last: now}
		rl.buckets[key] = b
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = math.Min(float64(l.Burst), b.tokens+el.Seconds()*l.Rate)
		b.last = now
	}
	if b.tokens >= 1 {
		if consume {
			b.tokens--
		}
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.Rate * float64(time.Second))
	return false, wait
}

// tooMany builds the 429 answer with a Retry-After header in whole seconds.
func tooMany(wait time.Duration, details string) *apiError {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return errStatus(http.StatusTooManyRequests, codeTooManyRequests, "%s", details).WithHeader("Retry-After", strconv.Itoa(secs))
}

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
