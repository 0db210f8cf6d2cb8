package bridge

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// SendMessage is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) SendMessage(ctx context.Context, request gen.SendMessageRequestObject) (gen.SendMessageResponseObject, error) {
	return nil, notBuilt("sendMessage")
}

// MarkMessageAsRead is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) MarkMessageAsRead(ctx context.Context, request gen.MarkMessageAsReadRequestObject) (gen.MarkMessageAsReadResponseObject, error) {
	return nil, notBuilt("markMessageAsRead")
}
