// Package fake is a stateful, in-memory fake of the WhatsApp Business On-Premises API, built
// from spec/openapi.yaml: it implements the generated gen.StrictServerInterface, validates every
// request against the original spec with kin-openapi before a handler runs, delivers webhooks
// like the real client and offers a control API for tests. The command cmd/wafake serves it as
// a standalone program.
//
// # Quick start
//
// In a Go test:
//
//	ts := fake.NewTestServer(t) // registered number, API key, no rate limits
//	req, err := http.NewRequestWithContext(t.Context(), "GET", ts.URL+"/v1/health", nil)
//	if err != nil {
//		t.Fatal(err)
//	}
//	req.Header.Set("Authorization", "Bearer "+ts.AdminToken(t)) // the first login changes "secret" for you
//	resp, err := ts.Client().Do(req)
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer resp.Body.Close()
//	// A customer writes: the message goes to webhooks.url (fake.WithWebhookURL).
//	if _, err := ts.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: "16315551234",
//		Type: "text", Text: &gen.InboundText{Body: "hi"}}}); err != nil {
//		t.Fatal(err)
//	}
//
// For full control, New(opts...) returns a *Server whose Handler() can be mounted anywhere;
// NewManualClock with WithClock makes every time-based behaviour deterministic.
//
// # Request pipeline
//
// Every request gets an X-Request-ID and, in this order: routing (the path of an operation with
// one trailing slash, /v1/messages/, is that operation, as on the Webapp; unknown path: 404 with
// code 1006; known path, other method: 405 with code 1025 and an Allow header), rate limiting (429,
// code 1015, Retry-After), authentication with the operation's security schemes from the spec
// (kin-openapi's ValidateSecurityRequirements on a body-less copy of the request: HTTP Basic on
// login, Bearer tokens elsewhere, `Authorization: Apikey <key>` where the spec allows it; 401 with
// code 1005), the role of x-wabiz-access (admin, self, user, login; 403 with code 1005), injected
// faults, validation of parameters and body against the original spec (400: code 1008 for a
// missing value, 1009 for an invalid one, 1010 for a read-only or unwanted field, 1002 for an
// invalid recipient_type, 1001 for a text over 4096 characters, 1025 for a body that is not JSON),
// and finally the operation. Binary uploads (media, profile photo, group icon) are excluded from
// body validation so that they stream: their Content-Type is checked against the media types the
// operation declares and their size limits are enforced while reading. A panic is answered with
// 500 and code 1014 (a bug of the fake, never bad input). Every failure is the API's error
// envelope `{"errors":[{"code","title","details"}],"meta":{"api_status","version"}}`.
//
// # Behaviour
//
// Users: `admin`/`secret` at start, the first login must set new_password (401, code 1024),
// password and username rules, roles, logout revokes one token, deleting a user revokes all of
// its tokens, tokens live 7 days on the fake's clock. Registration: POST /v1/account answers 202
// with the name read from the certificate (201 when the number is already registered), verify
// accepts the configured code and connects the gateway; shards, two-step PIN. Settings with the
// real defaults and value checks, media providers, business profile, about, profile photo
// (binary, format=link pointing at /_fake/cdn/, delete). Certificates: external bundle and its CA,
// webhook CA (trusted by the webhook client). Contacts: deterministic rule (see
// DefaultContactChecker), 7-day cache, blocking wait/no_wait with results by webhook; identity
// hashes, acknowledgement and changes. Groups: full lifecycle with the subject (25) and
// participant (256) limits; customers join through the invite link with JoinGroup. Health,
// metrics and statistics count real requests and callbacks (JSON and Prometheus text). Media is
// streamed to a directory with the per-kind limits of the spec's x-wabiz-media-limits. Messages
// are checked by their type's rules (exactly the block named by type, media ids and providers,
// interactive and template structure, registered templates with WithTemplates), recorded, and
// followed by sent, delivered and read status webhooks on the fake's clock (StatusDelays),
// honouring webhooks.message.{sent,delivered,read}; a recipient can be made to fail with any code
// (SetRecipient). Backups are encrypted with AES-256-GCM under a PBKDF2-SHA256 key (600,000
// rounds, random salt; no other cost is accepted) and restore on any other fake, after their
// settings pass the checks of PATCH /v1/settings/application. Stickerpacks: first-party packs
// (namespace=whatsapp) and third-party packs with stickers.
//
// # Webhooks
//
// Callbacks go to webhooks.url (http:// is accepted as well as https://). Any answer but 200, and
// any transport error, is retried with linear back-off on the fake's clock:
// callback_backoff_delay_ms times the number of failures, capped by
// max_callback_backoff_delay_ms. At most webhooks.max_concurrent_requests are in flight.
// Statuses travel together, up to 64 in one callback (`statuses` is an array: one callback may
// carry several), in the order they fell due, never merged with a retry or across another kind
// of callback: those that fall due at the same time (within 1 ms on the real clock), those that
// queue up behind busy requests, and those that follow a status request by less than 1 ms,
// which wait for the rest of that millisecond (on the wall clock) with a request slot free. A
// status that finds no status request started within the last millisecond goes out at once, so
// a quiet fake adds no delay and a busy one sends about one status request per millisecond.
// A send is accepted only if the callbacks pending (queued, in flight or waiting for a retry), the
// status callbacks accepted sends will still schedule and its own fit in the queue capacity
// (DefaultQueueCapacity); otherwise it fails with 503 and code 1016. Nothing is dropped while
// the server runs: without a URL callbacks wait for one. Every attempt is recorded in the
// delivery log (DeliveryLog); URLs in the log, the stats and the logs have their password and
// secret query values replaced by xxxxx.
//
// # Memory
//
// A long-running fake reaches a plateau: deleted or replaced photos and icons are freed at
// once, and a sweep on the fake's clock (every hour, and whenever the swept maps double)
// evicts expired tokens, conversations, inbound times older than 24 hours, contact-check
// results older than 7 days and default identities. Sent and received messages are capped
// at DefaultMessageHistory each, the delivery log by its size.
//
// # Control API
//
// The control API lives under /_fake/ (WithoutControlAPI removes it), takes and returns JSON,
// needs no credentials, and answers failures with the API's envelope. Every endpoint has a Go
// method on Server.
//
//	POST   /_fake/inbound                          InjectInbound: {"message": InboundMessage, "profile_name", "media": {"content_type", "data" (base64)}}
//	                                               or the InboundMessage itself; 201 {"message": ...}
//	GET    /_fake/inbound                          InboundMessages: {"messages": [...]}
//	POST   /_fake/notifications                    InjectNotification: any WebhookNotification, e.g. {"errors": [...]}; 202
//	GET    /_fake/messages?to=&type=&limit=        SentMessages: {"messages": [{id, to, type, time, message, statuses}]}
//	GET    /_fake/messages/{id}                    SentMessage
//	GET    /_fake/webhooks                         WebhookStats
//	GET    /_fake/webhooks/log?since=&limit=       DeliveryLog: {"deliveries": [...]}
//	POST   /_fake/webhooks/wait?timeout=5s         WaitWebhooksIdle: {"idle": bool, "webhooks": stats}
//	GET    /_fake/health, PUT /_fake/health        SetHealth: {"gateway_status": "disconnected"}
//	GET    /_fake/clock                            {"now", "manual"}
//	POST   /_fake/clock/advance                    Advance: {"duration": "90s"} (or milliseconds)
//	GET    /_fake/faults, POST /_fake/faults       InjectFault: {"operation_id", "times", "status", "code", "details", "delay", "retry_after"}
//	DELETE /_fake/faults, /_fake/faults/{id}       ClearFaults, RemoveFault
//	GET    /_fake/recipients                       Recipients
//	PUT    /_fake/recipients/{wa_id}               SetRecipient: {"fail_with": 470, "blocked", "incapable", "never_reads"}
//	DELETE /_fake/recipients/{wa_id}               ClearRecipient
//	POST   /_fake/contacts/{wa_id}/identity-change ChangeIdentity: {"wa_id", "hash"}
//	POST   /_fake/groups/join                      JoinGroup: {"link", "wa_id"}
//	POST   /_fake/reset                            Reset: back to the state New created with its options (see below)
//	GET    /_fake/cdn/{sha256}.jpg                 public copies of the profile photo and group icons
//
// Reset (POST /_fake/reset) brings back the starting state the options describe, not an
// empty server: users and tokens (the admin with its initial password, to change again if it
// is "secret"), registration (WithRegistered), settings (webhooks.url of WithWebhookURL),
// groups, media, sent and inbound messages, recipients set with SetRecipient, the webhook
// queue and its delivery log, faults and rate-limit buckets. The clock is not reset, and
// callbacks scheduled before the reset are dropped.
//
// # Differences from the real server
//
// The fake keeps the API's contract (the spec) exactly; these behaviours are simplified:
//
//   - Webhook URLs must be https:// as on the real server, unless WithPlainHTTPWebhooks (wafake
//     -plain-http-webhooks) deliberately admits http:// receivers; settings that need a Coreapp restart
//     (max_concurrent_requests, callback_persist, ...) apply at once. Nothing is persisted.
//   - Per-kind media limits are enforced when media is sent, as on the real server (which
//     processes media first); WithMediaKindLimitsAtUpload moves them to the upload. Animated
//     stickers upload but cannot be sent (outbound stickers are static). Media is never re-encoded, and
//     `link` media is never downloaded (providers are checked by name only). Photos and icons
//     are not cropped; their links point at /_fake/cdn/.
//   - Contacts follow the v2.43+ rule: every well-formed number is valid unless configured
//     otherwise; national numbers get no country code; no sandbox limits.
//   - Templates: any name is accepted unless a registry is configured; the text checks behind
//     2004-2007, 2010 and 2011 are not made.
//   - Statuses follow fixed delays; conversations are simplified (24 h per recipient, CBP,
//     billable); the 24-hour customer-care window is opt-in.
//   - Groups: only joins send system webhooks; no HA or multiconnect response shapes; shards are
//     only stored. The backup format is the fake's own (AES-256-GCM, PBKDF2-SHA256).
//   - Rate limits are per client IP (health: global). The webhook request timeout and fault
//     delays use wall time.
//
// # The Cloud API dialect
//
// The same server speaks the Cloud API of spec/cloud.yaml under CloudPrefix
// (`/graph/v23.0/{phone_number_id}/messages`, ...; a Cloud client's base URL is the server's
// URL plus CloudPrefix), over the same state: registration, two-step PIN, media, sent and
// inbound messages and the business profile are shared with the `/v1` routes, and the
// control API and its Go methods (InjectInbound, SentMessages, Advance, Reset) work for both.
// Requests are validated against the Cloud document and take a system-user bearer token
// (WithCloudTokens, default DefaultCloudToken; another token gets 401 with code 190); every
// failure is the Graph error envelope with a Cloud code: 130429 over WithCloudThroughput
// messages per second, 131056 over the pair rate limit (WithCloudPairRateLimit), 131047 outside
// the 24-hour window (WithoutCloudServiceWindow turns it off), 100 for invalid parameters and
// unknown ids. Media metadata carries a download URL of the fake
// (`<CloudPrefix>/whatsapp_business/attachments/?mid&ext&hash`), HMAC-signed and valid for 5
// minutes of the fake's clock (then 404). A webhook override (webhook_configuration) is accepted
// only after the GET verification handshake; from then on inbound messages (InjectInbound) and
// the statuses of Cloud sends (sent, delivered, read after the status delays, or failed with a
// Cloud code for a recipient configured with fail_with) are POSTed to it as Cloud envelopes
// signed with X-Hub-Signature-256 (WithCloudAppSecret), one request per webhook, unordered,
// redelivered up to 5 times (CloudDeliveries lists the attempts). Simplified: a Cloud send to a
// non-WhatsApp number fails synchronously with 131026; Cloud statuses are not sent to the
// On-Premises webhook, nor On-Premises statuses to the Cloud subscriber; faults
// (InjectFault) apply to the /v1 routes only.
package fake
