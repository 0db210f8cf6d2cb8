package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// Sending messages
//
// Every Send method builds a gen.Message, posts it (POST /v1/messages) and returns the id of
// the message, which the status webhooks (sent, delivered, read, failed) refer to. A success
// means only that the client accepted the message. Content rules (text up to 4096
// characters, 1 to 3 buttons, template parameters...) are checked by the server, which
// answers an *APIError with a precise code; the client checks only that there is a
// recipient.
//
// Sends are retried only when the server cannot have acted on them (429, 503, or a
// connection that failed before the request was written): the API has no idempotency key,
// and a replayed send would deliver the message twice.

// A SendOption adds an optional, message-level part to a message: group recipient, link
// preview, time-to-live.
type SendOption func(*gen.Message) error

// ToGroup sends to a group: `to` is then a group id (from CreateGroup, ListGroups or the
// group_id of an inbound message) and recipient_type is `group`.
func ToGroup() SendOption {
	return func(m *gen.Message) error {
		group := gen.MessageRecipientTypeGroup
		m.RecipientType = &group
		return nil
	}
}

// WithPreviewURL asks WhatsApp to render a preview of the first URL in a text message
// (`preview_url`); the URL must start with http:// or https://.
func WithPreviewURL() SendOption {
	return func(m *gen.Message) error {
		preview := true
		m.PreviewURL = &preview
		return nil
	}
}

// WithTTL sets how long WhatsApp keeps trying to deliver the message (`ttl`, in whole
// seconds; the server's default is 7 days). When it runs out, the status webhook reports
// `failed` with code 410. Meta announced the field's deprecation from v2.35.
func WithTTL(d time.Duration) SendOption {
	return func(m *gen.Message) error {
		if d < time.Second {
			return fmt.Errorf("wabiz: WithTTL: %s is under one second", d)
		}
		var ttl gen.MessageTTL
		if err := ttl.FromMessageTTLSeconds(int(d / time.Second)); err != nil {
			return err
		}
		m.TTL = &ttl
		return nil
	}
}

// Media is the content of an image, audio, video, document or sticker message, of a media
// header, or of a media template parameter. Give either ID (from UploadMedia) or Link (an
// HTTP or HTTPS URL the server downloads), not both.
type Media struct {
	// ID is the media id returned by UploadMedia.
	ID string
	// Link is a URL the server downloads when sending.
	Link string
	// Provider names a media provider (UpdateMediaProvider) whose credentials the server
	// uses to download Link.
	Provider string
	// Caption is shown under an image, a video or a document.
	Caption string
	// Filename is the file name a document is shown with.
	Filename string
}

// outbound converts m, leaving empty fields out of the JSON.
func (m Media) outbound() *gen.OutboundMedia {
	o := &gen.OutboundMedia{ID: nonEmpty(m.ID), Link: nonEmpty(m.Link), Caption: nonEmpty(m.Caption), Filename: nonEmpty(m.Filename)}
	if m.Provider != "" {
		o.Provider = &gen.MediaProviderRef{Name: m.Provider}
	}
	return o
}

// nonEmpty returns a pointer to s, or nil for the empty string (an absent optional field).
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// SendMessage sends any message (POST /v1/messages) and returns its id. The Send helpers
// build the common kinds; use SendMessage for the rest, such as legacy `hsm` templates or
// `render_mentions`.
//
//wabiz:operation sendMessage
func (c *Client) SendMessage(ctx context.Context, msg gen.Message) (string, error) {
	return c.sendMessage(ctx, "SendMessage", &msg)
}

