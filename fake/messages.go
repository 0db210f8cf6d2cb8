package fake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// StatusEvent is one status change of a sent message.
type StatusEvent struct {
	Status string    `json:"status"`
	Time   time.Time `json:"time"`
	// ErrorCode is set on `failed` statuses.
	ErrorCode int `json:"error_code,omitempty"`
	// Notified is false when the status was not delivered because the application settings
	// (webhooks.message.*) turned it off.
	Notified bool `json:"notified"`
}

// SentMessage is a message accepted by POST /v1/messages, as the fake recorded it.
type SentMessage struct {
	ID            string        `json:"id"`
	To            string        `json:"to"`
	RecipientType string        `json:"recipient_type"`
	Type          string        `json:"type"`
	Time          time.Time     `json:"time"`
	Message       gen.Message   `json:"message"`
	Statuses      []StatusEvent `json:"statuses"`
}

// sentRecord is the fake's bookkeeping of a sent message. The message itself is kept as JSON:
// a hundred thousand decoded messages would make the garbage collector scan their pointers.
type sentRecord struct {
	SentMessage
	raw        []byte
	step       int
	final      bool
	failCode   int
	neverReads bool
	freeForm   bool
	reserved   int // status callbacks still to come, counted in state.reserved
}

// ReceivedMessage is an inbound message injected through the control API.
type ReceivedMessage struct {
	Message gen.InboundMessage `json:"message"`
	Time    time.Time          `json:"time"`
	// Read is set once PUT /v1/messages/{id} marked it (or a later message of the chat) read.
	Read bool `json:"read"`
}

type inboundRecord struct {
	ReceivedMessage
}

// conversation is a 24-hour billing conversation with one recipient.
type conversation struct {
	id      string
	origin  string
	expires time.Time
	started bool // its first status was reported (carries expiration_timestamp)
}

var ttlStringRE = regexp.MustCompile(`^([0-9]+|P[0-9]+[YMWD]([0-9]+[YMWD])*(T([0-9]+[HMS])+)?|PT([0-9]+[HMS])+)$`)

// messageBlocks lists the content blocks present in a message, in the spec's order.
func messageBlocks(m *gen.Message) []string {
	var out []string
	add := func(ok bool, name string) {
		if ok {
			out = append(out, name)
		}
	}
	add(m.Text != nil, "text")
	add(m.Image != nil, "image")
	add(m.Audio != nil, "audio")
	add(m.Video != nil, "video")
	add(m.Document != nil, "document")
	add(m.Sticker != nil, "sticker")
	add(m.Location != nil, "location")
	add(m.Contacts != nil, "contacts")
	add(m.Interactive != nil, "interactive")
	add(m.Template != nil, "template")
	add(m.Hsm != nil, "hsm")
	return out
}

// mediaRef is a media id or provider a message refers to; it is checked under the state lock.
type mediaRef struct {
	field    string
	id       string
	provider string
	kind     string // kind the media must have ("" for any)
	pdf      bool   // template document parameters must be PDF
}

// msgCheck collects what the stateful part of the send must check.
type msgCheck struct {
	refs []mediaRef
}

