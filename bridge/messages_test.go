package bridge

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

const customer = "16315551234"

// TestSendMessageOverTheFakesCloudDialect sends On-Premises messages of several types through
// the bridge to the fake's Cloud routes (which validate every request against
// spec/cloud.yaml): the answer is 201 with the Cloud message id, valid against the
// On-Premises spec, and the fake recorded the message as the Cloud API received it.
func TestSendMessageOverTheFakesCloudDialect(t *testing.T) {
	t.Parallel()
	b, srv := opsBridge(t, fake.WithoutCloudServiceWindow())
	ctx := t.Context()
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 600)...)
	up, err := b.UploadMedia(ctx, gen.UploadMediaRequestObject{ContentType: "image/png", Body: bytes.NewReader(png)})
	require.NoError(t, err)
	mediaID := up.(gen.UploadMedia201JSONResponse).Body.Media[0].ID

	image := api.NewTextMessage(customer, "unused")
	image.Text, image.Type = nil, ptrTo(gen.MessageTypeImage)
	image.Image = &gen.OutboundMedia{ID: &mediaID, Caption: ptrTo("Your receipt")}
	tmpl := &gen.Message{To: customer, Type: ptrTo(gen.MessageTypeTemplate), Template: &gen.Template{
		Namespace: "c8ae5f90_307a_ca4c_b8f6_d1e2a2573574", Name: "hello_world",
		Language: gen.TemplateLanguage{Code: "en_US", Policy: ptrTo(gen.TemplateLanguagePolicyDeterministic)},
	}}
	preview := textMessage(customer, "Your order has shipped: https://shop.example.com/o/1")
	preview.PreviewURL = ptrTo(true)

	cases := []struct {
		name string
		msg  *gen.Message
		typ  string
	}{
		{"text", textMessage(customer, "Hello from the bridge"), "text"},
		{"text with preview", preview, "text"},
		{"image by uploaded id", image, "image"},
		{"template without namespace on Cloud", tmpl, "template"},
	}
	for _, tc := range cases {
		resp, err := b.SendMessage(ctx, gen.SendMessageRequestObject{Body: tc.msg})
		require.NoError(t, err, tc.name)
		rec := checkAnswer(t, b, http.MethodPost, "/v1/messages", resp, err)
		assert.Equal(t, http.StatusCreated, rec.Code, tc.name)
		id := resp.(onpremhttp.Accepted).ID
		assert.True(t, strings.HasPrefix(id, "wamid."), "%s: the Cloud message id is the On-Premises id: %s", tc.name, id)
		sent := lastSent(t, srv)
		assert.Equal(t, id, sent.ID, tc.name)
		assert.Equal(t, tc.typ, sent.Type, tc.name)
		assert.Equal(t, customer, sent.To, tc.name)
	}
}

// TestSendMessageRefusesWhatTheCloudCannotExpress: a ttl, a group recipient, mentions, a
// media provider or an instant-messaging handle are refused with 400, the code the On-Premises
// table gives that kind of problem, and details naming the field and the Cloud alternative;
// nothing reaches the Cloud API.
func TestSendMessageRefusesWhatTheCloudCannotExpress(t *testing.T) {
	t.Parallel()
	b, srv := opsBridge(t, fake.WithoutCloudServiceWindow())
	withTTL := textMessage(customer, "expires")
	withTTL.TTL = &gen.MessageTTL{}
	require.NoError(t, withTTL.TTL.FromMessageTTLSeconds(60))
	group := textMessage("16315558032-1530825318", "hello group")
	group.RecipientType = ptrTo(gen.MessageRecipientTypeGroup)
	mentions := textMessage(customer, "@16315551000 hi")
	mentions.RenderMentions = ptrTo(true)
	provider := &gen.Message{To: customer, Type: ptrTo(gen.MessageTypeImage),
		Image: &gen.OutboundMedia{Link: ptrTo("https://cdn.example.com/a.png"), Provider: &gen.MediaProviderRef{Name: "cdn"}}}
	cases := []struct {
		name          string
		msg           *gen.Message
		code          int
		field, advice string
	}{
		{"ttl", withTTL, onpremhttp.CodeParameterNotWanted, "'ttl'", "message_send_ttl_seconds"},
		{"group", group, onpremhttp.CodeInvalidRecipient, "'recipient_type'", "Groups API"},
		{"mentions", mentions, onpremhttp.CodeParameterNotWanted, "'render_mentions'", "no Cloud equivalent"},
		{"provider", provider, onpremhttp.CodeParameterNotWanted, "'*.provider'", "public HTTPS link"},
	}
	for _, tc := range cases {
		resp, err := b.SendMessage(t.Context(), gen.SendMessageRequestObject{Body: tc.msg})
		e := onPremError(t, err, http.StatusBadRequest, tc.code)
		assert.Contains(t, e.Details, tc.field, tc.name)
		assert.Contains(t, e.Details, tc.advice, tc.name)
		checkAnswer(t, b, http.MethodPost, "/v1/messages", resp, err)
	}
	assert.Empty(t, srv.SentMessages(), "nothing was sent")
}