// sendMessage is SendMessage without a copy of the message; method names the method the
// caller called, for argument errors.
func (c *Client) sendMessage(ctx context.Context, method string, msg *gen.Message) (string, error) {
	if err := required(method, "recipient", msg.To); err != nil {
		return "", err
	}
	// Sending is the hot path, so this one wrapper skips the generic parts of the generated
	// client that cost more than the rest of the call (see bench_test.go): the request
	// builder re-parses the base URL on every call, and the response parser buffers the body
	// and binds headers by reflection. What the spec defines still comes from package gen:
	// the URL and method (c.sendURL, built once by gen.NewSendMessageRequestWithBody), the
	// body type gen.Message and the answer's gen.SentMessage. The request goes through the
	// same authentication, retries and errors as every other.
	body, err := marshalMessage(msg)
	if err != nil {
		return "", fmt.Errorf("wabiz: %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.sendURL, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("wabiz: %s: %w", method, err)
	}
	req.Header["Content-Type"] = jsonContentType
	resp, err := c.do(req)
	if err != nil {
		return "", err
	}
	defer drain(resp)
	var env struct { // gen.MessagesEnvelope without the meta, which SendMessage does not return
		Messages []gen.SentMessage `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || len(env.Messages) == 0 || env.Messages[0].ID == "" {
		return "", unexpected("sendMessage", resp.StatusCode)
	}
	return env.Messages[0].ID, nil
}

// textWire is gen.Message reduced to the fields of a text message, with the same names, types,
// tags and order, so that it encodes to the same bytes. encoding/json walks every field of a
// struct by reflection, and gen.Message has 17: encoding a text message through it cost
// about 2 to 4 µs, ten times the same JSON from a small struct, and the largest part of
// SendText's overhead over a hand-written call. TestMarshalMessageMatchesGen holds the two
// equal.
type textWire struct {
	PreviewURL    *bool                     `json:"preview_url,omitempty"`
	RecipientType *gen.MessageRecipientType `json:"recipient_type,omitempty"`
	Text          *gen.TextContent          `json:"text,omitempty"`
	To            string                    `json:"to"`
	TTL           *gen.MessageTTL           `json:"ttl,omitempty"`
	Type          *gen.MessageType          `json:"type,omitempty"`
}

// marshalMessage encodes msg, through textWire when it sets no other field than those.
func marshalMessage(msg *gen.Message) ([]byte, error) {
	rest := *msg
	rest.PreviewURL, rest.RecipientType, rest.Text, rest.To, rest.TTL, rest.Type = nil, nil, nil, "", nil, nil
	if rest != (gen.Message{}) {
		return json.Marshal(msg)
	}
	if b, ok := appendPlainText(msg); ok {
		return b, nil
	}
	return json.Marshal(&textWire{PreviewURL: msg.PreviewURL, RecipientType: msg.RecipientType, Text: msg.Text,
		To: msg.To, TTL: msg.TTL, Type: msg.Type})
}

// appendPlainText writes the JSON of a text message without a TTL whose strings need no
// escaping (printable ASCII other than the quote, the backslash and the three characters
// encoding/json escapes for HTML), which is most of them: for those strings the JSON is the
// text between quotes, so the bytes are those of encoding/json without its reflection (a
// third of the client's own cost per send in BenchmarkSendTextOverhead). Anything else
// reports false and takes encoding/json.
func appendPlainText(msg *gen.Message) ([]byte, bool) {
	if msg.TTL != nil || msg.Text == nil || msg.Type == nil || !plainJSON(msg.Text.Body) || !plainJSON(msg.To) ||
		!plainJSON(string(*msg.Type)) || (msg.RecipientType != nil && !plainJSON(string(*msg.RecipientType))) {
		return nil, false
	}
	b := make([]byte, 0, len(msg.Text.Body)+len(msg.To)+len(*msg.Type)+80)
	b = append(b, '{')
	if msg.PreviewURL != nil {
		b = strconv.AppendBool(append(b, `"preview_url":`...), *msg.PreviewURL)
		b = append(b, ',')
	}
	if msg.RecipientType != nil {
		b = append(append(append(b, `"recipient_type":"`...), *msg.RecipientType...), `",`...)
	}
	b = append(append(append(b, `"text":{"body":"`...), msg.Text.Body...), `"},"to":"`...)
	b = append(append(append(b, msg.To...), `","type":"`...), *msg.Type...)
	return append(b, `"}`...), true
}

// plainJSON reports whether encoding/json writes s as itself between quotes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// jsonContentType is the Content-Type header of a JSON request body (shared, read-only).
var jsonContentType = []string{"application/json"}

// send applies opts to msg, a message built by a Send helper, and sends it.
func (c *Client) send(ctx context.Context, method string, msg *gen.Message, opts []SendOption) (string, error) {
	for _, opt := range opts {
		if opt == nil {
			return "", &ArgumentError{Method: method, Argument: "SendOption", Problem: "nil"}
		}
	}
	if err := ApplySendOptions(msg, opts...); err != nil {
		return "", err
	}
	return c.sendMessage(ctx, method, msg)
}

// message starts a message of type typ to to.
func message(to string, typ gen.MessageType) *gen.Message {
	return &gen.Message{To: to, Type: &typ}
}

// SendText sends a text message and returns its id. The body may hold URLs and WhatsApp
// formatting (*bold*, _italic_, ~strikethrough~); the server rejects more than 4096
// characters with code 1001.
//
//wabiz:operation sendMessage
func (c *Client) SendText(ctx context.Context, to, body string, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendText", NewTextMessage(to, body), opts)
}

// SendImage sends a JPEG or PNG image, with an optional caption, and returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendImage(ctx context.Context, to string, image Media, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendImage", NewMediaMessage(to, MediaImage, image), opts)
}

// SendAudio sends an audio file (no caption, no file name) and returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendAudio(ctx context.Context, to string, audio Media, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendAudio", NewMediaMessage(to, MediaAudio, audio), opts)
}