// SendMessage checks the message by its type's rules, then the recipient, the referenced media
// and providers, the webhook URL and the webhook queue, records the message, returns its id
// and schedules its status webhooks.
func (s *Server) SendMessage(_ context.Context, req gen.SendMessageRequestObject) (gen.SendMessageResponseObject, error) {
	m := req.Body
	if m == nil {
		return nil, errf(codeMissingParameter, "Parameter 'to' is required")
	}
	typ := string(gen.MessageTypeText)
	if m.Type != nil {
		if !m.Type.Valid() {
			return nil, errf(codeInvalidParameter, "Parameter 'type' must be one of text, image, audio, video, document, sticker, location, contacts, interactive, template, hsm")
		}
		typ = string(*m.Type)
	}
	rtype := gen.MessageRecipientTypeIndividual
	if m.RecipientType != nil {
		if !m.RecipientType.Valid() {
			return nil, errf(codeInvalidRecipient, "Parameter 'recipient_type' must be one of individual, group")
		}
		rtype = *m.RecipientType
	}
	if strings.TrimSpace(m.To) == "" {
		return nil, errf(codeMissingParameter, "Parameter 'to' is required")
	}
	blocks := messageBlocks(m)
	if !slices.Contains(blocks, typ) {
		return nil, errf(codeMissingParameter, "Parameter '%s' is required for type '%s'", typ, typ)
	}
	for _, b := range blocks {
		if b != typ {
			return nil, errf(codeParameterNotWanted, "Parameter '%s' is not required for type '%s'", b, typ)
		}
	}
	if e := checkTTL(m.TTL); e != nil {
		return nil, e
	}
	chk := &msgCheck{}
	if e := s.checkContent(m, typ, chk); e != nil {
		return nil, e
	}
	if typ == "document" && m.Document.Caption != nil {
		// "Captions are currently not supported for document media" (Meta's final reference):
		// the Webapp accepts the field, the customer never sees it. The record says so.
		doc := *m.Document
		doc.Caption = nil
		m.Document = &doc
	}

	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	if !st.registered || st.health == gen.GatewayStatusUnregistered || st.health == gen.GatewayStatusUninitialized {
		return nil, errf(codeServiceNotReady, "the client is not ready (gateway %s): register the number first (POST /v1/account)", st.health)
	}
	recipient := m.To
	var behavior RecipientBehavior
	if rtype == gen.MessageRecipientTypeGroup {
		if _, e := s.groupForLocked(m.To); e != nil {
			return nil, e
		}
	} else {
		id := NormalizePhone(m.To)
		if id == "" {
			return nil, errf(codeUserNotValid, "User is not valid: %q is not a WhatsApp id", m.To)
		}
		if id == st.waID {
			return nil, errf(codeBadUser, "the recipient is the business number itself")
		}
		if r := s.checker()(id); r.Status == gen.ContactCheckResultStatusInvalid || r.Status == gen.ContactCheckResultStatusFailed {
			return nil, errf(codeUserNotValid, "User is not valid: %s is not a WhatsApp user", id)
		}
		recipient = id
		behavior = st.recipients[id]
		if behavior.Blocked {
			return nil, errf(codeRecipientBlocked, "Recipient %s blocked the business", id)
		}
		if behavior.Incapable {
			return nil, errf(codeReceiverIncapable, "Receiver %s is incapable of receiving this message", id)
		}
	}
	if e := s.checkRefsLocked(chk.refs, now); e != nil {
		return nil, e
	}
	if typ == "template" || typ == "hsm" {
		if e := s.checkTemplateRegistry(m, typ); e != nil {
			return nil, e
		}
	}
	if s.webhookURLLocked() == "" {
		return nil, errf(codeNoWebhookURL, "Webhooks URL is not configured: set webhooks.url with PATCH /v1/settings/application")
	}
	rec := &sentRecord{SentMessage: SentMessage{
		ID: s.newMessageID(), To: recipient, RecipientType: string(rtype), Type: typ, Time: now,
	}}
	rec.raw, _ = json.Marshal(m)
	rec.freeForm = typ != "template" && typ != "hsm"
	rec.failCode = behavior.FailWith
	rec.neverReads = behavior.NeverReads
	if rtype == gen.MessageRecipientTypeIndividual && rec.failCode == 0 {
		switch {
		case s.cfg.careWindow && rec.freeForm && now.Sub(st.lastInbound[recipient]) > 24*time.Hour:
			rec.failCode = 470
		case s.identityBlocksLocked(recipient):
			rec.failCode = 480
		}
	}
	// Admission counts the callbacks already pending, those that accepted messages will still
	// schedule and those this one will: a send is accepted only if all of them fit.
	k := s.expectedStatusesLocked(rec)
	if load := s.hooks.pending() + st.reserved; load >= s.cfg.queueCapacity || load+k > s.cfg.queueCapacity {
		return nil, errf(codeOverloaded, "System overloaded: %d webhook callbacks are pending or scheduled", load)
	}
	rec.reserved = k
	st.reserved += k
	st.sent[rec.ID] = rec
	st.sentOrder.push(rec.ID)
	for st.sentOrder.len() > s.cfg.messageHistory {
		id := st.sentOrder.pop()
		if old := st.sent[id]; old != nil {
			s.releaseLocked(old, old.reserved)
		}
		delete(st.sent, id)
	}
	if s.statusesWantedLocked(rec) {
		s.scheduleStatusLocked(rec.ID, s.cfg.statusDelays.Sent)
	} else {
		rec.final = true
	}
	return onpremhttp.Accepted{ID: rec.ID, Meta: s.meta}, nil
}

// webhookURLLocked returns the configured webhook URL; the caller holds s.mu.
func (s *Server) webhookURLLocked() string {
	if w := s.st.settings.Webhooks; w != nil && w.URL != nil {
		return *w.URL
	}
	return ""
}

// statusesWantedLocked reports whether any status of rec would be delivered with the current
// settings; when none would, no status timer is scheduled at all.
func (s *Server) statusesWantedLocked(rec *sentRecord) bool {
	if rec.failCode != 0 {
		return true
	}
	sent, delivered, read := s.statusSwitchesLocked()
	return sent || delivered || (read && !rec.neverReads)
}