// TestSendMessageAsksTheRelayFirst: with a relay whose outbox is full the send is 503/1016
// and nothing is sent; with room it goes out.
func TestSendMessageAsksTheRelayFirst(t *testing.T) {
	t.Parallel()
	_, srv := opsBridge(t, fake.WithoutCloudServiceWindow())
	full := bridgeFor(t, cloudClientOf(t, srv), fakeRelay{err: errOutboxFull})
	resp, err := full.SendMessage(t.Context(), gen.SendMessageRequestObject{Body: textMessage(customer, "hi")})
	e := onPremError(t, err, http.StatusServiceUnavailable, onpremhttp.CodeOverloaded)
	assert.Contains(t, e.Details, "outbox")
	checkAnswer(t, full, http.MethodPost, "/v1/messages", resp, err)
	assert.Empty(t, srv.SentMessages())

	room := bridgeFor(t, cloudClientOf(t, srv), fakeRelay{})
	_, err = room.SendMessage(t.Context(), gen.SendMessageRequestObject{Body: textMessage(customer, "hi")})
	require.NoError(t, err)
	assert.Len(t, srv.SentMessages(), 1)
}

// TestSendMessageGraphFailuresOverTheFake injects the Graph failures the fake's Cloud dialect
// produces and checks their On-Premises answers, each valid against the spec.
func TestSendMessageGraphFailuresOverTheFake(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		opts         []fake.Option
		token        string
		sends        int // the last one is checked
		status, code int
	}{
		{"131047 outside the service window", nil, "", 1, 400, 470},
		{"130429 throughput", []fake.Option{fake.WithoutCloudServiceWindow(), fake.WithCloudThroughput(1)}, "", 2, 429, 1015},
		{"131056 pair rate", []fake.Option{fake.WithoutCloudServiceWindow(), fake.WithCloudPairRateLimit(1, time.Hour)}, "", 2, 429, 1015},
		{"190 bad token", nil, "not-the-token", 1, 500, 1011},
		{"133010 not registered", []fake.Option{fake.WithUnregistered()}, "", 1, 500, 1011},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, srv := opsBridge(t, tc.opts...)
			if tc.token != "" {
				b = bridgeFor(t, cloudClientOf(t, srv, tc.token))
			}
			var resp gen.SendMessageResponseObject
			var err error
			for i := 0; i < tc.sends; i++ {
				resp, err = b.SendMessage(t.Context(), gen.SendMessageRequestObject{Body: textMessage(customer, "hi")})
			}
			e := onPremError(t, err, tc.status, tc.code)
			assert.Contains(t, e.Details, "fbtrace_id", "the Graph trace id is kept")
			assert.NotContains(t, e.Details, fake.DefaultCloudToken)
			checkAnswer(t, b, http.MethodPost, "/v1/messages", resp, err)
		})
	}
}

// TestMarkMessageAsReadSendsTheCloudReadReceipt: an inbound message is marked read on the
// Cloud API; an unknown id is 404/1006, as the On-Premises API answers.
func TestMarkMessageAsReadSendsTheCloudReadReceipt(t *testing.T) {
	t.Parallel()
	b, srv := opsBridge(t)
	in, err := srv.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: customer, Type: "text", Text: &gen.InboundText{Body: "Hi"}}})
	require.NoError(t, err)
	read := gen.MessageStatusUpdate{Status: gen.MessageStatusUpdateStatusRead}
	resp, err := b.MarkMessageAsRead(t.Context(), gen.MarkMessageAsReadRequestObject{MessageID: in.ID, Body: &read})
	require.NoError(t, err)
	checkAnswer(t, b, http.MethodPut, "/v1/messages/"+in.ID, resp, err)

	resp, err = b.MarkMessageAsRead(t.Context(), gen.MarkMessageAsReadRequestObject{MessageID: "wamid.unknown", Body: &read})
	e := onPremError(t, err, http.StatusNotFound, onpremhttp.CodeNotFound)
	assert.Contains(t, e.Details, "wamid.unknown")
	checkAnswer(t, b, http.MethodPut, "/v1/messages/wamid.unknown", resp, err)

	_, err = b.MarkMessageAsRead(t.Context(), gen.MarkMessageAsReadRequestObject{MessageID: in.ID})
	onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeInvalidParameter)
}

// lastSent returns the fake's last recorded message.
func lastSent(t *testing.T, srv *fake.TestServer) fake.SentMessage {
	t.Helper()
	sent := srv.SentMessages()
	require.NotEmpty(t, sent)
	return sent[len(sent)-1]
}

func ptrTo[T any](v T) *T { return &v }
