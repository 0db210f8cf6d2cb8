package api

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	// streamSize is the size of the big transfers.
	streamSize = 256 * mib
	// allocBudget is the most a transfer of any size may allocate, server side included (the
	// test server runs in the same process).
	allocBudget = 16 * mib
)

// patternReader yields left bytes of a repeated pattern without holding them: a stand-in
// for a file or a socket. It copies whole slices, which the race detector checks per call
// rather than per byte.
type patternReader struct{ left int64 }

var pattern = func() []byte {
	b := make([]byte, 64*kib)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.left)]
	n := 0
	for n < len(b) {
		n += copy(b[n:], pattern)
	}
	p.left -= int64(n)
	return n, nil
}

// setupStreaming serves an upload endpoint that discards what it receives and a download
// endpoint that generates ?size bytes, both in constant memory.
func setupStreaming(t testing.TB) *Client {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/media", func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusCreated, fmt.Sprintf(`{"media":[{"id":"m-%d"}]}`, n))
	})
	chunk := make([]byte, 64*kib)
	mux.HandleFunc("GET /v1/media/{id}", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		for size > 0 {
			n, err := w.Write(chunk[:min(int64(len(chunk)), size)])
			if err != nil {
				return
			}
			size -= int64(n)
		}
	})
	srv := newHTTPServer(t, mux)
	c, err := NewClient(srv, WithToken(testToken))
	require.NoError(t, err)
	return c
}

// allocated returns the bytes the process allocated while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestStreamingMemoryIsBounded moves 256 MiB up and down through the client and checks that
// allocation stays under allocBudget and does not grow with the size of the transfer (64 MiB
// against 256 MiB). What remains is net/http's per-chunk bookkeeping of a body of unknown
// size (tens of kilobytes; a few hundred under the race detector, whose sync.Pool drops
// items on purpose). It is not parallel: runtime.MemStats counts the whole process, so no
// other test may run meanwhile (top-level sequential tests finish before the parallel ones
// resume).
func TestStreamingMemoryIsBounded(t *testing.T) {
	c := setupStreaming(t)
	ctx := t.Context()
	upload := func(size int64) func() {
		return func() {
			id, err := c.UploadMedia(ctx, &patternReader{left: size}, "application/octet-stream")
			require.NoError(t, err)
			require.Equal(t, fmt.Sprintf("m-%d", size), id, "the server received every byte")
		}
	}
	download := func(size int64) func() {
		return func() {
			body, _, err := c.DownloadMedia(ctx, strconv.FormatInt(size, 10))
			require.NoError(t, err)
			n, err := io.Copy(io.Discard, body)
			require.NoError(t, err)
			require.NoError(t, body.Close())
			require.Equal(t, size, n)
		}
	}
	upload(mib)() // warm up connections and pools
	download(mib)()

	const small = 64 * mib
	for _, dir := range []struct {
		name string
		run  func(int64) func()
	}{{"upload", upload}, {"download", download}} {
		smallAlloc := allocated(dir.run(small))
		bigAlloc := allocated(dir.run(streamSize))
		t.Logf("%s: %d MiB allocated %d bytes; %d MiB allocated %d bytes",
			dir.name, small/mib, smallAlloc, streamSize/mib, bigAlloc)
		assert.Less(t, bigAlloc, uint64(allocBudget), "%s of %d MiB", dir.name, streamSize/mib)
		assert.Less(t, smallAlloc, uint64(allocBudget), "%s of %d MiB", dir.name, small/mib)
		assert.Less(t, bigAlloc, smallAlloc+4*mib, "%s: allocation does not grow with the size", dir.name)
	}
}
