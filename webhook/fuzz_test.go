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
	"testing"
	"time"
)

// fuzzSeeds are payloads beyond the corpus that sit on the decoder's edges.
var fuzzSeeds = []string{
	``,
	`{}`,
	`[]`,
	`null`,
	`{"messages":null}`,
	`{"messages":{}}`,
	`{"messages":[1,"x",null,[],{}]}`,
	`{"messages":[{"id":"A","timestamp":{"seconds":1},"type":"text"}]}`,
	`{"statuses":[{"id":"g","status":"played","timestamp":"1"}]}`,
	`{"services":[{"backup":{}}]}`,
	`{"Messages":[],"messages":[],"messages":[{"id":"B","type":"text"}]}`,
	`{"contacts":[{"wa_id":"1"}],"messages":[{"from":"1","id":"A","type":"text"},{"from":"1","id":"A","type":"text"}]}`,
	"{\"a\":\"\xff\"}",
	`{"messages":[{"id":"\u0000","type":"text"}]}`,
}

func addSeeds(f *testing.F, add func(data []byte)) {
	for _, c := range loadCorpus(f) {
		add(c.data)
	}
	for _, s := range fuzzSeeds {
		add([]byte(s))
	}
}

// FuzzDecode checks that Decode never panics, fails exactly on bodies that are not a JSON
// object, keeps every item's raw JSON valid, and encodes a notification rebuilt from its
// items into a body that decodes to the same items.
func FuzzDecode(f *testing.F) {
	addSeeds(f, func(data []byte) { f.Add(data) })
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Decode(data)
		wantOK := json.Valid(data) && isObject(data)
		if (err == nil) != wantOK {
			t.Fatalf("Decode error = %v, want success %v", err, wantOK)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		for _, raw := range itemRaws(n) {
			if !json.Valid(raw) {
				t.Fatalf("item raw JSON is invalid: %q", raw)
			}
		}
		// Differential check of the splitter against encoding/json: the same items under
		// the same keys.
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			t.Fatalf("encoding/json rejects what Decode accepted: %v", err)
		}
		want := map[string][]string{}
		for k, v := range top {
			var items []json.RawMessage
			if !slices.Contains(topKeys[:], k) || v[0] != '[' || json.Unmarshal(v, &items) != nil {
				items = []json.RawMessage{v}
			}
			if string(v) == "null" && slices.Contains(topKeys[:], k) {
				continue
			}
			for _, it := range items {
				want[k] = append(want[k], string(it))
			}
		}
		got := itemsByKey(n)
		for k := range want {
			slices.Sort(want[k])
			slices.Sort(got[k])
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("items differ from encoding/json's split\n in: %q\nwant: %q\n got: %q", data, want, got)
		}
		out, err := json.Marshal(n)
		if err != nil || !bytes.Equal(out, compact(t, data)) && !jsonEqual(t, out, data) {
			t.Fatalf("re-encoding differs: %v\n in: %q\nout: %q", err, data, out)
		}

		rebuilt := *n
		rebuilt.raw = nil
		out, err = json.Marshal(rebuilt)
		if err != nil {
			t.Fatalf("encoding the items: %v", err)
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("decoding the re-encoded items: %v\n%s", err, out)
		}
		if got, want := again.Len(), n.Len(); got != want {
			t.Fatalf("re-encoded items decode to %d items, want %d\n in: %q\nout: %s", got, want, data, out)
		}
	})
}

// FuzzHandler checks the answers of the Handler: 200 for any JSON object, 400 for anything
// else, 413 beyond the size limit or, with few allowed (fewItems), the item limit, and a 5xx
// only when a callback failed.
func FuzzHandler(f *testing.F) {
	addSeeds(f, func(data []byte) {
		f.Add(data, false, false)
		f.Add(data, true, false)
		f.Add(data, false, true)
	})
	const limit = 64 << 10
	f.Fuzz(func(t *testing.T, body []byte, fail, fewItems bool) {
		maxItems := 1 << 20 // more than a body under the size limit can hold
		if fewItems {
			maxItems = 3
		}
		var calls int
		errFail := errors.New("callback failed")
		outcome := func() error {
			calls++
			if fail {
				return errFail
			}
			return nil
		}
		d, err := NewDedupe(16, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		h, err := NewHandler(WithLogger(quietLogger()), WithMaxBodyBytes(limit), WithMaxItems(maxItems), WithDedupe(d),
			WithMessageFunc(func(context.Context, *Message) error { return outcome() }),
			WithStatusFunc(func(context.Context, *Status) error { return outcome() }),
			WithErrorNoticeFunc(func(context.Context, *ErrorNotice) error { return outcome() }),
			WithServiceNoticeFunc(func(context.Context, *ServiceNotice) error { return outcome() }),
			WithContactCheckFunc(func(context.Context, *Contact) error { return outcome() }),
			WithUnknownFunc(func(context.Context, *Unknown) error { return outcome() }),
		)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhook", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		switch {
		case len(body) > limit:
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d for a body over the limit", rec.Code)
			}
		case !json.Valid(body) || !isObject(body):
			// With a low item limit, the limit may be reached before the error.
			if rec.Code != http.StatusBadRequest && (!fewItems || rec.Code != http.StatusRequestEntityTooLarge) {
				t.Fatalf("status %d for malformed input %q", rec.Code, body)
			}
		case countItems(t, body) > maxItems:
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d for %d items over the limit of %d", rec.Code, countItems(t, body), maxItems)
			}
			if calls > 0 {
				t.Fatalf("%d callbacks ran for a body over the item limit", calls)
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

// countItems counts the items of a valid body as encoding/json splits it: the elements of
// each known key's array, one for a known key's value that is neither an array nor null,
// and one for each unknown key.
func countItems(t *testing.T, body []byte) int {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatalf("counting items: %v", err)
	}
	count := 0
	for k, v := range top {
		var items []json.RawMessage
		switch {
		case !slices.Contains(topKeys[:], k):
			count++
		case string(v) == "null":
		case json.Unmarshal(v, &items) == nil:
			count += len(items)
		default:
			count++
		}
	}
	return count
}

// itemsByKey returns the raw JSON of n's items by top-level key.
func itemsByKey(n *Notification) map[string][]string {
	got := map[string][]string{}
	add := func(key string, raw []byte) { got[key] = append(got[key], string(raw)) }
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
	for i := range n.Services {
		add(keyServices, n.Services[i].Raw())
	}
	for i := range n.Unknown {
		add(n.Unknown[i].Key, n.Unknown[i].Raw)
	}
	return got
}

func itemRaws(n *Notification) []json.RawMessage {
	var out []json.RawMessage
	for i := range n.Contacts {
		out = append(out, n.Contacts[i].Raw())
	}
	for i := range n.Messages {
		out = append(out, n.Messages[i].Raw())
	}
	for i := range n.Statuses {
		out = append(out, n.Statuses[i].Raw())
	}
	for i := range n.Errors {
		out = append(out, n.Errors[i].Raw())
	}
	for i := range n.Services {
		out = append(out, n.Services[i].Raw())
	}
	for i := range n.Unknown {
		out = append(out, n.Unknown[i].Raw)
	}
	return out
}

func compact(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		t.Fatalf("compact: %v", err)
	}
	return buf.Bytes()
}

// jsonEqual compares two documents as decoded values.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	ca, _ := json.Marshal(va)
	cb, _ := json.Marshal(vb)
	return bytes.Equal(ca, cb)
}
