package fake

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/wabiz/wabiz/gen"

	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// Option configures a Server; pass options to New or NewTestServer. Options validate their
// input and make New fail early on a bad value.
type Option func(*config) error

// Defaults of the fake, as documented on the options that change them.
const (
	// DefaultAdminPassword is the built-in admin's password of a fresh server; the first login
	// must replace it (401 with code 1024 otherwise).
	DefaultAdminPassword = onpremhttp.DefaultAdminPassword
	// DefaultVersion is the version reported in `meta.version`.
	DefaultVersion = "v2.45.1"
	// DefaultVerificationCode is the code POST /v1/account/verify accepts.
	DefaultVerificationCode = "123456"
	// DefaultQueueCapacity is how many webhook callbacks may be pending (queued, in flight or
	// waiting to be retried) before POST /v1/messages fails with 503 and code 1016.
	DefaultQueueCapacity = 100000
	// DefaultMessageHistory is how many sent and received messages the fake remembers.
	DefaultMessageHistory = 100000
	// DefaultDeliveryLogSize is how many webhook delivery attempts the delivery log keeps.
	DefaultDeliveryLogSize = 10000
	// DefaultVerifiedName is the display name used when a registration certificate carries
	// none that the fake can read.
	DefaultVerifiedName = "Fake Business"
)

// StatusDelays sets when the status webhooks of an accepted message fall due, on the fake's
// clock: `sent` Sent after the send, `delivered` Delivered after `sent`, `read` Read after
// `delivered`. A failed message gets its `failed` status Sent after the send. Whether a status
// is delivered follows webhooks.message.{sent,delivered,read} (or sent_status) when it falls
// due; a status switched off is recorded (SentMessages) but not delivered. When all three are
// off at the time of the send, the message's progression is not scheduled at all. On a
// ManualClock each status falls due exactly then; on the real clock up to 1 ms later, so that
// the statuses falling due within a millisecond are taken, and delivered, together.
type StatusDelays struct {
	Sent      time.Duration
	Delivered time.Duration
	Read      time.Duration
}

// DefaultStatusDelays are short enough for tests on the real clock: 10 ms per step.
var DefaultStatusDelays = StatusDelays{Sent: 10 * time.Millisecond, Delivered: 10 * time.Millisecond, Read: 10 * time.Millisecond}

// Limit is a token bucket: Burst requests at once, refilled at Rate per second. A zero Burst
// means no limit.
type Limit struct {
	Rate  float64
	Burst int
}

// RateLimits are the request limits of the fake, all measured on the fake's clock. Every
// limited request gets 429 with code 1015 and a Retry-After header.
type RateLimits struct {
	// Messages limits POST /v1/messages and PUT /v1/messages/{id}, per client IP address.
	Messages Limit
	// Default limits every other operation, per client IP address.
	Default Limit
	// Health limits GET /v1/health globally (the Webapp allows 10 checks per 60 seconds).
	Health Limit
	// UserWrites limits user creation and password changes per client IP address (256 per
	// hour on the Webapp).
	UserWrites Limit
	// FailedLogins limits failed logins per client IP address (30 per hour on the Webapp);
	// once exhausted every login from the address gets 429 until the bucket refills.
	FailedLogins Limit
}

// DefaultRateLimits returns the limits of the real server: 50 requests per second with bursts
// of 150 on /v1/messages, 20 per second with bursts of 60 elsewhere, 10 health checks per 60
// seconds, 256 user writes per hour and 30 failed logins per hour.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		Messages:     Limit{Rate: 50, Burst: 150},
		Default:      Limit{Rate: 20, Burst: 60},
		Health:       Limit{Rate: 10.0 / 60, Burst: 10},
		UserWrites:   Limit{Rate: 256.0 / 3600, Burst: 256},
		FailedLogins: Limit{Rate: 30.0 / 3600, Burst: 30},
	}
}

