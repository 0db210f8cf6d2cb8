package onpremhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The media rules of POST /v1/media, shared by the fake and the bridge so that both accept and
// refuse the same uploads: the media types the operation declares, the 100 MB ceiling, and the
// per-kind limits of its x-wabiz-media-limits extension.

// MaxUploadBytes is the API's upload ceiling, 100 MB (104,857,600 bytes).
const MaxUploadBytes = 100 << 20

// MediaLimit is one entry of uploadMedia's x-wabiz-media-limits.
type MediaLimit struct {
	Kind       string   `json:"kind"`
	Variant    string   `json:"variant,omitempty"`
	MediaTypes []string `json:"media_types"`
	MaxBytes   int64    `json:"max_bytes"`
}

// MediaLimits is the per-kind table read from the spec.
type MediaLimits []MediaLimit

// UploadOperation returns the spec's POST /v1/media (uploadMedia).
func UploadOperation(doc *openapi3.T) (*openapi3.Operation, error) {
	item := doc.Paths.Value("/v1/media")
	if item == nil || item.Post == nil {
		return nil, errors.New("the spec has no POST /v1/media")
	}
	return item.Post, nil
}

// LoadMediaLimits reads x-wabiz-media-limits from the uploadMedia operation of the spec.
func LoadMediaLimits(doc *openapi3.T) (MediaLimits, error) {
	op, err := UploadOperation(doc)
	if err != nil {
		return nil, err
	}
	raw, ok := op.Extensions["x-wabiz-media-limits"]
	if !ok {
		return nil, errors.New("uploadMedia has no x-wabiz-media-limits")
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("x-wabiz-media-limits: %w", err)
	}
	var l MediaLimits
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("x-wabiz-media-limits: %w", err)
	}
	if len(l) == 0 {
		return nil, errors.New("x-wabiz-media-limits is empty")
	}
	return l, nil
}

// Match returns the kind of a media type and its limit entries (two for stickers: static and
// animated). Ranges such as `application/*` match any subtype.
func (l MediaLimits) Match(contentType string) (string, []MediaLimit) {
	full := strings.ToLower(strings.TrimSpace(contentType))
	base := BaseMediaType(contentType)
	var kind string
	var out []MediaLimit
	for _, ml := range l {
		for _, t := range ml.MediaTypes {
			t = strings.ToLower(t)
			ok := t == full || t == base
			if !ok && strings.HasSuffix(t, "/*") {
				ok = strings.HasPrefix(base, strings.TrimSuffix(t, "*"))
			}
			if ok && (kind == "" || kind == ml.Kind) {
				kind = ml.Kind
				out = append(out, ml)
				break
			}
		}
	}
	return kind, out
}

// LimitFor returns the size limit of a kind; for stickers, of the variant.
func (l MediaLimits) LimitFor(kind string, animated bool) int64 {
	var limit int64
	for _, ml := range l {
		if ml.Kind != kind {
			continue
		}
		if kind == "sticker" && (ml.Variant == "animated") != animated {
			continue
		}
		if ml.MaxBytes > limit {
			limit = ml.MaxBytes
		}
	}
	return limit
}

// BaseMediaType returns the lower-case type/subtype of a Content-Type, without parameters.
func BaseMediaType(ct string) string {
	base, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(base))
}

// CheckBinaryContentType checks a binary upload's Content-Type against the media types op
// declares in the original spec (request validation skips binary bodies so as not to buffer
// them, so the handler checks the header): missing is 400/1008, undeclared 400/1009.
func CheckBinaryContentType(op *openapi3.Operation, ct string) *Error {
	if strings.TrimSpace(ct) == "" {
		return Errorf(CodeMissingParameter, "Content-Type missing")
	}
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	if op.RequestBody.Value.Content.Get(ct) == nil {
		return Errorf(CodeInvalidParameter, "Content-Type %q is not supported by this operation", ct)
	}
	return nil
}

// UploadTooLarge is the answer to an upload over limit, with the Webapp's wording for the
// ceiling ("Request content exceeds size of 100 MB"); ceiling is the server's ceiling.
func UploadTooLarge(kind string, limit, ceiling int64) *Error {
	if limit >= ceiling {
		if limit == MaxUploadBytes {
			return Errorf(CodeInvalidParameter, "Request content exceeds size of 100 MB")
		}
		return Errorf(CodeInvalidParameter, "Request content exceeds size of %d bytes", limit)
	}
	return Statusf(http.StatusBadRequest, CodeInvalidParameter, "Request content exceeds the %s limit of %d bytes", kind, limit)
}
