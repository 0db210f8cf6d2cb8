package bridge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// Media: a Cloud media id is the On-Premises media id, passed through both ways, so media
// uploaded through the bridge can be sent in a message (`image.id`) and inbound media ids of
// the relayed webhooks can be downloaded. Bytes stream through; nothing is buffered.

// uploadOperation returns the spec's POST /v1/media: the pipeline's operation of the request,
// or (for a call outside the pipeline) the one of the shared spec. The media rules are the
// same code (internal/onpremhttp) as the fake's, so that both accept the same uploads.
func uploadOperation(ctx context.Context) (*openapi3.Operation, error) {
	if o := onpremhttp.OperationFrom(ctx); o != nil && o.Spec != nil {
		return o.Spec, nil
	}
	doc, err := onpremhttp.Spec()
	if err != nil {
		return nil, err
	}
	return onpremhttp.UploadOperation(doc)
}

// uploadCeiling is the largest upload the bridge accepts: the On-Premises ceiling, 100 MB.
// Like the Webapp (and the fake by default), the per-kind limits are not checked at upload:
// the Cloud API checks its own limits (5 MB images, 16 MB audio and video...) and refuses
// with 131053, which the error table answers with 400/1009.
const uploadCeiling = onpremhttp.MaxUploadBytes

// UploadMedia streams the raw body into the Cloud API's multipart upload and answers with the
// Cloud media id. The Content-Type must be one the On-Premises spec declares for the
// operation, the body must not be empty (1008 "No data found") and at most 100 MB (1009): a
// bigger body is cut off mid-stream, which aborts the Cloud upload, so no partial file stays.
func (b *Bridge) UploadMedia(ctx context.Context, request gen.UploadMediaRequestObject) (gen.UploadMediaResponseObject, error) {
	op, err := uploadOperation(ctx)
	if err != nil {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInternal, "the bridge cannot read its spec: %v", err)
	}
	if e := onpremhttp.CheckBinaryContentType(op, request.ContentType); e != nil {
		return nil, e
	}
	if r := onpremhttp.RequestFrom(ctx); r != nil && r.ContentLength > uploadCeiling {
		// Announced too large: refused before a byte goes to Graph, as the Webapp does.
		return nil, onpremhttp.UploadTooLarge("document", uploadCeiling, uploadCeiling)
	}
	if request.Body == nil {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "No data found")
	}
	// Read the first byte before calling Graph, so that an empty body gets the Webapp's
	// answer rather than Graph's.
	var first [1]byte
	n, err := io.ReadFull(request.Body, first[:])
	if n == 0 {
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "the upload could not be read: %v", err)
		}
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "No data found")
	}
	body := &ceilingReader{r: io.MultiReader(bytes.NewReader(first[:n]), request.Body), left: uploadCeiling}
	id, err := b.cloud.UploadMedia(ctx, body, request.ContentType)
	if body.over {
		return nil, onpremhttp.UploadTooLarge("document", uploadCeiling, uploadCeiling)
	}
	if err != nil {
		return nil, b.cloudFailure(ctx, err, false)
	}
	return gen.UploadMedia201JSONResponse{Body: gen.MediaEnvelope{Media: []gen.UploadedMedia{{ID: id}}, Meta: b.meta}}, nil
}

// errUploadTooLarge ends the stream of an upload over the ceiling.
var errUploadTooLarge = errors.New("bridge: the upload exceeds 100 MB")

// ceilingReader passes at most left bytes and fails the read that would pass more, recording
// it: the Cloud client's error may not wrap the reader's, so the flag is what UploadMedia
// checks.
type ceilingReader struct {
	r    io.Reader
	left int64
	over bool
}

func (c *ceilingReader) Read(p []byte) (int, error) {
	if c.over {
		return 0, errUploadTooLarge
	}
	// Ask for one byte more than allowed, to tell "exactly at the ceiling" from "over".
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	if int64(n) > c.left {
		c.over = true
		return 0, errUploadTooLarge
	}
	c.left -= int64(n)
	return n, err
}

// DownloadMedia streams the media's bytes from the Cloud API (metadata, then the short-lived
// URL, refetched once if it expired) with the Content-Type the Cloud API reports. The Cloud
// body is closed when the copy ends and, at the latest, when the request ends.
func (b *Bridge) DownloadMedia(ctx context.Context, request gen.DownloadMediaRequestObject) (gen.DownloadMediaResponseObject, error) {
	body, contentType, err := b.cloud.DownloadMedia(ctx, request.MediaID)
	if err != nil {
		return nil, b.cloudFailure(ctx, err, true)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	// The generated response closes the body after the copy; a request that ends without
	// the response being written (a pipeline error after this return) must not leak the
	// Cloud connection.
	rc := &onceCloser{ReadCloser: body}
	context.AfterFunc(ctx, func() { _ = rc.Close() })
	disposition := "attachment; filename=" + request.MediaID
	return gen.DownloadMedia200AsteriskResponse{
		Body:        rc,
		ContentType: contentType,
		Headers:     gen.DownloadMedia200ResponseHeaders{ContentDisposition: &disposition},
	}, nil
}

// onceCloser closes its ReadCloser once, whoever asks first.
type onceCloser struct {
	io.ReadCloser
	once sync.Once
	err  error
}

func (o *onceCloser) Close() error {
	o.once.Do(func() { o.err = o.ReadCloser.Close() })
	return o.err
}

// DeleteMedia deletes the Cloud media with that id.
func (b *Bridge) DeleteMedia(ctx context.Context, request gen.DeleteMediaRequestObject) (gen.DeleteMediaResponseObject, error) {
	if err := b.cloud.DeleteMedia(ctx, request.MediaID); err != nil {
		return nil, b.cloudFailure(ctx, err, true)
	}
	return gen.DeleteMedia200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}
