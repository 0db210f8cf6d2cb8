package api

import (
	"context"
	"testing"

	"github.com/wabiz/wabiz/gen"
)

func TestContactWrappers(t *testing.T) {
	t.Parallel()
	results := []gen.ContactCheckResult{
		{Input: "+1 631 555 1001", Status: gen.ContactCheckResultStatusValid, WaID: ptr("16315551001")},
		{Input: "1-631-555-1005", Status: gen.ContactCheckResultStatusProcessing},
	}
	const resp = `{"contacts":[{"input":"+1 631 555 1001","status":"valid","wa_id":"16315551001"},
		{"input":"1-631-555-1005","status":"processing"}]}`
	numbers := []string{"+1 631 555 1001", "1-631-555-1005"}
	runWrapperCases(t, []wrapperCase{
		{
			name: "CheckContacts", method: "POST", path: "/v1/contacts",
			body: `{"contacts":["+1 631 555 1001","1-631-555-1005"]}`, resp: resp,
			call: func(ctx context.Context, c *Client) (any, error) { return c.CheckContacts(ctx, numbers) },
			want: results,
		},
		{
			name: "CheckContacts_wait_and_force", method: "POST", path: "/v1/contacts",
			body: `{"contacts":["+1 631 555 1001","1-631-555-1005"],"blocking":"wait","force_check":true}`, resp: resp,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CheckContacts(ctx, numbers, WaitForResults(), ForceCheck())
			},
			want: results,
		},
		{
			name: "GetContactIdentity", method: "GET", path: "/v1/contacts/16315551001/identity",
			resp: `{"contacts":{"acknowledged":false,"created_timestamp":1600132094000,"hash":"UKD6Y/5SqDU="}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetContactIdentity(ctx, "16315551001") },
			want: &gen.ContactIdentity{Acknowledged: ptr(false), CreatedTimestamp: ptr(int64(1600132094000)), Hash: ptr("UKD6Y/5SqDU=")},
		},
		{
			name: "AcknowledgeContactIdentity", method: "PUT", path: "/v1/contacts/16315551001/identity",
			body: `{"hash":"Rc/eg9RQ0JA="}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.AcknowledgeContactIdentity(ctx, "16315551001", "Rc/eg9RQ0JA="))
			},
		},
	})
}

func TestContactWrappersRejectEmptyWaID(t *testing.T) {
	t.Parallel()
	runRequiredArgCases(t, []requiredArgCase{
		{"GetContactIdentity", func(ctx context.Context, c *Client) error { _, err := c.GetContactIdentity(ctx, ""); return err }},
		{"AcknowledgeContactIdentity", func(ctx context.Context, c *Client) error { return c.AcknowledgeContactIdentity(ctx, "", "h") }},
	})
}
