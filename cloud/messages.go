package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/gen"
	cloudgen "github.com/wabiz/wabiz/gen/cloud"
)

// Sending messages
//
// The Send helpers are those of *api.Client, with the same arguments and options: each
// builds its message with the api builder of the same name (api.NewTextMessage...), applies
// the api.SendOptions, translates the result (Translate) and posts it to
// POST /{phone_number_id}/messages. They return the message id (`wamid.…`), which the
// status webhooks refer to; a success means only that the Cloud API accepted the message.
//
// Sends are retried only when the server cannot have acted on them (the throttles 130429
// and 131056, maintenance 131057, a connection that never opened): the Cloud API has no
// idempotency key, and a replayed send would deliver the message twice.
//
// Cloud-only features (replies with `context`, reactions, `biz_opaque_callback_data`, a
// business-scoped `recipient`, cta_url...) have no On-Premises form: build a
// cloudgen.Message and use SendMessage.

// The Cloud client is a Messenger, like the On-Premises one.
var _ api.Messenger = (*Client)(nil)

// SendMessage sends a Cloud API message as it is (POST /{phone_number_id}/messages) and
// returns its id. messaging_product is set to whatsapp when empty.
//
//wabiz:operation sendMessage
func (c *Client) SendMessage(ctx context.Context, msg cloudgen.Message) (string, error) {
	if msg.MessagingProduct == "" {
		msg.MessagingProduct = cloudgen.MessagingProductWhatsapp
	}
	return c.post(ctx, "SendMessage", &msg)
}

// SendOnPremMessage translates an On-Premises message (Translate) and sends it: the
// counterpart of api.Client.SendMessage for code that builds gen.Message values itself.
//
//wabiz:operation sendMessage
func (c *Client) SendOnPremMessage(ctx context.Context, msg gen.Message) (string, error) {
	return c.send(ctx, "SendOnPremMessage", &msg, nil)
}

// send applies opts to msg, a message built by an api builder, translates it and sends it.
func (c *Client) send(ctx context.Context, op string, msg *gen.Message, opts []api.SendOption) (string, error) {
	if err := api.ApplySendOptions(msg, opts...); err != nil {
		return "", err
	}
	out, err := Translate(msg)
	if err != nil {
		return "", err
	}
	return c.post(ctx, op, out)
}

// post sends msg. The request is built by hand, like api's SendMessage, because sending is
// the hot path (see bench_test.go); its body type and answer are the generated ones.
func (c *Client) post(ctx context.Context, op string, msg *cloudgen.Message) (string, error) {
	if (msg.To == nil || *msg.To == "") && (msg.Recipient == nil || *msg.Recipient == "") {
		return "", &ArgumentError{Op: op, Reason: "empty recipient"}
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return "", fmt.Errorf("wabiz: cloud: %s: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.messagesURL, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("wabiz: cloud: %s: %w", op, err)
	}
	req.Header["Content-Type"] = jsonContentType
	resp, err := c.do(req, false)
	if err != nil {
		return "", err
	}
	defer drain(resp)
	var env struct { // cloudgen.SentEnvelope, reduced to the id SendMessage returns
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || len(env.Messages) == 0 || env.Messages[0].ID == "" {
		return "", unexpected("sendMessage", resp.StatusCode)
	}
	return env.Messages[0].ID, nil
}

// SendText sends a text message and returns its id; api.WithPreviewURL moves into text.
//
//wabiz:operation sendMessage
func (c *Client) SendText(ctx context.Context, to, body string, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendText", api.NewTextMessage(to, body), opts)
}

// SendImage sends a JPEG or PNG image, with an optional caption, and returns the message id.
// Media ids of the On-Premises API are not valid here: upload with this client, or link.
//
//wabiz:operation sendMessage
func (c *Client) SendImage(ctx context.Context, to string, image api.Media, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendImage", api.NewMediaMessage(to, api.MediaImage, image), opts)
}

// SendAudio sends an audio file and returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendAudio(ctx context.Context, to string, audio api.Media, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendAudio", api.NewMediaMessage(to, api.MediaAudio, audio), opts)
}

// SendVideo sends an MP4 or 3GPP video, with an optional caption, and returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendVideo(ctx context.Context, to string, video api.Media, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendVideo", api.NewMediaMessage(to, api.MediaVideo, video), opts)
}

