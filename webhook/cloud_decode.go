package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/wabiz/wabiz/gen"
)

// The keys of the Cloud envelope: {object, entry:[{id, changes:[{field, value:{
// messaging_product, metadata:{display_phone_number, phone_number_id}, contacts, messages,
// statuses, errors}}]}]}.
const (
	keyObject           = "object"
	keyEntry            = "entry"
	keyChanges          = "changes"
	keyID               = "id"
	keyField            = "field"
	keyValue            = "value"
	keyMetadata         = "metadata"
	keyMessagingProduct = "messaging_product"
	keyEvent            = "event"
)

var errNotArray = errors.New("not a JSON array")

// DecodeCloud decodes one Cloud API webhook body (the WhatsApp Business Account envelope)
// into the same Notification that Decode gives for an On-Premises callback. It fails, with an
// error wrapping ErrMalformed, only when data is not one syntactically valid JSON object. It
// does not check the signature: call VerifyCloudSignature on the same bytes first (the
// Handler does both).
//
// One POST may carry several entries (business accounts), each with several changes. They
// are decoded into ONE Notification, in the order they arrived: the items of every change
// whose field is "messages" are appended to Contacts, Messages, Statuses and Errors, and
// each item says where it came from in its Cloud field (CloudSource: business account id,
// phone_number_id, display number, field and positions). One Notification per request keeps
// the Handler's answer, deduplication and WithNotificationFunc per delivery, as Meta retries
// per delivery; per-item sources keep the per-kind callbacks routable by phone number.
//
// Mapped to the On-Premises shape, with the Cloud form kept in the item's Cloud field:
//
//   - error objects {code, title, message, error_data:{details}, href} become
//     {code, title, details, href} (Details from error_data.details, else message);
//   - the message type unsupported becomes unknown;
//   - the system event user_changed_number becomes customer_changed_number, with Customer
//     set to the old number (from) and WaID to the new one.
//
// Cloud-only fields are typed in the Cloud field of each item: business-scoped user ids,
// the media url, voice and animated flags, reactions, flow replies,
// biz_opaque_callback_data, pricing type. Messages of type reaction and request_welcome
// and statuses played are typed too.
//
// Nothing is dropped: a change whose field is not "messages" (template status, account
// and quality updates, group updates, ...) becomes an Unknown whose Key is the field and
// whose Raw is the change's value; unknown keys of the envelope, of an entry's value and
// items of unknown kinds go to Unknown as in Decode, with Unknown.Cloud set where the source
// is known; every item keeps its raw JSON, and the Notification's Raw is the body as
// received (so re-encoding it gives back the Cloud body).
//
// DecodeCloud copies data; the Notification does not refer to the caller's slice.
func DecodeCloud(data []byte) (*Notification, error) {
	n := new(Notification)
	if err := n.decodeCloud(clone(data)); err != nil {
		return nil, err
	}
	return n, nil
}

// decodeCloud fills n from the Cloud body data, which it keeps.
func (n *Notification) decodeCloud(data []byte) error { return n.decodeCloudMode(data, false) }

// decodeCloudMode is decodeCloud, with every item decoded by json.Unmarshal when slow (tests
// compare the fast path with it).
func (n *Notification) decodeCloudMode(data []byte, slow bool) error {
	*n = Notification{}
	body := bytes.Trim(data, " \t\r\n")
	if len(body) == 0 || body[0] != '{' {
		if len(body) > 0 && json.Valid(body) {
			return fmt.Errorf("%w: top-level value is not an object", ErrMalformed)
		}
		return fmt.Errorf("%w: %w", ErrMalformed, cloudSyntaxError(data))
	}
	sc, ok := newCloudScan(data)
	if ok {
		sc.slow = slow
		n.decodeCloudBody(sc, body)
	}
	if !ok || sc.bad {
		*n = Notification{}
		return fmt.Errorf("%w: %w", ErrMalformed, cloudSyntaxError(data))
	}
	n.raw = data
	n.linkSenders()
	return nil
}

