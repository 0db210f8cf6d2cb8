package cloud

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	cloudgen "github.com/wabiz/wabiz/gen/cloud"
)

// Registration, business profile and blocked users
//
// The Cloud counterparts of the On-Premises account, profile and block operations. Moving a
// number from the On-Premises API is Register with the backup blob of the On-Premises
// deployment (POST /v1/settings/backup) and its password: it deregisters the number from
// the On-Premises API, which then shuts down. Register and Deregister are rate limited (10
// per number in 72 hours, code 133016).

// Register registers the client's phone number for the Cloud API (POST
// /{phone_number_id}/register) with its six-digit two-step verification PIN (for a number
// without two-step verification, the PIN given becomes it). backup, when not nil, is the
// On-Premises backup used to migrate the number.
//
//wabiz:operation registerPhoneNumber
func (c *Client) Register(ctx context.Context, pin string, backup *cloudgen.RegistrationBackup) error {
	if !sixDigits.MatchString(pin) {
		return &ArgumentError{Op: "Register", Reason: "the PIN must be six digits"}
	}
	if backup != nil && (backup.Data == "" || backup.Password == "") {
		return &ArgumentError{Op: "Register", Reason: "a backup needs its data and its password"}
	}
	resp, err := c.Raw.RegisterPhoneNumber(ctx, c.phoneNumberID, cloudgen.Registration{
		MessagingProduct: cloudgen.MessagingProductWhatsapp, Pin: pin, Backup: backup,
	})
	return succeeded("registerPhoneNumber", resp, err)
}

// Deregister deregisters the client's phone number from the Cloud API (POST
// /{phone_number_id}/deregister).
//
//wabiz:operation deregisterPhoneNumber
func (c *Client) Deregister(ctx context.Context) error {
	resp, err := c.Raw.DeregisterPhoneNumber(ctx, c.phoneNumberID)
	return succeeded("deregisterPhoneNumber", resp, err)
}

// RequestVerificationCode asks for a verification code by SMS or voice call, in language
// (for example "en_US") (POST /{phone_number_id}/request_code).
//
//wabiz:operation requestVerificationCode
func (c *Client) RequestVerificationCode(ctx context.Context, method cloudgen.CodeDeliveryCodeMethod, language string) error {
	if !method.Valid() {
		return &ArgumentError{Op: "RequestVerificationCode", Reason: "the method must be SMS or VOICE"}
	}
	if err := required("RequestVerificationCode", "language", language); err != nil {
		return err
	}
	resp, err := c.Raw.RequestVerificationCode(ctx, c.phoneNumberID, cloudgen.CodeDelivery{CodeMethod: method, Language: language})
	return succeeded("requestVerificationCode", resp, err)
}

// VerifyCode verifies the number with the code received (POST /{phone_number_id}/verify_code).
//
//wabiz:operation verifyCode
func (c *Client) VerifyCode(ctx context.Context, code string) error {
	if err := required("VerifyCode", "code", code); err != nil {
		return err
	}
	resp, err := c.Raw.VerifyCode(ctx, c.phoneNumberID, cloudgen.VerificationCode{Code: code})
	return succeeded("verifyCode", resp, err)
}

// GetBusinessProfile reads the business profile (GET /{phone_number_id}/whatsapp_business_profile),
// with the given fields (about, address, description, email, profile_picture_url, websites,
// vertical); none asks for Graph's defaults.
//
//wabiz:operation getBusinessProfile
func (c *Client) GetBusinessProfile(ctx context.Context, fields ...string) (*cloudgen.BusinessProfile, error) {
	params := &cloudgen.GetBusinessProfileParams{}
	if len(fields) > 0 {
		joined := strings.Join(fields, ",")
		params.Fields = &joined
	}
	resp, err := c.Raw.GetBusinessProfileWithResponse(ctx, c.phoneNumberID, params)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil || len(resp.JSON200.Data) == 0 {
		return nil, unexpected("getBusinessProfile", resp.StatusCode())
	}
	return &resp.JSON200.Data[0], nil
}