// SendDocument sends a document, with an optional caption and file name, and returns the
// message id.
//
//wabiz:operation sendMessage
func (c *Client) SendDocument(ctx context.Context, to string, document api.Media, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendDocument", api.NewMediaMessage(to, api.MediaDocument, document), opts)
}

// SendSticker sends a WebP sticker and returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendSticker(ctx context.Context, to string, sticker api.Media, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendSticker", api.NewMediaMessage(to, api.MediaSticker, sticker), opts)
}

// SendLocation sends a location and returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendLocation(ctx context.Context, to string, loc api.Location, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendLocation", api.NewLocationMessage(to, loc), opts)
}

// SendContacts sends contact cards and returns the message id. Cards with instant-messaging
// handles (ims) are refused: Cloud contact cards have none.
//
//wabiz:operation sendMessage
func (c *Client) SendContacts(ctx context.Context, to string, cards []gen.ContactCard, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendContacts", api.NewContactsMessage(to, cards), opts)
}

// SendInteractiveList sends an interactive list message and returns its id.
//
//wabiz:operation sendMessage
func (c *Client) SendInteractiveList(ctx context.Context, to string, list api.List, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendInteractiveList", api.NewInteractiveListMessage(to, list), opts)
}

// SendInteractiveButtons sends an interactive reply-buttons message and returns its id.
//
//wabiz:operation sendMessage
func (c *Client) SendInteractiveButtons(ctx context.Context, to string, b api.ReplyButtons, opts ...api.SendOption) (string, error) {
	msg, err := api.NewInteractiveButtonsMessage(to, b)
	if err != nil {
		return "", err
	}
	return c.send(ctx, "SendInteractiveButtons", msg, opts)
}

// SendProduct sends a single-product message and returns its id.
//
//wabiz:operation sendMessage
func (c *Client) SendProduct(ctx context.Context, to string, p api.Product, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendProduct", api.NewProductMessage(to, p), opts)
}

// SendProductList sends a multi-product message and returns its id.
//
//wabiz:operation sendMessage
func (c *Client) SendProductList(ctx context.Context, to string, pl api.ProductList, opts ...api.SendOption) (string, error) {
	return c.send(ctx, "SendProductList", api.NewProductListMessage(to, pl), opts)
}

// SendTemplate sends a template message built with api.NewTemplate and returns its id. The
// template's namespace is not sent: Cloud templates are named by name and language.
//
//wabiz:operation sendMessage
func (c *Client) SendTemplate(ctx context.Context, to string, t *api.Template, opts ...api.SendOption) (string, error) {
	msg, err := api.NewTemplateMessage(to, t)
	if err != nil {
		return "", err
	}
	return c.send(ctx, "SendTemplate", msg, opts)
}

// SendReaction reacts to a message with an emoji (an empty emoji removes the reaction), a
// Cloud-only message type, and returns the id of the reaction message.
//
//wabiz:operation sendMessage
func (c *Client) SendReaction(ctx context.Context, to, messageID, emoji string) (string, error) {
	if err := required("SendReaction", "message id", messageID); err != nil {
		return "", err
	}
	typ := cloudgen.MessageTypeReaction
	return c.post(ctx, "SendReaction", &cloudgen.Message{
		MessagingProduct: cloudgen.MessagingProductWhatsapp,
		To:               &to,
		Type:             &typ,
		Reaction:         &cloudgen.Reaction{MessageID: messageID, Emoji: emoji},
	})
}
