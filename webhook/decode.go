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

// decode fills n from data, which it keeps (the caller passes a buffer it owns). It splits
// the top-level object and its arrays itself, without copying, and decodes each item on its
// own; validity is checked on the way (see scan.go), so the body is scanned once for
// splitting and once by encoding/json, as a map decode scans it. With maxItems > 0, a body
// with more items than that fails with errTooManyItems as soon as the item after the limit
// is reached, so the work done for it is bounded by the limit, not by the body.
func (n *Notification) decode(data []byte, maxItems int) error {
	*n = Notification{}
	d := decoder{n: n, budget: -1} // a negative budget is unlimited
	if maxItems > 0 {
		d.budget = maxItems
	}
	if err := d.body(data); err != nil {
		*n = Notification{}
		if errors.Is(err, errSyntax) {
			return malformed(data)
		}
		return err
	}
	n.raw = data
	n.linkSenders()
	return nil
}

// decoder holds the state of one decode.
type decoder struct {
	n      *Notification
	budget int
}

// spend takes one item from the budget, failing with errTooManyItems when none is left.
func (d *decoder) spend() error {
	switch {
	case d.budget < 0:
		return nil
	case d.budget == 0:
		return errTooManyItems
	}
	d.budget--
	return nil
}

func (d *decoder) body(data []byte) error {
	n := d.n
	var seen [5]bool
	var others map[string][]byte
	err := members(data, func(key []byte, start int) (int, error) {
		i := topIndex(key)
		var name string
		if i < 0 {
			var err error
			if name, err = decodeKey(key); err != nil {
				return 0, err
			}
			i = slices.Index(topKeys[:], name)
		}
		if i >= 0 {
			// Like encoding/json, the last of repeated keys wins.
			if seen[i] {
				d.drop(i)
			}
			seen[i] = true
			if data[start] == '[' {
				return d.array(i, data, start)
			}
		}
		end := skipValue(data, start)
		if end <= start || !json.Valid(data[start:end]) {
			return 0, errSyntax
		}
		value := data[start:end]
		switch {
		case i >= 0:
			return end, d.notArray(i, value)
		case others == nil:
			others = map[string][]byte{}
		}
		if _, dup := others[name]; !dup {
			if err := d.spend(); err != nil {
				return 0, err
			}
		}
		others[name] = value
		return end, nil
	})
	if err != nil {
		return err
	}
	// Unknown holds the items of the spec's keys in a fixed order, then any other key in
	// sorted order, so that it does not depend on the order of the keys in the body.
	if len(n.Unknown) > 1 {
		slices.SortStableFunc(n.Unknown, func(a, b Unknown) int {
			return slices.Index(topKeys[:], a.Key) - slices.Index(topKeys[:], b.Key)
		})
	}
	if len(others) > 0 {
		for _, k := range slices.Sorted(maps.Keys(others)) {
			n.Unknown = append(n.Unknown, Unknown{Key: k, Index: -1, Raw: others[k]})
		}
	}
	return nil
}

// drop forgets the items of topKeys[i] decoded so far: the key is repeated, and the last
// value wins.
func (d *decoder) drop(i int) {
	n := d.n
	switch i {
	case 0:
		n.Contacts = nil
	case 1:
		n.Messages = nil
	case 2:
		n.Statuses = nil
	case 3:
		n.Errors = nil
	case 4:
		n.Services = nil
	}
	n.Unknown = slices.DeleteFunc(n.Unknown, func(u Unknown) bool { return u.Key == topKeys[i] })
}

// array decodes the array of topKeys[i] that starts at data[start] and returns the index
// after it.
func (d *decoder) array(i int, data []byte, start int) (end int, err error) {
	n := d.n
	switch i {
	case 0:
		n.Contacts, end, err = decodeArray(d, keyContacts, data, start, decodeContact)
	case 1:
		n.Messages, end, err = decodeArray(d, keyMessages, data, start, decodeMessage)
	case 2:
		n.Statuses, end, err = decodeArray(d, keyStatuses, data, start, decodeStatus)
	case 3:
		n.Errors, end, err = decodeArray(d, keyErrors, data, start, decodeErrorNotice)
	default:
		n.Services, end, err = decodeArray(d, keyServices, data, start, decodeServiceNotice)
	}
	return end, err
}

// notArray handles a value of topKeys[i] that is valid JSON but not an array: null stands
// for no items, anything else becomes one Unknown with an *ItemError.
func (d *decoder) notArray(i int, value []byte) error {
	if string(value) == "null" {
		return nil
	}
	if err := d.spend(); err != nil {
		return err
	}
	key := topKeys[i]
	d.n.Unknown = append(d.n.Unknown, Unknown{
		Key: key, Index: -1, Raw: value,
		Err: &ItemError{Key: key, Index: -1, Err: errors.New("not a JSON array")},
	})
	return nil
}

// topKeys are the keys of WebhookNotification, in the order Unknown lists their items.
var topKeys = [5]string{keyContacts, keyMessages, keyStatuses, keyErrors, keyServices}

