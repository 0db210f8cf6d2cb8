package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// Notification is one decoded webhook callback. A callback may carry several arrays at once
// (for example a sender in Contacts, two Messages and a Status); every item of every array
// ends up in exactly one of the slices below, in the order it arrived, so none is lost.
//
// Items whose kind the package knows are typed (Contacts, Messages, Statuses, Errors,
// Services). Everything else goes to Unknown with its raw JSON: messages of a type not listed
// in the MessageType constants, statuses with a value not listed in the Status constants,
// service notices of an unknown job, top-level keys other than the five the spec defines,
// and items that could not be decoded (Unknown.Err is set for those, and Err reports them).
type Notification struct {
	// Contacts are the "contacts" entries: the senders of Messages (wa_id and profile) or,
	// in a callback of their own, the results of a non-blocking contacts check.
	Contacts []Contact
	// Messages are the inbound messages of a known type, system notifications included.
	Messages []Message
	// Statuses are the status changes of outbound messages with a known status value.
	Statuses []Status
	// Errors are the out-of-band errors of an errors-only callback (media download
	// failures, certificate problems, ...).
	Errors []ErrorNotice
	// Services are the completion notices of garbage-collection jobs.
	Services []ServiceNotice
	// Unknown holds what the package cannot type, each with its raw JSON.
	Unknown []Unknown

	raw json.RawMessage
}

// Raw returns the callback body as received. It is nil for a Notification built in code, and
// for the copy the Handler passes to callbacks after dropping duplicates.
func (n *Notification) Raw() json.RawMessage { return n.raw }

// MarshalJSON returns the body as received when there is one, so that re-encoding a decoded
// notification loses nothing: not the fields the generated types do not model, not the form
// of numbers sent as strings. Otherwise it encodes the items (each by its own MarshalJSON)
// under their keys; Unknown items of the known arrays are appended to their array, and
// Unknown top-level values are written under their key.
//
// Because a decoded notification encodes as its raw body, changing its typed fields does not
// change its encoding; build a new Notification (without raw) to encode changes.
func (n Notification) MarshalJSON() ([]byte, error) {
	if len(n.raw) > 0 {
		return n.raw, nil
	}
	obj := map[string]any{}
	add := func(key string, item any) {
		list, _ := obj[key].([]any)
		obj[key] = append(list, item)
	}
	for i := range n.Contacts {
		add(keyContacts, n.Contacts[i])
	}
	for i := range n.Messages {
		add(keyMessages, n.Messages[i])
	}
	for i := range n.Statuses {
		add(keyStatuses, n.Statuses[i])
	}
	for i := range n.Errors {
		add(keyErrors, n.Errors[i])
	}
	for i := range n.Services {
		add(keyServices, n.Services[i])
	}
	for _, u := range n.Unknown {
		switch {
		case len(u.Raw) == 0:
		case u.Index < 0:
			obj[u.Key] = u.Raw
		default:
			add(u.Key, u.Raw)
		}
	}
	return json.Marshal(obj)
}

// UnmarshalJSON decodes a callback body tolerantly, like Decode: it fails only when data is
// not a JSON object; problems with single items are reported by Err.
func (n *Notification) UnmarshalJSON(data []byte) error {
	return n.decode(clone(data), 0)
}

// Err reports the items that could not be decoded, joined (each an *ItemError), or nil.
// Those items are also in Unknown, with their raw JSON.
func (n *Notification) Err() error {
	var errs []error
	for _, u := range n.Unknown {
		if u.Err != nil {
			errs = append(errs, u.Err)
		}
	}
	return errors.Join(errs...)
}

// Len returns the number of items in the notification, Unknown included.
func (n *Notification) Len() int {
	return len(n.Contacts) + len(n.Messages) + len(n.Statuses) + len(n.Errors) +
		len(n.Services) + len(n.Unknown)
}

// SystemMessages returns the messages of type system (number changes, identity changes,
// group events), pointing into n.Messages.
func (n *Notification) SystemMessages() []*Message {
	var out []*Message
	for i := range n.Messages {
		if n.Messages[i].Type == MessageTypeSystem {
			out = append(out, &n.Messages[i])
		}
	}
	return out
}