// SendVideo sends an MP4 or 3GPP video, with an optional caption, and returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendVideo(ctx context.Context, to string, video Media, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendVideo", NewMediaMessage(to, MediaVideo, video), opts)
}

// SendDocument sends a document, with an optional file name, and returns the message id. A
// Caption is sent if set, but the On-Premises API does not deliver document captions ("Captions
// are currently not supported for document media"): the send succeeds without one.
//
//wabiz:operation sendMessage
func (c *Client) SendDocument(ctx context.Context, to string, document Media, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendDocument", NewMediaMessage(to, MediaDocument, document), opts)
}

// SendSticker sends a WebP sticker (no caption, no file name) and returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendSticker(ctx context.Context, to string, sticker Media, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendSticker", NewMediaMessage(to, MediaSticker, sticker), opts)
}

// Location is a point on the map to send with SendLocation.
type Location struct {
	// Latitude and Longitude are in decimal degrees.
	Latitude, Longitude float64
	// Name optionally names the place.
	Name string
	// Address is shown only together with Name.
	Address string
}

// SendLocation sends a location and returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendLocation(ctx context.Context, to string, loc Location, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendLocation", NewLocationMessage(to, loc), opts)
}

// SendContacts sends one or more contact cards and returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendContacts(ctx context.Context, to string, cards []gen.ContactCard, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendContacts", NewContactsMessage(to, cards), opts)
}

// List is an interactive list message: a body, the label of the button that opens the list,
// and sections of rows to choose from (1 to 10 sections, at most 10 rows in total). The
// customer's choice comes back as an inbound `interactive` message with a `list_reply`.
type List struct {
	// Header is an optional text header.
	Header string
	// Body is the message text.
	Body string
	// Footer is optional.
	Footer string
	// Button is the label of the button that opens the list.
	Button string
	// Sections hold the rows; with more than one section each needs a title.
	Sections []ListSection
}

// ListSection is a section of a List.
type ListSection struct {
	// Title is required when the list has more than one section.
	Title string
	// Rows are the options of the section.
	Rows []ListRow
}

// ListRow is an option of a List.
type ListRow struct {
	// ID comes back in the customer's reply; unique within the message.
	ID string
	// Title is shown; Description, optional, is shown under it.
	Title, Description string
}