// RecipientBehavior makes the fake treat messages to one recipient specially.
type RecipientBehavior struct {
	// FailWith, when not zero, is a delivery error code (for example 470, 471, 480, 131...):
	// the message is accepted but its only status webhook is `failed` with that code.
	FailWith int `json:"fail_with,omitempty"`
	// Blocked makes sends to the recipient fail at once with 403 and code 1007.
	Blocked bool `json:"blocked,omitempty"`
	// Incapable makes sends fail at once with 501 and code 1026.
	Incapable bool `json:"incapable,omitempty"`
	// NeverReads stops the status progression at `delivered`.
	NeverReads bool `json:"never_reads,omitempty"`
}

// TemplateButton is a button of a registered template.
type TemplateButton struct {
	Index   int                          `json:"index"`
	SubType gen.TemplateComponentSubType `json:"sub_type"`
}

// Template describes an approved message template. When at least one template is registered
// (WithTemplates), template and hsm messages are checked against the registry: an unknown name
// gets 404 with code 2001, an unknown language 404 with code 2002, a wrong number of parameters
// 400 with code 2000 and a parameter of the wrong kind 400 with code 2012. Without templates
// every template name is accepted and only the structure is checked.
type Template struct {
	// Namespace of the template; empty matches every namespace.
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// Languages the template has translations for, like "en_US"; empty means any.
	Languages []string `json:"languages,omitempty"`
	// HeaderFormat is "" (no header parameter), "text", "image", "document" or "video".
	HeaderFormat string `json:"header_format,omitempty"`
	// BodyParams is the number of body placeholders.
	BodyParams int              `json:"body_params,omitempty"`
	Buttons    []TemplateButton `json:"buttons,omitempty"`
}

// ContactSeed is a phone number the fake knows before any check: its result is cached (so
// non-blocking checks answer it at once) and Name is used as the sender's profile name of
// injected inbound messages.
type ContactSeed struct {
	WaID  string `json:"wa_id"`
	Valid bool   `json:"valid"`
	Name  string `json:"name,omitempty"`
}

type config struct {
	// backupIterations is the PBKDF2 cost of backups, the only one restore accepts;
	// backupIterations (600,000) except in this package's tests, which lower it to keep the
	// race detector's runs short.
	backupIterations  uint32
	clock             Clock
	adminPassword     string
	apiKey            string
	version           string
	verificationCode  string
	registered        bool
	cc, phone         string
	verifiedName      string
	contactChecker    ContactChecker
	invalidContacts   []string
	seedContacts      []ContactSeed
	webhookURL        string
	statusDelays      StatusDelays
	contactCheckDelay time.Duration
	gcDelay           time.Duration
	webhookTimeout    time.Duration
	webhookClient     *http.Client
	queueCapacity     int
	rateLimits        *RateLimits
	mediaDir          string
	logger            *slog.Logger
	validate          bool
	seed              uint64
	templates         []Template
	careWindow        bool
	recipients        map[string]RecipientBehavior
	externalCA        []byte
	nodeName          string
	regBlocked        bool
	controlAPI        bool
	messageHistory    int
	deliveryLogSize   int
	// mediaLimitsAtUpload checks the per-kind limits at upload, not at send.
	mediaLimitsAtUpload bool
	// plainHTTPWebhooks accepts http:// webhook URLs (WithPlainHTTPWebhooks).
	plainHTTPWebhooks bool
	tls               bool
	publicURL         string
	maxUpload         int64
	cloud             cloudConfig // the Cloud routes (fake/cloud_options.go)
}

func defaultConfig() config {
	rl := DefaultRateLimits()
	return config{
		backupIterations:  backupIterations,
		adminPassword:     DefaultAdminPassword,
		version:           DefaultVersion,
		verificationCode:  DefaultVerificationCode,
		statusDelays:      DefaultStatusDelays,
		contactCheckDelay: 10 * time.Millisecond,
		gcDelay:           10 * time.Millisecond,
		webhookTimeout:    10 * time.Second,
		queueCapacity:     DefaultQueueCapacity,
		rateLimits:        &rl,
		validate:          true,
		seed:              1,
		recipients:        map[string]RecipientBehavior{},
		nodeName:          "wafake",
		controlAPI:        true,
		messageHistory:    DefaultMessageHistory,
		deliveryLogSize:   DefaultDeliveryLogSize,
		maxUpload:         MaxUploadBytes,
	}
}

