package cloud

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
	mib = 1 << 20
	// streamSize is the size of the big transfers.
	streamSize = 256 * mib
	// allocBudget is the most a transfer of any size may allocate, server side included.
	allocBudget = 16 * mib
)

// patternReader yields left bytes of a repeated pattern without holding them.
type patternReader struct{ left int64 }

var pattern = func() []byte {
	b := make([]byte, 64<<10)
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

// allocated returns the bytes the process allocated while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestStreamingMemoryIsFlat uploads (multipart) and downloads (two steps) 64 MiB and 256 MiB
// and checks that allocation stays under allocBudget and does not grow with the size. The
// server parses the multipart stream part by part, in constant memory too. Not parallel:
// runtime.MemStats counts the whole process.
func TestStreamingMemoryIsFlat(t *testing.T) {
	mux := http.NewServeMux()
	_, base := newHTTPServer(t, mux)
	c, err := NewClient(pnid, WithToken(testToken), WithBaseURL(base))
	require.NoError(t, err)
	mux.HandleFunc("POST "+v+"/"+pnid+"/media", func(w http.ResponseWriter, r *http.Request) {
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		var n int64
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FormName() == "file" {
				n, _ = io.Copy(io.Discard, p)
			}
		}
		writeJSON(w, 200, fmt.Sprintf(`{"id":"m-%d"}`, n))
	})
	mux.HandleFunc("GET "+v+"/{size}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, fmt.Sprintf(`{"id":"x","url":"%s/dl/%s","mime_type":"application/octet-stream"}`, base, r.PathValue("size")))
	})
	chunk := make([]byte, 64<<10)
	mux.HandleFunc("GET /dl/{size}", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.ParseInt(r.PathValue("size"), 10, 64)
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
	upload(mib)()
	download(mib)()
	const small = 64 * mib
	for _, dir := range []struct {
		name string
		run  func(int64) func()
	}{{"upload", upload}, {"download", download}} {
		smallAlloc := allocated(dir.run(small))
		bigAlloc := allocated(dir.run(streamSize))
		t.Logf("%s: %d MiB allocated %d bytes; %d MiB allocated %d bytes", dir.name, small/mib, smallAlloc, streamSize/mib, bigAlloc)
		assert.Less(t, bigAlloc, uint64(allocBudget), "%s of %d MiB", dir.name, streamSize/mib)
		assert.Less(t, smallAlloc, uint64(allocBudget), "%s of %d MiB", dir.name, small/mib)
		assert.Less(t, bigAlloc, smallAlloc+4*mib, "%s: allocation does not grow with the size", dir.name)
	}
}
