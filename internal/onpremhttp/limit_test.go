package onpremhttp

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucketsRefillAndStayBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bs := NewBuckets(func() time.Time { return now })
	for range 2 {
		ok, _ := bs.Take("a", 1, 2, true)
		require.True(t, ok)
	}
	ok, wait := bs.Take("a", 1, 2, true)
	assert.False(t, ok)
	assert.Equal(t, time.Second, wait)
	now = now.Add(500 * time.Millisecond)
	ok, wait = bs.Take("a", 1, 2, false)
	assert.False(t, ok)
	assert.Equal(t, 500*time.Millisecond, wait)
	now = now.Add(500 * time.Millisecond)
	ok, _ = bs.Take("a", 1, 2, true)
	assert.True(t, ok)
	ok, _ = bs.Take("b", 1, 0, true)
	assert.True(t, ok, "a zero burst is no limit")

	// A stream of new addresses that each fail once: the table is trimmed of full buckets.
	for i := range 3 * maxIdle {
		bs.Take(fmt.Sprint("ip-", i), 1, 2, true)
		now = now.Add(time.Second)
	}
	assert.LessOrEqual(t, bs.Len(), maxIdle+1)
	assert.Equal(t, "2", TooMany(1500*time.Millisecond, "x").Header.Get("Retry-After"))
}
