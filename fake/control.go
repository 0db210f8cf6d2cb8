package fake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// Inbound describes a message a customer sends to the business; see InjectInbound.
type Inbound struct {
	// Message is the inbound message as the webhook will carry it. From and Type are required;
	// ID and Timestamp are filled in when empty.
	Message gen.InboundMessage `json:"message"`
	// ProfileName is the sender's profile name in the webhook's `contacts` (default: the name
	// of a seed contact, else "Customer <wa_id>").
	ProfileName string `json:"profile_name,omitempty"`
	// Media is the content of a media message (image, audio, voice, video, document, sticker)
	// whose block has no id; without it a small placeholder file is stored.
	Media *InboundMedia `json:"media,omitempty"`
}

// InboundMedia is the content of an injected media message; in JSON Data is base64.
type InboundMedia struct {
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// defaultInboundTypes are the media types of placeholder files of injected media messages.
var defaultInboundTypes = map[string]string{
	"image": "image/jpeg", "audio": "audio/aac", "voice": "audio/ogg; codecs=opus", "video": "video/mp4",
	"document": "application/pdf", "sticker": "image/webp",
}

// inboundMediaBlock returns the address of the media block named by typ.
func inboundMediaBlock(m *gen.InboundMessage, typ string) **gen.InboundMedia {
	switch typ {
	case "image":
		return &m.Image
	case "audio":
		return &m.Audio
	case "voice":
		return &m.Voice
	case "video":
		return &m.Video
	case "document":
		return &m.Document
	case "sticker":
		return &m.Sticker
	}
	return nil
}

// InjectInbound delivers an inbound message to the webhook as the real client would: media
// content is stored in the media store (so GET /v1/media/{id} serves it) with its mime_type and
// sha256, `file` is set for kinds listed in media.auto_download, `identity` is added when
// show_security_notifications is on, and a `user_identity_changed` system message updates the
// customer's identity. The notification is checked against the spec's WebhookNotification
// schema before it is queued. It also opens the 24-hour customer-care window of the sender.
// The message is queued even when no webhook URL is set yet (it waits for one).
func (s *Server) InjectInbound(in Inbound) (gen.InboundMessage, error) {
	m := in.Message
	if !digitsRE.MatchString(m.From) {
		return m, fmt.Errorf("fake: InjectInbound: from %q is not a wa_id (digits only)", m.From)
	}
	if strings.TrimSpace(m.Type) == "" {
		return m, errors.New("fake: InjectInbound: type is required")
	}
	now := s.clock.Now()
	if m.ID == "" {
		m.ID = s.newInboundID()
	}
	if m.Timestamp == "" {
		m.Timestamp = unixString(now)
	}
	switch m.Type {
	case "text":
		if m.Text == nil {
			return m, errors.New("fake: InjectInbound: a text message needs text.body")
		}
	case "unknown":
		if m.Errors == nil {
			m.Errors = &[]gen.ErrorDetail{{Code: 501, Title: "Unknown message type", Details: ptr("Message type is not currently supported")}}
		}
	}
	if blk := inboundMediaBlock(&m, m.Type); blk != nil {
		if *blk == nil {
			*blk = &gen.InboundMedia{}
		}
		if err := s.storeInboundMedia(*blk, m.Type, in.Media); err != nil {
			return m, err
		}
	}
	s.mu.Lock()
	if m.Type == "system" && m.System != nil && m.System.Type != nil && *m.System.Type == "user_identity_changed" {
		id := s.identityOf(m.From)
		id.changes++
		id.hash = identityHash(m.From, id.changes)
		if m.System.Identity != nil && *m.System.Identity != "" {
			id.hash = *m.System.Identity
		}
		id.created, id.ack = now, false
		m.System.Identity = ptr(id.hash)
	}
	if on := s.st.settings.ShowSecurityNotifications; on != nil && *on && m.Identity == nil && m.Type != "system" {
		id := s.identityOf(m.From)
		m.Identity = &gen.InboundIdentity{Acknowledged: ptr(id.ack), CreatedTimestamp: ptr(id.created.UnixMilli()), Hash: ptr(id.hash)}
	}
	name := in.ProfileName
	if name == "" {
		name = s.st.profileNames[m.From]
	}
	if name == "" {
		name = "Customer " + m.From
	}
	s.mu.Unlock()

	n := gen.WebhookNotification{Messages: &[]gen.InboundMessage{m}}
	if m.Type != "system" {
		n.Contacts = &[]gen.WebhookContact{{WaID: ptr(m.From), Profile: &gen.WebhookContactProfile{Name: ptr(name)}}}
	}
	if err := s.checkNotification(n); err != nil {
		return m, fmt.Errorf("fake: InjectInbound: the notification does not match the spec: %w", err)
	}
	s.mu.Lock()
	rec := &inboundRecord{ReceivedMessage{Message: m, Time: now}}
	if _, dup := s.st.inbound[m.ID]; !dup {
		s.st.inboundOrder.push(m.ID)
	}
	s.st.inbound[m.ID] = rec
	for s.st.inboundOrder.len() > s.cfg.messageHistory {
		delete(s.st.inbound, s.st.inboundOrder.pop())
	}
	if m.Type != "system" {
		s.st.lastInbound[m.From] = now
	}
	s.mu.Unlock()
	s.enqueueNotification(kindInbound, n)
	s.cloud.deliverInbound(m, name) // the Cloud subscriber, if one is set (fake/cloud_webhooks.go)
	return m, nil
}

// InjectNotification queues any webhook notification as it is, after checking it against
// the spec's WebhookNotification schema: errors-only callbacks (media download errors,
// certificate problems), service notices, or hand-written payloads. Prefer InjectInbound for
// inbound messages, which also updates the fake's state.
func (s *Server) InjectNotification(n gen.WebhookNotification) error {
	if n.Contacts == nil && n.Messages == nil && n.Statuses == nil && n.Errors == nil && n.Services == nil {
		return errors.New("fake: InjectNotification: the notification is empty")
	}
	if err := s.checkNotification(n); err != nil {
		return fmt.Errorf("fake: InjectNotification: the notification does not match the spec: %w", err)
	}
	kind := kindInbound
	switch {
	case n.Errors != nil && n.Messages == nil:
		kind = kindErrors
	case n.Services != nil:
		kind = kindServices
	case n.Statuses != nil && n.Messages == nil:
		kind = kindStatus
	case n.Contacts != nil && n.Messages == nil:
		kind = kindContacts
	}
	s.enqueueNotification(kind, n)
	return nil
}

// storeInboundMedia stores the content of an inbound media block and fills its fields.
func (s *Server) storeInboundMedia(blk *gen.InboundMedia, typ string, content *InboundMedia) error {
	if blk.ID != "" {
		s.mu.RLock()
		f := s.st.media[blk.ID]
		s.mu.RUnlock()
		if f == nil {
			return fmt.Errorf("fake: InjectInbound: media %s does not exist", blk.ID)
		}
		if blk.MimeType == nil {
			blk.MimeType = ptr(f.contentType)
		}
		if blk.Sha256 == nil {
			blk.Sha256 = ptr(f.sha)
		}
		return nil
	}
	ct := defaultInboundTypes[typ]
	var data []byte
	if content != nil {
		if content.ContentType != "" {
			ct = content.ContentType
		}
		data = content.Data
	}
	if len(data) == 0 {
		if typ == "sticker" {
			data = tinyWebP(7)
		} else {
			data = []byte("wabiz fake " + typ + " content")
		}
	}
	kind, _ := s.limits.match(ct)
	if kind == "" {
		kind = "document"
	}
	f, err := s.storeMediaBytes(ct, kind, data)
	if err != nil {
		return fmt.Errorf("fake: InjectInbound: %w", err)
	}
	blk.ID = f.id
	blk.MimeType = ptr(ct)
	blk.Sha256 = ptr(f.sha)
	s.mu.RLock()
	auto := s.st.settings.Media != nil && s.st.settings.Media.AutoDownload != nil &&
		slices.Contains(*s.st.settings.Media.AutoDownload, gen.AutoDownloadMediaType(typ))
	s.mu.RUnlock()
	if auto {
		blk.File = ptr("/usr/local/wamedia/shared/" + f.id)
	}
	return nil
}

// checkNotification validates a webhook payload against the spec's WebhookNotification.
func (s *Server) checkNotification(n gen.WebhookNotification) error {
	ref := s.doc.Components.Schemas["WebhookNotification"]
	if ref == nil || ref.Value == nil {
		return errors.New("the spec has no WebhookNotification schema")
	}
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	return ref.Value.VisitJSON(v)
}

// SentMessages returns the messages accepted by POST /v1/messages, oldest first.
func (s *Server) SentMessages() []SentMessage {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]SentMessage, 0, len(s.st.sent))
	for _, id := range s.st.sentOrder.all() {
		if r := s.st.sent[id]; r != nil {
			out = append(out, copySent(r))
		}
	}
	return out
}

