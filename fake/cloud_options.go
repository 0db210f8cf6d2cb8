package fake

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Defaults of the Cloud API dialect of the fake (see WithCloud* options).
const (
	// CloudGraphVersion is the Graph version the fake's Cloud routes serve, the default of the
	// `version` server variable of spec/cloud.yaml.
	CloudGraphVersion = "v23.0"
	// CloudPrefix is where the Cloud routes are mounted: `<CloudPrefix>/{phone_number_id}/messages`
	// and so on. A Cloud client's base URL is the server's URL plus CloudPrefix.
	CloudPrefix = "/graph/" + CloudGraphVersion
	// DefaultCloudToken is the system-user access token the Cloud routes accept by default.
	DefaultCloudToken = "wabiz-fake-system-user-token"
	// DefaultCloudPhoneNumberID is the id of the fake's business phone number on Cloud.
	DefaultCloudPhoneNumberID = "106540352242922"
	// DefaultCloudWABAID is the id of the fake's WhatsApp Business Account on Cloud.
	DefaultCloudWABAID = "102290129340398"
	// DefaultCloudAppSecret is the app secret that signs Cloud webhooks (X-Hub-Signature-256).
	DefaultCloudAppSecret = "wabiz-fake-app-secret"
	// DefaultCloudThroughput is the messages per second per number before 130429.
	DefaultCloudThroughput = 80
	// DefaultCloudPairInterval is the pair rate limit: at most one message to the same customer
	// per interval, beyond a burst of DefaultCloudPairBurst, before 131056.
	DefaultCloudPairInterval = 6 * time.Second
	// DefaultCloudPairBurst is how many messages to one customer are allowed back to back.
	DefaultCloudPairBurst = 5
	// CloudMediaURLLifetime is how long a media download URL of the fake stays valid.
	CloudMediaURLLifetime = 5 * time.Minute
)

// cloudConfig is the configuration of the Cloud routes; its zero value means the defaults.
type cloudConfig struct {
	tokens        []string
	phoneNumberID string
	wabaID        string
	appSecret     string
	throughput    int           // messages per second per number; < 0 turns the limit off
	pairInterval  time.Duration // < 0 turns the pair limit off
	pairBurst     int
	noWindow      bool // the 24-hour customer-service window is not enforced
}

// withDefaults fills in what no option set.
func (c cloudConfig) withDefaults() cloudConfig {
	if len(c.tokens) == 0 {
		c.tokens = []string{DefaultCloudToken}
	}
	if c.phoneNumberID == "" {
		c.phoneNumberID = DefaultCloudPhoneNumberID
	}
	if c.wabaID == "" {
		c.wabaID = DefaultCloudWABAID
	}
	if c.appSecret == "" {
		c.appSecret = DefaultCloudAppSecret
	}
	if c.throughput == 0 {
		c.throughput = DefaultCloudThroughput
	}
	if c.pairInterval == 0 {
		c.pairInterval = DefaultCloudPairInterval
	}
	if c.pairBurst == 0 {
		c.pairBurst = DefaultCloudPairBurst
	}
	return c
}

// WithCloudTokens sets the system-user access tokens the Cloud routes accept (default
// DefaultCloudToken); any other bearer token gets 401 with code 190.
func WithCloudTokens(tokens ...string) Option {
	return func(c *config) error {
		if len(tokens) == 0 {
			return errors.New("fake: WithCloudTokens needs at least one token")
		}
		for _, t := range tokens {
			if strings.TrimSpace(t) == "" || strings.ContainsAny(t, " \t\r\n") {
				return fmt.Errorf("fake: WithCloudTokens: %q is not a usable bearer token", t)
			}
		}
		c.cloud.tokens = append([]string(nil), tokens...)
		return nil
	}
}

// WithCloudPhoneNumberID sets the id of the business phone number on Cloud (default
// DefaultCloudPhoneNumberID); other ids in Cloud paths get 400 with code 100.
func WithCloudPhoneNumberID(id string) Option {
	return func(c *config) error {
		if !digitsRE.MatchString(id) {
			return fmt.Errorf("fake: WithCloudPhoneNumberID: %q is not a Graph id (digits only)", id)
		}
		c.cloud.phoneNumberID = id
		return nil
	}
}

// WithCloudAppSecret sets the app secret that signs Cloud webhooks (default
// DefaultCloudAppSecret).
func WithCloudAppSecret(secret string) Option {
	return func(c *config) error {
		if secret == "" {
			return errors.New("fake: WithCloudAppSecret: empty secret")
		}
		c.cloud.appSecret = secret
		return nil
	}
}

// WithCloudThroughput sets how many messages per second the number may send on Cloud before
// sends fail with 130429 (default 80); 0 or less turns the limit off.
func WithCloudThroughput(perSecond int) Option {
	return func(c *config) error {
		if perSecond <= 0 {
			perSecond = -1
		}
		c.cloud.throughput = perSecond
		return nil
	}
}

// WithCloudPairRateLimit sets the pair rate limit: after burst messages to the same customer,
// at most one per interval, else 131056 (default 5 and 6 s). An interval of 0 or less turns
// it off.
func WithCloudPairRateLimit(burst int, interval time.Duration) Option {
	return func(c *config) error {
		if interval <= 0 {
			c.cloud.pairInterval = -1
			return nil
		}
		if burst < 1 {
			return fmt.Errorf("fake: WithCloudPairRateLimit: burst %d must be at least 1", burst)
		}
		c.cloud.pairBurst, c.cloud.pairInterval = burst, interval
		return nil
	}
}

// WithoutCloudServiceWindow stops enforcing the 24-hour customer-service window on Cloud:
// by default a free-form message to a customer who has not written in the last 24 hours
// (InjectInbound) fails with 131047, as on Cloud.
func WithoutCloudServiceWindow() Option {
	return func(c *config) error {
		c.cloud.noWindow = true
		return nil
	}
}