// expectedStatusesLocked counts the status callbacks rec will cause with the current settings:
// one `failed`, or one for each of sent, delivered and read that is switched on (read only if
// the recipient reads).
func (s *Server) expectedStatusesLocked(rec *sentRecord) int {
	if rec.failCode != 0 {
		return 1
	}
	sent, delivered, read := s.statusSwitchesLocked()
	n := 0
	for _, on := range []bool{sent, delivered, read && !rec.neverReads} {
		if on {
			n++
		}
	}
	return n
}

// releaseLocked gives back n of the status callbacks reserved by rec; the caller holds s.mu.
func (s *Server) releaseLocked(rec *sentRecord, n int) {
	n = min(n, rec.reserved)
	rec.reserved -= n
	s.st.reserved -= n
}

// statusSwitchesLocked returns which of sent, delivered and read are delivered.
func (s *Server) statusSwitchesLocked() (sent, delivered, read bool) {
	set := s.st.settings
	if set.SentStatus != nil && *set.SentStatus {
		sent = true
	}
	if w := set.Webhooks; w != nil && w.Message != nil {
		m := w.Message
		sent = sent || (m.Sent != nil && *m.Sent)
		delivered = m.Delivered != nil && *m.Delivered
		read = m.Read != nil && *m.Read
	}
	return sent, delivered, read
}

// addPricingLocked adds the conversation and pricing objects of a status (unless the setting
// webhook_payload_conversation_pricingmodel_disabled is on).
func (s *Server) addPricingLocked(ms *gen.MessageStatus, rec *sentRecord, now time.Time) {
	set := s.st.settings
	if set.WebhookPayloadConversationPricingmodelDisabled != nil && *set.WebhookPayloadConversationPricingmodelDisabled {
		return
	}
	c := s.st.conversations[rec.To]
	if c == nil || !now.Before(c.expires) {
		origin := "business_initiated"
		if last, ok := s.st.lastInbound[rec.To]; ok && now.Sub(last) <= 24*time.Hour {
			origin = "user_initiated"
		}
		sum := sha256.Sum256([]byte(rec.To + "/" + now.UTC().Format(time.RFC3339Nano)))
		c = &conversation{id: hex.EncodeToString(sum[:16]), origin: origin, expires: now.Add(24 * time.Hour)}
		s.st.conversations[rec.To] = c
		s.maybeSweepLocked(now)
	}
	conv := &gen.WebhookConversation{ID: ptr(c.id), Origin: &gen.WebhookConversationOrigin{Type: ptr(c.origin)}}
	if !c.started {
		c.started = true
		exp := numberString(c.expires.Unix())
		conv.ExpirationTimestamp = &exp
	}
	ms.Conversation = conv
	ms.Pricing = &gen.WebhookPricing{Billable: ptr(true), PricingModel: ptr("CBP"), Category: ptr(c.origin)}
}

// resumeParkedLocked restarts the status progressions parked while the gateway was down; the
// caller holds s.mu.
func (s *Server) resumeParkedLocked() {
	if s.st.health != gen.GatewayStatusConnected {
		return
	}
	for _, id := range s.st.parked {
		s.scheduleStatusLocked(id, 0)
	}
	s.st.parked = nil
}

// pendingMessagesLocked counts sent messages whose status progression has not ended.
func (s *Server) pendingMessagesLocked() int {
	n := 0
	for _, r := range s.st.sent {
		if !r.final {
			n++
		}
	}
	return n
}

// checkTTL accepts seconds (integer >= 1, or digits in a string) and ISO-8601 durations.
func checkTTL(t *gen.MessageTTL) *apiError {
	if t == nil {
		return nil
	}
	if n, err := t.AsMessageTTLSeconds(); err == nil {
		if n < 1 {
			return errf(codeInvalidParameter, "Parameter 'ttl' must be at least 1 second")
		}
		return nil
	}
	if v, err := t.AsMessageTTLDuration(); err == nil && ttlStringRE.MatchString(v) {
		return nil
	}
	return errf(codeInvalidParameter, "Parameter 'ttl' must be a number of seconds or an ISO-8601 duration")
}