// decodeArray decodes the array that starts at data[start] item by item, each spending one
// item of the budget, and returns the index after it. An item that decodeItem does not
// accept is appended to n.Unknown instead. It fails with errSyntax when the array is not
// valid JSON and with errTooManyItems when the budget runs out.
func decodeArray[T any](d *decoder, key string, data []byte, start int,
	decodeItem func(dst *T, key string, index int, raw json.RawMessage) (*Unknown, error),
) ([]T, int, error) {
	var out []T
	var zero T
	i := 0
	end, err := elements(data, start, func(raw []byte) error {
		if err := d.spend(); err != nil {
			return err
		}
		out = append(out, zero)
		unknown, err := decodeItem(&out[len(out)-1], key, i, raw)
		if err != nil {
			return err
		}
		i++
		if unknown != nil {
			out[len(out)-1] = zero // keep nothing of it in the backing array
			out = out[:len(out)-1]
			d.n.Unknown = append(d.n.Unknown, *unknown)
		}
		return nil
	})
	if len(out) == 0 {
		out = nil // an array of only Unknown items leaves no typed ones
	}
	return out, end, err
}

// decodeInto unmarshals raw into typed. It fails with errSyntax when raw is not valid JSON,
// and returns an Unknown carrying an *ItemError when raw is not an object or does not fit the
// type; typed then holds whatever did decode.
func decodeInto(key string, index int, raw json.RawMessage, typed any) (*Unknown, error) {
	var err error
	if raw[0] != '{' {
		if !json.Valid(raw) {
			return nil, errSyntax
		}
		err = errNotObject
	} else if err = json.Unmarshal(raw, typed); err != nil && !json.Valid(raw) {
		// json.Unmarshal checks raw before decoding it, so only an error of an item that is
		// valid JSON (a value that does not fit the type) leaves the body valid.
		return nil, errSyntax
	}
	if err == nil {
		return nil, nil
	}
	return &Unknown{Key: key, Index: index, Raw: raw, Err: &ItemError{Key: key, Index: index, Err: err}}, nil
}

// The decode… functions fill the zero item they are given from raw, decoding in place (in
// the slice being built) rather than into a value that would escape to the heap and then
// be copied. They return an Unknown for an item that belongs in the catch-all.

func decodeContact(c *Contact, key string, index int, raw json.RawMessage) (*Unknown, error) {
	c.raw = raw
	return decodeInto(key, index, raw, &c.WebhookContact)
}

func decodeMessage(m *Message, key string, index int, raw json.RawMessage) (*Unknown, error) {
	m.raw = raw
	u, err := decodeInto(key, index, raw, &m.InboundMessage)
	switch {
	case err != nil:
		return nil, err
	case u != nil:
		u.ID, u.Type, u.From = m.ID, m.Type, m.From
		return u, nil
	case !IsKnownMessageType(m.Type):
		return &Unknown{Key: key, Index: index, Type: m.Type, ID: m.ID, From: m.From, Raw: raw,
			key: m.DedupeKey()}, nil
	}
	return nil, nil
}

func decodeStatus(s *Status, key string, index int, raw json.RawMessage) (*Unknown, error) {
	s.raw = raw
	u, err := decodeInto(key, index, raw, &s.MessageStatus)
	switch {
	case err != nil:
		return nil, err
	case u != nil:
		u.ID, u.Type = s.ID, s.Status
		return u, nil
	case !IsKnownStatus(s.Status):
		return &Unknown{Key: key, Index: index, Type: s.Status, ID: s.ID, Raw: raw,
			key: s.DedupeKey()}, nil
	}
	return nil, nil
}

func decodeErrorNotice(e *ErrorNotice, key string, index int, raw json.RawMessage) (*Unknown, error) {
	e.raw = raw
	return decodeInto(key, index, raw, &e.ErrorDetail)
}

func decodeServiceNotice(s *ServiceNotice, key string, index int, raw json.RawMessage) (*Unknown, error) {
	s.raw = raw
	u, err := decodeInto(key, index, raw, &s.WebhookServiceNotice)
	switch {
	case err != nil || u != nil:
		return u, err
	case s.Message == nil && s.Media == nil:
		return &Unknown{Key: key, Index: index, Raw: raw}, nil
	}
	return nil, nil
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

// isObject reports whether data, leading white space aside, starts an object.
func isObject(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

// malformed returns the error for a body that is not one JSON object, wrapping ErrMalformed
// and, for invalid JSON, the error json.Unmarshal gives, which names the offset. It runs only
// for bad bodies; encoding/json's check stops at the first error without allocating.
func malformed(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%w: empty body", ErrMalformed)
	}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v) // fails in its check, before decoding anything
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if !isObject(data) {
		return fmt.Errorf("%w: top-level value is not an object", ErrMalformed)
	}
	// Not reached: the splitter accepts every valid object (FuzzDecode checks it).
	return fmt.Errorf("%w: invalid JSON", ErrMalformed)
}
