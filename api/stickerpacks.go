package api

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// A StickerpackOption chooses the family of stickerpacks a read addresses.
type StickerpackOption func(*gen.StickerpackNamespace)

// FirstParty addresses WhatsApp's own, read-only stickerpacks (`namespace=whatsapp`) instead
// of the business's third-party packs.
func FirstParty() StickerpackOption {
	return func(ns *gen.StickerpackNamespace) { *ns = gen.StickerpackNamespaceWhatsapp }
}

// namespace applies opts; nil means the server's default, the third-party packs.
func namespace(opts []StickerpackOption) *gen.StickerpackNamespace {
	if len(opts) == 0 {
		return nil
	}
	var ns gen.StickerpackNamespace
	for _, opt := range opts {
		opt(&ns)
	}
	return &ns
}

// ListStickerpacks returns the ids of the business's third-party stickerpacks, or with
// FirstParty those of WhatsApp's packs (GET /v1/stickerpacks).
//
//wabiz:operation listStickerpacks
func (c *Client) ListStickerpacks(ctx context.Context, opts ...StickerpackOption) ([]string, error) {
	resp, err := c.Raw.ListStickerpacksWithResponse(ctx, &gen.ListStickerpacksParams{Namespace: namespace(opts)})
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("listStickerpacks", resp.StatusCode())
	}
	ids := make([]string, len(resp.JSON200.Stickerpacks))
	for i, p := range resp.JSON200.Stickerpacks {
		ids[i] = p.ID
	}
	return ids, nil
}

// CreateStickerpack creates an empty third-party stickerpack and returns its id
// (POST /v1/stickerpacks). Publisher and Name are required; add stickers with CreateSticker.
//
//wabiz:operation createStickerpack
func (c *Client) CreateStickerpack(ctx context.Context, pack gen.Stickerpack) (string, error) {
	resp, err := c.Raw.CreateStickerpackWithResponse(ctx, pack)
	if err != nil {
		return "", err
	}
	if resp.JSON200 == nil || len(resp.JSON200.Stickerpacks) == 0 || resp.JSON200.Stickerpacks[0].ID == "" {
		return "", unexpected("createStickerpack", resp.StatusCode())
	}
	return resp.JSON200.Stickerpacks[0].ID, nil
}

// GetStickerpack returns a stickerpack's name, publisher and store links
// (GET /v1/stickerpacks/{pack_id}).
//
//wabiz:operation getStickerpack
func (c *Client) GetStickerpack(ctx context.Context, packID string, opts ...StickerpackOption) (*gen.Stickerpack, error) {
	if err := required("GetStickerpack", "pack id", packID); err != nil {
		return nil, err
	}
	resp, err := c.Raw.GetStickerpackWithResponse(ctx, packID, &gen.GetStickerpackParams{Namespace: namespace(opts)})
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil || len(resp.JSON200.Stickerpacks) == 0 {
		return nil, unexpected("getStickerpack", resp.StatusCode())
	}
	return &resp.JSON200.Stickerpacks[0], nil
}

// UpdateStickerpack changes the fields of a third-party stickerpack that are set in update
// (PATCH /v1/stickerpacks/{pack_id}).
//
//wabiz:operation updateStickerpack
func (c *Client) UpdateStickerpack(ctx context.Context, packID string, update gen.StickerpackUpdate) error {
	if err := required("UpdateStickerpack", "pack id", packID); err != nil {
		return err
	}
	_, err := c.Raw.UpdateStickerpackWithResponse(ctx, packID, update)
	return err
}

// DeleteStickerpack deletes a third-party stickerpack (DELETE /v1/stickerpacks/{pack_id}).
//
//wabiz:operation deleteStickerpack
func (c *Client) DeleteStickerpack(ctx context.Context, packID string) error {
	if err := required("DeleteStickerpack", "pack id", packID); err != nil {
		return err
	}
	_, err := c.Raw.DeleteStickerpackWithResponse(ctx, packID)
	return err
}

// ListStickers returns the indexes of the stickers in a stickerpack, the sticker ids of
// GetSticker (GET /v1/stickerpacks/{pack_id}/stickers).
//
//wabiz:operation listStickers
func (c *Client) ListStickers(ctx context.Context, packID string, opts ...StickerpackOption) ([]string, error) {
	if err := required("ListStickers", "pack id", packID); err != nil {
		return nil, err
	}
	resp, err := c.Raw.ListStickersWithResponse(ctx, packID, &gen.ListStickersParams{Namespace: namespace(opts)})
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("listStickers", resp.StatusCode())
	}
	indexes := make([]string, len(resp.JSON200.Stickers))
	for i, s := range resp.JSON200.Stickers {
		indexes[i] = s.Index
	}
	return indexes, nil
}

// CreateSticker adds a sticker to a third-party stickerpack and returns its index
// (POST /v1/stickerpacks/{pack_id}/stickers). The image is a 512×512 WebP uploaded first
// with UploadMedia; its media id goes in sticker.ImageDataID.
//
//wabiz:operation createSticker
func (c *Client) CreateSticker(ctx context.Context, packID string, sticker gen.NewSticker) (string, error) {
	if err := required("CreateSticker", "pack id", packID); err != nil {
		return "", err
	}
	resp, err := c.Raw.CreateStickerWithResponse(ctx, packID, sticker)
	if err != nil {
		return "", err
	}
	if resp.JSON200 == nil || len(resp.JSON200.Stickers) == 0 {
		return "", unexpected("createSticker", resp.StatusCode())
	}
	return resp.JSON200.Stickers[0].Index, nil
}

// GetSticker returns a sticker's media id (to send it) and emojis
// (GET /v1/stickerpacks/{pack_id}/stickers/{sticker_id}).
//
//wabiz:operation getSticker
func (c *Client) GetSticker(ctx context.Context, packID, stickerID string, opts ...StickerpackOption) (*gen.Sticker, error) {
	if err := required("GetSticker", "pack id", packID); err != nil {
		return nil, err
	}
	if err := required("GetSticker", "sticker id", stickerID); err != nil {
		return nil, err
	}
	resp, err := c.Raw.GetStickerWithResponse(ctx, packID, stickerID, &gen.GetStickerParams{Namespace: namespace(opts)})
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil || len(resp.JSON200.Stickers) == 0 {
		return nil, unexpected("getSticker", resp.StatusCode())
	}
	return &resp.JSON200.Stickers[0], nil
}

// UpdateSticker changes the emojis or the image of a sticker of a third-party stickerpack
// (PATCH /v1/stickerpacks/{pack_id}/stickers/{sticker_id}).
//
//wabiz:operation updateSticker
func (c *Client) UpdateSticker(ctx context.Context, packID, stickerID string, update gen.StickerUpdate) error {
	if err := required("UpdateSticker", "pack id", packID); err != nil {
		return err
	}
	if err := required("UpdateSticker", "sticker id", stickerID); err != nil {
		return err
	}
	_, err := c.Raw.UpdateStickerWithResponse(ctx, packID, stickerID, update)
	return err
}

// DeleteSticker removes a sticker from a third-party stickerpack
// (DELETE /v1/stickerpacks/{pack_id}/stickers/{sticker_id}).
//
//wabiz:operation deleteSticker
func (c *Client) DeleteSticker(ctx context.Context, packID, stickerID string) error {
	if err := required("DeleteSticker", "pack id", packID); err != nil {
		return err
	}
	if err := required("DeleteSticker", "sticker id", stickerID); err != nil {
		return err
	}
	_, err := c.Raw.DeleteStickerWithResponse(ctx, packID, stickerID)
	return err
}
