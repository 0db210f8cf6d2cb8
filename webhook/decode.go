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

// errTooManyItems is what decode returns for a body with more items than its limit.
var errTooManyItems = errors.New("webhook: too many items")

// Decode decodes one callback body. It fails, with an error wrapping ErrMalformed, only when
// data is not a single syntactically valid JSON object. Everything else decodes: unknown
// fields are ignored by the typed items (and kept in their raw JSON), items the package
// does not know go to Notification.Unknown, and an item that cannot be decoded goes there
// too with an *ItemError, reported by Notification.Err, without affecting the other items.
//
// Decode copies data; the Notification does not refer to the caller's slice.
func Decode(data []byte) (*Notification, error) {
	n := new(Notification)
	if err := n.decode(clone(data), 0); err != nil {
		return nil, err
	}
	return n, nil
}

// decode fills n from data, which it keeps (the caller passes a buffer it owns). After one
// validity check of the whole body, it splits the top-level object and its arrays itself,
// without copying, and decodes each item on its own. With maxItems > 0, a body with more
// items than that fails with errTooManyItems as soon as the item after the limit is reached,
// so the work done for it is bounded by the limit, not by the body.
func (n *Notification) decode(data []byte, maxItems int) error {
	*n = Notification{}
	if !json.Valid(data) {
		return fmt.Errorf("%w: %w", ErrMalformed, syntaxError(data))
	}
	if !isObject(data) {
		return fmt.Errorf("%w: top-level value is not an object", ErrMalformed)
	}
	n.raw = data

	budget := maxItems
	if budget <= 0 {
		budget = -1 // no limit
	}
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
		if _, seen := others[key]; !seen && !spend(&budget) {
			*n = Notification{}
			return errTooManyItems
		}
		others[key] = value
	}
	// The spec's keys in a fixed order, then any other key in sorted order, so that
	// Unknown is deterministic.
	var ok [5]bool
	n.Contacts, ok[0] = decodeArray(n, keyContacts, known[0], &budget, decodeContact)
	n.Messages, ok[1] = decodeArray(n, keyMessages, known[1], &budget, decodeMessage)
	n.Statuses, ok[2] = decodeArray(n, keyStatuses, known[2], &budget, decodeStatus)
	n.Errors, ok[3] = decodeArray(n, keyErrors, known[3], &budget, decodeErrorNotice)
	n.Services, ok[4] = decodeArray(n, keyServices, known[4], &budget, decodeServiceNotice)
	if ok != [5]bool{true, true, true, true, true} {
		*n = Notification{}
		return errTooManyItems
	}
	for _, k := range slices.Sorted(maps.Keys(others)) {
		n.Unknown = append(n.Unknown, Unknown{Key: k, Index: -1, Raw: others[k]})
	}
	n.linkSenders()
	return nil
}

// topKeys are the keys of WebhookNotification, in the order decode handles them.
var topKeys = [5]string{keyContacts, keyMessages, keyStatuses, keyErrors, keyServices}

// spend takes one item from the budget, reporting false when none is left; a negative
// budget is unlimited.
func spend(budget *int) bool {
	switch {
	case *budget < 0:
		return true
	case *budget == 0:
		return false
	}
	*budget--
	return true
}

// decodeArray decodes the array value of key item by item, each spending one item of the
// budget; it reports false, having stopped, when the budget runs out. An item that
// decodeItem does not accept is appended to n.Unknown instead; a value that is not an array
// (null aside) becomes one Unknown with an *ItemError.
func decodeArray[T any](n *Notification, key string, value []byte, budget *int,
	decodeItem func(key string, index int, raw json.RawMessage) (T, *Unknown),
) ([]T, bool) {
	if value == nil || value[0] == 'n' { // absent or null
		return nil, true
	}
	if value[0] != '[' {
		if !spend(budget) {
			return nil, false
		}
		n.Unknown = append(n.Unknown, Unknown{
			Key: key, Index: -1, Raw: value,
			Err: &ItemError{Key: key, Index: -1, Err: errors.New("not a JSON array")},
		})
		return nil, true
	}
	var out []T
	i := 0
	for raw := range elements(value) {
		if !spend(budget) {
			return nil, false
		}
		item, unknown := decodeItem(key, i, raw)
		i++
		if unknown != nil {
			n.Unknown = append(n.Unknown, *unknown)
			continue
		}
		out = append(out, item)
	}
	return out, true
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
			if c := &n.Contacts[j]; c.WaID != nil && *c.WaID == m.From && !c.IsCheckResult() {
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
