package fake

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/wabiz/wabiz/gen"
	cloudgen "github.com/wabiz/wabiz/gen/cloud"
)

// CloudDelivery is one attempt to deliver a Cloud webhook to the subscriber set with
// webhook_configuration (POST /{phone_number_id}).
type CloudDelivery struct {
	URL string `json:"url"`
	// Kind is `messages` (inbound) or `statuses`.
	Kind    string `json:"kind"`
	Attempt int    `json:"attempt"`
	// Status is the subscriber's HTTP status, 0 when the request failed (Error says why).
	Status    int             `json:"status"`
	Error     string          `json:"error,omitempty"`
	Signature string          `json:"signature"`
	Body      json.RawMessage `json:"body"`
	Time      time.Time       `json:"time"`
}

// cloudMaxAttempts bounds redeliveries of one Cloud webhook (Meta retries for up to 7 days;
// the fake gives up sooner), spaced by cloudRetryDelay times the attempt number.
const (
	cloudMaxAttempts = 5
	cloudRetryDelay  = time.Second
)

// CloudDeliveries returns the attempts to deliver Cloud webhooks, oldest first.
func (s *Server) CloudDeliveries() []CloudDelivery {
	c := s.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]CloudDelivery(nil), c.deliveries...)
}

// CloudSubscriber returns the callback URL set with webhook_configuration, empty when none.
func (s *Server) CloudSubscriber() string {
	c := s.cloud
	gen0 := c.stateGeneration()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.syncLocked(gen0)
	return c.hook.url
}

// post sends one `messages` change to the subscriber, signed with the app secret. Without a
// subscriber nothing is sent.
func (c *cloudServer) post(kind string, value cloudgen.WebhookValue) {
	gen0 := c.stateGeneration()
	c.mu.Lock()
	c.syncLocked(gen0)
	url := c.hook.url
	c.mu.Unlock()
	if url == "" || c.s.closed.Load() {
		return
	}
	payload := cloudgen.WebhookPayload{Object: "whatsapp_business_account", Entry: []cloudgen.WebhookEntry{{
		ID: c.cfg.wabaID, Changes: []cloudgen.WebhookChange{{Field: "messages", Value: value}},
	}}}
	body, err := json.Marshal(payload)
	if err != nil {
		c.s.log.Error("fake: Cloud webhook not encodable", "error", err)
		return
	}
	go c.attempt(url, kind, body, 1)
}

// attempt makes one delivery and schedules the next on failure.
func (c *cloudServer) attempt(url, kind string, body []byte, n int) {
	sig := c.signBody(body)
	d := CloudDelivery{URL: url, Kind: kind, Attempt: n, Signature: sig, Body: body, Time: c.s.clock.Now()}
	ctx, cancel := context.WithTimeout(context.Background(), c.s.cfg.webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Hub-Signature-256", sig)
		client := c.s.cfg.webhookClient
		if client == nil {
			client = &http.Client{}
		}
		var resp *http.Response
		if resp, err = client.Do(req); err == nil {
			d.Status = resp.StatusCode
			_ = resp.Body.Close()
		}
	}
	if err != nil {
		d.Error = err.Error()
	}
	c.mu.Lock()
	c.deliveries = append(c.deliveries, d)
	if over := len(c.deliveries) - c.s.cfg.deliveryLogSize; over > 0 && c.s.cfg.deliveryLogSize > 0 {
		c.deliveries = append([]CloudDelivery(nil), c.deliveries[over:]...)
	}
	c.mu.Unlock()
	if d.Status != http.StatusOK && n < cloudMaxAttempts && !c.s.closed.Load() {
		c.s.clock.AfterFunc(time.Duration(n)*cloudRetryDelay, func() { go c.attempt(url, kind, body, n+1) })
	}
}

// deliverInbound sends an inbound message injected through the control API to the Cloud
// subscriber, converted to the Cloud shape (On-Premises `voice` becomes audio with voice:
// true, errors get error_data.details).
func (c *cloudServer) deliverInbound(m gen.InboundMessage, profileName string) {
	raw, err := json.Marshal(m)
	if err != nil {
		return
	}
	var cm cloudgen.InboundMessage
	if err := json.Unmarshal(raw, &cm); err != nil {
		return
	}
	if m.Type == "voice" && m.Voice != nil {
		var md cloudgen.InboundMedia
		b, _ := json.Marshal(m.Voice)
		_ = json.Unmarshal(b, &md)
		md.Voice = ptr(true)
		cm.Type, cm.Audio = "audio", &md
	}
	if m.Errors != nil {
		var errs []cloudgen.WebhookError
		for _, e := range *m.Errors {
			code := e.Code
			if code == 501 {
				code = 131051
			}
			we := cloudgen.WebhookError{Code: code, Title: ptr(e.Title), Message: ptr(e.Title)}
			if e.Details != nil {
				we.ErrorData = &cloudgen.WebhookErrorData{Details: e.Details}
			}
			errs = append(errs, we)
		}
		cm.Errors = &errs
		if cm.Type == "unknown" {
			cm.Type = "unsupported"
		}
	}
	value := c.value()
	value.Messages = &[]cloudgen.InboundMessage{cm}
	if m.Type != "system" {
		value.Contacts = &[]cloudgen.WebhookContact{{WaID: ptr(m.From), Profile: &cloudgen.WebhookProfile{Name: ptr(profileName)}}}
	}
	c.post("messages", value)
}

