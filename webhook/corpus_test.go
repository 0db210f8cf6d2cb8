package webhook

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusFile is one payload of testdata/. Its kind is the file name up to the first '_':
// message, system, identity, status, errors, service, contacts, combined, and future/unknown
// for payloads that test tolerance of what the spec does not (yet) describe.
type corpusFile struct {
	name string
	kind string
	data []byte
}

// tolerance reports whether the payload lies outside the spec on purpose.
func (f corpusFile) tolerance() bool { return f.kind == "future" || f.kind == "unknown" }

func loadCorpus(tb testing.TB) []corpusFile {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(tb, err)
	require.GreaterOrEqual(tb, len(paths), 30, "the corpus holds at least 30 payloads")
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

func TestCorpusKinds(t *testing.T) {
	t.Parallel()
	known := []string{"message", "system", "identity", "status", "errors", "service", "contacts", "combined", "future", "unknown"}
	counts := map[string]int{}
	for _, f := range loadCorpus(t) {
		assert.Contains(t, known, f.kind, "%s: file name must start with a known kind", f.name)
		counts[f.kind]++
	}
	for _, k := range known {
		assert.Positive(t, counts[k], "no payload of kind %s", k)
	}
	t.Logf("corpus by kind: %v", counts)
}

// wantUnknown is the number of catch-all items of each payload that has any. Extra fields and
// unknown system event types are not among them: they decode into the typed values.
var wantUnknown = map[string]int{
	"future_message_type_reaction.json":  1,
	"future_status_played.json":          1,
	"future_timestamp_number_mixed.json": 1,
	"future_service_backup.json":         1,
	"unknown_top_level_key.json":         1,
}

// TestCorpusDecodes decodes every payload and checks that every item of the input is in the
// notification exactly once (typed or Unknown) with its raw JSON, and that each kind of file
// yields its kind of item.
func TestCorpusDecodes(t *testing.T) {
	t.Parallel()
	for _, f := range loadCorpus(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			n, err := Decode(f.data)
			require.NoError(t, err)
			if f.name == "future_timestamp_number_mixed.json" {
				var ie *ItemError
				require.ErrorAs(t, n.Err(), &ie)
				assert.Equal(t, keyMessages, ie.Key)
			} else {
				require.NoError(t, n.Err())
			}

			assert.Equal(t, canonicalItems(t, f.data), canonicalItems(t, itemsJSON(t, n)),
				"the items of the notification are not those of the input")

			switch f.kind {
			case "message":
				assert.NotEmpty(t, n.Messages)
				for _, m := range n.Messages {
					assert.NotNil(t, m.Sender, "message %s: sender not linked", m.ID)
					if media := m.Media(); m.Type != MessageTypeText && media != nil {
						assert.NotEmpty(t, media.ID)
					}
				}
			case "system":
				assert.NotEmpty(t, n.SystemMessages())
			case "identity":
				changes := n.IdentityChanges()
				require.NotEmpty(t, changes)
				for _, ic := range changes {
					assert.NotEmpty(t, ic.WaID)
					assert.NotEmpty(t, ic.Hash)
				}
			case "status":
				assert.NotEmpty(t, n.Statuses)
			case "errors":
				assert.NotEmpty(t, n.Errors)
			case "service":
				require.NotEmpty(t, n.Services)
				for _, s := range n.Services {
					gc, job := s.GC()
					require.NotNil(t, gc)
					assert.Contains(t, []string{keyMessage, keyMedia}, job)
				}
			case "contacts":
				require.NotEmpty(t, n.Contacts)
				for _, c := range n.Contacts {
					assert.True(t, c.IsCheckResult())
				}
			case "combined":
				kinds := 0
				for _, l := range []int{len(n.Messages), len(n.Statuses), len(n.Errors), len(n.Services)} {
					if l > 0 {
						kinds++
					}
				}
				assert.True(t, kinds > 1 || len(n.Messages) > 1 || len(n.Statuses) > 1,
					"a combined payload carries several items")
			}
			assert.Len(t, n.Unknown, wantUnknown[f.name], "items in the catch-all")
		})
	}
}

