package webhook

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// fastWire is one of the wire types the fast path decodes, freshly made, with what
// json.Unmarshal fills.
type fastWire interface{ fastObject }

// fastWires make an empty wire value of each item kind the fast path decodes.
var fastWires = map[string]func() fastWire{
	keyContacts: func() fastWire { return &cloudContactWire{WebhookContact: new(gen.WebhookContact)} },
	keyMessages: func() fastWire { return &cloudMessageWire{InboundMessage: new(gen.InboundMessage)} },
	keyStatuses: func() fastWire { return &cloudStatusWire{MessageStatus: new(gen.MessageStatus)} },
}

// fastMatchesUnmarshal decodes item with the fast path and with json.Unmarshal into fresh
// wires of kind and reports whether the fast path took it; when it did, the two must agree
// and json.Unmarshal must succeed.
func fastMatchesUnmarshal(t *testing.T, kind string, item []byte) bool {
	t.Helper()
	sc, ok := newCloudScan(item)
	if !ok {
		return false
	}
	fast, slow := fastWires[kind](), fastWires[kind]()
	took := sc.decodeFast(item, fast)
	err := json.Unmarshal(item, slow)
	if !took || sc.bad {
		return false
	}
	require.NoError(t, err, "the fast path took %s item %s, which json.Unmarshal rejects", kind, item)
	require.Equal(t, slow, fast, "%s item %s", kind, item)
	return true
}

// TestCloudFastPathMatchesEncodingJSON checks the fast path of the item decoders on the
// whole corpus: every item it takes decodes exactly as json.Unmarshal decodes it, whole
// bodies decode to the same Notification with and without it, and it takes every item of
// the corpus (Meta's payloads are all plain), so that it is not silently bypassed.
func TestCloudFastPathMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	var taken, items int
	for _, f := range loadCloudCorpus(t) {
		fast, err := DecodeCloud(f.data)
		require.NoError(t, err, f.name)
		slow := new(Notification)
		require.NoError(t, slow.decodeCloudMode(clone(f.data), true), f.name)
		require.Equal(t, slow, fast, f.name)
		for kind, raws := range map[string][]json.RawMessage{
			keyContacts: rawsOf(fast.Contacts, (*Contact).Raw),
			keyMessages: rawsOf(fast.Messages, (*Message).Raw),
			keyStatuses: rawsOf(fast.Statuses, (*Status).Raw),
		} {
			for _, raw := range raws {
				items++
				if fastMatchesUnmarshal(t, kind, raw) {
					taken++
				} else {
					t.Errorf("%s: the fast path leaves %s item %s to json.Unmarshal", f.name, kind, raw)
				}
			}
		}
	}
	assert.Greater(t, items, 60)
	t.Logf("fast path: %d of %d corpus items", taken, items)
}

func rawsOf[T any](items []T, raw func(*T) json.RawMessage) []json.RawMessage {
	out := make([]json.RawMessage, len(items))
	for i := range items {
		out[i] = raw(&items[i])
	}
	return out
}

