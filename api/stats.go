package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/wabiz/wabiz/gen"
)

// Metrics and statistics come in two forms: JSON, decoded into metric families keyed by
// name (GetMetrics, GetAppStats...), and the Prometheus text exposition format, returned as
// is for a scraper or a Prometheus parser (GetMetricsPrometheus, GetAppStatsPrometheus...).
// All accept a bearer token or, with WithAPIKey, the API key, which suits monitors because it
// does not expire.
//
// Multiconnect deployments key the JSON statistics by node, each value being that node's
// own families; the JSON methods decode the single-instance shape described by the spec, so
// for multiconnect prefer the Prometheus form, where every sample carries a node label.

// prometheusFormat is the `format` query value of every metrics and stats operation.
var prometheusFormat = gen.MetricsFormatPrometheus

// promText returns the Prometheus text of a metrics or stats answer, refusing a JSON body (a
// server that ignored format=prometheus).
func promText(op string, resp *http.Response, body []byte) (string, error) {
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return "", fmt.Errorf("%w: %s answered JSON instead of Prometheus text", ErrUnexpectedResponse, op)
	}
	return string(body), nil
}

// GetMetrics returns the Webapp's metrics (GET /metrics, outside /v1): uptime, connections,
// request counts and durations per endpoint.
//
//wabiz:operation getMetrics
func (c *Client) GetMetrics(ctx context.Context) (gen.MetricFamilies, error) {
	resp, err := c.Raw.GetMetricsWithResponse(ctx, nil)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getMetrics", resp.StatusCode())
	}
	return resp.JSON200.Metrics, nil
}

// GetMetricsPrometheus returns the Webapp's metrics in the Prometheus text format
// (GET /metrics?format=prometheus).
//
//wabiz:operation getMetrics
func (c *Client) GetMetricsPrometheus(ctx context.Context) (string, error) {
	resp, err := c.Raw.GetMetricsWithResponse(ctx, &gen.GetMetricsParams{Format: &prometheusFormat})
	if err != nil {
		return "", err
	}
	return promText("getMetrics", resp.HTTPResponse, resp.Body)
}

// GetAppStats returns the Coreapp's statistics (GET /v1/stats/app): callback queue and
// delivery, database timings, pending messages.
//
//wabiz:operation getAppStats
func (c *Client) GetAppStats(ctx context.Context) (gen.MetricFamilies, error) {
	resp, err := c.Raw.GetAppStatsWithResponse(ctx, nil)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getAppStats", resp.StatusCode())
	}
	return resp.JSON200.Stats.App, nil
}

// GetAppStatsPrometheus returns the Coreapp's statistics in the Prometheus text format
// (GET /v1/stats/app?format=prometheus).
//
//wabiz:operation getAppStats
func (c *Client) GetAppStatsPrometheus(ctx context.Context) (string, error) {
	resp, err := c.Raw.GetAppStatsWithResponse(ctx, &gen.GetAppStatsParams{Format: &prometheusFormat})
	if err != nil {
		return "", err
	}
	return promText("getAppStats", resp.HTTPResponse, resp.Body)
}

// GetAppStatsInternal returns the Coreapp's internal statistics, meant for WhatsApp support
// (GET /v1/stats/app/internal).
//
//wabiz:operation getAppStatsInternal
func (c *Client) GetAppStatsInternal(ctx context.Context) (gen.MetricFamilies, error) {
	resp, err := c.Raw.GetAppStatsInternalWithResponse(ctx, nil)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getAppStatsInternal", resp.StatusCode())
	}
	return resp.JSON200.Stats.App.Internal, nil
}

// GetAppStatsInternalPrometheus returns the Coreapp's internal statistics in the Prometheus
// text format (GET /v1/stats/app/internal?format=prometheus).
//
//wabiz:operation getAppStatsInternal
func (c *Client) GetAppStatsInternalPrometheus(ctx context.Context) (string, error) {
	resp, err := c.Raw.GetAppStatsInternalWithResponse(ctx, &gen.GetAppStatsInternalParams{Format: &prometheusFormat})
	if err != nil {
		return "", err
	}
	return promText("getAppStatsInternal", resp.HTTPResponse, resp.Body)
}

// GetDBStats returns database statistics (GET /v1/stats/db), such as pending callbacks and
// stored messages. Reading them queries the database: poll sparingly.
//
//wabiz:operation getDBStats
func (c *Client) GetDBStats(ctx context.Context) (gen.MetricFamilies, error) {
	resp, err := c.Raw.GetDBStatsWithResponse(ctx, nil)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getDBStats", resp.StatusCode())
	}
	return resp.JSON200.Stats.DB, nil
}

// GetDBStatsPrometheus returns database statistics in the Prometheus text format
// (GET /v1/stats/db?format=prometheus).
//
//wabiz:operation getDBStats
func (c *Client) GetDBStatsPrometheus(ctx context.Context) (string, error) {
	resp, err := c.Raw.GetDBStatsWithResponse(ctx, &gen.GetDBStatsParams{Format: &prometheusFormat})
	if err != nil {
		return "", err
	}
	return promText("getDBStats", resp.HTTPResponse, resp.Body)
}

// GetDBStatsInternal returns internal database statistics, meant for WhatsApp support
// (GET /v1/stats/db/internal).
//
//wabiz:operation getDBStatsInternal
func (c *Client) GetDBStatsInternal(ctx context.Context) (gen.MetricFamilies, error) {
	resp, err := c.Raw.GetDBStatsInternalWithResponse(ctx, nil)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("getDBStatsInternal", resp.StatusCode())
	}
	return resp.JSON200.Stats.DB.Internal, nil
}

// GetDBStatsInternalPrometheus returns internal database statistics in the Prometheus text
// format (GET /v1/stats/db/internal?format=prometheus).
//
//wabiz:operation getDBStatsInternal
func (c *Client) GetDBStatsInternalPrometheus(ctx context.Context) (string, error) {
	resp, err := c.Raw.GetDBStatsInternalWithResponse(ctx, &gen.GetDBStatsInternalParams{Format: &prometheusFormat})
	if err != nil {
		return "", err
	}
	return promText("getDBStatsInternal", resp.HTTPResponse, resp.Body)
}
