package webhook

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The corpus's business account and phone numbers (testdata/cloud/).
const (
	corpusWABA    = "102290129340398"
	corpusPNID    = "106540352242922"
	corpusDisplay = "15550783881"
)

// loadCloudCorpus reads testdata/cloud/. A file's kind is its name up to the first '_':
// message, system, status, errors, combined, field (changes of fields other than messages),
// and future/unknown for payloads outside the spec on purpose.
func loadCloudCorpus(tb testing.TB) []corpusFile {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "cloud", "*.json"))
	require.NoError(tb, err)
	require.GreaterOrEqual(tb, len(paths), 30, "the Cloud corpus holds at least 30 payloads")
	files := make([]corpusFile, 0, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(tb, err)
		name := filepath.Base(p)
		kind, _, _ := strings.Cut(name, "_")
		files = append(files, corpusFile{name: name, kind: kind, data: data})
	}
	return files
}

var cloudKinds = []string{"message", "system", "status", "errors", "combined", "field", "future", "unknown"}

func TestCloudCorpusKinds(t *testing.T) {
	t.Parallel()
	counts := map[string]int{}
	for _, f := range loadCloudCorpus(t) {
		assert.Contains(t, cloudKinds, f.kind, "%s: file name must start with a known kind", f.name)
		counts[f.kind]++
	}
	for _, k := range cloudKinds {
		assert.Positive(t, counts[k], "no Cloud payload of kind %s", k)
	}
	t.Logf("Cloud corpus by kind: %v", counts)
}

// wantCloudUnknown is the number of catch-all items of each Cloud payload that has any.
var wantCloudUnknown = map[string]int{
	"combined_messages_and_template_update.json": 1,
	"field_account_update.json":                  1,
	"field_group_lifecycle_update.json":          1,
	"field_message_template_status_update.json":  1,
	"field_phone_number_quality_update.json":     1,
	"future_extra_fields.json":                   1,
	"future_field_calls.json":                    1,
	"future_message_type_ephemeral.json":         1,
	"future_timestamp_number.json":               1,
	"unknown_top_level_key.json":                 1,
}

// TestCloudCorpusDecodes decodes every Cloud payload and checks that every item of the
// envelope is in the notification exactly once (typed or Unknown) with its raw JSON, that
// every item says where it came from, and that each kind of file yields its kind of item.
func TestCloudCorpusDecodes(t *testing.T) {
	t.Parallel()
	for _, f := range loadCloudCorpus(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			n, err := DecodeCloud(f.data)
			require.NoError(t, err)
			if f.name == "future_timestamp_number.json" {
				var ie *ItemError
				require.ErrorAs(t, n.Err(), &ie)
				assert.Equal(t, keyMessages, ie.Key)
			} else {
				require.NoError(t, n.Err())
			}
			assert.Equal(t, splitCloud(t, f.data), cloudItemsOf(n),
				"the items of the notification are not those of the envelope")
			assert.Len(t, n.Unknown, wantCloudUnknown[f.name], "items in the catch-all")
			assertSources(t, n)

			switch f.kind {
			case "message":
				require.NotEmpty(t, n.Messages)
				for _, m := range n.Messages {
					assert.NotNil(t, m.Sender, "message %s: sender not linked", m.ID)
					assert.NotEmpty(t, m.SenderID())
					if media := m.Media(); media != nil {
						assert.NotEmpty(t, media.ID)
						assert.NotEmpty(t, m.Cloud.MediaURL, "media url not typed")
					}
				}
			case "system":
				require.NotEmpty(t, n.SystemMessages())
				assert.Empty(t, n.Contacts, "system messages carry no contacts")
			case "status":
				assert.NotEmpty(t, n.Statuses)
			case "errors":
				require.NotEmpty(t, n.Errors)
				for _, e := range n.Errors {
					assert.NotZero(t, e.Code)
					require.NotNil(t, e.Details, "error_data.details not normalised into details")
					assert.Equal(t, e.Cloud.Error.Details, *e.Details)
				}
			case "field":
				require.Len(t, n.Unknown, 1)
				u := n.Unknown[0]
				assert.Equal(t, u.Cloud.Field, u.Key)
				assert.Equal(t, -1, u.Index)
				assert.NoError(t, u.Err)
			case "combined":
				assert.Greater(t, n.Len(), 2, "a combined payload carries several items")
			}
		})
	}
}

