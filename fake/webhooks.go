package fake

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// Kinds of webhook callbacks, as recorded in the delivery log and in the `type` label of the
// callback statistics.
const (
	kindStatus   = "status_change"
	kindInbound  = "inbound_message"
	kindContacts = "contacts_check"
	kindServices = "services"
	kindErrors   = "errors"
)

// Delivery is one attempt to deliver a webhook callback, as the delivery log records it.
type Delivery struct {
	// Seq numbers attempts in the order they finished, from 1.
	Seq uint64
	// CallbackID identifies the callback; its retries share it.
	CallbackID uint64
	// Kind is status_change, inbound_message, contacts_check, services or errors.
	Kind string
	// Attempt counts the attempts of this callback, from 1.
	Attempt int
	// Time is when the attempt started, on the fake's clock.
	Time time.Time
	// URL is where the attempt went, with its password and secret query values replaced by
	// xxxxx.
	URL string
	// StatusCode is the endpoint's HTTP status, 0 after a transport error.
	StatusCode int
	// Error describes a transport error or a non-200 answer.
	Error string
	// Duration is the wall-clock time the request took.
	Duration time.Duration
	// Delivered is true when the endpoint answered 200.
	Delivered bool
	// RetryIn is the back-off before the next attempt of a failed delivery.
	RetryIn time.Duration
	// Payload is the JSON body that was sent (a WebhookNotification).
	Payload json.RawMessage
}

// MarshalJSON renders durations in milliseconds and the time in RFC 3339.
func (d Delivery) MarshalJSON() ([]byte, error) {
	return marshalJSON(struct {
		Seq        uint64          `json:"seq"`
		CallbackID uint64          `json:"callback_id"`
		Kind       string          `json:"kind"`
		Attempt    int             `json:"attempt"`
		Time       time.Time       `json:"time"`
		URL        string          `json:"url"`
		StatusCode int             `json:"status_code,omitempty"`
		Error      string          `json:"error,omitempty"`
		DurationMS float64         `json:"duration_ms"`
		Delivered  bool            `json:"delivered"`
		RetryInMS  int64           `json:"retry_in_ms,omitempty"`
		Payload    json.RawMessage `json:"payload"`
	}{d.Seq, d.CallbackID, d.Kind, d.Attempt, d.Time, d.URL, d.StatusCode, d.Error,
		float64(d.Duration.Microseconds()) / 1000, d.Delivered, d.RetryIn.Milliseconds(), d.Payload})
}

// WebhookStats describes the webhook queue.
type WebhookStats struct {
	// URL is webhooks.url with its password and secret query values replaced by xxxxx.
	URL string `json:"url"`
	// Queued callbacks wait for a free request slot, for a webhook URL, or (statuses) up to
	// 1 ms for other statuses to travel with. Queued, InFlight, WaitingRetry and Pending count
	// statuses, not requests: a callback carrying n statuses counts n.
	Queued int `json:"queued"`
	// InFlight callbacks are being delivered, by at most MaxConcurrent requests (one request
	// may carry several statuses).
	InFlight int `json:"in_flight"`
	// WaitingRetry callbacks failed and wait for their back-off on the fake's clock.
	WaitingRetry int `json:"waiting_retry"`
	// Pending is Queued + InFlight + WaitingRetry; sends fail with 1016 when it reaches
	// Capacity.
	Pending       int    `json:"pending"`
	Capacity      int    `json:"capacity"`
	MaxConcurrent int    `json:"max_concurrent"`
	Delivered     uint64 `json:"delivered"`
	FailedTries   uint64 `json:"failed_attempts"`
}

// callback is one webhook notification on its way.
type callback struct {
	id       uint64
	kind     string
	body     []byte
	attempts int
	failures int
	gen      uint64
	// statuses is set on a callback holding only `statuses` written by the fake itself: such
	// callbacks queued together go out as one request.
	statuses bool
	// weight is how many callbacks this one stands for (several merged statuses), 1 otherwise.
	weight int
}

