package relay

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/bridge/store"
)

// recordingStore records the schedule of every Fail.
type recordingStore struct {
	store.Store
	mu    sync.Mutex
	fails []time.Time
	now   func() time.Time
	delay []time.Duration
}

func (s *recordingStore) Fail(ctx context.Context, d store.Delivery, next time.Time, reason string) error {
	s.mu.Lock()
	s.fails = append(s.fails, next)
	s.delay = append(s.delay, next.Sub(s.now()))
	s.mu.Unlock()
	return s.Store.Fail(ctx, d, next, reason)
}

func (s *recordingStore) delays() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.delay...)
}

func TestBackoffIsLinearAndCappedOnTheClock(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rs := &recordingStore{Store: newMemory(t, store.WithClock(clock.Now)), now: clock.Now}
	rc := newReceiver(t)
	rc.setGate(func(*http.Request) int { return http.StatusInternalServerError })
	box := &settingsBox{s: allSettings(rc.srv.URL)}
	box.set(func(s *Settings) { s.BackoffDelay, s.MaxBackoffDelay = 3*time.Second, 10*time.Second })
	r := newTestRelay(t, rs, box.get, WithClock(clock.Now), WithRecheck(time.Hour))
	require.Equal(t, http.StatusOK, serve(r, signedPost(textWebhook(1))).Code)
	runRelay(t, r)
	want := []time.Duration{3 * time.Second, 6 * time.Second, 9 * time.Second, 10 * time.Second, 10 * time.Second}
	for i := range want {
		eventually(t, 5*time.Second, func() bool { return len(rs.delays()) == i+1 }, "attempt %d", i+1)
		// Not due before its time: a wake-up one step early claims nothing.
		clock.Advance(want[i] - time.Millisecond)
		r.Wake()
		time.Sleep(20 * time.Millisecond)
		assert.Len(t, rs.delays(), i+1, "retried before its backoff of %v ended", want[i])
		clock.Advance(time.Millisecond)
		r.Wake()
	}
	eventually(t, 5*time.Second, func() bool { return len(rs.delays()) == len(want)+1 }, "last attempt")
	assert.Equal(t, want, rs.delays()[:len(want)])
	assert.EqualValues(t, len(want)+1, rc.posts.Load())
}

func TestSettingsBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s       Settings
		attempt int
		want    time.Duration
	}{
		{Settings{}, 1, 3 * time.Second},
		{Settings{}, 2, 6 * time.Second},
		{Settings{}, 300, 15 * time.Minute},
		{Settings{}, 1 << 40, 15 * time.Minute},
		{Settings{BackoffDelay: time.Second, MaxBackoffDelay: 2500 * time.Millisecond}, 3, 2500 * time.Millisecond},
		{Settings{BackoffDelay: time.Second}, 0, time.Second},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.s.Backoff(tt.attempt), "%+v attempt %d", tt.s, tt.attempt)
	}
}

// TestConcurrencyNeverExceedsMaxConcurrent: a slow receiver sees at most MaxConcurrent
// requests at once, and all of them in the end.
func TestConcurrencyNeverExceedsMaxConcurrent(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{1, 6} {
		rc := newReceiver(t)
		var cur, peak atomic.Int64
		rc.setGate(func(*http.Request) int {
			n := cur.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(20 * time.Millisecond)
			cur.Add(-1)
			return 0
		})
		box := &settingsBox{s: allSettings(rc.srv.URL)}
		box.set(func(s *Settings) { s.MaxConcurrent = limit })
		r := newTestRelay(t, newMemory(t), box.get)
		const n = 30
		for i := range n {
			require.Equal(t, http.StatusOK, serve(r, signedPost(textWebhook(i))).Code)
		}
		runRelay(t, r)
		eventually(t, 10*time.Second, func() bool { return r.Stats().Delivered == n }, "%d deliveries", n)
		assert.EqualValues(t, limit, peak.Load(), "peak concurrency with max_concurrent_requests %d", limit)
	}
}

// TestNoURLHoldsTheOutboxUntilOneIsSet: callbacks wait; Wake after setting a URL sends
// them.
func TestNoURLHoldsTheOutboxUntilOneIsSet(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	box := &settingsBox{s: allSettings("")}
	r := newTestRelay(t, newMemory(t), box.get, WithRecheck(time.Hour))
	runRelay(t, r)
	for i := range 5 {
		require.Equal(t, http.StatusOK, serve(r, signedPost(textWebhook(i))).Code)
	}
	time.Sleep(50 * time.Millisecond)
	assert.Zero(t, rc.posts.Load())
	box.set(func(s *Settings) { s.URL = rc.srv.URL })
	r.Wake()
	eventually(t, 5*time.Second, func() bool { return r.Stats().Delivered == 5 }, "5 deliveries")
}

