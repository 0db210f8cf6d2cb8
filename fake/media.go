package fake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// MaxUploadBytes is the API's upload ceiling, 100 MB (104,857,600 bytes).
const MaxUploadBytes = onpremhttp.MaxUploadBytes

// mediaGCAge is how long media must stay unused before PUT /v1/services/media/gc deletes it.
const mediaGCAge = 30 * 24 * time.Hour

// The media rules themselves (media types, kinds, limits) live in internal/onpremhttp, which
// the bridge shares, so that both servers accept and refuse the same uploads.

// mediaLimit is one entry of uploadMedia's x-wabiz-media-limits.
type mediaLimit = onpremhttp.MediaLimit

// mediaLimits is the per-kind table read from the spec.
type mediaLimits onpremhttp.MediaLimits

// loadMediaLimits reads x-wabiz-media-limits from the uploadMedia operation of the spec.
func loadMediaLimits(doc *openapi3.T) (mediaLimits, error) {
	l, err := onpremhttp.LoadMediaLimits(doc)
	return mediaLimits(l), err
}

// match returns the kind of a media type and its limit entries (two for stickers: static and
// animated). Ranges such as `application/*` match any subtype.
func (l mediaLimits) match(contentType string) (string, []mediaLimit) {
	return onpremhttp.MediaLimits(l).Match(contentType)
}

// limitFor returns the size limit of a kind; for stickers, of the variant.
func (l mediaLimits) limitFor(kind string, animated bool) int64 {
	return onpremhttp.MediaLimits(l).LimitFor(kind, animated)
}

// baseMediaType returns the lower-case type/subtype of a Content-Type, without parameters.
func baseMediaType(ct string) string { return onpremhttp.BaseMediaType(ct) }

// checkBinaryContentType checks a binary upload's Content-Type against the media types the
// operation declares in the original spec (validation skips these bodies so as not to buffer
// them).
func (s *Server) checkBinaryContentType(o *onpremhttp.Operation, ct string) *apiError {
	var op *openapi3.Operation
	if o != nil {
		op = o.Spec
	}
	return onpremhttp.CheckBinaryContentType(op, ct)
}

// mediaFile is a stored media file.
type mediaFile struct {
	id          string
	contentType string
	kind        string
	animated    bool
	size        int64
	path        string
	created     time.Time
	lastUsed    time.Time
	builtin     bool // first-party sticker images, never collected

	// sha is the hex SHA-256 of the file. Uploads are not hashed while they stream in (that
	// cost a third of the upload's CPU, and only an inbound message that reuses the file
	// needs it): shaOnce computes it from the file the first time it is asked for.
	shaOnce sync.Once
	sha     string
}

