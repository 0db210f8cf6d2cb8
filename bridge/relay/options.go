package relay

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Config is what a Relay cannot work without.
type Config struct {
	// AppSecret is the Meta app secret: the key of the X-Hub-Signature-256 HMAC of every
	// Cloud webhook POST.
	AppSecret string
	// VerifyToken is the token Meta sends in the GET verification handshake, as registered
	// with the callback URL.
	VerifyToken string
	// Settings returns the forwarding settings (webhooks.url, concurrency, backoff, status
	// toggles, webhook CA); it is called for each Cloud POST (status toggles) and for each
	// delivery round, so it should be cheap (the bridge caches its settings document).
	Settings SettingsFunc
}

// Defaults of the options. See the package doc for the reasoning behind each.
const (
	// DefaultQueueCapacity is the number of pending callbacks at which Admit starts to
	// refuse sends (the Webapp's 1016 "System overloaded" with a full callback queue).
	DefaultQueueCapacity = 100_000
	// DefaultDedupeTTL is how long the dedupe key of a forwarded item is remembered: Meta
	// redelivers an unacknowledged webhook for up to 7 days, plus a day of margin.
	DefaultDedupeTTL = 8 * 24 * time.Hour
	// DefaultDeliveryTimeout bounds one POST to the integration's webhooks.url.
	DefaultDeliveryTimeout = 20 * time.Second
	// DefaultMaxBodyBytes bounds a Cloud webhook body: Meta documents payloads of up to
	// 3 MB; 4 MiB leaves room, since a legitimate body refused is redelivered for 7 days.
	DefaultMaxBodyBytes int64 = 4 << 20
	// DefaultRecheck is how often the forwarder looks at the outbox and the settings when
	// nothing wakes it: callbacks left due by another process or by a previous run, and a
	// webhooks.url set without Wake.
	DefaultRecheck = time.Second
)

// Defaults of Settings fields left zero, as the On-Premises API documents them.
const (
	defaultMaxConcurrent   = 6
	defaultBackoffDelay    = 3 * time.Second
	defaultMaxBackoffDelay = 15 * time.Minute
)

// Option configures a Relay. Options validate their input: a bad value makes New fail.
type Option func(*options) error

type options struct {
	logger          *slog.Logger
	now             func() time.Time
	transport       *http.Transport
	queueCapacity   int
	dedupeTTL       time.Duration
	deliveryTimeout time.Duration
	drainTimeout    time.Duration
	maxBodyBytes    int64
	recheck         time.Duration
	userAgent       string
}

func defaultOptions() options {
	return options{
		logger:          slog.Default(),
		now:             time.Now,
		queueCapacity:   DefaultQueueCapacity,
		dedupeTTL:       DefaultDedupeTTL,
		deliveryTimeout: DefaultDeliveryTimeout,
		maxBodyBytes:    DefaultMaxBodyBytes,
		recheck:         DefaultRecheck,
		userAgent:       "wabridge",
	}
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("relay: WithLogger: nil logger")
		}
		o.logger = l
		return nil
	}
}

// WithClock replaces time.Now for the backoff schedule, for tests. Give the store the same
// clock (store.WithClock): leases and due times are the store's, backoff times the relay's.
// Timers still run in real time; after moving a fake clock, call Wake.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("relay: WithClock: nil clock")
		}
		o.now = now
		return nil
	}
}

// WithTransport sets the transport the forwarder clones for its HTTP client (default a
// clone of http.DefaultTransport). The relay never changes t: it clones it and sets
// TLSClientConfig.RootCAs from Settings.RootCAs on the clone.
func WithTransport(t *http.Transport) Option {
	return func(o *options) error {
		if t == nil {
			return errors.New("relay: WithTransport: nil transport")
		}
		o.transport = t
		return nil
	}
}

// WithQueueCapacity sets how many pending callbacks make Admit refuse sends (default
// DefaultQueueCapacity). Inbound webhooks are stored beyond it all the same: Meta does not
// stop sending them, and dropping them would lose messages.
func WithQueueCapacity(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("relay: WithQueueCapacity: %d, want >= 1", n)
		}
		o.queueCapacity = n
		return nil
	}
}

// WithDedupeTTL sets how long dedupe keys are remembered (default DefaultDedupeTTL). A TTL
// shorter than Meta's 7-day redelivery window lets a late redelivery through twice.
func WithDedupeTTL(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("relay: WithDedupeTTL: %v, want > 0", d)
		}
		o.dedupeTTL = d
		return nil
	}
}

// WithDeliveryTimeout bounds one POST to webhooks.url (default DefaultDeliveryTimeout).
// The outbox lease is twice the timeout plus the drain timeout, so a lease never runs out
// under a delivery still in flight.
func WithDeliveryTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("relay: WithDeliveryTimeout: %v, want > 0", d)
		}
		o.deliveryTimeout = d
		return nil
	}
}

// WithDrainTimeout bounds how long Run waits, once its context ends, for the deliveries in
// flight (default: the delivery timeout). Deliveries that have not answered by then are
// cancelled and released to the outbox, not acked.
func WithDrainTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("relay: WithDrainTimeout: %v, want >= 0", d)
		}
		o.drainTimeout = d
		return nil
	}
}

// WithMaxBodyBytes sets the largest Cloud webhook body accepted (default
// DefaultMaxBodyBytes); a larger one is answered 413.
func WithMaxBodyBytes(n int64) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("relay: WithMaxBodyBytes: %d, want >= 1", n)
		}
		o.maxBodyBytes = n
		return nil
	}
}

// WithRecheck sets how often an idle forwarder looks at the outbox and the settings
// (default DefaultRecheck). Enqueue and Wake wake it at once; the recheck only catches
// what no one announced.
func WithRecheck(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("relay: WithRecheck: %v, want > 0", d)
		}
		o.recheck = d
		return nil
	}
}

// WithUserAgent sets the User-Agent of the forwarded POSTs (default "wabridge").
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		if ua == "" {
			return errors.New("relay: WithUserAgent: empty user agent")
		}
		o.userAgent = ua
		return nil
	}
}
