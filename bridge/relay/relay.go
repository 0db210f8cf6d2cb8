package relay

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wabiz/wabiz/bridge/store"
)

// Settings is how the relay forwards, taken from the bridge's application settings at each
// delivery round (a PATCH of the settings applies without a restart).
type Settings struct {
	// URL is webhooks.url; empty means callbacks wait in the outbox until one is set.
	URL string
	// MaxConcurrent is webhooks.max_concurrent_requests (6, 12, 18 or 24; default 6).
	MaxConcurrent int
	// BackoffDelay is callback_backoff_delay_ms, the linear step between failed attempts
	// (default 3 s); MaxBackoffDelay is max_callback_backoff_delay_ms, its cap (default 15 min).
	BackoffDelay, MaxBackoffDelay time.Duration
	// Sent, Delivered and Read are webhooks.message.{sent,delivered,read} (sent also from
	// the legacy sent_status): which status callbacks are forwarded. Cloud always sends all
	// three; the relay drops the ones switched off.
	Sent, Delivered, Read bool
	// RootCAs verifies the integration's TLS certificate when set (the webhook CA uploaded
	// with POST /v1/certificates/webhooks/ca); nil means the system roots.
	RootCAs *x509.CertPool
}

// SettingsFunc returns the current Settings.
type SettingsFunc func(ctx context.Context) (Settings, error)

// Target is the outbox target of every callback the relay enqueues. The URL is not stored
// with the callback: a callback goes to the webhooks.url of the settings at delivery time,
// as the Webapp's queue did.
const Target = "onprem-webhooks"

// ErrQueueFull is returned by Admit while the outbox holds at least the queue capacity of
// callbacks; the bridge answers such a send with 1016 (System overloaded). Match it with
// errors.Is; the error also is a *QueueFullError.
var ErrQueueFull = errors.New("relay: webhook queue is full")

// QueueFullError is Admit's error: how many callbacks are pending and the capacity.
type QueueFullError struct {
	Pending, Capacity int
}

func (e *QueueFullError) Error() string {
	return fmt.Sprintf("relay: webhook queue is full: %d callbacks pending, capacity %d", e.Pending, e.Capacity)
}

// Is makes errors.Is(err, ErrQueueFull) true.
func (e *QueueFullError) Is(target error) bool { return target == ErrQueueFull }

// ErrClosed is returned by Run on a closed Relay, and the reason of 503 answers after Close.
var ErrClosed = errors.New("relay: closed")

// Relay is the bridge's webhook side: an http.Handler for Meta's Cloud webhooks that writes
// them as On-Premises callbacks to the store's outbox, and a forwarder (Run) that delivers
// the outbox to webhooks.url. It satisfies bridge.Relay. It is safe for concurrent use.
type Relay struct {
	st  store.Store
	cfg Config
	o   options
	log *slog.Logger

	secret []byte

	// pending is the cached size of the outbox for Admit: set from Store.Pending when the
	// forwarder starts and at every resync, moved by Enqueue and Ack in between.
	pending atomic.Int64
	wake    chan struct{}
	closed  atomic.Bool

	mu      sync.Mutex
	running bool
	stop    context.CancelFunc // cancels the running Run
	done    chan struct{}      // closed when the running Run returns

	stats counters
}

// New returns a Relay over st for cfg. The Relay does not own st: close st after the Relay.
func New(st store.Store, cfg Config, opts ...Option) (*Relay, error) {
	switch {
	case st == nil:
		return nil, errors.New("relay: New: nil store")
	case cfg.AppSecret == "":
		return nil, errors.New("relay: New: Config.AppSecret is required (it checks X-Hub-Signature-256)")
	case cfg.VerifyToken == "":
		return nil, errors.New("relay: New: Config.VerifyToken is required (it answers Meta's handshake)")
	case cfg.Settings == nil:
		return nil, errors.New("relay: New: Config.Settings is required")
	}
	o := defaultOptions()
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("relay: New: nil option")
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.drainTimeout == 0 {
		o.drainTimeout = o.deliveryTimeout
	}
	r := &Relay{st: st, cfg: cfg, o: o, log: o.logger, secret: []byte(cfg.AppSecret),
		wake: make(chan struct{}, 1)}
	r.stats.dropped = map[string]uint64{}
	// A first count, so that Admit is right before Run starts; Run counts again.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := st.Pending(ctx)
	if err != nil {
		return nil, fmt.Errorf("relay: New: counting the outbox: %w", err)
	}
	r.pending.Store(int64(n))
	return r, nil
}

