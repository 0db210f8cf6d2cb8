package tests

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/bridge/bridgetest"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/webhook"
)

const e2eCustomer = "16315551234"

// bridgeStack is the whole chain of issue 12, offline (package bridgetest: the fake's Cloud
// dialect standing in for Graph, a bridge on a SQLite file in front of it with its relay)
// and an On-Premises webhook receiver over TLS. Every answer of the bridge's On-Premises API
// goes through the contract middleware.
type bridgeStack struct {
	*bridgetest.Server
	inbox  *e2eInbox
	hook   string // the receiver's URL
	hookCA []byte // the PEM certificate of the receiver, uploaded as the webhook CA
}

func newBridgeStack(t *testing.T) *bridgeStack {
	t.Helper()
	srv := bridgetest.New(t, bridgetest.WithHandlerWrapper(func(h http.Handler) http.Handler {
		return newContractMiddleware(t, h, nil)
	}))
	s := &bridgeStack{Server: srv, inbox: &e2eInbox{}}
	dedupe, err := webhook.NewDedupe(10_000, time.Hour)
	require.NoError(t, err)
	h, err := webhook.NewHandler(webhook.WithLogger(slog.New(slog.DiscardHandler)), webhook.WithDedupe(dedupe),
		webhook.WithStatusFunc(s.inbox.status), webhook.WithMessageFunc(s.inbox.message))
	require.NoError(t, err)
	receiver := httptest.NewTLSServer(h)
	t.Cleanup(receiver.Close)
	s.hook = receiver.URL + "/webhook"
	s.hookCA = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: receiver.Certificate().Raw})
	return s
}

// client returns an unchanged api.Client logged in to the bridge as the admin.
func (s *bridgeStack) client(t *testing.T) *api.Client {
	t.Helper()
	c, err := api.NewClient(s.URL, api.WithCredentials("admin", "secret"), api.WithNewPassword(contractAdminPass),
		api.WithCACertPEM(s.CACertPEM))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// e2eInbox collects what the receiver was given.
type e2eInbox struct {
	mu       sync.Mutex
	statuses map[string][]string // message id -> statuses in order
	messages []*webhook.Message
}

func (b *e2eInbox) status(_ context.Context, st *webhook.Status) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.statuses == nil {
		b.statuses = map[string][]string{}
	}
	b.statuses[st.ID] = append(b.statuses[st.ID], string(st.Status))
	return nil
}

func (b *e2eInbox) message(_ context.Context, m *webhook.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.messages = append(b.messages, m)
	return nil
}

func (b *e2eInbox) statusesOf(id string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.statuses[id]...)
}

func (b *e2eInbox) messageCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.messages)
}

// TestBridgeEndToEnd runs the On-Premises life of an integration through the bridge: the
// unchanged api.Client logs in, sets webhooks.url, uploads media, sends a text and an image,
// receives their sent/delivered/read statuses as flat On-Premises callbacks (converted by
// the bridge from the fake's signed Cloud webhooks, through the SQLite outbox), receives an
// inbound reply, marks it read and downloads the media back.
func TestBridgeEndToEnd(t *testing.T) {
	t.Parallel()
	s := newBridgeStack(t)
	c := s.client(t)
	ctx := t.Context()

	require.NoError(t, c.UploadWebhookCACertificate(ctx, s.hookCA))
	require.NoError(t, c.UpdateApplicationSettings(ctx, api.NewSettingsUpdate().WebhookURL(s.hook).
		StatusWebhooks(true, true, true).Build()))

	png := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 64)
	mediaID, err := c.UploadMedia(ctx, bytes.NewReader(png), "image/png")
	require.NoError(t, err)

	textID, err := c.SendText(ctx, e2eCustomer, "Your order has shipped")
	require.NoError(t, err)
	imageID, err := c.SendImage(ctx, e2eCustomer, api.Media{ID: mediaID, Caption: "the parcel"})
	require.NoError(t, err)
	for _, id := range []string{textID, imageID} {
		require.Eventually(t, func() bool { return len(s.inbox.statusesOf(id)) >= 3 }, 20*time.Second, 20*time.Millisecond,
			"statuses of %s: %v", id, s.inbox.statusesOf(id))
		// The Webapp does not order callbacks (up to max_concurrent_requests in flight), and
		// neither does the bridge: each status once, in any order.
		assert.ElementsMatch(t, []string{"sent", "delivered", "read"}, s.inbox.statusesOf(id), "statuses of %s", id)
	}

	in, err := s.Fake.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: e2eCustomer,
		Type: webhook.MessageTypeText, Text: &gen.InboundText{Body: "Thanks!"}}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return s.inbox.messageCount() == 1 }, 20*time.Second, 20*time.Millisecond)
	s.inbox.mu.Lock()
	got := s.inbox.messages[0]
	s.inbox.mu.Unlock()
	assert.Equal(t, in.ID, got.ID)
	assert.Equal(t, e2eCustomer, got.From)
	require.NotNil(t, got.Text)
	assert.Equal(t, "Thanks!", got.Text.Body)
	require.NoError(t, c.MarkRead(ctx, got.ID))

	body, ct, err := c.DownloadMedia(ctx, mediaID)
	require.NoError(t, err)
	back, err := io.ReadAll(body)
	require.NoError(t, body.Close())
	require.NoError(t, err)
	assert.Equal(t, png, back)
	assert.Equal(t, "image/png", ct)

	// Every Cloud webhook was delivered to the bridge once and acknowledged: a Meta
	// redelivery would have been absorbed by the outbox's dedupe keys, not forwarded again.
	for _, d := range s.Fake.CloudDeliveries() {
		assert.Equal(t, http.StatusOK, d.Status, "Cloud delivery %s attempt %d: %s", d.Kind, d.Attempt, d.Error)
	}
}
