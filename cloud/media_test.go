package cloud

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
)

// readUpload parses a Cloud upload the way Graph does and returns its fields and file.
func readUpload(t *testing.T, r *http.Request) (fields map[string]string, fileType, fileName string, sum string, n int64) {
	t.Helper()
	mr, err := r.MultipartReader()
	require.NoError(t, err)
	fields = map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if p.FormName() == "file" {
			h := sha256.New()
			n, err = io.Copy(h, p)
			require.NoError(t, err)
			sum = hex.EncodeToString(h.Sum(nil))
			fileType, fileName = p.Header.Get("Content-Type"), p.FileName()
			continue
		}
		b, err := io.ReadAll(p)
		require.NoError(t, err)
		fields[p.FormName()] = string(b)
	}
	return fields, fileType, fileName, sum, n
}

// TestUploadIsMultipartWithExactLength checks the wire format of an upload of known size:
// messaging_product, type and file parts, an exact Content-Length, and the bytes intact.
func TestUploadIsMultipartWithExactLength(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	content := bytes.Repeat([]byte("PNGDATA-"), 1000)
	want := sha256.Sum256(content)
	mux.HandleFunc("POST "+v+"/"+pnid+"/media", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		assert.Greater(t, r.ContentLength, int64(len(content)), "known size: Content-Length, not chunked")
		fields, ft, fn, sum, n := readUpload(t, r)
		assert.Equal(t, map[string]string{"messaging_product": "whatsapp", "type": "image/png"}, fields)
		assert.Equal(t, "image/png", ft)
		assert.Equal(t, "image.png", fn)
		assert.Equal(t, int64(len(content)), n)
		assert.Equal(t, hex.EncodeToString(want[:]), sum)
		writeJSON(w, 200, `{"id":"1037543291543636"}`)
	})
	id, err := c.UploadMedia(t.Context(), bytes.NewReader(content), "image/png")
	require.NoError(t, err)
	assert.Equal(t, "1037543291543636", id)
}

// TestUploadOfUnknownSizeIsChunked checks that a plain stream is sent as it comes.
func TestUploadOfUnknownSizeIsChunked(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST "+v+"/"+pnid+"/media", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, int64(-1), r.ContentLength)
		_, _, _, _, n := readUpload(t, r)
		writeJSON(w, 200, `{"id":"m-`+strconv.FormatInt(n, 10)+`"}`)
	})
	id, err := c.UploadMedia(t.Context(), io.LimitReader(&patternReader{left: 1 << 20}, 1<<20), "application/pdf")
	require.NoError(t, err)
	assert.Equal(t, "m-1048576", id)
}

// TestUploadTooLargeFailsBeforeSending checks the size limits of known-size uploads.
func TestUploadTooLargeFailsBeforeSending(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("sent %s", r.URL.Path) })
	_, err := c.UploadMedia(t.Context(), bytes.NewReader(make([]byte, api.LimitImage+1)), "image/jpeg")
	var tooLarge *api.MediaTooLargeError
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, api.MediaImage, tooLarge.Kind)
	assert.Equal(t, int64(api.LimitImage), tooLarge.Limit)
}

// TestUploadRetryGivesEachAttemptItsOwnReader answers 130429 before reading the body, then
// accepts: the second attempt must carry the whole file, from a reader of its own, for
// *bytes.Reader, *strings.Reader, *bytes.Buffer and *os.File (also when positioned after
// their start), and the caller's file stays open.
func TestUploadRetryGivesEachAttemptItsOwnReader(t *testing.T) {
	t.Parallel()
	content := bytes.Repeat([]byte("0123456789abcdef"), 256<<10/16) // 256 KiB, above socket buffers' first read
	sum := sha256.Sum256(content[5:])
	path := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(path, content, 0o600))
	for _, tc := range []struct {
		name string
		r    func(t *testing.T) io.Reader
	}{
		{"bytes.Reader", func(*testing.T) io.Reader { r := bytes.NewReader(content); _, _ = r.Seek(5, io.SeekStart); return r }},
		{"strings.Reader", func(*testing.T) io.Reader {
			r := strings.NewReader(string(content))
			_, _ = r.Seek(5, io.SeekStart)
			return r
		}},
		{"bytes.Buffer", func(*testing.T) io.Reader { return bytes.NewBuffer(content[5:]) }},
		{"os.File", func(t *testing.T) io.Reader {
			f, err := os.Open(path)
			require.NoError(t, err)
			t.Cleanup(func() { _ = f.Close() })
			_, err = f.Seek(5, io.SeekStart)
			require.NoError(t, err)
			return f
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var calls atomic.Int32
			mux.HandleFunc("POST "+v+"/"+pnid+"/media", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					writeJSON(w, 400, graphError(130429, "(#130429) Rate limit hit", "")) // body unread
					return
				}
				_, _, _, got, n := readUpload(t, r)
				assert.Equal(t, int64(len(content)-5), n)
				assert.Equal(t, hex.EncodeToString(sum[:]), got)
				writeJSON(w, 200, `{"id":"m-2"}`)
			})
			r := tc.r(t)
			id, err := c.UploadMedia(t.Context(), r, "application/pdf")
			require.NoError(t, err)
			assert.Equal(t, "m-2", id)
			assert.Equal(t, int32(2), calls.Load())
			if f, ok := r.(*os.File); ok {
				_, err := f.Stat()
				assert.NoError(t, err, "the caller's file is still open")
			}
		})
	}
}

