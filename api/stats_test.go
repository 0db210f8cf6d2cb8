package api

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

const families = `{"web_uptime":{"type":"gauge","help":"Uptime","data":[{"labels":{"node":"n1"},"value":348842}]}}`

var wantFamilies = gen.MetricFamilies{"web_uptime": {
	Type: ptr("gauge"), Help: ptr("Uptime"),
	Data: &[]gen.MetricSample{{Labels: &gen.MetricLabels{"node": "n1"}, Value: ptr(348842.0)}},
}}

func TestStatsJSONWrappers(t *testing.T) {
	t.Parallel()
	runWrapperCases(t, []wrapperCase{
		{
			name: "GetMetrics", method: "GET", path: "/metrics", resp: `{"metrics":` + families + `}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetMetrics(ctx) },
			want: wantFamilies,
		},
		{
			name: "GetAppStats", method: "GET", path: "/v1/stats/app", resp: `{"stats":{"app":` + families + `}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetAppStats(ctx) },
			want: wantFamilies,
		},
		{
			name: "GetAppStatsInternal", method: "GET", path: "/v1/stats/app/internal",
			resp: `{"stats":{"app":{"internal":` + families + `}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetAppStatsInternal(ctx) },
			want: wantFamilies,
		},
		{
			name: "GetDBStats", method: "GET", path: "/v1/stats/db", resp: `{"stats":{"db":` + families + `}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetDBStats(ctx) },
			want: wantFamilies,
		},
		{
			name: "GetDBStatsInternal", method: "GET", path: "/v1/stats/db/internal",
			resp: `{"stats":{"db":{"internal":` + families + `}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetDBStatsInternal(ctx) },
			want: wantFamilies,
		},
	})
}

func TestStatsPrometheusWrappers(t *testing.T) {
	t.Parallel()
	const text = "# HELP web_uptime Uptime\n# TYPE web_uptime gauge\nweb_uptime{node=\"n1\"} 348842\n"
	tests := []struct {
		name string
		path string
		call func(ctx context.Context, c *Client) (string, error)
	}{
		{"GetMetricsPrometheus", "/metrics", func(ctx context.Context, c *Client) (string, error) { return c.GetMetricsPrometheus(ctx) }},
		{"GetAppStatsPrometheus", "/v1/stats/app", func(ctx context.Context, c *Client) (string, error) { return c.GetAppStatsPrometheus(ctx) }},
		{"GetAppStatsInternalPrometheus", "/v1/stats/app/internal", func(ctx context.Context, c *Client) (string, error) {
			return c.GetAppStatsInternalPrometheus(ctx)
		}},
		{"GetDBStatsPrometheus", "/v1/stats/db", func(ctx context.Context, c *Client) (string, error) { return c.GetDBStatsPrometheus(ctx) }},
		{"GetDBStatsInternalPrometheus", "/v1/stats/db/internal", func(ctx context.Context, c *Client) (string, error) {
			return c.GetDBStatsInternalPrometheus(ctx)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("GET "+tc.path, func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "format=prometheus", r.URL.RawQuery)
				w.Header().Set("Content-Type", "text/plain; version=0.0.4")
				_, _ = io.WriteString(w, text)
			})
			got, err := tc.call(t.Context(), c)
			require.NoError(t, err)
			assert.Equal(t, text, got)
		})
	}
}

// TestStatsPrometheusRefusesJSON covers a server that ignores format=prometheus.
func TestStatsPrometheusRefusesJSON(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"metrics":{}}`)
	})
	_, err := c.GetMetricsPrometheus(t.Context())
	assert.ErrorIs(t, err, ErrUnexpectedResponse)
}

// TestStatsWithAPIKey checks that the API key, meant for monitors, is sent as the server
// expects it.
func TestStatsWithAPIKey(t *testing.T) {
	t.Parallel()
	mux, baseURL := newServer(t)
	const key = "monitor-key-0123456789"
	c, err := NewClient(baseURL, WithAPIKey(key))
	require.NoError(t, err)
	mux.HandleFunc("GET /v1/stats/db", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Apikey "+key, r.Header.Get("Authorization"))
		writeJSON(w, http.StatusOK, `{"stats":{"db":`+families+`}}`)
	})
	got, err := c.GetDBStats(t.Context())
	require.NoError(t, err)
	assert.Equal(t, wantFamilies, got)
}