// value is the start of every webhook value: the product and the number's metadata.
func (c *cloudServer) value() cloudgen.WebhookValue {
	c.s.mu.RLock()
	display := c.s.st.waID
	c.s.mu.RUnlock()
	return cloudgen.WebhookValue{MessagingProduct: cloudgen.MessagingProductWhatsapp,
		Metadata: cloudgen.WebhookMetadata{DisplayPhoneNumber: display, PhoneNumberID: c.cfg.phoneNumberID}}
}

// scheduleStatusLocked schedules the next status of a Cloud-sent message; the caller holds
// s.mu.
func (c *cloudServer) scheduleStatusLocked(id string, step int) {
	delays := []time.Duration{c.s.cfg.statusDelays.Sent, c.s.cfg.statusDelays.Delivered, c.s.cfg.statusDelays.Read}
	if step >= len(delays) {
		return
	}
	gen0 := c.s.st.generation
	c.s.clock.AfterFunc(delays[step], func() { c.advanceStatus(id, gen0, step) })
}

// advanceStatus records the status of step (sent, delivered, read; or failed for a recipient
// configured to fail) in the shared state and delivers it to the Cloud subscriber.
func (c *cloudServer) advanceStatus(id string, gen0 uint64, step int) {
	now := c.s.clock.Now()
	c.s.mu.Lock()
	st := c.s.st
	rec := st.sent[id]
	if st.generation != gen0 || rec == nil || c.s.closed.Load() {
		c.s.mu.Unlock()
		return
	}
	status := []string{"sent", "delivered", "read"}[step]
	code := 0
	if rec.failCode != 0 {
		status, code = "failed", cloudFailCode(rec.failCode)
	}
	rec.Statuses = append(rec.Statuses, StatusEvent{Status: status, Time: now, ErrorCode: code, Notified: c.hookSet()})
	var m cloudgen.Message
	_ = json.Unmarshal(rec.raw, &m)
	ws := cloudgen.WebhookStatus{ID: id, Status: status, Timestamp: unixString(now)}
	if m.Recipient != nil {
		ws.RecipientUserID = m.Recipient
	}
	if digitsRE.MatchString(rec.To) {
		ws.RecipientID = ptr(rec.To)
	}
	ws.BizOpaqueCallbackData = m.BizOpaqueCallbackData
	if status == "failed" {
		details := "The fake was configured to fail messages to this recipient (SetRecipient fail_with)."
		if st.recipients[rec.To].FailWith == 0 && code == 131026 {
			details = "Message Undeliverable: " + rec.To + " is not a WhatsApp user."
		}
		ws.Errors = &[]cloudgen.WebhookError{{Code: code, Title: ptr(cloudFailTitle(code)), Message: ptr(cloudFailTitle(code)),
			ErrorData: &cloudgen.WebhookErrorData{Details: ptr(details)}}}
		rec.final = true
	} else {
		category, typ := "service", "free_customer_service"
		if rec.Type == "template" {
			category, typ = "utility", "regular"
		}
		ws.Pricing = &cloudgen.StatusPricing{Billable: ptr(typ == "regular"), PricingModel: ptr("PMP"), Category: ptr(category), Type: ptr(typ)}
		if step == 2 || (step == 1 && rec.neverReads) {
			rec.final = true
		} else {
			c.scheduleStatusLocked(id, step+1)
		}
	}
	c.s.mu.Unlock()
	value := c.value()
	value.Statuses = &[]cloudgen.WebhookStatus{ws}
	if status != "failed" && ws.RecipientID != nil {
		value.Contacts = &[]cloudgen.WebhookContact{{WaID: ws.RecipientID, UserID: ws.RecipientUserID}}
	}
	c.post("statuses", value)
}

// hookSet reports whether a Cloud subscriber is set.
func (c *cloudServer) hookSet() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hook.url != "" && c.generation == c.s.st.generation
}

// cloudFailCode maps a configured delivery failure (On-Premises or Cloud code) to Cloud.
func cloudFailCode(code int) int {
	switch {
	case code >= 100000:
		return code
	case code == 470:
		return 131047
	case code == 471:
		return 131048
	default:
		return 131026
	}
}

func cloudFailTitle(code int) string {
	switch code {
	case 131047:
		return "Re-engagement message"
	case 131048:
		return "Spam rate limit hit"
	case 131026:
		return "Message undeliverable"
	}
	return strings.TrimSpace("Message failed to send")
}
