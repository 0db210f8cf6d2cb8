package bridge

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// RequestCode is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) RequestCode(ctx context.Context, request gen.RequestCodeRequestObject) (gen.RequestCodeResponseObject, error) {
	return nil, notBuilt("requestCode")
}

// VerifyAccount is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) VerifyAccount(ctx context.Context, request gen.VerifyAccountRequestObject) (gen.VerifyAccountResponseObject, error) {
	return nil, notBuilt("verifyAccount")
}

// CheckContacts is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) CheckContacts(ctx context.Context, request gen.CheckContactsRequestObject) (gen.CheckContactsResponseObject, error) {
	return nil, notBuilt("checkContacts")
}

// GetContactIdentity is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetContactIdentity(ctx context.Context, request gen.GetContactIdentityRequestObject) (gen.GetContactIdentityResponseObject, error) {
	return nil, notBuilt("getContactIdentity")
}

// AcknowledgeContactIdentity is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) AcknowledgeContactIdentity(ctx context.Context, request gen.AcknowledgeContactIdentityRequestObject) (gen.AcknowledgeContactIdentityResponseObject, error) {
	return nil, notBuilt("acknowledgeContactIdentity")
}

// CheckHealth is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) CheckHealth(ctx context.Context, request gen.CheckHealthRequestObject) (gen.CheckHealthResponseObject, error) {
	return nil, notBuilt("checkHealth")
}

// DisableTwoStep is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DisableTwoStep(ctx context.Context, request gen.DisableTwoStepRequestObject) (gen.DisableTwoStepResponseObject, error) {
	return nil, notBuilt("disableTwoStep")
}

// EnableTwoStep is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) EnableTwoStep(ctx context.Context, request gen.EnableTwoStepRequestObject) (gen.EnableTwoStepResponseObject, error) {
	return nil, notBuilt("enableTwoStep")
}

// GetBusinessProfile is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetBusinessProfile(ctx context.Context, request gen.GetBusinessProfileRequestObject) (gen.GetBusinessProfileResponseObject, error) {
	return nil, notBuilt("getBusinessProfile")
}

// UpdateBusinessProfile is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UpdateBusinessProfile(ctx context.Context, request gen.UpdateBusinessProfileRequestObject) (gen.UpdateBusinessProfileResponseObject, error) {
	return nil, notBuilt("updateBusinessProfile")
}

// GetProfileAbout is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetProfileAbout(ctx context.Context, request gen.GetProfileAboutRequestObject) (gen.GetProfileAboutResponseObject, error) {
	return nil, notBuilt("getProfileAbout")
}

// UpdateProfileAbout is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UpdateProfileAbout(ctx context.Context, request gen.UpdateProfileAboutRequestObject) (gen.UpdateProfileAboutResponseObject, error) {
	return nil, notBuilt("updateProfileAbout")
}

// DeleteProfilePhoto is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DeleteProfilePhoto(ctx context.Context, request gen.DeleteProfilePhotoRequestObject) (gen.DeleteProfilePhotoResponseObject, error) {
	return nil, notBuilt("deleteProfilePhoto")
}

// GetProfilePhoto is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetProfilePhoto(ctx context.Context, request gen.GetProfilePhotoRequestObject) (gen.GetProfilePhotoResponseObject, error) {
	return nil, notBuilt("getProfilePhoto")
}

// UpdateProfilePhoto is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UpdateProfilePhoto(ctx context.Context, request gen.UpdateProfilePhotoRequestObject) (gen.UpdateProfilePhotoResponseObject, error) {
	return nil, notBuilt("updateProfilePhoto")
}
