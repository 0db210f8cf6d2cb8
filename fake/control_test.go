package fake

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// ctl calls the control API (no authentication).
func (h *harness) ctl(method, path string, body any) *resp {
	return h.do(req{method: method, path: path, body: body})
}

func TestInjectInboundOfEveryType(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t, WithSeedContacts(ContactSeed{WaID: "16315551234", Valid: true, Name: "Kerry Fisher"}))
	h.setWebhook(rec.URL, false, false, false)
	inputs := []string{
		`{"from":"16315551234","type":"text","text":{"body":"Hello"},"context":{"from":"16315551019","id":"gBEGabc"}}`,
		`{"message":{"from":"16315551234","type":"image","image":{"caption":"my receipt"}},"media":{"content_type":"image/png","data":"iVBORw0KGgo="}}`,
		`{"from":"16315551234","type":"audio"}`,
		`{"from":"16315551234","type":"voice"}`,
		`{"from":"16315551234","type":"video","video":{"caption":"clip"}}`,
		`{"from":"16315551234","type":"document","document":{"filename":"invoice.pdf"}}`,
		`{"from":"16315551234","type":"sticker"}`,
		`{"from":"16315551234","type":"location","location":{"latitude":38.98,"longitude":-131.94,"name":"Beach"}}`,
		`{"from":"16315551234","type":"contacts","contacts":[{"name":{"formatted_name":"Ana Lee","first_name":"Ana"}}]}`,
		`{"from":"16315551234","type":"button","button":{"payload":"track-1","text":"Track"}}`,
		`{"from":"16315551234","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"a","title":"A"}}}`,
		`{"from":"16315551234","type":"order","order":{"catalog_id":"1","product_items":[{"product_retailer_id":"SKU","quantity":"2","item_price":10.5,"currency":"USD"}]}}`,
		`{"from":"16315551234","type":"system","system":{"type":"user_changed_number","body":"changed","new_wa_id":"16315555678"}}`,
		`{"from":"16315551234","type":"unknown"}`,
		`{"from":"16315551234","type":"reaction","profile_name":"Someone"}`,
	}
	for _, in := range inputs {
		r := h.ctl("POST", "/_fake/inbound", in)
		require.Equal(t, http.StatusCreated, r.status, "%s: %s", in, r.body)
	}
	h.advance(time.Second)
	msgs := rec.Messages()
	require.Len(t, msgs, len(inputs))
	requireValidNotifications(t, rec.Bodies())
	byType := map[string]gen.InboundMessage{}
	for _, m := range msgs {
		byType[m.Type] = m
		assert.Regexp(t, `^ABGG`, m.ID)
		assert.Equal(t, "1767225600", m.Timestamp)
	}
	require.NotNil(t, byType["image"].Image)
	img := h.get("/v1/media/" + byType["image"].Image.ID)
	assert.Equal(t, "image/png", img.header.Get("Content-Type"))
	assert.Equal(t, "\x89PNG\r\n\x1a\n", string(img.body))
	assert.Equal(t, "audio/ogg; codecs=opus", *byType["voice"].Voice.MimeType)
	assert.Equal(t, 501, (*byType["unknown"].Errors)[0].Code)
	for _, n := range rec.Notifications() {
		if (*n.Messages)[0].Type == "system" {
			assert.Nil(t, n.Contacts, "system messages carry no sender contact")
			continue
		}
		want := "Kerry Fisher"
		if (*n.Messages)[0].Type == "reaction" {
			want = "Someone"
		}
		assert.Equal(t, want, *(*n.Contacts)[0].Profile.Name)
	}

	r := h.ctl("GET", "/_fake/inbound", nil)
	var inbound struct{ Messages []ReceivedMessage }
	r.decode(t, &inbound)
	assert.Len(t, inbound.Messages, len(inputs))

	for _, bad := range []string{`{"from":"kerry","type":"text","text":{"body":"x"}}`, `{"from":"16315551234"}`,
		`{"from":"16315551234","type":"text"}`, `{"from":"16315551234","type":"image","image":{"id":"nope"}}`,
		`{"from":"16315551234","type":"location","location":{"latitude":500,"longitude":0}}`, `[`, ``} {
		r := h.ctl("POST", "/_fake/inbound", bad)
		assert.GreaterOrEqual(t, r.status, 400, bad)
		assert.Less(t, r.status, 500, bad)
	}
}

