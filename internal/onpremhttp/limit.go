package onpremhttp

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Buckets are token buckets by key (a client address, an operation class and address), the
// Webapp's rate limits. A bucket starts full, refills at its rate and is dropped once full
// again when the table grows past maxIdle keys, so a stream of new addresses cannot grow it
// without bound. Buckets are safe for concurrent use.
type Buckets struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*bucket
}

// maxIdle is how many keys Buckets keeps before it drops the full ones.
const maxIdle = 4096

type bucket struct {
	tokens float64
	last   time.Time
}

// NewBuckets returns empty Buckets on the clock now (time.Now when nil).
func NewBuckets(now func() time.Time) *Buckets {
	if now == nil {
		now = time.Now
	}
	return &Buckets{now: now, m: map[string]*bucket{}}
}

// Take checks the bucket of key for a limit of burst tokens refilled at rate per second, and
// takes a token when consume is set. It reports whether a token was there and, if not, how
// long until one is. A burst of zero or less is no limit.
func (bs *Buckets) Take(key string, rate float64, burst int, consume bool) (bool, time.Duration) {
	if burst <= 0 {
		return true, 0
	}
	now := bs.now()
	bs.mu.Lock()
	defer bs.mu.Unlock()
	b := bs.m[key]
	if b == nil {
		if len(bs.m) >= maxIdle {
			bs.dropFullLocked(now, rate, burst)
		}
		b = &bucket{tokens: float64(burst), last: now}
		bs.m[key] = b
	}
	refill(b, now, rate, burst)
	if b.tokens >= 1 {
		if consume {
			b.tokens--
		}
		return true, 0
	}
	if rate <= 0 {
		return false, time.Duration(math.MaxInt64)
	}
	return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// Reset empties every bucket.
func (bs *Buckets) Reset() {
	bs.mu.Lock()
	bs.m = map[string]*bucket{}
	bs.mu.Unlock()
}

// Len returns how many keys are tracked.
func (bs *Buckets) Len() int {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return len(bs.m)
}

func refill(b *bucket, now time.Time, rate float64, burst int) {
	if el := now.Sub(b.last); el > 0 {
		b.tokens = math.Min(float64(burst), b.tokens+el.Seconds()*rate)
		b.last = now
	}
}

// dropFullLocked forgets the buckets that have refilled (a full bucket and no bucket answer
// the same); buckets of other limits are judged by this one, which at worst forgets a
// partly used bucket of a faster limit early.
func (bs *Buckets) dropFullLocked(now time.Time, rate float64, burst int) {
	for k, b := range bs.m {
		refill(b, now, rate, burst)
		if b.tokens >= float64(burst) {
			delete(bs.m, k)
		}
	}
}

// TooMany is the 429 answer with a Retry-After header in whole seconds (at least 1).
func TooMany(wait time.Duration, details string) *Error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 || wait < 0 {
		secs = 1
	}
	return Statusf(http.StatusTooManyRequests, CodeTooManyRequests, "%s", details).WithHeader("Retry-After", strconv.Itoa(secs))
}

// ClientIP returns the address of the peer of r without its port.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
