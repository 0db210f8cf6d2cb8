package onpremhttp

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wabiz/wabiz/gen"
)

// The rules of the application settings (GET/PATCH/DELETE /v1/settings/application), shared by
// the fake and the bridge so that both answer the same PATCH the same way: the defaults of a
// fresh client, the value checks the schema does not express, and the partial-update merge.

// DefaultSettings are the application settings of a fresh client (and after DELETE
// /v1/settings/application). The webhook URL has no default.
func DefaultSettings() gen.ApplicationSettings {
	max6 := gen.ApplicationWebhookSettingsMaxConcurrentRequestsN6
	return gen.ApplicationSettings{
		CallbackPersist:           setPtr(true),
		CallbackBackoffDelayMs:    setPtr(json.Number("3000")),
		MaxCallbackBackoffDelayMs: setPtr(json.Number("900000")),
		Media:                     &gen.ApplicationMediaSettings{AutoDownload: &[]gen.AutoDownloadMediaType{}},
		Webhooks: &gen.ApplicationWebhookSettings{
			MaxConcurrentRequests: &max6,
			Message:               &gen.ApplicationWebhookMessageSettings{Sent: setPtr(false), Delivered: setPtr(true), Read: setPtr(true)},
		},
		GarbagecollectorEnable:         &gen.ApplicationGarbageCollectorSettings{Media: setPtr(false), Messages: setPtr(true)},
		HeartbeatInterval:              setPtr(5),
		UnhealthyInterval:              setPtr(30),
		NotifyUserChangeNumber:         setPtr(false),
		ShowSecurityNotifications:      setPtr(false),
		AxolotlContextStripingDisabled: setPtr(false),
		SkipReferralMediaDownload:      setPtr(false),
		VerboseLogging:                 setPtr(false),
		LogLevel:                       setPtr("info"),
		SentStatus:                     setPtr(false),
		PassThrough:                    setPtr(false),
		DBGarbagecollectorEnable:       setPtr(true),
		WebhookPayloadConversationPricingmodelDisabled: setPtr(false),
	}
}

// CloneSettings deep-copies settings.
func CloneSettings(in gen.ApplicationSettings) gen.ApplicationSettings {
	var out gen.ApplicationSettings
	b, _ := json.Marshal(in)
	_ = json.Unmarshal(b, &out)
	return out
}

// NormalizeSettings fills what a stored document or a backup of another build may lack with
// the defaults, so that every nested object a server reads exists.
func NormalizeSettings(set *gen.ApplicationSettings) {
	def := DefaultSettings()
	if set.Webhooks == nil {
		set.Webhooks = def.Webhooks
	}
	if set.Webhooks.Message == nil {
		set.Webhooks.Message = def.Webhooks.Message
	}
	if set.Webhooks.MaxConcurrentRequests == nil {
		set.Webhooks.MaxConcurrentRequests = def.Webhooks.MaxConcurrentRequests
	}
	if set.Media == nil {
		set.Media = def.Media
	}
	if set.GarbagecollectorEnable == nil {
		set.GarbagecollectorEnable = def.GarbagecollectorEnable
	}
	if set.CallbackBackoffDelayMs == nil {
		set.CallbackBackoffDelayMs = def.CallbackBackoffDelayMs
	}
	if set.MaxCallbackBackoffDelayMs == nil {
		set.MaxCallbackBackoffDelayMs = def.MaxCallbackBackoffDelayMs
	}
}

// CheckSettingsPatch refuses the bodies of PATCH /v1/settings/application that the Webapp
// refuses before looking at values: an empty body and the read-only wa_id.
func CheckSettingsPatch(b *gen.ApplicationSettings) *Error {
	if b == nil || *b == (gen.ApplicationSettings{}) {
		return Errorf(CodeInvalidParameter, "No valid parameters provided")
	}
	if b.WaID != nil {
		return Errorf(CodeParameterNotWanted, "Parameter 'wa_id' is read-only and must not be sent")
	}
	return nil
}

// CheckSettingValues applies the value rules of application settings that the schema does not
// express (URL scheme, allowed concurrency, known media types, intervals), for PATCH and for a
// restored backup alike. plainHTTP allows http:// webhook URLs (a server relaxed for local
// receivers). It returns the two back-off delays in milliseconds, -1 when absent.
func CheckSettingValues(b *gen.ApplicationSettings, plainHTTP bool) (backoff, maxBackoff int64, e *Error) {
	backoff, maxBackoff = -1, -1
	if b.CallbackBackoffDelayMs != nil {
		n, err := b.CallbackBackoffDelayMs.Int64()
		if err != nil || n < 0 {
			return -1, -1, Errorf(CodeInvalidParameter, "Parameter 'callback_backoff_delay_ms' must be a non-negative number of milliseconds")
		}
		backoff = n
	}
	if b.MaxCallbackBackoffDelayMs != nil {
		n, err := b.MaxCallbackBackoffDelayMs.Int64()
		if err != nil || n < 0 {
			return -1, -1, Errorf(CodeInvalidParameter, "Parameter 'max_callback_backoff_delay_ms' must be a non-negative number of milliseconds")
		}
		maxBackoff = n
	}
	if w := b.Webhooks; w != nil {
		if w.URL != nil && *w.URL != "" { // an empty URL removes it (spec: ApplicationWebhookSettings.url)
			if err := CheckWebhookURL(*w.URL, plainHTTP); err != nil {
				return -1, -1, Errorf(CodeInvalidParameter, "Parameter 'webhooks.url' is not valid: %v", err)
			}
		}
		if w.MaxConcurrentRequests != nil && !w.MaxConcurrentRequests.Valid() {
			return -1, -1, Errorf(CodeInvalidParameter, "Parameter 'webhooks.max_concurrent_requests' must be one of 6, 12, 18, 24")
		}
	}
	if b.Media != nil && b.Media.AutoDownload != nil {
		for _, t := range *b.Media.AutoDownload {
			if !t.Valid() {
				return -1, -1, Errorf(CodeInvalidParameter, "Parameter 'media.auto_download' has an unknown media type %q", t)
			}
		}
	}
	for _, c := range []struct {
		name string
		v    *int
	}{{"heartbeat_interval", b.HeartbeatInterval}, {"unhealthy_interval", b.UnhealthyInterval}} {
		if c.v != nil && *c.v < 1 {
			return -1, -1, Errorf(CodeInvalidParameter, "Parameter '%s' must be at least 1", c.name)
		}
	}
	return backoff, maxBackoff, nil
}

