package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// cloudFuzzSeeds are envelopes beyond the corpus that sit on the Cloud decoder's edges.
var cloudFuzzSeeds = []string{
	``,
	`{}`,
	`[]`,
	`{"entry":null}`,
	`{"entry":{}}`,
	`{"entry":[1,null,[],{}]}`,
	`{"entry":[{"changes":null}]}`,
	`{"entry":[{"id":7,"changes":[1,{"field":1},{"field":"messages"},{"field":"messages","value":null}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"metadata":[],"messages":{},"statuses":[null],"x":1}}]}]}`,
	`{"entry":[{"changes":[{"field":"mess\u0061ges","value":{"messages":[{"id":"A","type":"text","from":"1","timestamp":"1"}]}}]}]}`,
	`{"entry":[],"entry":[{"changes":[{"field":"a","field":"messages","value":{"contacts":[{"user_id":"U"}],"messages":[{"from_user_id":"U","id":"B","type":"reaction"}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"C","type":"system","system":{"type":"user_changed_number"}}],"errors":[{"code":"x"}]}}]}]}`,
	// The items' fast path: folded, repeated and escaped keys, nulls, wrong types, bools.
	`{"entry":[{"changes":[{"field":"messages","value":{"contacts":[{"Wa_ID":"1","profile":{"name":null}},{"profile":{"name":"a"},"profile":{"username":"u"}}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"D","\u0074ype":"audio","audio":{"id":"m","voice":"true"},"context":{"forwarded":true,"id":5}}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"S","status":"sent","pricing":{"billable":false,"type":"regular","type":"x"},"conversation":{"origin":{"type":null},"expiration_timestamp":"17"}}]}}]}]}`,
}

func addCloudSeeds(f *testing.F, add func(data []byte)) {
	for _, c := range loadCloudCorpus(f) {
		add(c.data)
	}
	for _, s := range cloudFuzzSeeds {
		add([]byte(s))
	}
}

// FuzzDecodeCloud checks that DecodeCloud never panics, fails exactly on bodies that are not
// a JSON object, keeps every item's raw JSON valid, gives exactly the items an independent
// split with encoding/json gives (so nothing is lost or duplicated), and re-encodes to the
// body.
func FuzzDecodeCloud(f *testing.F) {
	addCloudSeeds(f, func(data []byte) { f.Add(data) })
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := DecodeCloud(data)
		wantOK := json.Valid(data) && isObject(data)
		if (err == nil) != wantOK {
			t.Fatalf("DecodeCloud error = %v, want success %v", err, wantOK)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		want := splitCloudLoose(t, data)
		got := cloudItemsOf(n)
		for _, items := range got {
			for _, it := range items {
				if len(it) >= 8 && it[:8] == "INVALID:" {
					t.Fatalf("item raw JSON is invalid: %q", it)
				}
			}
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("items differ from encoding/json's split\n in: %q\nwant: %q\n got: %q", data, want, got)
		}
		for i := range n.Messages {
			if n.Messages[i].Cloud == nil {
				t.Fatalf("message %d has no Cloud field", i)
			}
		}
		out, err := json.Marshal(n)
		if err != nil || canonicalJSON(out) != canonicalJSON(data) {
			t.Fatalf("re-encoding differs: %v\n in: %q\nout: %q", err, data, out)
		}
		// The fast path gives what json.Unmarshal of every item gives.
		slow := new(Notification)
		if err := slow.decodeCloudMode(clone(data), true); err != nil {
			t.Fatalf("decode without the fast path fails: %v", err)
		}
		if !reflect.DeepEqual(n, slow) {
			t.Fatalf("the fast path decodes differently from json.Unmarshal\n in: %q\nfast: %+v\nslow: %+v", data, n, slow)
		}
	})
}