// UpdateBusinessProfile changes the fields of the business profile that p sets (POST
// /{phone_number_id}/whatsapp_business_profile); messaging_product is set for the caller. A
// new profile picture is a handle from the Resumable Upload API, not a media id.
//
//wabiz:operation updateBusinessProfile
func (c *Client) UpdateBusinessProfile(ctx context.Context, p cloudgen.BusinessProfileUpdate) error {
	p.MessagingProduct = cloudgen.MessagingProductWhatsapp
	resp, err := c.Raw.UpdateBusinessProfile(ctx, c.phoneNumberID, p)
	return succeeded("updateBusinessProfile", resp, err)
}

// ListBlockedUsers returns a page of the users the number blocked (GET
// /{phone_number_id}/block_users); params (may be nil) sets the page size and cursors.
//
//wabiz:operation listBlockedUsers
func (c *Client) ListBlockedUsers(ctx context.Context, params *cloudgen.ListBlockedUsersParams) (*cloudgen.BlockedUsersEnvelope, error) {
	resp, err := c.Raw.ListBlockedUsersWithResponse(ctx, c.phoneNumberID, params)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("listBlockedUsers", resp.StatusCode())
	}
	return resp.JSON200, nil
}

// BlockUsers blocks users, by phone number or wa_id, from messaging the number (POST
// /{phone_number_id}/block_users). The result lists the users blocked and those that
// failed, with why; a partial failure is not an error.
//
//wabiz:operation blockUsers
func (c *Client) BlockUsers(ctx context.Context, users ...string) (*cloudgen.BlockUsersResult, error) {
	in, err := blockInput("BlockUsers", users)
	if err != nil {
		return nil, err
	}
	resp, err := c.Raw.BlockUsersWithResponse(ctx, c.phoneNumberID, in)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("blockUsers", resp.StatusCode())
	}
	return &resp.JSON200.BlockUsers, nil
}

// UnblockUsers unblocks users (DELETE /{phone_number_id}/block_users).
//
//wabiz:operation unblockUsers
func (c *Client) UnblockUsers(ctx context.Context, users ...string) (*cloudgen.BlockUsersResult, error) {
	in, err := blockInput("UnblockUsers", users)
	if err != nil {
		return nil, err
	}
	resp, err := c.Raw.UnblockUsersWithResponse(ctx, c.phoneNumberID, in)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("unblockUsers", resp.StatusCode())
	}
	return &resp.JSON200.BlockUsers, nil
}

func blockInput(op string, users []string) (cloudgen.BlockUsersInput, error) {
	if len(users) == 0 {
		return cloudgen.BlockUsersInput{}, &ArgumentError{Op: op, Reason: "no users"}
	}
	in := cloudgen.BlockUsersInput{MessagingProduct: cloudgen.MessagingProductWhatsapp, BlockUsers: make([]cloudgen.BlockUser, len(users))}
	for i, u := range users {
		if u == "" {
			return cloudgen.BlockUsersInput{}, &ArgumentError{Op: op, Reason: "empty user"}
		}
		in.BlockUsers[i] = cloudgen.BlockUser{User: u}
	}
	return in, nil
}

// succeeded reads a `{"success": true}` answer. Graph has answered register with the string
// "true" (Meta's Account Migration reference), so both spellings count; the generated
// parser, which wants a boolean, is bypassed for these operations.
func succeeded(op string, resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	defer drain(resp)
	var env struct {
		Success json.RawMessage `json:"success"`
	}
	if json.NewDecoder(resp.Body).Decode(&env) != nil {
		return unexpected(op, resp.StatusCode)
	}
	switch string(env.Success) {
	case "true", `"true"`:
		return nil
	}
	return unexpected(op, resp.StatusCode)
}