// IdentityChanges returns every sign in the notification that a customer's identity changed;
// see Message.IdentityChange.
func (n *Notification) IdentityChanges() []IdentityChange {
	var out []IdentityChange
	for i := range n.Messages {
		if ic, ok := n.Messages[i].IdentityChange(); ok {
			out = append(out, ic)
		}
	}
	return out
}

// Contact is one "contacts" entry: the sender of inbound messages (WaID and Profile) or the
// result of a non-blocking contacts check (Input, Status and, for valid numbers, WaID).
type Contact struct {
	gen.WebhookContact

	// Cloud is set for entries received through the Cloud API (DecodeCloud): the source and
	// the business-scoped user id. It is not part of the entry's JSON.
	Cloud *CloudContact `json:"-"`

	raw json.RawMessage
}

// Raw returns the entry's JSON as received, or nil for a value built in code.
func (c *Contact) Raw() json.RawMessage { return c.raw }

// IsCheckResult reports whether the entry is a contacts-check result rather than a sender.
func (c *Contact) IsCheckResult() bool { return c.Input != nil || c.Status != nil }

// MarshalJSON returns the raw JSON when there is one, else the typed fields.
func (c Contact) MarshalJSON() ([]byte, error) { return marshalItem(c.raw, c.WebhookContact) }

// UnmarshalJSON decodes one entry and keeps its raw JSON.
func (c *Contact) UnmarshalJSON(data []byte) error {
	return unmarshalItem(data, &c.raw, &c.WebhookContact)
}

// Message is an inbound message of a known type (see the MessageType constants), including
// system notifications and the client's own "unknown" type.
type Message struct {
	gen.InboundMessage

	// Sender is the entry of the same notification's Contacts whose wa_id is From, or nil.
	// It is not part of the message's JSON.
	Sender *Contact `json:"-"`
	// Cloud is set for messages received through the Cloud API (DecodeCloud): the source and
	// the Cloud-only fields. It is not part of the message's JSON.
	Cloud *CloudMessage `json:"-"`

	raw json.RawMessage
}

// Raw returns the message's JSON as received, or nil for a value built in code.
func (m *Message) Raw() json.RawMessage { return m.raw }

// MarshalJSON returns the raw JSON when there is one, else the typed fields.
func (m Message) MarshalJSON() ([]byte, error) { return marshalItem(m.raw, m.InboundMessage) }

// UnmarshalJSON decodes one message and keeps its raw JSON. The type is not checked.
func (m *Message) UnmarshalJSON(data []byte) error {
	return unmarshalItem(data, &m.raw, &m.InboundMessage)
}

// Time returns Timestamp (Unix seconds sent as a string) as a time.Time.
func (m *Message) Time() (time.Time, error) { return parseUnix(m.Timestamp) }

// DedupeKey returns the key under which a Dedupe remembers the message: its id. It is empty
// when the message has no id, and such messages are never deduplicated.
func (m *Message) DedupeKey() string { return messageKey(m.ID) }

// Media returns the media block named by Type (image, audio, voice, video, document or
// sticker), or nil for other types.
func (m *Message) Media() *gen.InboundMedia {
	switch m.Type {
	case MessageTypeImage:
		return m.Image
	case MessageTypeAudio:
		return m.Audio
	case MessageTypeVoice:
		return m.Voice
	case MessageTypeVideo:
		return m.Video
	case MessageTypeDocument:
		return m.Document
	case MessageTypeSticker:
		return m.Sticker
	}
	return nil
}

// IdentityChange is a sign that a customer's identity changed (new phone or reinstall). Until
// it is acknowledged with PUT /v1/contacts/{wa_id}/identity and Hash, messages to the
// customer fail with status error 480.
type IdentityChange struct {
	// WaID is the customer whose identity changed.
	WaID string
	// Hash is the new identity hash to acknowledge; empty when the callback did not carry it.
	Hash string
	// MessageID is the id of the message that reported the change.
	MessageID string
	// EventType is the system event type (SystemEventUserIdentityChanged or
	// SystemEventCustomerIdentityChanged), or empty when the change was seen in the identity
	// block of an ordinary message (acknowledged false).
	EventType string
}