// decodeCloudBody decodes the envelope object body.
func (n *Notification) decodeCloudBody(sc *cloudScan, body []byte) {
	var entries []byte
	var others map[string][]byte
	for key, value := range sc.members(body) {
		switch key {
		case keyObject: // one value is defined; the raw body keeps it
			sc.check(value)
		case keyEntry:
			if entries != nil { // repeated: the last wins, as in encoding/json
				sc.check(entries)
			}
			entries = value
		default:
			if others == nil {
				others = map[string][]byte{}
			}
			if old, dup := others[key]; dup {
				sc.check(old)
			}
			others[key] = value
		}
	}
	if n.cloudArray(sc, keyEntry, entries, CloudSource{}, false) {
		i := 0
		for raw := range sc.elements(entries) {
			n.decodeCloudEntry(sc, i, raw)
			i++
		}
	}
	if len(others) > 0 {
		for _, k := range slices.Sorted(maps.Keys(others)) {
			sc.check(others[k])
			n.Unknown = append(n.Unknown, Unknown{Key: k, Index: -1, Raw: others[k]})
		}
	}
}

// cloudArray reports whether value is a non-empty JSON array to walk. Absent and null are
// nothing; any other value is appended to n.Unknown with an *ItemError (and the source, when
// hasSrc).
func (n *Notification) cloudArray(sc *cloudScan, key string, value []byte, src CloudSource, hasSrc bool) bool {
	if value == nil {
		return false
	}
	if value[0] != '[' {
		if string(value) == "null" {
			return false
		}
		sc.check(value)
		u := Unknown{Key: key, Index: -1, Raw: value,
			Err: &ItemError{Key: key, Index: -1, Err: errNotArray}}
		if hasSrc {
			u.Cloud = srcRef(src)
		}
		n.Unknown = append(n.Unknown, u)
		return false
	}
	return true
}

// srcRef returns a pointer to a copy of s. Items point at their own copy, and the decoder's
// variables stay on the stack.
func srcRef(s CloudSource) *CloudSource { return &s }

// notObject appends raw, the element index of the array under key, to n.Unknown as an item
// that could not be decoded.
func (n *Notification) notObject(sc *cloudScan, key string, index int, raw []byte, src *CloudSource) {
	sc.check(raw)
	n.Unknown = append(n.Unknown, Unknown{
		Key: key, Index: index, Raw: raw, Cloud: src,
		Err: &ItemError{Key: key, Index: index, Err: errNotObject},
	})
}

// The walk's values are sub-slices that start at the value (no white space before it), so
// raw[0] tells an object.

func (n *Notification) decodeCloudEntry(sc *cloudScan, index int, raw []byte) {
	if raw[0] != '{' {
		n.notObject(sc, keyEntry, index, raw, nil)
		return
	}
	var wabaID string
	var changes []byte
	for key, value := range sc.members(raw) {
		switch key {
		case keyID:
			wabaID = sc.scalar(value)
		case keyChanges:
			if changes != nil {
				sc.check(changes)
			}
			changes = value
		default: // time, and whatever Meta adds: not read
			sc.check(value)
		}
	}
	src := CloudSource{WABAID: wabaID, Entry: index, Change: -1}
	if !n.cloudArray(sc, keyChanges, changes, src, true) {
		return
	}
	j := 0
	for change := range sc.elements(changes) {
		s := src
		s.Change = j
		n.decodeCloudChange(sc, s, change)
		j++
	}
}