// SentMessage returns one sent message by id.
func (s *Server) SentMessage(id string) (SentMessage, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.st.sent[id]
	if r == nil {
		return SentMessage{}, false
	}
	return copySent(r), true
}

func copySent(r *sentRecord) SentMessage {
	m := r.SentMessage
	_ = json.Unmarshal(r.raw, &m.Message)
	m.Statuses = slices.Clone(r.Statuses)
	return m
}

// InboundMessages returns the injected inbound messages, oldest first.
func (s *Server) InboundMessages() []ReceivedMessage {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]ReceivedMessage, 0, len(s.st.inbound))
	for _, id := range s.st.inboundOrder.all() {
		if r := s.st.inbound[id]; r != nil {
			out = append(out, r.ReceivedMessage)
		}
	}
	return out
}

// DeliveryLog returns the webhook delivery attempts, oldest first (the log keeps the last
// WithDeliveryLogSize attempts).
func (s *Server) DeliveryLog() []Delivery { return s.hooks.deliveries() }

// WebhookStats describes the webhook queue.
func (s *Server) WebhookStats() WebhookStats { return s.hooks.stats() }

// WaitWebhooksIdle blocks until no webhook is queued or in flight, or ctx ends. Callbacks
// waiting for their back-off and statuses not yet due on the clock do not count: with a
// ManualClock, Advance first.
func (s *Server) WaitWebhooksIdle(ctx context.Context) error { return s.hooks.waitIdle(ctx) }