// SendInteractiveList sends an interactive list message and returns its id.
//
//wabiz:operation sendMessage
func (c *Client) SendInteractiveList(ctx context.Context, to string, list List, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendInteractiveList", NewInteractiveListMessage(to, list), opts)
}

// ReplyButtons is an interactive message with 1 to 3 reply buttons. The button tapped comes
// back as an inbound `interactive` message with a `button_reply` carrying its ID.
type ReplyButtons struct {
	// Header is optional: a text, an image, a video or a document.
	Header Header
	// Body is the message text.
	Body string
	// Footer is optional.
	Footer string
	// Buttons are the reply buttons, each with an ID and a Title.
	Buttons []gen.ReplyButton
}

// Header is the header of a ReplyButtons message: a text or one media item. The zero Header
// is no header.
type Header struct {
	// Text is a text header.
	Text string
	// Image, Video and Document are media headers.
	Image, Video, Document *Media
}

// interactive converts h. The wire format holds one part, so setting several is an error.
func (h Header) interactive() (*gen.InteractiveHeader, error) {
	var parts []*gen.InteractiveHeader
	if h.Text != "" {
		parts = append(parts, textHeader(h.Text))
	}
	if h.Image != nil {
		parts = append(parts, &gen.InteractiveHeader{Type: gen.InteractiveHeaderTypeImage, Image: h.Image.outbound()})
	}
	if h.Video != nil {
		parts = append(parts, &gen.InteractiveHeader{Type: gen.InteractiveHeaderTypeVideo, Video: h.Video.outbound()})
	}
	if h.Document != nil {
		parts = append(parts, &gen.InteractiveHeader{Type: gen.InteractiveHeaderTypeDocument, Document: h.Document.outbound()})
	}
	switch len(parts) {
	case 0:
		return nil, nil
	case 1:
		return parts[0], nil
	}
	return nil, errors.New("wabiz: a message header holds only one of Text, Image, Video and Document")
}

// SendInteractiveButtons sends an interactive reply-buttons message and returns its id.
//
//wabiz:operation sendMessage
func (c *Client) SendInteractiveButtons(ctx context.Context, to string, b ReplyButtons, opts ...SendOption) (string, error) {
	msg, err := NewInteractiveButtonsMessage(to, b)
	if err != nil {
		return "", err
	}
	return c.send(ctx, "SendInteractiveButtons", msg, opts)
}

// Product is a single-product message: one product of the business's catalog.
type Product struct {
	// CatalogID is the id of the catalog linked to the WhatsApp Business Account.
	CatalogID string
	// ProductRetailerID is the product's retailer id (SKU) in the catalog.
	ProductRetailerID string
	// Body and Footer are optional.
	Body, Footer string
}

// SendProduct sends a single-product message and returns its id.
//
//wabiz:operation sendMessage
func (c *Client) SendProduct(ctx context.Context, to string, p Product, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendProduct", NewProductMessage(to, p), opts)
}

// SendLocationRequest sends a location request message (interactive type
// location_request_message, March 2023): body is the text that asks the customer to share a
// location, which arrives as an inbound location message. It returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendLocationRequest(ctx context.Context, to, body string, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendLocationRequest", NewLocationRequestMessage(to, body), opts)
}

// SendAddressRequest sends an address message (interactive type address_message, May 2023):
// the customer fills in a delivery address for country, which must be "IN" or "SG" (the only
// countries where address messages exist); prefill, if not nil, presets fields of the form.
// It returns the message id.
//
//wabiz:operation sendMessage
func (c *Client) SendAddressRequest(ctx context.Context, to, body, country string, prefill map[string]string, opts ...SendOption) (string, error) {
	msg, err := NewAddressRequestMessage(to, body, country, prefill)
	if err != nil {
		return "", err
	}
	return c.send(ctx, "SendAddressRequest", msg, opts)
}

// ProductList is a multi-product message: a text header, a body and sections of products of
// one catalog (at most 10 sections and 30 products).
type ProductList struct {
	// Header (text, required by the server), Body (required) and Footer (optional).
	Header, Body, Footer string
	// CatalogID is the id of the catalog the products belong to.
	CatalogID string
	// Sections group the products.
	Sections []ProductSection
}