// sha256 returns the hex SHA-256 of the file, computing it once ("" if the file cannot be
// read).
func (m *mediaFile) sha256() string {
	m.shaOnce.Do(func() {
		if m.sha != "" {
			return
		}
		f, err := os.Open(m.path)
		if err != nil {
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err == nil {
			m.sha = hexSum(h)
		}
	})
	return m.sha
}

// copyBufSize is the buffer of media copies. Each socket read is written as it comes (waiting
// to fill the buffer before writing stalled the sender: measured 0.23× against 1.37× in the
// same run), but a read may now bring up to 1 MiB instead of io.Copy's 32 KiB.
const copyBufSize = 1 << 20

var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// headCapture writes to w and keeps the first bytes written through it (to sniff animated
// WebP stickers).
type headCapture struct {
	w   io.Writer
	buf []byte
	max int
}

func (h *headCapture) Write(p []byte) (int, error) {
	if room := h.max - len(h.buf); room > 0 {
		if room > len(p) {
			room = len(p)
		}
		h.buf = append(h.buf, p[:room]...)
	}
	return h.w.Write(p)
}

// animatedWebP reports whether a WebP header announces an animation (VP8X chunk with the
// animation flag).
func animatedWebP(head []byte) bool {
	return len(head) >= 21 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP" &&
		string(head[12:16]) == "VP8X" && head[20]&0x02 != 0
}

// storeMedia streams body into the media directory, enforcing limit while reading, and
// records the file; sha is the body's hex SHA-256 when the caller knows it. It never holds more
// than a copy buffer of the body in memory.
func (s *Server) storeMedia(contentType, kind string, body io.Reader, limit int64, sha string) (*mediaFile, *apiError) {
	tmp, err := os.CreateTemp(s.mediaDir, "upload-*")
	if err != nil {
		return nil, errStatus(403, codeAccessDenied, "the media volume is not writable: %v", err)
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	head := &headCapture{w: tmp, max: 32}
	bp := copyBufs.Get().(*[]byte)
	n, err := io.CopyBuffer(head, io.LimitReader(body, limit+1), *bp)
	copyBufs.Put(bp)
	if err != nil {
		return nil, errf(codeInvalidParameter, "the upload could not be read: %v", err)
	}
	if n == 0 {
		return nil, errf(codeMissingParameter, "No data found")
	}
	if n > limit {
		return nil, s.tooLarge(kind, limit)
	}
	// An animated WebP uploads like any file; it cannot be sent as a sticker (checked at send).
	animated := kind == "sticker" && animatedWebP(head.buf)
	if err := tmp.Close(); err != nil {
		return nil, errf(codeInvalidParameter, "the upload could not be stored: %v", err)
	}
	id := s.newUUID()
	path := s.mediaPath(id)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, errStatus(403, codeAccessDenied, "the media volume is not writable: %v", err)
	}
	tmp = nil
	now := s.clock.Now()
	m := &mediaFile{id: id, contentType: strings.TrimSpace(contentType), kind: kind, animated: animated, size: n,
		sha: sha, path: path, created: now, lastUsed: now}
	s.mu.Lock()
	s.st.media[id] = m
	s.mu.Unlock()
	return m, nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// uploadCeiling is the largest upload accepted, whatever its kind (and the document limit).
func (s *Server) uploadCeiling() int64 { return s.cfg.maxUpload }

// tooLarge is the answer to an upload over limit.
func (s *Server) tooLarge(kind string, limit int64) *apiError {
	return onpremhttp.UploadTooLarge(kind, limit, s.uploadCeiling())
}

// storeMediaBytes stores an in-memory file (inbound media, stickers), skipping the limits.
func (s *Server) storeMediaBytes(contentType, kind string, data []byte) (*mediaFile, error) {
	sum := sha256.Sum256(data)
	m, e := s.storeMedia(contentType, kind, bytes.NewReader(data), int64(len(data))+1, hex.EncodeToString(sum[:]))
	if e != nil {
		return nil, e
	}
	return m, nil
}

// UploadMedia checks the media type against the spec, applies the per-kind size limit of
// x-wabiz-media-limits only with WithMediaKindLimitsAtUpload (by default, like the real server,
// only the 100 MB ceiling: the kind's limit applies at send) while streaming the body to the
// media directory, and returns the new id.
func (s *Server) UploadMedia(ctx context.Context, req gen.UploadMediaRequestObject) (gen.UploadMediaResponseObject, error) {
	if e := s.checkBinaryContentType(onpremhttp.OperationFrom(ctx), req.ContentType); e != nil {
		return nil, e
	}
	kind, _ := s.limits.match(req.ContentType)
	if kind == "" {
		kind = "document"
	}
	limit := s.uploadCeiling()
	if s.cfg.mediaLimitsAtUpload {
		if l := s.limits.limitFor(kind, false); kind != "document" && l > 0 && l < limit {
			limit = l
		}
	}
	if r := onpremhttp.RequestFrom(ctx); r != nil && r.ContentLength > limit {
		return nil, s.tooLarge(kind, limit)
	}
	if req.Body == nil {
		return nil, errf(codeMissingParameter, "No data found")
	}
	m, e := s.storeMedia(req.ContentType, kind, req.Body, limit, "")
	if e != nil {
		return nil, e
	}
	return gen.UploadMedia201JSONResponse{Body: gen.MediaEnvelope{Media: []gen.UploadedMedia{{ID: m.id}}, Meta: s.meta}}, nil
}

// DownloadMedia streams a stored file back with its media type.
func (s *Server) DownloadMedia(_ context.Context, req gen.DownloadMediaRequestObject) (gen.DownloadMediaResponseObject, error) {
	s.mu.RLock()
	m := s.st.media[req.MediaID]
	s.mu.RUnlock()
	if m == nil {
		return nil, errf(codeNotFound, "File with id %s not found", req.MediaID)
	}
	f, err := os.Open(m.path)
	if err != nil {
		return nil, errf(codeNotFound, "File with id %s not found", req.MediaID)
	}
	return gen.DownloadMedia200AsteriskResponse{
		Body:          f,
		ContentType:   m.contentType,
		ContentLength: m.size,
		Headers:       gen.DownloadMedia200ResponseHeaders{ContentDisposition: ptr("attachment; filename=" + m.id)},
	}, nil
}

// DeleteMedia removes a stored file.
func (s *Server) DeleteMedia(_ context.Context, req gen.DeleteMediaRequestObject) (gen.DeleteMediaResponseObject, error) {
	s.mu.Lock()
	m := s.st.media[req.MediaID]
	if m != nil {
		delete(s.st.media, req.MediaID)
	}
	s.mu.Unlock()
	if m == nil {
		return nil, errf(codeNotFound, "File with id %s not found", req.MediaID)
	}
	_ = os.Remove(m.path)
	return gen.DeleteMedia200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// afterGC runs collect on the fake's clock after the configured GC delay, with s.mu held,
// unless Reset ran in between; the function collect returns runs after s.mu is released
// (file removal, webhook enqueueing).
func (s *Server) afterGC(collect func() (unlocked func())) {
	s.mu.Lock()
	gen0 := s.st.generation
	s.mu.Unlock()
	s.clock.AfterFunc(s.cfg.gcDelay, func() {
		s.mu.Lock()
		if s.st.generation != gen0 {
			s.mu.Unlock()
			return
		}
		unlocked := collect()
		s.mu.Unlock()
		unlocked()
	})
}

// CollectMediaGarbage answers `processing`, then deletes media unused for 30 days (on the
// fake's clock) and reports the count in a `services` webhook.
func (s *Server) CollectMediaGarbage(context.Context, gen.CollectMediaGarbageRequestObject) (gen.CollectMediaGarbageResponseObject, error) {
	s.afterGC(func() func() {
		now := s.clock.Now()
		var paths []string
		for id, m := range s.st.media {
			if !m.builtin && now.Sub(m.lastUsed) > mediaGCAge {
				paths = append(paths, m.path)
				delete(s.st.media, id)
			}
		}
		return func() {
			for _, p := range paths {
				_ = os.Remove(p)
			}
			n := int64(len(paths))
			s.enqueueNotification(kindServices, gen.WebhookNotification{Services: &[]gen.WebhookServiceNotice{{
				Media: &gen.WebhookServiceResult{Gc: &gen.WebhookGarbageCollection{Status: ptr("complete"), ItemsDeleted: &n}},
			}}})
		}
	})
	return gen.CollectMediaGarbage200JSONResponse{Body: gen.MediaGCEnvelope{
		Services: gen.MediaGCServices{Media: gen.MediaGCService{Gc: gen.GCProgress{Status: gen.GCProgressStatusProcessing}}},
		Meta:     s.meta,
	}}, nil
}
