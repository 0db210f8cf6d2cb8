package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strings"
	"sync"
)

// CloudSignatureHeader is the header that carries the signature of a Cloud API webhook POST:
// "sha256=" followed by the hex HMAC-SHA256 of the raw body, keyed with the app secret.
const CloudSignatureHeader = "X-Hub-Signature-256"

// Errors of VerifyCloudSignature, matched with errors.Is. The Handler answers both with 401.
var (
	// ErrCloudSignatureMissing: the request has no X-Hub-Signature-256 header (or several).
	ErrCloudSignatureMissing = errors.New("webhook: missing " + CloudSignatureHeader + " header")
	// ErrCloudSignatureInvalid: the header is malformed or the signature does not match the
	// body.
	ErrCloudSignatureInvalid = errors.New("webhook: invalid " + CloudSignatureHeader + " signature")
)

// VerifyCloudSignature checks header, the value of X-Hub-Signature-256, against body, the raw
// request body exactly as received (not re-encoded JSON: any change of a byte changes the
// signature), with the app secret. The comparison takes constant time. It returns nil, or an
// error wrapping ErrCloudSignatureMissing (empty header) or ErrCloudSignatureInvalid.
func VerifyCloudSignature(appSecret []byte, header string, body []byte) error {
	if len(appSecret) == 0 {
		return errors.New("webhook: VerifyCloudSignature: empty app secret")
	}
	return verifyCloudMAC(hmac.New(sha256.New, appSecret), header, body)
}

// verifyCloudMAC checks header against body with mac, an HMAC-SHA256 keyed with the app
// secret (reset here, so that the Handler can reuse it).
func verifyCloudMAC(mac hash.Hash, header string, body []byte) error {
	if header == "" {
		return ErrCloudSignatureMissing
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return fmt.Errorf("%w: want sha256=<hex>", ErrCloudSignatureInvalid)
	}
	var got [sha256.Size]byte
	if len(hexSig) != hex.EncodedLen(sha256.Size) {
		return fmt.Errorf("%w: want %d hex digits", ErrCloudSignatureInvalid, hex.EncodedLen(sha256.Size))
	}
	if _, err := hex.Decode(got[:], []byte(hexSig)); err != nil {
		return fmt.Errorf("%w: not hex", ErrCloudSignatureInvalid)
	}
	var sum [sha256.Size]byte
	mac.Reset()
	mac.Write(body)
	if !hmac.Equal(mac.Sum(sum[:0]), got[:]) {
		return fmt.Errorf("%w: signature does not match the body", ErrCloudSignatureInvalid)
	}
	return nil
}

