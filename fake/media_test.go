package fake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// animatedWebPHeader is the start of a WebP file whose VP8X chunk announces an animation.
func animatedWebPHeader(size int) []byte {
	b := make([]byte, size)
	copy(b, "RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x02")
	return b
}

func TestMediaLimitsComeFromTheSpec(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	l := h.srv.limits
	cases := []struct {
		ct       string
		kind     string
		animated bool
		limit    int64
	}{
		{"image/jpeg", "image", false, 5 << 20},
		{"image/png", "image", false, 5 << 20},
		{"audio/ogg; codecs=opus", "audio", false, 16 << 20},
		{"video/3gpp", "video", false, 16 << 20},
		{"application/zip", "document", false, 100 << 20},
		{"text/csv; charset=utf-8", "document", false, 100 << 20},
		{"image/webp", "sticker", false, 100 << 10},
		// Outbound stickers are static only: no limit admits an animated one.
		{"image/webp", "sticker", true, 0},
	}
	for _, c := range cases {
		kind, _ := l.match(c.ct)
		assert.Equal(t, c.kind, kind, c.ct)
		assert.Equal(t, c.limit, l.limitFor(kind, c.animated), c.ct)
	}
}

func TestMediaUploadDownloadDelete(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	data := bytes.Repeat([]byte("pdf!"), 3000)
	id := h.uploadMedia("application/pdf", data)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)

	r := h.get("/v1/media/" + id)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "application/pdf", r.header.Get("Content-Type"))
	assert.Equal(t, "12000", r.header.Get("Content-Length"))
	assert.Contains(t, r.header.Get("Content-Disposition"), "attachment")
	assert.Equal(t, data, r.body)

	voice := h.uploadMedia("audio/ogg; codecs=opus", []byte("opus"))
	assert.Equal(t, "audio/ogg; codecs=opus", h.get("/v1/media/"+voice).header.Get("Content-Type"))

	require.Equal(t, http.StatusOK, h.send("DELETE", "/v1/media/"+id, nil).status)
	requireError(t, h.get("/v1/media/"+id), 404, codeNotFound)
	requireError(t, h.send("DELETE", "/v1/media/"+id, nil), 404, codeNotFound)
	_, err := os.Stat(h.srv.mediaPath(id))
	assert.True(t, os.IsNotExist(err), "the file is gone")
}

func TestMediaUploadRejects(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithMediaKindLimitsAtUpload())
	cases := []struct {
		name string
		ct   string
		body []byte
		code int
	}{
		{"missing content type", "", []byte("x"), codeMissingParameter},
		{"plain ogg", "audio/ogg", []byte("x"), codeInvalidParameter},
		{"gif", "image/gif", []byte("GIF89a"), codeInvalidParameter},
		{"multipart", "multipart/form-data; boundary=x", []byte("--x--"), codeInvalidParameter},
		{"garbage type", "nonsense", []byte("x"), codeInvalidParameter},
		{"empty body", "image/jpeg", nil, codeMissingParameter},
		{"image over 5 MB", "image/jpeg", make([]byte, 5<<20+1), codeInvalidParameter},
		{"static sticker over 100 KB", "image/webp", append([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), make([]byte, 100<<10)...), codeInvalidParameter},
		{"animated sticker over 100 KB", "image/webp", animatedWebPHeader(100<<10 + 1), codeInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hr := httptest.NewRequest(http.MethodPost, "/v1/media", bytes.NewReader(c.body))
			hr.Header.Set("Authorization", "Bearer "+h.admin)
			if c.ct != "" {
				hr.Header.Set("Content-Type", c.ct)
			}
			rec := httptest.NewRecorder()
			h.srv.Handler().ServeHTTP(rec, hr)
			requireError(t, &resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}, 400, c.code)
		})
	}
	entries, err := os.ReadDir(h.srv.mediaDir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), "upload-", "refused uploads leave no temporary file")
	}
}

// endlessReader yields n zero bytes and counts what was read.
type endlessReader struct {
	left, read int64
}

func (r *endlessReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > r.left {
		n = r.left
	}
	clear(p[:n])
	r.left -= n
	r.read += n
	return int(n), nil
}

func TestMediaSizeLimitsWhileStreaming(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithMediaKindLimitsAtUpload())
	// Without a Content-Length the body is streamed and cut at the limit: a 1 GiB image stops
	// being read just past 5 MB.
	body := &endlessReader{left: 1 << 30}
	hr := httptest.NewRequest(http.MethodPost, "/v1/media", io.NopCloser(body))
	hr.ContentLength = -1
	hr.Header.Set("Authorization", "Bearer "+h.admin)
	hr.Header.Set("Content-Type", "image/png")
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, hr)
	requireError(t, &resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}, 400, codeInvalidParameter)
	assert.LessOrEqual(t, body.read, int64(5<<20+64<<10), "read only up to the limit")

	// An announced Content-Length over the ceiling is refused before reading.
	body = &endlessReader{left: MaxUploadBytes + 1}
	hr = httptest.NewRequest(http.MethodPost, "/v1/media", io.NopCloser(body))
	hr.ContentLength = MaxUploadBytes + 1
	hr.Header.Set("Authorization", "Bearer "+h.admin)
	hr.Header.Set("Content-Type", "application/zip")
	rec = httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, hr)
	d := requireError(t, &resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}, 400, codeInvalidParameter)
	assert.Equal(t, "Request content exceeds size of 100 MB", *d.Details)
	assert.Zero(t, body.read)
}

