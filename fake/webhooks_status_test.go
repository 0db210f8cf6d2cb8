package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// bodyReceiver records every body it is sent, with when it arrived, and answers 200.
type bodyReceiver struct {
	mu     sync.Mutex
	bodies [][]byte
	at     []time.Time
}

func (r *bodyReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var body json.RawMessage
	_ = json.NewDecoder(req.Body).Decode(&body)
	r.mu.Lock()
	r.bodies = append(r.bodies, body)
	r.at = append(r.at, time.Now())
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (r *bodyReceiver) received() ([][]byte, []time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...), append([]time.Time(nil), r.at...)
}

// statusIDs returns the message ids of the statuses of a callback body, in order.
func statusIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var n gen.WebhookNotification
	require.NoError(t, json.Unmarshal(body, &n))
	require.NotNil(t, n.Statuses)
	var ids []string
	for _, st := range *n.Statuses {
		ids = append(ids, st.ID)
	}
	return ids
}

// TestStatusesDueTogetherShareCallbacksOfAtMost64: statuses that fall due at the same instant
// go out together even with every request slot free, at most maxStatusBatch per callback, in
// the order of the sends, each once.
func TestStatusesDueTogetherShareCallbacksOfAtMost64(t *testing.T) {
	t.Parallel()
	recv := &bodyReceiver{}
	hs := httptest.NewServer(recv)
	t.Cleanup(hs.Close)
	h := newHarness(t)
	h.setWebhook(hs.URL, true, false, false)
	var ids []string
	for i := range 70 {
		ids = append(ids, h.sendText(fmt.Sprintf("1631555%04d", i), "hi"))
	}
	h.advance(10 * time.Millisecond)
	bodies, _ := recv.received()
	require.Equal(t, 2, len(bodies), "70 statuses due together: one callback of 64, one of 6")
	requireValidNotifications(t, bodies)
	// Both callbacks may be in flight at once; the larger one was queued first.
	sort.Slice(bodies, func(i, j int) bool { return len(bodies[i]) > len(bodies[j]) })
	first, second := statusIDs(t, bodies[0]), statusIDs(t, bodies[1])
	require.Len(t, first, maxStatusBatch)
	assert.Equal(t, ids, append(first, second...), "in the order of the sends, each once")
	assert.Equal(t, uint64(70), h.srv.WebhookStats().Delivered)
}

// TestAStatusWaitsAtMostTheLingerForOthers: a status that finds no status request started
// within the linger goes out at once; one that follows waits for the rest of the linger, with
// a slot free, and not much longer.
func TestAStatusWaitsAtMostTheLingerForOthers(t *testing.T) {
	t.Parallel()
	const linger = 800 * time.Millisecond
	recv := &bodyReceiver{}
	hs := httptest.NewServer(recv)
	t.Cleanup(hs.Close)
	h := newHarness(t)
	h.setWebhook(hs.URL, true, false, false)
	h.srv.hooks.setLinger(linger)

	start := time.Now()
	h.sendText("16315550001", "a")
	_, err := h.srv.Advance(10 * time.Millisecond)
	require.NoError(t, err)
	require.Eventually(t, func() bool { b, _ := recv.received(); return len(b) == 1 }, 5*time.Second, time.Millisecond)
	_, at := recv.received()
	assert.Less(t, at[0].Sub(start), linger/2, "the first status did not wait")

	h.sendText("16315550002", "b")
	_, err = h.srv.Advance(10 * time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, 1, h.srv.WebhookStats().Queued, "the second status waits for others")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, h.srv.WaitWebhooksIdle(ctx), "the linger ends by itself (on the wall clock)")
	bodies, at := recv.received()
	require.Equal(t, 2, len(bodies))
	waited := at[1].Sub(at[0])
	assert.GreaterOrEqual(t, waited, linger*3/4, "held for the rest of the linger")
	assert.Less(t, waited, linger+3*time.Second, "and not much longer")
}

// TestAFullBatchDoesNotWaitForTheLinger: 64 statuses go out at once however long the linger.
func TestAFullBatchDoesNotWaitForTheLinger(t *testing.T) {
	t.Parallel()
	recv := &bodyReceiver{}
	hs := httptest.NewServer(recv)
	t.Cleanup(hs.Close)
	h := newHarness(t)
	h.setWebhook(hs.URL, true, false, false)
	h.srv.hooks.setLinger(time.Hour)
	h.sendText("16315550001", "first")
	h.advance(10 * time.Millisecond) // goes at once: no status request before it
	for i := range maxStatusBatch {
		h.sendText(fmt.Sprintf("1631555%04d", 100+i), "hi")
	}
	_, err := h.srv.Advance(10 * time.Millisecond)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, h.srv.WaitWebhooksIdle(ctx))
	bodies, _ := recv.received()
	require.Equal(t, 2, len(bodies))
	assert.Len(t, statusIDs(t, bodies[1]), maxStatusBatch)
}

