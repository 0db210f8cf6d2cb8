package fake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// defaultSettings are the application settings of a fresh client; the rules live in
// internal/onpremhttp, which the bridge shares.
func defaultSettings() gen.ApplicationSettings { return onpremhttp.DefaultSettings() }

// cloneSettings deep-copies settings.
func cloneSettings(in gen.ApplicationSettings) gen.ApplicationSettings {
	return onpremhttp.CloneSettings(in)
}

// fromShared converts an error of the shared rules into the fake's own error type.
func fromShared(e *onpremhttp.Error) *apiError {
	if e == nil {
		return nil
	}
	return &apiError{Status: e.Status, Code: e.Code, Details: e.Details, Header: e.Header}
}

// GetApplicationSettings returns every setting with its current value.
func (s *Server) GetApplicationSettings(context.Context, gen.GetApplicationSettingsRequestObject) (gen.GetApplicationSettingsResponseObject, error) {
	s.mu.RLock()
	set := cloneSettings(s.st.settings)
	s.mu.RUnlock()
	return gen.GetApplicationSettings200JSONResponse{Body: gen.ApplicationSettingsEnvelope{
		Settings: gen.ApplicationSettingsContainer{Application: set},
		Meta:     s.meta,
	}}, nil
}

// UpdateApplicationSettings merges the settings sent into the current ones after checking
// them; webhook settings take effect at once (the real client needs a restart for
// max_concurrent_requests).
func (s *Server) UpdateApplicationSettings(_ context.Context, req gen.UpdateApplicationSettingsRequestObject) (gen.UpdateApplicationSettingsResponseObject, error) {
	b := req.Body
	if e := onpremhttp.CheckSettingsPatch(b); e != nil {
		return nil, fromShared(e)
	}
	backoff, maxBackoff, e := checkSettingValues(b, s.cfg.plainHTTPWebhooks)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	if e := onpremhttp.MergeSettings(&s.st.settings, b, backoff, maxBackoff); e != nil {
		s.mu.Unlock()
		return nil, fromShared(e)
	}
	set := s.st.settings
	s.mu.Unlock()
	s.hooks.configure(set)
	return gen.UpdateApplicationSettings200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// checkSettingValues applies the value rules of application settings that the schema does not
// express (URL scheme, allowed concurrency, known media types, intervals), for PATCH and for a
// restored backup alike. It returns the two back-off delays in milliseconds, -1 when absent.
func checkSettingValues(b *gen.ApplicationSettings, plainHTTPWebhooks bool) (backoff, maxBackoff int64, e *apiError) {
	backoff, maxBackoff, se := onpremhttp.CheckSettingValues(b, plainHTTPWebhooks)
	return backoff, maxBackoff, fromShared(se)
}

// ResetApplicationSettings restores the defaults (the webhook URL is cleared; wa_id stays).
func (s *Server) ResetApplicationSettings(context.Context, gen.ResetApplicationSettingsRequestObject) (gen.ResetApplicationSettingsResponseObject, error) {
	s.mu.Lock()
	waID := s.st.settings.WaID
	s.st.settings = defaultSettings()
	s.st.settings.WaID = waID
	set := s.st.settings
	s.mu.Unlock()
	s.hooks.configure(set)
	return gen.ResetApplicationSettings200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// GetMediaProviders lists the media providers, credentials included.
func (s *Server) GetMediaProviders(context.Context, gen.GetMediaProvidersRequestObject) (gen.GetMediaProvidersResponseObject, error) {
	s.mu.RLock()
	providers := slices.Clone(s.st.providers)
	s.mu.RUnlock()
	if providers == nil {
		providers = []gen.MediaProvider{}
	}
	return gen.GetMediaProviders200JSONResponse{Body: gen.MediaProvidersEnvelope{
		Settings: gen.MediaProvidersSettings{Application: gen.MediaProvidersApplication{Media: gen.MediaProvidersMedia{Providers: providers}}},
		Meta:     s.meta,
	}}, nil
}

// UpdateMediaProviders adds a provider or replaces the one of the same name.
func (s *Server) UpdateMediaProviders(_ context.Context, req gen.UpdateMediaProvidersRequestObject) (gen.UpdateMediaProvidersResponseObject, error) {
	if req.Body == nil || len(*req.Body) != 1 {
		return nil, errf(codeInvalidParameter, "Can only add 1 config at a time")
	}
	p := (*req.Body)[0]
	switch {
	case p.Name == "":
		return nil, errf(codeMissingParameter, "Parameter 'name' is required")
	case p.Type == "":
		return nil, errf(codeMissingParameter, "Parameter 'type' is required")
	case !p.Type.Valid():
		return nil, errf(codeInvalidParameter, "Parameter 'type' must be www")
	case (p.Config.Basic == nil) == (p.Config.Bearer == nil):
		return nil, errf(codeInvalidParameter, "Parameter 'config' must hold exactly one of 'basic' and 'bearer'")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.st.providers, func(q gen.MediaProvider) bool { return q.Name == p.Name })
	if i >= 0 {
		s.st.providers[i] = p
	} else {
		s.st.providers = append(s.st.providers, p)
	}
	return gen.UpdateMediaProviders200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// DeleteMediaProvider deletes a provider; an unknown name gets 404 with code 1006.
func (s *Server) DeleteMediaProvider(_ context.Context, req gen.DeleteMediaProviderRequestObject) (gen.DeleteMediaProviderResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.st.providers, func(q gen.MediaProvider) bool { return q.Name == req.ProviderName })
	if i < 0 {
		return nil, errf(codeNotFound, "Media provider %q not found", req.ProviderName)
	}
	s.st.providers = slices.Delete(s.st.providers, i, i+1)
	return gen.DeleteMediaProvider200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// GetBusinessProfile returns the fields of the profile that were set.
func (s *Server) GetBusinessProfile(context.Context, gen.GetBusinessProfileRequestObject) (gen.GetBusinessProfileResponseObject, error) {
	s.mu.RLock()
	p := s.st.profile
	if p.Websites != nil {
		p.Websites = ptr(slices.Clone(*p.Websites))
	}
	s.mu.RUnlock()
	return gen.GetBusinessProfile200JSONResponse{Body: gen.BusinessProfileEnvelope{
		Settings: gen.BusinessProfileSettings{Business: gen.BusinessProfileSection{Profile: p}},
		Meta:     s.meta,
	}}, nil
}

// UpdateBusinessProfile changes the fields sent (partial update, v2.23 and later).
func (s *Server) UpdateBusinessProfile(_ context.Context, req gen.UpdateBusinessProfileRequestObject) (gen.UpdateBusinessProfileResponseObject, error) {
	b := req.Body
	if b == nil || (b.Address == nil && b.Description == nil && b.Email == nil && b.Vertical == nil && b.Websites == nil) {
		return nil, errf(codeInvalidParameter, "No valid parameters provided")
	}
	if b.Address != nil && len([]rune(*b.Address)) > 256 {
		return nil, errf(codeInvalidParameter, "Parameter 'address' is longer than 256 characters")
	}
	if b.Description != nil && len([]rune(*b.Description)) > 256 {
		return nil, errf(codeInvalidParameter, "Parameter 'description' is longer than 256 characters")
	}
	if b.Email != nil {
		if len(*b.Email) > 128 {
			return nil, errf(codeInvalidParameter, "Parameter 'email' is longer than 128 characters")
		}
		if a, err := mail.ParseAddress(*b.Email); *b.Email != "" && (err != nil || a.Address != *b.Email) {
			return nil, errf(codeInvalidParameter, "Parameter 'email' is not a valid email address")
		}
	}
	if b.Vertical != nil && !b.Vertical.Valid() {
		return nil, errf(codeInvalidParameter, "Parameter 'vertical' is not a known industry")
	}
	if b.Websites != nil {
		if len(*b.Websites) > 2 {
			return nil, errf(codeInvalidParameter, "Max number of websites allowed is 2")
		}
		for i, w := range *b.Websites {
			if len(w) > 256 || !(strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://")) {
				return nil, errf(codeInvalidParameter, "Parameter 'websites[%d]' must be an http:// or https:// URL of at most 256 characters", i)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.st.profile
	if b.Vertical != nil {
		if *b.Vertical == gen.BusinessVerticalUnset && s.st.verticalSet {
			return nil, errf(codeInvalidParameter, "Parameter 'vertical' cannot be reset to empty once set")
		}
		if *b.Vertical != gen.BusinessVerticalUnset {
			s.st.verticalSet = true
		}
		p.Vertical = ptr(*b.Vertical)
	}
	if b.Address != nil {
		p.Address = ptr(*b.Address)
	}
	if b.Description != nil {
		p.Description = ptr(*b.Description)
	}
	if b.Email != nil {
		p.Email = ptr(*b.Email)
	}
	if b.Websites != nil {
		p.Websites = ptr(slices.Clone(*b.Websites))
	}
	return gen.UpdateBusinessProfile200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// GetProfileAbout returns the "about" text (WhatsApp's default until one is set).
func (s *Server) GetProfileAbout(context.Context, gen.GetProfileAboutRequestObject) (gen.GetProfileAboutResponseObject, error) {
	s.mu.RLock()
	text := s.st.about
	s.mu.RUnlock()
	return gen.GetProfileAbout200JSONResponse{Body: gen.ProfileAboutEnvelope{
		Settings: gen.ProfileAboutSettings{Profile: gen.ProfileAboutSection{About: gen.ProfileAbout{Text: text}}},
		Meta:     s.meta,
	}}, nil
}

// UpdateProfileAbout sets the "about" text (at most 139 characters).
func (s *Server) UpdateProfileAbout(_ context.Context, req gen.UpdateProfileAboutRequestObject) (gen.UpdateProfileAboutResponseObject, error) {
	if req.Body == nil {
		return nil, errf(codeMissingParameter, "Parameter 'text' is required")
	}
	if len([]rune(req.Body.Text)) > 139 {
		return nil, errf(codeInvalidParameter, "Parameter 'text' is longer than 139 characters")
	}
	s.mu.Lock()
	s.st.about = req.Body.Text
	s.mu.Unlock()
	return gen.UpdateProfileAbout200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// maxImageUpload is the Webapp's limit for profile photos and group icons: bodies of 5 MiB or
// more are refused.
const maxImageUpload = 5 << 20

// readImageBody checks the media type of a photo or icon upload against the operation's
// declared types and reads at most maxImageUpload bytes, refusing empty and oversized bodies.
func (s *Server) readImageBody(ctx context.Context, contentType string, body io.Reader) (*blob, *apiError) {
	if e := s.checkBinaryContentType(onpremhttp.OperationFrom(ctx), contentType); e != nil {
		return nil, e
	}
	if r := onpremhttp.RequestFrom(ctx); r != nil && r.ContentLength >= maxImageUpload {
		return nil, errf(codeInvalidParameter, "Photo size too large: the image must be smaller than 5 MB")
	}
	if body == nil {
		return nil, errf(codeMissingParameter, "No data found")
	}
	data, err := io.ReadAll(io.LimitReader(body, maxImageUpload))
	if err != nil {
		return nil, errf(codeInvalidParameter, "the image could not be read: %v", err)
	}
	if len(data) >= maxImageUpload {
		return nil, errf(codeInvalidParameter, "Photo size too large: the image must be smaller than 5 MB")
	}
	if len(data) == 0 {
		return nil, errf(codeMissingParameter, "No data found")
	}
	sum := sha256.Sum256(data)
	return &blob{data: data, contentType: baseMediaType(contentType), sha: hex.EncodeToString(sum[:])}, nil
}

// GetProfilePhoto returns the photo as JPEG-labelled bytes, or with format=link a JSON link to
// the fake's public CDN path.
func (s *Server) GetProfilePhoto(ctx context.Context, req gen.GetProfilePhotoRequestObject) (gen.GetProfilePhotoResponseObject, error) {
	s.mu.RLock()
	photo := s.st.photo
	s.mu.RUnlock()
	if photo == nil {
		return nil, errf(codeNotFound, "No profile photo is set")
	}
	if req.Params.Format != nil {
		if *req.Params.Format != gen.GetProfilePhotoParamsFormatLink {
			return nil, errf(codeInvalidParameter, "Parameter 'format' must be link")
		}
		return gen.GetProfilePhoto200JSONResponse{Body: gen.ProfilePhotoEnvelope{
			Settings: gen.ProfilePhotoSettings{Profile: gen.ProfilePhotoSection{Photo: gen.ProfilePhotoLink{Link: s.cdnLink(ctx, photo)}}},
			Meta:     s.meta,
		}}, nil
	}
	return gen.GetProfilePhoto200ImageJpegResponse{
		Body:          strings.NewReader(string(photo.data)),
		ContentLength: int64(len(photo.data)),
		Headers:       gen.GetProfilePhoto200ResponseHeaders{ContentDisposition: ptr("attachment; filename=profilePicture.jpg")},
	}, nil
}

// UpdateProfilePhoto stores a JPEG or PNG photo smaller than 5 MB.
func (s *Server) UpdateProfilePhoto(ctx context.Context, req gen.UpdateProfilePhotoRequestObject) (gen.UpdateProfilePhotoResponseObject, error) {
	b, e := s.readImageBody(ctx, req.ContentType, req.Body)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	s.st.photo = b
	s.st.cdn[b.sha] = b
	s.pruneCDNLocked() // the photo replaced
	s.mu.Unlock()
	return gen.UpdateProfilePhoto200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// DeleteProfilePhoto removes the photo.
func (s *Server) DeleteProfilePhoto(context.Context, gen.DeleteProfilePhotoRequestObject) (gen.DeleteProfilePhotoResponseObject, error) {
	s.mu.Lock()
	s.st.photo = nil
	s.pruneCDNLocked()
	s.mu.Unlock()
	return gen.DeleteProfilePhoto200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// cdnLink is the public URL of an image: the fake serves it without credentials at
// /_fake/cdn/<sha256>.jpg, the way WhatsApp's CDN serves profile pictures.
func (s *Server) cdnLink(ctx context.Context, b *blob) string {
	base := s.cfg.publicURL
	if base == "" {
		base = "http://localhost"
		if r := onpremhttp.RequestFrom(ctx); r != nil && r.Host != "" {
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			base = scheme + "://" + r.Host
		}
	}
	return base + "/_fake/cdn/" + b.sha + ".jpg"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