// checkContent applies the per-type rules of the Message schema's description.
func (s *Server) checkContent(m *gen.Message, typ string, chk *msgCheck) *apiError {
	switch typ {
	case "text":
		n := utf8.RuneCountInString(m.Text.Body)
		if n == 0 {
			return errf(codeMissingParameter, "Parameter 'text.body' is required")
		}
		if n > 4096 {
			return errf(codeMessageTooLong, "Parameter 'text.body' is longer than 4096 characters")
		}
	case "image":
		return checkOutboundMedia(m.Image, "image", "image", chk)
	case "audio":
		return checkOutboundMedia(m.Audio, "audio", "audio", chk)
	case "video":
		return checkOutboundMedia(m.Video, "video", "video", chk)
	case "document":
		return checkOutboundMedia(m.Document, "document", "document", chk)
	case "sticker":
		return checkOutboundMedia(m.Sticker, "sticker", "sticker", chk)
	case "location":
		l := m.Location
		if l.Latitude < -90 || l.Latitude > 90 || l.Longitude < -180 || l.Longitude > 180 {
			return errf(codeInvalidParameter, "Parameter 'location' has a latitude or longitude out of range")
		}
	case "contacts":
		return checkContactCards(*m.Contacts)
	case "interactive":
		return checkInteractive(m.Interactive, chk)
	case "template":
		return checkTemplate(m.Template, chk)
	case "hsm":
		h := m.Hsm
		if h.Namespace == "" || h.ElementName == "" {
			return errf(codeMissingParameter, "Parameters 'hsm.namespace' and 'hsm.element_name' are required")
		}
		if h.Language.Code == "" || h.Language.Policy == "" {
			return errf(codeMissingParameter, "Parameters 'hsm.language.policy' and 'hsm.language.code' are required")
		}
		if !h.Language.Policy.Valid() {
			return errf(codeInvalidParameter, "Parameter 'hsm.language.policy' must be deterministic")
		}
	}
	return nil
}

// checkOutboundMedia applies the media rules: exactly one of id and link, provider only with
// link, caption only for image, video and document, filename only for document.
func checkOutboundMedia(md *gen.OutboundMedia, field, kind string, chk *msgCheck) *apiError {
	hasID := md.ID != nil && *md.ID != ""
	hasLink := md.Link != nil && *md.Link != ""
	switch {
	case hasID && hasLink:
		return errf(codeInvalidParameter, "Parameter '%s' must have either 'id' or 'link', not both", field)
	case !hasID && !hasLink:
		return errf(codeMissingParameter, "Parameter '%s.id' or '%s.link' is required", field, field)
	case md.Provider != nil && !hasLink:
		return errf(codeParameterNotWanted, "Parameter '%s.provider' is only allowed with 'link'", field)
	}
	if md.Caption != nil && kind != "image" && kind != "video" && kind != "document" {
		return errf(codeParameterNotWanted, "Parameter 'caption' is not required for type '%s'", kind)
	}
	if md.Filename != nil && kind != "document" {
		return errf(codeParameterNotWanted, "Parameter 'filename' is not required for type '%s'", kind)
	}
	if md.Caption != nil && utf8.RuneCountInString(*md.Caption) > 1024 {
		return errf(codeInvalidParameter, "Parameter '%s.caption' is longer than 1024 characters", field)
	}
	if hasLink {
		if err := checkMediaURL(*md.Link); err != nil {
			return errf(codeInvalidParameter, "Parameter '%s.link' must be an http or https URL", field)
		}
		if md.Provider != nil {
			if md.Provider.Name == "" {
				return errf(codeMissingParameter, "Parameter '%s.provider.name' is required", field)
			}
			chk.refs = append(chk.refs, mediaRef{field: field + ".provider.name", provider: md.Provider.Name})
		}
		return nil
	}
	chk.refs = append(chk.refs, mediaRef{field: field + ".id", id: *md.ID, kind: kind})
	return nil
}

// checkContactCards requires formatted_name and one more name field on every card.
func checkContactCards(cards []gen.ContactCard) *apiError {
	if len(cards) == 0 {
		return errf(codeInvalidParameter, "Parameter 'contacts' must hold at least one contact card")
	}
	for i, c := range cards {
		n := c.Name
		if n.FormattedName == "" {
			return errf(codeMissingParameter, "Parameter 'contacts[%d].name.formatted_name' is required", i)
		}
		if n.FirstName == nil && n.LastName == nil && n.MiddleName == nil && n.Suffix == nil && n.Prefix == nil {
			return errf(codeMissingParameter, "Parameter 'contacts[%d].name' needs at least one of first_name, last_name, middle_name, suffix, prefix", i)
		}
		if c.ContactImage != nil {
			return errf(codeParameterNotWanted, "Parameter 'contacts[%d].contact_image' is not required for outbound contact cards", i)
		}
	}
	return nil
}

