package bridge

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// ResetApplicationSettings is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) ResetApplicationSettings(ctx context.Context, request gen.ResetApplicationSettingsRequestObject) (gen.ResetApplicationSettingsResponseObject, error) {
	return nil, notBuilt("resetApplicationSettings")
}

// GetApplicationSettings is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetApplicationSettings(ctx context.Context, request gen.GetApplicationSettingsRequestObject) (gen.GetApplicationSettingsResponseObject, error) {
	return nil, notBuilt("getApplicationSettings")
}

// UpdateApplicationSettings is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UpdateApplicationSettings(ctx context.Context, request gen.UpdateApplicationSettingsRequestObject) (gen.UpdateApplicationSettingsResponseObject, error) {
	return nil, notBuilt("updateApplicationSettings")
}

// GetMediaProviders is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetMediaProviders(ctx context.Context, request gen.GetMediaProvidersRequestObject) (gen.GetMediaProvidersResponseObject, error) {
	return nil, notBuilt("getMediaProviders")
}

// UpdateMediaProviders is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UpdateMediaProviders(ctx context.Context, request gen.UpdateMediaProvidersRequestObject) (gen.UpdateMediaProvidersResponseObject, error) {
	return nil, notBuilt("updateMediaProviders")
}

// DeleteMediaProvider is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DeleteMediaProvider(ctx context.Context, request gen.DeleteMediaProviderRequestObject) (gen.DeleteMediaProviderResponseObject, error) {
	return nil, notBuilt("deleteMediaProvider")
}

// BackupSettings is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) BackupSettings(ctx context.Context, request gen.BackupSettingsRequestObject) (gen.BackupSettingsResponseObject, error) {
	return nil, notBuilt("backupSettings")
}

// RestoreSettings is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) RestoreSettings(ctx context.Context, request gen.RestoreSettingsRequestObject) (gen.RestoreSettingsResponseObject, error) {
	return nil, notBuilt("restoreSettings")
}