// ProductSection is a titled section of a ProductList.
type ProductSection struct {
	// Title is the section title.
	Title string
	// ProductRetailerIDs are the retailer ids (SKUs) of the section's products.
	ProductRetailerIDs []string
}

// SendProductList sends a multi-product message and returns its id.
//
//wabiz:operation sendMessage
func (c *Client) SendProductList(ctx context.Context, to string, pl ProductList, opts ...SendOption) (string, error) {
	return c.send(ctx, "SendProductList", NewProductListMessage(to, pl), opts)
}

func textHeader(text string) *gen.InteractiveHeader {
	if text == "" {
		return nil
	}
	return &gen.InteractiveHeader{Type: gen.InteractiveHeaderTypeText, Text: &text}
}

// interactiveBody is body under a name that the parameters called body do not shadow.

func body(text string) *gen.InteractiveBody {
	if text == "" {
		return nil
	}
	return &gen.InteractiveBody{Text: text}
}

func footer(text string) *gen.InteractiveFooter {
	if text == "" {
		return nil
	}
	return &gen.InteractiveFooter{Text: text}
}

// Template builds the content of a template message: an approved template, named by its
// namespace, name and language, with parameters for its header, body and buttons, in the
// order of the template's placeholders. For example:
//
//	tpl := api.NewTemplate(ns, "order_update", "en_US").
//		Header(api.ImageParam(api.Media{ID: imageID})).
//		Body(api.TextParam("Ana"), api.CurrencyParam("$10.99", "USD", 10990)).
//		URLButton(0, "orders/58213")
//	id, err := client.SendTemplate(ctx, to, tpl)
//
// The language policy is `deterministic`. Build returns the gen.Template for SendMessage or
// for changes the builder does not offer.
type Template struct {
	namespace, name, language string
	components                []gen.TemplateComponent
}

// NewTemplate starts a template message for the template name of the account's namespace, in
// language (for example "en" or "en_US").
func NewTemplate(namespace, name, language string) *Template {
	return &Template{namespace: namespace, name: name, language: language}
}

// Header adds the parameters of the template's header: text, or one image, video or
// document (PDF).
func (t *Template) Header(params ...gen.TemplateParameter) *Template {
	return t.add(gen.TemplateComponent{Type: gen.TemplateComponentTypeHeader}, params)
}

// Body adds the parameters of the template's body.
func (t *Template) Body(params ...gen.TemplateParameter) *Template {
	return t.add(gen.TemplateComponent{Type: gen.TemplateComponentTypeBody}, params)
}

// QuickReplyButton sets the payload of the quick-reply button at index (0 to 2); it comes back
// in the inbound `button` message when the customer taps it.
func (t *Template) QuickReplyButton(index int, payload string) *Template {
	return t.button(gen.TemplateComponentSubTypeQuickReply, index, PayloadParam(payload))
}

// URLButton sets the dynamic suffix of the URL button at index (0 to 2).
func (t *Template) URLButton(index int, suffix string) *Template {
	return t.button(gen.TemplateComponentSubTypeURL, index, TextParam(suffix))
}

func (t *Template) button(sub gen.TemplateComponentSubType, index int, param gen.TemplateParameter) *Template {
	var idx gen.TemplateButtonIndex
	_ = idx.FromTemplateButtonIndexNumber(index) // marshalling an int cannot fail
	return t.add(gen.TemplateComponent{Type: gen.TemplateComponentTypeButton, SubType: &sub, Index: &idx}, []gen.TemplateParameter{param})
}

func (t *Template) add(comp gen.TemplateComponent, params []gen.TemplateParameter) *Template {
	params = append([]gen.TemplateParameter(nil), params...)
	comp.Parameters = &params
	t.components = append(t.components, comp)
	return t
}

