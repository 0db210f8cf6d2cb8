package fake

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func TestStickerpacks(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"))
	var ids gen.StickerpackIDsEnvelope
	h.get("/v1/stickerpacks").decode(t, &ids)
	assert.Empty(t, ids.Stickerpacks)

	// First-party packs are read-only and their stickers can be sent.
	h.get("/v1/stickerpacks?namespace=whatsapp").decode(t, &ids)
	require.Len(t, ids.Stickerpacks, 2)
	wa := ids.Stickerpacks[0].ID
	var pack gen.StickerpackEnvelope
	h.get("/v1/stickerpacks/"+wa+"?namespace=whatsapp").decode(t, &pack)
	assert.Equal(t, "WhatsApp", pack.Stickerpacks[0].Publisher)
	requireError(t, h.get("/v1/stickerpacks/"+wa), 404, codeNotFound)
	requireError(t, h.send("PATCH", "/v1/stickerpacks/"+wa, `{"name":"Mine"}`), 404, codeNotFound)
	var st gen.StickerEnvelope
	h.get("/v1/stickerpacks/"+wa+"/stickers/0?namespace=whatsapp").decode(t, &st)
	assert.Nil(t, st.Stickers[0].ImageDataID)
	r := h.send("POST", "/v1/messages", map[string]any{"to": "16315551234", "type": "sticker", "sticker": map[string]string{"id": st.Stickers[0].ID}})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))

	// Third-party packs: create, stickers, update, delete.
	r = h.send("POST", "/v1/stickerpacks", `{"publisher":"Pasta Co.","name":"Friends","ios_app_store_link":"https://itunes.apple.com/app/id3133333"}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r.decode(t, &ids)
	id := ids.Stickerpacks[0].ID
	webp := h.uploadMedia("image/webp", tinyWebP(9))
	jpeg := h.uploadMedia("image/jpeg", []byte("jpeg"))
	requireError(t, h.send("POST", "/v1/stickerpacks/"+id+"/stickers", `{"image_data_id":"`+jpeg+`"}`), 400, codeInvalidParameter)
	requireError(t, h.send("POST", "/v1/stickerpacks/"+id+"/stickers", `{"image_data_id":"missing"}`), 404, codeNotFound)
	var idx gen.StickerIndexesEnvelope
	h.send("POST", "/v1/stickerpacks/"+id+"/stickers", `{"image_data_id":"`+webp+`","emojis":["x"]}`).decode(t, &idx)
	assert.Equal(t, "0", idx.Stickers[0].Index)
	h.send("POST", "/v1/stickerpacks/"+id+"/stickers", `{"image_data_id":"`+webp+`"}`).decode(t, &idx)
	assert.Equal(t, "1", idx.Stickers[0].Index)

	h.get("/v1/stickerpacks/"+id+"/stickers/0").decode(t, &st)
	assert.Equal(t, webp, *st.Stickers[0].ImageDataID)
	assert.NotEqual(t, webp, st.Stickers[0].ID, "the sticker has its own media id")
	assert.Equal(t, http.StatusOK, h.get("/v1/media/"+st.Stickers[0].ID).status)
	oldMedia := st.Stickers[0].ID

	other := h.uploadMedia("image/webp", tinyWebP(10))
	require.Equal(t, 200, h.send("PATCH", "/v1/stickerpacks/"+id+"/stickers/0", `{"image_data_id":"`+other+`","emojis":["y"]}`).status)
	h.get("/v1/stickerpacks/"+id+"/stickers/0").decode(t, &st)
	assert.Equal(t, []string{"y"}, *st.Stickers[0].Emojis)
	assert.Equal(t, other, *st.Stickers[0].ImageDataID)
	requireError(t, h.get("/v1/media/"+oldMedia), 404, codeNotFound)
	requireError(t, h.send("PATCH", "/v1/stickerpacks/"+id+"/stickers/0", `{}`), 400, codeInvalidParameter)
	requireError(t, h.send("PATCH", "/v1/stickerpacks/"+id+"/stickers/9", `{"emojis":[]}`), 404, codeNotFound)

	require.Equal(t, 200, h.send("PATCH", "/v1/stickerpacks/"+id, `{"name":"Friends 2"}`).status)
	h.get("/v1/stickerpacks/"+id).decode(t, &pack)
	assert.Equal(t, "Friends 2", pack.Stickerpacks[0].Name)
	assert.Equal(t, "Pasta Co.", pack.Stickerpacks[0].Publisher)
	requireError(t, h.send("PATCH", "/v1/stickerpacks/"+id, `{}`), 400, codeInvalidParameter)

	require.Equal(t, 200, h.send("DELETE", "/v1/stickerpacks/"+id+"/stickers/1", nil).status)
	h.get("/v1/stickerpacks/"+id+"/stickers").decode(t, &idx)
	require.Len(t, idx.Stickers, 1)
	requireError(t, h.send("DELETE", "/v1/stickerpacks/"+id+"/stickers/1", nil), 404, codeNotFound)
	require.Equal(t, 200, h.send("DELETE", "/v1/stickerpacks/"+id, nil).status)
	requireError(t, h.get("/v1/stickerpacks/"+id), 404, codeNotFound)
	requireError(t, h.send("POST", "/v1/stickerpacks", `{"publisher":"p"}`), 400, codeMissingParameter)
	requireError(t, h.get("/v1/stickerpacks?namespace=other"), 400, codeInvalidParameter)
}
