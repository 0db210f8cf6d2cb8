package bridge

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/wabiz/wabiz/cloud"
	cloudgen "github.com/wabiz/wabiz/gen/cloud"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// The account operations over the Cloud API: registration, two-step verification, the business
// profile, health, and the contact operations the Cloud API has no counterpart for.
//
// Where the PIN of the Cloud registration comes from. The Cloud API registers a number with
// POST /{id}/register, which needs a six-digit PIN (the two-step PIN; for a number without
// one, the PIN sent becomes it). The On-Premises registration has no such step, but its
// POST /v1/account takes `pin`, "the existing two-step PIN, when two-step verification is
// enabled". So VerifyAccount registers with, in order: the `pin` of the POST /v1/account that
// requested the code, else the PIN this bridge set with POST /v1/settings/account/two-step;
// with neither it refuses (400/1008) before spending the code, and says to send `pin`. The
// bridge keeps both PINs in memory only (never in the store, the logs or an answer): after a
// restart, send `pin` with POST /v1/account.

// accountState is the bridge's memory for account.go.
type accountState struct {
	mu sync.Mutex
	// pendingPIN is the pin of the last POST /v1/account, for the POST /v1/account/verify
	// that follows it.
	pendingPIN string
	// twoStepPIN is the PIN last set through this bridge (EnableTwoStep, or a registration).
	twoStepPIN string
}

var (
	ccRE     = regexp.MustCompile(`^[1-9][0-9]{0,2}$`)
	digitsRE = regexp.MustCompile(`^[0-9]+$`)
	pinRE    = regexp.MustCompile(`^[0-9]{6}$`)
)

// verificationLanguage is the language of the Cloud verification SMS or call: the On-Premises
// request has no language field.
const verificationLanguage = "en_US"

// RequestCode asks the Cloud API for a verification code by SMS or voice call. The body's cc
// and phone_number must be the number the bridge serves (the Cloud phone number id's
// display_phone_number), else 400/1009; `cert` is accepted and not used, since the display
// name lives in WhatsApp Manager on the Cloud API, and the answer's vname is the number's
// verified_name. A number already registered on the Cloud API answers 201 ("nothing else to
// do") unless `reset` is sent, as the On-Premises API answers for a number registered on the
// client.
func (b *Bridge) RequestCode(ctx context.Context, request gen.RequestCodeRequestObject) (gen.RequestCodeResponseObject, error) {
	body := request.Body
	switch {
	case body == nil:
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "Parameter 'cc' is required")
	case !ccRE.MatchString(body.Cc):
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Parameter 'cc' is not valid")
	case !digitsRE.MatchString(body.PhoneNumber):
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Parameter 'phone_number' is not valid")
	case !body.Method.Valid():
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Parameter 'method' must be one of sms, voice")
	case body.Pin != nil && body.Reset != nil:
		return nil, onpremhttp.Errorf(onpremhttp.CodeParameterNotWanted, "Parameter 'pin' is not allowed together with 'reset'")
	case body.Pin != nil && !pinRE.MatchString(*body.Pin):
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Parameter 'pin' must be exactly six digits")
	}
	pn, err := b.cloud.GetPhoneNumber(ctx, "display_phone_number", "verified_name", "platform_type")
	if err != nil {
		return nil, b.cloudFailure(ctx, err, true)
	}
	served := ""
	if pn.DisplayPhoneNumber != nil {
		served = onpremhttp.NormalizePhone(*pn.DisplayPhoneNumber)
	}
	if served == "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeServiceNotReady,
			"the Cloud API reports no display_phone_number for phone number id %s, so the bridge cannot check cc and phone_number", b.cloud.PhoneNumberID())
	}
	if served != body.Cc+body.PhoneNumber {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter,
			"cc %s and phone_number %s are not the number this bridge serves (+%s, Cloud phone number id %s)",
			body.Cc, body.PhoneNumber, served, b.cloud.PhoneNumberID())
	}
	if body.Reset == nil && pn.PlatformType != nil && *pn.PlatformType == "CLOUD_API" {
		return gen.RequestCode201JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
	}
	method := cloudgen.CodeDeliveryCodeMethodSMS
	if body.Method == gen.AccountRegistrationMethodVoice {
		method = cloudgen.CodeDeliveryCodeMethodVOICE
	}
	if err := b.cloud.RequestVerificationCode(ctx, method, verificationLanguage); err != nil {
		return nil, b.cloudFailure(ctx, err, false)
	}
	b.acct.mu.Lock()
	b.acct.pendingPIN = ""
	if body.Pin != nil {
		b.acct.pendingPIN = *body.Pin
	}
	b.acct.mu.Unlock()
	vname := ""
	if pn.VerifiedName != nil {
		vname = *pn.VerifiedName
	}
	return gen.RequestCode202JSONResponse{Body: gen.VerifiedNameEnvelope{Account: []gen.VerifiedName{{Vname: vname}}, Meta: b.meta}}, nil
}

