package fake

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// contactCacheTTL is how long contact-check results are cached (force_check bypasses it).
const contactCacheTTL = 7 * 24 * time.Hour

// ContactResult is the outcome of checking one phone number.
type ContactResult struct {
	Status gen.ContactCheckResultStatus
	// WaID is set for valid numbers.
	WaID string
}

// ContactChecker decides the result of one input of POST /v1/contacts. It must be
// deterministic: the same input always gives the same result.
type ContactChecker func(input string) ContactResult

// NormalizePhone applies the fake's phone-number rules and returns the wa_id of input, or ""
// when input is not a usable number. Rules: after trimming, the input may hold digits, spaces,
// `-`, `.`, `(`, `)` and one leading `+`; nothing else. The wa_id is its digits, which must be
// 10 to 15 (the country code is taken from the input: `+1 631 555 1000` and `16315551000`
// both give `16315551000`; a national number without country code is taken as it is).
func NormalizePhone(input string) string { return onpremhttp.NormalizePhone(input) }

// DefaultContactChecker is the fake's documented rule, the behaviour of v2.43 and later: an
// input that NormalizePhone rejects is `failed`; a well-formed number is `valid` with its
// digits as wa_id, unless that wa_id is listed in invalid (then `invalid`, no wa_id).
func DefaultContactChecker(invalid ...string) ContactChecker {
	bad := map[string]bool{}
	for _, id := range invalid {
		bad[id] = true
	}
	return func(input string) ContactResult {
		id := NormalizePhone(input)
		switch {
		case id == "":
			return ContactResult{Status: gen.ContactCheckResultStatusFailed}
		case bad[id]:
			return ContactResult{Status: gen.ContactCheckResultStatusInvalid}
		}
		return ContactResult{Status: gen.ContactCheckResultStatusValid, WaID: id}
	}
}

// checker returns the configured contact rule.
func (s *Server) checker() ContactChecker { return s.check }

// CheckContacts resolves numbers with the contact rule. With `blocking: wait` every result is
// in the answer. With `no_wait` (the default) numbers cached in the last 7 days (unless
// force_check) and malformed ones are answered at once; the others come back `processing` and
// their results are delivered to the webhook after the contact-check delay (412/1022 when no
// webhook URL is set).
func (s *Server) CheckContacts(_ context.Context, req gen.CheckContactsRequestObject) (gen.CheckContactsResponseObject, error) {
	b := req.Body
	if b == nil || len(b.Contacts) == 0 {
		return nil, errf(codeInvalidParameter, "Parameter 'contacts' must be a non-empty array of phone numbers")
	}
	wait := b.Blocking != nil && *b.Blocking == gen.ContactCheckBlockingWait
	if b.Blocking != nil && !b.Blocking.Valid() {
		return nil, errf(codeInvalidParameter, "Parameter 'blocking' must be one of wait, no_wait")
	}
	force := b.ForceCheck != nil && *b.ForceCheck
	check := s.checker()
	now := s.clock.Now()

	s.mu.Lock()
	defer s.mu.Unlock()
	results := make([]gen.ContactCheckResult, len(b.Contacts))
	var later []int
	for i, input := range b.Contacts {
		results[i].Input = input
		key := NormalizePhone(input)
		if !force && key != "" {
			if c, ok := s.st.contactCache[key]; ok && now.Sub(c.at) < contactCacheTTL {
				results[i].Status = c.status
				if c.status == gen.ContactCheckResultStatusValid {
					results[i].WaID = ptr(c.waID)
				}
				continue
			}
		}
		r := check(input)
		if r.Status == gen.ContactCheckResultStatusFailed || wait {
			s.fillContactResult(&results[i], r, key, now)
			continue
		}
		results[i].Status = gen.ContactCheckResultStatusProcessing
		later = append(later, i)
	}
	if len(later) > 0 {
		if s.webhookURLLocked() == "" {
			return nil, errf(codeNoWebhookURL, "Webhooks URL is not configured: non-blocking results are delivered by webhook")
		}
		gen0 := s.st.generation
		inputs := make([]string, len(later))
		for j, i := range later {
			inputs[j] = b.Contacts[i]
		}
		s.clock.AfterFunc(s.cfg.contactCheckDelay, func() { s.finishContactCheck(gen0, inputs, check) })
	}
	return gen.CheckContacts200JSONResponse{Body: gen.ContactCheckEnvelope{Contacts: results, Meta: s.meta}}, nil
}

// fillContactResult records a result in the answer and the cache; the caller holds s.mu.
func (s *Server) fillContactResult(out *gen.ContactCheckResult, r ContactResult, key string, now time.Time) {
	out.Status = r.Status
	if r.Status == gen.ContactCheckResultStatusValid && r.WaID != "" {
		out.WaID = ptr(r.WaID)
	}
	if key != "" && (r.Status == gen.ContactCheckResultStatusValid || r.Status == gen.ContactCheckResultStatusInvalid) {
		s.st.contactCache[key] = contactEntry{status: r.Status, waID: r.WaID, at: now}
		s.maybeSweepLocked(now)
	}
}

