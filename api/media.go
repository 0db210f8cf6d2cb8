package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/wabiz/wabiz/gen"
)

// MediaKind is the server's classification of a media type; each kind has its own size limit.
type MediaKind string

// The media kinds of the On-Premises API.
const (
	MediaAudio    MediaKind = "audio"
	MediaDocument MediaKind = "document"
	MediaImage    MediaKind = "image"
	MediaSticker  MediaKind = "sticker"
	MediaVideo    MediaKind = "video"
)

const (
	kib = 1 << 10
	mib = 1 << 20
)

// Size limits per kind, in bytes. They match the x-wabiz-media-limits extension of
// uploadMedia in spec/openapi.yaml (a test keeps the two equal). The server applies them when
// media is sent, after its own processing, and stores larger uploads (up to 100 MB); the
// client applies them before uploading a file of known size, so that an oversized file fails
// at once with a *MediaTooLargeError rather than when it is sent. A file under its limit may
// still fail to send if the server cannot process it. The client's check is a convenience (a
// file over its limit can never be sent, so it is not uploaded); the server's own check is at
// send time.
//
// Outbound stickers are static WebP only: the server refuses to send an animated one whatever
// its size (only inbound stickers may be animated), so there is one sticker limit.
const (
	LimitAudio    = 16 * mib
	LimitDocument = 100 * mib
	LimitImage    = 5 * mib
	LimitSticker  = 100 * kib
	LimitVideo    = 16 * mib
)

// LimitStaticSticker is the sticker limit under its old name.
//
// Deprecated: outbound stickers are static only; use LimitSticker.
const LimitStaticSticker = LimitSticker

// MediaKindOf classifies a media type as the server does: JPEG and PNG are images, WebP is a
// sticker, the listed audio and video types are audio and video, anything else is a document.
func MediaKindOf(contentType string) MediaKind {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch mt {
	case "image/jpeg", "image/png":
		return MediaImage
	case "image/webp":
		return MediaSticker
	case "audio/aac", "audio/mp4", "audio/amr", "audio/mpeg", "audio/ogg":
		return MediaAudio
	case "video/mp4", "video/3gpp":
		return MediaVideo
	}
	return MediaDocument
}

// mediaLimit returns the byte limit of kind.
func mediaLimit(kind MediaKind) int64 {
	switch kind {
	case MediaAudio:
		return LimitAudio
	case MediaImage:
		return LimitImage
	case MediaSticker:
		return LimitSticker
	case MediaVideo:
		return LimitVideo
	}
	return LimitDocument
}

// UploadMedia streams r to the server (POST /v1/media) with the given media type and returns
// the media id to send or to download later. The body is never buffered: a 100 MB document
// travels in constant memory. When the size is known (a *bytes.Reader, *strings.Reader,
// *bytes.Buffer, *os.File or any io.Seeker), it is sent as Content-Length and checked against
// the kind's limit before any byte leaves, with a *MediaTooLargeError; a stream of unknown
// size is sent as it is and the server judges it. A seekable r (and a *bytes.Buffer) can be
// retried after a 429 or 503 and replayed after a re-login; a plain stream is sent once.
// Each attempt reads its own copy: an io.ReaderAt through its own io.SectionReader (so r's
// offset does not move), another seekable r rewound only once the previous attempt has let
// go of it. UploadMedia does not close r.
//
//wabiz:operation uploadMedia
func (c *Client) UploadMedia(ctx context.Context, r io.Reader, contentType string) (string, error) {
	if r == nil {
		return "", &ArgumentError{Method: "UploadMedia", Argument: "reader", Problem: "nil"}
	}
	if err := checkContentType("UploadMedia", contentType); err != nil {
		return "", err
	}
	size, start, seeker := readerSize(r)
	kind := MediaKindOf(contentType)
	if size >= 0 {
		if size == 0 {
			return "", &ArgumentError{Method: "UploadMedia", Argument: "body (0 bytes)", Problem: "empty"}
		}
		if limit := mediaLimit(kind); size > limit {
			return "", &MediaTooLargeError{Kind: kind, ContentType: contentType, Size: size, Limit: limit}
		}
	}
	body, edit := uploadBody(r, size, start, seeker)
	resp, err := c.Raw.UploadMediaWithBodyWithResponse(ctx, contentType, body, edit)
	if err != nil {
		return "", err
	}
	if resp.JSON201 == nil || len(resp.JSON201.Media) == 0 || resp.JSON201.Media[0].ID == "" {
		return "", unexpected("uploadMedia", resp.StatusCode())
	}
	return resp.JSON201.Media[0].ID, nil
}

