package fake

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func TestEveryStatusArrivesDespiteAFlakyReceiver(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t, FailRate(0.3, 42))
	h := newHarness(t)
	h.setWebhook(rec.URL, true, true, true)
	require.Equal(t, 200, h.send("PATCH", "/v1/settings/application", `{"callback_backoff_delay_ms":"1000","max_callback_backoff_delay_ms":"5000"}`).status)
	// Many requests, so that the seeded coin refuses some: the sends are a millisecond apart
	// on the fake's clock (statuses due together would share a callback) and statuses do not
	// wait for each other (statusLinger).
	h.srv.hooks.setLinger(0)
	const n = 20
	ids := map[string]bool{}
	for i := 0; i < n; i++ {
		ids[h.sendText(fmt.Sprintf("1631555%04d", i), fmt.Sprintf("message %d", i))] = true
		_, err := h.srv.Advance(time.Millisecond)
		require.NoError(t, err)
	}
	want := n * 3
	seen := func() map[string]bool {
		got := map[string]bool{}
		for _, s := range rec.Statuses() {
			got[s.ID+"/"+s.Status] = true
		}
		return got
	}
	for step := 0; step < 200 && len(seen()) < want; step++ {
		h.advance(500 * time.Millisecond)
	}
	got := seen()
	for id := range ids {
		for _, st := range []string{"sent", "delivered", "read"} {
			assert.True(t, got[id+"/"+st], "%s %s never arrived", id, st)
		}
	}
	total, refused := rec.Requests()
	assert.Greater(t, refused, 0, "the receiver refused some requests")
	// The refusal rate is a seeded coin per request, but how many requests there are depends
	// on how many statuses each callback carries (statuses that queue up are merged), so the
	// rate is checked within three standard deviations for the number of requests made.
	assert.InDelta(t, 0.3, float64(refused)/float64(total), 3*math.Sqrt(0.3*0.7/float64(total)), "%d of %d refused", refused, total)
	stats := h.srv.WebhookStats()
	assert.Equal(t, 0, stats.Pending, "nothing is left behind")
	assert.Equal(t, uint64(want), stats.Delivered)
	assert.Equal(t, uint64(refused), stats.FailedTries)

	var retried int
	for _, d := range h.srv.DeliveryLog() {
		if !d.Delivered {
			assert.Equal(t, 500, d.StatusCode)
			assert.Positive(t, d.RetryIn)
		}
		if d.Attempt > 1 {
			retried++
		}
	}
	assert.Equal(t, refused, retried, "every refusal was retried")
	requireValidNotifications(t, rec.Bodies())
}

// scriptedReceiver answers the statuses of script in turn, then 200.
type scriptedReceiver struct {
	mu     sync.Mutex
	script []int
	calls  int
}

func (s *scriptedReceiver) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	code := http.StatusOK
	if s.calls < len(s.script) {
		code = s.script[s.calls]
	}
	s.calls++
	s.mu.Unlock()
	w.WriteHeader(code)
}

func TestBackoffFollowsTheSettingsOnTheFakeClock(t *testing.T) {
	t.Parallel()
	// Six failures of different kinds: any non-200 counts, redirects and 2xx included.
	recv := &scriptedReceiver{script: []int{500, 503, 204, 302, 404, 201}}
	hs := httptest.NewServer(recv)
	t.Cleanup(hs.Close)
	h := newHarness(t)
	h.setWebhook(hs.URL, false, false, false)
	require.Equal(t, 200, h.send("PATCH", "/v1/settings/application", `{"callback_backoff_delay_ms":"1000","max_callback_backoff_delay_ms":"3500"}`).status)
	start := h.clock.Now()
	_, err := h.srv.InjectInbound(Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "text", Text: &gen.InboundText{Body: "hi"}}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, h.srv.WaitWebhooksIdle(ctx))

	// Linear back-off: 1 s, 2 s, 3 s, then capped at 3.5 s.
	wantDelays := []time.Duration{1000, 2000, 3000, 3500, 3500, 3500}
	for i, d := range wantDelays {
		d *= time.Millisecond
		h.advance(d - time.Millisecond)
		require.Len(t, h.srv.DeliveryLog(), i+1, "no attempt before the back-off is over")
		h.advance(time.Millisecond)
		require.Len(t, h.srv.DeliveryLog(), i+2, "attempt %d after %s", i+2, d)
	}
	log := h.srv.DeliveryLog()
	require.Len(t, log, 7)
	at := start
	for i, d := range log {
		assert.Equal(t, i+1, d.Attempt)
		assert.Equal(t, log[0].CallbackID, d.CallbackID)
		assert.Equal(t, kindInbound, d.Kind)
		assert.True(t, at.Equal(d.Time), "attempt %d at %s, want %s", i+1, d.Time, at)
		if i < len(wantDelays) {
			assert.False(t, d.Delivered)
			assert.Equal(t, wantDelays[i]*time.Millisecond, d.RetryIn)
			at = at.Add(wantDelays[i] * time.Millisecond)
		}
	}
	assert.True(t, log[6].Delivered)
	assert.Equal(t, []int{500, 503, 204, 302, 404, 201, 200}, func() []int {
		var out []int
		for _, d := range log {
			out = append(out, d.StatusCode)
		}
		return out
	}())
}