var (
	digitsRE = regexp.MustCompile(`^[0-9]+$`)
	ccRE     = regexp.MustCompile(`^[1-9][0-9]{0,2}$`)
)

// WithClock sets the fake's clock, for example a ManualClock in tests. By default the server
// creates a RealClock and stops it on Close.
func WithClock(c Clock) Option {
	return func(cfg *config) error {
		if c == nil {
			return errors.New("fake: WithClock: nil clock")
		}
		cfg.clock = c
		return nil
	}
}

// WithAdminPassword starts the server with the admin password already changed to password,
// so that the first login needs no new_password. The password must satisfy the API's rules
// (8 to 64 characters with upper case, lower case, a digit and a special character).
// Passing DefaultAdminPassword keeps the default behaviour.
func WithAdminPassword(password string) Option {
	return func(cfg *config) error {
		if password != DefaultAdminPassword {
			if msg := onpremhttp.CheckPassword(password); msg != "" {
				return fmt.Errorf("fake: WithAdminPassword: %s", msg)
			}
		}
		cfg.adminPassword = password
		return nil
	}
}

// WithAPIKey sets the API key accepted as `Authorization: Apikey <key>` by health, metrics
// and stats operations. Like the Webapp's WA_API_KEY it must have 12 to 128 characters. Without
// it no API key is accepted.
func WithAPIKey(key string) Option {
	return func(cfg *config) error {
		if len(key) < 12 || len(key) > 128 || strings.ContainsAny(key, " \t\r\n") {
			return errors.New("fake: WithAPIKey: the key must have 12 to 128 characters and no spaces")
		}
		cfg.apiKey = key
		return nil
	}
}

// WithVersion sets the version reported in `meta.version` (default DefaultVersion).
func WithVersion(v string) Option {
	return func(cfg *config) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("fake: WithVersion: empty version")
		}
		cfg.version = v
		return nil
	}
}

// WithVerificationCode sets the registration code that POST /v1/account/verify accepts
// (default DefaultVerificationCode).
func WithVerificationCode(code string) Option {
	return func(cfg *config) error {
		if code == "" {
			return errors.New("fake: WithVerificationCode: empty code")
		}
		cfg.verificationCode = code
		return nil
	}
}

// WithRegistered starts the server with the number cc+phone already registered and the
// gateway connected, as after POST /v1/account and POST /v1/account/verify. Without it the
// server starts unregistered (health `unregistered`), and sending fails with 500 and code 1011.
func WithRegistered(cc, phone string) Option {
	return func(cfg *config) error {
		if !ccRE.MatchString(cc) || !digitsRE.MatchString(phone) || len(cc)+len(phone) > 15 {
			return fmt.Errorf("fake: WithRegistered: invalid number +%s %s", cc, phone)
		}
		cfg.registered, cfg.cc, cfg.phone = true, cc, phone
		return nil
	}
}

// WithVerifiedName sets the display name POST /v1/account returns, instead of the one read
// from the certificate.
func WithVerifiedName(name string) Option {
	return func(cfg *config) error {
		if strings.TrimSpace(name) == "" {
			return errors.New("fake: WithVerifiedName: empty name")
		}
		cfg.verifiedName = name
		return nil
	}
}

// WithRegistrationBlocked makes POST /v1/account answer 403 with code 1005 and details
// `Unknown error: biz_link_on_prem_reg_blocked`, as the real API does since Meta's sunset.
func WithRegistrationBlocked() Option {
	return func(cfg *config) error {
		cfg.regBlocked = true
		return nil
	}
}

// WithContactChecker replaces the rule that decides the status and wa_id of each number of
// POST /v1/contacts (see DefaultContactChecker).
func WithContactChecker(c ContactChecker) Option {
	return func(cfg *config) error {
		if c == nil {
			return errors.New("fake: WithContactChecker: nil checker")
		}
		cfg.contactChecker = c
		return nil
	}
}

