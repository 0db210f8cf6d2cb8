package api

import (
	"context"
	"io"

	"github.com/wabiz/wabiz/gen"
)

// Messenger is the typed-message surface shared by the On-Premises client (*api.Client) and
// the Cloud API client (*cloud.Client): code written against it sends, uploads, downloads
// and marks messages read in either dialect, and switching is a change of constructor.
//
// Both clients build their messages with the same functions (the New…Message builders in
// compose.go, the Template builder, the SendOptions), so a message means the same thing in
// both dialects. The Cloud client translates the built On-Premises message to the Cloud
// format and refuses, with a typed error, what the Cloud API cannot express (a time-to-live,
// a group of the On-Premises API, a media provider...) rather than dropping it.
//
// The interface lives in package api because api must not import cloud; cloud imports api.
type Messenger interface {
	// SendText sends a text message and returns its id.
	SendText(ctx context.Context, to, body string, opts ...SendOption) (string, error)
	// SendImage sends an image and returns the message id.
	SendImage(ctx context.Context, to string, image Media, opts ...SendOption) (string, error)
	// SendAudio sends an audio file and returns the message id.
	SendAudio(ctx context.Context, to string, audio Media, opts ...SendOption) (string, error)
	// SendVideo sends a video and returns the message id.
	SendVideo(ctx context.Context, to string, video Media, opts ...SendOption) (string, error)
	// SendDocument sends a document and returns the message id.
	SendDocument(ctx context.Context, to string, document Media, opts ...SendOption) (string, error)
	// SendSticker sends a sticker and returns the message id.
	SendSticker(ctx context.Context, to string, sticker Media, opts ...SendOption) (string, error)
	// SendLocation sends a location and returns the message id.
	SendLocation(ctx context.Context, to string, loc Location, opts ...SendOption) (string, error)
	// SendContacts sends contact cards and returns the message id.
	SendContacts(ctx context.Context, to string, cards []gen.ContactCard, opts ...SendOption) (string, error)
	// SendInteractiveList sends an interactive list and returns the message id.
	SendInteractiveList(ctx context.Context, to string, list List, opts ...SendOption) (string, error)
	// SendInteractiveButtons sends reply buttons and returns the message id.
	SendInteractiveButtons(ctx context.Context, to string, b ReplyButtons, opts ...SendOption) (string, error)
	// SendProduct sends a single-product message and returns the message id.
	SendProduct(ctx context.Context, to string, p Product, opts ...SendOption) (string, error)
	// SendProductList sends a multi-product message and returns the message id.
	SendProductList(ctx context.Context, to string, pl ProductList, opts ...SendOption) (string, error)
	// SendTemplate sends a template message built with NewTemplate and returns its id.
	SendTemplate(ctx context.Context, to string, t *Template, opts ...SendOption) (string, error)
	// UploadMedia streams r to the server and returns the media id to send.
	UploadMedia(ctx context.Context, r io.Reader, contentType string) (string, error)
	// DownloadMedia streams the media with the given id; the caller closes the body.
	DownloadMedia(ctx context.Context, id string) (io.ReadCloser, string, error)
	// DeleteMedia deletes uploaded media.
	DeleteMedia(ctx context.Context, id string) error
	// MarkRead marks an inbound message as read.
	MarkRead(ctx context.Context, messageID string) error
}

// The On-Premises client is a Messenger.
var _ Messenger = (*Client)(nil)