func TestControlAPIOverHTTP(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t)
	h.setWebhook(rec.URL, true, true, true)

	r := h.ctl("GET", "/_fake/", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), "/_fake/inbound")
	requireError(t, h.ctl("GET", "/_fake/nothing", nil), 404, codeNotFound)

	// Clock.
	r = h.ctl("POST", "/_fake/clock/advance", `{"duration":"90s"}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var clk struct {
		Now    time.Time
		Manual bool
	}
	h.ctl("GET", "/_fake/clock", nil).decode(t, &clk)
	assert.True(t, clk.Manual)
	assert.Equal(t, time.Date(2026, 1, 1, 0, 1, 30, 0, time.UTC), clk.Now.UTC())
	requireError(t, h.ctl("POST", "/_fake/clock/advance", `{"duration":"-1s"}`), 400, codeInvalidParameter)
	require.Equal(t, http.StatusOK, h.ctl("POST", "/_fake/clock/advance", `{"duration":1000}`).status)

	// Sent messages and their statuses, the delivery log, waiting.
	id := h.sendText("16315551234", "hello")
	h.sendText("16315559999", "other")
	r = h.ctl("POST", "/_fake/clock/advance", `{"duration":"1s"}`)
	require.Equal(t, http.StatusOK, r.status)
	r = h.ctl("POST", "/_fake/webhooks/wait?timeout=5s", nil)
	var wait struct {
		Idle     bool
		Webhooks WebhookStats
	}
	r.decode(t, &wait)
	assert.True(t, wait.Idle)
	assert.Equal(t, uint64(6), wait.Webhooks.Delivered)

	var sent struct{ Messages []SentMessage }
	h.ctl("GET", "/_fake/messages?to=16315551234", nil).decode(t, &sent)
	require.Len(t, sent.Messages, 1)
	assert.Equal(t, id, sent.Messages[0].ID)
	assert.Equal(t, "hello", sent.Messages[0].Message.Text.Body)
	assert.Len(t, sent.Messages[0].Statuses, 3)
	var one SentMessage
	h.ctl("GET", "/_fake/messages/"+id, nil).decode(t, &one)
	assert.Equal(t, id, one.ID)
	requireError(t, h.ctl("GET", "/_fake/messages/none", nil), 404, codeNotFound)

	var log struct{ Deliveries []json.RawMessage }
	h.ctl("GET", "/_fake/webhooks/log?limit=2", nil).decode(t, &log)
	require.Len(t, log.Deliveries, 2)
	var entry map[string]any
	require.NoError(t, json.Unmarshal(log.Deliveries[0], &entry))
	for _, k := range []string{"seq", "callback_id", "kind", "attempt", "time", "url", "status_code", "duration_ms", "delivered", "payload"} {
		assert.Contains(t, entry, k)
	}
	// The six statuses went out as two or three callbacks: each message's sent, delivered and
	// read fell due with the other's, and the later ones may wait for each other.
	h.ctl("GET", "/_fake/webhooks/log", nil).decode(t, &log)
	all := len(log.Deliveries)
	require.GreaterOrEqual(t, all, 2)
	h.ctl("GET", "/_fake/webhooks/log?since=1", nil).decode(t, &log)
	assert.Len(t, log.Deliveries, all-1)
	var stats WebhookStats
	h.ctl("GET", "/_fake/webhooks", nil).decode(t, &stats)
	assert.Equal(t, rec.URL, stats.URL)

	// Health.
	require.Equal(t, http.StatusOK, h.ctl("PUT", "/_fake/health", `{"gateway_status":"connecting"}`).status)
	assert.Equal(t, gen.GatewayStatusConnecting, health(t, h))
	requireError(t, h.ctl("PUT", "/_fake/health", `{"gateway_status":"asleep"}`), 400, codeInvalidParameter)
	require.Equal(t, http.StatusOK, h.ctl("PUT", "/_fake/health", `{"gateway_status":"connected"}`).status)

	// Faults.
	r = h.ctl("POST", "/_fake/faults", `{"operation_id":"getGroup","times":1,"status":500,"code":1014,"delay":"1ms"}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var f Fault
	r.decode(t, &f)
	assert.Equal(t, time.Millisecond, f.Delay)
	assert.Contains(t, string(r.body), `"delay": "1ms"`)
	requireError(t, h.get("/v1/groups/x-1"), 500, codeInternal)
	requireError(t, h.get("/v1/groups/x-1"), 404, codeGroupUnknown)
	require.Equal(t, http.StatusCreated, h.ctl("POST", "/_fake/faults", `{"operation_id":"getGroup","times":-1,"status":503}`).status)
	var faults struct{ Faults []Fault }
	h.ctl("GET", "/_fake/faults", nil).decode(t, &faults)
	require.Len(t, faults.Faults, 1)
	require.Equal(t, http.StatusOK, h.ctl("DELETE", "/_fake/faults/"+faults.Faults[0].ID, nil).status)
	requireError(t, h.ctl("DELETE", "/_fake/faults/"+faults.Faults[0].ID, nil), 404, codeNotFound)
	require.Equal(t, http.StatusCreated, h.ctl("POST", "/_fake/faults", `{"operation_id":"getGroup","status":503}`).status)
	require.Equal(t, http.StatusOK, h.ctl("DELETE", "/_fake/faults", nil).status)
	requireError(t, h.ctl("POST", "/_fake/faults", `{"operation_id":"nope","status":503}`), 400, codeInvalidParameter)
	requireError(t, h.ctl("POST", "/_fake/faults", `{"operation_id":"getGroup","delay":"soon"}`), 400, codeRequestNotValid)

	// Recipients.
	require.Equal(t, http.StatusOK, h.ctl("PUT", "/_fake/recipients/16315550470", `{"fail_with":470}`).status)
	var recips struct{ Recipients map[string]RecipientBehavior }
	h.ctl("GET", "/_fake/recipients", nil).decode(t, &recips)
	assert.Equal(t, 470, recips.Recipients["16315550470"].FailWith)
	requireError(t, h.ctl("PUT", "/_fake/recipients/abc", `{"blocked":true}`), 400, codeInvalidParameter)
	require.Equal(t, http.StatusOK, h.ctl("DELETE", "/_fake/recipients/16315550470", nil).status)
	assert.Empty(t, h.srv.Recipients())

	// Identity change and group join.
	r = h.ctl("POST", "/_fake/contacts/16315551234/identity-change", nil)
	require.Equal(t, http.StatusOK, r.status)
	gid := createGroup(t, h, "Joiners")
	link := inviteLink(t, h, gid)
	r = h.ctl("POST", "/_fake/groups/join", map[string]string{"link": link, "wa_id": "16315551234"})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Contains(t, groupInfo(t, h, gid).Participants, "16315551234")
	requireError(t, h.ctl("POST", "/_fake/groups/join", `{"link":"https://chat.whatsapp.com/nope","wa_id":"16315551234"}`), 400, codeInvalidParameter)

	// Reset: back to the initial state (the clock keeps its time).
	require.Equal(t, http.StatusOK, h.ctl("POST", "/_fake/reset", nil).status)
	requireError(t, h.get("/v1/groups"), 401, codeAccessDenied)
	h.admin = h.login("admin", testAdminPassword)
	var groups gen.GroupListEnvelope
	h.get("/v1/groups").decode(t, &groups)
	assert.Empty(t, groups.Groups)
	assert.Empty(t, h.srv.SentMessages())
	assert.Empty(t, h.srv.DeliveryLog())
	assert.Empty(t, h.srv.Faults())
	assert.Nil(t, appSettings(t, h).Webhooks.URL)
}

