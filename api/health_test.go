package api

import (
	"context"
	"testing"

	"github.com/wabiz/wabiz/gen"
)

func TestHealthWrappers(t *testing.T) {
	t.Parallel()
	runWrapperCases(t, []wrapperCase{
		{
			name: "CheckHealth_single_instance", method: "GET", path: "/v1/health",
			resp: `{"health":{"gateway_status":"connected"}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.CheckHealth(ctx) },
			want: &gen.Health{GatewayStatus: ptr(gen.GatewayStatusConnected)},
		},
		{
			name: "CheckHealth_multiconnect", method: "GET", path: "/v1/health",
			resp: `{"health":{"wacore1:abc":{"gateway_status":"connected","role":"primary_master"},
				"wacore2:def":{"errors":[{"code":1011,"title":"Service not ready"}]}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.CheckHealth(ctx) },
			want: &gen.Health{AdditionalProperties: map[string]gen.HealthNode{
				"wacore1:abc": {GatewayStatus: ptr(gen.GatewayStatusConnected), Role: ptr(gen.ClusterRolePrimaryMaster)},
				"wacore2:def": {Errors: &[]gen.ErrorDetail{{Code: 1011, Title: "Service not ready"}}},
			}},
		},
		{
			name: "GetSupportInfo", method: "GET", path: "/v1/support",
			resp: `{"support":{"debug_info":"16315551019","multi_connect":false,"socket_conn":"UP","future_field":"kept"}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetSupportInfo(ctx) },
			want: &gen.SupportInfo{DebugInfo: ptr("16315551019"), MultiConnect: ptr(false), SocketConn: ptr("UP"),
				AdditionalProperties: map[string]any{"future_field": "kept"}},
		},
	})
}