// checkContentType rejects a media type the server could not accept as a request header.
func checkContentType(method, contentType string) error {
	if _, _, err := mime.ParseMediaType(contentType); err != nil || !strings.Contains(contentType, "/") {
		return &ArgumentError{Method: method, Argument: fmt.Sprintf("content type %q (want a media type such as image/jpeg)", contentType), Problem: "invalid"}
	}
	return nil
}

// uploadBody returns the body of an upload's first attempt and the request editor that sets
// its Content-Length and, when r can be read again, a GetBody for the replays (a retry after
// 429 or 503, a replay after a re-login).
//
// Every attempt needs a reader of its own: the server may answer (401, 429) before it has
// read the body, and the transport of that attempt may still be reading it when the next
// attempt starts; the RoundTripper contract only promises that it closes the body when done,
// possibly after RoundTrip returned. Rewinding the caller's one reader at that point races
// with the old attempt and sends a truncated body ("ContentLength=N with Body length M").
// So an io.ReaderAt (*bytes.Reader, *strings.Reader, *os.File) is read through a new
// io.SectionReader per attempt, which leaves the caller's offset alone; any other seekable
// reader is rewound only after the previous attempt's transport closed its body. The
// caller's reader is never closed: the transport's Close reaches only these wrappers.
func uploadBody(r io.Reader, size, start int64, seeker io.ReadSeeker) (io.Reader, gen.RequestEditorFn) {
	var (
		first   io.Reader = r
		getBody func() (io.ReadCloser, error)
	)
	switch ra, ok := r.(io.ReaderAt); {
	case ok && seeker != nil && size >= 0:
		first = io.NewSectionReader(ra, start, size)
		getBody = func() (io.ReadCloser, error) {
			return io.NopCloser(io.NewSectionReader(ra, start, size)), nil
		}
	case seeker != nil:
		prev := newClosedSignal(r)
		first = prev
		getBody = func() (io.ReadCloser, error) {
			<-prev.closed // the previous attempt's transport is done with the reader
			if _, err := seeker.Seek(start, io.SeekStart); err != nil {
				return nil, err
			}
			prev = newClosedSignal(seeker)
			return prev, nil
		}
	case isCloser(r):
		first = io.NopCloser(r) // the transport closes the body; the caller's stays open
	}
	edit := func(_ context.Context, req *http.Request) error {
		if size >= 0 {
			req.ContentLength = size
		}
		// Set (or clear: net/http builds one for a *bytes.Buffer, which is fine, but not for
		// the wrappers above) the replay of every attempt after the first.
		if getBody != nil {
			req.GetBody = getBody
		}
		return nil
	}
	return first, edit
}

func isCloser(r io.Reader) bool {
	_, ok := r.(io.Closer)
	return ok
}

// closedSignal is a request body that reports when the transport closed it, without closing
// the reader it reads from.
type closedSignal struct {
	io.Reader
	once   sync.Once
	closed chan struct{}
}

func newClosedSignal(r io.Reader) *closedSignal {
	return &closedSignal{Reader: r, closed: make(chan struct{})}
}

// Close records that the attempt no longer reads the body.
func (b *closedSignal) Close() error {
	b.once.Do(func() { close(b.closed) })
	return nil
}

