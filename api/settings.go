package api

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// GetApplicationSettings returns the application settings (GET /v1/settings/application):
// webhook URL and options, media auto-download, garbage collection and the rest. Admin only.
//
//wabiz:operation getApplicationSettings
func (c *Client) GetApplicationSettings(ctx context.Context) (*gen.ApplicationSettings, error) {
	resp, err := c.Raw.GetApplicationSettingsWithResponse(ctx)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getApplicationSettings", resp.StatusCode())
	}
	return &resp.JSON200.Settings.Application, nil
}

// UpdateApplicationSettings changes the settings that are set in s and leaves the others as
// they are (PATCH /v1/settings/application). Some settings take effect only after a Coreapp
// restart (see their descriptions). Admin only.
//
//wabiz:operation updateApplicationSettings
func (c *Client) UpdateApplicationSettings(ctx context.Context, s gen.ApplicationSettings) error {
	_, err := c.Raw.UpdateApplicationSettingsWithResponse(ctx, s)
	return err
}

// ResetApplicationSettings puts every application setting back to its default
// (DELETE /v1/settings/application), the webhook URL included. Admin only.
//
//wabiz:operation resetApplicationSettings
func (c *Client) ResetApplicationSettings(ctx context.Context) error {
	_, err := c.Raw.ResetApplicationSettingsWithResponse(ctx)
	return err
}

// GetMediaProviders lists the media providers, the credentials the client uses to download
// media sent by link (GET /v1/settings/application/media/providers). Admin only.
//
//wabiz:operation getMediaProviders
func (c *Client) GetMediaProviders(ctx context.Context) ([]gen.MediaProvider, error) {
	resp, err := c.Raw.GetMediaProvidersWithResponse(ctx)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getMediaProviders", resp.StatusCode())
	}
	return resp.JSON200.Settings.Application.Media.Providers, nil
}

// UpdateMediaProvider adds a media provider, or replaces the one with the same name
// (POST /v1/settings/application/media/providers). Set exactly one of p.Config.Basic and
// p.Config.Bearer. Admin only.
//
//wabiz:operation updateMediaProviders
func (c *Client) UpdateMediaProvider(ctx context.Context, p gen.MediaProvider) error {
	if p.Type == "" {
		p.Type = gen.MediaProviderTypeWww // the only kind there is
	}
	_, err := c.Raw.UpdateMediaProvidersWithResponse(ctx, gen.MediaProviderList{p})
	return err
}

// DeleteMediaProvider deletes the media provider with the given name
// (DELETE /v1/settings/application/media/providers/{provider_name}). Admin only.
//
//wabiz:operation deleteMediaProvider
func (c *Client) DeleteMediaProvider(ctx context.Context, name string) error {
	if err := required("DeleteMediaProvider", "provider name", name); err != nil {
		return err
	}
	_, err := c.Raw.DeleteMediaProviderWithResponse(ctx, name)
	return err
}

// EnableTwoStep turns on two-step verification with a six-digit pin
// (POST /v1/settings/account/two-step); every later registration of the number needs it.
// Admin only.
//
//wabiz:operation enableTwoStep
func (c *Client) EnableTwoStep(ctx context.Context, pin string) error {
	_, err := c.Raw.EnableTwoStepWithResponse(ctx, gen.TwoStepPin{Pin: pin})
	return err
}

// DisableTwoStep turns off two-step verification (DELETE /v1/settings/account/two-step).
// Admin only.
//
//wabiz:operation disableTwoStep
func (c *Client) DisableTwoStep(ctx context.Context) error {
	_, err := c.Raw.DisableTwoStepWithResponse(ctx)
	return err
}

// BackupSettings exports the client's settings encrypted with password
// (POST /v1/settings/backup) and returns the opaque backup data. Keep it together with the
// password: RestoreSettings needs both. Admin only.
//
//wabiz:operation backupSettings
func (c *Client) BackupSettings(ctx context.Context, password string) (string, error) {
	resp, err := c.Raw.BackupSettingsWithResponse(ctx, gen.BackupPassword{Password: password})
	if err != nil {
		return "", err
	}
	if resp.JSON200 == nil || resp.JSON200.Settings.Data == "" {
		return "", unexpected("backupSettings", resp.StatusCode())
	}
	return resp.JSON200.Settings.Data, nil
}

// RestoreSettings imports settings from data, as returned by BackupSettings, decrypting
// them with the password used for the backup (POST /v1/settings/restore). On a deployment
// that is already set up the application stops afterwards: restart the containers. Admin
// only.
//
//wabiz:operation restoreSettings
func (c *Client) RestoreSettings(ctx context.Context, password, data string) error {
	_, err := c.Raw.RestoreSettingsWithResponse(ctx, gen.EncryptedBackup{Password: password, Data: data})
	return err
}