// SetHealth sets the gateway status GET /v1/health reports. While it is not `connected`,
// status webhooks are held and resume when it is connected again; while it is `unregistered`
// or `uninitialized`, sends fail with 500 and code 1011.
func (s *Server) SetHealth(status gen.GatewayStatus) error {
	if !status.Valid() {
		return fmt.Errorf("fake: SetHealth: unknown gateway status %q", status)
	}
	s.mu.Lock()
	s.st.health = status
	s.resumeParkedLocked()
	s.mu.Unlock()
	return nil
}

// Advance moves the fake's clock forward (both clocks of this package support it) and runs
// whatever falls due: status webhooks, retries, token expiry, contact-check results.
func (s *Server) Advance(d time.Duration) (time.Time, error) {
	a, ok := s.clock.(Advancer)
	if !ok {
		return s.clock.Now(), errors.New("fake: Advance: the clock cannot be advanced")
	}
	if d < 0 {
		return s.clock.Now(), errors.New("fake: Advance: negative duration")
	}
	return a.Advance(d), nil
}

// SetRecipient makes messages to waID behave as b says.
func (s *Server) SetRecipient(waID string, b RecipientBehavior) error {
	if !digitsRE.MatchString(waID) {
		return fmt.Errorf("fake: SetRecipient: %q is not a wa_id (digits only)", waID)
	}
	s.mu.Lock()
	s.st.recipients[waID] = b
	s.mu.Unlock()
	return nil
}

// ClearRecipient restores the normal behaviour for waID.
func (s *Server) ClearRecipient(waID string) {
	s.mu.Lock()
	delete(s.st.recipients, waID)
	s.mu.Unlock()
}

// Recipients returns the special recipient behaviours.
func (s *Server) Recipients() map[string]RecipientBehavior {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]RecipientBehavior, len(s.st.recipients))
	for k, v := range s.st.recipients {
		out[k] = v
	}
	return out
}

// MarshalJSON renders Delay as a Go duration string ("1.5s").
func (f Fault) MarshalJSON() ([]byte, error) {
	type plain Fault
	return json.Marshal(struct {
		plain
		Delay string `json:"delay,omitempty"`
	}{plain(f), durationString(f.Delay)})
}