// WithInvalidContacts lists wa_ids (digits, country code first) that the default contact rule
// reports `invalid`, and to which messages are refused with 400 and code 1013.
func WithInvalidContacts(waIDs ...string) Option {
	return func(cfg *config) error {
		for _, id := range waIDs {
			if !digitsRE.MatchString(id) {
				return fmt.Errorf("fake: WithInvalidContacts: %q is not a wa_id (digits only)", id)
			}
		}
		cfg.invalidContacts = append(cfg.invalidContacts, waIDs...)
		return nil
	}
}

// WithSeedContacts pre-loads the contact cache: a valid seed is answered at once even by a
// non-blocking check, an invalid one is reported `invalid`, and a seed's Name is the profile
// name of inbound messages injected from it.
func WithSeedContacts(seeds ...ContactSeed) Option {
	return func(cfg *config) error {
		for _, s := range seeds {
			if !digitsRE.MatchString(s.WaID) {
				return fmt.Errorf("fake: WithSeedContacts: %q is not a wa_id (digits only)", s.WaID)
			}
			if !s.Valid {
				cfg.invalidContacts = append(cfg.invalidContacts, s.WaID)
			}
		}
		cfg.seedContacts = append(cfg.seedContacts, seeds...)
		return nil
	}
}

// WithWebhookURL sets the initial `webhooks.url` application setting. The fake accepts http://
// URLs as well as https:// ones, so that tests can use plain httptest servers.
func WithWebhookURL(u string) Option {
	return func(cfg *config) error {
		if err := checkMediaURL(u); err != nil {
			return fmt.Errorf("fake: WithWebhookURL: %w", err)
		}
		cfg.webhookURL = u
		return nil
	}
}

// WithStatusDelays sets the timing of status webhooks (default DefaultStatusDelays).
func WithStatusDelays(d StatusDelays) Option {
	return func(cfg *config) error {
		if d.Sent < 0 || d.Delivered < 0 || d.Read < 0 {
			return errors.New("fake: WithStatusDelays: negative delay")
		}
		cfg.statusDelays = d
		return nil
	}
}

// WithContactCheckDelay sets how long after a non-blocking POST /v1/contacts the results are
// delivered to the webhook (default 10 ms).
func WithContactCheckDelay(d time.Duration) Option {
	return func(cfg *config) error {
		if d < 0 {
			return errors.New("fake: WithContactCheckDelay: negative delay")
		}
		cfg.contactCheckDelay = d
		return nil
	}
}

// WithWebhookTimeout bounds each webhook request (default 10 s, wall clock).
func WithWebhookTimeout(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return errors.New("fake: WithWebhookTimeout: the timeout must be positive")
		}
		cfg.webhookTimeout = d
		return nil
	}
}

// WithWebhookHTTPClient sets the client that delivers webhooks, for example one that trusts a
// test server's certificate. The client is used as it is; the fake never modifies it. By
// default the fake uses its own client, which trusts the system roots plus the CA uploaded with
// POST /v1/certificates/webhooks/ca.
func WithWebhookHTTPClient(c *http.Client) Option {
	return func(cfg *config) error {
		if c == nil {
			return errors.New("fake: WithWebhookHTTPClient: nil client")
		}
		cfg.webhookClient = c
		return nil
	}
}

// WithWebhookQueueCapacity changes the number of pending callbacks beyond which sends fail with
// 503 and code 1016 (default DefaultQueueCapacity, like the real client).
func WithWebhookQueueCapacity(n int) Option {
	return func(cfg *config) error {
		if n < 1 {
			return errors.New("fake: WithWebhookQueueCapacity: the capacity must be positive")
		}
		cfg.queueCapacity = n
		return nil
	}
}

// WithRateLimits sets the request limits (default DefaultRateLimits()).
func WithRateLimits(l RateLimits) Option {
	return func(cfg *config) error {
		for _, lim := range []Limit{l.Messages, l.Default, l.Health, l.UserWrites, l.FailedLogins} {
			if lim.Burst < 0 || lim.Rate < 0 || (lim.Burst > 0 && lim.Rate == 0) {
				return errors.New("fake: WithRateLimits: a limit needs a positive rate and burst, or a zero burst to disable it")
			}
		}
		cfg.rateLimits = &l
		return nil
	}
}

