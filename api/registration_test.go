package api

import (
	"context"
	"testing"

	"github.com/wabiz/wabiz/gen"
)

func TestRegistrationWrappers(t *testing.T) {
	t.Parallel()
	reg := gen.AccountRegistration{Cc: "1", PhoneNumber: "6315550000", Method: gen.AccountRegistrationMethodSms, Cert: "CmEKHQ"}
	const regJSON = `{"cc":"1","phone_number":"6315550000","method":"sms","cert":"CmEKHQ"}`
	runWrapperCases(t, []wrapperCase{
		{
			name: "RequestCode_code_sent", method: "POST", path: "/v1/account", status: 202, body: regJSON,
			resp: `{"account":[{"vname":"My Business"}],"meta":{"version":"v2.45.1"}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.RequestCode(ctx, reg) },
			want: &CodeRequest{VerifiedName: "My Business"},
		},
		{
			name: "RequestCode_already_registered", method: "POST", path: "/v1/account", status: 201, body: regJSON,
			call: func(ctx context.Context, c *Client) (any, error) { return c.RequestCode(ctx, reg) },
			want: &CodeRequest{AlreadyRegistered: true},
		},
		{
			name: "VerifyAccount", method: "POST", path: "/v1/account/verify", status: 201, body: `{"code":"123456"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.VerifyAccount(ctx, "123456")) },
		},
		{
			name: "VerifyAccount_older_build_200", method: "POST", path: "/v1/account/verify", body: `{"code":"123-456"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.VerifyAccount(ctx, "123-456")) },
		},
		{
			name: "SetShards", method: "POST", path: "/v1/account/shards", status: 201,
			body: `{"cc":"1","phone_number":"6315550000","shards":8,"pin":"123456","cert":"CmEKHQ"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.SetShards(ctx, gen.ShardSettings{Cc: "1", PhoneNumber: "6315550000", Shards: gen.ShardCountN8, Pin: ptr("123456"), Cert: "CmEKHQ"}))
			},
		},
		{
			name: "GetShards", method: "GET", path: "/v1/account/shards",
			resp: `{"account":{"shards":4}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetShards(ctx) },
			want: gen.ShardCountN4,
		},
	})
}