// assertSources checks that every item of a Cloud notification names its business account,
// and the items of messages changes their phone number.
func assertSources(t *testing.T, n *Notification) {
	t.Helper()
	check := func(what string, src CloudSource) {
		t.Helper()
		assert.NotEmpty(t, src.WABAID, "%s: no business account id", what)
		assert.GreaterOrEqual(t, src.Entry, 0, what)
		assert.GreaterOrEqual(t, src.Change, 0, what)
		if src.Field == CloudFieldMessages {
			assert.NotEmpty(t, src.PhoneNumberID, "%s: no phone_number_id", what)
			assert.NotEmpty(t, src.DisplayPhoneNumber, "%s: no display number", what)
		}
	}
	for _, c := range n.Contacts {
		require.NotNil(t, c.Cloud)
		check("contact", c.Cloud.Source)
	}
	for _, m := range n.Messages {
		require.NotNil(t, m.Cloud)
		check("message "+m.ID, m.Cloud.Source)
	}
	for _, s := range n.Statuses {
		require.NotNil(t, s.Cloud)
		check("status "+s.ID, s.Cloud.Source)
	}
	for _, e := range n.Errors {
		require.NotNil(t, e.Cloud)
		check("error", e.Cloud.Source)
	}
	for _, u := range n.Unknown {
		if u.Key == "trace" { // an unknown top-level key belongs to no entry
			assert.Nil(t, u.Cloud)
			continue
		}
		require.NotNil(t, u.Cloud, "unknown %s", u.Key)
		check("unknown "+u.Key, *u.Cloud)
	}
}

// TestCloudCorpusRoundTrip re-encodes every decoded Cloud payload: the JSON is the body as
// received, and each item encodes as its own JSON as received.
func TestCloudCorpusRoundTrip(t *testing.T) {
	t.Parallel()
	for _, f := range loadCloudCorpus(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			n, err := DecodeCloud(f.data)
			require.NoError(t, err)
			out, err := json.Marshal(n)
			require.NoError(t, err)
			assert.JSONEq(t, string(f.data), string(out))
			for _, m := range n.Messages {
				out, err := json.Marshal(m)
				require.NoError(t, err)
				assert.JSONEq(t, string(m.Raw()), string(out))
			}
		})
	}
}

// TestDecodeCloudGivesTheOnPremisesNotification decodes each Cloud payload with DecodeCloud
// and, unwrapped by hand into the flat On-Premises body (the value without messaging_product
// and metadata), with Decode: the typed On-Premises view of every item is the same. The
// payloads whose Cloud form differs on purpose (error shape, type names) are compared after
// the mapping, in TestDecodeCloudMapsToOnPremisesNames.
func TestDecodeCloudGivesTheOnPremisesNotification(t *testing.T) {
	t.Parallel()
	compared := 0
	for _, f := range loadCloudCorpus(t) {
		flat, ok := flatOnPrem(t, f.data)
		if !ok || cloudMapped(f.data) {
			continue
		}
		compared++
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			cloud, err := DecodeCloud(f.data)
			require.NoError(t, err)
			onPrem, err := Decode(flat)
			require.NoError(t, err)
			enc := func(v any) string {
				b, err := json.Marshal(v)
				require.NoError(t, err)
				return string(b)
			}
			require.Len(t, cloud.Contacts, len(onPrem.Contacts))
			for i := range onPrem.Contacts {
				assert.Equal(t, enc(onPrem.Contacts[i].WebhookContact), enc(cloud.Contacts[i].WebhookContact))
			}
			// On-Premises Decode passes the Cloud-only types and values to Unknown.
			var msgs []Message
			for _, m := range cloud.Messages {
				if IsKnownMessageType(m.Type) {
					msgs = append(msgs, m)
				}
			}
			require.Len(t, msgs, len(onPrem.Messages))
			for i := range onPrem.Messages {
				assert.Equal(t, enc(onPrem.Messages[i].InboundMessage), enc(msgs[i].InboundMessage))
				if msgs[i].From != "" { // without one, only the Cloud decoder links by BSUID
					assert.Equal(t, onPrem.Messages[i].Sender != nil, msgs[i].Sender != nil)
				}
			}
			var statuses []Status
			for _, s := range cloud.Statuses {
				if IsKnownStatus(s.Status) {
					statuses = append(statuses, s)
				}
			}
			require.Len(t, statuses, len(onPrem.Statuses))
			for i := range onPrem.Statuses {
				assert.Equal(t, enc(onPrem.Statuses[i].MessageStatus), enc(statuses[i].MessageStatus))
			}
		})
	}
	assert.Greater(t, compared, 20, "too few payloads compared")
}