func (n *Notification) decodeCloudChange(sc *cloudScan, src CloudSource, raw []byte) {
	if raw[0] != '{' {
		n.notObject(sc, keyChanges, src.Change, raw, srcRef(src))
		return
	}
	var value []byte
	for key, v := range sc.members(raw) {
		switch key {
		case keyField:
			src.Field = cloudField(sc, v)
		case keyValue:
			if value != nil {
				sc.check(value)
			}
			value = v
		default:
			sc.check(v)
		}
	}
	if src.Field == CloudFieldMessages && value != nil && value[0] == '{' {
		n.decodeCloudValue(sc, src, value)
		return
	}
	// Another field, or a messages change that cannot be unwrapped: the catch-all gets the
	// value (the whole change when there is none), never nothing.
	u := Unknown{Key: src.Field, Index: -1, Raw: value, Cloud: srcRef(src)}
	if u.Key == "" {
		u.Key = keyChanges
	}
	if value == nil {
		u.Raw = raw
	} else if value[0] == '{' {
		for key, v := range sc.members(value) {
			if key == keyEvent {
				u.Type = sc.scalar(v)
			} else {
				sc.check(v)
			}
		}
	} else {
		sc.check(value)
	}
	if src.Field == CloudFieldMessages {
		u.Err = &ItemError{Key: keyValue, Index: -1, Err: errNotObject}
	}
	n.Unknown = append(n.Unknown, u)
}

// cloudField returns the field of a change, without allocating for "messages".
func cloudField(sc *cloudScan, v []byte) string {
	if string(v) == `"`+CloudFieldMessages+`"` {
		return CloudFieldMessages
	}
	return sc.scalar(v)
}

// decodeCloudValue decodes the value of a messages change.
func (n *Notification) decodeCloudValue(sc *cloudScan, src CloudSource, value []byte) {
	var contacts, messages, statuses, errs, metadata []byte
	var others map[string][]byte
	keep := func(dst *[]byte, v []byte) {
		if *dst != nil { // repeated: the last wins
			sc.check(*dst)
		}
		*dst = v
	}
	for key, v := range sc.members(value) {
		switch key {
		case keyContacts:
			keep(&contacts, v)
		case keyMessages:
			keep(&messages, v)
		case keyStatuses:
			keep(&statuses, v)
		case keyErrors:
			keep(&errs, v)
		case keyMetadata:
			keep(&metadata, v)
		case keyMessagingProduct:
			sc.check(v)
		default:
			if others == nil {
				others = map[string][]byte{}
			}
			if old, dup := others[key]; dup {
				sc.check(old)
			}
			others[key] = v
		}
	}
	switch {
	case metadata == nil || string(metadata) == "null":
	case metadata[0] == '{':
		for key, v := range sc.members(metadata) {
			switch key {
			case "phone_number_id":
				src.PhoneNumberID = sc.scalar(v)
			case "display_phone_number":
				src.DisplayPhoneNumber = sc.scalar(v)
			default:
				sc.check(v)
			}
		}
	default:
		sc.check(metadata)
		n.Unknown = append(n.Unknown, Unknown{Key: keyMetadata, Index: -1, Raw: metadata, Cloud: srcRef(src),
			Err: &ItemError{Key: keyMetadata, Index: -1, Err: errNotObject}})
	}
	n.Contacts = decodeCloudArray(n, sc, src, keyContacts, contacts, n.Contacts, decodeCloudContact)
	n.Messages = decodeCloudArray(n, sc, src, keyMessages, messages, n.Messages, decodeCloudMessage)
	n.Statuses = decodeCloudArray(n, sc, src, keyStatuses, statuses, n.Statuses, decodeCloudStatus)
	n.Errors = decodeCloudArray(n, sc, src, keyErrors, errs, n.Errors, decodeCloudErrorNotice)
	if len(others) > 0 {
		for _, k := range slices.Sorted(maps.Keys(others)) {
			sc.check(others[k])
			n.Unknown = append(n.Unknown, Unknown{Key: k, Index: -1, Raw: others[k], Cloud: srcRef(src)})
		}
	}
}

// decodeCloudArray appends the decoded items of the array value to out, decoding each in
// place (in out's backing array, as decodeArray does); items that decodeItem does not
// accept go to n.Unknown with their source.
func decodeCloudArray[T any](n *Notification, sc *cloudScan, src CloudSource, key string, value []byte, out []T,
	decodeItem func(sc *cloudScan, dst *T, src CloudSource, key string, index int, raw json.RawMessage) *Unknown,
) []T {
	if !n.cloudArray(sc, key, value, src, true) {
		return out
	}
	var zero T
	i := 0
	for raw := range sc.elements(value) {
		out = append(out, zero)
		unknown := decodeItem(sc, &out[len(out)-1], src, key, i, raw)
		i++
		if unknown != nil {
			out[len(out)-1] = zero // keep nothing of it in the backing array
			out = out[:len(out)-1]
			unknown.Cloud = srcRef(src)
			n.Unknown = append(n.Unknown, *unknown)
		}
	}
	return out
}