// TestAFailedBatchIsRetriedWhole: a callback carrying several statuses that the receiver
// refuses comes back after its back-off with the same statuses, and each is counted once.
func TestAFailedBatchIsRetriedWhole(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bodies [][]byte
	calls := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body json.RawMessage
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		defer mu.Unlock()
		bodies = append(bodies, body)
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(hs.Close)
	h := newHarness(t)
	h.setWebhook(hs.URL, true, false, false)
	require.Equal(t, 200, h.send("PATCH", "/v1/settings/application", `{"callback_backoff_delay_ms":"1000"}`).status)
	var ids []string
	for i := range 5 {
		ids = append(ids, h.sendText(fmt.Sprintf("1631555%04d", i), "hi"))
	}
	h.advance(10 * time.Millisecond)
	stats := h.srv.WebhookStats()
	assert.Equal(t, 5, stats.WaitingRetry, "the five statuses wait for the retry")
	assert.Equal(t, 5, stats.Pending)
	h.advance(time.Second)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 2, len(bodies))
	assert.Equal(t, ids, statusIDs(t, bodies[0]))
	assert.JSONEq(t, string(bodies[0]), string(bodies[1]), "the retry carries the same statuses")
	stats = h.srv.WebhookStats()
	assert.Equal(t, uint64(5), stats.Delivered)
	assert.Equal(t, uint64(1), stats.FailedTries)
	assert.Equal(t, 0, stats.Pending)
}

// TestStatusesArriveOnceAndInOrderUnderLoad: on the real clock, with many concurrent sends,
// every status of every message reaches the receiver exactly once, sent before delivered
// before read, and statuses share callbacks.
func TestStatusesArriveOnceAndInOrderUnderLoad(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	clk := NewRealClock()
	t.Cleanup(clk.Stop)
	h := newHarness(t, WithClock(clk), WithStatusDelays(StatusDelays{Sent: time.Millisecond, Delivered: 0, Read: time.Millisecond}))
	h.setWebhook(rec.URL, true, true, true)
	// One request at a time (the API's least is 6), so that the receiver sees the callbacks in
	// the order they were started: with several in flight the real client gives no order.
	h.srv.hooks.mu.Lock()
	h.srv.hooks.maxConc = 1
	h.srv.hooks.mu.Unlock()
	const senders, each = 8, 40
	var sent sync.Map
	var wg sync.WaitGroup
	var failed atomic.Int32
	for g := range senders {
		wg.Go(func() {
			for i := range each {
				r := h.send(http.MethodPost, "/v1/messages", map[string]any{"to": fmt.Sprintf("163155%02d%03d", g, i), "type": "text", "text": map[string]string{"body": "hi"}})
				if r.status != http.StatusCreated {
					failed.Add(1)
					continue
				}
				var env gen.MessagesEnvelope
				if json.Unmarshal(r.body, &env) == nil {
					sent.Store(env.Messages[0].ID, true)
				}
			}
		})
	}
	wg.Wait()
	require.Zero(t, failed.Load())
	const want = 3 * senders * each
	require.Eventually(t, func() bool { return len(rec.Statuses()) >= want }, 30*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond) // a duplicate would arrive now
	statuses := rec.Statuses()
	require.Len(t, statuses, want, "each status once")
	next := map[string]int{}
	order := []string{"sent", "delivered", "read"}
	for _, st := range statuses {
		_, ok := sent.Load(st.ID)
		require.True(t, ok, "a status of a message that was sent: %s", st.ID)
		require.Less(t, next[st.ID], 3, "%s: a fourth status", st.ID)
		require.Equal(t, order[next[st.ID]], st.Status, "%s: statuses in order", st.ID)
		next[st.ID]++
	}
	requests, _ := rec.Requests()
	assert.Less(t, requests, want, "statuses shared callbacks")
	assert.Equal(t, uint64(want), h.srv.WebhookStats().Delivered)
}

