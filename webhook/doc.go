// Package webhook receives the callbacks of the WhatsApp Business On-Premises API: inbound
// messages, message statuses, errors-only callbacks, system notifications (number and
// identity changes, group events), garbage-collection notices and contacts-check results.
//
// The payload types come from the spec (gen.WebhookNotification and the schemas below it);
// this package wraps each item so that its raw JSON stays reachable, decodes tolerantly and
// serves the endpoint.
//
// # Decoding
//
// Decode turns one callback body into a Notification. It fails only when the body is not a
// JSON object. Each array is split into items and each item is decoded on its own, so:
//
//   - unknown fields are ignored by the typed values and kept in each item's Raw JSON;
//   - messages of a type, or statuses with a value, that this package does not list (later
//     builds add them) go to Notification.Unknown with their raw JSON, as do unknown
//     top-level keys and service jobs;
//   - an item that cannot be decoded (a message whose timestamp is an object) goes to
//     Unknown with an *ItemError and does not affect the other items; Notification.Err
//     reports all of them.
//
// Re-encoding a decoded Notification (or any item) gives back the JSON as received.
//
// # Serving
//
// Handler is an http.Handler: register per-kind callbacks (WithMessageFunc, WithStatusFunc,
// WithErrorNoticeFunc, WithServiceNoticeFunc, WithContactCheckFunc, WithUnknownFunc) and/or
// one callback for the whole notification (WithNotificationFunc).
//
// The client treats any answer but 200 as a failed delivery and sends the same callback again
// with linear back-off (callback_backoff_delay_ms, 3 s by default, added after every failure,
// up to max_callback_backoff_delay_ms, 15 minutes by default). The Handler therefore answers
// 200 to everything it can read, including payloads it does not understand, and 500 only
// when a callback returns an error or panics, which asks for exactly that redelivery. Use it
// for transient failures only: while a callback keeps failing, the client keeps retrying and
// keeps the callback in its queue (on disk with callback_persist). Persistent 5xx answers fill
// that queue, which holds 100,000 callbacks; once it is full, POST /v1/messages fails with
// 1016 (System overloaded) and the business can no longer send. A callback that can never
// succeed for a given item should log it and return nil.
//
// The Handler bounds what one request can cost, since the endpoint is often reachable
// without credentials: bodies over 4 MiB (WithMaxBodyBytes) or with more than 1000 items
// (WithMaxItems) are answered 413 before any callback runs, the body must arrive within
// 10 s of the Handler starting to read it (WithReadTimeout; the deadline is lifted for the
// callbacks), and each request writes at most two log lines however many items it carries.
// http.Server's ReadHeaderTimeout and IdleTimeout bound the rest of the connection's life
// (see the server below).
//
// Callbacks run on the request's goroutine, and the client has at most
// webhooks.max_concurrent_requests (6 by default) callbacks in flight, so a slow callback
// delays every other notification: hand long work to a queue and return.
//
// # Duplicates
//
// Delivery is at least once: after a timeout or a lost answer the same callback arrives
// again. WithDedupe skips the messages and statuses a Dedupe has seen handled (keyed by
// message id, and by message id, status value and recipient for statuses) and still answers
// 200; WithNewDedupe does the same with a Dedupe of the Handler's own, whose bad limits
// NewHandler reports. A key is remembered only once every callback that received its item succeeded; after
// a failure it is not, so the retry runs the item again (and skips the items that did
// succeed).
//
// # Authenticity and TLS
//
// The client signs nothing and sends no credentials: trust comes from TLS and the network.
// Serve the endpoint over HTTPS (the client requires it), restrict it at the network level to
// the client's addresses, and use a hard-to-guess path. Behind a reverse proxy that
// authenticates the client, WithBasicAuth or WithSharedHeader make the receiver accept only
// requests that came through the proxy (both compare in constant time).
//
// With a certificate from a private CA, the client must be told to trust that CA, which is
// what the webhook CA certificate is for. First create the CA, a server certificate for the
// webhook host signed by it and, for mutual TLS, a client certificate:
//
//	openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj "/CN=Webhook CA" \
//	  -keyout ca.key -out ca.pem
//	openssl req -newkey rsa:3072 -nodes -subj "/CN=hooks.example.com" \
//	  -keyout server.key -out server.csr
//	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 397 \
//	  -extfile <(printf "subjectAltName=DNS:hooks.example.com") -out server.pem
//	openssl req -newkey rsa:3072 -nodes -subj "/CN=wa-client" -keyout client.key -out client.csr
//	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 397 \
//	  -extfile <(printf "extendedKeyUsage=clientAuth") -out client.pem
//
// Then upload ca.pem with POST /v1/certificates/webhooks/ca (Content-Type: text/plain;
// several CAs may be concatenated into one bundle) and restart the Coreapp nodes: the client
// now verifies the receiver's certificate against it. Serve the Handler with server.pem and
// server.key. That authenticates the receiver to the client.
//
// For the other direction, mutual TLS, the receiver requires a client certificate signed by
// a CA it trusts:
//
//	pool := x509.NewCertPool()
//	if !pool.AppendCertsFromPEM(caPEM) { // the CA that signs the allowed clients
//		return errors.New("no CA certificate")
//	}
//	srv := &http.Server{
//		Handler:           handler,          // bounds the body read itself (WithReadTimeout)
//		ReadHeaderTimeout: 10 * time.Second, // for the request line and headers
//		IdleTimeout:       2 * time.Minute,  // between requests of a kept-alive connection
//		MaxHeaderBytes:    64 << 10,
//		TLSConfig: &tls.Config{
//			MinVersion: tls.VersionTLS12,
//			ClientAuth: tls.RequireAndVerifyClientCert,
//			ClientCAs:  pool,
//		},
//	}
//	return srv.ListenAndServeTLS("server.pem", "server.key")
//
// Check it with curl --cacert ca.pem --cert client.pem --key client.key before pointing
// webhooks.url at it; without --cert the handshake must fail. Meta documents no client
// certificate for the On-Premises client's webhook requests, so where the client connects
// directly, requiring one rejects every callback unless your deployment makes the client
// present it. A setup that works regardless: point webhooks.url at a proxy next to the
// client (serving a certificate from the uploaded webhook CA) that forwards to the receiver
// with client.pem and client.key. examples/webhook-receiver serves both modes, selected with
// flags.
//
// # Cloud API
//
// The same Handler serves the Cloud API's webhooks with WithCloud(appSecret, verifyToken):
// it answers Meta's GET verification handshake (hub.verify_token compared in constant time,
// hub.challenge echoed), requires X-Hub-Signature-256 on every POST (HMAC-SHA256 of the raw
// body with the app secret, compared in constant time; missing or wrong is 401) and unwraps
// the entry[].changes[].value envelope with DecodeCloud into the same Notification, so the
// callbacks above work unchanged. Each item's Cloud field carries its source (business
// account, phone_number_id, display number) and what only Cloud sends (business-scoped user
// ids, media url, biz_opaque_callback_data, pricing type, reactions, ...); error objects and
// type names are mapped to the On-Premises ones (see DecodeCloud), and changes of other
// fields (template status, account updates, ...) reach WithUnknownFunc with their raw JSON.
// VerifyCloudSignature and DecodeCloud work without the Handler.
package webhook