// checkInteractive applies the table of the Interactive schema's description.
func checkInteractive(in *gen.Interactive, chk *msgCheck) *apiError {
	t := string(in.Type)
	if !in.Type.Valid() {
		return errf(codeInvalidParameter, "Parameter 'interactive.type' must be one of list, button, product, product_list, location_request_message, address_message")
	}
	if t != "product" && (in.Body == nil || in.Body.Text == "") {
		return errf(codeMissingParameter, "Parameter 'interactive.body' is required for type '%s'", t)
	}
	switch t {
	case "product", "location_request_message", "address_message":
		if in.Header != nil {
			return errf(codeParameterNotWanted, "Parameter 'interactive.header' is not required for type '%s'", t)
		}
	case "product_list":
		if in.Header == nil {
			return errf(codeMissingParameter, "Parameter 'interactive.header' is required for type 'product_list'")
		}
	}
	if h := in.Header; h != nil {
		if t != "button" && h.Type != gen.InteractiveHeaderTypeText {
			return errf(codeInvalidParameter, "Parameter 'interactive.header' must be a text header for type '%s'", t)
		}
		present := map[string]bool{"text": h.Text != nil, "image": h.Image != nil, "video": h.Video != nil, "document": h.Document != nil}
		ht := string(h.Type)
		if !h.Type.Valid() {
			return errf(codeInvalidParameter, "Parameter 'interactive.header.type' must be one of text, image, video, document")
		}
		if !present[ht] {
			return errf(codeMissingParameter, "Parameter 'interactive.header.%s' is required for header type '%s'", ht, ht)
		}
		for _, k := range []string{"text", "image", "video", "document"} {
			if k != ht && present[k] {
				return errf(codeParameterNotWanted, "Parameter 'interactive.header.%s' is not required for header type '%s'", k, ht)
			}
		}
		switch ht {
		case "text":
			if n := utf8.RuneCountInString(*h.Text); n == 0 || n > 60 {
				return errf(codeInvalidParameter, "Parameter 'interactive.header.text' must have 1 to 60 characters")
			}
		case "image":
			if e := checkOutboundMedia(h.Image, "interactive.header.image", "image", chk); e != nil {
				return e
			}
		case "video":
			if e := checkOutboundMedia(h.Video, "interactive.header.video", "video", chk); e != nil {
				return e
			}
		case "document":
			if e := checkOutboundMedia(h.Document, "interactive.header.document", "document", chk); e != nil {
				return e
			}
		}
	}
	a := in.Action
	has := map[string]bool{
		"button": a.Button != nil, "buttons": a.Buttons != nil, "sections": a.Sections != nil,
		"catalog_id": a.CatalogID != nil, "product_retailer_id": a.ProductRetailerID != nil,
		"name": a.Name != nil, "parameters": a.Parameters != nil,
	}
	allowed := map[string][]string{
		"list":                     {"button", "sections"},
		"button":                   {"buttons"},
		"product":                  {"catalog_id", "product_retailer_id"},
		"product_list":             {"catalog_id", "sections"},
		"location_request_message": {"name"},
		"address_message":          {"name", "parameters"},
	}[t]
	for _, k := range allowed {
		if !has[k] {
			return errf(codeMissingParameter, "Parameter 'interactive.action.%s' is required for type '%s'", k, t)
		}
	}
	for _, k := range []string{"button", "buttons", "sections", "catalog_id", "product_retailer_id", "name", "parameters"} {
		if has[k] && !slices.Contains(allowed, k) {
			return errf(codeParameterNotWanted, "Parameter 'interactive.action.%s' is not required for type '%s'", k, t)
		}
	}
	if want := map[string]gen.InteractiveActionName{"location_request_message": gen.InteractiveActionNameSendLocation,
		"address_message": gen.InteractiveActionNameAddressMessage}[t]; want != "" && *a.Name != want {
		return errf(codeInvalidParameter, "Parameter 'interactive.action.name' must be %s for type '%s'", want, t)
	}
	switch t {
	case "button":
		bs := *a.Buttons
		if len(bs) < 1 || len(bs) > 3 {
			return errf(codeInvalidParameter, "Parameter 'interactive.action.buttons' must hold 1 to 3 buttons")
		}
		ids, titles := map[string]bool{}, map[string]bool{}
		for i, b := range bs {
			if ids[b.Reply.ID] || titles[b.Reply.Title] {
				return errf(codeInvalidParameter, "Parameter 'interactive.action.buttons[%d]' repeats the id or title of another button", i)
			}
			ids[b.Reply.ID], titles[b.Reply.Title] = true, true
			if b.Reply.ID == "" || b.Reply.Title == "" {
				return errf(codeMissingParameter, "Parameter 'interactive.action.buttons[%d].reply' needs an id and a title", i)
			}
		}
	case "list", "product_list":
		secs := *a.Sections
		if len(secs) < 1 || len(secs) > 10 {
			return errf(codeSectionCount, "Parameter 'interactive.action.sections' must hold 1 to 10 sections")
		}
		total, ids := 0, map[string]bool{}
		for i, sec := range secs {
			if len(secs) > 1 && (sec.Title == nil || *sec.Title == "") {
				return errf(codeMissingParameter, "Parameter 'interactive.action.sections[%d].title' is required when there is more than one section", i)
			}
			if t == "list" {
				if sec.ProductItems != nil {
					return errf(codeParameterNotWanted, "Parameter 'interactive.action.sections[%d].product_items' is not required for type 'list'", i)
				}
				if sec.Rows == nil || len(*sec.Rows) == 0 {
					return errf(codeMissingParameter, "Parameter 'interactive.action.sections[%d].rows' is required", i)
				}
				for _, r := range *sec.Rows {
					if ids[r.ID] {
						return errf(codeInvalidParameter, "Parameter 'interactive.action.sections[%d].rows' repeats the row id %q", i, r.ID)
					}
					ids[r.ID] = true
				}
				total += len(*sec.Rows)
			} else {
				if sec.Rows != nil {
					return errf(codeParameterNotWanted, "Parameter 'interactive.action.sections[%d].rows' is not required for type 'product_list'", i)
				}
				if sec.ProductItems == nil || len(*sec.ProductItems) == 0 {
					return errf(codeMissingParameter, "Parameter 'interactive.action.sections[%d].product_items' is required", i)
				}
				total += len(*sec.ProductItems)
			}
		}
		if t == "list" && total > 10 {
			return errf(codeRowCount, "a list message holds at most 10 rows in total, not %d", total)
		}
		if t == "product_list" && total > 30 {
			return errf(codeProductCount, "a product list holds at most 30 products in total, not %d", total)
		}
	}
	return nil
}

