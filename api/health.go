package api

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// CheckHealth samples the connection between the Coreapp and the WhatsApp servers
// (GET /v1/health). A single instance fills GatewayStatus; a high-availability or
// multiconnect deployment instead reports one entry per node in AdditionalProperties.
// `connected` and `connecting` are healthy. The server allows 10 health checks per minute
// in total. Any user or, with WithAPIKey, the API key (bearer tokens expire, keys do not).
//
//wabiz:operation checkHealth
func (c *Client) CheckHealth(ctx context.Context) (*gen.Health, error) {
	resp, err := c.Raw.CheckHealthWithResponse(ctx)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("checkHealth", resp.StatusCode())
	}
	return &resp.JSON200.Health, nil
}

// GetSupportInfo returns diagnostic information for WhatsApp support (GET /v1/support):
// versions, build expiry, free disk space and more. Fields vary with the version; those this
// model does not name, and the per-node entries of a multiconnect answer, are in
// AdditionalProperties.
//
//wabiz:operation getSupportInfo
func (c *Client) GetSupportInfo(ctx context.Context) (*gen.SupportInfo, error) {
	resp, err := c.Raw.GetSupportInfoWithResponse(ctx)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getSupportInfo", resp.StatusCode())
	}
	return &resp.JSON200.Support, nil
}
