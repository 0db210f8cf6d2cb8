package relay

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/webhook"
)

// Kinds of Callback.
const (
	KindMessage = "message"
	KindStatus  = "status"
	KindErrors  = "errors"
)

// Reasons of Drop: why an item of a Cloud webhook has no On-Premises callback.
const (
	// DropField: a change whose field is not "messages" (template status, account and
	// quality updates, group updates, calls, ...). The On-Premises API has no callback for
	// any of them: its webhooks carry only messages, statuses, errors and services.
	DropField = "field"
	// DropUndecodable: an item that is not valid in its array (not an object, a member of
	// the wrong type). Nothing of it can be typed; the rest of the body is forwarded.
	DropUndecodable = "undecodable"
	// DropUnknownKey: an unknown key of the envelope or of a change value.
	DropUnknownKey = "unknown_key"
	// DropStatusOff: a sent, delivered, read or played status switched off in the settings
	// (webhooks.message.*), as the Webapp would not have sent it.
	DropStatusOff = "status_off"
	// DropOrphanContact: a contacts entry that is the sender of no message (Cloud sends
	// contacts only with messages; the On-Premises contacts-check results have no Cloud
	// counterpart).
	DropOrphanContact = "orphan_contact"
)

// Callback is one flat On-Premises webhook callback made from a Cloud webhook.
type Callback struct {
	// Kind is KindMessage, KindStatus or KindErrors.
	Kind string
	// Payload is the callback body, valid against the On-Premises WebhookNotification.
	Payload []byte
	// DedupeKey identifies the item across Meta's redeliveries (see the package doc).
	DedupeKey string
}

// Drop is an item of a Cloud webhook that Convert made no callback for.
type Drop struct {
	// Reason is one of the Drop constants.
	Reason string
	// Key is the change field (DropField), the array or key of the item, or the status
	// value (DropStatusOff).
	Key string
	// Err is the decoding error of a DropUndecodable item.
	Err error
}

// Conversion is what Convert makes of one Cloud webhook: the callbacks to forward, in the
// order of the items, and the items that have no On-Premises form.
type Conversion struct {
	Callbacks []Callback
	Dropped   []Drop
}

// Convert turns a decoded Cloud webhook (webhook.DecodeCloud) into flat On-Premises
// callbacks, applying the status toggles of s:
//
//   - each inbound message becomes {"contacts":[sender],"messages":[message]}, the
//     Webapp's shape (system messages have no sender entry, as in both APIs);
//   - each status becomes {"statuses":[status]}, with conversation and pricing as the
//     On-Premises API has them (pricing.type and biz_opaque_callback_data have no place)
//     and errors in the On-Premises shape;
//   - the value-level errors of one change become {"errors":[...]};
//   - user_changed_number becomes the On-Premises customer_changed_number (customer: the old
//     number, wa_id: the new one);
//   - messages of a type the On-Premises API does not know become type unknown with the
//     error 501, as the Webapp reported them; reactions, request_welcome and flow replies
//     keep their Cloud blocks (see the package doc);
//   - everything else is a Drop with its reason.
//
// A sender known only by its business-scoped user id (no phone number) gets the user id as
// from and wa_id, the only id the integration can reply to.
func Convert(n *webhook.Notification, s Settings) Conversion {
	c := converter{n: n, s: s, used: make([]bool, len(n.Contacts))}
	if raw := n.Raw(); len(raw) > 0 {
		sum := sha256.Sum256(raw)
		c.bodyKey = hex.EncodeToString(sum[:16])
	}
	for i := range n.Messages {
		c.message(&n.Messages[i], i)
	}
	for i := range n.Statuses {
		c.status(&n.Statuses[i], i)
	}
	c.errorNotices()
	for i := range n.Unknown {
		c.unknown(&n.Unknown[i])
	}
	for i := range n.Contacts {
		if !c.used[i] {
			c.drop(DropOrphanContact, "contacts", nil)
		}
	}
	return c.out
}

type converter struct {
	n       *webhook.Notification
	s       Settings
	used    []bool // n.Contacts that are the sender of a forwarded message
	bodyKey string // hash of the body, for the keys of items without an id
	out     Conversion
}

