package webhook

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/wabiz/wabiz/gen"
)

// The fast path of the Cloud item decoders. json.Unmarshal of a whole item scans it twice
// (checkValid, then the decode) and costs, per member, a field lookup through reflection; a
// Cloud item is mostly short string members (ids, timestamps, types, BSUIDs) around one
// content block. The fast path walks the item's members itself, with the scan the envelope
// walk already uses (keys, punctuation and strings checked once), stores the string members
// directly, and hands only the other members (content blocks, errors, numbers) to
// json.Unmarshal, each into the very field encoding/json would have decoded it into.
//
// It gives exactly what json.Unmarshal of the whole item gives, or nothing: whenever the
// item is not plain (a key with escapes or non-ASCII bytes, a key that matches a field only
// case-insensitively, a repeated key, a null or a value of the wrong type, a member whose
// json.Unmarshal fails), the decoder resets the item and decodes it with json.Unmarshal, so
// encoding/json's rules (field folding, null handling, merging of repeated objects, the text
// of type errors) keep deciding every case the fast path does not take.
// TestCloudFastPathMatchesEncodingJSON and FuzzDecodeCloud compare the two on every input.

// fastKind says what the fast path does with a member.
type fastKind uint8

const (
	fastSkip      fastKind = iota // a key no field takes: checked, not decoded, as encoding/json ignores it
	fastSlow                      // leave the whole item to json.Unmarshal
	fastString                    // a string member into a string field (str)
	fastOptString                 // a string member into a *string field (opt)
	fastOptBool                   // a true or false member into a *bool field (optBool)
	fastValue                     // any member, decoded by json.Unmarshal into val
	fastNested                    // an object member, walked by the fast path into obj
)

// fastField is where one member goes.
type fastField struct {
	kind fastKind
	bit  uint64 // the field's bit in the seen set (repeated keys go to the slow path)
	str  *string
	opt  **string
	optB **bool
	val  any
	obj  fastObject
}

// fastObject is a value the fast path decodes member by member.
type fastObject interface {
	// field returns where the member with the unquoted (plain ASCII) key goes; fastSkip for
	// a key that none of the value's switch cases names.
	field(key []byte) fastField
	// jsonNames are the JSON names of every field encoding/json would decode into: a key
	// field does not name but one of these matches (case-insensitively) is left to
	// json.Unmarshal, so no field is ever skipped by mistake.
	jsonNames() []string
}

// decodeFast decodes the object raw into obj and reports whether it could; when it reports
// false, obj holds a partial decode that the caller must reset before json.Unmarshal.
// Invalid JSON marks the body bad as the envelope walk does (the whole body then fails).
func (sc *cloudScan) decodeFast(raw []byte, obj fastObject) bool {
	if sc.slow || len(raw) == 0 || raw[0] != '{' {
		return false
	}
	var seen uint64
	for quoted, v := range sc.fields(raw) {
		key := quoted[1 : len(quoted)-1]
		if !plainKey(key) {
			return false
		}
		f := obj.field(key)
		if f.kind == fastSkip {
			if foldsAny(key, obj.jsonNames()) {
				return false
			}
			sc.check(v)
			continue
		}
		if seen&f.bit != 0 {
			return false
		}
		seen |= f.bit
		switch f.kind {
		case fastString:
			s, ok := fastStringValue(v)
			if !ok {
				return false
			}
			*f.str = s
		case fastOptString:
			s, ok := fastStringValue(v)
			if !ok {
				return false
			}
			*f.opt = &s
		case fastOptBool:
			var b bool
			switch string(v) {
			case "true":
				b = true
			case "false":
			default:
				return false
			}
			*f.optB = &b
		case fastValue:
			if json.Unmarshal(v, f.val) != nil {
				return false
			}
		case fastNested:
			if !sc.decodeFast(v, f.obj) {
				return false
			}
		default: // fastSlow
			return false
		}
	}
	return true
}