// Build returns the template block; later calls on t do not change it.
func (t *Template) Build() gen.Template {
	policy := gen.TemplateLanguagePolicyDeterministic
	tpl := gen.Template{
		Namespace: t.namespace,
		Name:      t.name,
		Language:  gen.TemplateLanguage{Code: t.language, Policy: &policy},
	}
	if len(t.components) > 0 {
		comps := append([]gen.TemplateComponent(nil), t.components...)
		tpl.Components = &comps
	}
	return tpl
}

// TextParam is a text parameter, for a header, a body or a URL button suffix.
func TextParam(text string) gen.TemplateParameter {
	return gen.TemplateParameter{Type: gen.TemplateParameterTypeText, Text: &text}
}

// CurrencyParam is an amount of money, localized on the customer's phone: amount1000 is the
// amount times 1000 (10990 for 10.99), code the ISO 4217 currency, fallback the text shown
// when it cannot be localized.
func CurrencyParam(fallback, code string, amount1000 int) gen.TemplateParameter {
	return gen.TemplateParameter{Type: gen.TemplateParameterTypeCurrency,
		Currency: &gen.CurrencyParameter{FallbackValue: fallback, Code: code, Amount1000: amount1000}}
}

// DateTimeParam is a date and time, localized on the customer's phone from t's Unix time;
// fallback is shown when it cannot be localized.
func DateTimeParam(fallback string, t time.Time) gen.TemplateParameter {
	ts := int(t.Unix())
	return gen.TemplateParameter{Type: gen.TemplateParameterTypeDateTime,
		DateTime: &gen.DateTimeParameter{FallbackValue: fallback, Timestamp: &ts}}
}

// ImageParam is an image for a media header.
func ImageParam(m Media) gen.TemplateParameter {
	return gen.TemplateParameter{Type: gen.TemplateParameterTypeImage, Image: m.outbound()}
}

// VideoParam is a video for a media header.
func VideoParam(m Media) gen.TemplateParameter {
	return gen.TemplateParameter{Type: gen.TemplateParameterTypeVideo, Video: m.outbound()}
}

// DocumentParam is a document, which must be a PDF, for a media header.
func DocumentParam(m Media) gen.TemplateParameter {
	return gen.TemplateParameter{Type: gen.TemplateParameterTypeDocument, Document: m.outbound()}
}

// PayloadParam is the payload of a quick-reply button; QuickReplyButton uses it.
func PayloadParam(payload string) gen.TemplateParameter {
	return gen.TemplateParameter{Type: gen.TemplateParameterTypePayload, Payload: &payload}
}

// SendTemplate sends a template message built with NewTemplate and returns its id. Unlike the
// other kinds, templates reach a customer outside the 24-hour customer-care window.
//
//wabiz:operation sendMessage
func (c *Client) SendTemplate(ctx context.Context, to string, t *Template, opts ...SendOption) (string, error) {
	msg, err := NewTemplateMessage(to, t)
	if err != nil {
		return "", err
	}
	return c.send(ctx, "SendTemplate", msg, opts)
}

// MarkRead marks an inbound message as read (PUT /v1/messages/{message_id}), with the id
// received in the webhook: the customer sees blue ticks on it and the earlier messages.
//
//wabiz:operation markMessageAsRead
func (c *Client) MarkRead(ctx context.Context, messageID string) error {
	if err := required("MarkRead", "message id", messageID); err != nil {
		return err
	}
	_, err := c.Raw.MarkMessageAsReadWithResponse(ctx, messageID, gen.MessageStatusUpdate{Status: gen.MessageStatusUpdateStatusRead})
	return err
}

// CollectMessageGarbage starts the clean-up of stored messages (PUT /v1/services/message/gc).
// It returns as soon as the run has started; how it ended arrives later as a webhook
// `services` notice from each Coreapp. On large databases, run it until that notice reports
// `complete`.
//
//wabiz:operation collectMessageGarbage
func (c *Client) CollectMessageGarbage(ctx context.Context) error {
	_, err := c.Raw.CollectMessageGarbageWithResponse(ctx)
	return err
}