// finishContactCheck delivers the results of a non-blocking check to the webhook.
func (s *Server) finishContactCheck(gen0 uint64, inputs []string, check ContactChecker) {
	now := s.clock.Now()
	s.mu.Lock()
	if s.st.generation != gen0 {
		s.mu.Unlock()
		return
	}
	items := make([]gen.WebhookContact, len(inputs))
	for i, input := range inputs {
		var res gen.ContactCheckResult
		s.fillContactResult(&res, check(input), NormalizePhone(input), now)
		items[i] = gen.WebhookContact{Input: ptr(input), Status: ptr(string(res.Status)), WaID: res.WaID}
	}
	s.mu.Unlock()
	s.enqueueNotification(kindContacts, gen.WebhookNotification{Contacts: &items})
}

// identityOf returns (creating it on first use) the identity of a customer; the caller holds
// s.mu for writing.
func (s *Server) identityOf(waID string) *identity {
	id := s.st.identities[waID]
	if id == nil {
		id = &identity{hash: identityHash(waID, 0), created: s.st.registeredAt, ack: true}
		if id.created.IsZero() {
			id.created = s.started
		}
		s.st.identities[waID] = id
	}
	return id
}

// identityHash derives a deterministic identity hash (8 bytes, base64) for a customer and the
// number of identity changes so far.
func identityHash(waID string, changes int) string {
	sum := sha256.Sum256([]byte(waID + "/" + strconv.Itoa(changes)))
	return base64.StdEncoding.EncodeToString(sum[:8])
}

// GetContactIdentity returns the customer's latest identity hash (a deterministic one until
// the control API changes it); numbers the contact rule does not report valid get 404.
func (s *Server) GetContactIdentity(_ context.Context, req gen.GetContactIdentityRequestObject) (gen.GetContactIdentityResponseObject, error) {
	if r := s.checker()(req.WaID); r.Status != gen.ContactCheckResultStatusValid {
		return nil, errf(codeNotFound, "No identity is known for %s", req.WaID)
	}
	s.mu.Lock()
	id := s.identityOf(req.WaID)
	out := gen.ContactIdentity{Hash: ptr(id.hash), CreatedTimestamp: ptr(id.created.UnixMilli()), Acknowledged: ptr(id.ack)}
	s.mu.Unlock()
	return gen.GetContactIdentity200JSONResponse{Body: gen.ContactIdentityEnvelope{Contacts: out, Meta: s.meta}}, nil
}

// AcknowledgeContactIdentity acknowledges the latest identity; another hash gets 400/1009.
func (s *Server) AcknowledgeContactIdentity(_ context.Context, req gen.AcknowledgeContactIdentityRequestObject) (gen.AcknowledgeContactIdentityResponseObject, error) {
	if req.Body == nil || req.Body.Hash == "" {
		return nil, errf(codeMissingParameter, "Parameter 'hash' is required")
	}
	if r := s.checker()(req.WaID); r.Status != gen.ContactCheckResultStatusValid {
		return nil, errf(codeNotFound, "No identity is known for %s", req.WaID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.identityOf(req.WaID)
	if req.Body.Hash != id.hash {
		return nil, errf(codeInvalidParameter, "Parameter 'hash' is not the latest identity hash of %s", req.WaID)
	}
	id.ack = true
	return gen.AcknowledgeContactIdentity200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// ChangeIdentity simulates a customer reinstalling WhatsApp: the customer gets a new identity
// hash that is not acknowledged, and when show_security_notifications is on a
// `user_identity_changed` system webhook is sent and messages to the customer fail with code
// 480 until the change is acknowledged. It returns the new hash.
func (s *Server) ChangeIdentity(waID string) (string, error) {
	if !digitsRE.MatchString(waID) {
		return "", fmt.Errorf("fake: ChangeIdentity: %q is not a wa_id (digits only)", waID)
	}
	now := s.clock.Now()
	s.mu.Lock()
	id := s.identityOf(waID)
	id.changes++
	id.hash = identityHash(waID, id.changes)
	id.created = now
	id.ack = false
	notify := s.st.settings.ShowSecurityNotifications != nil && *s.st.settings.ShowSecurityNotifications
	hash := id.hash
	s.mu.Unlock()
	if notify {
		msg := gen.InboundMessage{
			From: waID, ID: s.newInboundID(), Timestamp: unixString(now), Type: "system",
			System: &gen.SystemEvent{Type: ptr("user_identity_changed"), Body: ptr("User identity changed"), User: ptr(waID), Identity: ptr(hash)},
		}
		s.enqueueNotification(kindInbound, gen.WebhookNotification{Messages: &[]gen.InboundMessage{msg}})
	}
	return hash, nil
}

// identityBlocks reports whether messages to waID are held because of an unacknowledged
// identity change; the caller holds s.mu.
func (s *Server) identityBlocksLocked(waID string) bool {
	id := s.st.identities[waID]
	on := s.st.settings.ShowSecurityNotifications != nil && *s.st.settings.ShowSecurityNotifications
	return on && id != nil && !id.ack
}
