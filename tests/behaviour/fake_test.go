package behaviour

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/webhook"
)

// customer is the number the suite writes to on the fake.
const customer = "16315551234"

// start is the fake's manual clock at the start of every case.
var start = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// TestBehaviourOnPremises runs the suite through package api against the fake's /v1 routes.
func TestBehaviourOnPremises(t *testing.T) {
	t.Parallel()
	runSuite(t, dialect{name: "onprem", newEnv: newOnPremEnv})
}

// TestBehaviourCloud runs the same suite through package cloud against the fake's Graph routes.
func TestBehaviourCloud(t *testing.T) {
	t.Parallel()
	runSuite(t, dialect{name: "cloud", newEnv: newCloudEnv})
}

// onPremErrors matches *api.APIError.
var onPremErrors = errorKind{
	status:        asStatus(func(e *api.APIError) int { return e.StatusCode }),
	isRateLimited: api.IsRateLimited, isUnauthorized: api.IsUnauthorized, notFound: api.IsNotFound,
}

// cloudErrors matches *cloud.Error.
var cloudErrors = errorKind{
	status:        asStatus(func(e *cloud.Error) int { return e.StatusCode }),
	isRateLimited: cloud.IsRateLimited, isUnauthorized: cloud.IsUnauthorized, notFound: cloud.IsNotFound,
}

// customerWritesFirst opens the 24-hour window the way a real customer does, before the case.
func customerWritesFirst(t *testing.T, s *fake.Server) {
	t.Helper()
	_, err := s.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: customer, Type: "text", Text: &gen.InboundText{Body: "Hi"}}})
	require.NoError(t, err)
}

func newOnPremEnv(t *testing.T, o envOptions) *env {
	recv := newReceiver(t, false)
	opts := []fake.Option{fake.WithClock(fake.NewManualClock(start)), fake.WithPlainHTTPWebhooks(),
		fake.WithWebhookURL(recv.URL), fake.WithStatusDelays(statusDelays)}
	if o.rateLimited {
		opts = append(opts, fake.WithRateLimits(fake.RateLimits{Messages: fake.Limit{Rate: 1, Burst: 1}}))
	}
	ts := fake.NewTestServer(t, opts...)
	customerWritesFirst(t, ts.Server)
	// No retries: the suite sees every answer of the server, rate limits included.
	c, err := api.NewClient(ts.URL, api.WithToken(ts.AdminToken(t)), api.WithMaxRetries(0))
	require.NoError(t, err)
	// The On-Premises client reports only delivered and read by default; Cloud reports all
	// three, so the suite switches sent on.
	require.NoError(t, c.UpdateApplicationSettings(t.Context(), api.NewSettingsUpdate().StatusWebhooks(true, true, true).Build()))
	bad, err := api.NewClient(ts.URL, api.WithToken("revoked-token"), api.WithMaxRetries(0))
	require.NoError(t, err)
	return &env{m: c, to: customer, templateNamespace: "wabiz_fake", templateName: "order_update", templateLanguage: "en_US",
		badToken: bad, errs: onPremErrors, recv: recv, srv: ts.Server}
}

// verifyToken is the token of the Cloud webhook handshake.
const verifyToken = "behaviour-suite"

func newCloudEnv(t *testing.T, o envOptions) *env {
	recv := newReceiver(t, true, webhook.WithCloud(fake.DefaultCloudAppSecret, verifyToken))
	opts := []fake.Option{fake.WithClock(fake.NewManualClock(start)), fake.WithRegistered(fake.TestBusinessCC, fake.TestBusinessPhone),
		fake.WithStatusDelays(statusDelays), fake.WithWebhookHTTPClient(recv.client)}
	if o.rateLimited {
		opts = append(opts, fake.WithCloudThroughput(1))
	}
	srv, err := fake.New(opts...)
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); _ = srv.Close() })
	customerWritesFirst(t, srv)
	base := hs.URL + "/graph"
	c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(fake.DefaultCloudToken), cloud.WithBaseURL(base), cloud.WithMaxRetries(0))
	require.NoError(t, err)
	bad, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken("revoked-token"), cloud.WithBaseURL(base), cloud.WithMaxRetries(0))
	require.NoError(t, err)
	// The fake accepts the override only after its GET handshake with the receiver.
	require.NoError(t, c.SetWebhookOverride(t.Context(), recv.URL, verifyToken))
	return &env{m: c, to: customer, templateName: "order_update", templateLanguage: "en_US",
		badToken: bad, errs: cloudErrors, recv: recv, srv: srv}
}
