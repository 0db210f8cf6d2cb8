package fake

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func value(t *testing.T, fams gen.MetricFamilies, name string, labels map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	require.True(t, ok, "family %s", name)
	require.NotNil(t, f.Data)
next:
	for _, s := range *f.Data {
		for k, v := range labels {
			if s.Labels == nil || (*s.Labels)[k] != v {
				continue next
			}
		}
		return *s.Value
	}
	t.Fatalf("no sample of %s with %v", name, labels)
	return 0
}

func TestMetricsCountRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithNodeName("node-a"))
	for i := 0; i < 3; i++ {
		h.get("/v1/groups")
	}
	h.get("/v1/unknown")
	h.clock.Advance(90 * time.Second)
	r := h.get("/metrics")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var env gen.MetricsEnvelope
	r.decode(t, &env)
	assert.Equal(t, 3.0, value(t, env.Metrics, "api_requests_duration_ms_count", map[string]string{"method": "GET_v1_groups", "result": "200", "node": "node-a"}))
	assert.Equal(t, 1.0, value(t, env.Metrics, "api_requests_duration_ms_count", map[string]string{"method": "unknown", "result": "404"}))
	assert.Equal(t, 90.0, value(t, env.Metrics, "web_uptime", nil), "uptime on the fake's clock")
	assert.Equal(t, 1.0, value(t, env.Metrics, "web_requests", map[string]string{"state": "handle-request"}), "this request")
	assert.GreaterOrEqual(t, value(t, env.Metrics, "web_handled_requests", nil), 5.0)

	r = h.get("/metrics?format=prometheus")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "text/plain", r.header.Get("Content-Type"))
	text := string(r.body)
	assert.Contains(t, text, "# HELP web_uptime Number of seconds since web server has started\n# TYPE web_uptime gauge\n")
	assert.Contains(t, text, `api_requests_duration_ms_count{method="GET_v1_groups",node="node-a",result="200"} 3`+"\n")
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		assert.Regexp(t, `^(# (HELP|TYPE) \w+ .+|\w+(\{(\w+="[^"]*",?)+\})? [-+0-9.e]+)$`, line)
	}
}

func TestStatsCountCallbacksAndMessages(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t, FailRate(0.5, 3))
	h := newHarness(t)
	h.setWebhook(rec.URL, true, false, false)
	h.srv.hooks.setLinger(0) // two callbacks: the statuses fall due apart and do not wait for each other
	h.sendText("16315551234", "a")
	_, err := h.srv.Advance(time.Millisecond)
	require.NoError(t, err)
	h.sendText("16315551235", "b")
	for i := 0; i < 20 && len(rec.Statuses()) < 2; i++ {
		h.advance(3 * time.Second)
	}
	total, refused := rec.Requests()
	r := h.get("/v1/stats/app")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var app gen.AppStatsEnvelope
	r.decode(t, &app)
	assert.Equal(t, 0.0, value(t, app.Stats.App, "callback_queue_size", nil))
	assert.Equal(t, 2.0, value(t, app.Stats.App, "callback_requests_duration_ms_count", map[string]string{"result": "success", "type": "status_change"}))
	if refused > 0 {
		assert.Equal(t, float64(refused), value(t, app.Stats.App, "callback_requests_duration_ms_count", map[string]string{"result": "failure", "type": "status_change"}))
	}
	assert.Equal(t, 2, total-refused)

	var db gen.DBStatsEnvelope
	h.get("/v1/stats/db").decode(t, &db)
	assert.Equal(t, 2.0, value(t, db.Stats.DB, "db_messages", map[string]string{"type": "outgoing"}))
	assert.Equal(t, 0.0, value(t, db.Stats.DB, "db_pending_callbacks", nil))

	for _, p := range []string{"/v1/stats/app?format=prometheus", "/v1/stats/db?format=prometheus", "/v1/stats/app/internal?format=prometheus", "/v1/stats/db/internal?format=prometheus"} {
		r := h.get(p)
		require.Equal(t, http.StatusOK, r.status, p)
		assert.True(t, strings.HasPrefix(string(r.body), "# HELP "), p)
	}
	var ai gen.AppInternalStatsEnvelope
	h.get("/v1/stats/app/internal").decode(t, &ai)
	assert.Equal(t, 6.0, value(t, ai.Stats.App.Internal, "callback_max_in_flight", nil))
	var di gen.DBInternalStatsEnvelope
	h.get("/v1/stats/db/internal").decode(t, &di)
	assert.Equal(t, 1.0, value(t, di.Stats.DB.Internal, "db_users", nil))
}

func TestSupportInfo(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.get("/v1/support")
	require.Equal(t, http.StatusOK, r.status)
	var env gen.SupportInfoEnvelope
	r.decode(t, &env)
	assert.Equal(t, "16315551019", *env.Support.DebugInfo)
	assert.Equal(t, "UP", *env.Support.SocketConn)
	assert.Contains(t, *env.Support.Description, DefaultVersion)
	require.NoError(t, h.srv.SetHealth(gen.GatewayStatusDisconnected))
	h.get("/v1/support").decode(t, &env)
	assert.Equal(t, "DN", *env.Support.SocketConn)

	u := newHarness(t, WithUnregistered())
	u.get("/v1/support").decode(t, &env)
	assert.Equal(t, "unregistered", *env.Support.DebugInfo)
}