func (c *converter) drop(reason, key string, err error) {
	c.out.Dropped = append(c.out.Dropped, Drop{Reason: reason, Key: key, Err: err})
}

func (c *converter) emit(kind, key string, payload any) {
	body, err := json.Marshal(payload)
	if err != nil {
		// The payloads are built from decoded values only; marshalling cannot fail.
		c.drop(DropUndecodable, kind, fmt.Errorf("relay: encoding the %s callback: %w", kind, err))
		return
	}
	c.out.Callbacks = append(c.out.Callbacks, Callback{Kind: kind, Payload: body, DedupeKey: key})
}

// positionKey keys an item without an id by the body and its position: Meta redelivers
// the same bytes, and two webhooks with the same bytes cannot be told apart anyway.
func (c *converter) positionKey(kind string, src *webhook.CloudSource, index int) string {
	if c.bodyKey == "" {
		return ""
	}
	k := "relay\x00" + kind + "\x00" + c.bodyKey
	if src != nil {
		k += "\x00" + strconv.Itoa(src.Entry) + "\x00" + strconv.Itoa(src.Change)
	}
	return k + "\x00" + strconv.Itoa(index)
}

// The wire forms of the callbacks. Blocks the Cloud API adds to known message types are
// declared beside the generated On-Premises type; encoding/json prefers the outer field of
// the same name.
type (
	onPremCallback struct {
		Contacts []gen.WebhookContact `json:"contacts,omitempty"`
		Messages []onPremMessage      `json:"messages,omitempty"`
		Statuses []gen.MessageStatus  `json:"statuses,omitempty"`
		Errors   []gen.ErrorDetail    `json:"errors,omitempty"`
	}
	onPremMessage struct {
		gen.InboundMessage
		Interactive *onPremInteractive     `json:"interactive,omitempty"`
		Reaction    *webhook.CloudReaction `json:"reaction,omitempty"`
	}
	onPremInteractive struct {
		gen.InboundInteractive
		NfmReply *webhook.CloudFlowReply `json:"nfm_reply,omitempty"`
	}
)

func (c *converter) message(m *webhook.Message, index int) {
	om := onPremMessage{InboundMessage: m.InboundMessage}
	om.Interactive = nil
	if m.InboundMessage.Interactive != nil {
		om.Interactive = &onPremInteractive{InboundInteractive: *m.InboundMessage.Interactive}
	}
	om.InboundMessage.Interactive = nil
	if m.Cloud != nil {
		if m.Cloud.Reaction != nil {
			om.Reaction = m.Cloud.Reaction
		}
		if m.Cloud.FlowReply != nil && om.Interactive != nil {
			om.Interactive.NfmReply = m.Cloud.FlowReply
		}
	}
	if om.From == "" {
		om.From = m.SenderID()
	}
	if om.Type == webhook.MessageTypeUnknown {
		om.Errors = unsupportedErrors(om.Errors, m.Cloud)
	}
	cb := onPremCallback{Messages: []onPremMessage{om}}
	if m.Sender != nil {
		cb.Contacts = []gen.WebhookContact{c.sender(m.Sender)}
	}
	c.emit(KindMessage, c.messageKey(m.ID, m.Cloud, index), cb)
}

// messageKey keys a message by its id, or by its position among the typed messages.
func (c *converter) messageKey(id string, cm *webhook.CloudMessage, index int) string {
	if id != "" {
		return "relay\x00message\x00" + id
	}
	var src *webhook.CloudSource
	if cm != nil {
		src = &cm.Source
	}
	return c.positionKey(KindMessage, src, index)
}

// sender returns the On-Premises form of a sender entry and marks it used.
func (c *converter) sender(s *webhook.Contact) gen.WebhookContact {
	for i := range c.n.Contacts {
		if &c.n.Contacts[i] == s {
			c.used[i] = true
		}
	}
	wc := s.WebhookContact
	if (wc.WaID == nil || *wc.WaID == "") && s.Cloud != nil && s.Cloud.UserID != "" {
		id := s.Cloud.UserID
		wc.WaID = &id
	}
	return wc
}

