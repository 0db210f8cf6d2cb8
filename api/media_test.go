package api

import (
	"bytes"
	"context"
	"errors"
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
)

// zeroSeeker is an io.ReadSeeker of size zero bytes that allocates nothing, to test limits
// of up to 100 MiB cheaply.
type zeroSeeker struct{ size, off int64 }

func (z *zeroSeeker) Read(p []byte) (int, error) {
	if z.off >= z.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), z.size-z.off))
	clear(p[:n])
	z.off += int64(n)
	return n, nil
}

func (z *zeroSeeker) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		z.off = offset
	case io.SeekCurrent:
		z.off += offset
	case io.SeekEnd:
		z.off = z.size + offset
	}
	return z.off, nil
}

// webp returns a WebP file of n bytes, animated or not.
func webp(n int, animated bool) []byte {
	b := make([]byte, n)
	copy(b, "RIFF\x00\x00\x00\x00WEBPVP8X")
	if animated {
		b[20] = 0x02
	}
	return b
}

func TestUploadMediaSizeLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		contentType string
		body        func() io.Reader
		wantKind    MediaKind
		wantLimit   int64 // 0: the upload is sent
	}{
		{"image_over_5MiB", "image/jpeg", func() io.Reader { return &zeroSeeker{size: LimitImage + 1} }, MediaImage, LimitImage},
		{"image_at_5MiB", "image/png", func() io.Reader { return &zeroSeeker{size: LimitImage} }, MediaImage, 0},
		{"audio_over_16MiB", "audio/ogg; codecs=opus", func() io.Reader { return &zeroSeeker{size: LimitAudio + 1} }, MediaAudio, LimitAudio},
		{"video_over_16MiB", "video/mp4", func() io.Reader { return &zeroSeeker{size: LimitVideo + 1} }, MediaVideo, LimitVideo},
		{"document_over_100MiB", "application/pdf", func() io.Reader { return &zeroSeeker{size: LimitDocument + 1} }, MediaDocument, LimitDocument},
		{"static_sticker_over_100KiB", "image/webp", func() io.Reader { return bytes.NewReader(webp(LimitSticker+1, false)) }, MediaSticker, LimitSticker},
		{"static_sticker_at_100KiB", "image/webp", func() io.Reader { return bytes.NewReader(webp(LimitSticker, false)) }, MediaSticker, 0},
		// Outbound stickers are static only: an animated one has no larger limit.
		{"animated_sticker_over_100KiB", "image/webp", func() io.Reader { return bytes.NewReader(webp(LimitSticker+1, true)) }, MediaSticker, LimitSticker},
		{"animated_sticker_in_a_buffer", "image/webp", func() io.Reader { return bytes.NewBuffer(webp(LimitSticker+1, true)) }, MediaSticker, LimitSticker},
		{"stream_of_unknown_size_is_not_checked", "image/jpeg", func() io.Reader {
			return io.LimitReader(&zeroSeeker{size: LimitImage + 10}, LimitImage+10)
		}, MediaImage, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			want := tc.body()
			var wantBytes []byte
			if tc.wantLimit == 0 && strings.Contains(tc.name, "sticker") {
				wantBytes, _ = io.ReadAll(tc.body())
			}
			var received atomic.Int64
			mux.HandleFunc("POST /v1/media", func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, tc.contentType, r.Header.Get("Content-Type"))
				if wantBytes != nil {
					got, _ := io.ReadAll(r.Body)
					assert.Equal(t, wantBytes, got, "the peeked header is sent too")
					received.Store(int64(len(got)))
				} else {
					n, _ := io.Copy(io.Discard, r.Body)
					received.Store(n)
				}
				writeJSON(w, http.StatusCreated, `{"media":[{"id":"m-1"}]}`)
			})
			id, err := c.UploadMedia(t.Context(), want, tc.contentType)
			if tc.wantLimit == 0 {
				require.NoError(t, err)
				assert.Equal(t, "m-1", id)
				assert.Positive(t, received.Load())
				return
			}
			var tooLarge *MediaTooLargeError
			require.ErrorAs(t, err, &tooLarge)
			assert.Equal(t, tc.wantKind, tooLarge.Kind)
			assert.Equal(t, tc.wantLimit, tooLarge.Limit)
			assert.Equal(t, tc.wantLimit+1, tooLarge.Size)
			assert.Contains(t, err.Error(), "over the "+strconv.FormatInt(tc.wantLimit, 10)+"-byte limit")
			assert.Zero(t, received.Load(), "nothing was sent")
		})
	}
}

func TestUploadMediaRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("unexpected request") })
	tests := []struct {
		name        string
		r           io.Reader
		contentType string
		wantErr     string
	}{
		{"nil_reader", nil, "image/png", "nil reader"},
		{"empty_body", bytes.NewReader(nil), "image/png", "empty body"},
		{"no_content_type", strings.NewReader("x"), "", "invalid content type"},
		{"not_a_media_type", strings.NewReader("x"), "png", "invalid content type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.UploadMedia(t.Context(), tc.r, tc.contentType)
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// TestUploadMediaFromFile uploads from the middle of an open file: Content-Length counts the
// rest of the file, a retry starts again where the caller's position was, and the file is
// left open for the caller.
func TestUploadMediaFromFile(t *testing.T) {
	t.Parallel()
	content := []byte("HEADER----%PDF-1.7 the document itself")
	path := filepath.Join(t.TempDir(), "doc.bin")
	require.NoError(t, os.WriteFile(path, content, 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Seek(10, io.SeekStart)
	require.NoError(t, err)

	c, mux := setup(t)
	var bodies []string
	mux.HandleFunc("POST /v1/media", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, strconv.Itoa(len(content)-10), r.Header.Get("Content-Length"))
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if len(bodies) == 1 {
			writeJSON(w, http.StatusServiceUnavailable, `{"errors":[{"code":1016,"title":"System overloaded"}]}`)
			return
		}
		writeJSON(w, http.StatusCreated, `{"media":[{"id":"doc-1"}]}`)
	})
	id, err := c.UploadMedia(t.Context(), f, "application/pdf")
	require.NoError(t, err)
	assert.Equal(t, "doc-1", id)
	assert.Equal(t, []string{"%PDF-1.7 the document itself", "%PDF-1.7 the document itself"}, bodies)
	_, err = f.Stat()
	assert.NoError(t, err, "UploadMedia does not close the caller's file")
}

func TestUploadMediaWithoutID(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("POST /v1/media", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, `{"media":[]}`)
	})
	_, err := c.UploadMedia(t.Context(), strings.NewReader("x"), "text/plain")
	assert.ErrorIs(t, err, ErrUnexpectedResponse)
}

func TestDownloadMedia(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	data := bytes.Repeat([]byte("OggS"), 50_000)
	mux.HandleFunc("GET /v1/media/{id}", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		if r.PathValue("id") != "463eb7ec" {
			writeJSON(w, http.StatusNotFound, `{"errors":[{"code":1006,"title":"Resource not found"}]}`)
			return
		}
		w.Header().Set("Content-Type", "audio/ogg; codecs=opus")
		_, _ = w.Write(data)
	})

	body, ct, err := c.DownloadMedia(t.Context(), "463eb7ec")
	require.NoError(t, err)
	got, err := io.ReadAll(body)
	require.NoError(t, err)
	require.NoError(t, body.Close())
	assert.Equal(t, "audio/ogg; codecs=opus", ct)
	assert.Equal(t, data, got)

	_, _, err = c.DownloadMedia(t.Context(), "gone")
	assert.True(t, IsNotFound(err))
	_, _, err = c.DownloadMedia(t.Context(), "")
	assert.ErrorContains(t, err, "empty media id")
}

func TestMediaWrappers(t *testing.T) {
	t.Parallel()
	runWrapperCases(t, []wrapperCase{
		{
			name: "DeleteMedia", method: "DELETE", path: "/v1/media/f043afd0",
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.DeleteMedia(ctx, "f043afd0")) },
		},
		{
			name: "CollectMediaGarbage", method: "PUT", path: "/v1/services/media/gc",
			resp: `{"services":{"media":{"gc":{"status":"processing"}}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.CollectMediaGarbage(ctx)) },
		},
	})
	runRequiredArgCases(t, []requiredArgCase{
		{"DeleteMedia_empty_id", func(ctx context.Context, c *Client) error { return c.DeleteMedia(ctx, "") }},
	})
}

func TestMediaKindOf(t *testing.T) {
	t.Parallel()
	tests := map[string]MediaKind{
		"image/jpeg":              MediaImage,
		"image/png":               MediaImage,
		"IMAGE/PNG":               MediaImage,
		"image/webp":              MediaSticker,
		"audio/ogg; codecs=opus":  MediaAudio,
		"audio/ogg;codecs=opus":   MediaAudio,
		"audio/mpeg":              MediaAudio,
		"audio/amr":               MediaAudio,
		"audio/aac":               MediaAudio,
		"audio/mp4":               MediaAudio,
		"video/mp4":               MediaVideo,
		"video/3gpp":              MediaVideo,
		"application/pdf":         MediaDocument,
		"text/csv; charset=utf-8": MediaDocument,
		"image/gif":               MediaDocument,
		"not a type":              MediaDocument,
	}
	for ct, want := range tests {
		assert.Equal(t, want, MediaKindOf(ct), ct)
	}
}

func TestDetectContentType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		head string
		want string
	}{
		{"jpeg", "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", "image/jpeg"},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"},
		{"webp", "RIFF\x00\x10\x00\x00WEBPVP8 ", "image/webp"},
		{"pdf", "%PDF-1.7\n", "application/pdf"},
		{"ogg_opus", "OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00OpusHead", "audio/ogg; codecs=opus"},
		{"ogg_other", "OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01vorbis", "audio/ogg"},
		{"amr", "#!AMR\n", "audio/amr"},
		{"aac_adts", "\xFF\xF1\x50\x80", "audio/aac"},
		{"mp3_id3", "ID3\x03\x00\x00\x00", "audio/mpeg"},
		{"mp4", "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00", "video/mp4"},
		{"3gpp", "\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x00", "video/3gpp"},
		{"m4a", "\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio/mp4"},
		{"text", "hello, world", "text/plain; charset=utf-8"},
		{"empty", "", "text/plain; charset=utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			content := tc.head + strings.Repeat("\x00", 1000)
			if tc.name == "text" || tc.name == "empty" {
				content = tc.head
			}
			got, rest, err := DetectContentType(strings.NewReader(content))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			all, err := io.ReadAll(rest)
			require.NoError(t, err)
			assert.Equal(t, content, string(all), "the returned reader yields every byte")
		})
	}
	t.Run("read_error", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("disk on fire")
		_, _, err := DetectContentType(io.MultiReader(strings.NewReader("abc"), errReader{boom}))
		assert.ErrorIs(t, err, boom)
	})
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
