package cloud_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

// TestAgainstTheFakesCloudDialect runs the client against the fake's Cloud routes (which
// validate every request against spec/cloud.yaml): upload, send by the uploaded id, text,
// template, mark an inbound message read, download the media back (two steps, signed
// URL), and a rejected token.
func TestAgainstTheFakesCloudDialect(t *testing.T) {
	t.Parallel()
	srv := fake.NewTestServer(t, fake.WithoutCloudServiceWindow())
	c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(fake.DefaultCloudToken),
		cloud.WithBaseURL(srv.URL+"/graph"), cloud.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	ctx := t.Context()
	var m api.Messenger = c

	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2000)...)
	mediaID, err := m.UploadMedia(ctx, bytes.NewReader(png), "image/png")
	require.NoError(t, err)
	require.NotEmpty(t, mediaID)

	id, err := m.SendImage(ctx, "16315551234", api.Media{ID: mediaID, Caption: "Your receipt"})
	require.NoError(t, err)
	assert.NotEmpty(t, id)
	_, err = m.SendText(ctx, "16315551234", "Your order has shipped https://shop.example.com", api.WithPreviewURL())
	require.NoError(t, err)
	_, err = m.SendTemplate(ctx, "16315551234", api.NewTemplate("ns", "hello_world", "en_US"))
	require.NoError(t, err, "a template the fake knows (or accepts)")

	var types []string
	for _, s := range srv.SentMessages() {
		types = append(types, s.Type)
	}
	assert.Equal(t, []string{"image", "text", "template"}, types, "the fake recorded the sends in its shared state")

	in, err := srv.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "text", Text: &gen.InboundText{Body: "Hi"}}})
	require.NoError(t, err)
	require.NoError(t, m.MarkRead(ctx, in.ID))

	body, ct, err := m.DownloadMedia(ctx, mediaID)
	require.NoError(t, err)
	got, err := io.ReadAll(body)
	require.NoError(t, err)
	require.NoError(t, body.Close())
	assert.Equal(t, png, got)
	assert.Contains(t, ct, "image/png")

	bad, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken("not-the-token"),
		cloud.WithBaseURL(srv.URL+"/graph"), cloud.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = bad.SendText(ctx, "16315551234", "hi")
	assert.True(t, cloud.IsUnauthorized(err), "%v", err)
	assert.True(t, cloud.HasCode(err, cloud.CodeAccessTokenExpired))
	assert.NotContains(t, err.Error(), "not-the-token")
}
