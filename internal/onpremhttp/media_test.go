package onpremhttp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/spec"
)

// TestUploadRules checks the shared rules of POST /v1/media against the spec: the declared
// media types, the kinds and their limits, and the answers to a bad upload.
func TestUploadRules(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	op, err := UploadOperation(doc)
	require.NoError(t, err)
	limits, err := LoadMediaLimits(doc)
	require.NoError(t, err)

	for _, tc := range []struct {
		contentType string
		code        int // 0: accepted
		kind        string
		limit       int64
	}{
		{"image/png", 0, "image", 5 << 20},
		{"image/jpeg", 0, "image", 5 << 20},
		{"audio/ogg; codecs=opus", 0, "audio", 16 << 20},
		{"audio/ogg", CodeInvalidParameter, "", 0},
		{"video/mp4", 0, "video", 16 << 20},
		{"image/webp", 0, "sticker", 100 << 10},
		{"application/pdf", 0, "document", MaxUploadBytes},
		{"application/zip", 0, "document", MaxUploadBytes},
		{"multipart/form-data", CodeInvalidParameter, "", 0},
		{"", CodeMissingParameter, "", 0},
	} {
		e := CheckBinaryContentType(op, tc.contentType)
		if tc.code != 0 {
			require.NotNil(t, e, "%q", tc.contentType)
			assert.Equal(t, tc.code, e.Code, "%q", tc.contentType)
			assert.Equal(t, 400, e.Status, "%q", tc.contentType)
			continue
		}
		assert.Nil(t, e, "%q", tc.contentType)
		kind, _ := limits.Match(tc.contentType)
		assert.Equal(t, tc.kind, kind, "%q", tc.contentType)
		assert.Equal(t, tc.limit, limits.LimitFor(kind, false), "%q", tc.contentType)
	}
	assert.Equal(t, "Request content exceeds size of 100 MB", UploadTooLarge("document", MaxUploadBytes, MaxUploadBytes).Details)
	assert.Equal(t, "Request content exceeds size of 1000 bytes", UploadTooLarge("document", 1000, 1000).Details)
	assert.Equal(t, "Request content exceeds the image limit of 5242880 bytes", UploadTooLarge("image", 5<<20, MaxUploadBytes).Details)
}

// TestNormalizePhone checks the phone rules shared by the fake and the bridge.
func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"+1 631 555 1001": "16315551001", "1-631-555-1005": "16315551005", " (1) 631.555.1009 ": "16315551009",
		"16315551005": "16315551005", "555-1234": "", "+1 631 555 10x1": "", "0016315551001": "", "1234567890123456": "", "": "",
	} {
		assert.Equal(t, want, NormalizePhone(in), "%q", in)
	}
}
