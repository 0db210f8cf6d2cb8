package fake

import (
	"container/heap"
	"sync"
	"time"
)

// Clock is the fake's source of time. Everything time-based in the fake runs on it: token
// expiry (7 days), status webhook delays, webhook retry back-off, contact-check and garbage
// collection delays, rate-limit buckets and timestamps in payloads. Tests pass a ManualClock
// to control time deterministically.
type Clock interface {
	// Now returns the current time of the clock.
	Now() time.Time
	// AfterFunc calls f once, in its own goroutine or in the goroutine that advances the clock,
	// when d has elapsed on the clock. f must not block for long.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call scheduled with Clock.AfterFunc.
type Timer interface {
	// Stop cancels the call; it reports false when the call already ran or was stopped.
	Stop() bool
}

// Advancer is implemented by clocks that can be moved forward on demand. Both clocks of this
// package implement it; the control API's clock endpoint needs it.
type Advancer interface {
	// Advance moves the clock forward by d, runs every call that falls due on the way, in due
	// order, and returns the new time.
	Advance(d time.Duration) time.Time
}

// clockTimer is one scheduled call.
type clockTimer struct {
	due   time.Time
	seq   uint64
	f     func()
	index int // position in the heap, -1 once it ran or was stopped
	sched *scheduler
}

// Stop cancels the call.
func (t *clockTimer) Stop() bool {
	s := t.sched
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&s.timers, t.index)
	t.index = -1
	return true
}

// timerHeap orders timers by due time, then by scheduling order, so that calls due at the same
// instant run in the order they were scheduled.
type timerHeap []*clockTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].seq < h[j].seq
	}
	return h[i].due.Before(h[j].due)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*clockTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	t.index = -1
	*h = old[:n-1]
	return t
}

// scheduler is the timer queue shared by both clocks.
type scheduler struct {
	mu     sync.Mutex
	timers timerHeap
	seq    uint64
}

// schedule adds a call due at due; the caller holds s.mu.
func (s *scheduler) schedule(due time.Time, f func()) *clockTimer {
	s.seq++
	t := &clockTimer{due: due, seq: s.seq, f: f, sched: s}
	heap.Push(&s.timers, t)
	return t
}

// popDue removes and returns the earliest timer due at or before now; the caller holds s.mu.
func (s *scheduler) popDue(now time.Time) *clockTimer {
	if len(s.timers) == 0 || s.timers[0].due.After(now) {
		return nil
	}
	return heap.Pop(&s.timers).(*clockTimer)
}

// ManualClock is a Clock that moves only when Advance or Set is called. Calls scheduled with
// AfterFunc run synchronously inside Advance, in due order, with Now returning their due time
// while they run. It makes tests of expiry, back-off and status timing deterministic.
type ManualClock struct {
	scheduler
	advanceMu sync.Mutex // serialises Advance calls
	now       time.Time
}

// NewManualClock returns a ManualClock showing start. A zero start means
// 2026-01-01T00:00:00Z, so that timestamps in tests are stable.
func NewManualClock(start time.Time) *ManualClock {
	if start.IsZero() {
		start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return &ManualClock{now: start}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f to run when the clock has advanced by d. A call with d <= 0 runs at the
// next Advance (Advance(0) included), never inside AfterFunc itself.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d < 0 {
		d = 0
	}
	return c.schedule(c.now.Add(d), f)
}

// Advance moves the clock forward by d (negative d counts as 0), running every call due up to
// the new time, including calls scheduled by those calls, and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.advanceMu.Lock()
	defer c.advanceMu.Unlock()
	if d < 0 {
		d = 0
	}
	c.mu.Lock()
	target := c.now.Add(d)
	for {
		t := c.popDue(target)
		if t == nil {
			break
		}
		if t.due.After(c.now) {
			c.now = t.due
		}
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
	c.now = target
	c.mu.Unlock()
	return target
}

// Set moves the clock to t, running due calls as Advance does. A t before the current time is
// ignored: the fake's time never goes backwards.
func (c *ManualClock) Set(t time.Time) time.Time {
	return c.Advance(t.Sub(c.Now()))
}

// Pending returns how many calls are scheduled and have not run yet.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// RealClock is a Clock that follows the wall clock plus an offset that Advance increases, so
// that a running wafake can be moved forward (for example past token expiry) through the
// control API. Scheduled calls run on the clock's own goroutine when they fall due, or inside
// Advance for the calls it makes due.
type RealClock struct {
	scheduler
	offset  time.Duration
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	stopped sync.Once
}

// NewRealClock starts a RealClock. Call Stop when it is no longer needed; a Server stops the
// clock it created itself when it is closed.
func NewRealClock() *RealClock {
	c := &RealClock{wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// Now returns the wall-clock time plus the clock's offset.
func (c *RealClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// AfterFunc schedules f to run on the clock's goroutine after d.
func (c *RealClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	t := c.schedule(time.Now().Add(c.offset).Add(d), f)
	first := t.index == 0
	c.mu.Unlock()
	if first {
		c.signal()
	}
	return t
}

// Advance adds d to the clock's offset and runs the calls that became due, then returns the
// new time.
func (c *RealClock) Advance(d time.Duration) time.Time {
	if d < 0 {
		d = 0
	}
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
	c.runDue()
	c.signal()
	return c.Now()
}

// Stop ends the clock's goroutine; calls still scheduled never run.
func (c *RealClock) Stop() {
	c.stopped.Do(func() { close(c.stop) })
	<-c.done
}

func (c *RealClock) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// runDue runs every call due now, in due order.
func (c *RealClock) runDue() {
	for {
		c.mu.Lock()
		t := c.popDue(time.Now().Add(c.offset))
		c.mu.Unlock()
		if t == nil {
			return
		}
		t.f()
	}
}

func (c *RealClock) run() {
	defer close(c.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		c.runDue()
		c.mu.Lock()
		wait := time.Hour
		if len(c.timers) > 0 {
			wait = c.timers[0].due.Sub(time.Now().Add(c.offset))
		}
		c.mu.Unlock()
		if wait < 0 {
			wait = 0
		}
		timer.Reset(wait)
		select {
		case <-c.stop:
			return
		case <-c.wake:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		case <-timer.C:
		}
	}
}
