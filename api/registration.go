package api

import (
	"context"
	"net/http"

	"github.com/wabiz/wabiz/gen"
)

// CodeRequest is the outcome of RequestCode.
type CodeRequest struct {
	// AlreadyRegistered is true when the server answered 201: the number is already
	// registered on this client, no code was sent and there is nothing left to do.
	AlreadyRegistered bool
	// VerifiedName is the display name decoded from the certificate (answer 202). Check that
	// it is the name you expect before calling VerifyAccount: a wrong name means a wrong
	// certificate.
	VerifiedName string
}

// RequestCode starts registering the business phone number (POST /v1/account): WhatsApp sends
// a registration code by SMS or voice call, to be passed to VerifyAccount. Admin only. Meta
// has sunset the On-Premises API; current servers refuse registration with 403 and code 1005.
//
//wabiz:operation requestCode
func (c *Client) RequestCode(ctx context.Context, reg gen.AccountRegistration) (*CodeRequest, error) {
	resp, err := c.Raw.RequestCodeWithResponse(ctx, reg)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode() == http.StatusCreated:
		return &CodeRequest{AlreadyRegistered: true}, nil
	case resp.JSON202 != nil && len(resp.JSON202.Account) > 0:
		return &CodeRequest{VerifiedName: resp.JSON202.Account[0].Vname}, nil
	}
	return nil, unexpected("requestCode", resp.StatusCode())
}

// VerifyAccount completes registration with the code received after RequestCode
// (POST /v1/account/verify). Admin only.
//
//wabiz:operation verifyAccount
func (c *Client) VerifyAccount(ctx context.Context, code string) error {
	_, err := c.Raw.VerifyAccountWithResponse(ctx, gen.AccountVerification{Code: code})
	return err
}

// SetShards changes the number of shards of the registered number in a multiconnect
// deployment (POST /v1/account/shards). Read the operation's caveats in the spec first: it
// disconnects a number registered more than 7 days ago. Admin only.
//
//wabiz:operation setShards
func (c *Client) SetShards(ctx context.Context, settings gen.ShardSettings) error {
	_, err := c.Raw.SetShardsWithResponse(ctx, settings)
	return err
}

// GetShards returns the number of shards of the registered number (GET /v1/account/shards).
// Admin only.
//
//wabiz:operation getShards
func (c *Client) GetShards(ctx context.Context) (gen.ShardCount, error) {
	resp, err := c.Raw.GetShardsWithResponse(ctx)
	if err != nil {
		return 0, err
	}
	if resp.JSON200 == nil {
		return 0, unexpected("getShards", resp.StatusCode())
	}
	return resp.JSON200.Account.Shards, nil
}