// VerifyAccount verifies the code with the Cloud API, then registers the number with the PIN
// chosen as the package comment says (the pin of POST /v1/account, else the two-step PIN set
// through the bridge). Without a PIN it refuses before the code is spent.
func (b *Bridge) VerifyAccount(ctx context.Context, request gen.VerifyAccountRequestObject) (gen.VerifyAccountResponseObject, error) {
	if request.Body == nil || strings.TrimSpace(request.Body.Code) == "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "Parameter 'code' is required")
	}
	b.acct.mu.Lock()
	pin := b.acct.pendingPIN
	if pin == "" {
		pin = b.acct.twoStepPIN
	}
	b.acct.mu.Unlock()
	if pin == "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter,
			"the Cloud API registers a number with its six-digit two-step PIN: send 'pin' with POST /v1/account "+
				"(for a number without two-step verification it becomes the PIN), or set one with POST /v1/settings/account/two-step, then verify again")
	}
	code := strings.ReplaceAll(strings.TrimSpace(request.Body.Code), "-", "")
	if err := b.cloud.VerifyCode(ctx, code); err != nil {
		return nil, b.cloudFailure(ctx, err, false)
	}
	if err := b.cloud.Register(ctx, pin, nil); err != nil {
		return nil, b.cloudFailure(ctx, err, false)
	}
	b.acct.mu.Lock()
	b.acct.pendingPIN, b.acct.twoStepPIN = "", pin
	b.acct.mu.Unlock()
	return gen.VerifyAccount201JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}

// EnableTwoStep sets the number's two-step PIN on the Cloud API and remembers it for the next
// registration.
func (b *Bridge) EnableTwoStep(ctx context.Context, request gen.EnableTwoStepRequestObject) (gen.EnableTwoStepResponseObject, error) {
	if request.Body == nil || request.Body.Pin == "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Pin must not be empty")
	}
	if !pinRE.MatchString(request.Body.Pin) {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Parameter 'pin' must be exactly six digits")
	}
	if err := b.cloud.SetTwoStepPIN(ctx, request.Body.Pin); err != nil {
		return nil, b.cloudFailure(ctx, err, true)
	}
	b.acct.mu.Lock()
	b.acct.twoStepPIN = request.Body.Pin
	b.acct.mu.Unlock()
	return gen.EnableTwoStep200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}

// DisableTwoStep is refused: the Cloud API has no call that turns two-step verification off
// (a Cloud number always has a PIN: registering sets one). Answering 200 would make the
// integration believe the PIN is gone when it still guards the next registration.
func (b *Bridge) DisableTwoStep(ctx context.Context, request gen.DisableTwoStepRequestObject) (gen.DisableTwoStepResponseObject, error) {
	return nil, cloudHasNo("call that turns two-step verification off",
		"change the PIN with POST /v1/settings/account/two-step, or turn two-step verification off in WhatsApp Manager (the phone number's settings)")
}

// businessVerticals maps the On-Premises display names of the industry to the Cloud API's
// codes (spec/cloud.yaml BusinessVertical). The empty string, "no industry", is UNDEFINED.
var businessVerticals = map[gen.BusinessVertical]string{
	gen.BusinessVerticalUnset:                        "UNDEFINED",
	gen.BusinessVerticalAutomotive:                   "AUTO",
	gen.BusinessVerticalBeautySpaAndSalon:            "BEAUTY",
	gen.BusinessVerticalBeautySpaAndSalonOxfordComma: "BEAUTY",
	gen.BusinessVerticalClothingAndApparel:           "APPAREL",
	gen.BusinessVerticalEducation:                    "EDU",
	gen.BusinessVerticalEntertainment:                "ENTERTAIN",
	gen.BusinessVerticalEventPlanningAndService:      "EVENT_PLAN",
	gen.BusinessVerticalFinanceAndBanking:            "FINANCE",
	gen.BusinessVerticalFoodAndGrocery:               "GROCERY",
	gen.BusinessVerticalPublicService:                "GOVT",
	gen.BusinessVerticalHotelAndLodging:              "HOTEL",
	gen.BusinessVerticalMedicalAndHealth:             "HEALTH",
	gen.BusinessVerticalNonProfit:                    "NONPROFIT",
	gen.BusinessVerticalProfessionalServices:         "PROF_SERVICES",
	gen.BusinessVerticalShoppingAndRetail:            "RETAIL",
	gen.BusinessVerticalTravelAndTransportation:      "TRAVEL",
	gen.BusinessVerticalRestaurant:                   "RESTAURANT",
	gen.BusinessVerticalOther:                        "OTHER",
}