// cloudDecodeInto unmarshals raw into wire, or returns the Unknown of an item that could not
// be decoded. json.Unmarshal checks raw before decoding it; an item it rejects is checked
// again to tell invalid JSON (bad set: the body is malformed) from a value that does not
// fit the type.
func cloudDecodeInto(sc *cloudScan, key string, index int, raw json.RawMessage, wire any) *Unknown {
	var err error
	if raw[0] != '{' {
		err = errNotObject
	} else {
		err = json.Unmarshal(raw, wire)
	}
	if err == nil {
		return nil
	}
	sc.check(raw)
	return &Unknown{Key: key, Index: index, Raw: raw, Err: &ItemError{Key: key, Index: index, Err: err}}
}

// The wire types below decode a Cloud item in ONE pass: they embed the On-Premises generated
// type and add the Cloud-only members beside it. A member that needs a richer Cloud type
// (media with url, errors with error_data, ...) is declared again at the outer level, which
// encoding/json prefers over the embedded field of the same name; the decoder then points
// the On-Premises field at the embedded part of it, so nothing is decoded twice. The fast
// path (cloud_fast.go) fills the same wire values member by member; an item it declines is
// reset and decoded by json.Unmarshal (cloudDecodeInto).

type cloudContactWire struct {
	*gen.WebhookContact                   // the item's own, in the slice being built
	cloud               CloudContact      // the item's Cloud field: one allocation with the wire value
	Profile             *cloudProfileWire `json:"profile"`
	UserID              *string           `json:"user_id"`
	ParentUserID        *string           `json:"parent_user_id"`
	IdentityKeyHash     *string           `json:"identity_key_hash"`
}

type cloudProfileWire struct {
	gen.WebhookContactProfile
	Username *string `json:"username"`
}

type cloudMediaWire struct {
	gen.InboundMedia
	URL      *string `json:"url"`
	Voice    *bool   `json:"voice"`
	Animated *bool   `json:"animated"`
}