// checkTemplate checks the structure of a template message.
func checkTemplate(tp *gen.Template, chk *msgCheck) *apiError {
	if tp.Namespace == "" || tp.Name == "" {
		return errf(codeMissingParameter, "Parameters 'template.namespace' and 'template.name' are required")
	}
	if tp.Language.Code == "" {
		return errf(codeMissingParameter, "Parameter 'template.language.code' is required")
	}
	if tp.Language.Policy != nil && !tp.Language.Policy.Valid() {
		return errf(codeInvalidParameter, "Parameter 'template.language.policy' must be deterministic")
	}
	if tp.Components == nil {
		return nil
	}
	for i, c := range *tp.Components {
		field := "template.components[" + itoa(int64(i)) + "]"
		if !c.Type.Valid() {
			return errf(codeInvalidParameter, "Parameter '%s.type' must be one of header, body, button", field)
		}
		if c.Type == gen.TemplateComponentTypeButton {
			if c.SubType == nil {
				return errf(codeMissingParameter, "Parameter '%s.sub_type' is required for button components", field)
			}
			if !c.SubType.Valid() {
				return errf(codeInvalidParameter, "Parameter '%s.sub_type' must be quick_reply or url", field)
			}
			if c.Index == nil {
				return errf(codeMissingParameter, "Parameter '%s.index' is required for button components", field)
			}
			if _, ok := buttonIndex(c.Index); !ok {
				return errf(codeInvalidParameter, "Parameter '%s.index' must be 0 to 9", field)
			}
		} else if c.SubType != nil || c.Index != nil {
			return errf(codeParameterNotWanted, "Parameters 'sub_type' and 'index' are not required for %s components", c.Type)
		}
		if c.Parameters == nil {
			continue
		}
		// Text parameter lengths: header 60, body 1024, or 32768 when the body is the
		// template's only component (Meta's template reference); 2004 beyond.
		limit := 0
		switch {
		case c.Type == gen.TemplateComponentTypeHeader:
			limit = 60
		case c.Type == gen.TemplateComponentTypeBody && len(*tp.Components) == 1:
			limit = 32768
		case c.Type == gen.TemplateComponentTypeBody:
			limit = 1024
		}
		for j, p := range *c.Parameters {
			pf := field + ".parameters[" + itoa(int64(j)) + "]"
			if e := checkTemplateParameter(p, pf, c, chk); e != nil {
				return e
			}
			if p.Text != nil && limit > 0 && utf8.RuneCountInString(*p.Text) > limit {
				return errf(codeTemplateParamLen, "Parameter '%s.text' is longer than %d characters", pf, limit)
			}
		}
	}
	return nil
}

// buttonIndex reads a button index given as a number or a one-digit string.
func buttonIndex(ix *gen.TemplateButtonIndex) (int, bool) {
	if n, err := ix.AsTemplateButtonIndexNumber(); err == nil {
		return n, n >= 0 && n <= 9
	}
	if v, err := ix.AsTemplateButtonIndexString(); err == nil && len(v) == 1 && v[0] >= '0' && v[0] <= '9' {
		return int(v[0] - '0'), true
	}
	return 0, false
}