// TestAdmitRefusesAtCapacityWithoutQueryingTheStore fills the outbox to its capacity and
// checks that Admit refuses, then admits again once the receiver drained it.
func TestAdmitRefusesAtCapacityWithoutQueryingTheStore(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	box := &settingsBox{s: allSettings("")}
	cs := &countingStore{Store: newMemory(t)}
	r := newTestRelay(t, cs, box.get, WithQueueCapacity(3))
	ctx := t.Context()
	for i := range 3 {
		require.NoError(t, r.Admit(ctx))
		require.Equal(t, http.StatusOK, serve(r, signedPost(textWebhook(i))).Code)
	}
	before := cs.pendings.Load()
	err := r.Admit(ctx)
	require.ErrorIs(t, err, ErrQueueFull)
	var qf *QueueFullError
	require.True(t, errors.As(err, &qf))
	assert.Equal(t, QueueFullError{Pending: 3, Capacity: 3}, *qf)
	for range 1000 {
		_ = r.Admit(ctx)
	}
	assert.Equal(t, before, cs.pendings.Load(), "Admit queried the store")
	// Inbound webhooks are stored beyond the capacity.
	require.Equal(t, http.StatusOK, serve(r, signedPost(textWebhook(99))).Code)
	box.set(func(s *Settings) { s.URL = rc.srv.URL })
	runRelay(t, r)
	eventually(t, 5*time.Second, func() bool { return r.Admit(ctx) == nil && r.Stats().Delivered == 4 }, "drained")
}

type countingStore struct {
	store.Store
	pendings atomic.Int64
}

func (c *countingStore) Pending(ctx context.Context) (int, error) {
	c.pendings.Add(1)
	return c.Store.Pending(ctx)
}

// TestRestartWithAThousandPendingDeliversEveryOne is issue 12's restart scenario: the
// receiver is down while 1,000 callbacks are enqueued, comes up for a while, then holds
// its answers (the callbacks it handled are not acked); relay and store are closed
// mid-flight, reopened on the same file, and every one of the 1,000 reaches the receiver,
// whose dedupe absorbs the repeats.
func TestRestartWithAThousandPendingDeliversEveryOne(t *testing.T) {
	t.Parallel()
	const total = 1000
	path := filepath.Join(t.TempDir(), "bridge.db")
	rc := newReceiver(t)
	box := &settingsBox{s: allSettings(rc.srv.URL)}
	box.set(func(s *Settings) { s.MaxConcurrent = 12 })

	st, err := store.Open(t.Context(), path, store.WithCreate())
	require.NoError(t, err)
	r := newTestRelay(t, st, box.get, WithDrainTimeout(50*time.Millisecond))

	// Phase 1: receiver down.
	rc.setGate(func(*http.Request) int { return http.StatusServiceUnavailable })
	stop := runRelay(t, r)
	for i := range total {
		require.Equal(t, http.StatusOK, serve(r, signedPost(textWebhook(i))).Code)
	}
	eventually(t, 10*time.Second, func() bool { return r.Stats().Failed >= 20 }, "failed attempts")

	// Phase 2: receiver up for about 300 deliveries, then it handles requests but never
	// answers: those are delivered yet not acked.
	var seen atomic.Int64
	rc.setGate(func(*http.Request) int {
		if seen.Add(1) <= 300 {
			return 0
		}
		return holdAnswer
	})
	eventually(t, 20*time.Second, func() bool { return seen.Load() >= 300+12 }, "deliveries in flight")
	require.NoError(t, stop())
	require.NoError(t, r.Close())
	require.NoError(t, st.Close())
	firstRun := r.Stats()
	t.Logf("first run: %+v", firstRun)
	assert.Positive(t, firstRun.Released, "nothing was in flight at the close")

	// Phase 3: reopen the same file; receiver up.
	rc.setGate(nil)
	st2, err := store.Open(t.Context(), path)
	require.NoError(t, err)
	defer st2.Close()
	pending, err := st2.Pending(t.Context())
	require.NoError(t, err)
	assert.Equal(t, total-int(firstRun.Delivered), pending, "outbox after restart")
	r2 := newTestRelay(t, st2, box.get)
	runRelay(t, r2)
	eventually(t, 60*time.Second, func() bool { n, _ := rc.uniqueCount(); return n == total }, "all %d delivered", total)
	eventually(t, 10*time.Second, func() bool { n, _ := st2.Pending(t.Context()); return n == 0 }, "outbox drained")
	unique, repeated := rc.uniqueCount()
	duplicates := rc.handled.Load() - int64(unique)
	t.Logf("receiver: %d POSTs (refusals included), %d handled, %d distinct messages, %d duplicates absorbed by its dedupe; acked %d + %d",
		rc.posts.Load(), rc.handled.Load(), unique, duplicates, firstRun.Delivered, r2.Stats().Delivered)
	assert.Equal(t, total, unique)
	assert.Zero(t, repeated, "the receiver's dedupe let a repeat through")
	assert.EqualValues(t, total, firstRun.Delivered+r2.Stats().Delivered, "each callback acked once")
	// Duplicates come only from the deliveries handled but unanswered at the close.
	assert.Positive(t, duplicates, "the scenario made no duplicate")
	assert.LessOrEqual(t, duplicates, int64(firstRun.Released))
}