// UnmarshalJSON reads Delay as a Go duration string ("250ms") or a number of milliseconds.
func (f *Fault) UnmarshalJSON(b []byte) error {
	type plain Fault
	var v struct {
		plain
		Delay json.RawMessage `json:"delay,omitempty"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Fault(v.plain)
	d, err := parseDurationJSON(v.Delay)
	if err != nil {
		return fmt.Errorf("delay: %w", err)
	}
	f.Delay = d
	return nil
}

func durationString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// parseDurationJSON accepts "1m30s" or a number of milliseconds.
func parseDurationJSON(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return time.ParseDuration(s)
	}
	var ms float64
	if err := json.Unmarshal(raw, &ms); err != nil {
		return 0, errors.New("a duration is a string such as \"1.5s\" or a number of milliseconds")
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

// buildControl mounts the control API under /_fake/ (and the public CDN of profile photos and
// group icons, which stays even WithoutControlAPI).
func (s *Server) buildControl() {
	m := http.NewServeMux()
	m.HandleFunc("GET /_fake/cdn/{file}", s.ctlCDN)
	if s.cfg.controlAPI {
		m.HandleFunc("GET /_fake/{$}", s.ctlIndex)
		m.HandleFunc("POST /_fake/inbound", s.ctlInjectInbound)
		m.HandleFunc("GET /_fake/inbound", s.ctlInbound)
		m.HandleFunc("POST /_fake/notifications", s.ctlInjectNotification)
		m.HandleFunc("GET /_fake/messages", s.ctlMessages)
		m.HandleFunc("GET /_fake/messages/{id}", s.ctlMessage)
		m.HandleFunc("GET /_fake/webhooks", s.ctlWebhooks)
		m.HandleFunc("GET /_fake/webhooks/log", s.ctlDeliveryLog)
		m.HandleFunc("POST /_fake/webhooks/wait", s.ctlWaitWebhooks)
		m.HandleFunc("GET /_fake/health", s.ctlGetHealth)
		m.HandleFunc("PUT /_fake/health", s.ctlSetHealth)
		m.HandleFunc("GET /_fake/clock", s.ctlClock)
		m.HandleFunc("POST /_fake/clock/advance", s.ctlAdvance)
		m.HandleFunc("GET /_fake/faults", s.ctlFaults)
		m.HandleFunc("POST /_fake/faults", s.ctlInjectFault)
		m.HandleFunc("DELETE /_fake/faults", s.ctlClearFaults)
		m.HandleFunc("DELETE /_fake/faults/{id}", s.ctlRemoveFault)
		m.HandleFunc("GET /_fake/recipients", s.ctlRecipients)
		m.HandleFunc("PUT /_fake/recipients/{wa_id}", s.ctlSetRecipient)
		m.HandleFunc("DELETE /_fake/recipients/{wa_id}", s.ctlClearRecipient)
		m.HandleFunc("POST /_fake/contacts/{wa_id}/identity-change", s.ctlIdentityChange)
		m.HandleFunc("POST /_fake/groups/join", s.ctlJoinGroup)
		m.HandleFunc("POST /_fake/reset", s.ctlReset)
		s.cloud.registerControl(m) // /_fake/cloud/... (fake/cloud_control.go)
	}
	m.HandleFunc("/_fake/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, s.meta, errf(codeNotFound, "no control endpoint at %s %s", r.Method, r.URL.Path))
	})
	s.ctlMux = m
}

// controlEndpoints documents the control API (GET /_fake/).
var controlEndpoints = []string{
	"POST   /_fake/inbound                            inject an inbound message {message, profile_name, media}",
	"GET    /_fake/inbound                            inbound messages received",
	"POST   /_fake/notifications                      queue any WebhookNotification (errors-only callbacks...)",
	"GET    /_fake/messages?to=&type=&limit=           messages sent with POST /v1/messages and their statuses",
	"GET    /_fake/messages/{id}                      one sent message",
	"GET    /_fake/webhooks                           webhook queue statistics",
	"GET    /_fake/webhooks/log?since=&limit=          webhook delivery attempts",
	"POST   /_fake/webhooks/wait?timeout=5s           wait until no webhook is queued or in flight",
	"GET    /_fake/health                             gateway status",
	"PUT    /_fake/health                             set the gateway status {gateway_status}",
	"GET    /_fake/clock                              the fake's time",
	"POST   /_fake/clock/advance                      advance the clock {duration}",
	"GET    /_fake/faults                             injected faults",
	"POST   /_fake/faults                             inject a fault {operation_id, times, status, code, details, delay, retry_after}",
	"DELETE /_fake/faults                             remove every fault",
	"DELETE /_fake/faults/{id}                        remove one fault",
	"GET    /_fake/recipients                         special recipient behaviours",
	"PUT    /_fake/recipients/{wa_id}                 set a behaviour {fail_with, blocked, incapable, never_reads}",
	"DELETE /_fake/recipients/{wa_id}                 clear a behaviour",
	"POST   /_fake/contacts/{wa_id}/identity-change   change a customer's identity",
	"POST   /_fake/groups/join                        a customer joins through an invite link {link, wa_id}",
	"POST   /_fake/reset                              back to the initial state",
	"GET    /_fake/cloud                              the Cloud routes: prefix, phone number id, WABA id, subscriber",
	"GET    /_fake/cloud/deliveries                   Cloud webhook delivery attempts",
	"GET    /_fake/cdn/{sha256}.jpg                   public copy of the profile photo and group icons",
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// decodeControl reads a JSON control body into v.
func decodeControl(r *http.Request, v any) *apiError {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody))
	if err != nil {
		return errf(codeInvalidParameter, "the body could not be read: %v", err)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return errf(codeMissingParameter, "a JSON body is required")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errf(codeRequestNotValid, "the body is not valid JSON for this endpoint: %v", err)
	}
	return nil
}

func (s *Server) ctlError(w http.ResponseWriter, e *apiError) { writeAPIError(w, s.meta, e) }

func (s *Server) ctlIndex(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"endpoints": controlEndpoints, "meta": s.meta})
}

func (s *Server) ctlCDN(w http.ResponseWriter, r *http.Request) {
	sha := strings.TrimSuffix(r.PathValue("file"), ".jpg")
	s.mu.RLock()
	b := s.st.cdn[sha]
	s.mu.RUnlock()
	if b == nil {
		s.ctlError(w, errf(codeNotFound, "no image %s", sha))
		return
	}
	w.Header().Set("Content-Type", b.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b.data)))
	_, _ = w.Write(b.data)
}

func (s *Server) ctlInjectInbound(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody))
	if err != nil || len(strings.TrimSpace(string(body))) == 0 {
		s.ctlError(w, errf(codeMissingParameter, "a JSON body is required"))
		return
	}
	var in Inbound
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		s.ctlError(w, errf(codeRequestNotValid, "the body is not a JSON object: %v", err))
		return
	}
	if _, nested := probe["message"]; nested {
		err = json.Unmarshal(body, &in)
	} else {
		// Shorthand: the InboundMessage itself, plus optional profile_name and media.
		err = json.Unmarshal(body, &in.Message)
		if err == nil {
			err = json.Unmarshal(body, &struct {
				ProfileName *string        `json:"profile_name"`
				Media       **InboundMedia `json:"media"`
			}{&in.ProfileName, &in.Media})
		}
	}
	if err != nil {
		s.ctlError(w, errf(codeRequestNotValid, "the body is not a valid inbound message: %v", err))
		return
	}
	msg, err := s.InjectInbound(in)
	if err != nil {
		s.ctlError(w, errf(codeInvalidParameter, "%v", err))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"message": msg})
}

func (s *Server) ctlInjectNotification(w http.ResponseWriter, r *http.Request) {
	var n gen.WebhookNotification
	if e := decodeControl(r, &n); e != nil {
		s.ctlError(w, e)
		return
	}
	if err := s.InjectNotification(n); err != nil {
		s.ctlError(w, errf(codeInvalidParameter, "%v", err))
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"queued": true})
}

func (s *Server) ctlInbound(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"messages": s.InboundMessages()})
}

func (s *Server) ctlMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	msgs := s.SentMessages()
	out := msgs[:0]
	for _, m := range msgs {
		if (q.Get("to") == "" || m.To == q.Get("to")) && (q.Get("type") == "" || m.Type == q.Get("type")) {
			out = append(out, m)
		}
	}
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l >= 0 && l < len(out) {
		out = out[len(out)-l:]
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
}

func (s *Server) ctlMessage(w http.ResponseWriter, r *http.Request) {
	m, ok := s.SentMessage(r.PathValue("id"))
	if !ok {
		s.ctlError(w, errf(codeNotFound, "no sent message %s", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) ctlWebhooks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.WebhookStats())
}

func (s *Server) ctlDeliveryLog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	log := s.DeliveryLog()
	if since, err := strconv.ParseUint(q.Get("since"), 10, 64); err == nil {
		i := slices.IndexFunc(log, func(d Delivery) bool { return d.Seq > since })
		if i < 0 {
			log = nil
		} else {
			log = log[i:]
		}
	}
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l >= 0 && l < len(log) {
		log = log[len(log)-l:]
	}
	if log == nil {
		log = []Delivery{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": log})
}

func (s *Server) ctlWaitWebhooks(w http.ResponseWriter, r *http.Request) {
	timeout := 5 * time.Second
	if t := r.URL.Query().Get("timeout"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d < 0 {
			s.ctlError(w, errf(codeInvalidParameter, "timeout must be a duration such as 5s"))
			return
		}
		timeout = d
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	err := s.WaitWebhooksIdle(ctx)
	writeJSON(w, http.StatusOK, map[string]any{"idle": err == nil, "webhooks": s.WebhookStats()})
}

func (s *Server) ctlGetHealth(w http.ResponseWriter, _ *http.Request) {
	s.mu.RLock()
	status := s.st.health
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{"gateway_status": status})
}

func (s *Server) ctlSetHealth(w http.ResponseWriter, r *http.Request) {
	var v struct {
		GatewayStatus gen.GatewayStatus `json:"gateway_status"`
	}
	if e := decodeControl(r, &v); e != nil {
		s.ctlError(w, e)
		return
	}
	if err := s.SetHealth(v.GatewayStatus); err != nil {
		s.ctlError(w, errf(codeInvalidParameter, "%v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"gateway_status": v.GatewayStatus})
}

func (s *Server) ctlClock(w http.ResponseWriter, _ *http.Request) {
	_, manual := s.clock.(*ManualClock)
	writeJSON(w, http.StatusOK, map[string]any{"now": s.clock.Now(), "manual": manual})
}

func (s *Server) ctlAdvance(w http.ResponseWriter, r *http.Request) {
	var v struct {
		Duration json.RawMessage `json:"duration"`
	}
	if e := decodeControl(r, &v); e != nil {
		s.ctlError(w, e)
		return
	}
	d, err := parseDurationJSON(v.Duration)
	if err != nil || d <= 0 {
		s.ctlError(w, errf(codeInvalidParameter, "duration must be positive, such as \"90s\" or 90000"))
		return
	}
	now, err := s.Advance(d)
	if err != nil {
		s.ctlError(w, errf(codeInvalidParameter, "%v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": now})
}

func (s *Server) ctlFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()})
}

func (s *Server) ctlInjectFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if e := decodeControl(r, &f); e != nil {
		s.ctlError(w, e)
		return
	}
	got, err := s.InjectFault(f)
	if err != nil {
		s.ctlError(w, errf(codeInvalidParameter, "%v", err))
		return
	}
	writeJSON(w, http.StatusCreated, got)
}

func (s *Server) ctlClearFaults(w http.ResponseWriter, _ *http.Request) {
	s.ClearFaults()
	writeJSON(w, http.StatusOK, map[string]any{"faults": []Fault{}})
}

func (s *Server) ctlRemoveFault(w http.ResponseWriter, r *http.Request) {
	if !s.RemoveFault(r.PathValue("id")) {
		s.ctlError(w, errf(codeNotFound, "no fault %s", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()})
}

func (s *Server) ctlRecipients(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"recipients": s.Recipients()})
}

func (s *Server) ctlSetRecipient(w http.ResponseWriter, r *http.Request) {
	var b RecipientBehavior
	if e := decodeControl(r, &b); e != nil {
		s.ctlError(w, e)
		return
	}
	if err := s.SetRecipient(r.PathValue("wa_id"), b); err != nil {
		s.ctlError(w, errf(codeInvalidParameter, "%v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"wa_id": r.PathValue("wa_id"), "behavior": b})
}

func (s *Server) ctlClearRecipient(w http.ResponseWriter, r *http.Request) {
	s.ClearRecipient(r.PathValue("wa_id"))
	writeJSON(w, http.StatusOK, map[string]any{"recipients": s.Recipients()})
}

func (s *Server) ctlIdentityChange(w http.ResponseWriter, r *http.Request) {
	hash, err := s.ChangeIdentity(r.PathValue("wa_id"))
	if err != nil {
		s.ctlError(w, errf(codeInvalidParameter, "%v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"wa_id": r.PathValue("wa_id"), "hash": hash})
}

func (s *Server) ctlJoinGroup(w http.ResponseWriter, r *http.Request) {
	var v struct {
		Link string `json:"link"`
		WaID string `json:"wa_id"`
	}
	if e := decodeControl(r, &v); e != nil {
		s.ctlError(w, e)
		return
	}
	id, err := s.JoinGroup(v.Link, v.WaID)
	if err != nil {
		s.ctlError(w, errf(codeInvalidParameter, "%v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"group_id": id, "wa_id": v.WaID})
}

func (s *Server) ctlReset(w http.ResponseWriter, _ *http.Request) {
	if err := s.Reset(); err != nil {
		s.ctlError(w, errf(codeInternal, "%v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"reset": true})
}
