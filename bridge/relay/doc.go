// Package relay is the webhook side of wabridge: it receives the Cloud API's webhooks (GET
// verification handshake, X-Hub-Signature-256), writes each change as flat On-Premises
// callbacks to the store's outbox before Meta gets its 200, and forwards the outbox to the
// integration's webhooks.url with the On-Premises delivery rules (linear backoff from the
// settings, at most max_concurrent_requests in flight, at least once, deduplicated).
//
// # The Cloud endpoint
//
// [Relay.ServeHTTP] answers:
//
//   - GET with hub.mode=subscribe, the configured hub.verify_token (compared in constant
//     time, [webhook.CloudChallenge]) and a hub.challenge: 200 with the challenge; any
//     other GET: 403.
//   - POST without exactly one X-Hub-Signature-256 header: 401, before the body is read.
//     A body over the limit (default 4 MiB; Meta documents payloads of up to 3 MB): 413.
//     A signature that does not match the raw bytes ([webhook.VerifyCloudSignature],
//     hmac.Equal): 403. Nothing is parsed, and nothing enqueued, before the signature
//     matched.
//   - A signed body that is not one JSON object: 200, logged at error level with its size
//     and SHA-256, counted in Stats.Undecodable. Meta would redeliver the same bytes for 7
//     days and a 5xx would not make them decodable; nothing in them can be kept. A body
//     that is JSON but has items that do not decode is not in this case: every item that
//     decodes is forwarded, the others are counted as dropped (see Convert).
//   - Otherwise the body is decoded ([webhook.DecodeCloud]), converted ([Convert]) and
//     every callback is enqueued, each in its own transaction with its dedupe key; 200 is
//     written only after the last Enqueue returned. If the store (or the settings, which
//     live in it) fails: 503, the only 5xx, so that Meta redelivers; the callbacks stored
//     before the failure are absorbed by their keys on the redelivery.
//   - Any other method: 405. After Close: 503.
//
// # Dedupe keys
//
// A message is keyed by its id, a status by id, status value and recipient (the keys of
// [webhook.Message.DedupeKey] and [webhook.Status.DedupeKey], so a group message's
// per-participant statuses stay apart). Items without an id (value-level errors have none)
// are keyed by the SHA-256 of the whole body and their position in it: Meta redelivers the
// same bytes, and two webhooks with the same bytes cannot be told apart anyway. Keys live in
// the store next to the outbox (Enqueue marks them in the same transaction), so a redelivery
// is absorbed across restarts too.
//
// The dedupe TTL defaults to 8 days ([DefaultDedupeTTL]): Meta retries an unacknowledged
// webhook with exponential backoff for up to 7 days, so a key must outlive the last
// retry; the extra day covers the skew between Meta's clock and ours and a last attempt
// that itself takes time. Shorter TTLs let a late redelivery through as a duplicate. The
// price is one dedupe row (about 100 bytes) per forwarded item for 8 days; the forwarder
// purges expired keys hourly.
//
// # Conversion
//
// See [Convert]. The conversion is total over what DecodeCloud yields: every item becomes
// a callback or a [Drop] counted in Stats.Dropped by reason (and, for change fields and
// unknown keys, by name). Changes whose field is not "messages" (template status, account
// and quality updates, group and call webhooks) are dropped: the On-Premises webhook has
// no place for them (its callbacks carry contacts, messages, statuses, errors and services
// only), and an integration written for it would not know what to do with them.
//
// Blocks the Cloud API adds to message types the On-Premises API also has are kept where
// dropping them would lose the message's meaning: a reaction keeps its reaction block
// (message_id, emoji) and type reaction, and a flow reply keeps interactive.nfm_reply; the
// On-Premises message types are an open list (its reference says receivers must accept
// new ones), and a reaction turned into an unknown message would tell the integration
// nothing. Message types no On-Premises build had and that carry no content
// (request_welcome) keep their type. Messages of a type neither decoder knows become type
// unknown with the error 501, as the Webapp reported what it could not show.
//
// # Forwarding
//
// [Relay.Run] claims due callbacks with a lease of twice the delivery timeout plus the
// drain timeout, so a lease never runs out under a delivery in flight. A 2xx acks, any
// other answer or a transport error fails the callback with the On-Premises linear backoff
// ([Settings.Backoff]). Enqueue wakes the forwarder; a timer wakes it for the next retry it
// knows of; a recheck (default 1 s) finds retries scheduled by an earlier run. With no
// webhooks.url the outbox holds; call [Relay.Wake] after setting one.
//
// Claims and acks are batched, since each is a store transaction: while deliveries are in
// flight the forwarder claims once half of the MaxConcurrent slots are free (or after 5 ms
// without a free half, so that stuck deliveries do not idle the others), and acks the
// delivered callbacks together before the next claim or within 5 ms. Each Cloud webhook is
// still enqueued in its own transaction before its 200: that one cannot wait.
//
// Delivery is at least once: a crash between a delivery and its Ack delivers that callback
// again after its lease, and a graceful shutdown releases the deliveries that did not answer
// within the drain timeout (they are not acked, and are due at once for the next run). The
// integration sees duplicates only in those cases; webhook.Handler's Dedupe absorbs them.
//
// # Queue capacity
//
// [Relay.Admit] refuses sends (the bridge answers 1016, like the Webapp with a full
// callback queue) while the outbox holds [DefaultQueueCapacity] (100,000) callbacks or more.
// A Cloud number sends at most 1,000 messages/s, each followed by up to three statuses, so
// the default holds at least 25 s of the heaviest traffic and hours of ordinary traffic
// while webhooks.url is down, at about 1 KiB per callback (100 MB of store file) at the
// limit: enough to ride out a receiver restart, small enough that a receiver gone for good
// stops the sends before the disk fills. Inbound webhooks are stored beyond the capacity all
// the same: Meta does not stop sending them. Admit reads a count cached in memory (moved by
// Enqueue and Ack, corrected from Store.Pending every 10 s), never SQLite.
package relay