func TestInjectNotification(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t, WithWebhookURL(rec.URL))
	r := h.ctl("POST", "/_fake/notifications", `{"errors":[{"code":400,"title":"Media download error","details":"Failed to download the media from the sender."}]}`)
	require.Equal(t, http.StatusAccepted, r.status, string(r.body))
	requireError(t, h.ctl("POST", "/_fake/notifications", `{}`), 400, codeInvalidParameter)
	requireError(t, h.ctl("POST", "/_fake/notifications", `{"statuses":[{"id":"x"}]}`), 400, codeInvalidParameter)
	h.advance(0)
	notes := rec.Notifications()
	require.Len(t, notes, 1)
	assert.Equal(t, 400, (*notes[0].Errors)[0].Code)
	assert.Equal(t, kindErrors, h.srv.DeliveryLog()[0].Kind)
}

func TestControlAPICanBeTurnedOff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithoutControlAPI())
	requireError(t, h.ctl("GET", "/_fake/", nil), 404, codeNotFound)
	requireError(t, h.ctl("POST", "/_fake/reset", nil), 404, codeNotFound)
}

func TestResetDropsScheduledWork(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t, WithWebhookURL(rec.URL))
	h.sendText("16315551234", "before reset")
	require.NoError(t, h.srv.Reset())
	h.admin = h.login("admin", testAdminPassword)
	h.advance(time.Second)
	assert.Empty(t, rec.Statuses(), "statuses of the old state are dropped")
	h.sendText("16315551234", "after reset")
	h.advance(time.Second)
	assert.Len(t, rec.Statuses(), 2, "delivered and read, as configured by default")
}
