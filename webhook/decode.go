package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// ErrMalformed is wrapped by the error Decode returns when the body is not one JSON object.
// The Handler answers such a body with 400.
var ErrMalformed = errors.New("webhook: body is not a JSON object")

// The top-level keys of WebhookNotification, and the job keys of WebhookServiceNotice.
const (
	keyContacts = "contacts"
	keyMessages = "messages"
	keyStatuses = "statuses"
	keyErrors   = "errors"
	keyServices = "services"

	keyMessage = "message"
	keyMedia   = "media"
)

var errNotObject = errors.New("not a JSON object")

// Decode decodes one callback body. It fails, with an error wrapping ErrMalformed, only when
// data is not a single syntactically valid JSON object. Everything else decodes: unknown
// fields are ignored by the typed items (and kept in their raw JSON), items the package
// does not know go to Notification.Unknown, and an item that cannot be decoded goes there
// too with an *ItemError, reported by Notification.Err, without affecting the other items.
//
// Decode copies data; the Notification does not refer to the caller's slice.
func Decode(data []byte) (*Notification, error) {
	n := new(Notification)
	if err := n.decode(clone(data)); err != nil {
		return nil, err
	}
	return n, nil
}

// decode fills n from data, which it keeps (the caller passes a buffer it owns). After one
// validity check of the whole body, it splits the top-level object and its arrays itself,
// without copying, and decodes each item on its own.
func (n *Notification) decode(data []byte) error {
	*n = Notification{}
	if !json.Valid(data) {
		return fmt.Errorf("%w: %w", ErrMalformed, syntaxError(data))
	}
	if !isObject(data) {
		return fmt.Errorf("%w: top-level value is not an object", ErrMalformed)
	}
	n.raw = data

	// Like encoding/json, the last of repeated keys wins.
	var known [5][]byte
	var others map[string][]byte
	for key, value := range members(data) {
		if i := slices.Index(topKeys[:], key); i >= 0 {
			known[i] = value
			continue
		}
		if others == nil {
			others = map[string][]byte{}
		}
		others[key] = value
	}
	// The spec's keys in a fixed order, then any other key in sorted order, so that
	// Unknown is deterministic.
	n.Contacts = decodeArray(n, keyContacts, known[0], decodeContact)
	n.Messages = decodeArray(n, keyMessages, known[1], decodeMessage)
	n.Statuses = decodeArray(n, keyStatuses, known[2], decodeStatus)
	n.Errors = decodeArray(n, keyErrors, known[3], decodeErrorNotice)
	n.Services = decodeArray(n, keyServices, known[4], decodeServiceNotice)
	for _, k := range slices.Sorted(maps.Keys(others)) {
		n.Unknown = append(n.Unknown, Unknown{Key: k, Index: -1, Raw: others[k]})
	}
	n.linkSenders()
	return nil
}

// topKeys are the keys of WebhookNotification, in the order decode handles them.
var topKeys = [5]string{keyContacts, keyMessages, keyStatuses, keyErrors, keyServices}

// decodeArray decodes the array value of key item by item. An item that decodeItem does not
// accept is appended to n.Unknown instead; a value that is not an array (null aside) becomes
// one Unknown with an *ItemError.
func decodeArray[T any](n *Notification, key string, value []byte,
	decodeItem func(key string, index int, raw json.RawMessage) (T, *Unknown),
) []T {
	if value == nil || value[0] == 'n' { // absent or null
		return nil
	}
	if value[0] != '[' {
		n.Unknown = append(n.Unknown, Unknown{
			Key: key, Index: -1, Raw: value,
			Err: &ItemError{Key: key, Index: -1, Err: errors.New("not a JSON array")},
		})
		return nil
	}
	var out []T
	i := 0
	for raw := range elements(value) {
		item, unknown := decodeItem(key, i, raw)
		i++
		if unknown != nil {
			n.Unknown = append(n.Unknown, *unknown)
			continue
		}
		out = append(out, item)
	}
	return out
}

// decodeInto unmarshals raw into typed. It returns an Unknown carrying an *ItemError when raw
// is not an object or does not fit the type; typed then holds whatever did decode.
func decodeInto(key string, index int, raw json.RawMessage, typed any) *Unknown {
	var err error
	if !isObject(raw) {
		err = errNotObject
	} else {
		err = json.Unmarshal(raw, typed)
	}
	if err == nil {
		return nil
	}
	return &Unknown{Key: key, Index: index, Raw: raw, Err: &ItemError{Key: key, Index: index, Err: err}}
}

func decodeContact(key string, index int, raw json.RawMessage) (Contact, *Unknown) {
	c := Contact{raw: raw}
	return c, decodeInto(key, index, raw, &c.WebhookContact)
}

func decodeMessage(key string, index int, raw json.RawMessage) (Message, *Unknown) {
	m := Message{raw: raw}
	if u := decodeInto(key, index, raw, &m.InboundMessage); u != nil {
		u.ID, u.Type, u.From = m.ID, m.Type, m.From
		return m, u
	}
	if !IsKnownMessageType(m.Type) {
		return m, &Unknown{Key: key, Index: index, Type: m.Type, ID: m.ID, From: m.From, Raw: raw,
			key: m.DedupeKey()}
	}
	return m, nil
}

func decodeStatus(key string, index int, raw json.RawMessage) (Status, *Unknown) {
	s := Status{raw: raw}
	if u := decodeInto(key, index, raw, &s.MessageStatus); u != nil {
		u.ID, u.Type = s.ID, s.Status
		return s, u
	}
	if !IsKnownStatus(s.Status) {
		return s, &Unknown{Key: key, Index: index, Type: s.Status, ID: s.ID, Raw: raw,
			key: s.DedupeKey()}
	}
	return s, nil
}

func decodeErrorNotice(key string, index int, raw json.RawMessage) (ErrorNotice, *Unknown) {
	e := ErrorNotice{raw: raw}
	return e, decodeInto(key, index, raw, &e.ErrorDetail)
}

func decodeServiceNotice(key string, index int, raw json.RawMessage) (ServiceNotice, *Unknown) {
	s := ServiceNotice{raw: raw}
	if u := decodeInto(key, index, raw, &s.WebhookServiceNotice); u != nil {
		return s, u
	}
	if s.Message == nil && s.Media == nil {
		return s, &Unknown{Key: key, Index: index, Raw: raw}
	}
	return s, nil
}

// linkSenders points each message's Sender at the contacts entry with the same wa_id.
func (n *Notification) linkSenders() {
	for i := range n.Messages {
		m := &n.Messages[i]
		m.Sender = nil
		for j := range n.Contacts {
			if c := &n.Contacts[j]; c.isSenderOf(m) {
				m.Sender = c
				break
			}
		}
	}
}

// isObject reports whether data, leading white space aside, starts an object. Whether the
// object is well formed is json.Unmarshal's to say.
func isObject(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

// syntaxError returns the error json.Unmarshal gives for invalid data, which names the
// offset, or a plain error for empty input.
func syntaxError(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty body")
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	return errors.New("invalid JSON")
}