func TestTransportErrorsAreRetried(t *testing.T) {
	t.Parallel()
	// A listener that is closed: connections are refused until the URL changes.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	rec := NewWebhookRecorder(t)
	h := newHarness(t)
	h.setWebhook(deadURL, false, false, false)
	_, err := h.srv.InjectInbound(Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "text", Text: &gen.InboundText{Body: "hi"}}})
	require.NoError(t, err)
	h.advance(0)
	log := h.srv.DeliveryLog()
	require.Len(t, log, 1)
	assert.Zero(t, log[0].StatusCode)
	assert.NotEmpty(t, log[0].Error)
	assert.Equal(t, 1, h.srv.WebhookStats().WaitingRetry)
	h.setWebhook(rec.URL, false, false, false)
	h.advance(3 * time.Second)
	require.Len(t, rec.Messages(), 1, "the retry goes to the current URL")
	assert.Equal(t, 0, h.srv.WebhookStats().Pending)
}

func TestConcurrencyFollowsMaxConcurrentRequests(t *testing.T) {
	t.Parallel()
	var inFlight, peak atomic.Int32
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		inFlight.Add(-1)
	}))
	t.Cleanup(hs.Close)
	h := newHarness(t)
	h.setWebhook(hs.URL, false, false, false)
	for i := 0; i < 20; i++ {
		_, err := h.srv.InjectInbound(Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "text", Text: &gen.InboundText{Body: fmt.Sprint(i)}}})
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return inFlight.Load() == 6 }, 5*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, int32(6), peak.Load(), "default max_concurrent_requests is 6")
	st := h.srv.WebhookStats()
	assert.Equal(t, 6, st.InFlight)
	assert.Equal(t, 14, st.Queued)

	require.Equal(t, 200, h.send("PATCH", "/v1/settings/application", `{"webhooks":{"max_concurrent_requests":12}}`).status)
	require.Eventually(t, func() bool { return inFlight.Load() == 12 }, 5*time.Second, time.Millisecond)
	close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, h.srv.WaitWebhooksIdle(ctx))
	assert.Equal(t, int32(12), peak.Load())
	assert.Equal(t, uint64(20), h.srv.WebhookStats().Delivered)
}

func TestCallbacksWaitForAWebhookURL(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t)
	_, err := h.srv.InjectInbound(Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "text", Text: &gen.InboundText{Body: "early"}}})
	require.NoError(t, err)
	assert.Equal(t, 1, h.srv.WebhookStats().Queued, "nothing is dropped without a URL")
	h.setWebhook(rec.URL, false, false, false)
	h.advance(0)
	require.Len(t, rec.Messages(), 1)
	assert.Equal(t, "early", rec.Messages()[0].Text.Body)
}

func TestWebhookCATrustsTheReceiver(t *testing.T) {
	t.Parallel()
	var got atomic.Int32
	tlsRecv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got.Add(1) }))
	t.Cleanup(tlsRecv.Close)
	h := newHarness(t)
	h.setWebhook(tlsRecv.URL, false, false, false)
	_, err := h.srv.InjectInbound(Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "text", Text: &gen.InboundText{Body: "tls"}}})
	require.NoError(t, err)
	h.advance(0)
	log := h.srv.DeliveryLog()
	require.Len(t, log, 1)
	assert.Contains(t, log[0].Error, "certificate", "the test CA is not trusted yet")

	caPEM := pemOf(tlsRecv.Certificate().Raw)
	r := h.do(req{method: "POST", path: "/v1/certificates/webhooks/ca", token: h.admin, body: string(caPEM), contentType: "text/plain"})
	require.Equal(t, 200, r.status, string(r.body))
	h.advance(3 * time.Second)
	assert.Equal(t, int32(1), got.Load())
}
