package bridge

import (
	"context"
	"errors"
	"net/http"

	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// SendMessage translates the On-Premises message to the Cloud API's (cloud.Translate, the
// table of cloud/translate.go), asks the relay whether the send may be accepted, sends it and
// answers with the Cloud message id (`wamid.…`), which the relayed status webhooks carry as
// `statuses[].id`. A message the Cloud API cannot express (a ttl, a group recipient...) is
// refused with 400 naming the field and the Cloud alternative, never sent without the field;
// a full outbox is 503/1016, as the Webapp answers with a full callback queue.
func (b *Bridge) SendMessage(ctx context.Context, request gen.SendMessageRequestObject) (gen.SendMessageResponseObject, error) {
	if request.Body == nil {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "Parameter 'to' is required")
	}
	msg, err := cloud.Translate(request.Body)
	if err != nil {
		return nil, b.cloudFailure(ctx, err, false)
	}
	// Admission after the translation: a message that cannot be sent is refused for what it
	// is, whatever the outbox holds.
	if b.cfg.Relay != nil {
		if err := b.cfg.Relay.Admit(ctx); err != nil {
			return nil, onpremhttp.Statusf(http.StatusServiceUnavailable, onpremhttp.CodeOverloaded,
				"the bridge's webhook outbox is full, so the send is not accepted: retry later (%v)", err)
		}
	}
	id, err := b.cloud.SendMessage(ctx, *msg)
	if err != nil {
		return nil, b.cloudFailure(ctx, err, false)
	}
	return onpremhttp.Accepted{ID: id, Meta: b.meta}, nil
}

// MarkMessageAsRead sends the Cloud API's read receipt for the inbound message (its id is
// the `wamid.…` of the relayed webhook). Graph answers an unknown id with code 100 on the
// message_id parameter, which the On-Premises API said with 404/1006.
func (b *Bridge) MarkMessageAsRead(ctx context.Context, request gen.MarkMessageAsReadRequestObject) (gen.MarkMessageAsReadResponseObject, error) {
	if request.Body == nil || request.Body.Status != gen.MessageStatusUpdateStatusRead {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Parameter 'status' must be read")
	}
	if err := b.cloud.MarkRead(ctx, request.MessageID); err != nil {
		var ge *cloud.Error
		if errors.As(err, &ge) && ge.Code == cloud.CodeInvalidParameter {
			return nil, onpremhttp.Statusf(http.StatusNotFound, onpremhttp.CodeNotFound, "%s",
				graphDetails("Message "+request.MessageID+" not found: the Cloud API knows no inbound message with this id", ge))
		}
		return nil, b.cloudFailure(ctx, err, true)
	}
	return gen.MarkMessageAsRead200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}