// splitCloudLoose is splitCloud for any JSON object: it follows the decoder's documented
// rules with encoding/json alone (last of repeated keys wins, as in encoding/json).
func splitCloudLoose(t *testing.T, data []byte) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	add := func(key string, raw []byte) { out[key] = append(out[key], canonicalJSON(raw)) }
	object := func(raw []byte) map[string]json.RawMessage {
		var m map[string]json.RawMessage
		if !isObject(raw) || json.Unmarshal(raw, &m) != nil {
			return nil
		}
		return m
	}
	array := func(key string, raw json.RawMessage) []json.RawMessage {
		if raw == nil || string(raw) == "null" {
			return nil
		}
		var items []json.RawMessage
		if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
			add(key, raw)
			return nil
		}
		return items
	}
	top := object(data)
	for k, v := range top {
		if k != keyObject && k != keyEntry {
			add(k, v)
		}
	}
	for _, e := range array(keyEntry, top[keyEntry]) {
		entry := object(e)
		if entry == nil {
			add(keyEntry, e)
			continue
		}
		for _, c := range array(keyChanges, entry[keyChanges]) {
			change := object(c)
			if change == nil {
				add(keyChanges, c)
				continue
			}
			field := ""
			if fv := change[keyField]; len(fv) > 0 {
				switch {
				case fv[0] == '"':
					_ = json.Unmarshal(fv, &field)
				case fv[0] == '-' || '0' <= fv[0] && fv[0] <= '9':
					field = string(fv)
				}
			}
			value, hasValue := change[keyValue]
			if v := object(value); field == CloudFieldMessages && v != nil {
				for k, item := range v {
					switch k {
					case keyMessagingProduct:
					case keyMetadata:
						if string(item) != "null" && object(item) == nil {
							add(k, item)
						}
					case keyContacts, keyMessages, keyStatuses, keyErrors:
						for _, it := range array(k, item) {
							add(k, it)
						}
					default:
						add(k, item)
					}
				}
				continue
			}
			key := field
			if key == "" {
				key = keyChanges
			}
			if hasValue {
				add(key, value)
			} else {
				add(key, c)
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// FuzzCloudHandler checks the answers of a Cloud Handler: 401 for an unsigned body, and for a
// signed one 200 for any JSON object, 400 for anything else, 413 beyond the limit, 500 only
// when a callback failed; no callback runs for an unsigned body.
func FuzzCloudHandler(f *testing.F) {
	addCloudSeeds(f, func(data []byte) {
		f.Add(data, true, false)
		f.Add(data, true, true)
		f.Add(data, false, false)
	})
	const limit = 64 << 10
	f.Fuzz(func(t *testing.T, body []byte, signed, fail bool) {
		var calls int
		outcome := func() error {
			calls++
			if fail {
				return errors.New("callback failed")
			}
			return nil
		}
		d, err := NewDedupe(16, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		h, err := NewHandler(WithLogger(quietLogger()), WithMaxBodyBytes(limit), WithDedupe(d),
			WithCloud(testAppSecret, testVerifyToken),
			WithMessageFunc(func(context.Context, *Message) error { return outcome() }),
			WithStatusFunc(func(context.Context, *Status) error { return outcome() }),
			WithErrorNoticeFunc(func(context.Context, *ErrorNotice) error { return outcome() }),
			WithContactCheckFunc(func(context.Context, *Contact) error { return outcome() }),
			WithUnknownFunc(func(context.Context, *Unknown) error { return outcome() }),
		)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/cloud", bytes.NewReader(body))
		if signed {
			req.Header.Set(CloudSignatureHeader, sign(body))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		switch {
		case !signed:
			if rec.Code != http.StatusUnauthorized || calls != 0 {
				t.Fatalf("unsigned body: status %d, %d callbacks", rec.Code, calls)
			}
		case len(body) > limit:
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d for a body over the limit", rec.Code)
			}
		case !json.Valid(body) || !isObject(body):
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d for malformed input %q", rec.Code, body)
			}
		case fail && calls > 0:
			if rec.Code != http.StatusInternalServerError {
				t.Fatalf("status %d after a callback failed", rec.Code)
			}
		default:
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d for %q (callbacks: %d)", rec.Code, body, calls)
			}
		}
		if rec.Code != http.StatusOK && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("error answer is not JSON: %q", rec.Body.Bytes())
		}
	})
}

// cloudScanCases are values on the edges of the JSON grammar. The Cloud decoder checks a
// body's validity in parts (its walk checks the envelope's levels, json.Unmarshal each item,
// json.Valid every other value), so each case is tried at every place of the envelope that
// a different part checks (cloudScanPlaces).
var cloudScanCases = []string{
	``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `-`, `01`, `1.`, `1.5`, `1e`, `1e+`, `1E-7`, `.5`, `+1`,
	`true`, `tru`, `nul`, `null `, `nullx`, `{"a":1,}`, `[1,]`, `[,1]`, `{"a" 1}`, `{1:2}`,
	`{"a":1}{}`, `"\u00e9"`, `"\u00g9"`, `"\x"`, "\"a\tb\"", "\"\xff\"", `"\"\\\/\b\f\n\r\t"`,
	`[[[[[[[[[[]]]]]]]]]]`, `[[[[[[[[[[]]]]]]]]]`, `{"a":[{"b":{"c":[1,{"d":[]}]}}]}`, "\t{\r\n}\n",
	`{"a":"b"`, `{"a"`, `{"a":`, `[1 2]`, `{"a":1 "b":2}`, `}`, `]`, `[}`, `{]`, `{"a":[}]}`,
	`{"id":"A","type":"text","from":"1","timestamp":"1","text":{"body":"x"}}`,
	`{"id":"A","type":"text","from":"1","timestamp":"1","text":{"body":"x"}`,
	`{"id":"A","type":"text","from":"1","timestamp":1}`, `{"recipient_id":"1","id":"S","status":"sent"}`,
}

// cloudScanPlaces are envelopes with one %s where a value of cloudScanCases goes: the body
// itself, the top level's known and unknown keys, an entry, its id and an unknown key, a
// change, its field and value, the value's metadata and its members, the item arrays and
// an item of each, an unknown key of the value, and the value of another field.
var cloudScanPlaces = []string{
	`%s`,
	`{"object":%s,"entry":[]}`,
	`{"entry":%s}`,
	`{"entry":[],"entry":%s}`,
	`{"entry":%s,"entry":[]}`,
	`{"x":%s}`,
	`{"entry":[%s]}`,
	`{"entry":[{"id":%s,"changes":[]}]}`,
	`{"entry":[{"time":%s}]}`,
	`{"entry":[{"changes":%s}]}`,
	`{"entry":[{"changes":[%s]}]}`,
	`{"entry":[{"changes":[{"field":%s}]}]}`,
	`{"entry":[{"changes":[{"value":%s,"field":"messages"}]}]}`,
	`{"entry":[{"changes":[{"value":%s,"field":"account_update"}]}]}`,
	`{"entry":[{"changes":[{"field":"account_update","value":{"event":%s}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"metadata":%s}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":%s}}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"metadata":{"x":%s}}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"messaging_product":%s}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"messages":%s}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"messages":[%s]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"contacts":[%s]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"statuses":[%s,{}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"errors":[%s]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"statuses":[],"statuses":%s}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"x":%s}}]}]}`,
	// Members of items, which the fast path (cloud_fast.go) checks: a string member, a
	// content block, an unknown key, a nested object's member.
	`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":%s,"type":"text"}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"A","text":%s}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"A","x":%s}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"contacts":[{"profile":%s,"wa_id":"1"}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"contacts":[{"profile":{"name":%s}}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"contacts":[{"profile":{"x":%s}}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"S","pricing":%s,"status":"sent"}]}}]}]}`,
	`{"entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"S","recipient_user_id":%s}]}}]}]}`,
}

// TestDecodeCloudValidatesAsJSONValid checks that DecodeCloud accepts exactly the bodies
// json.Valid accepts (and that are objects), for every edge case at every place.
func TestDecodeCloudValidatesAsJSONValid(t *testing.T) {
	t.Parallel()
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	cases := append(slices.Clone(cloudScanCases), deep(maxJSONDepth-4), deep(maxJSONDepth-3), deep(maxJSONDepth+1))
	for _, place := range cloudScanPlaces {
		for _, c := range cases {
			body := []byte(strings.Replace(place, "%s", c, 1))
			_, err := DecodeCloud(body)
			want := json.Valid(body) && isObject(body)
			if (err == nil) != want {
				t.Errorf("DecodeCloud(%.60q) error = %v, json.Valid and isObject say %v", body, err, want)
			}
		}
	}
}

// FuzzCloudScan checks that newCloudScan never rejects valid JSON, and that on valid JSON it
// records every container of the envelope's levels (nesting below cloudScanDepth) with the
// end skipValue finds.
func FuzzCloudScan(f *testing.F) {
	addCloudSeeds(f, func(data []byte) { f.Add(data) })
	for _, c := range cloudScanCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, ok := newCloudScan(data)
		if !json.Valid(data) {
			return // newCloudScan may or may not see it: the walk and the decoders do
		}
		if !ok {
			t.Fatalf("newCloudScan(%q) rejects valid JSON", data)
		}
		var want []int32 // the containers at depth < cloudScanDepth, found independently
		d := json.NewDecoder(bytes.NewReader(data))
		depth := 0
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			if delim, isDelim := tok.(json.Delim); isDelim {
				switch delim {
				case '{', '[':
					if depth < cloudScanDepth {
						// InputOffset is after the delimiter.
						want = append(want, int32(d.InputOffset()-1))
					}
					depth++
				default:
					depth--
				}
			}
		}
		if !slices.Equal(sc.opens, want) {
			t.Fatalf("recorded containers at %v, want %v\n%q", sc.opens, want, data)
		}
		for k, open := range sc.opens {
			if end := skipValue(data, int(open)); end != int(sc.closes[k]) {
				t.Fatalf("container at %d: recorded end %d, skipValue says %d\n%q", open, sc.closes[k], end, data)
			}
		}
	})
}