// maxStatusBatch is the most statuses one callback carries. A callback may carry several
// statuses (the webhook's `statuses` is an array, and receivers must handle several): the
// statuses that fall due together are written as one callback (fake/webhooks_status.go), and
// status callbacks queued together, behind busy request slots or during statusLinger, are
// merged when they go out, so that a busy fake sends fewer, larger requests.
const maxStatusBatch = 64

// statusLinger is the longest a status callback waits, with a request slot free, for others to
// go out with it. A status that finds no status request started within the last statusLinger
// goes out at once (a receiver that gets a status now and then sees no delay); the ones that
// follow within statusLinger wait for the end of that interval, or until maxStatusBatch
// statuses or another kind of callback queue up behind them, and go out together. Under load a
// receiver gets at most one status request per statusLinger plus one per full batch, instead
// of one per status; each status waits at most statusLinger longer than it would otherwise.
// It runs on the wall clock, like the requests themselves: it paces the transport, and a
// ManualClock that nobody advances must not hold deliveries back.
const statusLinger = time.Millisecond

// statusesPrefix and statusesSuffix frame the body of a status callback the fake wrote.
var (
	statusesPrefix = []byte(`{"statuses":[`)
	statusesSuffix = []byte(`]}`)
)

// dispatcher delivers callbacks like the real client: at most max_concurrent_requests in
// flight, every non-200 answer or transport error retried with linear back-off on the fake's
// clock, nothing dropped while the server runs.
type dispatcher struct {
	s    *Server
	mu   sync.Mutex
	cond *sync.Cond

	queue  []*callback
	head   int
	reqs   int // requests in flight
	queued int // callbacks queued (weights: a callback of n statuses counts n)
	busy   int // callbacks in flight (weights)
	wait   int // callbacks waiting for a retry (weights)
	timers map[uint64]Timer

	url        string
	maxConc    int
	backoff    time.Duration
	maxBackoff time.Duration
	client     *http.Client
	custom     bool

	// linger is statusLinger (tests set it); lastStatus is when the last status request
	// started, lingerTimer the pending wake-up of held statuses (nil when none is armed).
	linger      time.Duration
	lastStatus  time.Time
	lingerTimer *time.Timer

	nextID    uint64
	gen       uint64
	closed    bool
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	log       []Delivery
	logStart  int
	seq       uint64
	delivered uint64
	failed    uint64
}

func newDispatcher(s *Server) *dispatcher {
	d := &dispatcher{s: s, timers: map[uint64]Timer{}, maxConc: 6, backoff: 3 * time.Second, maxBackoff: 15 * time.Minute,
		linger: statusLinger}
	d.cond = sync.NewCond(&d.mu)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	if s.cfg.webhookClient != nil {
		d.client, d.custom = s.cfg.webhookClient, true
	} else {
		d.client = newWebhookClient(nil)
	}
	return d
}

// newWebhookClient builds the default client: system roots plus the uploaded webhook CA, no
// redirects followed (a 3xx is a failed delivery, like any other non-200).
func newWebhookClient(caPEM []byte) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	if len(caPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM(caPEM)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// setCA makes the default client trust caPEM (nil: system roots only).
func (d *dispatcher) setCA(caPEM []byte) {
	if d.custom {
		return
	}
	c := newWebhookClient(caPEM)
	d.mu.Lock()
	old := d.client
	d.client = c
	d.mu.Unlock()
	old.CloseIdleConnections()
}

// configure applies the webhook-related application settings.
func (d *dispatcher) configure(set gen.ApplicationSettings) {
	d.mu.Lock()
	d.url = ""
	if set.Webhooks != nil && set.Webhooks.URL != nil {
		d.url = *set.Webhooks.URL
	}
	d.maxConc = 6
	if set.Webhooks != nil && set.Webhooks.MaxConcurrentRequests != nil {
		d.maxConc = int(*set.Webhooks.MaxConcurrentRequests)
	}
	d.backoff = msSetting(set.CallbackBackoffDelayMs, 3000)
	d.maxBackoff = msSetting(set.MaxCallbackBackoffDelayMs, 900000)
	d.mu.Unlock()
	d.pump()
}

func msSetting(n *json.Number, def int64) time.Duration {
	if n != nil {
		if v, err := n.Int64(); err == nil && v >= 0 {
			return time.Duration(v) * time.Millisecond
		}
	}
	return time.Duration(def) * time.Millisecond
}

// pending is how many callbacks are queued, in flight or waiting for a retry.
func (d *dispatcher) pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.queued + d.busy + d.wait
}

// enqueue adds a callback; it is never refused (admission control happens at send time).
// statuses marks a body the fake wrote with nothing but `statuses`, which may be merged.
func (d *dispatcher) enqueue(kind string, body []byte, statuses bool) uint64 {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return 0
	}
	d.nextID++
	cb := &callback{id: d.nextID, kind: kind, body: body, gen: d.gen, statuses: statuses, weight: 1}
	d.queue = append(d.queue, cb)
	d.queued++
	d.mu.Unlock()
	d.pump()
	return cb.id
}

// pump starts deliveries while there is a URL, a free slot and a queued callback.
func (d *dispatcher) pump() {
	d.mu.Lock()
	defer d.mu.Unlock()
	var now time.Time
	for !d.closed && d.url != "" && d.reqs < d.maxConc && d.head < len(d.queue) {
		cb := d.queue[d.head]
		if cb.statuses && cb.attempts == 0 {
			if now.IsZero() {
				now = time.Now()
			}
			if wait := d.holdLocked(now); wait > 0 {
				d.armLingerLocked(wait)
				return
			}
			cb = d.mergeStatusesLocked(d.popLocked())
			d.lastStatus = now
		} else {
			cb = d.popLocked()
		}
		d.reqs++
		d.busy += cb.weight
		d.wg.Add(1)
		go d.deliver(cb, d.url, d.client)
	}
}

// setLinger sets how long statuses wait for each other (statusLinger); tests use it.
func (d *dispatcher) setLinger(l time.Duration) {
	d.mu.Lock()
	d.linger = l
	d.mu.Unlock()
}

// mergeable reports whether cb may be merged into a status callback of generation gen.
func (cb *callback) mergeable(gen uint64) bool {
	return cb.statuses && cb.attempts == 0 && cb.gen == gen
}

// holdLocked returns how long the status callback at the head of the queue should wait for
// others (see statusLinger), 0 to send it now; the caller holds d.mu.
func (d *dispatcher) holdLocked(now time.Time) time.Duration {
	wait := d.linger - now.Sub(d.lastStatus)
	if wait <= 0 {
		return 0
	}
	first := d.queue[d.head]
	n := 0
	for _, cb := range d.queue[d.head:] {
		if !cb.mergeable(first.gen) {
			return 0 // the batch cannot grow past another kind of callback or a retry
		}
		if n += cb.weight; n >= maxStatusBatch {
			return 0
		}
	}
	return wait
}

// armLingerLocked makes sure pump runs again after wait; the caller holds d.mu.
func (d *dispatcher) armLingerLocked(wait time.Duration) {
	if d.lingerTimer != nil {
		return
	}
	d.lingerTimer = time.AfterFunc(wait, func() {
		d.mu.Lock()
		d.lingerTimer = nil
		d.mu.Unlock()
		d.pump()
	})
}

// popLocked takes the oldest queued callback; the caller holds d.mu and checked there is one.
func (d *dispatcher) popLocked() *callback {
	cb := d.queue[d.head]
	d.queue[d.head] = nil
	d.head++
	d.queued -= cb.weight
	if d.head == len(d.queue) {
		d.queue, d.head = d.queue[:0], 0
	} else if d.head > 4096 && d.head*2 > len(d.queue) {
		d.queue = append([]*callback(nil), d.queue[d.head:]...)
		d.head = 0
	}
	return cb
}

// mergeStatusesLocked appends to first the status callbacks queued right behind it (never
// retries, never past another kind of callback, so that the order of delivery is kept), up to
// maxStatusBatch statuses, and returns the callback that carries them all; the caller holds
// d.mu.
func (d *dispatcher) mergeStatusesLocked(first *callback) *callback {
	n, weight := 0, first.weight
	for d.head+n < len(d.queue) {
		next := d.queue[d.head+n]
		if !next.mergeable(first.gen) || weight+next.weight > maxStatusBatch {
			break
		}
		weight += next.weight
		n++
	}
	if n == 0 {
		return first
	}
	inner := func(b []byte) []byte { return b[len(statusesPrefix) : len(b)-len(statusesSuffix)] }
	size := len(first.body)
	for _, cb := range d.queue[d.head : d.head+n] {
		size += len(cb.body) - len(statusesPrefix) - len(statusesSuffix) + 1
	}
	body := make([]byte, 0, size)
	body = append(body, statusesPrefix...)
	body = append(body, inner(first.body)...)
	for range n {
		cb := d.popLocked()
		body = append(body, ',')
		body = append(body, inner(cb.body)...)
	}
	body = append(body, statusesSuffix...)
	return &callback{id: first.id, kind: kindStatus, body: body, gen: first.gen, weight: weight}
}

// deliver makes one attempt and schedules the retry of a failure.
func (d *dispatcher) deliver(cb *callback, url string, client *http.Client) {
	defer d.wg.Done()
	started := d.s.clock.Now()
	t0 := time.Now()
	status, errMsg := 0, ""
	ctx, cancel := context.WithTimeout(d.ctx, d.s.cfg.webhookTimeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(cb.body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "WhatsApp Business API Client (wabiz fake)")
		var resp *http.Response
		resp, err = client.Do(req)
		if err == nil {
			status = resp.StatusCode
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
	}
	cancel()
	elapsed := time.Since(t0)
	ok := err == nil && status == http.StatusOK
	switch {
	case err != nil:
		errMsg = redactError(err)
	case !ok:
		errMsg = "the endpoint answered " + strconv.Itoa(status) + ", not 200"
	}

	d.mu.Lock()
	d.reqs--
	d.busy -= cb.weight
	if cb.gen != d.gen || d.closed {
		d.cond.Broadcast()
		d.mu.Unlock()
		return
	}
	cb.attempts++
	shown := redactURL(url)
	entry := Delivery{CallbackID: cb.id, Kind: cb.kind, Attempt: cb.attempts, Time: started, URL: shown,
		StatusCode: status, Error: errMsg, Duration: elapsed, Delivered: ok, Payload: cb.body}
	if ok {
		d.delivered += uint64(cb.weight)
	} else {
		d.failed++
		cb.failures++
		delay := d.backoff * time.Duration(cb.failures)
		if delay > d.maxBackoff {
			delay = d.maxBackoff
		}
		entry.RetryIn = delay
		d.wait += cb.weight
		d.timers[cb.id] = d.s.clock.AfterFunc(delay, func() { d.retry(cb) })
	}
	d.record(entry)
	d.cond.Broadcast()
	d.mu.Unlock()

	result := "success"
	if !ok {
		result = "failure"
		d.s.log.Warn("fake: webhook delivery failed", "url", shown, "kind", cb.kind, "callback_id", cb.id,
			"attempt", entry.Attempt, "status", status, "error", errMsg, "retry_in", entry.RetryIn)
	}
	d.s.metrics.callbackDone(result, cb.kind, elapsed)
	d.pump()
}

// retry puts a failed callback back in the queue when its back-off is over.
func (d *dispatcher) retry(cb *callback) {
	d.mu.Lock()
	delete(d.timers, cb.id)
	if cb.gen != d.gen || d.closed {
		d.mu.Unlock()
		return
	}
	d.wait -= cb.weight
	d.queue = append(d.queue, cb)
	d.queued += cb.weight
	d.mu.Unlock()
	d.pump()
}

// record appends an entry to the bounded delivery log; the caller holds d.mu.
func (d *dispatcher) record(e Delivery) {
	d.seq++
	e.Seq = d.seq
	max := d.s.cfg.deliveryLogSize
	if len(d.log) < max {
		d.log = append(d.log, e)
		return
	}
	d.log[d.logStart] = e
	d.logStart = (d.logStart + 1) % max
}

// deliveries returns the log from the oldest entry kept to the newest.
func (d *dispatcher) deliveries() []Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Delivery, 0, len(d.log))
	out = append(out, d.log[d.logStart:]...)
	return append(out, d.log[:d.logStart]...)
}

