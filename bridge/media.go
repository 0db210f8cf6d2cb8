package bridge

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// UploadMedia is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UploadMedia(ctx context.Context, request gen.UploadMediaRequestObject) (gen.UploadMediaResponseObject, error) {
	return nil, notBuilt("uploadMedia")
}

// DeleteMedia is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DeleteMedia(ctx context.Context, request gen.DeleteMediaRequestObject) (gen.DeleteMediaResponseObject, error) {
	return nil, notBuilt("deleteMedia")
}

// DownloadMedia is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DownloadMedia(ctx context.Context, request gen.DownloadMediaRequestObject) (gen.DownloadMediaResponseObject, error) {
	return nil, notBuilt("downloadMedia")
}