// onPremVertical maps a Cloud industry code back. The beauty industry reads back in Meta's
// reference spelling; a Cloud code without an On-Premises name (NOT_A_BIZ, a code added
// later) has no value the On-Premises enum allows, so the field is left out.
func onPremVertical(code string) (gen.BusinessVertical, bool) {
	if code == "BEAUTY" {
		return gen.BusinessVerticalBeautySpaAndSalon, true
	}
	for name, c := range businessVerticals {
		if c == code {
			return name, true
		}
	}
	return "", false
}

// GetBusinessProfile reads the Cloud business profile, field by field.
func (b *Bridge) GetBusinessProfile(ctx context.Context, request gen.GetBusinessProfileRequestObject) (gen.GetBusinessProfileResponseObject, error) {
	p, err := b.cloud.GetBusinessProfile(ctx, "address", "description", "email", "vertical", "websites")
	if err != nil {
		return nil, b.cloudFailure(ctx, err, true)
	}
	out := gen.BusinessProfile{Address: p.Address, Description: p.Description, Email: p.Email, Websites: p.Websites}
	if p.Vertical != nil {
		if v, ok := onPremVertical(*p.Vertical); ok {
			out.Vertical = &v
		}
	}
	return gen.GetBusinessProfile200JSONResponse{Body: gen.BusinessProfileEnvelope{
		Settings: gen.BusinessProfileSettings{Business: gen.BusinessProfileSection{Profile: out}},
		Meta:     b.meta,
	}}, nil
}

// UpdateBusinessProfile changes the fields sent (a partial update in both APIs), with the
// industry mapped to its Cloud code.
func (b *Bridge) UpdateBusinessProfile(ctx context.Context, request gen.UpdateBusinessProfileRequestObject) (gen.UpdateBusinessProfileResponseObject, error) {
	if request.Body == nil {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "a business profile is required")
	}
	in := request.Body
	upd := cloudgen.BusinessProfileUpdate{Address: in.Address, Description: in.Description, Email: in.Email, Websites: in.Websites}
	if in.Vertical != nil {
		code, ok := businessVerticals[*in.Vertical]
		if !ok {
			return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Parameter 'vertical' has no Cloud API industry: %q", *in.Vertical)
		}
		upd.Vertical = &code
	}
	if err := b.cloud.UpdateBusinessProfile(ctx, upd); err != nil {
		return nil, b.cloudFailure(ctx, err, true)
	}
	return gen.UpdateBusinessProfile200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}

// GetProfileAbout reads the `about` field of the Cloud business profile.
func (b *Bridge) GetProfileAbout(ctx context.Context, request gen.GetProfileAboutRequestObject) (gen.GetProfileAboutResponseObject, error) {
	p, err := b.cloud.GetBusinessProfile(ctx, "about")
	if err != nil {
		return nil, b.cloudFailure(ctx, err, true)
	}
	text := ""
	if p.About != nil {
		text = *p.About
	}
	return gen.GetProfileAbout200JSONResponse{Body: gen.ProfileAboutEnvelope{
		Settings: gen.ProfileAboutSettings{Profile: gen.ProfileAboutSection{About: gen.ProfileAbout{Text: text}}},
		Meta:     b.meta,
	}}, nil
}

// UpdateProfileAbout sets the `about` field of the Cloud business profile.
func (b *Bridge) UpdateProfileAbout(ctx context.Context, request gen.UpdateProfileAboutRequestObject) (gen.UpdateProfileAboutResponseObject, error) {
	if request.Body == nil || request.Body.Text == "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "Parameter 'text' is required")
	}
	text := request.Body.Text
	if err := b.cloud.UpdateBusinessProfile(ctx, cloudgen.BusinessProfileUpdate{About: &text}); err != nil {
		return nil, b.cloudFailure(ctx, err, true)
	}
	return gen.UpdateProfileAbout200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}

// photoClient fetches the profile photo from the public URL Graph gives (WhatsApp's CDN,
// which needs no credentials: the bridge's token is never sent there).
var photoClient = &http.Client{Timeout: time.Minute}