type cloudErrorWire struct {
	Code      int     `json:"code"`
	Title     string  `json:"title"`
	Message   string  `json:"message"`
	Details   *string `json:"details"` // the On-Premises member, kept if a payload has it
	Href      *string `json:"href"`
	ErrorData *struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

type cloudSystemWire struct {
	gen.SystemEvent
	UserID               *string `json:"user_id"`
	ParentUserID         *string `json:"parent_user_id"`
	PreviousUserID       *string `json:"previous_user_id"`
	PreviousParentUserID *string `json:"previous_parent_user_id"`
}

type cloudInteractiveWire struct {
	gen.InboundInteractive
	NfmReply *CloudFlowReply `json:"nfm_reply"`
}

type cloudMessageWire struct {
	*gen.InboundMessage // the item's own, in the slice being built
	cloud               CloudMessage
	FromUserID          *string               `json:"from_user_id"`
	FromParentUserID    *string               `json:"from_parent_user_id"`
	Image               *cloudMediaWire       `json:"image"`
	Audio               *cloudMediaWire       `json:"audio"`
	Video               *cloudMediaWire       `json:"video"`
	Document            *cloudMediaWire       `json:"document"`
	Sticker             *cloudMediaWire       `json:"sticker"`
	Errors              *[]cloudErrorWire     `json:"errors"`
	System              *cloudSystemWire      `json:"system"`
	Interactive         *cloudInteractiveWire `json:"interactive"`
	Reaction            *CloudReaction        `json:"reaction"`
	Unsupported         *struct {
		Type string `json:"type"`
	} `json:"unsupported"`
}

type cloudPricingWire struct {
	gen.WebhookPricing
	Type *string `json:"type"`
}

type cloudStatusWire struct {
	*gen.MessageStatus    // the item's own, in the slice being built
	cloud                 CloudStatus
	RecipientUserID       *string           `json:"recipient_user_id"`
	RecipientParentUserID *string           `json:"recipient_parent_user_id"`
	RecipientType         *string           `json:"recipient_type"`
	BizOpaqueCallbackData *string           `json:"biz_opaque_callback_data"`
	Pricing               *cloudPricingWire `json:"pricing"`
	Errors                *[]cloudErrorWire `json:"errors"`
}

func decodeCloudContact(sc *cloudScan, c *Contact, src CloudSource, key string, index int, raw json.RawMessage) *Unknown {
	w := &cloudContactWire{WebhookContact: &c.WebhookContact}
	if !sc.decodeFast(raw, w) {
		c.WebhookContact = gen.WebhookContact{}
		*w = cloudContactWire{WebhookContact: &c.WebhookContact}
		if u := cloudDecodeInto(sc, key, index, raw, w); u != nil {
			return u
		}
	}
	c.raw = raw
	cc := &w.cloud
	*cc = CloudContact{Source: src, UserID: deref(w.UserID), ParentUserID: deref(w.ParentUserID),
		IdentityKeyHash: deref(w.IdentityKeyHash)}
	if w.Profile != nil {
		c.Profile = &w.Profile.WebhookContactProfile
		cc.Username = deref(w.Profile.Username)
	}
	c.Cloud = cc
	return nil
}

func decodeCloudMessage(sc *cloudScan, m *Message, src CloudSource, key string, index int, raw json.RawMessage) *Unknown {
	w := &cloudMessageWire{InboundMessage: &m.InboundMessage}
	if !sc.decodeFast(raw, w) {
		m.InboundMessage = gen.InboundMessage{}
		*w = cloudMessageWire{InboundMessage: &m.InboundMessage}
		if u := cloudDecodeInto(sc, key, index, raw, w); u != nil {
			u.ID, u.Type, u.From = m.ID, m.Type, m.From
			return u
		}
	}
	m.raw = raw
	cm := &w.cloud
	*cm = CloudMessage{Source: src, Type: m.Type, FromUserID: deref(w.FromUserID),
		FromParentUserID: deref(w.FromParentUserID), Reaction: w.Reaction}
	m.Type = MessageTypeFromCloud(m.Type)
	m.Image = cm.media(w.Image)
	m.Audio = cm.media(w.Audio)
	m.Video = cm.media(w.Video)
	m.Document = cm.media(w.Document)
	m.Sticker = cm.media(w.Sticker)
	if w.Errors != nil {
		list, cloud := normaliseErrors(*w.Errors)
		m.Errors, cm.Errors = &list, cloud
	}
	if w.Interactive != nil {
		m.Interactive = &w.Interactive.InboundInteractive
		cm.FlowReply = w.Interactive.NfmReply
	}
	if w.Unsupported != nil {
		cm.UnsupportedType = w.Unsupported.Type
	}
	if w.System != nil {
		m.System = &w.System.SystemEvent
		cm.System = &CloudSystem{Type: deref(w.System.Type), WaID: deref(w.System.WaID),
			UserID: deref(w.System.UserID), ParentUserID: deref(w.System.ParentUserID),
			PreviousUserID: deref(w.System.PreviousUserID), PreviousParentUserID: deref(w.System.PreviousParentUserID)}
		if mapped := SystemEventFromCloud(cm.System.Type); mapped != cm.System.Type {
			m.System.Type = &mapped
			if mapped == SystemEventCustomerChangedNumber && m.System.Customer == nil && m.From != "" {
				old := m.From
				m.System.Customer = &old
			}
		}
	}
	m.Cloud = cm
	if !IsKnownCloudMessageType(m.Type) {
		return &Unknown{Key: key, Index: index, Type: cm.Type, ID: m.ID, From: m.From, Raw: raw,
			key: m.DedupeKey()}
	}
	return nil
}

// media returns the On-Premises part of a media block and records its Cloud-only members.
func (cm *CloudMessage) media(w *cloudMediaWire) *gen.InboundMedia {
	if w == nil {
		return nil
	}
	if w.URL != nil {
		cm.MediaURL = *w.URL
	}
	if w.Voice != nil {
		cm.Voice = *w.Voice
	}
	if w.Animated != nil {
		cm.Animated = *w.Animated
	}
	return &w.InboundMedia
}

func decodeCloudStatus(sc *cloudScan, s *Status, src CloudSource, key string, index int, raw json.RawMessage) *Unknown {
	w := &cloudStatusWire{MessageStatus: &s.MessageStatus}
	if !sc.decodeFast(raw, w) {
		s.MessageStatus = gen.MessageStatus{}
		*w = cloudStatusWire{MessageStatus: &s.MessageStatus}
		if u := cloudDecodeInto(sc, key, index, raw, w); u != nil {
			u.ID, u.Type = s.ID, s.Status
			return u
		}
	}
	s.raw = raw
	cs := &w.cloud
	*cs = CloudStatus{Source: src, RecipientUserID: deref(w.RecipientUserID),
		RecipientParentUserID: deref(w.RecipientParentUserID), RecipientType: deref(w.RecipientType),
		BizOpaqueCallbackData: deref(w.BizOpaqueCallbackData)}
	if w.Pricing != nil {
		s.Pricing = &w.Pricing.WebhookPricing
		cs.PricingType = deref(w.Pricing.Type)
	}
	if w.Errors != nil {
		list, cloud := normaliseErrors(*w.Errors)
		s.Errors, cs.Errors = &list, cloud
	}
	s.Cloud = cs
	if !IsKnownCloudStatus(s.Status) {
		return &Unknown{Key: key, Index: index, Type: s.Status, ID: s.ID, Raw: raw, key: s.DedupeKey()}
	}
	return nil
}

func decodeCloudErrorNotice(sc *cloudScan, e *ErrorNotice, src CloudSource, key string, index int, raw json.RawMessage) *Unknown {
	var w cloudErrorWire
	if u := cloudDecodeInto(sc, key, index, raw, &w); u != nil {
		return u
	}
	*e = ErrorNotice{ErrorDetail: w.normalise(), raw: raw,
		Cloud: &CloudErrorNotice{Source: src, Error: w.cloud()}}
	return nil
}

func normaliseErrors(in []cloudErrorWire) ([]gen.ErrorDetail, []CloudError) {
	list := make([]gen.ErrorDetail, len(in))
	cloud := make([]CloudError, len(in))
	for i := range in {
		list[i] = in[i].normalise()
		cloud[i] = in[i].cloud()
	}
	return list, cloud
}

// normalise returns the error in the On-Premises shape.
func (w *cloudErrorWire) normalise() gen.ErrorDetail {
	d := gen.ErrorDetail{Code: w.Code, Title: w.Title, Href: w.Href, Details: w.Details}
	if d.Title == "" {
		d.Title = w.Message
	}
	if d.Details == nil {
		switch {
		case w.ErrorData != nil && w.ErrorData.Details != "":
			d.Details = &w.ErrorData.Details
		case w.Message != "":
			d.Details = &w.Message
		}
	}
	return d
}

// cloud returns the error as sent.
func (w *cloudErrorWire) cloud() CloudError {
	e := CloudError{Code: w.Code, Title: w.Title, Message: w.Message, Href: deref(w.Href)}
	if w.ErrorData != nil {
		e.Details = w.ErrorData.Details
	}
	return e
}

// cloudKeys are the keys the Cloud decoder looks for, so that cloudScan.members can name them
// without allocating.
var cloudKeys = []string{keyObject, keyEntry, keyID, keyChanges, keyField, keyValue, keyMetadata,
	keyMessagingProduct, keyContacts, keyMessages, keyStatuses, keyErrors, keyEvent,
	"phone_number_id", "display_phone_number"}

// cloudScan walks the envelope's objects and arrays and checks, on the way, that the body is
// valid JSON. The envelope nests items seven levels deep; finding the end of a value with
// skipValue at every level would scan each item's bytes once per level. Instead one quick
// pass over the body (newCloudScan) records where each object and array of the envelope's
// levels ends, and the walk looks the ends up.
//
// Validity is checked once per byte, as Decode checks it: the walk checks the grammar of
// the levels it walks (keys, punctuation, the scalars it reads), the items' fast path
// (cloud_fast.go) does the same inside the items and json.Unmarshal checks the members it
// hands on (and the items the fast path declines), and json.Valid checks every other value
// (unknown keys, values of repeated keys, non-object items). The body is valid exactly when every part is; the first
// part that is not sets bad, and decodeCloud then fails the whole body.
type cloudScan struct {
	base   []byte
	buf    [2][32]int32 // backing of opens and closes for a typical envelope
	opens  []int32      // offsets of '{' and '[' up to cloudScanDepth, increasing
	closes []int32      // offset after the matching '}' or ']'
	bad    bool         // some part of the body is not valid JSON
	slow   bool         // decode every item with json.Unmarshal (no fast path; tests compare)
}

// cloudScanDepth is the deepest nesting whose containers are recorded: the item objects
// (body, entry array, entry, changes, change, value, item array, item). Deeper values are
// inside items, which encoding/json decodes whole.
const cloudScanDepth = 8

// maxJSONDepth is encoding/json's nesting limit, which json.Valid enforces.
const maxJSONDepth = 10000

// newCloudScan records where the containers of the envelope's levels end, matching brackets
// by depth and jumping over strings as skipValue does, without checking the grammar (the
// walk and the item decoders do). It reports false when data cannot be valid JSON: brackets
// that do not balance, an unterminated string, or nesting deeper than maxJSONDepth (which
// only this pass sees whole: each item is checked on its own).
func newCloudScan(data []byte) (*cloudScan, bool) {
	sc := &cloudScan{base: data}
	sc.opens, sc.closes = sc.buf[0][:0], sc.buf[1][:0]
	record := len(data) <= math.MaxInt32 // else no table: skip falls back to skipValue
	var at [cloudScanDepth]int           // index in opens of the recorded open containers
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			j := skipString(data, i)
			if j < 0 {
				return nil, false
			}
			i = j - 1
		case '{', '[':
			if depth >= maxJSONDepth {
				return nil, false
			}
			if record && depth < cloudScanDepth {
				at[depth] = len(sc.opens)
				sc.opens = append(sc.opens, int32(i))
				sc.closes = append(sc.closes, int32(len(data)))
			}
			depth++
		case '}', ']':
			if depth == 0 {
				return nil, false
			}
			depth--
			if record && depth < cloudScanDepth {
				sc.closes[at[depth]] = int32(i + 1)
			}
		}
	}
	return sc, depth == 0
}