// checkTemplateParameter requires the block named by the parameter's type, and only it, and
// puts each kind of parameter where it belongs.
func checkTemplateParameter(p gen.TemplateParameter, field string, c gen.TemplateComponent, chk *msgCheck) *apiError {
	present := map[string]bool{
		"text": p.Text != nil, "currency": p.Currency != nil, "date_time": p.DateTime != nil, "image": p.Image != nil,
		"document": p.Document != nil, "video": p.Video != nil, "payload": p.Payload != nil,
	}
	pt := string(p.Type)
	if !p.Type.Valid() {
		return errf(codeInvalidParameter, "Parameter '%s.type' is not a known parameter type", field)
	}
	if !present[pt] {
		return errf(codeMissingParameter, "Parameter '%s.%s' is required for parameter type '%s'", field, pt, pt)
	}
	for k, ok := range present {
		if ok && k != pt {
			return errf(codeParameterNotWanted, "Parameter '%s.%s' is not required for parameter type '%s'", field, k, pt)
		}
	}
	isButton := c.Type == gen.TemplateComponentTypeButton
	switch pt {
	case "image", "document", "video":
		if c.Type != gen.TemplateComponentTypeHeader {
			return errf(codeTemplateFormat, "Parameter '%s': media parameters belong in the header component", field)
		}
		md := map[string]*gen.OutboundMedia{"image": p.Image, "document": p.Document, "video": p.Video}[pt]
		if e := checkOutboundMedia(md, field+"."+pt, pt, chk); e != nil {
			return e
		}
		if pt == "document" && len(chk.refs) > 0 && chk.refs[len(chk.refs)-1].id != "" {
			chk.refs[len(chk.refs)-1].pdf = true
		}
	case "payload":
		if !isButton || *c.SubType != gen.TemplateComponentSubTypeQuickReply {
			return errf(codeTemplateFormat, "Parameter '%s': payload parameters belong in quick_reply button components", field)
		}
	case "text":
		if isButton && *c.SubType != gen.TemplateComponentSubTypeURL {
			return errf(codeTemplateFormat, "Parameter '%s': a quick_reply button takes a payload parameter", field)
		}
	default:
		if isButton {
			return errf(codeTemplateFormat, "Parameter '%s': %s parameters do not belong in button components", field, pt)
		}
	}
	return nil
}

// checkTemplateRegistry checks template and hsm messages against the registered templates,
// when there are any.
func (s *Server) checkTemplateRegistry(m *gen.Message, typ string) *apiError {
	if len(s.cfg.templates) == 0 {
		return nil
	}
	var ns, name, lang string
	if typ == "template" {
		ns, name, lang = m.Template.Namespace, m.Template.Name, m.Template.Language.Code
	} else {
		ns, name, lang = m.Hsm.Namespace, m.Hsm.ElementName, m.Hsm.Language.Code
	}
	var tpl *Template
	for i := range s.cfg.templates {
		t := &s.cfg.templates[i]
		if t.Name == name && (t.Namespace == "" || t.Namespace == ns) {
			tpl = t
			break
		}
	}
	if tpl == nil {
		return errf(codeTemplateMissing, "Template name %q does not exist in the translation", name)
	}
	if len(tpl.Languages) > 0 && !slices.Contains(tpl.Languages, lang) {
		return errf(codeTranslationMissing, "Template %q has no translation for %q", name, lang)
	}
	if typ == "hsm" {
		n := 0
		if m.Hsm.LocalizableParams != nil {
			n = len(*m.Hsm.LocalizableParams)
		}
		if n != tpl.BodyParams {
			return errf(codeTemplateParamCount, "Template %q expects %d parameters, got %d", name, tpl.BodyParams, n)
		}
		return nil
	}
	var header, body []gen.TemplateParameter
	buttons := map[int]gen.TemplateComponentSubType{}
	if m.Template.Components != nil {
		for _, c := range *m.Template.Components {
			var ps []gen.TemplateParameter
			if c.Parameters != nil {
				ps = *c.Parameters
			}
			switch c.Type {
			case gen.TemplateComponentTypeHeader:
				header = append(header, ps...)
			case gen.TemplateComponentTypeBody:
				body = append(body, ps...)
			case gen.TemplateComponentTypeButton:
				ix, _ := buttonIndex(c.Index)
				buttons[ix] = *c.SubType
			}
		}
	}
	if len(body) != tpl.BodyParams {
		return errf(codeTemplateParamCount, "Template %q expects %d body parameters, got %d", name, tpl.BodyParams, len(body))
	}
	wantHeader := 0
	if tpl.HeaderFormat != "" {
		wantHeader = 1
	}
	if len(header) != wantHeader {
		return errf(codeTemplateParamCount, "Template %q expects %d header parameters, got %d", name, wantHeader, len(header))
	}
	if wantHeader == 1 && string(header[0].Type) != tpl.HeaderFormat {
		return errf(codeTemplateFormat, "Template %q has a %s header, not %s", name, tpl.HeaderFormat, header[0].Type)
	}
	for ix, sub := range buttons {
		i := slices.IndexFunc(tpl.Buttons, func(b TemplateButton) bool { return b.Index == ix })
		if i < 0 {
			return errf(codeTemplateParamCount, "Template %q has no button at index %d", name, ix)
		}
		if tpl.Buttons[i].SubType != sub {
			return errf(codeTemplateFormat, "Template %q button %d is %s, not %s", name, ix, tpl.Buttons[i].SubType, sub)
		}
	}
	return nil
}

