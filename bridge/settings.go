package bridge

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/wabiz/wabiz/bridge/relay"
	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// The application settings live in the store's settings document, one JSON object:
//
//	{"application": <ApplicationSettings>, "webhook_ca": "<PEM>"}
//
// Other top-level keys are kept as they are, so that another part of the bridge may keep its
// own state in the same document. Every change is a compare-and-swap on the document's
// version, retried on conflict, so two PATCHes at once (or a PATCH and a CA upload) both land.
//
// The rules (defaults, value checks, the merge of a partial update) are the fake's, shared
// through internal/onpremhttp. What each field means on the bridge:
//
//   - webhooks.url, webhooks.max_concurrent_requests, webhooks.message.{sent,delivered,read},
//     the legacy sent_status, callback_backoff_delay_ms and max_callback_backoff_delay_ms
//     drive the relay (see RelaySettings): where callbacks go, how many at once, which
//     statuses, and the linear backoff between failed attempts.
//   - Every other field (callback_persist, media.auto_download, garbagecollector_enable,
//     heartbeat_interval, unhealthy_interval, notify_user_change_number,
//     show_security_notifications, pass_through, db_garbagecollector_enable, verbose_logging,
//     log_level, on_call_pager, axolotl_context_striping_disabled,
//     skip_referral_media_download, webhook_payload_conversation_pricingmodel_disabled) means
//     nothing on the Cloud API: it is checked like on the Webapp, stored and returned, and has
//     no effect. Integrations PATCH them blindly at start, so refusing them would break them.
//     The relay always persists callbacks (the outbox) whatever callback_persist says.

// settingsDoc is the decoded settings document.
type settingsDoc struct {
	version int64
	app     gen.ApplicationSettings
	// webhookCA is the PEM bundle uploaded with POST /v1/certificates/webhooks/ca.
	webhookCA string
	// rest are the top-level keys this file does not own, kept verbatim.
	rest map[string]json.RawMessage
}

const (
	docKeyApplication = "application"
	docKeyWebhookCA   = "webhook_ca"
	// settingsCASRetries bounds the compare-and-swap loop; a conflict means another writer
	// won, so the loop only spins while writers keep racing.
	settingsCASRetries = 32
)

// loadSettings reads and decodes the settings document; a fresh store gives the defaults.
func (b *Bridge) loadSettings(ctx context.Context) (settingsDoc, error) {
	s, err := b.store.Settings(ctx)
	if err != nil {
		return settingsDoc{}, fmt.Errorf("bridge: read settings: %w", err)
	}
	d := settingsDoc{version: s.Version, app: onpremhttp.DefaultSettings(), rest: map[string]json.RawMessage{}}
	if len(s.Document) > 0 {
		if err := json.Unmarshal(s.Document, &d.rest); err != nil {
			return settingsDoc{}, fmt.Errorf("bridge: settings document: %w", err)
		}
	}
	if raw, ok := d.rest[docKeyApplication]; ok {
		var app gen.ApplicationSettings
		if err := json.Unmarshal(raw, &app); err != nil {
			return settingsDoc{}, fmt.Errorf("bridge: settings document: application: %w", err)
		}
		d.app = app
		delete(d.rest, docKeyApplication)
	}
	onpremhttp.NormalizeSettings(&d.app)
	if raw, ok := d.rest[docKeyWebhookCA]; ok {
		if err := json.Unmarshal(raw, &d.webhookCA); err != nil {
			return settingsDoc{}, fmt.Errorf("bridge: settings document: webhook_ca: %w", err)
		}
		delete(d.rest, docKeyWebhookCA)
	}
	return d, nil
}

// encode builds the stored document.
func (d settingsDoc) encode() (json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(d.rest)+2)
	for k, v := range d.rest {
		out[k] = v
	}
	app, err := json.Marshal(d.app)
	if err != nil {
		return nil, err
	}
	out[docKeyApplication] = app
	if d.webhookCA != "" {
		ca, err := json.Marshal(d.webhookCA)
		if err != nil {
			return nil, err
		}
		out[docKeyWebhookCA] = ca
	}
	return json.Marshal(out)
}

// updateSettings applies change to the current document and stores it with compare-and-swap,
// reading again and reapplying change after a conflict. An *onpremhttp.Error from change is
// returned as is (nothing is written).
func (b *Bridge) updateSettings(ctx context.Context, change func(*settingsDoc) error) error {
	for range settingsCASRetries {
		d, err := b.loadSettings(ctx)
		if err != nil {
			return err
		}
		if err := change(&d); err != nil {
			return err
		}
		doc, err := d.encode()
		if err != nil {
			return fmt.Errorf("bridge: encode settings: %w", err)
		}
		_, err = b.store.UpdateSettings(ctx, d.version, doc)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("bridge: write settings: %w", err)
		}
		// A new webhooks.url (or backoff) applies at once: the relay would otherwise notice
		// it at its next recheck, up to a second later.
		if w, ok := b.cfg.Relay.(interface{ Wake() }); ok {
			w.Wake()
		}
		return nil
	}
	return onpremhttp.Statusf(http.StatusServiceUnavailable, onpremhttp.CodeOverloaded,
		"the settings changed %d times while this update was applied; retry", settingsCASRetries)
}

// GetApplicationSettings returns every setting with its current value (the defaults until a
// PATCH). wa_id is the number the bridge serves, when known.
func (b *Bridge) GetApplicationSettings(ctx context.Context, _ gen.GetApplicationSettingsRequestObject) (gen.GetApplicationSettingsResponseObject, error) {
	d, err := b.loadSettings(ctx)
	if err != nil {
		return nil, err
	}
	return gen.GetApplicationSettings200JSONResponse{Body: gen.ApplicationSettingsEnvelope{
		Settings: gen.ApplicationSettingsContainer{Application: d.app},
		Meta:     b.meta,
	}}, nil
}

// UpdateApplicationSettings merges the settings sent into the stored ones after the Webapp's
// checks (shared with the fake). A change reaches the relay at its next delivery round.
func (b *Bridge) UpdateApplicationSettings(ctx context.Context, req gen.UpdateApplicationSettingsRequestObject) (gen.UpdateApplicationSettingsResponseObject, error) {
	body := req.Body
	if e := onpremhttp.CheckSettingsPatch(body); e != nil {
		return nil, e
	}
	backoff, maxBackoff, e := onpremhttp.CheckSettingValues(body, b.plainHTTPWebhooks)
	if e != nil {
		return nil, e
	}
	err := b.updateSettings(ctx, func(d *settingsDoc) error {
		if e := onpremhttp.MergeSettings(&d.app, body, backoff, maxBackoff); e != nil {
			return e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gen.UpdateApplicationSettings200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}

// ResetApplicationSettings restores the defaults (the webhook URL is cleared). The webhook CA
// is a certificate, not a setting, and stays, as on the Webapp.
func (b *Bridge) ResetApplicationSettings(ctx context.Context, _ gen.ResetApplicationSettingsRequestObject) (gen.ResetApplicationSettingsResponseObject, error) {
	err := b.updateSettings(ctx, func(d *settingsDoc) error {
		waID := d.app.WaID
		d.app = onpremhttp.DefaultSettings()
		d.app.WaID = waID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gen.ResetApplicationSettings200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}

// RelaySettings turns the stored settings into the relay's (it is a relay.SettingsFunc): URL,
// concurrency, linear backoff, the status toggles (sent is on when either webhooks.message.sent
// or the legacy sent_status is), and the uploaded webhook CA on top of the system roots.
func (b *Bridge) RelaySettings(ctx context.Context) (relay.Settings, error) {
	d, err := b.loadSettings(ctx)
	if err != nil {
		return relay.Settings{}, err
	}
	return relaySettingsOf(d)
}

var _ relay.SettingsFunc = (*Bridge)(nil).RelaySettings

func relaySettingsOf(d settingsDoc) (relay.Settings, error) {
	a := d.app
	isOn := func(p *bool) bool { return p != nil && *p }
	out := relay.Settings{
		MaxConcurrent:   int(*a.Webhooks.MaxConcurrentRequests),
		BackoffDelay:    msDuration(a.CallbackBackoffDelayMs, 3000),
		MaxBackoffDelay: msDuration(a.MaxCallbackBackoffDelayMs, 900000),
		Sent:            isOn(a.Webhooks.Message.Sent) || isOn(a.SentStatus),
		Delivered:       isOn(a.Webhooks.Message.Delivered),
		Read:            isOn(a.Webhooks.Message.Read),
	}
	if a.Webhooks.URL != nil {
		out.URL = *a.Webhooks.URL
	}
	if d.webhookCA != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(d.webhookCA)) {
			return relay.Settings{}, errors.New("bridge: the stored webhook CA holds no certificate")
		}
		out.RootCAs = pool
	}
	return out, nil
}

// msDuration reads a millisecond setting, def when absent or unreadable (the checks refuse
// such values, so def only covers a document written by something else).
func msDuration(n *json.Number, def int64) time.Duration {
	ms := def
	if n != nil {
		if v, err := n.Int64(); err == nil && v >= 0 {
			ms = v
		}
	}
	return time.Duration(ms) * time.Millisecond
}

// Media providers are refused: on the Webapp they hold credentials with which the Coreapp
// downloads media links (provider.name in a message). The Cloud API fetches links itself,
// without credentials, so stored providers would be credentials that are never used while
// sends by link with a provider fail anyway. Refusing says so at configuration time.

// GetMediaProviders is refused (see refusals.go).
func (b *Bridge) GetMediaProviders(context.Context, gen.GetMediaProvidersRequestObject) (gen.GetMediaProvidersResponseObject, error) {
	return nil, refuse("getMediaProviders")
}

// UpdateMediaProviders is refused (see refusals.go).
func (b *Bridge) UpdateMediaProviders(context.Context, gen.UpdateMediaProvidersRequestObject) (gen.UpdateMediaProvidersResponseObject, error) {
	return nil, refuse("updateMediaProviders")
}

// DeleteMediaProvider is refused (see refusals.go).
func (b *Bridge) DeleteMediaProvider(context.Context, gen.DeleteMediaProviderRequestObject) (gen.DeleteMediaProviderResponseObject, error) {
	return nil, refuse("deleteMediaProvider")
}