// The error of an inbound message the API cannot show, as the Webapp reports it.
const (
	codeUnsupported        = 501
	titleUnsupported       = "Unsupported message type"
	cloudCodeUnsupportedV2 = 131051
)

// unsupportedErrors returns the errors of a message of type unknown in the On-Premises
// form: the Cloud code 131051 ("Message type unknown") is the Webapp's 501, and a message
// without errors gets one.
func unsupportedErrors(errs *[]gen.ErrorDetail, cm *webhook.CloudMessage) *[]gen.ErrorDetail {
	var out []gen.ErrorDetail
	if errs != nil {
		out = append(out, *errs...)
	}
	for i := range out {
		if out[i].Code == cloudCodeUnsupportedV2 {
			out[i].Code, out[i].Title = codeUnsupported, titleUnsupported
		}
	}
	if len(out) == 0 {
		details := "Message type is not currently supported"
		if cm != nil && cm.UnsupportedType != "" {
			details = "Message type " + strconv.Quote(cm.UnsupportedType) + " is not currently supported"
		}
		out = append(out, gen.ErrorDetail{Code: codeUnsupported, Title: titleUnsupported, Details: &details})
	}
	return &out
}

// statusOn reports whether the settings forward statuses of value v. Only the three
// toggled values are filtered; played, the Cloud receipt of a voice message, counts as
// read.
func (s Settings) statusOn(v string) (on, toggled bool) {
	switch v {
	case webhook.StatusSent:
		return s.Sent, true
	case webhook.StatusDelivered:
		return s.Delivered, true
	case webhook.StatusRead, webhook.CloudStatusPlayed:
		return s.Read, true
	}
	return true, false
}

func (c *converter) status(st *webhook.Status, index int) {
	if on, _ := c.s.statusOn(st.Status); !on {
		c.drop(DropStatusOff, st.Status, nil)
		return
	}
	ms := st.MessageStatus
	if (ms.RecipientID == nil || *ms.RecipientID == "") && st.Cloud != nil && st.Cloud.RecipientUserID != "" {
		id := st.Cloud.RecipientUserID
		ms.RecipientID = &id
	}
	key := ""
	if k := st.DedupeKey(); k != "" {
		key = "relay\x00" + k
	} else {
		var src *webhook.CloudSource
		if st.Cloud != nil {
			src = &st.Cloud.Source
		}
		key = c.positionKey(KindStatus, src, index)
	}
	c.emit(KindStatus, key, onPremCallback{Statuses: []gen.MessageStatus{ms}})
}

// errorNotices emits one errors callback per change, in the order of the changes.
func (c *converter) errorNotices() {
	errs := c.n.Errors
	for i := 0; i < len(errs); {
		j := i + 1
		for j < len(errs) && sameChange(errs[i].Cloud, errs[j].Cloud) {
			j++
		}
		list := make([]gen.ErrorDetail, 0, j-i)
		for k := i; k < j; k++ {
			list = append(list, errs[k].ErrorDetail)
		}
		var src *webhook.CloudSource
		if errs[i].Cloud != nil {
			src = &errs[i].Cloud.Source
		}
		c.emit(KindErrors, c.positionKey(KindErrors, src, i), onPremCallback{Errors: list})
		i = j
	}
}

func sameChange(a, b *webhook.CloudErrorNotice) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Source.Entry == b.Source.Entry && a.Source.Change == b.Source.Change
}

// unknown converts or drops an item the decoder could not type.
func (c *converter) unknown(u *webhook.Unknown) {
	switch {
	case u.Err != nil:
		c.drop(DropUndecodable, u.Key, u.Err)
	case u.Cloud != nil && u.Index < 0 && u.Key == u.Cloud.Field && u.Key != "messages":
		c.drop(DropField, u.Key, nil)
	case u.Key == "messages" && u.Index >= 0:
		c.unknownMessage(u)
	case u.Key == "statuses" && u.Index >= 0:
		c.unknownStatus(u)
	default:
		c.drop(DropUnknownKey, u.Key, nil)
	}
}

