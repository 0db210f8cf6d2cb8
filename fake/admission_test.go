package fake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueueAdmissionCountsTheStatusesASendWillSchedule fills a queue of 50 behind a receiver
// that never answers: with sent, delivered and read on, each send schedules three callbacks,
// so 16 sends fit (48) and the 17th gets 1016, and the callbacks never exceed the capacity.
// Before, admission looked only at the callbacks already queued, and sends kept being
// accepted long after their statuses had overflowed the queue.
func TestQueueAdmissionCountsTheStatusesASendWillSchedule(t *testing.T) {
	t.Parallel()
	hang := make(chan struct{})
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(recv.Close)
	t.Cleanup(func() { close(hang) })
	const capacity = 50
	h := newHarness(t, WithWebhookQueueCapacity(capacity), WithWebhookTimeout(time.Hour))
	h.setWebhook(recv.URL, true, true, true)

	accepted := 0
	for i := 0; i < 200; i++ {
		r := h.send("POST", "/v1/messages", fmt.Sprintf(`{"to":"1631555%04d","type":"text","text":{"body":"hi"}}`, i))
		if r.status != http.StatusCreated {
			requireError(t, r, http.StatusServiceUnavailable, codeOverloaded)
			break
		}
		accepted++
		_, err := h.srv.Advance(10 * time.Millisecond) // statuses progress between sends
		require.NoError(t, err)
		require.LessOrEqual(t, h.srv.WebhookStats().Pending, capacity)
	}
	assert.Equal(t, capacity/3, accepted)
	for range 10 {
		_, err := h.srv.Advance(10 * time.Millisecond)
		require.NoError(t, err)
	}
	st := h.srv.WebhookStats()
	assert.Equal(t, 3*accepted, st.Pending, "every status of every accepted send is pending")
	assert.LessOrEqual(t, st.Pending, capacity)
}

// TestQueueAdmissionReleasesStatusesThatWillNotCome checks that a reservation ends with the
// message's progression: turning the statuses off after a send frees the room it held.
func TestQueueAdmissionReleasesStatusesThatWillNotCome(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t, WithWebhookQueueCapacity(3))
	h.setWebhook(rec.URL, true, true, true)
	h.sendText("16315551234", "one")
	requireError(t, h.send("POST", "/v1/messages", `{"to":"16315551235","type":"text","text":{"body":"two"}}`), 503, codeOverloaded)
	h.setWebhook(rec.URL, false, false, false)
	for range 5 {
		h.advance(10 * time.Millisecond)
	}
	require.NoError(t, h.srv.WaitWebhooksIdle(t.Context()))
	h.mustReserve(t, 0)
	h.setWebhook(rec.URL, true, true, true)
	h.sendText("16315551235", "two")
}

func (h *harness) mustReserve(t *testing.T, want int) {
	t.Helper()
	h.srv.mu.Lock()
	got := h.srv.st.reserved
	h.srv.mu.Unlock()
	require.Equal(t, want, got)
}