// DownloadMedia streams the media with the given id (GET /v1/media/{media_id}). It returns the
// body unread, with its media type; the caller must close it. Nothing is buffered, so any size
// moves in constant memory. WithTimeout bounds only the wait for the response headers; bound
// the transfer itself with ctx.
//
//wabiz:operation downloadMedia
func (c *Client) DownloadMedia(ctx context.Context, id string) (io.ReadCloser, string, error) {
	if err := required("DownloadMedia", "media id", id); err != nil {
		return nil, "", err
	}
	resp, err := c.Raw.DownloadMedia(ctx, id)
	if err != nil {
		return nil, "", err
	}
	return resp.Body, resp.Header.Get("Content-Type"), nil
}

// DeleteMedia deletes uploaded or downloaded media (DELETE /v1/media/{media_id}).
//
//wabiz:operation deleteMedia
func (c *Client) DeleteMedia(ctx context.Context, id string) error {
	if err := required("DeleteMedia", "media id", id); err != nil {
		return err
	}
	_, err := c.Raw.DeleteMediaWithResponse(ctx, id)
	return err
}

// CollectMediaGarbage starts the media garbage collector (PUT /v1/services/media/gc), which
// deletes media unused for more than 30 days. It returns as soon as the run has started; how
// it ended arrives later as a webhook `services` notice.
//
//wabiz:operation collectMediaGarbage
func (c *Client) CollectMediaGarbage(ctx context.Context) error {
	_, err := c.Raw.CollectMediaGarbageWithResponse(ctx)
	return err
}

// readerSize returns the number of bytes left in r, or -1 when unknown, and r as an io.ReadSeeker
// positioned at start when it is one.
func readerSize(r io.Reader) (size, start int64, seeker io.ReadSeeker) {
	switch v := r.(type) {
	case interface{ Len() int }: // *bytes.Reader, *strings.Reader, *bytes.Buffer
		size = int64(v.Len())
		if s, ok := r.(io.ReadSeeker); ok {
			if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
				return size, pos, s
			}
		}
		return size, 0, nil
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			if pos, err := v.Seek(0, io.SeekCurrent); err == nil {
				return fi.Size() - pos, pos, v
			}
		}
		return -1, 0, nil
	case io.ReadSeeker:
		pos, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1, 0, nil
		}
		end, err := v.Seek(0, io.SeekEnd)
		if err != nil {
			return -1, 0, nil
		}
		if _, err := v.Seek(pos, io.SeekStart); err != nil {
			return -1, 0, nil
		}
		return end - pos, pos, v
	}
	return -1, 0, nil
}

// DetectContentType sniffs the media type of r from its first bytes and returns it with a
// reader that still yields all of r. It knows the types the API accepts that
// net/http.DetectContentType does not name precisely: Opus in Ogg
// (`audio/ogg; codecs=opus`), AMR, AAC (ADTS), M4A audio and 3GPP video.
func DetectContentType(r io.Reader) (string, io.Reader, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", nil, err
	}
	head = head[:n]
	rest := io.MultiReader(bytes.NewReader(head), r)
	return sniff(head), rest, nil
}

func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("OggS")) && bytes.Contains(head, []byte("OpusHead")):
		return "audio/ogg; codecs=opus"
	case bytes.HasPrefix(head, []byte("#!AMR")):
		return "audio/amr"
	case len(head) >= 2 && head[0] == 0xFF && head[1]&0xF6 == 0xF0: // ADTS sync word, layer 0
		return "audio/aac"
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		brand := string(head[8:12])
		switch {
		case strings.HasPrefix(brand, "3gp"):
			return "video/3gpp"
		case brand == "M4A ":
			return "audio/mp4"
		}
		return "video/mp4"
	}
	ct := http.DetectContentType(head)
	if ct == "application/ogg" {
		return "audio/ogg"
	}
	if i := strings.Index(ct, ";"); i >= 0 && !strings.HasPrefix(ct, "text/") {
		ct = ct[:i]
	}
	return ct
}