// checkRefsLocked checks that the media ids and providers a message refers to exist and fit;
// the caller holds s.mu.
func (s *Server) checkRefsLocked(refs []mediaRef, now time.Time) *apiError {
	for _, r := range refs {
		if r.provider != "" {
			if !slices.ContainsFunc(s.st.providers, func(p gen.MediaProvider) bool { return p.Name == r.provider }) {
				return errf(codeNotFound, "Media provider %q is not configured", r.provider)
			}
			continue
		}
		f := s.st.media[r.id]
		if f == nil {
			return errf(codeNotFound, "Parameter '%s': media with id %s not found", r.field, r.id)
		}
		if r.kind != "" && r.kind != "document" && f.kind != r.kind {
			return errf(codeInvalidParameter, "Parameter '%s': media %s is %s (%s), not %s", r.field, r.id, f.kind, f.contentType, r.kind)
		}
		if r.pdf && baseMediaType(f.contentType) != "application/pdf" {
			return errf(codeMediaFormat, "Parameter '%s': template documents must be PDF", r.field)
		}
		if f.animated && r.kind == "sticker" {
			return errf(codeInvalidParameter, "Parameter '%s': media %s is an animated sticker; outbound third-party stickers must be static", r.field, r.id)
		}
		// The real server applies the kind's limit here, after processing; the check is
		// repeated with WithMediaKindLimitsAtUpload, where it cannot fail.
		if limit := s.limits.limitFor(f.kind, false); f.kind != "document" && limit > 0 && f.size > limit {
			return errf(codeInvalidParameter, "Parameter '%s': media %s has %d bytes, over the %s limit of %d", r.field, r.id, f.size, f.kind, limit)
		}
	}
	for _, r := range refs {
		if f := s.st.media[r.id]; f != nil {
			f.lastUsed = now
		}
	}
	return nil
}

// MarkMessageAsRead marks an inbound message, and the earlier ones of the same chat, read.
func (s *Server) MarkMessageAsRead(_ context.Context, req gen.MarkMessageAsReadRequestObject) (gen.MarkMessageAsReadResponseObject, error) {
	if req.Body == nil || req.Body.Status != gen.MessageStatusUpdateStatusRead {
		return nil, errf(codeInvalidParameter, "Parameter 'status' must be read")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.inbound[req.MessageID]
	if in == nil {
		return nil, errStatus(http.StatusNotFound, codeNotFound, "Message %s not found", req.MessageID)
	}
	for _, other := range s.st.inbound {
		if other.Message.From == in.Message.From && !other.Time.After(in.Time) {
			other.Read = true
		}
	}
	return gen.MarkMessageAsRead200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// CollectMessageGarbage answers `processing`, then deletes the records of messages whose
// status progression ended and of inbound messages marked read, and reports the count in a
// `services` webhook.
func (s *Server) CollectMessageGarbage(context.Context, gen.CollectMessageGarbageRequestObject) (gen.CollectMessageGarbageResponseObject, error) {
	s.afterGC(func() func() {
		var n int64
		for id, r := range s.st.sent {
			if r.final {
				delete(s.st.sent, id)
				n++
			}
		}
		for id, r := range s.st.inbound {
			if r.Read {
				delete(s.st.inbound, id)
				n++
			}
		}
		s.st.sentOrder = compactFIFO(s.st.sentOrder, func(id string) bool { return s.st.sent[id] != nil })
		s.st.inboundOrder = compactFIFO(s.st.inboundOrder, func(id string) bool { return s.st.inbound[id] != nil })
		return func() {
			s.enqueueNotification(kindServices, gen.WebhookNotification{Services: &[]gen.WebhookServiceNotice{{
				Message: &gen.WebhookServiceResult{Gc: &gen.WebhookGarbageCollection{Status: ptr("complete"), MessagesDeleted: &n}},
			}}})
		}
	})
	status := gen.MessageGCProgressStatusProcessing
	return gen.CollectMessageGarbage200JSONResponse{Body: gen.MessageGCEnvelope{
		Services: gen.MessageGCServices{Message: gen.MessageGCService{Gc: gen.MessageGCProgress{Status: &status}}},
		Meta:     s.meta,
	}}, nil
}

// compactFIFO keeps the ids for which keep is true.
func compactFIFO(f fifo, keep func(string) bool) fifo {
	var out fifo
	for _, id := range f.all() {
		if keep(id) {
			out.push(id)
		}
	}
	return out
}

// numberString renders n as a JSON number.
func numberString(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }
