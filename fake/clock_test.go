package fake

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestManualClockRunsDueCallsInOrder(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	c := NewManualClock(start)
	var got []string
	var at []time.Time
	rec := func(name string) func() {
		return func() { got = append(got, name); at = append(at, c.Now()) }
	}
	c.AfterFunc(3*time.Second, rec("c"))
	c.AfterFunc(time.Second, rec("a"))
	stopped := c.AfterFunc(2*time.Second, rec("never"))
	c.AfterFunc(time.Second, func() {
		rec("b")()
		c.AfterFunc(500*time.Millisecond, rec("nested")) // scheduled by a call, due within this Advance
	})
	c.AfterFunc(0, rec("zero"))
	assert.True(t, stopped.Stop())
	assert.False(t, stopped.Stop())
	assert.Equal(t, 4, c.Pending())
	assert.Empty(t, got, "nothing runs inside AfterFunc")

	now := c.Advance(2 * time.Second)
	assert.Equal(t, start.Add(2*time.Second), now)
	assert.Equal(t, []string{"zero", "a", "b", "nested"}, got)
	assert.Equal(t, []time.Time{start, start.Add(time.Second), start.Add(time.Second), start.Add(1500 * time.Millisecond)}, at,
		"calls see their due time")
	c.Advance(-time.Hour)
	assert.Equal(t, start.Add(2*time.Second), c.Now(), "time never goes backwards")
	c.Set(start.Add(time.Minute))
	assert.Equal(t, []string{"zero", "a", "b", "nested", "c"}, got)
	assert.Equal(t, 0, c.Pending())
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NewManualClock(time.Time{}).Now())
}

func TestRealClockAdvanceAndTimers(t *testing.T) {
	t.Parallel()
	c := NewRealClock()
	t.Cleanup(c.Stop)
	var mu sync.Mutex
	var got []string
	add := func(s string) func() {
		return func() { mu.Lock(); got = append(got, s); mu.Unlock() }
	}
	c.AfterFunc(time.Millisecond, add("soon"))
	c.AfterFunc(time.Hour, add("in an hour"))
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 }, 5*time.Second, time.Millisecond)
	before := c.Now()
	after := c.Advance(2 * time.Hour)
	assert.GreaterOrEqual(t, after.Sub(before), 2*time.Hour)
	mu.Lock()
	assert.Equal(t, []string{"soon", "in an hour"}, got, "Advance runs what became due")
	mu.Unlock()
	assert.WithinDuration(t, time.Now().Add(2*time.Hour), c.Now(), time.Minute)
}

func TestServerAdvance(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now, err := h.srv.Advance(time.Hour)
	require.NoError(t, err)
	assert.Equal(t, h.clock.Now(), now)
	_, err = h.srv.Advance(-time.Second)
	require.Error(t, err)

	type plainClock struct{ Clock }
	s, err := New(WithClock(plainClock{NewManualClock(time.Time{})}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Advance(time.Second)
	require.Error(t, err, "a clock without Advance cannot be moved")
}