// TestUploadFromAPlainStreamIsNotReplayed checks that a throttled plain stream is not retried:
// its bytes are gone.
func TestUploadFromAPlainStreamIsNotReplayed(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("POST "+v+"/"+pnid+"/media", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 400, graphError(130429, "(#130429) Rate limit hit", ""))
	})
	_, err := c.UploadMedia(t.Context(), io.MultiReader(strings.NewReader("once")), "text/plain")
	require.True(t, IsRateLimited(err))
	assert.Equal(t, int32(1), calls.Load())
}

// mediaServer serves GET /{id} metadata whose url points at /dl/{n} on the same server, a
// new n per metadata read, and a download route where the URLs in expired are gone (404).
func mediaServer(t *testing.T, mux *http.ServeMux, base string, expired map[string]bool) (metaReads, downloads *atomic.Int32) {
	metaReads, downloads = new(atomic.Int32), new(atomic.Int32)
	mux.HandleFunc("GET "+v+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, pnid, r.URL.Query().Get("phone_number_id"))
		n := metaReads.Add(1)
		writeJSON(w, 200, fmt.Sprintf(`{"messaging_product":"whatsapp","id":%q,"url":"%s/dl/%d?hash=sig","mime_type":"image/png","sha256":"00","file_size":"5"}`,
			r.PathValue("id"), base, n))
	})
	mux.HandleFunc("GET /dl/{n}", func(w http.ResponseWriter, r *http.Request) {
		downloads.Add(1)
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"), "the download carries the token")
		if expired[r.PathValue("n")] {
			writeJSON(w, 404, `{"error":{"message":"URL expired","type":"OAuthException","code":100}}`)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = io.WriteString(w, "bytes"+r.PathValue("n"))
	})
	return metaReads, downloads
}

// TestDownloadRefetchesAnExpiredURLOnce expires the first URL: the client reads the metadata
// again and downloads from the new URL.
func TestDownloadRefetchesAnExpiredURLOnce(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	_, base := newHTTPServer(t, mux)
	c, err := NewClient(pnid, WithToken(testToken), WithBaseURL(base))
	require.NoError(t, err)
	metaReads, downloads := mediaServer(t, mux, base, map[string]bool{"1": true})
	body, ct, err := c.DownloadMedia(t.Context(), "1037543291543636")
	require.NoError(t, err)
	got, err := io.ReadAll(body)
	require.NoError(t, err)
	require.NoError(t, body.Close())
	assert.Equal(t, "bytes2", string(got), "downloaded from the second URL")
	assert.Equal(t, "image/png", ct)
	assert.Equal(t, int32(2), metaReads.Load())
	assert.Equal(t, int32(2), downloads.Load())
}

// TestDownloadGivesUpAfterOneRefetch expires every URL: two metadata reads, then the 404.
func TestDownloadGivesUpAfterOneRefetch(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	_, base := newHTTPServer(t, mux)
	c, err := NewClient(pnid, WithToken(testToken), WithBaseURL(base))
	require.NoError(t, err)
	metaReads, downloads := mediaServer(t, mux, base, map[string]bool{"1": true, "2": true, "3": true})
	_, _, err = c.DownloadMedia(t.Context(), "m")
	require.True(t, IsNotFound(err), "%v", err)
	assert.Equal(t, int32(2), metaReads.Load())
	assert.Equal(t, int32(2), downloads.Load())
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.NotContains(t, e.Error(), "hash=sig", "the URL's signature stays out of the error")
}
