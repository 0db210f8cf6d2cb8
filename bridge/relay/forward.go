package relay

import (
	"bytes"
	"container/heap"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wabiz/wabiz/bridge/store"
)

// Intervals of the forwarder's housekeeping.
const (
	// resyncEvery: how often the cached outbox count of Admit is corrected from the store
	// (it drifts when another process shares the file, or an Ack fails).
	resyncEvery = 10 * time.Second
	// purgeEvery: how often expired dedupe keys are deleted.
	purgeEvery = time.Hour
	// storeTimeout bounds the store calls made while draining, when Run's context is over.
	storeTimeout = 5 * time.Second
	// maxRetryTimes bounds the in-memory list of retry times that set the wake-up timer;
	// retries beyond it are found by the recheck.
	maxRetryTimes = 4096
	// maxIdlePerHost keeps a connection per concurrent delivery alive (net/http keeps 2).
	maxIdlePerHost = 32
	// ackDelay bounds how long a delivered callback waits for its Ack: acks and claims are
	// batched (one transaction for several callbacks), which is most of the forwarder's
	// cost in the store. A crash within it delivers those callbacks again, as any crash
	// between a delivery and its Ack does.
	ackDelay = 5 * time.Millisecond
)

// Run forwards the outbox to webhooks.url until ctx ends, then drains: the deliveries in
// flight get the drain timeout to answer; a 2xx is acked, anything else is released to
// the outbox for the next run, never acked. Run returns nil after a drain, ErrClosed on a
// closed Relay, and an error if it is already running.
//
// Each round reads the settings: with no URL, callbacks wait in the outbox; otherwise Run
// claims at most MaxConcurrent minus the deliveries in flight, POSTs each to the URL, acks
// a 2xx and fails anything else with the On-Premises linear backoff (attempt ×
// BackoffDelay, at most MaxBackoffDelay). Enqueue wakes it; otherwise it sleeps until the
// next retry is due or the recheck interval passes, whichever is first.
func (r *Relay) Run(ctx context.Context) error {
	r.mu.Lock()
	if r.closed.Load() {
		r.mu.Unlock()
		return ErrClosed
	}
	if r.running {
		r.mu.Unlock()
		return errors.New("relay: Run is already running")
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	r.running, r.stop, r.done = true, cancel, done
	r.mu.Unlock()
	defer func() {
		cancel()
		r.mu.Lock()
		r.running, r.stop, r.done = false, nil, nil
		r.mu.Unlock()
		close(done)
	}()
	f := &forwarder{r: r, results: make(chan result, 64)}
	return f.run(ctx)
}

// lease is how long a claimed callback stays invisible to other claims: longer than any
// delivery (the timeout) plus the drain, twice over, so that it never runs out under a
// delivery in flight.
func (r *Relay) lease() time.Duration { return 2*r.o.deliveryTimeout + r.o.drainTimeout }

type result struct {
	d        store.Delivery
	ok       bool
	released bool // cut short by the drain deadline
	reason   string
}

type forwarder struct {
	r       *Relay
	results chan result
	// deliveries is the parent context of the POSTs: cancelled at the drain deadline.
	deliveries context.Context
	cancelDel  context.CancelFunc
	inflight   int
	retries    retryTimes
	// acks are the delivered callbacks not acked yet: acked in one transaction before the
	// next claim, within ackDelay, and at the drain.
	acks []int64

	pool   *x509.CertPool
	client *http.Client

	settingsErr string // the last settings error logged, to log each error once
}

func (f *forwarder) run(ctx context.Context) error {
	r := f.r
	f.deliveries, f.cancelDel = context.WithCancel(context.WithoutCancel(ctx))
	defer f.cancelDel()
	f.resync(ctx)
	lastResync, lastPurge := time.Now(), time.Time{}
	timer := time.NewTimer(0)
	defer timer.Stop()
	eager := false
	for {
		if time.Since(lastPurge) >= purgeEvery {
			lastPurge = time.Now()
			if n, err := r.st.PurgeDedupe(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("relay: purging expired dedupe keys failed", "error", err)
			} else if n > 0 {
				r.log.Debug("relay: expired dedupe keys purged", "count", n)
			}
		}
		if time.Since(lastResync) >= resyncEvery {
			lastResync = time.Now()
			f.resync(ctx)
		}
		if ctx.Err() != nil {
			return f.drain()
		}
		held := f.round(ctx, eager)
		eager = false

		f.retries.popDue(r.o.now())
		wait := r.o.recheck
		if next, ok := f.retries.next(); ok {
			if d := next.Sub(r.o.now()); d < wait {
				wait = max(d, time.Millisecond)
			}
		}
		if len(f.acks) > 0 || held {
			wait = min(wait, ackDelay)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
		case <-r.wake:
		case res := <-f.results:
			f.handle(ctx, res)
		case <-timer.C:
			f.flushAcks(ctx)
			eager = true
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// resync sets the cached outbox count from the store.
func (f *forwarder) resync(ctx context.Context) {
	n, err := f.r.st.Pending(ctx)
	if err != nil {
		if ctx.Err() == nil {
			f.r.log.Warn("relay: counting the outbox failed", "error", err)
		}
		return
	}
	f.r.pending.Store(int64(n))
}

// round claims and starts what the settings and the free slots allow. Unless eager, it
// waits for half the slots to be free; it reports whether it held back a claim for that
// reason, so that the caller comes back eager within ackDelay.
func (f *forwarder) round(ctx context.Context, eager bool) (held bool) {
	r := f.r
	s, err := r.cfg.Settings(ctx)
	if err != nil {
		if msg := err.Error(); msg != f.settingsErr && ctx.Err() == nil {
			f.settingsErr = msg
			r.log.Error("relay: reading the settings failed; holding the outbox", "error", err)
		}
		return
	}
	f.settingsErr = ""
	if s.URL == "" {
		return
	}
	limit := maxConcurrent(s)
	free := limit - f.inflight
	// Claim when half the slots are free (or none is busy) rather than at every free slot:
	// one claim and one ack per several callbacks instead of one each.
	if free <= 0 {
		return false
	}
	if !eager && f.inflight > 0 && free < (limit+1)/2 {
		return true
	}
	f.flushAcks(ctx)
	ds, err := r.st.Claim(ctx, free, r.lease())
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("relay: claiming from the outbox failed", "error", err)
		}
		return
	}
	if len(ds) == 0 {
		return
	}
	client := f.httpClient(s.RootCAs)
	for _, d := range ds {
		f.inflight++
		go f.deliver(client, s.URL, d)
	}
	return false
}

func maxConcurrent(s Settings) int {
	if s.MaxConcurrent <= 0 {
		return defaultMaxConcurrent
	}
	return s.MaxConcurrent
}

// Backoff returns the On-Premises delay after the attempt-th failed attempt of a callback:
// attempt × BackoffDelay, at most MaxBackoffDelay (defaults 3 s and 15 min when zero).
func (s Settings) Backoff(attempt int) time.Duration {
	step, ceiling := s.BackoffDelay, s.MaxBackoffDelay
	if step <= 0 {
		step = defaultBackoffDelay
	}
	if ceiling <= 0 {
		ceiling = defaultMaxBackoffDelay
	}
	attempt = max(attempt, 1)
	if time.Duration(attempt) > ceiling/step { // attempt × step would pass the cap (or overflow)
		return ceiling
	}
	return min(time.Duration(attempt)*step, ceiling)
}

// httpClient returns the client for pool, building a new one when the webhook CA changed.
func (f *forwarder) httpClient(pool *x509.CertPool) *http.Client {
	if f.client != nil && f.pool == pool {
		return f.client
	}
	base := f.r.o.transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	t := base.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	t.TLSClientConfig.RootCAs = pool
	if t.MaxIdleConnsPerHost < maxIdlePerHost {
		t.MaxIdleConnsPerHost = maxIdlePerHost
	}
	if f.client != nil {
		f.client.CloseIdleConnections()
	}
	f.pool = pool
	f.client = &http.Client{
		Transport: t,
		// A redirect is not an answer: the Webapp wants a 200 from webhooks.url itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return f.client
}

// deliver makes one POST and reports it on f.results.
func (f *forwarder) deliver(client *http.Client, target string, d store.Delivery) {
	r := f.r
	ctx, cancel := context.WithTimeout(f.deliveries, r.o.deliveryTimeout)
	defer cancel()
	res := result{d: d}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(d.Payload))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", r.o.userAgent)
		var resp *http.Response
		if resp, err = client.Do(req); err == nil {
			// Read (a little of) the answer so that the connection is reused.
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
			res.ok = resp.StatusCode >= 200 && resp.StatusCode < 300
			if !res.ok {
				res.reason = "webhooks.url answered " + strconv.Itoa(resp.StatusCode)
			}
		}
	}
	if err != nil {
		res.released = f.deliveries.Err() != nil
		res.reason = errorReason(err)
	}
	f.results <- res
}

// errorReason describes a failed request without its URL, which may carry credentials.
func errorReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// handle settles one delivery, and every other result that is already waiting; the
// successes wait in f.acks for flushAcks.
func (f *forwarder) handle(ctx context.Context, first result) {
	r := f.r
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	settle := func(res result) {
		f.inflight--
		switch {
		case res.ok:
			f.acks = append(f.acks, res.d.ID)
		case res.released:
			r.stats.released.Add(1)
			f.fail(sctx, res, r.o.now())
		default:
			r.stats.failed.Add(1)
			s, err := r.cfg.Settings(sctx)
			if err != nil {
				s = Settings{} // the defaults: a failure must still back off
			}
			next := r.o.now().Add(s.Backoff(res.d.Attempt))
			f.fail(sctx, res, next)
			f.retries.add(next)
			r.log.Debug("relay: webhook delivery failed", "id", res.d.ID, "attempt", res.d.Attempt,
				"reason", res.reason, "retry_at", next)
		}
	}
	settle(first)
	for more := true; more; {
		select {
		case res := <-f.results:
			settle(res)
		default:
			more = false
		}
	}
}

// flushAcks acks the delivered callbacks in one transaction.
func (f *forwarder) flushAcks(ctx context.Context) {
	if len(f.acks) == 0 {
		return
	}
	r := f.r
	acks := f.acks
	f.acks = f.acks[:0]
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := r.st.Ack(sctx, acks...); err != nil {
		// Not acked means delivered again once the lease ends: at least once, never lost.
		r.log.Error("relay: acking delivered webhooks failed; they will be delivered again", "count", len(acks), "error", err)
		return
	}
	r.pending.Add(-int64(len(acks)))
	r.stats.delivered.Add(uint64(len(acks)))
}

func (f *forwarder) fail(ctx context.Context, res result, next time.Time) {
	reason := res.reason
	if res.released {
		reason = "released at shutdown: " + reason
	}
	err := f.r.st.Fail(ctx, res.d, next, reason)
	switch {
	case errors.Is(err, store.ErrLeaseLost):
		// Another forwarder holds it now (our lease ran out): its outcome counts.
	case err != nil:
		f.r.log.Error("relay: rescheduling a webhook failed; it is due again when its lease ends",
			"id", res.d.ID, "error", err)
	}
}

// drain waits for the deliveries in flight, at most the drain timeout, then cancels the
// rest and settles everything.
func (f *forwarder) drain() error {
	deadline := time.NewTimer(f.r.o.drainTimeout)
	defer deadline.Stop()
	ctx := context.Background()
	for f.inflight > 0 {
		select {
		case res := <-f.results:
			f.handle(ctx, res)
		case <-deadline.C:
			f.cancelDel()
		}
	}
	f.flushAcks(ctx)
	f.r.log.LogAttrs(ctx, slog.LevelDebug, "relay: forwarder stopped")
	return nil
}

// retryTimes is a min-heap of the times failed callbacks are due again.
type retryTimes []int64

func (h retryTimes) Len() int           { return len(h) }
func (h retryTimes) Less(i, j int) bool { return h[i] < h[j] }
func (h retryTimes) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *retryTimes) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *retryTimes) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (h *retryTimes) add(t time.Time) {
	if h.Len() < maxRetryTimes {
		heap.Push(h, t.UnixNano())
	}
}

func (h *retryTimes) next() (time.Time, bool) {
	if h.Len() == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, (*h)[0]), true
}

// popDue forgets the times that have come.
func (h *retryTimes) popDue(now time.Time) {
	for h.Len() > 0 && (*h)[0] <= now.UnixNano() {
		heap.Pop(h)
	}
}