func (d *dispatcher) stats() WebhookStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.queued
	return WebhookStats{URL: redactURL(d.url), Queued: q, InFlight: d.busy, WaitingRetry: d.wait, Pending: q + d.busy + d.wait,
		Capacity: d.s.cfg.queueCapacity, MaxConcurrent: d.maxConc, Delivered: d.delivered, FailedTries: d.failed}
}

// waitIdle blocks until no callback is queued or in flight (callbacks waiting for their
// back-off do not count), or ctx ends.
func (d *dispatcher) waitIdle(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		d.mu.Lock()
		d.cond.Broadcast()
		d.mu.Unlock()
	})
	defer stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.queue)-d.head > 0 || d.busy > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.cond.Wait()
	}
	return nil
}

// reset forgets every callback (in-flight ones finish unrecorded) and the log.
func (d *dispatcher) reset() {
	d.mu.Lock()
	d.gen++
	d.queue, d.head, d.queued, d.wait = nil, 0, 0, 0
	for id, t := range d.timers {
		t.Stop()
		delete(d.timers, id)
	}
	d.log, d.logStart, d.seq, d.delivered, d.failed = nil, 0, 0, 0, 0
	d.cond.Broadcast()
	d.mu.Unlock()
	d.setCA(nil)
}

// close cancels in-flight requests and stops retries, then waits for the workers.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	if d.lingerTimer != nil {
		d.lingerTimer.Stop()
		d.lingerTimer = nil
	}
	for id, t := range d.timers {
		t.Stop()
		delete(d.timers, id)
	}
	d.cond.Broadcast()
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	if !d.custom {
		// The fake owns this client: idle keep-alive connections would otherwise hold the
		// receiver's graceful shutdown for its idle timeout.
		d.client.CloseIdleConnections()
	}
}

// enqueueNotification serialises a webhook notification and queues it.
func (s *Server) enqueueNotification(kind string, n gen.WebhookNotification) uint64 {
	body, err := marshalJSON(n)
	if err != nil {
		s.log.Error("fake: cannot encode a webhook notification", "error", err)
		return 0
	}
	return s.hooks.enqueue(kind, body, false)
}

// statusChunk is the body of a status callback the fake wrote, `{"statuses":[...]}`, and how
// many statuses it carries.
type statusChunk struct {
	body []byte
	n    int
}

// enqueueStatusChunks queues status callbacks that may travel with others (see
// maxStatusBatch), without starting deliveries: the caller holds s.mu, so that the callbacks
// become pending as the reservations for them are given back, and calls pump after releasing
// it.
func (d *dispatcher) enqueueStatusChunks(chunks []statusChunk) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	for _, c := range chunks {
		d.nextID++
		d.queue = append(d.queue, &callback{id: d.nextID, kind: kindStatus, body: c.body, gen: d.gen, statuses: true, weight: c.n})
		d.queued += c.n
	}
}
