package api

import (
	"context"
	"testing"

	"github.com/wabiz/wabiz/gen"
)

func TestStickerpackWrappers(t *testing.T) {
	t.Parallel()
	const pack = "4316843a-874b-4530-86a2-1ab55c53cd3f"
	pp := "/v1/stickerpacks/" + pack
	runWrapperCases(t, []wrapperCase{
		{
			name: "ListStickerpacks", method: "GET", path: "/v1/stickerpacks",
			resp: `{"stickerpacks":[{"id":"a"},{"id":"b"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.ListStickerpacks(ctx) },
			want: []string{"a", "b"},
		},
		{
			name: "ListStickerpacks_first_party", method: "GET", path: "/v1/stickerpacks", query: "namespace=whatsapp",
			resp: `{"stickerpacks":[{"id":"wa"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.ListStickerpacks(ctx, FirstParty()) },
			want: []string{"wa"},
		},
		{
			name: "CreateStickerpack", method: "POST", path: "/v1/stickerpacks",
			body: `{"publisher":"Example Pasta Co.","name":"Pasta Friends"}`,
			resp: `{"stickerpacks":[{"id":"` + pack + `"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateStickerpack(ctx, gen.Stickerpack{Publisher: "Example Pasta Co.", Name: "Pasta Friends"})
			},
			want: pack,
		},
		{
			name: "GetStickerpack", method: "GET", path: pp,
			resp: `{"stickerpacks":[{"publisher":"Example Pasta Co.","name":"Pasta Friends"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetStickerpack(ctx, pack) },
			want: &gen.Stickerpack{Publisher: "Example Pasta Co.", Name: "Pasta Friends"},
		},
		{
			name: "GetStickerpack_first_party", method: "GET", path: pp, query: "namespace=whatsapp",
			resp: `{"stickerpacks":[{"publisher":"WhatsApp","name":"Cuppy"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetStickerpack(ctx, pack, FirstParty()) },
			want: &gen.Stickerpack{Publisher: "WhatsApp", Name: "Cuppy"},
		},
		{
			name: "UpdateStickerpack", method: "PATCH", path: pp, body: `{"name":"Pasta Friends 2"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.UpdateStickerpack(ctx, pack, gen.StickerpackUpdate{Name: ptr("Pasta Friends 2")}))
			},
		},
		{
			name: "DeleteStickerpack", method: "DELETE", path: pp,
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.DeleteStickerpack(ctx, pack)) },
		},
		{
			name: "ListStickers", method: "GET", path: pp + "/stickers", resp: `{"stickers":[{"index":"0"},{"index":"1"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.ListStickers(ctx, pack) },
			want: []string{"0", "1"},
		},
		{
			name: "ListStickers_first_party", method: "GET", path: pp + "/stickers", query: "namespace=whatsapp",
			resp: `{"stickers":[{"index":"0"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.ListStickers(ctx, pack, FirstParty()) },
			want: []string{"0"},
		},
		{
			name: "CreateSticker", method: "POST", path: pp + "/stickers",
			body: `{"image_data_id":"b942a4d1","emojis":["🍝"]}`, resp: `{"stickers":[{"index":"2"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateSticker(ctx, pack, gen.NewSticker{ImageDataID: "b942a4d1", Emojis: &[]string{"🍝"}})
			},
			want: "2",
		},
		{
			name: "GetSticker", method: "GET", path: pp + "/stickers/2",
			resp: `{"stickers":[{"id":"b942a4d1","emojis":["🍝"]}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetSticker(ctx, pack, "2") },
			want: &gen.Sticker{ID: "b942a4d1", Emojis: &[]string{"🍝"}},
		},
		{
			name: "GetSticker_first_party", method: "GET", path: pp + "/stickers/0", query: "namespace=whatsapp",
			resp: `{"stickers":[{"id":"c0ffee"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetSticker(ctx, pack, "0", FirstParty()) },
			want: &gen.Sticker{ID: "c0ffee"},
		},
		{
			name: "UpdateSticker", method: "PATCH", path: pp + "/stickers/2", body: `{"emojis":["😀"]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.UpdateSticker(ctx, pack, "2", gen.StickerUpdate{Emojis: &[]string{"😀"}}))
			},
		},
		{
			name: "DeleteSticker", method: "DELETE", path: pp + "/stickers/2",
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.DeleteSticker(ctx, pack, "2")) },
		},
	})
}

func TestStickerpackWrappersRejectEmptyIDs(t *testing.T) {
	t.Parallel()
	runRequiredArgCases(t, []requiredArgCase{
		{"GetStickerpack", func(ctx context.Context, c *Client) error { _, err := c.GetStickerpack(ctx, ""); return err }},
		{"UpdateStickerpack", func(ctx context.Context, c *Client) error {
			return c.UpdateStickerpack(ctx, "", gen.StickerpackUpdate{})
		}},
		{"DeleteStickerpack", func(ctx context.Context, c *Client) error { return c.DeleteStickerpack(ctx, "") }},
		{"ListStickers", func(ctx context.Context, c *Client) error { _, err := c.ListStickers(ctx, ""); return err }},
		{"CreateSticker", func(ctx context.Context, c *Client) error {
			_, err := c.CreateSticker(ctx, "", gen.NewSticker{})
			return err
		}},
		{"GetSticker_pack", func(ctx context.Context, c *Client) error { _, err := c.GetSticker(ctx, "", "0"); return err }},
		{"GetSticker_sticker", func(ctx context.Context, c *Client) error { _, err := c.GetSticker(ctx, "p", ""); return err }},
		{"UpdateSticker", func(ctx context.Context, c *Client) error {
			return c.UpdateSticker(ctx, "p", "", gen.StickerUpdate{})
		}},
		{"DeleteSticker", func(ctx context.Context, c *Client) error { return c.DeleteSticker(ctx, "", "0") }},
	})
}