// cloudMapped reports whether the payload holds what the Cloud decoder maps on purpose:
// error objects (Cloud shape) and system messages (type names).
func cloudMapped(data []byte) bool {
	return bytes.Contains(data, []byte(`"errors"`)) || bytes.Contains(data, []byte(`"system"`))
}

// flatOnPrem returns the flat On-Premises body equivalent to a Cloud payload of exactly one
// messages change: its value without messaging_product and metadata.
func flatOnPrem(t testing.TB, data []byte) ([]byte, bool) {
	var env struct {
		Entry []struct {
			Changes []struct {
				Field string                     `json:"field"`
				Value map[string]json.RawMessage `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if json.Unmarshal(data, &env) != nil || len(env.Entry) != 1 || len(env.Entry[0].Changes) != 1 {
		return nil, false
	}
	ch := env.Entry[0].Changes[0]
	if ch.Field != CloudFieldMessages {
		return nil, false
	}
	delete(ch.Value, keyMessagingProduct)
	delete(ch.Value, keyMetadata)
	out, err := json.Marshal(ch.Value)
	require.NoError(t, err)
	return out, true
}

// splitCloud splits a Cloud envelope with encoding/json, independently of the decoder, into
// the items the decoder must give, as key → sorted compact JSON: the elements of the
// contacts, messages, statuses and errors arrays of messages changes; the value of every
// other change under its field; the value of any unknown key of the envelope or of a
// messages value under that key.
func splitCloud(t testing.TB, data []byte) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	add := func(key string, raw []byte) {
		var v any
		require.NoError(t, json.Unmarshal(raw, &v))
		b, err := json.Marshal(v)
		require.NoError(t, err)
		out[key] = append(out[key], string(b))
	}
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &top))
	for k, v := range top {
		if k != keyObject && k != keyEntry {
			add(k, v)
		}
	}
	var entries []struct {
		Changes []struct {
			Field string          `json:"field"`
			Value json.RawMessage `json:"value"`
		} `json:"changes"`
	}
	require.NoError(t, json.Unmarshal(top[keyEntry], &entries))
	for _, e := range entries {
		for _, ch := range e.Changes {
			if ch.Field != CloudFieldMessages {
				add(ch.Field, ch.Value)
				continue
			}
			var value map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(ch.Value, &value))
			for k, v := range value {
				switch k {
				case keyMessagingProduct, keyMetadata:
				case keyContacts, keyMessages, keyStatuses, keyErrors:
					var items []json.RawMessage
					require.NoError(t, json.Unmarshal(v, &items))
					for _, it := range items {
						add(k, it)
					}
				default:
					add(k, v)
				}
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// cloudItemsOf returns the raw JSON of n's items by key, compact and sorted, in the form of
// splitCloud.
func cloudItemsOf(n *Notification) map[string][]string {
	out := map[string][]string{}
	add := func(key string, raw []byte) { out[key] = append(out[key], canonicalJSON(raw)) }
	for i := range n.Contacts {
		add(keyContacts, n.Contacts[i].Raw())
	}
	for i := range n.Messages {
		add(keyMessages, n.Messages[i].Raw())
	}
	for i := range n.Statuses {
		add(keyStatuses, n.Statuses[i].Raw())
	}
	for i := range n.Errors {
		add(keyErrors, n.Errors[i].Raw())
	}
	for i := range n.Unknown {
		add(n.Unknown[i].Key, n.Unknown[i].Raw)
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// canonicalJSON returns raw decoded and encoded again (compact, keys sorted), or raw marked
// INVALID when it is not JSON.
func canonicalJSON(raw []byte) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "INVALID:" + string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
