package cloud

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strings"

	"github.com/wabiz/wabiz/api"
)

// Media on the Cloud API
//
// Uploads are multipart/form-data (`messaging_product`, `type`, `file`) streamed straight
// from the caller's reader: the client writes the multipart framing itself around the file,
// so a 100 MB document moves in constant memory and, when its size is known, with an exact
// Content-Length. Upload ids live 30 days. Media ids of the On-Premises API are not valid
// here: re-upload, or send by link.
//
// A download takes two steps: GET /{media_id} returns metadata with a `url` that lives five
// minutes, and a GET of that URL, with the same bearer token, returns the bytes.
// DownloadMedia does both and, when the URL has expired in between (404), fetches a new URL
// once.

// UploadMedia streams r to the Cloud API (POST /{phone_number_id}/media) with the given
// media type and returns the media id to send. Nothing is buffered. When the size of r is
// known (a *bytes.Reader, *strings.Reader, *bytes.Buffer or regular *os.File), it is checked
// first against the limit of its kind, with an *api.MediaTooLargeError, and the upload can
// be retried after a throttle and replayed after a token refresh, each attempt reading its
// own section of r; a plain stream is sent once. UploadMedia does not close r.
//
//wabiz:operation uploadMedia
func (c *Client) UploadMedia(ctx context.Context, r io.Reader, contentType string) (string, error) {
	if r == nil {
		return "", &ArgumentError{Op: "UploadMedia", Reason: "nil reader"}
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.Contains(mt, "/") {
		return "", &ArgumentError{Op: "UploadMedia", Reason: fmt.Sprintf("invalid content type %q", contentType)}
	}
	src := sizedSource(r)
	if src.size == 0 {
		return "", &ArgumentError{Op: "UploadMedia", Reason: "empty body"}
	}
	kind := api.MediaKindOf(contentType)
	if limit := cloudLimit(kind); src.size > limit {
		return "", &api.MediaTooLargeError{Kind: kind, ContentType: contentType, Size: src.size, Limit: limit}
	}
	head, tail, boundary, err := multipartFrame(contentType, kind)
	if err != nil {
		return "", fmt.Errorf("wabiz: cloud: UploadMedia: %w", err)
	}
	body := func() io.Reader {
		return io.MultiReader(bytes.NewReader(head), src.reader(), strings.NewReader(tail))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.mediaURL, io.NopCloser(body()))
	if err != nil {
		return "", fmt.Errorf("wabiz: cloud: UploadMedia: %w", err)
	}
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	if src.size > 0 {
		req.ContentLength = int64(len(head)) + src.size + int64(len(tail))
	} else {
		req.ContentLength = -1 // unknown: chunked
	}
	if src.replayable {
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(body()), nil }
	}
	resp, err := c.do(req, false)
	if err != nil {
		return "", err
	}
	defer drain(resp)
	var up struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&up); err != nil || up.ID == "" {
		return "", unexpected("uploadMedia", resp.StatusCode)
	}
	return up.ID, nil
}

// cloudLimit is the Cloud API's size limit for kind (the same table as the On-Premises
// API's: 5 MB images, 16 MB audio and video, 100 MB documents). For a sticker it is the
// animated limit, 500 KB: a larger file fails at once, a static sticker over 100 KB is left
// to the server, which tells the two apart.
func cloudLimit(kind api.MediaKind) int64 {
	// The Cloud API sends animated stickers (500 KB); the On-Premises API sends static ones
	// only, so package api has no such limit.
	const limitAnimatedSticker = 500 * 1024
	switch kind {
	case api.MediaAudio:
		return api.LimitAudio
	case api.MediaImage:
		return api.LimitImage
	case api.MediaSticker:
		return limitAnimatedSticker
	case api.MediaVideo:
		return api.LimitVideo
	}
	return api.LimitDocument
}

// multipartFrame returns the bytes that go before and after the file in the upload body, and
// the boundary. The parts before the file are small and built with mime/multipart, which
// quotes them correctly; the closing delimiter is what multipart.Writer.Close writes.
func multipartFrame(contentType string, kind api.MediaKind) (head []byte, tail, boundary string, err error) {
	var rnd [16]byte
	_, _ = rand.Read(rnd[:]) // crypto/rand.Read never fails
	boundary = "wabiz-" + hex.EncodeToString(rnd[:])
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		return nil, "", "", err
	}
	if err := w.WriteField("messaging_product", "whatsapp"); err != nil {
		return nil, "", "", err
	}
	if err := w.WriteField("type", contentType); err != nil {
		return nil, "", "", err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, uploadName(contentType, kind)))
	h.Set("Content-Type", contentType)
	if _, err := w.CreatePart(h); err != nil {
		return nil, "", "", err
	}
	return buf.Bytes(), "\r\n--" + boundary + "--\r\n", boundary, nil
}

// uploadName is the file name the upload carries: the kind and the type's usual extension.
func uploadName(contentType string, kind api.MediaKind) string {
	name := string(kind)
	if exts, _ := mime.ExtensionsByType(contentType); len(exts) > 0 {
		name += exts[0]
	}
	return name
}

// source is an upload's content: its size (-1 when unknown) and how to read it.
type source struct {
	size       int64
	replayable bool
	at         io.ReaderAt
	start      int64
	once       io.Reader
}