// IdentityChange reports whether the message signals an identity change: a system message of
// type user_identity_changed or customer_identity_changed, or any message whose identity
// block (sent when show_security_notifications is on) says acknowledged false.
func (m *Message) IdentityChange() (IdentityChange, bool) {
	if s := m.System; m.Type == MessageTypeSystem && s != nil && s.Type != nil {
		switch *s.Type {
		case SystemEventUserIdentityChanged, SystemEventCustomerIdentityChanged:
			ic := IdentityChange{WaID: m.From, MessageID: m.ID, EventType: *s.Type}
			if s.User != nil && *s.User != "" {
				ic.WaID = *s.User
			} else if s.Customer != nil && *s.Customer != "" {
				ic.WaID = *s.Customer
			}
			if s.Identity != nil {
				ic.Hash = *s.Identity
			}
			return ic, true
		}
	}
	if id := m.Identity; id != nil && id.Acknowledged != nil && !*id.Acknowledged {
		ic := IdentityChange{WaID: m.From, MessageID: m.ID}
		if id.Hash != nil {
			ic.Hash = *id.Hash
		}
		return ic, true
	}
	return IdentityChange{}, false
}

// Status is a status change of an outbound message with a known value (see the Status
// constants), with its conversation and pricing blocks when the server sent them.
type Status struct {
	gen.MessageStatus

	// Cloud is set for statuses received through the Cloud API (DecodeCloud): the source and
	// the Cloud-only fields. It is not part of the status's JSON.
	Cloud *CloudStatus `json:"-"`

	raw json.RawMessage
}

// Raw returns the status's JSON as received, or nil for a value built in code.
func (s *Status) Raw() json.RawMessage { return s.raw }

// MarshalJSON returns the raw JSON when there is one, else the typed fields.
func (s Status) MarshalJSON() ([]byte, error) { return marshalItem(s.raw, s.MessageStatus) }

// UnmarshalJSON decodes one status and keeps its raw JSON. The value is not checked.
func (s *Status) UnmarshalJSON(data []byte) error {
	return unmarshalItem(data, &s.raw, &s.MessageStatus)
}

// Time returns Timestamp (Unix seconds sent as a string) as a time.Time.
func (s *Status) Time() (time.Time, error) { return parseUnix(s.Timestamp) }

// DedupeKey returns the key under which a Dedupe remembers the status: message id, status
// value and recipient (the recipient keeps apart the per-participant statuses of a group
// message, which share id and value). It is empty when the status has no id.
func (s *Status) DedupeKey() string {
	return statusKey(s.ID, s.Status, deref(s.RecipientID))
}

// ErrorNotice is one entry of an errors-only callback: an out-of-band error that belongs to
// no request and no outbound message, such as code 400 (media download error) or 433
// (certificate signature invalid).
type ErrorNotice struct {
	gen.ErrorDetail

	// Cloud is set for value-level errors received through the Cloud API (DecodeCloud): the
	// source and the error as sent. It is not part of the entry's JSON.
	Cloud *CloudErrorNotice `json:"-"`

	raw json.RawMessage
}

// Raw returns the entry's JSON as received, or nil for a value built in code.
func (e *ErrorNotice) Raw() json.RawMessage { return e.raw }

// MarshalJSON returns the raw JSON when there is one, else the typed fields.
func (e ErrorNotice) MarshalJSON() ([]byte, error) { return marshalItem(e.raw, e.ErrorDetail) }

// UnmarshalJSON decodes one entry and keeps its raw JSON.
func (e *ErrorNotice) UnmarshalJSON(data []byte) error {
	return unmarshalItem(data, &e.raw, &e.ErrorDetail)
}