// GetProfilePhoto reads the profile_picture_url of the Cloud business profile: with
// format=link it is the link; without, the bridge streams the image from it (JPEG, as the
// On-Premises API answers). No photo is 404/1006.
func (b *Bridge) GetProfilePhoto(ctx context.Context, request gen.GetProfilePhotoRequestObject) (gen.GetProfilePhotoResponseObject, error) {
	p, err := b.cloud.GetBusinessProfile(ctx, "profile_picture_url")
	if err != nil {
		return nil, b.cloudFailure(ctx, err, true)
	}
	if p.ProfilePictureURL == nil || *p.ProfilePictureURL == "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeNotFound, "the business profile has no photo")
	}
	link := *p.ProfilePictureURL
	if request.Params.Format != nil {
		return gen.GetProfilePhoto200JSONResponse{Body: gen.ProfilePhotoEnvelope{
			Settings: gen.ProfilePhotoSettings{Profile: gen.ProfilePhotoSection{Photo: gen.ProfilePhotoLink{Link: link}}},
			Meta:     b.meta,
		}}, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInternal, "the Cloud API's profile_picture_url is not usable: %v", err)
	}
	resp, err := photoClient.Do(req)
	if err != nil {
		return nil, onpremhttp.Statusf(http.StatusServiceUnavailable, onpremhttp.CodeServiceNotReady,
			"the profile photo could not be fetched from WhatsApp's CDN: %v", err)
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusOK || ct != "image/jpeg" {
		resp.Body.Close()
		return nil, onpremhttp.Statusf(http.StatusInternalServerError, onpremhttp.CodeInternal,
			"WhatsApp's CDN answered the profile photo with %d %q, not a JPEG image", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rc := &onceCloser{ReadCloser: resp.Body}
	context.AfterFunc(ctx, func() { _ = rc.Close() })
	disposition := "attachment; filename=profilePicture.jpg"
	return gen.GetProfilePhoto200ImageJpegResponse{Body: io.Reader(rc), ContentLength: max(resp.ContentLength, 0),
		Headers: gen.GetProfilePhoto200ResponseHeaders{ContentDisposition: &disposition}}, nil
}

// profilePhotoInstead says how to change the photo of a Cloud number.
const profilePhotoInstead = "upload the image with Graph's Resumable Upload API (POST /{app-id}/uploads) and set the handle as profile_picture_handle " +
	"with POST /{phone-number-id}/whatsapp_business_profile, or change the photo in WhatsApp Manager"

// UpdateProfilePhoto is refused: a Cloud profile photo is set from a Resumable Upload API
// handle, an upload session of the Graph app, not from the image bytes or a media id.
func (b *Bridge) UpdateProfilePhoto(ctx context.Context, request gen.UpdateProfilePhotoRequestObject) (gen.UpdateProfilePhotoResponseObject, error) {
	return nil, cloudHasNo("upload of a profile photo from its bytes (it takes a Resumable Upload API handle)", profilePhotoInstead)
}

// DeleteProfilePhoto is refused: the Cloud API cannot remove a profile photo, only replace it.
func (b *Bridge) DeleteProfilePhoto(ctx context.Context, request gen.DeleteProfilePhotoRequestObject) (gen.DeleteProfilePhotoResponseObject, error) {
	return nil, cloudHasNo("call that removes the profile photo", "replace it: "+profilePhotoInstead)
}

// CheckHealth reads the number's health_status: the overall can_send_message becomes
// gateway_status (AVAILABLE and LIMITED: connected, since the number can send; BLOCKED:
// unregistered when the phone number entity reports 133010, disconnected otherwise). Each
// entity (PHONE_NUMBER, WABA, BUSINESS, APP) is kept as a node of the health object, keyed
// "cloud:<entity_type>:<id>", with its own gateway_status and, when it is limited or blocked,
// its errors as ErrorDetail (code: the Cloud error code; title: the description; details:
// the possible solution), so a multi-node reader of /v1/health sees what limits the number.
func (b *Bridge) CheckHealth(ctx context.Context, request gen.CheckHealthRequestObject) (gen.CheckHealthResponseObject, error) {
	pn, err := b.cloud.GetPhoneNumber(ctx, "health_status")
	if err != nil {
		return nil, b.cloudFailure(ctx, err, true)
	}
	hs := pn.HealthStatus
	if hs == nil {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInternal, "the Cloud API answered without health_status")
	}
	var h gen.Health
	var entities []cloudgen.HealthEntity
	if hs.Entities != nil {
		entities = *hs.Entities
	}
	overall := cloudgen.SendAbility("")
	if hs.CanSendMessage != nil {
		overall = *hs.CanSendMessage
	}
	status := gatewayStatus(overall, entities)
	h.GatewayStatus = &status
	if len(entities) > 0 {
		h.AdditionalProperties = make(map[string]gen.HealthNode, len(entities))
	}
	for _, e := range entities {
		s := gatewayStatus(e.CanSendMessage, []cloudgen.HealthEntity{e})
		node := gen.HealthNode{GatewayStatus: &s}
		if e.Errors != nil && len(*e.Errors) > 0 {
			details := make([]gen.ErrorDetail, 0, len(*e.Errors))
			for _, he := range *e.Errors {
				d := gen.ErrorDetail{Title: "Cloud API health"}
				if he.ErrorCode != nil {
					d.Code = *he.ErrorCode
				}
				if he.ErrorDescription != nil && *he.ErrorDescription != "" {
					d.Title = *he.ErrorDescription
				}
				if he.PossibleSolution != nil && *he.PossibleSolution != "" {
					d.Details = he.PossibleSolution
				}
				details = append(details, d)
			}
			node.Errors = &details
		}
		h.AdditionalProperties[fmt.Sprintf("cloud:%s:%s", e.EntityType, e.ID)] = node
	}
	return gen.CheckHealth200JSONResponse{Body: gen.HealthEnvelope{Health: h, Meta: b.meta}}, nil
}

// gatewayStatus maps a Cloud can_send_message to the On-Premises gateway_status.
func gatewayStatus(can cloudgen.SendAbility, entities []cloudgen.HealthEntity) gen.GatewayStatus {
	switch can {
	case "AVAILABLE", "LIMITED":
		return gen.GatewayStatusConnected
	}
	for _, e := range entities {
		if e.EntityType != "PHONE_NUMBER" || e.Errors == nil {
			continue
		}
		for _, he := range *e.Errors {
			if he.ErrorCode != nil && *he.ErrorCode == cloud.CodeNotRegistered {
				return gen.GatewayStatusUnregistered
			}
		}
	}
	return gen.GatewayStatusDisconnected
}

// CheckContacts is a shim, as late On-Premises builds answered (v2.43 and later): every
// well-formed number is `valid` with its digits as wa_id, a malformed one `failed` (the
// fake's phone rules, internal/onpremhttp.NormalizePhone). The Cloud API has no contact
// check: sends go to the number, and the relayed webhooks carry the wa_id. Since the answer
// needs no lookup, both `blocking` modes answer with final statuses at once (never
// `processing`, so no webhook URL is needed), and `force_check` has no cache to bypass.
func (b *Bridge) CheckContacts(ctx context.Context, request gen.CheckContactsRequestObject) (gen.CheckContactsResponseObject, error) {
	in := request.Body
	if in == nil || len(in.Contacts) == 0 {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Parameter 'contacts' must be a non-empty array of phone numbers")
	}
	if in.Blocking != nil && !in.Blocking.Valid() {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Parameter 'blocking' must be one of wait, no_wait")
	}
	out := make([]gen.ContactCheckResult, len(in.Contacts))
	for i, input := range in.Contacts {
		out[i].Input = input
		if id := onpremhttp.NormalizePhone(input); id != "" {
			out[i].Status = gen.ContactCheckResultStatusValid
			out[i].WaID = &id
		} else {
			out[i].Status = gen.ContactCheckResultStatusFailed
		}
	}
	return gen.CheckContacts200JSONResponse{Body: gen.ContactCheckEnvelope{Contacts: out, Meta: b.meta}}, nil
}

// GetContactIdentity answers 404/1006, as the On-Premises API answers a customer it knows no
// identity for: the Cloud API keeps no identity hashes (only webhooks carry
// contacts[].identity_key_hash, with the user_identity_change setting on).
func (b *Bridge) GetContactIdentity(ctx context.Context, request gen.GetContactIdentityRequestObject) (gen.GetContactIdentityResponseObject, error) {
	return nil, onpremhttp.Errorf(onpremhttp.CodeNotFound,
		"No identity is known for %s: the Cloud API keeps no identity hashes; with its user_identity_change setting on, webhooks carry contacts[].identity_key_hash", request.WaID)
}

// AcknowledgeContactIdentity accepts the acknowledgement and does nothing else: on the Cloud
// API no send waits for an identity acknowledgement (the On-Premises block that it lifts does
// not exist there), so the integration's flow goes on. The hash is still required, as on the
// On-Premises API.
func (b *Bridge) AcknowledgeContactIdentity(ctx context.Context, request gen.AcknowledgeContactIdentityRequestObject) (gen.AcknowledgeContactIdentityResponseObject, error) {
	if request.Body == nil || request.Body.Hash == "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "Parameter 'hash' is required")
	}
	return gen.AcknowledgeContactIdentity200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}