// Admit reports whether a send may be accepted: a *QueueFullError (errors.Is ErrQueueFull)
// while the outbox holds the queue capacity or more. It reads a cached count, never the
// store, so it costs nothing on the send path.
func (r *Relay) Admit(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p := r.pending.Load(); p >= int64(r.o.queueCapacity) {
		return &QueueFullError{Pending: int(p), Capacity: r.o.queueCapacity}
	}
	return nil
}

// Wake makes the forwarder look at the settings and the outbox now: call it after a change
// of the webhook settings (a new webhooks.url delivers the held callbacks at once) or after
// moving a test clock.
func (r *Relay) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Close stops the forwarder if it runs (in-flight deliveries get the drain timeout; those
// that do not answer are released to the outbox, not acked) and makes the endpoint answer
// 503 from then on, so that Meta redelivers what arrives during a shutdown. It does not
// close the store. Close is idempotent.
func (r *Relay) Close() error {
	r.closed.Store(true)
	r.mu.Lock()
	stop, done := r.stop, r.done
	r.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	return nil
}

// Stats are the relay's counters since New.
type Stats struct {
	// Received counts signed Cloud POSTs; Refused the POSTs refused before decoding
	// (signature, size, method); Undecodable the signed bodies that are not JSON objects.
	Received, Refused, Undecodable uint64
	// Enqueued counts callbacks written to the outbox; Duplicates those absorbed by their
	// dedupe key (a redelivery from Meta).
	Enqueued, Duplicates uint64
	// Dropped counts the items without an On-Premises form, by Drop reason (for DropField
	// and DropUnknownKey also by key, as "field:account_update").
	Dropped map[string]uint64
	// Delivered counts callbacks acked after a 2xx; Failed the attempts that got no 2xx;
	// Released the deliveries cut short by a shutdown and put back in the outbox.
	Delivered, Failed, Released uint64
}

type counters struct {
	received, refused, undecodable atomic.Uint64
	enqueued, duplicates           atomic.Uint64
	delivered, failed, released    atomic.Uint64

	mu      sync.Mutex
	dropped map[string]uint64
}

// Stats returns a snapshot of the counters.
func (r *Relay) Stats() Stats {
	c := &r.stats
	s := Stats{
		Received: c.received.Load(), Refused: c.refused.Load(), Undecodable: c.undecodable.Load(),
		Enqueued: c.enqueued.Load(), Duplicates: c.duplicates.Load(),
		Delivered: c.delivered.Load(), Failed: c.failed.Load(), Released: c.released.Load(),
	}
	c.mu.Lock()
	s.Dropped = maps.Clone(c.dropped)
	c.mu.Unlock()
	return s
}

func (c *counters) drop(d Drop) {
	key := d.Reason
	if d.Reason == DropField || d.Reason == DropUnknownKey {
		key += ":" + d.Key
	}
	c.mu.Lock()
	// Keys come from change fields and unknown keys, chosen by Meta and signed; bound them
	// anyway, so that a stream of new field names cannot grow the map without end.
	if _, ok := c.dropped[key]; ok || len(c.dropped) < maxDropKeys {
		c.dropped[key]++
	} else {
		c.dropped[d.Reason+":other"]++
	}
	c.mu.Unlock()
}

// maxDropKeys bounds the distinct keys of Stats.Dropped.
const maxDropKeys = 256
