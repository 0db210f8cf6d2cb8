package fake

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// heapInUse returns the live heap after two collections.
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestDayLongLoadReachesAPlateau loads a fake the way a day-long load test does: 20,000
// logins, 40 replaced 1 MiB profile photos, 20,000 recipients with conversations, inbound
// messages, contact checks and identities. Once everything has expired and the fake's sweep has
// run, the heap is back within 10 MiB of where it started. Before, the photos alone kept
// 40 MiB and no entry was ever evicted.
//
// Not parallel: the heap is the process's, and Go runs a package's sequential tests before
// releasing the parallel ones, so nothing else allocates while this one measures.
func TestDayLongLoadReachesAPlateau(t *testing.T) {
	h := newHarness(t)
	s := h.srv
	base := heapInUse()

	now := s.clock.Now()
	s.mu.Lock()
	for range 20000 {
		s.issueToken("admin", now)
	}
	s.mu.Unlock()

	photo := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 0xE0}, 1<<18) // 1 MiB
	for i := range 40 {
		photo[len(photo)-1] = byte(i) // each photo differs, so each has its own CDN copy
		r := h.do(req{method: http.MethodPost, path: "/v1/settings/profile/photo", token: h.admin, body: photo, contentType: "image/jpeg"})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
	}

	s.mu.Lock()
	for i := range 20000 {
		id := fmt.Sprintf("1631%07d", i)
		ms := gen.MessageStatus{}
		s.addPricingLocked(&ms, &sentRecord{SentMessage: SentMessage{To: id}}, now)
		s.noteInboundLocked(id, now)
		var res gen.ContactCheckResult
		s.fillContactResult(&res, ContactResult{Status: gen.ContactCheckResultStatusValid, WaID: id}, id, now)
		s.identityOf(id)
	}
	s.mu.Unlock()
	loaded := heapInUse()

	_, err := s.Advance(TokenLifetime + time.Hour) // every entry has expired; the sweep ran
	require.NoError(t, err)
	after := heapInUse()
	t.Logf("heap: baseline %.1f MiB, loaded %.1f MiB, after the sweep %.1f MiB",
		mib(base), mib(loaded), mib(after))
	assert.Less(t, mib(after)-mib(base), 10.0, "the heap returns within 10 MiB of the baseline")

	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Len(t, s.st.cdn, 1, "only the current photo keeps a CDN copy")
	assert.Empty(t, s.st.conversations)
	assert.Empty(t, s.st.lastInbound)
	assert.Empty(t, s.st.contactCache)
	assert.Empty(t, s.st.identities)
	assert.Empty(t, s.st.sessions)
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

func TestDeletedImagesLeaveTheCDN(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, b := range []byte{1, 2} {
		r := h.do(req{method: http.MethodPost, path: "/v1/settings/profile/photo", token: h.admin, body: []byte{0xFF, 0xD8, b}, contentType: "image/jpeg"})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
	}
	h.srv.mu.Lock()
	assert.Len(t, h.srv.st.cdn, 1, "the replaced photo is gone")
	h.srv.mu.Unlock()
	require.Equal(t, http.StatusOK, h.send("DELETE", "/v1/settings/profile/photo", nil).status)
	h.srv.mu.Lock()
	assert.Empty(t, h.srv.st.cdn)
	h.srv.mu.Unlock()
}

// TestSweepKeepsWhatHasNotExpired checks that the sweep only evicts expired entries: a fresh
// token still authenticates and a changed identity survives.
func TestSweepKeepsWhatHasNotExpired(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, err := h.srv.ChangeIdentity("16315551234")
	require.NoError(t, err)
	_, err = h.srv.Advance(3 * sweepInterval)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, h.get("/v1/settings/application").status, "the admin token is still valid")
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	assert.Contains(t, h.srv.st.identities, "16315551234")
}