// plainKey reports whether key (unquoted) has only printable ASCII and no escapes: such a key
// means itself, and matches a field name case-insensitively exactly when the ASCII folds
// do (encoding/json's other folds, such as the Kelvin sign, involve non-ASCII runes).
func plainKey(key []byte) bool {
	for _, c := range key {
		if c < ' ' || c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldsAny reports whether key equals one of names up to ASCII case.
func foldsAny(key []byte, names []string) bool {
	for _, n := range names {
		if len(n) == len(key) && bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// fastStringValue returns the string a JSON string member denotes; false for any other
// value (null included: encoding/json's handling of it depends on the field).
func fastStringValue(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' || validString(v, 0) != len(v) {
		return "", false
	}
	return cloudUnquote(v), true
}

// jsonNamesOf returns the JSON names encoding/json decodes into for struct type t: tagged and
// exported fields, and those of embedded structs (and pointers to structs) without a name.
func jsonNamesOf(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			names = append(names, jsonNamesOf(ft)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}

var (
	contactWireNames      = jsonNamesOf(reflect.TypeFor[cloudContactWire]())
	profileWireNames      = jsonNamesOf(reflect.TypeFor[cloudProfileWire]())
	messageWireNames      = jsonNamesOf(reflect.TypeFor[cloudMessageWire]())
	statusWireNames       = jsonNamesOf(reflect.TypeFor[cloudStatusWire]())
	mediaWireNames        = jsonNamesOf(reflect.TypeFor[cloudMediaWire]())
	pricingWireNames      = jsonNamesOf(reflect.TypeFor[cloudPricingWire]())
	textNames             = jsonNamesOf(reflect.TypeFor[gen.InboundText]())
	contextNames          = jsonNamesOf(reflect.TypeFor[gen.InboundContext]())
	conversationNames     = jsonNamesOf(reflect.TypeFor[gen.WebhookConversation]())
	conversationOrigNames = jsonNamesOf(reflect.TypeFor[gen.WebhookConversationOrigin]())
)

// nested allocates the struct *p points to, as encoding/json does for an object member of a
// nil pointer field, and returns the member's fastField with obj, the same struct as the
// fast path's view of it.
func nested[T any](p **T, bit uint64, obj func(*T) fastObject) fastField {
	*p = new(T)
	return fastField{kind: fastNested, bit: bit, obj: obj(*p)}
}

func optBool(p **bool, bit uint64) fastField { return fastField{kind: fastOptBool, bit: bit, optB: p} }

// The fast path's views of generated types (same layout, the methods of fastObject).
type (
	fastText         gen.InboundText
	fastContext      gen.InboundContext
	fastConversation gen.WebhookConversation
	fastOrigin       gen.WebhookConversationOrigin
)

func asText(t *gen.InboundText) fastObject                 { return (*fastText)(t) }
func asContext(c *gen.InboundContext) fastObject           { return (*fastContext)(c) }
func asConversation(c *gen.WebhookConversation) fastObject { return (*fastConversation)(c) }
func asOrigin(o *gen.WebhookConversationOrigin) fastObject { return (*fastOrigin)(o) }
func asMedia(w *cloudMediaWire) fastObject                 { return w }
func asPricing(w *cloudPricingWire) fastObject             { return w }
func asProfile(w *cloudProfileWire) fastObject             { return w }

func (t *fastText) jsonNames() []string { return textNames }

func (t *fastText) field(key []byte) fastField {
	if string(key) == "body" {
		return fastField{kind: fastString, bit: 1 << 0, str: &t.Body}
	}
	return fastField{}
}

func (c *fastContext) jsonNames() []string { return contextNames }

func (c *fastContext) field(key []byte) fastField {
	switch string(key) {
	case "from":
		return optString(&c.From, 1<<0)
	case "id":
		return optString(&c.ID, 1<<1)
	case "group_id":
		return optString(&c.GroupID, 1<<2)
	case "forwarded":
		return optBool(&c.Forwarded, 1<<3)
	case "frequently_forwarded":
		return optBool(&c.FrequentlyForwarded, 1<<4)
	case "mentions":
		return value(&c.Mentions, 1<<5)
	case "referred_product":
		return value(&c.ReferredProduct, 1<<6)
	}
	return fastField{}
}

func (c *fastConversation) jsonNames() []string { return conversationNames }

func (c *fastConversation) field(key []byte) fastField {
	switch string(key) {
	case "id":
		return optString(&c.ID, 1<<0)
	case "origin":
		return nested(&c.Origin, 1<<1, asOrigin)
	case "expiration_timestamp":
		return value(&c.ExpirationTimestamp, 1<<2)
	}
	return fastField{}
}

func (o *fastOrigin) jsonNames() []string { return conversationOrigNames }

func (o *fastOrigin) field(key []byte) fastField {
	if string(key) == "type" {
		return optString(&o.Type, 1<<0)
	}
	return fastField{}
}

func (w *cloudMediaWire) jsonNames() []string { return mediaWireNames }

func (w *cloudMediaWire) field(key []byte) fastField {
	switch string(key) {
	case "id":
		return fastField{kind: fastString, bit: 1 << 0, str: &w.ID}
	case "mime_type":
		return optString(&w.MimeType, 1<<1)
	case "sha256":
		return optString(&w.Sha256, 1<<2)
	case "url":
		return optString(&w.URL, 1<<3)
	case "caption":
		return optString(&w.Caption, 1<<4)
	case "filename":
		return optString(&w.Filename, 1<<5)
	case "voice":
		return optBool(&w.Voice, 1<<6)
	case "animated":
		return optBool(&w.Animated, 1<<7)
	case "file":
		return optString(&w.File, 1<<8)
	case "link":
		return optString(&w.Link, 1<<9)
	case "metadata":
		return value(&w.Metadata, 1<<10)
	}
	return fastField{}
}

func (w *cloudPricingWire) jsonNames() []string { return pricingWireNames }

func (w *cloudPricingWire) field(key []byte) fastField {
	switch string(key) {
	case "billable":
		return optBool(&w.Billable, 1<<0)
	case "category":
		return optString(&w.Category, 1<<1)
	case "pricing_model":
		return optString(&w.PricingModel, 1<<2)
	case "type":
		return optString(&w.Type, 1<<3)
	}
	return fastField{}
}

func optString(p **string, bit uint64) fastField {
	return fastField{kind: fastOptString, bit: bit, opt: p}
}

func value(p any, bit uint64) fastField { return fastField{kind: fastValue, bit: bit, val: p} }

func (w *cloudContactWire) jsonNames() []string { return contactWireNames }

func (w *cloudContactWire) field(key []byte) fastField {
	switch string(key) {
	case "wa_id":
		return optString(&w.WaID, 1<<0)
	case "user_id":
		return optString(&w.UserID, 1<<1)
	case "parent_user_id":
		return optString(&w.ParentUserID, 1<<2)
	case "identity_key_hash":
		return optString(&w.IdentityKeyHash, 1<<3)
	case "input":
		return optString(&w.Input, 1<<4)
	case "status":
		return optString(&w.Status, 1<<5)
	case "profile":
		return nested(&w.Profile, 1<<6, asProfile)
	}
	return fastField{}
}

func (w *cloudProfileWire) jsonNames() []string { return profileWireNames }

func (w *cloudProfileWire) field(key []byte) fastField {
	switch string(key) {
	case "name":
		return optString(&w.Name, 1<<0)
	case "username":
		return optString(&w.Username, 1<<1)
	}
	return fastField{}
}

func (w *cloudMessageWire) jsonNames() []string { return messageWireNames }

func (w *cloudMessageWire) field(key []byte) fastField {
	m := w.InboundMessage
	switch string(key) {
	case "id":
		return fastField{kind: fastString, bit: 1 << 0, str: &m.ID}
	case "from":
		return fastField{kind: fastString, bit: 1 << 1, str: &m.From}
	case "timestamp":
		return fastField{kind: fastString, bit: 1 << 2, str: &m.Timestamp}
	case "type":
		return fastField{kind: fastString, bit: 1 << 3, str: &m.Type}
	case "from_user_id":
		return optString(&w.FromUserID, 1<<4)
	case "from_parent_user_id":
		return optString(&w.FromParentUserID, 1<<5)
	case "group_id":
		return optString(&m.GroupID, 1<<6)
	case "text":
		return nested(&m.Text, 1<<7, asText)
	case "image":
		return nested(&w.Image, 1<<8, asMedia)
	case "audio":
		return nested(&w.Audio, 1<<9, asMedia)
	case "video":
		return nested(&w.Video, 1<<10, asMedia)
	case "document":
		return nested(&w.Document, 1<<11, asMedia)
	case "sticker":
		return nested(&w.Sticker, 1<<12, asMedia)
	case "context":
		return nested(&m.Context, 1<<13, asContext)
	case "errors":
		return value(&w.Errors, 1<<14)
	case "system":
		return value(&w.System, 1<<15)
	case "interactive":
		return value(&w.Interactive, 1<<16)
	case "reaction":
		return value(&w.Reaction, 1<<17)
	case "unsupported":
		return value(&w.Unsupported, 1<<18)
	case "location":
		return value(&m.Location, 1<<19)
	case "contacts":
		return value(&m.Contacts, 1<<20)
	case "button":
		return value(&m.Button, 1<<21)
	case "order":
		return value(&m.Order, 1<<22)
	case "referral":
		return value(&m.Referral, 1<<23)
	case "identity":
		return value(&m.Identity, 1<<24)
	case "voice":
		return value(&m.Voice, 1<<25)
	}
	return fastField{}
}

func (w *cloudStatusWire) jsonNames() []string { return statusWireNames }

func (w *cloudStatusWire) field(key []byte) fastField {
	s := w.MessageStatus
	switch string(key) {
	case "id":
		return fastField{kind: fastString, bit: 1 << 0, str: &s.ID}
	case "status":
		return fastField{kind: fastString, bit: 1 << 1, str: &s.Status}
	case "timestamp":
		return fastField{kind: fastString, bit: 1 << 2, str: &s.Timestamp}
	case "recipient_id":
		return optString(&s.RecipientID, 1<<3)
	case "recipient_user_id":
		return optString(&w.RecipientUserID, 1<<4)
	case "recipient_parent_user_id":
		return optString(&w.RecipientParentUserID, 1<<5)
	case "recipient_type":
		return optString(&w.RecipientType, 1<<6)
	case "biz_opaque_callback_data":
		return optString(&w.BizOpaqueCallbackData, 1<<7)
	case "group_id":
		return optString(&s.GroupID, 1<<8)
	case "type":
		return optString(&s.Type, 1<<9)
	case "conversation":
		return nested(&s.Conversation, 1<<10, asConversation)
	case "pricing":
		return nested(&w.Pricing, 1<<11, asPricing)
	case "errors":
		return value(&w.Errors, 1<<12)
	case "message":
		return value(&s.Message, 1<<13)
	}
	return fastField{}
}