// TestMediaKindLimitsApplyAtSendByDefault follows the real server: an upload over its kind's
// limit (but under 100 MB) is stored, and the message that refers to it fails with 1009.
func TestMediaKindLimitsApplyAtSendByDefault(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"))
	big := h.uploadMedia("image/jpeg", make([]byte, 5<<20+1))
	r := h.send("POST", "/v1/messages", map[string]any{"to": "16315551234", "type": "image", "image": map[string]string{"id": big}})
	requireError(t, r, 400, codeInvalidParameter)
	sticker := h.uploadMedia("image/webp", append([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), make([]byte, 100<<10)...))
	r = h.send("POST", "/v1/messages", map[string]any{"to": "16315551234", "type": "sticker", "sticker": map[string]string{"id": sticker}})
	requireError(t, r, 400, codeInvalidParameter)
	// The deprecated option keeps the default.
	h = newHarness(t, WithMediaKindLimitsAtSend())
	h.uploadMedia("image/jpeg", make([]byte, 5<<20+1))
}

// TestMediaKindLimitsAtUploadRefusesTheUpload keeps the fake's old behaviour as an option.
func TestMediaKindLimitsAtUploadRefusesTheUpload(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithMediaKindLimitsAtUpload())
	hr := httptest.NewRequest(http.MethodPost, "/v1/media", bytes.NewReader(make([]byte, 5<<20+1)))
	hr.Header.Set("Authorization", "Bearer "+h.admin)
	hr.Header.Set("Content-Type", "image/jpeg")
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, hr)
	d := requireError(t, &resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}, 400, codeInvalidParameter)
	assert.Contains(t, *d.Details, "image limit")
}

func TestMediaGarbageCollection(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t)
	h.setWebhook(rec.URL, false, false, false)
	old := h.uploadMedia("image/png", []byte("old"))
	h.clock.Advance(20 * 24 * time.Hour)
	h.admin = h.login("admin", testAdminPassword)
	fresh := h.uploadMedia("image/png", []byte("fresh"))
	h.clock.Advance(11 * 24 * time.Hour)
	h.admin = h.login("admin", testAdminPassword)

	r := h.send("PUT", "/v1/services/media/gc", nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var env gen.MediaGCEnvelope
	r.decode(t, &env)
	assert.Equal(t, gen.GCProgressStatusProcessing, env.Services.Media.Gc.Status)
	h.advance(time.Second)
	requireError(t, h.get("/v1/media/"+old), 404, codeNotFound)
	assert.Equal(t, http.StatusOK, h.get("/v1/media/"+fresh).status)
	notes := rec.Notifications()
	require.Len(t, notes, 1)
	gc := (*notes[0].Services)[0].Media.Gc
	assert.Equal(t, "complete", *gc.Status)
	assert.Equal(t, int64(1), *gc.ItemsDeleted)
	requireValidNotifications(t, rec.Bodies())
}

func TestInboundMediaIsDownloadable(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t)
	h.setWebhook(rec.URL, false, false, false)
	require.Equal(t, 200, h.send("PATCH", "/v1/settings/application", `{"media":{"auto_download":["voice"]}}`).status)
	content := []byte("OggS voice note")
	msg, err := h.srv.InjectInbound(Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "voice"},
		Media: &InboundMedia{Data: content}})
	require.NoError(t, err)
	require.NotNil(t, msg.Voice)
	assert.Equal(t, "audio/ogg; codecs=opus", *msg.Voice.MimeType)
	sum := sha256.Sum256(content)
	assert.Equal(t, hex.EncodeToString(sum[:]), *msg.Voice.Sha256)
	assert.Equal(t, "/usr/local/wamedia/shared/"+msg.Voice.ID, *msg.Voice.File)
	r := h.get("/v1/media/" + msg.Voice.ID)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, content, r.body)
	h.advance(time.Second)
	requireValidNotifications(t, rec.Bodies())
}

// TestInboundMessageReusingAnUploadCarriesItsHash: uploads are no longer hashed while they
// stream in; an inbound message that refers to one still gets the file's SHA-256.
func TestInboundMessageReusingAnUploadCarriesItsHash(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	content := []byte("%PDF-1.4 an uploaded invoice")
	id := h.uploadMedia("application/pdf", content)
	msg, err := h.srv.InjectInbound(Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "document",
		Document: &gen.InboundMedia{ID: id}}})
	require.NoError(t, err)
	sum := sha256.Sum256(content)
	assert.Equal(t, hex.EncodeToString(sum[:]), *msg.Document.Sha256)
}