// check marks the body bad unless value is valid JSON: every value the walk hands out and
// no decoder reads goes through it.
func (sc *cloudScan) check(value []byte) {
	if !sc.bad && !json.Valid(value) {
		sc.bad = true
	}
}

// validString returns the index after the JSON string at data[i] == '"', or -1.
func validString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(data) {
				return -1
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(data) {
					return -1
				}
				for _, h := range data[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

// validNumber returns the index after the JSON number at data[i], or -1.
func validNumber(data []byte, i int) int {
	digits := func(i int) int { // at least one digit
		start := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		if i == start {
			return -1
		}
		return i
	}
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		i = digits(i)
	default:
		return -1
	}
	if i < len(data) && data[i] == '.' {
		if i = digits(i + 1); i < 0 {
			return -1
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i = digits(i); i < 0 {
			return -1
		}
	}
	return i
}

// validLiteral returns the index after lit at data[i], or -1.
func validLiteral(data []byte, i int, lit string) int {
	if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// skip returns the index in sub, a sub-slice of the body, after the value at sub[i].
func (sc *cloudScan) skip(sub []byte, i int) int {
	if i < len(sub) && (sub[i] == '{' || sub[i] == '[') {
		// sub shares the body's backing array and its end: its offset in the body is the
		// difference of the capacities.
		off := cap(sc.base) - cap(sub)
		abs := int32(off + i)
		if k, ok := slices.BinarySearch(sc.opens, abs); ok {
			return int(sc.closes[k]) - off
		}
	}
	return skipValue(sub, i)
}

// members yields the keys and raw values of the object sub, checking its grammar: sub must
// be one object, '{' to its matching '}', with quoted keys, colons and commas where they
// belong; anything else marks the body bad. The values are checked by whoever reads them
// (or by check). The keys of cloudKeys are yielded as those constants (no allocation per
// key); any other key is decoded.
func (sc *cloudScan) members(sub []byte) iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		for quoted, value := range sc.fields(sub) {
			if !yield(cloudKey(quoted), value) {
				return
			}
		}
	}
}

// fields is members with the keys as sent: quoted, not decoded (validString checked them).
func (sc *cloudScan) fields(sub []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		if len(sub) < 2 || sub[0] != '{' || sub[len(sub)-1] != '}' {
			sc.bad = true
			return
		}
		last := len(sub) - 1
		i := skipSpace(sub, 1)
		if i == last {
			return
		}
		for {
			if i >= last || sub[i] != '"' {
				sc.bad = true
				return
			}
			end := validString(sub, i)
			if end < 0 {
				sc.bad = true
				return
			}
			key := sub[i:end]
			i = skipSpace(sub, end)
			if i >= last || sub[i] != ':' {
				sc.bad = true
				return
			}
			start := skipSpace(sub, i+1)
			end = sc.skip(sub, start)
			if end <= start || end > last {
				sc.bad = true
				return
			}
			if !yield(key, sub[start:end]) {
				return
			}
			i = skipSpace(sub, end)
			switch {
			case i == last:
				return
			case sub[i] == ',':
				i = skipSpace(sub, i+1)
			default:
				sc.bad = true
				return
			}
		}
	}
}

