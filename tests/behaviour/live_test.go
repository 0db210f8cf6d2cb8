//go:build live

package behaviour

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/cloud"
)

// TestBehaviourLiveCloud runs the suite through package cloud against the real Graph API.
// It sends real messages to WA_TO, which must be a number that wrote to the business in the
// last 24 hours (free-form messages are refused with 131047 otherwise). The cases that need
// the fake (an injected inbound message, a forced rate limit, statuses through a receiver
// Graph can reach, products of a catalog) are logged as fake-only and not run.
//
//	WA_CLOUD_TOKEN=… WA_PHONE_NUMBER_ID=… WA_TO=… go test -tags live -run Live -v ./tests/behaviour/
//
// Optional: WA_TEMPLATE_NAME and WA_TEMPLATE_LANGUAGE (default hello_world, en_US),
// WA_PAIR_INTERVAL (default 6s, the pause between cases), WA_GRAPH_URL and WA_GRAPH_VERSION.
func TestBehaviourLiveCloud(t *testing.T) {
	cfg := liveConfig(t)
	var last time.Time
	runSuite(t, dialect{name: "live", live: true, newEnv: func(t *testing.T, _ envOptions) *env {
		// Graph's pair rate limit (131056) allows about one message to the same customer every
		// 6 seconds: the cases, which run one after the other, are spaced by WA_PAIR_INTERVAL.
		time.Sleep(time.Until(last.Add(cfg.pairInterval)))
		t.Cleanup(func() { last = time.Now() })
		c, err := cloud.NewClient(cfg.phoneNumberID, append(cfg.opts, cloud.WithToken(cfg.token))...)
		require.NoError(t, err)
		bad, err := cloud.NewClient(cfg.phoneNumberID, append(cfg.opts, cloud.WithToken("EAAinvalid"+strings.Repeat("0", 32)))...)
		require.NoError(t, err)
		return &env{m: c, to: cfg.to, templateName: cfg.templateName, templateLanguage: cfg.templateLanguage,
			badToken: bad, errs: cloudErrors}
	}})
}

type live struct {
	token, phoneNumberID, to       string
	templateName, templateLanguage string
	pairInterval                   time.Duration
	opts                           []cloud.Option
}

// liveConfig reads the environment; with the tag set, a missing variable fails the test
// rather than skipping it silently.
func liveConfig(t *testing.T) live {
	t.Helper()
	var missing []string
	get := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	cfg := live{token: get("WA_CLOUD_TOKEN"), phoneNumberID: get("WA_PHONE_NUMBER_ID"), to: get("WA_TO"),
		templateName: or(os.Getenv("WA_TEMPLATE_NAME"), "hello_world"), templateLanguage: or(os.Getenv("WA_TEMPLATE_LANGUAGE"), "en_US")}
	if len(missing) > 0 {
		t.Fatalf("the live suite (-tags live) needs %s: a system-user token, the business phone number id and a test recipient who wrote in the last 24 hours",
			strings.Join(missing, ", "))
	}
	cfg.pairInterval = 6 * time.Second
	if v := os.Getenv("WA_PAIR_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			t.Fatalf("WA_PAIR_INTERVAL=%q: want a duration such as 6s", v)
		}
		cfg.pairInterval = d
	}
	if u := os.Getenv("WA_GRAPH_URL"); u != "" {
		cfg.opts = append(cfg.opts, cloud.WithBaseURL(u))
	}
	if v := os.Getenv("WA_GRAPH_VERSION"); v != "" {
		cfg.opts = append(cfg.opts, cloud.WithGraphVersion(v))
	}
	return cfg
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
