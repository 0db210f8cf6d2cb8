package api

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// TestMediaMessageTypeFollowsTheKind checks that NewMediaMessage fills the content block of
// its kind, and only that one, and that an unknown kind builds a document, as MediaKindOf
// classifies unknown media types.
func TestMediaMessageTypeFollowsTheKind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind MediaKind
		want string
	}{
		{MediaImage, `{"to":"1","type":"image","image":{"id":"m"}}`},
		{MediaAudio, `{"to":"1","type":"audio","audio":{"id":"m"}}`},
		{MediaVideo, `{"to":"1","type":"video","video":{"id":"m"}}`},
		{MediaDocument, `{"to":"1","type":"document","document":{"id":"m"}}`},
		{MediaSticker, `{"to":"1","type":"sticker","sticker":{"id":"m"}}`},
		{MediaKind("hologram"), `{"to":"1","type":"document","document":{"id":"m"}}`},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			got, err := json.Marshal(NewMediaMessage("1", tc.kind, Media{ID: "m"}))
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
		})
	}
}

// TestApplySendOptionsRejectsNil checks that a nil option is an error, not a panic, and that
// the options before it were applied in order.
func TestApplySendOptionsRejectsNil(t *testing.T) {
	t.Parallel()
	msg := NewTextMessage("1", "hi")
	err := ApplySendOptions(msg, WithPreviewURL(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nil SendOption")
	require.NotNil(t, msg.PreviewURL)
	assert.True(t, *msg.PreviewURL)
}

// TestTemplateMessageRejectsNil checks that a nil template is an error.
func TestTemplateMessageRejectsNil(t *testing.T) {
	t.Parallel()
	_, err := NewTemplateMessage("1", nil)
	require.Error(t, err)
	msg, err := NewTemplateMessage("1", NewTemplate("ns", "hello", "en"))
	require.NoError(t, err)
	assert.Equal(t, gen.MessageTypeTemplate, *msg.Type)
}
