package api

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// A ContactCheckOption changes how CheckContacts resolves numbers.
type ContactCheckOption func(*gen.ContactCheck)

// WaitForResults makes CheckContacts wait until every number is resolved (`blocking: wait`).
// Without it the server answers at once: numbers it has not cached come back with status
// `processing` and their results arrive later at the webhook.
func WaitForResults() ContactCheckOption {
	return func(cc *gen.ContactCheck) {
		wait := gen.ContactCheckBlockingWait
		cc.Blocking = &wait
	}
}

// ForceCheck makes CheckContacts resolve every number again instead of using results cached
// for up to 7 days (`force_check: true`).
func ForceCheck() ContactCheckOption {
	return func(cc *gen.ContactCheck) {
		force := true
		cc.ForceCheck = &force
	}
}

// CheckContacts resolves phone numbers, in any common format with the country code, to
// WhatsApp ids (POST /v1/contacts), one result per number in request order. Since v2.39 a
// check is not needed before sending, and checking numbers you never message can get the
// business number banned: check only numbers you intend to contact.
//
//wabiz:operation checkContacts
func (c *Client) CheckContacts(ctx context.Context, numbers []string, opts ...ContactCheckOption) ([]gen.ContactCheckResult, error) {
	check := gen.ContactCheck{Contacts: numbers}
	for _, opt := range opts {
		opt(&check)
	}
	resp, err := c.Raw.CheckContactsWithResponse(ctx, check)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("checkContacts", resp.StatusCode())
	}
	return resp.JSON200.Contacts, nil
}

// GetContactIdentity returns the latest identity recorded for a customer
// (GET /v1/contacts/{wa_id}/identity). Its Hash is what AcknowledgeContactIdentity needs.
//
//wabiz:operation getContactIdentity
func (c *Client) GetContactIdentity(ctx context.Context, waID string) (*gen.ContactIdentity, error) {
	if err := required("GetContactIdentity", "wa_id", waID); err != nil {
		return nil, err
	}
	resp, err := c.Raw.GetContactIdentityWithResponse(ctx, waID)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getContactIdentity", resp.StatusCode())
	}
	return &resp.JSON200.Contacts, nil
}

// AcknowledgeContactIdentity acknowledges a customer's identity change with the hash of the
// latest `user_identity_changed` notification (PUT /v1/contacts/{wa_id}/identity). While
// `show_security_notifications` is on, messages to that customer are held until then.
//
//wabiz:operation acknowledgeContactIdentity
func (c *Client) AcknowledgeContactIdentity(ctx context.Context, waID, hash string) error {
	if err := required("AcknowledgeContactIdentity", "wa_id", waID); err != nil {
		return err
	}
	_, err := c.Raw.AcknowledgeContactIdentityWithResponse(ctx, waID, gen.ContactIdentityAcknowledgement{Hash: hash})
	return err
}
