package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// gateReceiver records bodies and holds every request until the gate opens.
type gateReceiver struct {
	gate   chan struct{}
	mu     sync.Mutex
	bodies [][]byte
}

func (g *gateReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	g.bodies = append(g.bodies, body)
	g.mu.Unlock()
	<-g.gate
	w.WriteHeader(http.StatusOK)
}

func (g *gateReceiver) received() [][]byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([][]byte(nil), g.bodies...)
}

// TestStatusesQueuedBehindBusySlotsGoOutTogether: with the six request slots busy, the
// statuses that queue up behind them are delivered in one callback, in order, each once.
func TestStatusesQueuedBehindBusySlotsGoOutTogether(t *testing.T) {
	t.Parallel()
	g := &gateReceiver{gate: make(chan struct{})}
	recv := httptest.NewServer(g)
	t.Cleanup(recv.Close)
	h := newHarness(t)
	h.setWebhook(recv.URL, true, false, false)
	h.srv.hooks.setLinger(0) // only the busy slots make statuses wait
	var ids []string
	for i := range 20 {
		ids = append(ids, h.sendText(fmt.Sprintf("1631555%04d", i), "hi"))
		// A millisecond apart: statuses falling due together would share a callback anyway.
		_, err := h.srv.Advance(time.Millisecond)
		require.NoError(t, err)
	}
	_, err := h.srv.Advance(10 * time.Millisecond) // the last `sent` statuses fall due
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(g.received()) == 6 }, 10*time.Second, time.Millisecond, "six slots")
	assert.Equal(t, 14, h.srv.WebhookStats().Queued)
	close(g.gate)
	require.NoError(t, h.srv.WaitWebhooksIdle(t.Context()))

	bodies := g.received()
	require.Len(t, bodies, 7, "six single statuses, then one callback with the fourteen that waited")
	requireValidNotifications(t, bodies)
	var merged gen.WebhookNotification
	require.NoError(t, json.Unmarshal(bodies[6], &merged))
	require.NotNil(t, merged.Statuses)
	var got []string
	for _, st := range *merged.Statuses {
		assert.Equal(t, "sent", st.Status)
		got = append(got, st.ID)
	}
	assert.Equal(t, ids[6:], got, "in the order they were queued")
	stats := h.srv.WebhookStats()
	assert.Equal(t, uint64(20), stats.Delivered, "delivered counts statuses, not requests")
	assert.Equal(t, 0, stats.Pending)
	log := h.srv.DeliveryLog()
	require.Len(t, log, 7)
}

// TestAReceiverThatKeepsUpGetsEachStatusAlone: statuses are merged only when they queue.
func TestAReceiverThatKeepsUpGetsEachStatusAlone(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t)
	h.setWebhook(rec.URL, true, true, true)
	for i := range 3 {
		h.sendText(fmt.Sprintf("1631555%04d", i), "hi")
		for range 3 {
			h.advance(10 * time.Millisecond)
		}
	}
	for _, n := range rec.Notifications() {
		require.NotNil(t, n.Statuses)
		assert.Len(t, *n.Statuses, 1)
	}
	assert.Len(t, rec.Statuses(), 9)
}

func TestMergeStatusesStopsAtOtherCallbacks(t *testing.T) {
	t.Parallel()
	d := &dispatcher{}
	st := func(id string) *callback {
		return &callback{kind: kindStatus, statuses: true, weight: 1, body: []byte(`{"statuses":[{"id":"` + id + `"}]}`)}
	}
	other := &callback{kind: kindInbound, weight: 1, body: []byte(`{"messages":[]}`)}
	retry := st("r")
	retry.attempts = 1
	d.queue = []*callback{st("b"), st("c"), other, st("d")}
	cb := d.mergeStatusesLocked(st("a"))
	assert.Equal(t, `{"statuses":[{"id":"a"},{"id":"b"},{"id":"c"}]}`, string(cb.body))
	assert.Equal(t, 3, cb.weight)
	assert.Equal(t, other, d.queue[d.head], "the inbound message keeps its place")
	d.queue, d.head = []*callback{retry}, 0
	assert.Equal(t, 1, d.mergeStatusesLocked(st("x")).weight, "a retry is not merged")
}
