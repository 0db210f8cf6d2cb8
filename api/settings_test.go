package api

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/wabiz/wabiz/gen"
)

func TestSettingsWrappers(t *testing.T) {
	t.Parallel()
	runWrapperCases(t, []wrapperCase{
		{
			name: "GetApplicationSettings", method: "GET", path: "/v1/settings/application",
			resp: `{"settings":{"application":{"callback_backoff_delay_ms":3000,"webhooks":{"url":"https://hooks.example.com/wa"},
				"media":{"auto_download":["image","voice"]},"wa_id":"16315551019"}},"meta":{"version":"v2.45.1"}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetApplicationSettings(ctx) },
			want: &gen.ApplicationSettings{
				CallbackBackoffDelayMs: ptr(json.Number("3000")),
				Webhooks:               &gen.ApplicationWebhookSettings{URL: ptr("https://hooks.example.com/wa")},
				Media:                  &gen.ApplicationMediaSettings{AutoDownload: &[]gen.AutoDownloadMediaType{gen.AutoDownloadMediaTypeImage, gen.AutoDownloadMediaTypeVoice}},
				WaID:                   ptr("16315551019"),
			},
		},
		{
			name: "UpdateApplicationSettings", method: "PATCH", path: "/v1/settings/application",
			body: `{"webhooks":{"url":"https://hooks.example.com/wa","message":{"read":false}},"callback_backoff_delay_ms":3000}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.UpdateApplicationSettings(ctx, gen.ApplicationSettings{
					Webhooks:               &gen.ApplicationWebhookSettings{URL: ptr("https://hooks.example.com/wa"), Message: &gen.ApplicationWebhookMessageSettings{Read: ptr(false)}},
					CallbackBackoffDelayMs: ptr(json.Number("3000")),
				}))
			},
		},
		{
			name: "ResetApplicationSettings", method: "DELETE", path: "/v1/settings/application",
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.ResetApplicationSettings(ctx)) },
		},
		{
			name: "GetMediaProviders", method: "GET", path: "/v1/settings/application/media/providers",
			resp: `{"settings":{"application":{"media":{"providers":[{"name":"cdn","type":"www","config":{"bearer":"x"}}]}}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetMediaProviders(ctx) },
			want: []gen.MediaProvider{{Name: "cdn", Type: gen.MediaProviderTypeWww, Config: gen.MediaProviderConfig{Bearer: ptr("x")}}},
		},
		{
			name: "UpdateMediaProvider_defaults_the_type", method: "POST", path: "/v1/settings/application/media/providers",
			body: `[{"name":"cdn","type":"www","config":{"basic":{"username":"u","password":"p"}}}]`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.UpdateMediaProvider(ctx, gen.MediaProvider{Name: "cdn",
					Config: gen.MediaProviderConfig{Basic: &gen.MediaProviderBasicAuth{Username: "u", Password: "p"}}}))
			},
		},
		{
			name: "DeleteMediaProvider", method: "DELETE", path: "/v1/settings/application/media/providers/cdn",
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.DeleteMediaProvider(ctx, "cdn")) },
		},
		{
			name: "EnableTwoStep", method: "POST", path: "/v1/settings/account/two-step", body: `{"pin":"012345"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.EnableTwoStep(ctx, "012345")) },
		},
		{
			name: "DisableTwoStep", method: "DELETE", path: "/v1/settings/account/two-step",
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.DisableTwoStep(ctx)) },
		},
		{
			name: "BackupSettings", method: "POST", path: "/v1/settings/backup", body: `{"password":"Backup-Pass1!"}`,
			resp: `{"settings":{"data":"U2FsdGVkX1+9q3Wm"}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.BackupSettings(ctx, "Backup-Pass1!") },
			want: "U2FsdGVkX1+9q3Wm",
		},
		{
			name: "RestoreSettings", method: "POST", path: "/v1/settings/restore",
			body: `{"password":"Backup-Pass1!","data":"U2FsdGVkX1+9q3Wm"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RestoreSettings(ctx, "Backup-Pass1!", "U2FsdGVkX1+9q3Wm"))
			},
		},
	})
}

func TestSettingsWrappersRejectEmptyPathParameters(t *testing.T) {
	t.Parallel()
	runRequiredArgCases(t, []requiredArgCase{
		{"DeleteMediaProvider", func(ctx context.Context, c *Client) error { return c.DeleteMediaProvider(ctx, "") }},
	})
}
