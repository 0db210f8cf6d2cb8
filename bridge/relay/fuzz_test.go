package relay

import (
	"net/http"
	"testing"
)

// FuzzCloudEndpoint posts signed random bodies (seeded with the Cloud corpus) to the
// endpoint over a working store: never a panic, never a 5xx, and every callback that got
// into the outbox is valid JSON.
func FuzzCloudEndpoint(f *testing.F) {
	for _, c := range loadCloudCorpus(f) {
		f.Add(c.data)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":1}],"statuses":{}}}]}]}`))
	f.Add([]byte(`{"entry":[{"changes":[{"field":"messages","value":{"errors":[{"code":"x"}],"contacts":[1]}}]}]}`))
	st := newMemory(f)
	r := newTestRelay(f, st, (&settingsBox{s: allSettings("")}).get)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := serve(r, signedPost(body))
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d for a signed body under the limit: %s", rec.Code, rec.Body)
		}
	})
}