// TestCloudFastPathLeavesWhatItCannotDecideToEncodingJSON checks items on the fast path's
// edges: those that are not plain go to json.Unmarshal (the fast path declines them), the
// others it takes decode as json.Unmarshal decodes them; either way the body decodes as
// without the fast path.
func TestCloudFastPathLeavesWhatItCannotDecideToEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, kind, item string
		fast             bool // the fast path takes it (else it must decline it)
	}{
		{"folded key", keyMessages, `{"ID":"A","type":"text","timestamp":"1"}`, false},
		{"folded outer key", keyStatuses, `{"id":"S","Recipient_User_ID":"U"}`, false},
		{"folded nested key", keyContacts, `{"profile":{"NAME":"x"}}`, false},
		{"escaped key", keyMessages, `{"\u0069d":"A","type":"text"}`, false},
		{"non-ASCII key", keyContacts, `{"wa_\u00efd":"1","\u212aey":"k"}`, false},
		{"kelvin sign folds to k", keyContacts, "{\"identity_\u212aey_hash\":\"h\"}", false},
		{"repeated string", keyMessages, `{"id":"A","id":"B"}`, false},
		{"repeated object merges in encoding/json", keyContacts, `{"profile":{"name":"a"},"profile":{"username":"u"}}`, false},
		{"null string", keyMessages, `{"id":null,"type":"text"}`, false},
		{"null optional string", keyContacts, `{"wa_id":null}`, false},
		{"null object", keyContacts, `{"profile":null}`, false},
		{"number for string", keyStatuses, `{"id":"S","status":1}`, false},
		{"string for object", keyMessages, `{"id":"A","text":"hi"}`, false},
		{"type error inside a block", keyMessages, `{"id":"A","text":{"body":5}}`, false},
		{"voice", keyMessages, `{"id":"A","voice":{"id":"m"}}`, true},
		{"unknown key", keyMessages, `{"id":"A","new_field":{"x":[1,2]},"type":"text"}`, true},
		{"escapes in a value", keyContacts, `{"profile":{"name":"a\"b\u00e9"},"wa_id":"1"}`, true},
		{"invalid UTF-8 in a value", keyContacts, "{\"wa_id\":\"\xff\"}", true},
		{"folded key in a block", keyMessages, `{"id":"A","image":{"ID":"m"}}`, false},
		{"bool as string", keyMessages, `{"id":"A","audio":{"id":"m","voice":"true"}}`, false},
		{"null bool", keyMessages, `{"id":"A","context":{"forwarded":null}}`, false},
		{"repeated key in a block", keyStatuses, `{"id":"S","pricing":{"type":"regular","type":"free_entry_point"}}`, false},
		{"plain bools", keyMessages, `{"id":"A","audio":{"id":"m","voice":true},"context":{"forwarded":false,"id":"B"}}`, true},
		{"conversation", keyStatuses, `{"id":"S","conversation":{"id":"c","origin":{"type":"service"},"expiration_timestamp":1700000000}}`, true},
		{"not an object", keyStatuses, `[]`, false},
		{"empty object", keyStatuses, `{}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			took := fastMatchesUnmarshal(t, tc.kind, []byte(tc.item))
			assert.Equal(t, tc.fast, took, "the fast path takes %s", tc.item)
			body := []byte(`{"entry":[{"changes":[{"field":"messages","value":{"` + tc.kind + `":[` + tc.item + `]}}]}]}`)
			fast, err := DecodeCloud(body)
			require.NoError(t, err)
			slow := new(Notification)
			require.NoError(t, slow.decodeCloudMode(clone(body), true))
			assert.Equal(t, slow, fast)
		})
	}
}

// TestCloudFastPathNamesEveryField checks each wire type's field switch against the JSON
// names encoding/json decodes into: it names every one of them (a name it lacked would still
// be decoded right, by json.Unmarshal through jsonNames, but slowly), and no other (it would
// decode a key that encoding/json ignores).
func TestCloudFastPathNamesEveryField(t *testing.T) {
	t.Parallel()
	objects := map[string]func() fastObject{
		"contact":      func() fastObject { return fastWires[keyContacts]() },
		"message":      func() fastObject { return fastWires[keyMessages]() },
		"status":       func() fastObject { return fastWires[keyStatuses]() },
		"profile":      func() fastObject { return new(cloudProfileWire) },
		"media":        func() fastObject { return new(cloudMediaWire) },
		"pricing":      func() fastObject { return new(cloudPricingWire) },
		"text":         func() fastObject { return new(fastText) },
		"context":      func() fastObject { return new(fastContext) },
		"conversation": func() fastObject { return new(fastConversation) },
		"origin":       func() fastObject { return new(fastOrigin) },
	}
	var every []string
	for _, mk := range objects {
		every = append(every, mk().jsonNames()...)
	}
	for kind, mk := range objects {
		names := mk().jsonNames()
		require.NotEmpty(t, names)
		for _, name := range names {
			assert.NotEqual(t, fastSkip, mk().field([]byte(name)).kind, "%s: %q is not in the field switch", kind, name)
		}
		for _, name := range append(every, "x", "ID", "") {
			if mk().field([]byte(name)).kind != fastSkip {
				assert.Contains(t, names, name, "%s: the switch names %q, which encoding/json does not decode", kind, name)
			}
		}
	}
}
