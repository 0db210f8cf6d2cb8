package webhook

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1518694235, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestNewDedupeValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		size int
		ttl  time.Duration
		opts []DedupeOption
	}{
		{"zero size", 0, time.Hour, nil},
		{"negative size", -1, time.Hour, nil},
		{"zero ttl", 10, 0, nil},
		{"nil option", 10, time.Hour, []DedupeOption{nil}},
		{"nil clock", 10, time.Hour, []DedupeOption{WithClock(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := NewDedupe(tt.size, tt.ttl, tt.opts...)
			assert.Error(t, err)
			assert.Nil(t, d)
		})
	}
}

func TestDedupeDo(t *testing.T) {
	t.Parallel()
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		steps   []error         // outcome of fn for each call of Do with the same key
		advance []time.Duration // clock advance before each call
		wantRan []bool
	}{
		{"second delivery skipped", []error{nil, nil}, []time.Duration{0, time.Minute}, []bool{true, false}},
		{"failure not remembered", []error{errBoom, nil, nil}, []time.Duration{0, 0, 0}, []bool{true, true, false}},
		{"expired after ttl", []error{nil, nil}, []time.Duration{0, time.Hour}, []bool{true, true}},
		{"just before ttl", []error{nil, nil}, []time.Duration{0, time.Hour - time.Nanosecond}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			d, err := NewDedupe(10, time.Hour, WithClock(clock.Now))
			require.NoError(t, err)
			for i, outcome := range tt.steps {
				clock.Advance(tt.advance[i])
				ran, err := d.Do(t.Context(), "message\x00ABGG1", func() error { return outcome })
				assert.Equal(t, tt.wantRan[i], ran, "call %d", i)
				if ran {
					assert.Equal(t, outcome, err, "call %d", i)
				} else {
					assert.NoError(t, err, "call %d", i)
				}
			}
		})
	}
}

func TestDedupeEmptyKeyAlwaysRuns(t *testing.T) {
	t.Parallel()
	d, err := NewDedupe(10, time.Hour)
	require.NoError(t, err)
	for range 3 {
		ran, err := d.Do(t.Context(), "", func() error { return nil })
		require.NoError(t, err)
		assert.True(t, ran)
	}
	assert.Zero(t, d.Len())
}

func TestDedupeBoundedBySize(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	d, err := NewDedupe(3, time.Hour, WithClock(clock.Now))
	require.NoError(t, err)
	for i := range 10 {
		clock.Advance(time.Second)
		_, err := d.Do(t.Context(), fmt.Sprint("k", i), func() error { return nil })
		require.NoError(t, err)
		assert.LessOrEqual(t, d.Len(), 3)
	}
	// The oldest are forgotten first.
	for i := range 7 {
		assert.False(t, d.Seen(fmt.Sprint("k", i)), "k%d", i)
	}
	for i := 7; i < 10; i++ {
		assert.True(t, d.Seen(fmt.Sprint("k", i)), "k%d", i)
	}
}

func TestDedupeDropsExpiredEntries(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	d, err := NewDedupe(100, time.Minute, WithClock(clock.Now))
	require.NoError(t, err)
	for i := range 5 {
		_, err := d.Do(t.Context(), fmt.Sprint("old", i), func() error { return nil })
		require.NoError(t, err)
	}
	clock.Advance(2 * time.Minute)
	_, err = d.Do(t.Context(), "new", func() error { return nil })
	require.NoError(t, err)
	assert.Equal(t, 1, d.Len(), "expired entries are dropped when a key is remembered")
	assert.False(t, d.Seen("old0"))
	assert.True(t, d.Seen("new"))
}

func TestDedupeConcurrentSameKey(t *testing.T) {
	t.Parallel()
	d, err := NewDedupe(100, time.Hour)
	require.NoError(t, err)
	var runs atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			_, err := d.Do(t.Context(), "message\x00ABGG1", func() error {
				runs.Add(1)
				time.Sleep(time.Millisecond)
				return nil
			})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), runs.Load())
}

func TestDedupeWaiterRunsAfterFailure(t *testing.T) {
	t.Parallel()
	d, err := NewDedupe(100, time.Hour)
	require.NoError(t, err)
	waiting := make(chan struct{})
	d.waiting = func() { close(waiting) }
	started := make(chan struct{})
	finish := make(chan struct{})
	firstDone := make(chan error)
	go func() {
		_, err := d.Do(t.Context(), "k", func() error {
			close(started)
			<-finish
			return errors.New("transient")
		})
		firstDone <- err
	}()
	<-started
	secondRan := make(chan bool)
	go func() {
		ran, err := d.Do(t.Context(), "k", func() error { return nil })
		assert.NoError(t, err)
		secondRan <- ran
	}()
	<-waiting
	close(finish)
	assert.Error(t, <-firstDone)
	assert.True(t, <-secondRan, "the waiter runs the work the first caller failed")
	assert.True(t, d.Seen("k"))
}

func TestDedupeWaitHonoursContext(t *testing.T) {
	t.Parallel()
	d, err := NewDedupe(100, time.Hour)
	require.NoError(t, err)
	owned, err := d.acquire(t.Context(), "k")
	require.NoError(t, err)
	require.True(t, owned)
	defer d.release("k", true)

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	ran, err := d.Do(ctx, "k", func() error { return nil })
	assert.False(t, ran)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestDedupePanicReleasesKey(t *testing.T) {
	t.Parallel()
	d, err := NewDedupe(100, time.Hour)
	require.NoError(t, err)
	assert.Panics(t, func() {
		_, _ = d.Do(t.Context(), "k", func() error { panic("callback bug") })
	})
	ran, err := d.Do(t.Context(), "k", func() error { return nil })
	require.NoError(t, err)
	assert.True(t, ran, "a panic neither remembers nor blocks the key")
}