// TestStatusEncoderMatchesEncodingJSON: the hand-written status encoder writes the bytes
// marshalJSON writes, for every part a status may have and for strings that need escaping.
func TestStatusEncoderMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	num := func(s string) *json.Number { n := json.Number(s); return &n }
	var nilErrors []gen.ErrorDetail
	strs := []string{"", "plain", `quo"te`, `back\slash`, "tab\tnl\ncr\rbs\bff\f", "\x00\x01\x1f\x7f", "<a href=\"x&y\">",
		"caf\u00e9 \u2028 \u2029 \U0001F600", "bad\xffutf8\xc3", "\u00e9\xe2\x80"}
	cases := map[string]gen.MessageStatus{
		"bare":     {ID: "gBEGkYiEB1VXAglK1ZEqA1YKPrU", Status: "sent", Timestamp: "1767225600"},
		"as built": {ID: "id", RecipientID: ptr("16315551234"), Timestamp: "1767225600", Type: ptr("message"), Status: "delivered", Conversation: &gen.WebhookConversation{ID: ptr("c0ffee"), Origin: &gen.WebhookConversationOrigin{Type: ptr("business_initiated")}, ExpirationTimestamp: num("1767312000")}, Pricing: &gen.WebhookPricing{Billable: ptr(true), PricingModel: ptr("CBP"), Category: ptr("business_initiated")}},
		"failed":   {ID: "id", Status: "failed", Timestamp: "1", Errors: &[]gen.ErrorDetail{{Code: 470, Title: "Re-engagement message"}, {Code: 2026, Title: "t", Details: ptr("d"), Href: ptr("https://x/?a=1&b=2")}}},
		"empty parts": {ID: "id", Status: "read", Timestamp: "1", Conversation: &gen.WebhookConversation{Origin: &gen.WebhookConversationOrigin{}}, Pricing: &gen.WebhookPricing{Billable: ptr(false)},
			Errors: &[]gen.ErrorDetail{}, GroupID: ptr("16315558032-1530825318")},
		"null errors":        {ID: "id", Status: "warning", Timestamp: "1", Errors: &nilErrors},
		"empty conversation": {ID: "id", Status: "sent", Timestamp: "1", Conversation: &gen.WebhookConversation{}, Pricing: &gen.WebhookPricing{}},
		"zero expiry":        {ID: "id", Status: "sent", Timestamp: "1", Conversation: &gen.WebhookConversation{ExpirationTimestamp: num("")}},
		"negative expiry":    {ID: "id", Status: "sent", Timestamp: "1", Conversation: &gen.WebhookConversation{ExpirationTimestamp: num("-5")}},
		"message part":       {ID: "id", Status: "sent", Timestamp: "1", Message: &gen.WebhookStatusMessage{}},
	}
	for i, s := range strs {
		cases[fmt.Sprintf("string %d", i)] = gen.MessageStatus{ID: s, Status: s, Timestamp: s, RecipientID: ptr(s), Type: ptr(s), GroupID: ptr(s),
			Errors:       &[]gen.ErrorDetail{{Code: -1, Title: s, Details: ptr(s), Href: ptr(s)}},
			Conversation: &gen.WebhookConversation{ID: ptr(s), Origin: &gen.WebhookConversationOrigin{Type: ptr(s)}},
			Pricing:      &gen.WebhookPricing{Category: ptr(s), PricingModel: ptr(s)}}
	}
	for name, ms := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, err := marshalJSON(ms)
			require.NoError(t, err)
			got, err := appendMessageStatus([]byte("prefix"), &ms)
			require.NoError(t, err)
			assert.Equal(t, "prefix"+string(want), string(got))
		})
	}
	t.Run("invalid number", func(t *testing.T) {
		t.Parallel()
		ms := gen.MessageStatus{ID: "id", Conversation: &gen.WebhookConversation{ExpirationTimestamp: num("012")}}
		_, err := appendMessageStatus(nil, &ms)
		assert.Error(t, err, "refused like encoding/json refuses it")
	})
}

// TestStatusChunksAreNotificationsOfAtMost64: encodeStatusChunks splits statuses into
// `{"statuses":[...]}` bodies of at most maxStatusBatch, equal to what marshalJSON writes.
func TestStatusChunksAreNotificationsOfAtMost64(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var all []gen.MessageStatus
	for i := range 2*maxStatusBatch + 2 {
		all = append(all, gen.MessageStatus{ID: fmt.Sprintf("m%d", i), Status: "sent", Timestamp: "1", RecipientID: ptr("1")})
	}
	all = append(all, gen.MessageStatus{ID: "bad", Conversation: &gen.WebhookConversation{ExpirationTimestamp: func() *json.Number { n := json.Number("x"); return &n }()}})
	chunks := h.srv.encodeStatusChunks(all)
	require.Len(t, chunks, 3)
	for i, c := range chunks {
		part := all[i*maxStatusBatch : min((i+1)*maxStatusBatch, 2*maxStatusBatch+2)]
		want, err := marshalJSON(gen.WebhookNotification{Statuses: &part})
		require.NoError(t, err)
		assert.Equal(t, string(want), string(c.body), "chunk %d", i)
		assert.Equal(t, len(part), c.n)
	}
}

// TestStatusSchedulerTicksOnlyOnTheRealClock: on a RealClock a step falling due less than
// statusTick after the last run waits for the next tick (at most statusTick late); on a
// ManualClock it runs exactly when it falls due.
func TestStatusSchedulerTicksOnlyOnTheRealClock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		real bool
	}{{"manual", false}, {"real", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tc.real {
				clk := NewRealClock()
				t.Cleanup(clk.Stop)
				opts = append(opts, WithClock(clk))
			}
			h := newHarness(t, opts...)
			s := h.srv
			s.mu.Lock()
			defer s.mu.Unlock()
			now := s.clock.Now().Add(time.Hour) // far ahead: the timer does not fire during the test
			s.sched.lastRun = now
			s.pushStatusLocked(now, "m1", 100*time.Microsecond)
			want := now.Add(100 * time.Microsecond)
			if tc.real {
				want = now.Add(statusTick)
			}
			assert.Equal(t, want, s.sched.timerDue)
			s.pushStatusLocked(now, "m2", 5*time.Millisecond)
			assert.Equal(t, want, s.sched.timerDue, "a later step leaves the timer alone")
			s.sched.timer.Stop()
			s.sched.timer = nil
		})
	}
}