// reader returns a reader of the content: for a replayable source a new, independent one
// each time, so that no attempt shares a reader with a previous attempt that the transport
// may still be reading.
func (s source) reader() io.Reader {
	if s.replayable {
		return io.NewSectionReader(s.at, s.start, s.size)
	}
	return s.once
}

// sizedSource inspects r without reading it.
func sizedSource(r io.Reader) source {
	switch v := r.(type) {
	case *bytes.Buffer:
		return source{size: int64(v.Len()), replayable: true, at: bytes.NewReader(v.Bytes())}
	case *bytes.Reader:
		if pos, err := v.Seek(0, io.SeekCurrent); err == nil {
			return source{size: int64(v.Len()), replayable: true, at: v, start: pos}
		}
	case *strings.Reader:
		if pos, err := v.Seek(0, io.SeekCurrent); err == nil {
			return source{size: int64(v.Len()), replayable: true, at: v, start: pos}
		}
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			if pos, err := v.Seek(0, io.SeekCurrent); err == nil {
				return source{size: fi.Size() - pos, replayable: true, at: v, start: pos}
			}
		}
	}
	return source{size: -1, once: r}
}

// MediaInfo is the metadata of uploaded or received media (GET /{media_id}).
type MediaInfo struct {
	// ID is the media id.
	ID string `json:"id"`
	// URL is where the bytes are, for five minutes, with the bearer token.
	URL string `json:"url"`
	// MimeType is the media type.
	MimeType string `json:"mime_type"`
	// SHA256 is the hex SHA-256 of the bytes.
	SHA256 string `json:"sha256"`
	// FileSize is the size in bytes (Graph sends a number or a string).
	FileSize json.Number `json:"file_size"`
}

// GetMedia returns the metadata of the media with the given id, with its short-lived
// download URL (GET /{media_id}?phone_number_id=…, which also checks that the media
// belongs to the client's number).
//
//wabiz:operation getNode
func (c *Client) GetMedia(ctx context.Context, id string) (*MediaInfo, error) {
	if err := required("GetMedia", "media id", id); err != nil {
		return nil, err
	}
	u := c.root + "/" + url.PathEscape(id) + "?phone_number_id=" + url.QueryEscape(c.phoneNumberID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("wabiz: cloud: GetMedia: %w", err)
	}
	resp, err := c.do(req, true)
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	var info MediaInfo
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || info.URL == "" {
		return nil, unexpected("getNode", resp.StatusCode)
	}
	return &info, nil
}

// DownloadMedia streams the media with the given id: it reads the metadata (GetMedia), then
// the bytes from its URL with the bearer token, and, when the URL expired in between (404),
// reads the metadata once more and tries the new URL. It returns the body unread, with its
// media type; the caller must close it.
//
//wabiz:operation downloadMedia
func (c *Client) DownloadMedia(ctx context.Context, id string) (io.ReadCloser, string, error) {
	if err := required("DownloadMedia", "media id", id); err != nil {
		return nil, "", err
	}
	info, err := c.GetMedia(ctx, id)
	if err != nil {
		return nil, "", err
	}
	body, ct, err := c.DownloadMediaURL(ctx, info.URL)
	if IsNotFound(err) {
		// The five minutes ran out between the two steps (or the URL was revoked).
		if info, err = c.GetMedia(ctx, id); err != nil {
			return nil, "", err
		}
		body, ct, err = c.DownloadMediaURL(ctx, info.URL)
	}
	if err != nil {
		return nil, "", err
	}
	if ct == "" {
		ct = info.MimeType
	}
	return body, ct, nil
}

// ErrInsecureMediaURL is returned, before anything is sent, for a media URL that would carry
// the access token in clear text to another host than the base URL's.
var ErrInsecureMediaURL = errors.New("wabiz: cloud: refusing to send the access token to a media URL that is not HTTPS")

// DownloadMediaURL streams the media at rawURL, the `url` of GetMedia or of an inbound
// webhook's media, with the bearer token. The URL must be HTTPS, unless it is on the host of
// the base URL (a local fake). It returns the body unread and its media type; the caller
// must close it. An expired URL fails with an *Error whose IsNotFound is true.
//
//wabiz:operation downloadMedia
func (c *Client) DownloadMediaURL(ctx context.Context, rawURL string) (io.ReadCloser, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, "", &ArgumentError{Op: "DownloadMediaURL", Reason: "not an absolute http(s) URL"}
	}
	if u.Scheme != "https" && u.Host != c.baseHost {
		return nil, "", ErrInsecureMediaURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", fmt.Errorf("wabiz: cloud: DownloadMediaURL: %w", err)
	}
	resp, err := c.do(req, true)
	if err != nil {
		return nil, "", err
	}
	return resp.Body, resp.Header.Get("Content-Type"), nil
}

// DeleteMedia deletes uploaded media (DELETE /{media_id}?phone_number_id=…).
//
//wabiz:operation deleteMedia
func (c *Client) DeleteMedia(ctx context.Context, id string) error {
	if err := required("DeleteMedia", "media id", id); err != nil {
		return err
	}
	u := c.root + "/" + url.PathEscape(id) + "?phone_number_id=" + url.QueryEscape(c.phoneNumberID)
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, nil)
	if err != nil {
		return fmt.Errorf("wabiz: cloud: DeleteMedia: %w", err)
	}
	resp, err := c.do(req, true)
	if err != nil {
		return err
	}
	drain(resp)
	return nil
}
