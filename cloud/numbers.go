package cloud

import (
	"context"
	"regexp"
	"strings"

	cloudgen "github.com/wabiz/wabiz/gen/cloud"
)

// Phone number settings and state
//
// The On-Premises settings that have a Cloud counterpart for the number itself: two-step
// verification (POST /v1/settings/account/two-step) becomes POST /{phone_number_id} with a
// pin, the webhook URL of the application settings becomes a per-number override, and
// health (GET /v1/health) becomes the health_status field of GET /{phone_number_id}.

// GetPhoneNumber reads the client's business phone number (GET /{phone_number_id}), with
// the given fields, for example "verified_name", "display_phone_number", "quality_rating",
// "throughput", "health_status"; none asks for Graph's defaults.
//
//wabiz:operation getNode
func (c *Client) GetPhoneNumber(ctx context.Context, fields ...string) (*cloudgen.PhoneNumber, error) {
	params := &cloudgen.GetNodeParams{}
	if len(fields) > 0 {
		for _, f := range fields {
			if f == "" || strings.ContainsAny(f, ", ") {
				return nil, &ArgumentError{Op: "GetPhoneNumber", Reason: "a field name must be one non-empty word, got " + quote(f)}
			}
		}
		joined := strings.Join(fields, ",")
		params.Fields = &joined
	}
	resp, err := c.Raw.GetNodeWithResponse(ctx, c.phoneNumberID, params)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getNode", resp.StatusCode())
	}
	pn, err := resp.JSON200.AsPhoneNumber()
	if err != nil || pn.ID == "" {
		return nil, unexpected("getNode", resp.StatusCode())
	}
	return &pn, nil
}

// UpdatePhoneNumber changes settings of the client's phone number (POST /{phone_number_id}):
// the two-step verification PIN and the webhook override. SetTwoStepPIN and
// SetWebhookOverride cover the usual cases.
//
//wabiz:operation updatePhoneNumber
func (c *Client) UpdatePhoneNumber(ctx context.Context, settings cloudgen.PhoneNumberSettings) error {
	resp, err := c.Raw.UpdatePhoneNumber(ctx, c.phoneNumberID, settings)
	return succeeded("updatePhoneNumber", resp, err)
}

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// SetTwoStepPIN sets or changes the six-digit two-step verification PIN, which registering
// the number requires (the On-Premises POST /v1/settings/account/two-step). The Cloud API
// has no call that turns two-step verification off.
//
//wabiz:operation updatePhoneNumber
func (c *Client) SetTwoStepPIN(ctx context.Context, pin string) error {
	if !sixDigits.MatchString(pin) {
		return &ArgumentError{Op: "SetTwoStepPIN", Reason: "the PIN must be six digits"}
	}
	return c.UpdatePhoneNumber(ctx, cloudgen.PhoneNumberSettings{Pin: &pin})
}

// SetWebhookOverride sends this number's webhooks to callbackURL instead of the app's
// callback; Graph first verifies the URL with the GET handshake carrying verifyToken.
//
//wabiz:operation updatePhoneNumber
func (c *Client) SetWebhookOverride(ctx context.Context, callbackURL, verifyToken string) error {
	if !strings.HasPrefix(callbackURL, "https://") {
		return &ArgumentError{Op: "SetWebhookOverride", Reason: "the callback URL must be HTTPS (Graph needs a publicly trusted certificate)"}
	}
	if err := required("SetWebhookOverride", "verify token", verifyToken); err != nil {
		return err
	}
	return c.UpdatePhoneNumber(ctx, cloudgen.PhoneNumberSettings{
		WebhookConfiguration: &cloudgen.WebhookConfiguration{OverrideCallbackURI: callbackURL, VerifyToken: verifyToken},
	})
}

func quote(s string) string { return `"` + s + `"` }