// ErrPassThrough is the answer to enabling pass_through, which the Webapp refuses since v2.35.
func ErrPassThrough() *Error {
	return Errorf(CodeInvalidParameter, "Parameter 'pass_through' can no longer be enabled (since v2.35)")
}

// MergeSettings applies the PATCH body b, already checked with CheckSettingsPatch and
// CheckSettingValues (whose back-off results it takes), to cur: fields sent replace the
// current ones, fields omitted stay. cur must be normalized (NormalizeSettings).
func MergeSettings(cur, b *gen.ApplicationSettings, backoff, maxBackoff int64) *Error {
	if b.PassThrough != nil && *b.PassThrough && (cur.PassThrough == nil || !*cur.PassThrough) {
		return ErrPassThrough()
	}
	if backoff >= 0 {
		cur.CallbackBackoffDelayMs = setPtr(json.Number(strconv.FormatInt(backoff, 10)))
	}
	if maxBackoff >= 0 {
		cur.MaxCallbackBackoffDelayMs = setPtr(json.Number(strconv.FormatInt(maxBackoff, 10)))
	}
	setBool := func(dst **bool, v *bool) {
		if v != nil {
			*dst = setPtr(*v)
		}
	}
	setBool(&cur.CallbackPersist, b.CallbackPersist)
	setBool(&cur.NotifyUserChangeNumber, b.NotifyUserChangeNumber)
	setBool(&cur.ShowSecurityNotifications, b.ShowSecurityNotifications)
	setBool(&cur.AxolotlContextStripingDisabled, b.AxolotlContextStripingDisabled)
	setBool(&cur.SkipReferralMediaDownload, b.SkipReferralMediaDownload)
	setBool(&cur.VerboseLogging, b.VerboseLogging)
	setBool(&cur.SentStatus, b.SentStatus)
	setBool(&cur.PassThrough, b.PassThrough)
	setBool(&cur.DBGarbagecollectorEnable, b.DBGarbagecollectorEnable)
	setBool(&cur.WebhookPayloadConversationPricingmodelDisabled, b.WebhookPayloadConversationPricingmodelDisabled)
	if b.HeartbeatInterval != nil {
		cur.HeartbeatInterval = setPtr(*b.HeartbeatInterval)
	}
	if b.UnhealthyInterval != nil {
		cur.UnhealthyInterval = setPtr(*b.UnhealthyInterval)
	}
	if b.LogLevel != nil {
		cur.LogLevel = setPtr(*b.LogLevel)
	}
	if b.OnCallPager != nil {
		cur.OnCallPager = setPtr(*b.OnCallPager)
	}
	if b.Media != nil && b.Media.AutoDownload != nil {
		cur.Media.AutoDownload = setPtr(slices.Clone(*b.Media.AutoDownload))
	}
	if g := b.GarbagecollectorEnable; g != nil {
		setBool(&cur.GarbagecollectorEnable.Media, g.Media)
		setBool(&cur.GarbagecollectorEnable.Messages, g.Messages)
	}
	if w := b.Webhooks; w != nil {
		if w.URL != nil {
			cur.Webhooks.URL = setPtr(*w.URL)
		}
		if w.MaxConcurrentRequests != nil {
			cur.Webhooks.MaxConcurrentRequests = setPtr(*w.MaxConcurrentRequests)
		}
		if m := w.Message; m != nil {
			setBool(&cur.Webhooks.Message.Sent, m.Sent)
			setBool(&cur.Webhooks.Message.Delivered, m.Delivered)
			setBool(&cur.Webhooks.Message.Read, m.Read)
		}
	}
	return nil
}

// CheckWebhookURL accepts absolute https:// URLs, and http:// ones only with plainHTTP. The
// error names the URL with its credentials and query redacted.
func CheckWebhookURL(u string, plainHTTP bool) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", redactURL(u))
	}
	if p.Scheme != "https" && !plainHTTP {
		return fmt.Errorf("%q is not an https:// URL (the server posts webhooks over HTTPS only)", redactURL(u))
	}
	return nil
}

// redactURL keeps scheme and host of a URL for error texts and drops what may be secret
// (user info, path, query).
func redactURL(raw string) string {
	p, err := url.Parse(raw)
	if err != nil || p.Host == "" {
		if i := strings.Index(raw, "://"); i > 0 {
			return raw[:i+3] + "…"
		}
		return "…"
	}
	out := p.Scheme + "://" + p.Host
	if p.Path != "" || p.RawQuery != "" {
		out += "/…"
	}
	return out
}

func setPtr[T any](v T) *T { return &v }