// WithoutRateLimits turns every rate limit off, for load tests.
func WithoutRateLimits() Option {
	return func(cfg *config) error {
		cfg.rateLimits = nil
		return nil
	}
}

// WithMediaDir stores uploaded media under dir instead of a temporary directory of the
// server's own (which Close removes). The directory must exist.
func WithMediaDir(dir string) Option {
	return func(cfg *config) error {
		if dir == "" {
			return errors.New("fake: WithMediaDir: empty directory")
		}
		cfg.mediaDir = dir
		return nil
	}
}

// WithLogger sets the structured logger (by default the server logs nothing). Requests are
// logged at Info level, webhook failures at Warn and bugs of the fake at Error.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *config) error {
		if l == nil {
			return errors.New("fake: WithLogger: nil logger")
		}
		cfg.logger = l
		return nil
	}
}

// WithoutValidation skips the validation of requests against the spec (authentication, roles
// and the operations' own checks still apply). Meant for benchmarks that measure its cost.
func WithoutValidation() Option {
	return func(cfg *config) error {
		cfg.validate = false
		return nil
	}
}

// WithSeed seeds the generator of ids (messages, media, groups, stickerpacks, invite links),
// so that a sequence of calls yields the same ids on every run (default seed 1).
func WithSeed(seed uint64) Option {
	return func(cfg *config) error {
		cfg.seed = seed
		return nil
	}
}

// WithTemplates registers approved templates; see Template.
func WithTemplates(ts ...Template) Option {
	return func(cfg *config) error {
		for _, t := range ts {
			if t.Name == "" {
				return errors.New("fake: WithTemplates: a template needs a name")
			}
			switch t.HeaderFormat {
			case "", "text", "image", "document", "video":
			default:
				return fmt.Errorf("fake: WithTemplates: header format %q is not text, image, document or video", t.HeaderFormat)
			}
		}
		cfg.templates = append(cfg.templates, ts...)
		return nil
	}
}

// WithCustomerCareWindow enforces the 24-hour customer-care window: free-form messages (all
// but template and hsm) to a customer who has not written in the last 24 hours (on the fake's
// clock; see InjectInbound) get a `failed` status with code 470 instead of sent/delivered/read.
// Off by default, so that tests can send to anyone.
func WithCustomerCareWindow() Option {
	return func(cfg *config) error {
		cfg.careWindow = true
		return nil
	}
}

// WithRecipient makes messages to waID behave as b says (see RecipientBehavior); the control
// API can change it later.
func WithRecipient(waID string, b RecipientBehavior) Option {
	return func(cfg *config) error {
		if !digitsRE.MatchString(waID) {
			return fmt.Errorf("fake: WithRecipient: %q is not a wa_id (digits only)", waID)
		}
		cfg.recipients[waID] = b
		return nil
	}
}

// WithExternalCA sets the PEM CA certificate that GET /v1/certificates/external/ca returns
// before any certificate is uploaded (wafake passes the CA it generated for HTTPS).
func WithExternalCA(pemCA []byte) Option {
	return func(cfg *config) error {
		if len(pemCA) == 0 {
			return errors.New("fake: WithExternalCA: empty certificate")
		}
		cfg.externalCA = append([]byte(nil), pemCA...)
		return nil
	}
}

// WithNodeName sets the node name used in metric labels and support information (default
// "wafake").
func WithNodeName(name string) Option {
	return func(cfg *config) error {
		if name == "" {
			return errors.New("fake: WithNodeName: empty name")
		}
		cfg.nodeName = name
		return nil
	}
}

// WithoutControlAPI removes the /_fake/ control endpoints from the handler; the Go methods
// stay available.
func WithoutControlAPI() Option {
	return func(cfg *config) error {
		cfg.controlAPI = false
		return nil
	}
}

// WithMessageHistory sets how many sent and received messages are remembered (default
// DefaultMessageHistory); older ones are forgotten first.
func WithMessageHistory(n int) Option {
	return func(cfg *config) error {
		if n < 1 {
			return errors.New("fake: WithMessageHistory: must be positive")
		}
		cfg.messageHistory = n
		return nil
	}
}

