package webhook

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// Dedupe remembers, for a limited time and up to a fixed number of keys, which notifications
// were handled, so that a re-delivered callback is acknowledged without running its callbacks
// again. The On-Premises client delivers at least once: a callback whose 200 was lost (a
// timeout, a dropped connection) comes back, with the same message ids.
//
// Keys are Message.DedupeKey (the message id) and Status.DedupeKey (id, status value and
// recipient); see also Unknown.DedupeKey. A key is remembered only after the work for it
// succeeded, so a failed callback runs again when the client retries. While the work for a
// key is running, other callers with the same key wait for its outcome instead of running it
// in parallel: if it succeeds they skip it, if it fails the first of them runs it.
//
// Memory is bounded: at most size keys are remembered (the oldest is forgotten first), each
// for at most ttl. Keys being worked on are not counted; there are at most as many as items
// in flight. A Dedupe is safe for concurrent use; share one among the handlers of a process.
// It lives in memory: deployments with several receiver processes see duplicates across
// processes, and a restart forgets everything.
type Dedupe struct {
	size int
	ttl  time.Duration
	now  func() time.Time

	mu       sync.Mutex
	done     map[string]*list.Element // values are *doneEntry
	order    *list.List               // oldest first
	inflight map[string]chan struct{} // closed when the work for the key ends

	waiting func() // test hook: called when a caller starts waiting for a key
}

type doneEntry struct {
	key string
	at  time.Time
}

// DedupeOption configures a Dedupe.
type DedupeOption func(*Dedupe) error

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) DedupeOption {
	return func(d *Dedupe) error {
		if now == nil {
			return errors.New("webhook: WithClock: nil clock")
		}
		d.now = now
		return nil
	}
}

// NewDedupe returns a Dedupe that remembers up to size keys for ttl each. The client retries
// a failed callback with back-off steps of up to max_callback_backoff_delay_ms (15 minutes by
// default) and keeps trying for a long time, so a ttl of a day is a safe choice; size bounds
// memory (roughly 150 bytes plus the key per entry) and should exceed the number of
// messages and statuses received within ttl, or older keys are forgotten early.
func NewDedupe(size int, ttl time.Duration, opts ...DedupeOption) (*Dedupe, error) {
	if size <= 0 {
		return nil, errors.New("webhook: NewDedupe: size must be positive")
	}
	if ttl <= 0 {
		return nil, errors.New("webhook: NewDedupe: ttl must be positive")
	}
	d := &Dedupe{
		size:     size,
		ttl:      ttl,
		now:      time.Now,
		done:     make(map[string]*list.Element),
		order:    list.New(),
		inflight: make(map[string]chan struct{}),
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("webhook: NewDedupe: nil option")
		}
		if err := opt(d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Do runs fn unless key was handled within the ttl, and remembers key when fn returns nil.
// It reports whether fn ran. If the work for key is in progress in another goroutine, Do
// waits for it first (returning ctx.Err() if ctx ends before). An empty key is never
// remembered: fn always runs.
func (d *Dedupe) Do(ctx context.Context, key string, fn func() error) (ran bool, err error) {
	if key == "" {
		return true, fn()
	}
	owned, err := d.acquire(ctx, key)
	if err != nil || !owned {
		return false, err
	}
	ok := false
	defer func() { d.release(key, ok) }()
	err = fn()
	ok = err == nil
	return true, err
}

// Seen reports whether key was handled within the ttl.
func (d *Dedupe) Seen(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seenLocked(key, d.now())
}

// Len returns the number of keys remembered, expired ones not yet dropped included.
func (d *Dedupe) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}

// acquire claims key for the caller. It returns false when key was handled within the ttl,
// true when the caller now owns it and must call release. It waits while another caller
// owns key.
func (d *Dedupe) acquire(ctx context.Context, key string) (bool, error) {
	for {
		d.mu.Lock()
		if d.seenLocked(key, d.now()) {
			d.mu.Unlock()
			return false, nil
		}
		wait, busy := d.inflight[key]
		if !busy {
			d.inflight[key] = make(chan struct{})
			d.mu.Unlock()
			return true, nil
		}
		d.mu.Unlock()
		if d.waiting != nil {
			d.waiting()
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// release ends the caller's ownership of key, remembering it when ok.
func (d *Dedupe) release(key string, ok bool) {
	d.mu.Lock()
	wait := d.inflight[key]
	delete(d.inflight, key)
	if ok {
		d.rememberLocked(key, d.now())
	}
	d.mu.Unlock()
	if wait != nil {
		close(wait)
	}
}

func (d *Dedupe) seenLocked(key string, now time.Time) bool {
	el, ok := d.done[key]
	if !ok {
		return false
	}
	if now.Sub(el.Value.(*doneEntry).at) < d.ttl {
		return true
	}
	d.order.Remove(el)
	delete(d.done, key)
	return false
}

func (d *Dedupe) rememberLocked(key string, now time.Time) {
	if el, ok := d.done[key]; ok {
		el.Value.(*doneEntry).at = now
		d.order.MoveToBack(el)
	} else {
		d.done[key] = d.order.PushBack(&doneEntry{key: key, at: now})
	}
	// Drop expired entries from the front (the oldest), then the oldest beyond size.
	for front := d.order.Front(); front != nil; front = d.order.Front() {
		e := front.Value.(*doneEntry)
		if d.order.Len() <= d.size && now.Sub(e.at) < d.ttl {
			break
		}
		d.order.Remove(front)
		delete(d.done, e.key)
	}
}