// unknownMessage forwards a message of a type the On-Premises API does not know as the
// Webapp did: type unknown, no content block, error 501.
func (c *converter) unknownMessage(u *webhook.Unknown) {
	var w struct {
		From       string              `json:"from"`
		FromUserID string              `json:"from_user_id"`
		ID         string              `json:"id"`
		Timestamp  json.Number         `json:"timestamp"`
		Type       string              `json:"type"`
		GroupID    *string             `json:"group_id"`
		Context    *gen.InboundContext `json:"context"`
	}
	if err := json.Unmarshal(u.Raw, &w); err != nil {
		c.drop(DropUndecodable, u.Key, err)
		return
	}
	details := "Message type " + strconv.Quote(w.Type) + " is not currently supported"
	om := onPremMessage{InboundMessage: gen.InboundMessage{
		From: w.From, ID: w.ID, Timestamp: w.Timestamp.String(), Type: webhook.MessageTypeUnknown,
		GroupID: w.GroupID, Context: w.Context,
		Errors: &[]gen.ErrorDetail{{Code: codeUnsupported, Title: titleUnsupported, Details: &details}},
	}}
	if om.From == "" {
		om.From = w.FromUserID
	}
	cb := onPremCallback{Messages: []onPremMessage{om}}
	for i := range c.n.Contacts {
		ct := &c.n.Contacts[i]
		if ct.IsCheckResult() {
			continue
		}
		if (ct.WaID != nil && *ct.WaID == w.From && w.From != "") ||
			(w.From == "" && ct.Cloud != nil && ct.Cloud.UserID != "" && ct.Cloud.UserID == w.FromUserID) {
			cb.Contacts = []gen.WebhookContact{c.sender(ct)}
			break
		}
	}
	key := ""
	if w.ID != "" {
		key = "relay\x00message\x00" + w.ID
	} else {
		key = c.positionKey("unknown_message", u.Cloud, u.Index)
	}
	c.emit(KindMessage, key, cb)
}

// unknownStatus forwards a status of a value the decoder does not know (the On-Premises
// status values are open: receivers must accept others), with its errors normalised.
func (c *converter) unknownStatus(u *webhook.Unknown) {
	var w struct {
		gen.MessageStatus
		RecipientUserID string              `json:"recipient_user_id"`
		Errors          []cloudErrorWire    `json:"errors"`
		Pricing         *gen.WebhookPricing `json:"pricing"`
	}
	if err := json.Unmarshal(u.Raw, &w); err != nil {
		c.drop(DropUndecodable, u.Key, err)
		return
	}
	ms := w.MessageStatus
	ms.Pricing = w.Pricing
	if (ms.RecipientID == nil || *ms.RecipientID == "") && w.RecipientUserID != "" {
		ms.RecipientID = &w.RecipientUserID
	}
	if w.Errors != nil {
		list := make([]gen.ErrorDetail, len(w.Errors))
		for i, e := range w.Errors {
			list[i] = e.onPrem()
		}
		ms.Errors = &list
	}
	key := ""
	if ms.ID != "" {
		key = "relay\x00status\x00" + ms.ID + "\x00" + ms.Status + "\x00" + deref(ms.RecipientID)
	} else {
		key = c.positionKey("unknown_status", u.Cloud, u.Index)
	}
	c.emit(KindStatus, key, onPremCallback{Statuses: []gen.MessageStatus{ms}})
}

// cloudErrorWire is a Cloud webhook error object (Graph v16+).
type cloudErrorWire struct {
	Code      int     `json:"code"`
	Title     string  `json:"title"`
	Message   string  `json:"message"`
	Details   *string `json:"details"`
	Href      *string `json:"href"`
	ErrorData *struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

// onPrem returns the error in the On-Premises shape, as webhook.DecodeCloud normalises the
// errors of known statuses.
func (e cloudErrorWire) onPrem() gen.ErrorDetail {
	d := gen.ErrorDetail{Code: e.Code, Title: e.Title, Href: e.Href, Details: e.Details}
	if d.Title == "" {
		d.Title = e.Message
	}
	if d.Details == nil {
		switch {
		case e.ErrorData != nil && e.ErrorData.Details != "":
			d.Details = &e.ErrorData.Details
		case e.Message != "":
			d.Details = &e.Message
		}
	}
	return d
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