// WithDeliveryLogSize sets how many webhook delivery attempts the delivery log keeps (default
// DefaultDeliveryLogSize); older entries are dropped from the log (never from delivery).
func WithDeliveryLogSize(n int) Option {
	return func(cfg *config) error {
		if n < 1 {
			return errors.New("fake: WithDeliveryLogSize: must be positive")
		}
		cfg.deliveryLogSize = n
		return nil
	}
}

// WithMediaKindLimitsAtSend applies the per-kind size limits of uploadMedia's
// x-wabiz-media-limits when a message uses the media, as the spec describes the real server,
// instead of at upload. It is the default since the real server does so (it processes media
// first); the option is kept so that existing callers keep compiling.
//
// Deprecated: the per-kind limits are checked at send by default; WithMediaKindLimitsAtUpload
// restores the upload-time check.
func WithMediaKindLimitsAtSend() Option {
	return func(cfg *config) error {
		cfg.mediaLimitsAtUpload = false
		return nil
	}
}

// WithMediaKindLimitsAtUpload checks the per-kind size limits of x-wabiz-media-limits (image
// 5 MB, sticker 100 KB, ...) when media is uploaded, with 400 and code 1009, instead of when a
// message refers to it. The real server stores any upload up to 100 MB and applies the kind's
// limit at send, after processing (the default of New); this option gives tests that want the
// failure early the old behaviour of the fake.
func WithMediaKindLimitsAtUpload() Option {
	return func(cfg *config) error {
		cfg.mediaLimitsAtUpload = true
		return nil
	}
}

// WithPlainHTTPWebhooks relaxes the fake, deliberately: webhook URLs may be http:// as well as
// https:// (in WithWebhookURL and in PATCH /v1/settings/application). The real server and the
// spec accept https:// only; this option exists for local receivers and demos that have no TLS
// endpoint (httptest.NewServer, a receiver on 127.0.0.1). Without it, an http:// URL is refused
// like on the real server: New fails, and the PATCH gets 400 with code 1009.
func WithPlainHTTPWebhooks() Option {
	return func(cfg *config) error {
		cfg.plainHTTPWebhooks = true
		return nil
	}
}

// WithMaxUploadBytes replaces the API's 100 MB upload ceiling, which is also the limit of
// documents, for load tests with larger files. The other kinds keep their limits.
func WithMaxUploadBytes(n int64) Option {
	return func(cfg *config) error {
		if n < 1 {
			return errors.New("fake: WithMaxUploadBytes: must be positive")
		}
		cfg.maxUpload = n
		return nil
	}
}

// WithTLS makes NewTestServer serve HTTPS with a certificate issued by a CA generated for the
// test; the CA is served by GET /v1/certificates/external/ca and trusted by TestServer.Client.
// New ignores it.
func WithTLS() Option {
	return func(cfg *config) error {
		cfg.tls = true
		return nil
	}
}

// WithPublicURL sets the base URL used in links the fake hands out (profile photo and group
// icon links). By default links use the scheme and host of the request.
func WithPublicURL(u string) Option {
	return func(cfg *config) error {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("fake: WithPublicURL: %q is not an http(s) URL", u)
		}
		cfg.publicURL = strings.TrimRight(u, "/")
		return nil
	}
}

// checkMediaURL accepts absolute http and https URLs (media links, store links).
func checkMediaURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", redactURL(u))
	}
	return nil
}

// checkWebhookURL accepts absolute https:// URLs, and http:// ones only with plainHTTP
// (WithPlainHTTPWebhooks).
func checkWebhookURL(u string, plainHTTP bool) error {
	if err := checkMediaURL(u); err != nil {
		return err
	}
	if p, _ := url.Parse(u); p.Scheme != "https" && !plainHTTP {
		return fmt.Errorf("%q is not an https:// URL (the real server posts webhooks over HTTPS only; WithPlainHTTPWebhooks allows http://)", redactURL(u))
	}
	return nil
}