// TestCorpusRoundTrip re-encodes every decoded payload: the JSON equals the input, with no
// field dropped. A notification rebuilt from its items (no raw body) encodes the same items.
func TestCorpusRoundTrip(t *testing.T) {
	t.Parallel()
	for _, f := range loadCorpus(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			n, err := Decode(f.data)
			require.NoError(t, err)
			out, err := json.Marshal(n)
			require.NoError(t, err)
			assert.JSONEq(t, string(f.data), string(out))

			var again Notification
			require.NoError(t, json.Unmarshal(out, &again))
			assert.Equal(t, n.Len(), again.Len())

			rebuilt := Notification{Contacts: n.Contacts, Messages: n.Messages, Statuses: n.Statuses,
				Errors: n.Errors, Services: n.Services, Unknown: n.Unknown}
			out, err = json.Marshal(rebuilt)
			require.NoError(t, err)
			assert.Equal(t, canonicalItems(t, f.data), canonicalItems(t, out))
		})
	}
}

// TestCorpusTypedCoverage is the strict form of "no field dropped": for every payload that
// follows the spec, encoding each item's generated type (not its raw JSON) gives the input
// item back. Two differences are allowed because the generated types cannot represent them
// and the spec declares both forms equivalent: a member whose value is null is the same as
// an absent one (nullable fields are pointers), and a number sent as a numeric string is the
// same as the number (those fields are json.Number).
func TestCorpusTypedCoverage(t *testing.T) {
	t.Parallel()
	for _, f := range loadCorpus(t) {
		if f.tolerance() {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			n, err := Decode(f.data)
			require.NoError(t, err)
			require.Empty(t, n.Unknown)
			check := func(raw json.RawMessage, typed any) {
				t.Helper()
				out, err := json.Marshal(typed)
				require.NoError(t, err)
				assert.Equal(t, normalize(t, raw), normalize(t, out), "typed value differs from %s", raw)
			}
			for _, c := range n.Contacts {
				check(c.Raw(), c.WebhookContact)
			}
			for _, m := range n.Messages {
				check(m.Raw(), m.InboundMessage)
			}
			for _, s := range n.Statuses {
				check(s.Raw(), s.MessageStatus)
			}
			for _, e := range n.Errors {
				check(e.Raw(), e.ErrorDetail)
			}
			for _, s := range n.Services {
				check(s.Raw(), s.WebhookServiceNotice)
			}
		})
	}
}

// TestCorpusValidatesAgainstSpec validates every payload that is not a tolerance test
// against the spec's WebhookNotification schema.
func TestCorpusValidatesAgainstSpec(t *testing.T) {
	t.Parallel()
	schema := specSchema(t, "WebhookNotification")
	for _, f := range loadCorpus(t) {
		if f.tolerance() {
			if f.name == "future_timestamp_number_mixed.json" {
				// Proves the validator is strict where the decoder is tolerant.
				var v any
				require.NoError(t, json.Unmarshal(f.data, &v))
				assert.Error(t, schema.VisitJSON(v), "a numeric timestamp is outside the spec")
			}
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			var v any
			require.NoError(t, json.Unmarshal(f.data, &v))
			assert.NoError(t, schema.VisitJSON(v))
		})
	}
}

// itemsJSON encodes n from its items only, ignoring the raw body.
func itemsJSON(t *testing.T, n *Notification) []byte {
	t.Helper()
	rebuilt := *n
	rebuilt.raw = nil
	out, err := json.Marshal(rebuilt)
	require.NoError(t, err)
	return out
}

// canonicalItems maps each top-level key of a payload to its items as sorted compact JSON
// (the value itself when it is not an array), so that payloads compare regardless of the
// order of items.
func canonicalItems(t *testing.T, data []byte) map[string][]string {
	t.Helper()
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &top))
	out := map[string][]string{}
	for k, v := range top {
		var items []json.RawMessage
		if json.Unmarshal(v, &items) != nil || bytes.Equal(v, []byte("null")) {
			items = []json.RawMessage{v}
		}
		list := make([]string, 0, len(items))
		for _, it := range items {
			var anyv any
			require.NoError(t, json.Unmarshal(it, &anyv))
			b, err := json.Marshal(anyv)
			require.NoError(t, err)
			list = append(list, string(b))
		}
		slices.Sort(list)
		out[k] = list
	}
	return out
}

var numericString = regexp.MustCompile(`^-?\d+(\.\d+)?$`)

// normalize decodes data into a tree where null members are removed and numeric strings are
// numbers; see TestCorpusTypedCoverage.
func normalize(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if e == nil {
					delete(x, k)
					continue
				}
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case string:
			if numericString.MatchString(x) {
				f, err := strconv.ParseFloat(x, 64)
				require.NoError(t, err)
				return f
			}
		}
		return v
	}
	return walk(v)
}