// SignCloudBody returns the X-Hub-Signature-256 value for body, as Meta computes it. It is
// what a test, a fake or a relay needs to send a Cloud webhook that a Handler accepts.
func SignCloudBody(appSecret, body []byte) string {
	mac := hmac.New(sha256.New, appSecret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// cloudConfig is the Handler's Cloud API setting (WithCloud).
type cloudConfig struct {
	tokenDigest [sha256.Size]byte
	// macs holds HMACs keyed with the app secret: keying one costs two SHA-256 blocks and
	// five allocations, as much as checking a small body.
	macs sync.Pool
}

// verify checks the signature header of body.
func (c *cloudConfig) verify(header string, body []byte) error {
	mac := c.macs.Get().(hash.Hash)
	defer c.macs.Put(mac)
	return verifyCloudMAC(mac, header, body)
}

// WithCloud makes the Handler a Cloud API webhook endpoint instead of an On-Premises one:
//
//   - GET is the subscription handshake: with hub.mode=subscribe and a hub.verify_token
//     equal to verifyToken (compared in constant time), it answers 200 with hub.challenge
//     as a text/plain body; anything else is 403. A GET carries no signature, and none is
//     asked for.
//   - POST must carry X-Hub-Signature-256, the HMAC-SHA256 of the raw body keyed with
//     appSecret, checked in constant time before anything is decoded: a missing or wrong
//     signature is 401 (never just a warning), so forged bodies reach no callback.
//   - The body is decoded with DecodeCloud into the same Notification the On-Premises
//     callbacks give, and passed to the same callbacks; each item's Cloud field says which
//     account and phone number it came from.
//   - Any other method is 405 (Allow: GET, POST).
//
// The other options apply unchanged (WithBasicAuth and WithSharedHeader, when set, are
// checked on both methods). Meta retries a delivery that is not answered 200 for up to 7
// days with exponential backoff, and expects answers within about 250 ms: hand long work
// to a queue.
func WithCloud(appSecret, verifyToken string) Option {
	return func(h *Handler) error {
		if appSecret == "" {
			return errors.New("webhook: WithCloud: app secret must not be empty")
		}
		if verifyToken == "" {
			return errors.New("webhook: WithCloud: verify token must not be empty")
		}
		secret := []byte(appSecret)
		h.cloud = &cloudConfig{tokenDigest: sha256.Sum256([]byte(verifyToken))}
		h.cloud.macs.New = func() any { return hmac.New(sha256.New, secret) }
		return nil
	}
}

// serveCloud serves a request when WithCloud is set.
func (h *Handler) serveCloud(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		if h.authorized(w, r) {
			h.cloudHandshake(w, r)
		}
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		h.reject(w, r, http.StatusMethodNotAllowed, codeRequestNotValid, titleRequestNotValid,
			"method "+r.Method+" is not allowed; Cloud API webhooks are GET (verification) and POST")
		return
	}
	if !h.authorized(w, r) {
		return
	}
	// A request without a signature is refused before its body is read.
	sigs := r.Header.Values(CloudSignatureHeader)
	if len(sigs) != 1 || sigs[0] == "" {
		h.reject(w, r, http.StatusUnauthorized, codeAccessDenied, titleAccessDenied,
			"missing "+CloudSignatureHeader+" header (exactly one is required)")
		return
	}
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	if err := h.cloud.verify(sigs[0], body); err != nil {
		h.reject(w, r, http.StatusUnauthorized, codeAccessDenied, titleAccessDenied, err.Error())
		return
	}
	n := new(Notification)
	if err := n.decodeCloud(body); err != nil {
		h.reject(w, r, http.StatusBadRequest, codeInvalidValue, titleInvalidValue, err.Error())
		return
	}
	// The same item limit as the On-Premises path. Only a signed body gets this far, so
	// counting after the decode bounds the callbacks, not the decode work, which the
	// signature already restricts to Meta's bodies.
	if h.maxItems > 0 && n.items() > h.maxItems {
		h.reject(w, r, http.StatusRequestEntityTooLarge, codeRequestNotValid, titleRequestNotValid,
			fmt.Sprintf("callback carries more than %d items", h.maxItems))
		return
	}
	h.logReceived(ctx, n)
	if err := h.dispatch(ctx, n); err != nil {
		h.reject(w, r, http.StatusInternalServerError, codeGeneric, titleGeneric,
			"the receiver failed to process the callback; deliver it again")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// cloudHandshake answers the GET with which Meta verifies a callback URL.
func (h *Handler) cloudHandshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := sha256.Sum256([]byte(q.Get("hub.verify_token")))
	tokenOK := subtle.ConstantTimeCompare(token[:], h.cloud.tokenDigest[:]) == 1
	challenge := q.Get("hub.challenge")
	if !tokenOK || q.Get("hub.mode") != "subscribe" || challenge == "" {
		h.reject(w, r, http.StatusForbidden, codeAccessDenied, titleAccessDenied,
			"verification failed: want hub.mode=subscribe, the configured hub.verify_token and a hub.challenge")
		return
	}
	// The challenge is echoed verbatim; as text/plain with nosniff a browser never renders
	// it as a page.
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(challenge))
}

// items counts what a decoded notification would hand to callbacks.
func (n *Notification) items() int {
	return len(n.Contacts) + len(n.Messages) + len(n.Statuses) + len(n.Errors) + len(n.Services) + len(n.Unknown)
}
