// Package relay is the webhook side of wabridge: it receives the Cloud API's webhooks (GET
// verification handshake, X-Hub-Signature-256), writes each change as flat On-Premises
// callbacks to the store's outbox before Meta gets its 200, and forwards the outbox to the
// integration's webhooks.url with the On-Premises delivery rules (linear backoff from the
// settings, at most max_concurrent_requests in flight, at least once, deduplicated).
package relay

import (
	"context"
	"crypto/x509"
	"time"
)

// Settings is how the relay forwards, taken from the bridge's application settings at each
// delivery round (a PATCH of the settings applies without a restart).
type Settings struct {
	// URL is webhooks.url; empty means callbacks wait in the outbox until one is set.
	URL string
	// MaxConcurrent is webhooks.max_concurrent_requests (6, 12, 18 or 24; default 6).
	MaxConcurrent int
	// BackoffDelay is callback_backoff_delay_ms, the linear step between failed attempts
	// (default 3 s); MaxBackoffDelay is max_callback_backoff_delay_ms, its cap (default 15 min).
	BackoffDelay, MaxBackoffDelay time.Duration
	// Sent, Delivered and Read are webhooks.message.{sent,delivered,read} (sent also from
	// the legacy sent_status): which status callbacks are forwarded. Cloud always sends all
	// three; the relay drops the ones switched off.
	Sent, Delivered, Read bool
	// RootCAs verifies the integration's TLS certificate when set (the webhook CA uploaded
	// with POST /v1/certificates/webhooks/ca); nil means the system roots.
	RootCAs *x509.CertPool
}

// SettingsFunc returns the current Settings.
type SettingsFunc func(ctx context.Context) (Settings, error)
