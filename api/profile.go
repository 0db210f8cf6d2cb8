package api

import (
	"context"
	"io"

	"github.com/wabiz/wabiz/gen"
)

// GetBusinessProfile returns the business profile customers see: address, description,
// email, industry and websites (GET /v1/settings/business/profile). Admin only.
//
//wabiz:operation getBusinessProfile
func (c *Client) GetBusinessProfile(ctx context.Context) (*gen.BusinessProfile, error) {
	resp, err := c.Raw.GetBusinessProfileWithResponse(ctx)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getBusinessProfile", resp.StatusCode())
	}
	return &resp.JSON200.Settings.Business.Profile, nil
}

// UpdateBusinessProfile changes the fields of the business profile that are set in p and
// leaves the others as they are (POST /v1/settings/business/profile). Admin only.
//
//wabiz:operation updateBusinessProfile
func (c *Client) UpdateBusinessProfile(ctx context.Context, p gen.BusinessProfile) error {
	_, err := c.Raw.UpdateBusinessProfileWithResponse(ctx, p)
	return err
}

// GetProfileAbout returns the profile's "about" text (GET /v1/settings/profile/about).
// Admin only.
//
//wabiz:operation getProfileAbout
func (c *Client) GetProfileAbout(ctx context.Context) (string, error) {
	resp, err := c.Raw.GetProfileAboutWithResponse(ctx)
	if err != nil {
		return "", err
	}
	if resp.JSON200 == nil {
		return "", unexpected("getProfileAbout", resp.StatusCode())
	}
	return resp.JSON200.Settings.Profile.About.Text, nil
}

// UpdateProfileAbout sets the profile's "about" text, shown under the business's name
// (PATCH /v1/settings/profile/about). Admin only.
//
//wabiz:operation updateProfileAbout
func (c *Client) UpdateProfileAbout(ctx context.Context, text string) error {
	_, err := c.Raw.UpdateProfileAboutWithResponse(ctx, gen.ProfileAbout{Text: text})
	return err
}

// GetProfilePhoto streams the profile photo (GET /v1/settings/profile/photo) and returns it
// unread with its media type (image/jpeg); the caller must close it. Admin only.
//
//wabiz:operation getProfilePhoto
func (c *Client) GetProfilePhoto(ctx context.Context) (io.ReadCloser, string, error) {
	resp, err := c.Raw.GetProfilePhoto(ctx, nil)
	if err != nil {
		return nil, "", err
	}
	return resp.Body, resp.Header.Get("Content-Type"), nil
}

// GetProfilePhotoLink returns a public URL of the profile photo
// (GET /v1/settings/profile/photo?format=link). Admin only.
//
//wabiz:operation getProfilePhoto
func (c *Client) GetProfilePhotoLink(ctx context.Context) (string, error) {
	link := gen.GetProfilePhotoParamsFormatLink
	resp, err := c.Raw.GetProfilePhotoWithResponse(ctx, &gen.GetProfilePhotoParams{Format: &link})
	if err != nil {
		return "", err
	}
	if resp.JSON200 == nil || resp.JSON200.Settings.Profile.Photo.Link == "" {
		return "", unexpected("getProfilePhoto", resp.StatusCode())
	}
	return resp.JSON200.Settings.Profile.Photo.Link, nil
}

// UpdateProfilePhoto streams a new profile photo, a JPEG or PNG image, to the server
// (POST /v1/settings/profile/photo). Like UploadMedia it sends Content-Length when the size
// of r is known and can replay a seekable r; it does not close r. The server rejects 5 MiB or
// more and crops the image to a square of at most 640 pixels. Admin only.
//
//wabiz:operation updateProfilePhoto
func (c *Client) UpdateProfilePhoto(ctx context.Context, r io.Reader, contentType string) error {
	if r == nil {
		return &ArgumentError{Method: "UpdateProfilePhoto", Argument: "reader", Problem: "nil"}
	}
	if err := checkContentType("UpdateProfilePhoto", contentType); err != nil {
		return err
	}
	size, start, seeker := readerSize(r)
	body, edit := uploadBody(r, size, start, seeker)
	_, err := c.Raw.UpdateProfilePhotoWithBodyWithResponse(ctx, contentType, body, edit)
	return err
}

// DeleteProfilePhoto removes the profile photo (DELETE /v1/settings/profile/photo). Admin
// only.
//
//wabiz:operation deleteProfilePhoto
func (c *Client) DeleteProfilePhoto(ctx context.Context) error {
	_, err := c.Raw.DeleteProfilePhotoWithResponse(ctx)
	return err
}
