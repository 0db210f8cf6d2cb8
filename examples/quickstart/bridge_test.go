package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/bridge/bridgetest"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/webhook"
)

// TestQuickstartThroughTheBridge runs the quickstart, unchanged and configured only by its
// WA_* variables as for a real deployment, against wabridge in front of the fake's Cloud
// dialect (issue 12: an On-Premises integration moves by changing its base URL). The fake
// plays the customer: once the first message went out through the bridge, it replies with a
// Cloud webhook, which the bridge forwards to the quickstart's receiver.
func TestQuickstartThroughTheBridge(t *testing.T) {
	t.Parallel()
	srv := bridgetest.New(t, bridgetest.WithFakeOptions(fake.WithStatusDelays(testDelays)))
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, srv.CACertPEM, 0o600))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	listen := ln.Addr().String()
	require.NoError(t, ln.Close())

	env := map[string]string{
		"WA_BASE_URL":           srv.URL,
		"WA_CA_FILE":            caFile,
		"WA_PASSWORD":           "secret",
		"WA_NEW_PASSWORD":       "Quickstart-bridge-1!",
		"WA_TO":                 "+1 631 555 1234",
		"WA_WEBHOOK_LISTEN":     listen,
		"WA_WEBHOOK_PUBLIC_URL": "http://" + listen + "/webhook",
		"WA_TEMPLATE_NAMESPACE": "c8ae5f90_307a_ca4c_b8f6_d1e2a2573574",
		"WA_TEMPLATE_NAME":      "quickstart_hello",
		"WA_REPLY_TIMEOUT":      "30s",
	}
	cfg, err := configFromEnv(func(k string) string { return env[k] }, os.ReadFile)
	require.NoError(t, err)
	cfg.StatusTimeout = 30 * time.Second

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	replied := make(chan error, 1)
	go func() { replied <- replyToTheFirstMessage(ctx, srv.Fake.Server, "16315551234") }()

	var out bytes.Buffer
	require.NoError(t, run(ctx, cfg, &out), out.String())
	require.NoError(t, <-replied)

	assertLines(t, []string{
		`wabiz quickstart against https://127\.0\.0\.1:\d+, customer \+1 631 555 1234`,
		`  ! WA_WEBHOOK_PUBLIC_URL is http://: .*`,
		``,
		`✓  1/11 login     admin, password changed on first login` + duration,
		`✓  2/11 health    gateway connected, number already registered` + duration,
		`✓  3/11 webhook   listening on 127\.0\.0\.1:\d+, webhooks\.url = http://127\.0\.0\.1:\d+/webhook` + duration,
		`✓  4/11 contact   \+1 631 555 1234 is on WhatsApp as 16315551234` + duration,
		`✓  5/11 upload    \d+-byte PNG drawn in code, media id \S+` + duration,
		`✓  6/11 text      sent, id \S+` + duration,
		`✓  7/11 image     sent, id \S+` + duration,
		`✓  8/11 template  quickstart_hello \(en_US\) sent, id \S+` + duration,
		`  → On the phone of \+1 631 555 1234, open the chat and reply to the business \(waiting up to 30s\)\.`,
		`✓  9/11 statuses  sent, delivered and read for text, image, template` + duration,
		`✓ 10/11 reply     "Thanks, got it" from Customer 16315551234 \(16315551234\), marked read` + duration,
		`✓ 11/11 download  \d+ bytes image/png, identical to the upload \(sha256 [0-9a-f]{8}…\)` + duration,
		``,
		`All 11 steps passed in ` + duration[3:] + `\.`,
		`  · webhook settings restored \(webhooks\.url = ""\)`,
	}, out.String())
}

// replyToTheFirstMessage waits until the business sent its first message to waID, then
// injects the customer's text reply to it.
func replyToTheFirstMessage(ctx context.Context, f *fake.Server, waID string) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, m := range f.SentMessages() {
			id := m.ID
			_, err := f.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: waID,
				Type: webhook.MessageTypeText, Text: &gen.InboundText{Body: "Thanks, got it"},
				Context: &gen.InboundContext{ID: &id}}})
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