// ServiceNotice is the completion notice of a garbage-collection job: Message is set for
// PUT /v1/services/message/gc, Media for PUT /v1/services/media/gc.
type ServiceNotice struct {
	gen.WebhookServiceNotice

	raw json.RawMessage
}

// Raw returns the notice's JSON as received, or nil for a value built in code.
func (s *ServiceNotice) Raw() json.RawMessage { return s.raw }

// MarshalJSON returns the raw JSON when there is one, else the typed fields.
func (s ServiceNotice) MarshalJSON() ([]byte, error) {
	return marshalItem(s.raw, s.WebhookServiceNotice)
}

// UnmarshalJSON decodes one notice and keeps its raw JSON.
func (s *ServiceNotice) UnmarshalJSON(data []byte) error {
	return unmarshalItem(data, &s.raw, &s.WebhookServiceNotice)
}

// GC returns the garbage-collection result and the job it belongs to ("message" or
// "media"), or nil and "" when the notice has neither.
func (s *ServiceNotice) GC() (*gen.WebhookGarbageCollection, string) {
	switch {
	case s.Message != nil && s.Message.Gc != nil:
		return s.Message.Gc, keyMessage
	case s.Media != nil && s.Media.Gc != nil:
		return s.Media.Gc, keyMedia
	}
	return nil, ""
}

// Unknown is an item the package could not type, kept as raw JSON. Err is nil for valid items
// of a kind the package does not know (a later build's message type or status value, an
// unknown service job or top-level key) and an *ItemError for items that could not be
// decoded (for example a message whose timestamp is an object).
type Unknown struct {
	// Key is the top-level key the item came from: "messages", "statuses", "services", ...
	// or an unknown key.
	Key string
	// Index is the item's position in its array, or -1 when the whole value of Key is the
	// item (an unknown top-level key, or a known key whose value is not an array).
	Index int
	// Type is the message type or status value, when the item had a readable one.
	Type string
	// ID is the message or status id, when the item had a readable one.
	ID string
	// From is the sender of a message, when readable.
	From string
	// Raw is the item's JSON as received.
	Raw json.RawMessage
	// Err is non-nil when the item could not be decoded.
	Err error
	// Cloud is the source of an item received through the Cloud API (DecodeCloud), or nil.
	// For a change whose field is not "messages", Key is the field, Index is -1 and Raw is
	// the change's value.
	Cloud *CloudSource

	key string
}

// DedupeKey returns the key under which a Dedupe remembers the item: that of a message or a
// status when the item is one with a readable id and no decoding error, else empty.
func (u *Unknown) DedupeKey() string { return u.key }

// ItemError reports an item of a callback that could not be decoded. The rest of the
// callback is not affected.
type ItemError struct {
	// Key is the top-level key of the item.
	Key string
	// Index is the item's position in its array, or -1 for the whole value of Key.
	Index int
	// Err is the decoding error.
	Err error
}

// Error names the item and the decoding error.
func (e *ItemError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("webhook: %s: %v", e.Key, e.Err)
	}
	return fmt.Sprintf("webhook: %s[%d]: %v", e.Key, e.Index, e.Err)
}

// Unwrap returns the decoding error.
func (e *ItemError) Unwrap() error { return e.Err }

func marshalItem(raw json.RawMessage, typed any) ([]byte, error) {
	if len(raw) > 0 {
		return raw, nil
	}
	return json.Marshal(typed)
}

func unmarshalItem(data []byte, raw *json.RawMessage, typed any) error {
	if err := json.Unmarshal(data, typed); err != nil {
		return err
	}
	*raw = clone(data)
	return nil
}

func parseUnix(ts string) (time.Time, error) {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("webhook: timestamp %q: want Unix seconds", ts)
	}
	return time.Unix(sec, 0), nil
}

func messageKey(id string) string {
	if id == "" {
		return ""
	}
	return "message\x00" + id
}

func statusKey(id, status, recipient string) string {
	if id == "" {
		return ""
	}
	return "status\x00" + id + "\x00" + status + "\x00" + recipient
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