// elements yields the raw elements of the array sub, checking its grammar as members does.
func (sc *cloudScan) elements(sub []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		if len(sub) < 2 || sub[0] != '[' || sub[len(sub)-1] != ']' {
			sc.bad = true
			return
		}
		last := len(sub) - 1
		i := skipSpace(sub, 1)
		if i == last {
			return
		}
		for {
			end := sc.skip(sub, i)
			if end <= i || end > last {
				sc.bad = true
				return
			}
			if !yield(sub[i:end]) {
				return
			}
			i = skipSpace(sub, end)
			switch {
			case i == last:
				return
			case sub[i] == ',':
				i = skipSpace(sub, i+1)
			default:
				sc.bad = true
				return
			}
		}
	}
}

// cloudKey returns the key a quoted object key denotes: one of cloudKeys, compared without
// converting, or the decoded key.
func cloudKey(quoted []byte) string {
	if len(quoted) >= 2 {
		inner := quoted[1 : len(quoted)-1]
		for _, k := range cloudKeys {
			if string(inner) == k {
				return k
			}
		}
	}
	return cloudUnquote(quoted)
}

// scalar returns the string a JSON string denotes, a number's text (ids are sometimes sent
// as numbers), or "" for any other value, checking the value.
func (sc *cloudScan) scalar(value []byte) string {
	if len(value) == 0 {
		return ""
	}
	switch c := value[0]; {
	case c == '"':
		if validString(value, 0) != len(value) {
			sc.bad = true
			return ""
		}
		return cloudUnquote(value)
	case c == '-' || '0' <= c && c <= '9':
		if validNumber(value, 0) != len(value) {
			sc.bad = true
			return ""
		}
		return string(value)
	}
	sc.check(value)
	return ""
}

// cloudUnquote returns the string a quoted JSON string (already validated) denotes.
func cloudUnquote(quoted []byte) string {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	_ = json.Unmarshal(quoted, &s) // valid JSON: cannot fail
	return s
}

// cloudSyntaxError returns the error json.Unmarshal gives for invalid data, which names the
// offset, or a plain error for empty input.
func cloudSyntaxError(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty body")
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	return errors.New("invalid JSON")
}
