package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func TestProfileWrappers(t *testing.T) {
	t.Parallel()
	runWrapperCases(t, []wrapperCase{
		{
			name: "GetBusinessProfile", method: "GET", path: "/v1/settings/business/profile",
			resp: `{"settings":{"business":{"profile":{"address":"1 Main St","vertical":"Restaurant","websites":["https://example.com"]}}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetBusinessProfile(ctx) },
			want: &gen.BusinessProfile{Address: ptr("1 Main St"), Vertical: ptr(gen.BusinessVerticalRestaurant), Websites: &[]string{"https://example.com"}},
		},
		{
			name: "UpdateBusinessProfile", method: "POST", path: "/v1/settings/business/profile",
			body: `{"email":"hi@example.com","description":"Fresh pasta"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.UpdateBusinessProfile(ctx, gen.BusinessProfile{Email: ptr("hi@example.com"), Description: ptr("Fresh pasta")}))
			},
		},
		{
			name: "GetProfileAbout", method: "GET", path: "/v1/settings/profile/about",
			resp: `{"settings":{"profile":{"about":{"text":"Open 9-5"}}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetProfileAbout(ctx) },
			want: "Open 9-5",
		},
		{
			name: "UpdateProfileAbout", method: "PATCH", path: "/v1/settings/profile/about", body: `{"text":"Open 9-5"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.UpdateProfileAbout(ctx, "Open 9-5"))
			},
		},
		{
			name: "GetProfilePhotoLink", method: "GET", path: "/v1/settings/profile/photo", query: "format=link",
			resp: `{"settings":{"profile":{"photo":{"link":"https://pps.whatsapp.net/p.jpg"}}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetProfilePhotoLink(ctx) },
			want: "https://pps.whatsapp.net/p.jpg",
		},
		{
			name: "DeleteProfilePhoto", method: "DELETE", path: "/v1/settings/profile/photo",
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.DeleteProfilePhoto(ctx)) },
		},
	})
}

func TestGetProfilePhotoStreams(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	photo := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF}, 1000)
	mux.HandleFunc("GET /v1/settings/profile/photo", func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.URL.RawQuery)
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(photo)
	})
	body, ct, err := c.GetProfilePhoto(t.Context())
	require.NoError(t, err)
	defer body.Close()
	assert.Equal(t, "image/jpeg", ct)
	got, err := io.ReadAll(body)
	require.NoError(t, err)
	assert.Equal(t, photo, got)
}

// TestUpdateProfilePhoto covers the upload of a binary body: the media type, the exact bytes,
// Content-Length when the size is known, and that the caller's file stays open.
func TestUpdateProfilePhoto(t *testing.T) {
	t.Parallel()
	png := []byte("\x89PNG\r\n\x1a\n-fake-image-bytes")
	path := filepath.Join(t.TempDir(), "photo.png")
	require.NoError(t, os.WriteFile(path, png, 0o600))

	tests := []struct {
		name       string
		body       func(t *testing.T) io.Reader
		wantLength string // Content-Length header; empty for a chunked body
	}{
		{"bytes_reader", func(*testing.T) io.Reader { return bytes.NewReader(png) }, strconv.Itoa(len(png))},
		{"file", func(t *testing.T) io.Reader {
			f, err := os.Open(path)
			require.NoError(t, err)
			t.Cleanup(func() { _, err := f.Stat(); assert.NoError(t, err, "file still open"); f.Close() })
			return f
		}, strconv.Itoa(len(png))},
		{"stream_of_unknown_size", func(*testing.T) io.Reader { return io.MultiReader(bytes.NewReader(png)) }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("POST /v1/settings/profile/photo", func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "image/png", r.Header.Get("Content-Type"))
				assert.Equal(t, tc.wantLength, r.Header.Get("Content-Length"))
				got, _ := io.ReadAll(r.Body)
				assert.Equal(t, png, got)
				writeJSON(w, http.StatusCreated, metaOnly) // older builds answer 201
			})
			require.NoError(t, c.UpdateProfilePhoto(t.Context(), tc.body(t), "image/png"))
		})
	}
}

func TestUpdateProfilePhotoRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	assert.ErrorContains(t, c.UpdateProfilePhoto(t.Context(), nil, "image/png"), "nil reader")
	assert.ErrorContains(t, c.UpdateProfilePhoto(t.Context(), bytes.NewReader([]byte("x")), "png"), "invalid content type")
}
